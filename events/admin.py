"""The admin for events: every change with rules goes through the services.

Creating and editing an event call `event_create` / `event_update`;
publishing is an action; rescheduling, cancelling and duplicating need a
message or a date, so their actions open the staff pages that ask for them.
Registrations are read-only here except through actions (cancel, which
promotes from the waitlist; attendance).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html

from cma.admin import run_action
from cma.errors import add_to_form
from cma.forms import HTTPS_URL_OVERRIDES, formfield_https

from . import selectors, services
from .models import CalendarFeed, Event, Registration, RegistrationQuestion, Speaker
from .services import EVENT_FIELDS, TIME_FIELDS


class SpeakerInline(admin.TabularInline):
    model = Speaker
    extra = 0
    fields = ["name", "title", "organization", "position"]


class QuestionInline(admin.StackedInline):
    model = RegistrationQuestion
    extra = 0
    fields = [("label", "kind", "required"), "help_text", "choices", "position"]


class EventAdminForm(forms.ModelForm):
    class Meta:
        model = Event
        fields = sorted(EVENT_FIELDS)
        formfield_callback = formfield_https

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            self.fields["slug"].required = False
            self.fields["slug"].help_text = "Leave empty to make one from the title and the date."
        for name in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at"):
            if name in self.fields:
                self.fields[name].help_text = "In your own time zone (the staff pages use the event's zone)."

    def clean(self):
        data = super().clean()
        fields = {name: data[name] for name in EVENT_FIELDS if name in data and name in self.fields}
        if not fields.get("slug"):
            fields.pop("slug", None)
        try:
            services.event_check(event=self.instance if self.instance.pk else None, **fields)
        except ValidationError as exc:
            # A field that already has an error of its own keeps just that one.
            if hasattr(exc, "error_dict"):
                exc = ValidationError({f: e for f, e in exc.error_dict.items() if f not in self.errors})
            add_to_form(self, exc)
        return data


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    form = EventAdminForm
    formfield_overrides = {field: dict(options) for field, options in HTTPS_URL_OVERRIDES.items()}
    list_display = ["title", "kind", "starts_at", "status", "visibility", "seats", "waitlisted_count"]
    list_filter = ["status", "kind", "visibility", "working_group", "starts_at"]
    search_fields = ["title", "slug", "summary", "venue_name"]
    date_hierarchy = "starts_at"
    inlines = [SpeakerInline, QuestionInline]
    actions = ["publish", "reschedule", "cancel", "duplicate"]
    fieldsets = [
        (None, {"fields": ["kind", "title", "slug", "summary", "description"]}),
        ("When", {"fields": ["starts_at", "ends_at", "time_zone"]}),
        ("Where", {"fields": ["venue_name", "venue_address", "online_url"]}),
        (
            "Who and how many",
            {
                "fields": [
                    "visibility",
                    "working_group",
                    "capacity",
                    "max_seats_per_registration",
                    "registration_opens_at",
                    "registration_closes_at",
                ]
            },
        ),  # fmt: skip
        (
            "Status",
            {
                "fields": [
                    "status",
                    "staff_links",
                    "sequence",
                    "uid",
                    "published_at",
                    "cancelled_at",
                    "cancellation_message",
                    "created_by",
                    "created_at",
                    "updated_at",
                ]
            },
        ),  # fmt: skip
    ]
    readonly_fields = [
        "status", "staff_links", "sequence", "uid", "published_at", "cancelled_at", "cancellation_message",
        "created_by", "created_at", "updated_at",
    ]  # fmt: skip

    def get_queryset(self, request):
        return selectors.with_seats(super().get_queryset(request).select_related("working_group"))

    def get_readonly_fields(self, request, obj: Event | None = None):
        fields = list(self.readonly_fields)
        if obj is not None:
            fields.append("slug")
            if obj.is_published:
                fields += sorted(TIME_FIELDS)
            if obj.is_cancelled:
                fields += sorted(EVENT_FIELDS - {"slug"})
        return fields

    @admin.display(description="seats")
    def seats(self, obj: Event) -> str:
        taken = getattr(obj, "seats_taken", 0)  # annotated by get_queryset
        return f"{taken} / {obj.capacity}" if obj.capacity is not None else str(taken)

    @admin.display(description="waitlisted")
    def waitlisted_count(self, obj: Event) -> int:
        return int(getattr(obj, "waitlisted_count", 0))  # annotated by get_queryset

    @admin.display(description="staff pages")
    def staff_links(self, obj: Event) -> str:
        if not obj.pk:
            return "—"
        return format_html(
            '<a href="{}">Overview</a> · <a href="{}">Registrants</a> · <a href="{}">Reschedule</a> · <a href="{}">Cancel</a>',
            reverse("staff:events:detail", args=[obj.pk]),
            reverse("staff:events:registrants", args=[obj.pk]),
            reverse("staff:events:reschedule", args=[obj.pk]),
            reverse("staff:events:cancel", args=[obj.pk]),
        )

    def save_model(self, request, obj: Event, form, change: bool) -> None:
        fields = {name: form.cleaned_data[name] for name in EVENT_FIELDS if name in form.cleaned_data}
        if not fields.get("slug"):
            fields.pop("slug", None)
        if change:
            saved = services.event_update(actor=request.user, event=Event.objects.get(pk=obj.pk), **fields)
        else:
            saved = services.event_create(actor=request.user, **fields)
        for field in Event._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))
        obj._state.adding = False

    def _one(self, request, queryset, url_name: str):
        if queryset.count() != 1:
            self.message_user(request, "Choose exactly one event for this action.", messages.WARNING)
            return None
        return HttpResponseRedirect(reverse(url_name, args=[queryset.get().pk]))

    @admin.action(description="Publish the selected drafts")
    def publish(self, request, queryset):
        run_action(
            self, request, queryset, lambda e: services.event_publish(actor=request.user, event=e), done="Published"
        )

    @admin.action(description="Reschedule (opens the staff page that notifies registrants)")
    def reschedule(self, request, queryset):
        return self._one(request, queryset, "staff:events:reschedule")

    @admin.action(description="Cancel with a message to registrants")
    def cancel(self, request, queryset):
        return self._one(request, queryset, "staff:events:cancel")

    @admin.action(description="Duplicate (for a recurring event)")
    def duplicate(self, request, queryset):
        return self._one(request, queryset, "staff:events:duplicate")


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["user", "event", "status", "seats", "registered_at", "attended"]
    list_filter = ["status", "event__kind", ("attended_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__email", "user__name", "event__title"]
    list_select_related = ["user", "event"]
    raw_id_fields = ["event", "user"]
    actions = ["cancel", "mark_attended", "unmark_attended"]
    readonly_fields = [
        "event", "user", "status", "seats", "answers", "registered_at", "confirmed_at", "cancelled_at",
        "cancelled_by", "attended_at", "checked_in_by", "reminded_24h_for", "reminded_1h_for", "created_at",
    ]  # fmt: skip

    def has_add_permission(self, request) -> bool:
        return False  # people register on the site, where capacity and eligibility are checked

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(boolean=True, description="attended")
    def attended(self, obj: Registration) -> bool:
        return obj.attended

    @admin.action(description="Cancel the selected registrations (promotes from the waitlist)")
    def cancel(self, request, queryset):
        promoted = []
        run_action(
            self,
            request,
            queryset.select_related("event", "user"),
            lambda r: promoted.extend(services.registration_cancel(actor=request.user, registration=r)),
            done="Cancelled",
        )
        if promoted:
            self.message_user(request, f"Promoted from the waitlist: {len(promoted)}.", messages.SUCCESS)

    def _attendance(self, request, queryset, attended: bool) -> None:
        run_action(
            self,
            request,
            queryset,
            lambda r: services.registration_set_attendance(actor=request.user, registration=r, attended=attended),
            done="Marked attended" if attended else "Marked not attended",
        )

    @admin.action(description="Mark as attended")
    def mark_attended(self, request, queryset):
        self._attendance(request, queryset, True)

    @admin.action(description="Mark as not attended")
    def unmark_attended(self, request, queryset):
        self._attendance(request, queryset, False)


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at", "last_fetched_at"]
    search_fields = ["user__email"]
    fields = ["user", "created_at", "last_fetched_at"]  # the token stays out of sight
    readonly_fields = ["user", "created_at", "last_fetched_at"]
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description="Turn off the selected feeds")
    def revoke(self, request, queryset):
        count = sum(
            services.calendar_feed_revoke(user=feed.user, actor=request.user)
            for feed in queryset.select_related("user")
        )
        self.message_user(request, f"{count} feed(s) turned off.", messages.SUCCESS)
