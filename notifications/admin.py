from __future__ import annotations

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.html import format_html

from cma.csv import stream_csv

from . import services
from .models import BounceEvent, Notification, OutgoingEmail, Suppression

_FIELDS = (
    "recipient", "user", "category", "topic", "scope", "subject", "status", "attempts", "last_error",
    "created_at", "claimed_at", "sent_at", "dedupe_key", "text_body", "html_preview",
)  # fmt: skip


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    list_display = ["subject", "recipient", "category", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "category", "created_at"]
    search_fields = ["recipient", "subject", "dedupe_key"]
    date_hierarchy = "created_at"
    actions = ["retry_delivery"]
    fields = _FIELDS
    readonly_fields = _FIELDS

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="text body")
    def text_body(self, obj: OutgoingEmail) -> str:
        if obj.sensitive and obj.status != OutgoingEmail.Status.SENT:
            return "(hidden: this email carries a private link meant for the recipient alone)"
        return format_html("<pre class='email-body'>{}</pre>", obj.body_text)

    @admin.display(description="HTML body")
    def html_preview(self, obj: OutgoingEmail) -> str:
        if obj.sensitive or not obj.body_html:
            return "—"
        return format_html("<pre class='email-body'>{}</pre>", obj.body_html)

    @admin.action(description="Retry delivery of the selected failed emails")
    def retry_delivery(self, request, queryset):
        retried = sum(
            services.email_requeue(email_id=pk, actor=request.user) for pk in queryset.values_list("pk", flat=True)
        )
        skipped = queryset.count() - retried
        self.message_user(request, f"{retried} email(s) queued again.", messages.SUCCESS)
        if skipped:
            self.message_user(request, f"{skipped} email(s) were not failed and were left alone.", messages.WARNING)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "user", "category", "created_at", "read_at"]
    list_filter = ["category", "created_at"]
    search_fields = ["title", "user__email"]
    raw_id_fields = ["user"]
    readonly_fields = ["user", "category", "title", "body", "url", "dedupe_key", "created_at", "read_at"]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Suppression)
class SuppressionAdmin(admin.ModelAdmin):
    """Addresses the portal does not email (checked as each email is sent)."""

    list_display = ["email", "topic", "reason", "source", "created_at"]
    list_filter = ["reason", "topic", "created_at"]
    search_fields = ["email"]
    date_hierarchy = "created_at"
    actions = ["export_csv"]
    fields = ["email", "topic", "reason", "source", "created_at"]
    readonly_fields = ["created_at"]

    def save_model(self, request, obj, form, change) -> None:
        obj.email = obj.email.strip().lower()
        super().save_model(request, obj, form, change)

    @admin.action(description="Export the selected addresses as CSV")
    def export_csv(self, request, queryset):
        rows = queryset.order_by("email").values_list("email", "topic", "reason", "source", "created_at")
        return stream_csv(
            f"suppression-list-{timezone.localdate():%Y-%m-%d}.csv",
            ["email", "topic (blank: every optional topic)", "reason", "source", "since"],
            rows.iterator(chunk_size=1000),
        )


@admin.register(BounceEvent)
class BounceEventAdmin(admin.ModelAdmin):
    list_display = ["email", "kind", "diagnostic", "source", "created_at"]
    list_filter = ["kind", "source", "created_at"]
    search_fields = ["email", "diagnostic"]
    readonly_fields = ["email", "kind", "diagnostic", "source", "created_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
