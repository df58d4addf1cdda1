from __future__ import annotations

from django.contrib import admin

from .models import Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """Read-only here: messages are written and sent from the staff pages,
    where the send rules (once, pausable, cancellable) hold."""

    list_display = ["subject", "kind", "status", "audience_label", "recipient_count", "send_started_at"]
    list_filter = ["kind", "status", "created_at"]
    search_fields = ["subject", "body"]
    readonly_fields = [f.name for f in Message._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
