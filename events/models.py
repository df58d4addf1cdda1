"""Events: what staff schedule, who registered, and personal calendar feeds.

Times are stored in UTC; each event carries the IANA zone it takes place in,
so pages and calendar files can show it as the organizers mean it.
"""

from __future__ import annotations

import datetime
import uuid
import zoneinfo
from functools import cache

from django.conf import settings
from django.db import models
from django.utils import timezone


def default_time_zone() -> str:
    return settings.DISPLAY_TIME_ZONE


@cache
def time_zone_choices() -> list[tuple[str, str]]:
    # US zones first: nearly every event happens in one of them.
    zones = zoneinfo.available_timezones()
    us = sorted(z for z in zones if z.startswith("America/"))
    rest = sorted(z for z in zones if "/" in z and not z.startswith(("America/", "Etc/", "SystemV/")))
    return [(z, z.replace("_", " ")) for z in us + rest]


class EventQuerySet(models.QuerySet["Event"]):
    def listed(self) -> EventQuerySet:
        """Events the public pages may list: published or cancelled, never drafts."""
        return self.filter(status__in=(Event.Status.PUBLISHED, Event.Status.CANCELLED))

    def upcoming(self, now: datetime.datetime | None = None) -> EventQuerySet:
        return self.filter(ends_at__gte=now or timezone.now())

    def past(self, now: datetime.datetime | None = None) -> EventQuerySet:
        return self.filter(ends_at__lt=now or timezone.now())


class Event(models.Model):
    """A roundtable, workshop, webinar, conference or trade delegation."""

    class Kind(models.TextChoices):
        ROUNDTABLE = "roundtable", "Roundtable"
        WORKSHOP = "workshop", "Workshop"
        WEBINAR = "webinar", "Webinar"
        CONFERENCE = "conference", "Conference"
        TRADE_DELEGATION = "trade_delegation", "Trade delegation"

    class Visibility(models.TextChoices):
        PUBLIC = "public", "Public — anyone with an account may register"
        MEMBERS = "members", "Members only"
        GROUP = "group", "One working group only"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        CANCELLED = "cancelled", "Cancelled"

    # The iCalendar UID: the same for the life of the event, whatever is
    # edited, so calendar clients update one entry instead of adding another.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    summary = models.CharField(max_length=300, help_text="One or two sentences for listings.")
    description = models.TextField(blank=True, help_text="Agenda and details, in Markdown.")

    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField()
    time_zone = models.CharField(
        max_length=64,
        choices=time_zone_choices,
        default=default_time_zone,
        help_text="Where the event takes place (for online events, the organizers' zone).",
    )

    venue_name = models.CharField(max_length=200, blank=True)
    venue_address = models.TextField(blank=True)
    online_url = models.URLField(
        "join link",
        max_length=500,
        blank=True,
        help_text="Shown only to confirmed registrants, on the event page and in their reminders.",
    )

    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.MEMBERS)
    working_group = models.ForeignKey(
        "workinggroups.WorkingGroup",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
        help_text="The working group hosting the event; required when only that group may attend.",
    )

    capacity = models.PositiveIntegerField(null=True, blank=True, help_text="Seats in all; empty for no limit.")
    max_seats_per_registration = models.PositiveSmallIntegerField(
        "seats per registration",
        default=1,
        help_text="More than 1 lets a company register several people (conferences, trade delegations).",
    )
    registration_opens_at = models.DateTimeField(null=True, blank=True, help_text="Empty: open once published.")
    registration_closes_at = models.DateTimeField(null=True, blank=True, help_text="Empty: open until it starts.")

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    # iCalendar SEQUENCE: bumped whenever a calendar entry must replace the
    # one people already have (rescheduled, moved, cancelled).
    sequence = models.PositiveIntegerField(default=0, editable=False)
    cancellation_message = models.TextField(blank=True)
    # Sent with the staff's create and duplicate forms: a double-clicked or
    # resubmitted form finds the event it already made instead of a second one.
    creation_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="event_ends_after_start",
                violation_error_message="The event must end after it starts.",
            ),
            models.CheckConstraint(
                condition=models.Q(capacity__isnull=True) | models.Q(capacity__gte=0),
                name="event_capacity_not_negative",
                violation_error_message="Capacity cannot be negative.",
            ),
            models.CheckConstraint(
                condition=models.Q(max_seats_per_registration__gte=1),
                name="event_seats_per_registration_positive",
                violation_error_message="Allow at least one seat per registration.",
            ),
            models.CheckConstraint(
                condition=~models.Q(visibility="group") | models.Q(working_group__isnull=False),
                name="event_group_visibility_needs_group",
                violation_error_message="A working-group-only event needs its working group.",
            ),
            models.CheckConstraint(
                condition=models.Q(registration_opens_at__isnull=True)
                | models.Q(registration_closes_at__isnull=True)
                | models.Q(registration_closes_at__gt=models.F("registration_opens_at")),
                name="event_registration_closes_after_opening",
                violation_error_message="Registration must close after it opens.",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "ends_at"], name="events_status_ends_idx"),
            models.Index(fields=["working_group", "starts_at"], name="events_group_starts_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        try:
            return zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo(settings.DISPLAY_TIME_ZONE)

    @property
    def local_starts_at(self) -> datetime.datetime:
        return self.starts_at.astimezone(self.zone)

    @property
    def local_ends_at(self) -> datetime.datetime:
        return self.ends_at.astimezone(self.zone)

    @property
    def is_online(self) -> bool:
        return bool(self.online_url)

    @property
    def is_in_person(self) -> bool:
        return bool(self.venue_name or self.venue_address)

    @property
    def address_one_line(self) -> str:
        return ", ".join(line.strip(" ,") for line in self.venue_address.splitlines() if line.strip(" ,"))

    @property
    def location_display(self) -> str:
        """Where, in one line, without the join link (which is private)."""
        place = ", ".join(part for part in [self.venue_name, self.address_one_line] if part)
        if place and self.is_online:
            return f"{place} and online"
        return place or ("Online" if self.is_online else "To be announced")

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def registration_closes(self) -> datetime.datetime:
        """When registration actually closes: the set time, or the start."""
        return self.registration_closes_at or self.starts_at

    def registration_phase(self, now: datetime.datetime | None = None) -> str:
        """'not_open' | 'open' | 'closed' (by the clock alone, whatever the status)."""
        now = now or timezone.now()
        if self.registration_opens_at and now < self.registration_opens_at:
            return "not_open"
        if now >= self.registration_closes:
            return "closed"
        return "open"

    def has_ended(self, now: datetime.datetime | None = None) -> bool:
        return self.ends_at <= (now or timezone.now())

    def seats_left(self) -> int | None:
        """Free seats (None: no limit). Needs the `seats_taken` annotation from the selectors."""
        if self.capacity is None:
            return None
        return max(self.capacity - (getattr(self, "seats_taken", 0) or 0), 0)


class Speaker(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="speakers")
    name = models.CharField(max_length=150)
    title = models.CharField(max_length=150, blank=True, help_text="Job title, e.g. Chief Executive Officer.")
    organization = models.CharField(max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name


class RegistrationQuestion(models.Model):
    """A question registrants answer: free text or one choice from a list."""

    class Kind(models.TextChoices):
        TEXT = "text", "Free text"
        CHOICE = "choice", "One choice from a list"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="questions")
    label = models.CharField("question", max_length=200)
    help_text = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.TEXT)
    choices = models.TextField(blank=True, help_text="For a choice question: the options, one per line.")
    required = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.label

    @property
    def options(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]


