"""Scheduling, by staff (and group meetings): create, check, edit, publish,
reschedule, cancel and duplicate events.

These make no permission check of their own: the staff pages (and, for a
group's chairs, `meetings.meeting_schedule`) decide who may schedule.
Every event, however it is made, passes the same `_validate`.
"""

from __future__ import annotations

import datetime
import uuid
import zoneinfo
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from cma.audit import audit, history_of
from cma.errors import Conflict
from cma.publish import publish_on_commit

from ..models import Event, RegistrationQuestion, Speaker
from ._common import (
    CALENDAR_FIELDS,
    EVENT_FIELDS,
    RESERVED_SLUGS,
    TIME_FIELDS,
    NotPublishable,
    _confirmed_seats,
    _copy_state,
    _lock,
)
from .registration import _promote_waitlisted

if TYPE_CHECKING:
    from members.models import User


def _check_fields(fields: Mapping[str, Any]) -> None:
    unknown = set(fields) - EVENT_FIELDS
    if unknown:
        raise TypeError(f"Unknown event fields: {', '.join(sorted(unknown))}")


def _validate(event: Event, *, exclude: Iterable[str] = ()) -> None:
    """Friendly, field-by-field errors first; the database constraints are the
    guarantee. Every way an event is made or changed passes here: the staff
    pages, the admin, group meetings, duplicates and reschedules."""
    errors = {**_time_errors(event), **_setting_errors(event), **_where_errors(event)}
    if errors:
        raise ValidationError(errors)
    try:
        zoneinfo.ZoneInfo(event.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError({"time_zone": "Choose a time zone from the list."}) from exc
    # An empty slug is filled in on saving; a given one must be a valid slug.
    skip = [*exclude, *([] if event.slug else ["slug"])]
    event.full_clean(exclude=skip, validate_unique=False, validate_constraints=False)


def _time_errors(event: Event) -> dict[str, str]:
    errors = {}
    if event.starts_at and event.ends_at and event.ends_at <= event.starts_at:
        errors["ends_at"] = "The event must end after it starts."
    opens, closes = event.registration_opens_at, event.registration_closes_at
    if opens and closes and closes <= opens:
        errors["registration_closes_at"] = "Registration must close after it opens."
    if opens and event.starts_at and opens >= event.starts_at:
        errors["registration_opens_at"] = "Registration must open before the event starts."
    return errors


def _setting_errors(event: Event) -> dict[str, str]:
    errors = {}
    if event.visibility == Event.Visibility.GROUP and event.working_group_id is None:
        errors["working_group"] = "Choose the working group whose members may attend."
    if event.capacity is not None and event.capacity < 1:
        errors["capacity"] = "Give at least one seat, or leave it empty for no limit."
    if event.slug in RESERVED_SLUGS:
        errors["slug"] = "This address is taken by the events pages; choose another."
    return errors


def _where_errors(event: Event) -> dict[str, str]:
    """People must be able to get there: a webinar by its join link, any
    other event at a venue or online."""
    if event.kind == Event.Kind.WEBINAR and not event.online_url:
        return {"online_url": "A webinar needs a join link."}
    if event.kind != Event.Kind.WEBINAR and not (event.venue_name or event.online_url):
        return {"venue_name": "Give a venue or a join link."}
    return {}


def _unique_slug(event: Event) -> str:
    base = slugify(event.title)[:190].strip("-") or "event"
    base = f"{base}-{event.local_starts_at:%Y-%m-%d}"
    taken = set(Event.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _save_new(event: Event) -> Event:
    """Insert with a unique slug; a concurrent insert taking the same slug makes
    us try the next. Returns the event saved: an earlier one with the same
    creation key when the same form was submitted twice at once."""
    given = bool(event.slug)
    for _ in range(5):
        if not given:
            event.slug = _unique_slug(event)
        try:
            with transaction.atomic():
                event.save()
            return event
        except IntegrityError:
            earlier = _by_creation_key(event.creation_key)
            if earlier is not None:
                return earlier
            if not Event.objects.filter(slug=event.slug).exists():
                raise  # not the slug: a constraint the validation above missed
            if given:
                raise ValidationError({"slug": "Another event already uses this address."}) from None
    raise ValidationError({"slug": "Could not find a free address for this event; give one."})


def _replace_speakers(event: Event, speakers: Iterable[Mapping[str, Any]]) -> None:
    event.speakers.all().delete()
    Speaker.objects.bulk_create(
        [
            Speaker(
                event=event,
                name=s["name"],
                title=s.get("title", ""),
                organization=s.get("organization", ""),
                position=i,
            )
            for i, s in enumerate(speakers)
        ]
    )


def _replace_questions(event: Event, questions: Iterable[Mapping[str, Any]]) -> None:
    event.questions.all().delete()
    RegistrationQuestion.objects.bulk_create(
        [
            RegistrationQuestion(
                event=event,
                label=q["label"],
                help_text=q.get("help_text", ""),
                kind=q.get("kind", RegistrationQuestion.Kind.TEXT),
                choices=q.get("choices", ""),
                required=bool(q.get("required", False)),
                position=i,
            )
            for i, q in enumerate(questions)
        ]
    )


def _by_creation_key(key: uuid.UUID | str | None) -> Event | None:
    return Event.objects.filter(creation_key=key).first() if key else None


@transaction.atomic
def event_create(
    *,
    actor: User,
    speakers: Iterable[Mapping[str, Any]] = (),
    questions: Iterable[Mapping[str, Any]] = (),
    creation_key: uuid.UUID | str | None = None,
    **fields: Any,
) -> Event:
    """Create a draft event from `fields` (see EVENT_FIELDS), with optional
    speakers ({name, title, organization}) and registration questions
    ({label, help_text, kind, choices, required}).

    The slug is made from the title and date unless given. With a
    `creation_key` (sent by a form), submitting the same form again returns
    the event the first submission made, unchanged. Makes no permission
    check of its own: staff pages and `meeting_schedule` (for a group's
    chairs) decide who may schedule. Raises ValidationError (keyed by field) for
    invalid values and TypeError for unknown field names. Sends nothing.
    """
    _check_fields(fields)
    earlier = _by_creation_key(creation_key)
    if earlier is not None:
        return earlier
    event = Event(**fields, status=Event.Status.DRAFT, creation_key=creation_key or None)
    if actor is not None and actor.is_authenticated:
        event.created_by = actor
    _validate(event)
    saved = _save_new(event)
    if saved is not event:
        return saved
    _replace_speakers(event, speakers)
    _replace_questions(event, questions)
    audit(actor=actor, action="event.created", target=event, to_state=event.status)
    return event


def _check_update(event: Event, changed: set[str]) -> None:
    """The rules for editing an existing event (beyond those of any event)."""
    if event.is_cancelled:
        raise Conflict("A cancelled event can't be edited.")
    if event.is_published and changed & TIME_FIELDS:
        raise Conflict("This event is published: use Reschedule to change its time, so registrants are told.")
    if "capacity" in changed and event.capacity is not None:
        confirmed = _confirmed_seats(event)
        if event.capacity < confirmed:
            raise ValidationError(
                {"capacity": f"{confirmed} seats are already confirmed; cancel registrations before going lower."}
            )


def event_check(*, event: Event | None = None, **fields: Any) -> None:
    """Raise ValidationError (keyed by field) when `event_create` (no event)
    or `event_update` would refuse these fields; for forms that show the
    errors before calling the service (the admin)."""
    _check_fields(fields)
    if event is None or event.pk is None:
        probe = Event(status=Event.Status.DRAFT, **fields)
        _validate(probe)
        return
    current = Event.objects.get(pk=event.pk)
    changed = {name for name, value in fields.items() if getattr(current, name) != value}
    for name in changed:
        setattr(current, name, fields[name])
    _validate(current)
    try:
        _check_update(current, changed)
    except Conflict as exc:
        raise ValidationError(exc.message) from exc


@transaction.atomic
def event_update(
    *,
    actor: User,
    event: Event,
    speakers: Iterable[Mapping[str, Any]] | None = None,
    questions: Iterable[Mapping[str, Any]] | None = None,
    **fields: Any,
) -> Event:
    """Edit an event that is not cancelled.

    The time of a published event changes only through `event_reschedule`
    (which tells registrants); capacity cannot go below the seats already
    confirmed, and a larger capacity promotes people from the waitlist.
    Changing what calendar entries show bumps SEQUENCE. Speakers and
    questions, when given, replace the current ones. Raises Conflict or
    ValidationError; may send promotion emails.
    """
    _check_fields(fields)
    locked = _lock(event)
    changed = {name for name, value in fields.items() if getattr(locked, name) != value}
    old_capacity = locked.capacity
    if locked.is_cancelled:
        raise Conflict("A cancelled event can't be edited.")
    for name in changed:
        setattr(locked, name, fields[name])
    _validate(locked)
    _check_update(locked, changed)
    if locked.is_published and changed & CALENDAR_FIELDS:
        locked.sequence += 1
    try:
        with transaction.atomic():
            locked.save()
    except IntegrityError as exc:
        raise ValidationError({"slug": "Another event already uses this address."}) from exc
    if speakers is not None:
        _replace_speakers(locked, speakers)
    if questions is not None:
        _replace_questions(locked, questions)
    if changed or speakers is not None or questions is not None:
        audit(actor=actor, action="event.updated", target=locked, note=", ".join(sorted(changed)))
    grew = locked.capacity is None or (old_capacity is not None and locked.capacity > old_capacity)
    if locked.is_published and "capacity" in changed and grew:
        _promote_waitlisted(locked, actor=actor)
    _copy_state(locked, event)
    return event


@transaction.atomic
def event_publish(*, actor: User, event: Event) -> Event:
    """Publish a draft: it appears in listings and opens for registration
    (from `registration_opens_at`, if set). Only drafts may be published, and
    not once they have ended. Makes no permission check (callers do).
    Raises NotPublishable (a Conflict). Sends nothing.
    """
    locked = _lock(event)
    if not locked.is_draft:
        raise NotPublishable(f"Only a draft can be published; this event is {locked.get_status_display().lower()}.")
    if locked.has_ended():
        raise NotPublishable("This event has already ended; change its dates before publishing.")
    locked.status = Event.Status.PUBLISHED
    locked.published_at = timezone.now()
    locked.save(update_fields=["status", "published_at", "updated_at"])
    audit(actor=actor, action="event.published", target=locked, from_state="draft", to_state=locked.status)
    _copy_state(locked, event)
    return event


@transaction.atomic
def event_reschedule(
    *,
    actor: User,
    event: Event,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    time_zone: str | None = None,
    note: str = "",
) -> Event:
    """Move a published event to new times (and optionally zone).

    SEQUENCE goes up so calendar clients replace the entry; a set
    registration deadline moves with the event; reminders re-arm for the new
    start. Enqueues, after commit, an email to every confirmed and
    waitlisted registrant with the new times, `note`, and (confirmed) the
    updated calendar entry. Raises Conflict (not published) or
    ValidationError (times).
    """
    locked = _lock(event)
    if not locked.is_published:
        raise Conflict(
            "Only a published event can be rescheduled"
            + ("; edit the draft's times instead." if locked.is_draft else "; this one was cancelled.")
        )
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": "The event must end after it starts."})
    if starts_at <= timezone.now():
        raise ValidationError({"starts_at": "The new start must be in the future."})
    zone = time_zone or locked.time_zone
    if starts_at == locked.starts_at and ends_at == locked.ends_at and zone == locked.time_zone:
        raise ValidationError({"starts_at": "These are the times the event already has."})
    old_start, old_end = locked.starts_at, locked.ends_at
    delta = starts_at - old_start
    locked.starts_at, locked.ends_at, locked.time_zone = starts_at, ends_at, zone
    if locked.registration_closes_at:
        locked.registration_closes_at += delta
    if locked.registration_opens_at and (
        locked.registration_opens_at >= locked.registration_closes or locked.registration_opens_at >= starts_at
    ):
        locked.registration_opens_at = None
    _validate(locked)
    locked.sequence += 1
    locked.save()
    audit(
        actor=actor,
        action="event.rescheduled",
        target=locked,
        note=note,
        data={
            "from": [old_start.isoformat(), old_end.isoformat()],
            "to": [starts_at.isoformat(), ends_at.isoformat()],
            "sequence": locked.sequence,
        },
    )
    from .. import tasks

    publish_on_commit(tasks.announce_reschedule, locked.pk, locked.sequence, note)
    _copy_state(locked, event)
    return event


@transaction.atomic
def event_cancel(*, actor: User, event: Event, message: str) -> Event:
    """Cancel a published event with a message for registrants.

    Registrations stay as they were (for the record) but no reminders go
    out. Enqueues, after commit, an email to every confirmed and waitlisted
    registrant with `message` and a cancellation calendar entry
    (METHOD:CANCEL, same UID, higher SEQUENCE). Raises Conflict (not
    published) or ValidationError (no message).
    """
    message = (message or "").strip()
    if not message:
        raise ValidationError({"message": "Tell registrants why the event is cancelled."})
    locked = _lock(event)
    if not locked.is_published:
        raise Conflict(
            "This event was already cancelled." if locked.is_cancelled else "A draft can't be cancelled; delete it."
        )
    locked.status = Event.Status.CANCELLED
    locked.cancelled_at = timezone.now()
    locked.cancellation_message = message
    locked.sequence += 1
    locked.save(update_fields=["status", "cancelled_at", "cancellation_message", "sequence", "updated_at"])
    audit(
        actor=actor, action="event.cancelled", target=locked, from_state="published", to_state="cancelled", note=message
    )
    from .. import tasks

    publish_on_commit(tasks.announce_cancellation, locked.pk)
    _copy_state(locked, event)
    return event


@transaction.atomic
def event_duplicate(
    *,
    actor: User,
    event: Event,
    starts_at: datetime.datetime,
    title: str = "",
    creation_key: uuid.UUID | str | None = None,
) -> Event:
    """A new draft copying the event (speakers and questions too) at a new
    start, same length; registration times move by the same amount.
    For recurring roundtables. A repeated `creation_key` returns the copy
    already made. Raises ValidationError. Sends nothing.
    """
    earlier = _by_creation_key(creation_key)
    if earlier is not None:
        return earlier
    delta = starts_at - event.starts_at
    fields = {name: getattr(event, name) for name in EVENT_FIELDS - {"slug"}}
    fields.update(
        title=title or event.title,
        starts_at=starts_at,
        ends_at=event.ends_at + delta,
        registration_opens_at=event.registration_opens_at + delta if event.registration_opens_at else None,
        registration_closes_at=event.registration_closes_at + delta if event.registration_closes_at else None,
    )
    copy = event_create(
        actor=actor,
        speakers=event.speakers.values("name", "title", "organization"),
        questions=event.questions.values("label", "help_text", "kind", "choices", "required"),
        creation_key=creation_key,
        **fields,
    )
    if not history_of(copy).filter(action="event.duplicated").exists():  # not a resubmitted form
        audit(actor=actor, action="event.duplicated", target=copy, note=f"Copied from event {event.pk} ({event.slug}).")
    return copy
