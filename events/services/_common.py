"""What the event services share: the refusals views tell apart, the event
fields, and the row lock every change of seats happens under."""

from __future__ import annotations

from django.db.models import Sum

from cma.errors import Conflict, Refused

from ..models import Event, Registration


class MembershipRequired(Refused):
    """A members-only event, and the person is not a member: the page says how to become one."""


class AlreadyRegistered(Conflict):
    """The person already holds a seat or a waitlist place: the page reassures rather than warns."""


class NotPublishable(Conflict):
    """Only a draft that has not ended can be published."""


# Fields staff (and group meetings) may set on an event.
EVENT_FIELDS = frozenset(
    {
        "kind", "title", "slug", "summary", "description", "starts_at", "ends_at", "time_zone", "venue_name",
        "venue_address", "online_url", "visibility", "working_group", "capacity", "max_seats_per_registration",
        "registration_opens_at", "registration_closes_at",
    }
)  # fmt: skip
TIME_FIELDS = frozenset({"starts_at", "ends_at", "time_zone"})
# Paths under /events/ that are pages, not events.
RESERVED_SLUGS = frozenset({"calendar", "mine", "feed"})
# Changes that make calendar entries people hold out of date.
CALENDAR_FIELDS = frozenset({"title", "summary", "venue_name", "venue_address", "online_url", "kind"})


def _lock(event: Event) -> Event:
    """The event, re-read under a row lock: every change of who holds a seat happens under it."""
    return Event.objects.select_for_update(of=("self",)).select_related("working_group").get(pk=event.pk)


def _confirmed_seats(event: Event) -> int:
    total = Registration.objects.filter(event=event, status=Registration.Status.CONFIRMED).aggregate(n=Sum("seats"))
    return int(total["n"] or 0)


def _copy_state(source: Event, target: Event) -> None:
    """Let the caller's instance see what was saved (annotations are kept)."""
    for f in Event._meta.concrete_fields:
        setattr(target, f.attname, getattr(source, f.attname))
