"""Reminders 24 hours and 1 hour before an event (a periodic task)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from notifications.topics import Topic

from ..models import Registration
from ..selectors import REMINDERS, due_reminders
from .emails import _send


def reminders_send_due(*, now: datetime.datetime | None = None) -> int:
    """Send the 24-hour and 1-hour reminders that are due (with the join link).

    Each is claimed first with a conditional update recording the event
    start it is for, and carries a dedupe key per (registration, kind,
    start): running this as often as you like sends each once, and a
    rescheduled event gets fresh reminders. Returns how many were sent.
    """
    now = now or timezone.now()
    sent = 0
    for kind, (_, sent_field) in REMINDERS.items():
        for registration in due_reminders(kind, now=now):
            start = registration.event.starts_at
            with transaction.atomic():
                claimed = (
                    Registration.objects.filter(
                        pk=registration.pk, status=Registration.Status.CONFIRMED, event__starts_at=start
                    )
                    .filter(Q(**{f"{sent_field}__isnull": True}) | ~Q(**{sent_field: start}))
                    .update(**{sent_field: start})
                )
                if not claimed:
                    continue
                _send(
                    registration,
                    "reminder",
                    ics=False,
                    extra={"kind": kind, "in_hours": 24 if kind == "24h" else 1},
                    # A reminder is optional (the registration's own emails are not).
                    topic=Topic.EVENTS,
                    dedupe_suffix=f"events:reminder:{registration.pk}:{kind}:{start.astimezone(datetime.UTC):%Y%m%dT%H%M%SZ}",
                )
            sent += 1
    return sent
