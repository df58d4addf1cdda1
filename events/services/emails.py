"""Emails to registrants: one per registration change, and the fan-outs
after a reschedule or a cancellation (run as tasks after commit).

Every email goes through `notifications.services.notify()` inside the
caller's transaction, with a dedupe key, so a retried task sends nothing twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.urls import reverse

from cma.http import absolute_url
from notifications.services import Attachment, notify
from notifications.topics import Topic

from .. import calendar, formatting
from ..models import Event, Registration
from ..selectors import waitlist_position


def _email_context(registration: Registration, *, join_link: bool) -> dict[str, Any]:
    event = registration.event
    zone = formatting.viewer_zone(registration.user)
    return {
        "event": event,
        "registration": registration,
        "event_url": calendar.event_url(event),
        "when": formatting.event_when(event),
        "when_for_you": formatting.event_when_for(event, zone),
        "location": event.location_display,
        "join_link": event.online_url if join_link and event.online_url else "",
        "my_events_url": absolute_url(reverse("events:mine")),
    }


def _ics_attachment(content: str, name: str = "event.ics") -> Attachment:
    return Attachment(filename=name, content=content, mimetype="text/calendar")


def _send(
    registration: Registration,
    template: str,
    *,
    ics: bool,
    cancel_ics: bool = False,
    extra: Mapping[str, Any] | None = None,
    dedupe_suffix: str = "",
    topic: str = Topic.TRANSACTIONAL,
) -> None:
    event = registration.event
    confirmed = registration.is_confirmed
    attachments: list[Attachment] = []
    if ics:
        attachments.append(_ics_attachment(calendar.event_ics(event, join_link=confirmed)))
    if cancel_ics:
        attachments.append(
            _ics_attachment(
                calendar.registration_cancelled_ics(
                    event, attendee=registration.user.email, attendee_name=registration.user.name
                )
            )
        )
    context = _email_context(registration, join_link=confirmed)
    if registration.is_waitlisted:
        context["position"] = waitlist_position(registration)
    context.update(extra or {})
    notify(
        template=f"events/{template}",
        user=registration.user,
        dedupe_key=dedupe_suffix or f"events:registration:{registration.pk}:{template}:{registration.round_key}",
        context=context,
        url=reverse("events:detail", args=[event.slug]),
        attachments=attachments,
        topic=topic,
    )


def event_announce_reschedule(*, event_id: int, sequence: int, note: str = "") -> int:
    """Email every active registrant of a rescheduled event (the task behind
    `event_reschedule`). Skips a change that a later one superseded; safe to
    run twice (one dedupe key per registrant and SEQUENCE). Returns how many
    emails were queued."""
    event = Event.objects.filter(pk=event_id, status=Event.Status.PUBLISHED, sequence=sequence).first()
    if event is None:
        return 0
    sent = 0
    registrations = event.registrations.filter(status__in=Registration.ACTIVE).select_related("user")
    for registration in registrations.iterator(chunk_size=200):
        registration.event = event
        with transaction.atomic():
            _send(
                registration,
                "event_rescheduled",
                ics=registration.is_confirmed,
                extra={"note": note},
                dedupe_suffix=f"events:event:{event.pk}:rescheduled:{sequence}:registration:{registration.pk}",
            )
        sent += 1
    return sent


def event_announce_cancellation(*, event_id: int) -> int:
    """Email every active registrant of a cancelled event the staff's message
    and a METHOD:CANCEL calendar entry (the task behind `event_cancel`).
    Safe to run twice. Returns how many emails were queued."""
    event = Event.objects.filter(pk=event_id, status=Event.Status.CANCELLED).first()
    if event is None:
        return 0
    sent = 0
    registrations = event.registrations.filter(status__in=Registration.ACTIVE).select_related("user")
    for registration in registrations.iterator(chunk_size=200):
        registration.event = event
        attachment = _ics_attachment(
            calendar.event_ics(event, attendee=registration.user.email, attendee_name=registration.user.name)
        )
        with transaction.atomic():
            notify(
                template="events/event_cancelled",
                user=registration.user,
                dedupe_key=f"events:event:{event.pk}:cancelled:registration:{registration.pk}",
                context=_email_context(registration, join_link=False),
                url=reverse("events:detail", args=[event.slug]),
                attachments=[attachment],
            )
        sent += 1
    return sent