class Registration(models.Model):
    """One person's place at one event: confirmed, waitlisted or cancelled.

    There is exactly one row per (event, user): registering again after
    cancelling reuses the row and puts it at the back of the queue.
    """

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed"
        WAITLISTED = "waitlisted", "Waitlisted"
        CANCELLED = "cancelled", "Cancelled"

    ACTIVE = (Status.CONFIRMED, Status.WAITLISTED)

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_registrations")
    status = models.CharField(max_length=12, choices=Status.choices)
    seats = models.PositiveSmallIntegerField(default=1)
    # [{"question_id": 3, "question": "Dietary needs?", "answer": "None"}]: a
    # snapshot, so later edits to the questions don't change what was answered.
    answers = models.JSONField(default=list, blank=True)
    # The waitlist order is (registered_at, id): set under the event's row
    # lock, reset when someone registers again after cancelling.
    registered_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    attended_at = models.DateTimeField(null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The event start each reminder was sent for: a rescheduled event re-arms them.
    reminded_24h_for = models.DateTimeField(null=True, blank=True)
    reminded_1h_for = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["registered_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="events_one_registration_per_user"),
            models.CheckConstraint(condition=models.Q(seats__gte=1), name="registration_seats_positive"),
        ]
        indexes = [
            models.Index(fields=["event", "status", "registered_at"], name="events_reg_queue_idx"),
            models.Index(fields=["user", "status"], name="events_reg_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} at {self.event} ({self.get_status_display()})"

    @property
    def is_confirmed(self) -> bool:
        return self.status == self.Status.CONFIRMED

    @property
    def is_waitlisted(self) -> bool:
        return self.status == self.Status.WAITLISTED

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def attended(self) -> bool:
        return self.attended_at is not None

    @property
    def round_key(self) -> str:
        """Tells one registration of this row from the next (after a cancel and
        a new registration), for the dedupe keys of its emails."""
        return self.registered_at.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%S%f")


class CalendarFeed(models.Model):
    """A person's secret calendar-subscription address.

    The token is the only credential of the feed URL; regenerating replaces
    it (old subscriptions stop working) and revoking deletes the row.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_feed")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_fetched_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"
