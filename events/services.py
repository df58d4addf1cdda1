"""Writes for events: scheduling, registration with capacity and waitlist,
attendance, calendar feeds and reminders.

Every change to who holds a seat happens under a row lock on the event
(`select_for_update`), so capacity holds however many people register at
once; one registration per person per event is a database constraint.
Mail goes through `notifications.services.notify()` inside the same
transaction (sent after commit, once per dedupe key). Fan-outs to every
registrant (reschedule, cancellation) run as tasks after commit.
"""

from __future__ import annotations

import datetime
import secrets
import uuid
import zoneinfo
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from cma.audit import audit, history_of
from cma.http import absolute_url
from notifications.services import Attachment, notify

from . import calendar, formatting, permissions
from .models import CalendarFeed, Event, Registration, RegistrationQuestion, Speaker

if TYPE_CHECKING:
    from members.models import User


class EventError(Exception):
    """An action refused, with a message for the person who tried it. Nothing was changed."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class MembershipRequired(EventError):
    """A members-only event, and the person is not a member (views answer 403)."""


class NotAllowed(EventError):
    """The person may not do this at all (views answer 403 or 404)."""


class AlreadyRegistered(EventError):
    pass


# Fields staff (and the working-groups app) may set on an event.
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


# --- Scheduling -----------------------------------------------------------------


def _check_fields(fields: Mapping[str, Any]) -> None:
    unknown = set(fields) - EVENT_FIELDS
    if unknown:
        raise TypeError(f"Unknown event fields: {', '.join(sorted(unknown))}")


def _validate(event: Event, *, exclude: Iterable[str] = ()) -> None:
    """Friendly, field-by-field errors first; the database constraints are the guarantee."""
    errors: dict[str, str] = {}
    if event.starts_at and event.ends_at and event.ends_at <= event.starts_at:
        errors["ends_at"] = "The event must end after it starts."
    if event.visibility == Event.Visibility.GROUP and event.working_group_id is None:
        errors["working_group"] = "Choose the working group whose members may attend."
    if event.capacity is not None and event.capacity < 1:
        errors["capacity"] = "Give at least one seat, or leave it empty for no limit."
    if (
        event.registration_opens_at
        and event.registration_closes_at
        and event.registration_closes_at <= event.registration_opens_at
    ):
        errors["registration_closes_at"] = "Registration must close after it opens."
    if event.registration_opens_at and event.starts_at and event.registration_opens_at >= event.starts_at:
        errors["registration_opens_at"] = "Registration must open before the event starts."
    if event.slug in RESERVED_SLUGS:
        errors["slug"] = "This address is taken by the events pages; choose another."
    if errors:
        raise ValidationError(errors)
    try:
        zoneinfo.ZoneInfo(event.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError({"time_zone": "Choose a time zone from the list."}) from exc
    # An empty slug is filled in on saving; a given one must be a valid slug.
    skip = [*exclude, *([] if event.slug else ["slug"])]
    event.full_clean(exclude=skip, validate_unique=False, validate_constraints=False)


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
    check of its own: staff pages and the working-groups app (for chairs)
    decide who may schedule. Raises ValidationError (keyed by field) for
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


def _lock(event: Event) -> Event:
    return Event.objects.select_for_update(of=("self",)).select_related("working_group").get(pk=event.pk)


def _confirmed_seats(event: Event) -> int:
    return (
        Registration.objects.filter(event=event, status=Registration.Status.CONFIRMED).aggregate(n=Sum("seats"))["n"]
        or 0
    )


def _check_update(event: Event, changed: set[str]) -> None:
    """The rules for editing an existing event (beyond those of any event)."""
    if event.is_cancelled:
        raise EventError("A cancelled event can't be edited.")
    if event.is_published and changed & TIME_FIELDS:
        raise EventError("This event is published: use Reschedule to change its time, so registrants are told.")
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
    except EventError as exc:
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
    questions, when given, replace the current ones. Raises EventError or
    ValidationError; may send promotion emails.
    """
    _check_fields(fields)
    locked = _lock(event)
    changed = {name for name, value in fields.items() if getattr(locked, name) != value}
    old_capacity = locked.capacity
    if locked.is_cancelled:
        raise EventError("A cancelled event can't be edited.")
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


def _copy_state(source: Event, target: Event) -> None:
    """Let the caller's instance see what was saved (annotations are kept)."""
    for f in Event._meta.concrete_fields:
        setattr(target, f.attname, getattr(source, f.attname))


@transaction.atomic
def event_publish(*, actor: User, event: Event) -> Event:
    """Publish a draft: it appears in listings and opens for registration
    (from `registration_opens_at`, if set). Only drafts may be published, and
    not once they have ended. Makes no permission check (callers do).
    Raises EventError. Sends nothing.
    """
    locked = _lock(event)
    if not locked.is_draft:
        raise EventError(f"Only a draft can be published; this event is {locked.get_status_display().lower()}.")
    if locked.has_ended():
        raise EventError("This event has already ended; change its dates before publishing.")
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
    updated calendar entry. Raises EventError (not published) or
    ValidationError (times).
    """
    locked = _lock(event)
    if not locked.is_published:
        raise EventError(
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
    from . import tasks

    tasks.announce_reschedule.delay_on_commit(locked.pk, locked.sequence, note)
    _copy_state(locked, event)
    return event


@transaction.atomic
def event_cancel(*, actor: User, event: Event, message: str) -> Event:
    """Cancel a published event with a message for registrants.

    Registrations stay as they were (for the record) but no reminders go
    out. Enqueues, after commit, an email to every confirmed and waitlisted
    registrant with `message` and a cancellation calendar entry
    (METHOD:CANCEL, same UID, higher SEQUENCE). Raises EventError (not
    published) or ValidationError (no message).
    """
    message = (message or "").strip()
    if not message:
        raise ValidationError({"message": "Tell registrants why the event is cancelled."})
    locked = _lock(event)
    if not locked.is_published:
        raise EventError(
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
    from . import tasks

    tasks.announce_cancellation.delay_on_commit(locked.pk)
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


# --- Registration -------------------------------------------------------------------


def clean_answers(event: Event, answers: Mapping[int, str] | None) -> list[dict[str, Any]]:
    """The answers as stored (a snapshot with the questions' wording).

    Raises ValidationError keyed `q_<question id>` for a missing required
    answer or a choice that is not offered.
    """
    answers = answers or {}
    errors: dict[str, str] = {}
    stored: list[dict[str, Any]] = []
    for question in event.questions.order_by("position", "pk"):
        answer = str(answers.get(question.pk, "") or "").strip()[:2000]
        if question.required and not answer:
            errors[f"q_{question.pk}"] = "This question needs an answer."
        elif answer and question.kind == RegistrationQuestion.Kind.CHOICE and answer not in question.options:
            errors[f"q_{question.pk}"] = "Choose one of the options."
        stored.append({"question_id": question.pk, "question": question.label, "answer": answer})
    if errors:
        raise ValidationError(errors)
    return stored


def _refuse_by_state(event: Event, now: datetime.datetime) -> None:
    if event.is_cancelled:
        raise EventError("This event was cancelled, so registration is closed.")
    if not event.is_published:
        raise EventError("This event is not open for registration.")
    phase = event.registration_phase(now)
    if phase == "not_open":
        raise EventError(f"Registration opens {formatting.moment_text(event.registration_opens_at, event.zone)}.")
    if phase == "closed":
        raise EventError("Registration for this event has closed.")


@transaction.atomic
def event_register(
    *, actor: User, event: Event, seats: int = 1, answers: Mapping[int, str] | None = None
) -> Registration:
    """Register `actor` for `event`: confirmed while seats last, otherwise
    waitlisted behind everyone already waiting.

    Runs under a row lock on the event, so concurrent registrations never
    confirm more seats than the capacity. Someone who cancelled earlier may
    register again (at the back of the queue). Raises MembershipRequired
    (members-only event, not a member), NotAllowed (not signed in, or not in
    the working group), AlreadyRegistered, EventError (draft, cancelled,
    registration not open or closed, too many seats) or ValidationError
    (answers). Sends a confirmation, with the calendar entry, or a waitlist
    notice.
    """
    refusal = permissions.registration_refusal(actor, event)
    if refusal is permissions.Refusal.MEMBERSHIP:
        raise MembershipRequired("This event is for members of the association.")
    if refusal is not None:
        raise NotAllowed(
            "Sign in to register." if refusal is permissions.Refusal.SIGN_IN else "This event is for its working group."
        )
    stored_answers = clean_answers(event, answers)
    locked = _lock(event)
    now = timezone.now()
    _refuse_by_state(locked, now)
    if not 1 <= seats <= locked.max_seats_per_registration:
        limit = locked.max_seats_per_registration
        raise EventError(f"You may register {limit} seat{'s' if limit != 1 else ''} at most for this event.")
    if locked.capacity is not None and seats > locked.capacity:
        raise EventError(f"This event has {locked.capacity} seats in all.")
    existing = Registration.objects.filter(event=locked, user=actor).first()  # under the event lock
    if existing is not None and existing.is_active:
        raise AlreadyRegistered(
            "You are already registered for this event."
            if existing.is_confirmed
            else "You are already on the waitlist for this event."
        )
    fits = locked.capacity is None or _confirmed_seats(locked) + seats <= locked.capacity
    status = Registration.Status.CONFIRMED if fits else Registration.Status.WAITLISTED
    values = {
        "status": status,
        "seats": seats,
        "answers": stored_answers,
        "registered_at": now,
        "confirmed_at": now if fits else None,
        "cancelled_at": None,
        "cancelled_by": None,
        "attended_at": None,
        "checked_in_by": None,
    }
    if existing is not None:
        for name, value in values.items():
            setattr(existing, name, value)
        existing.save()
        registration = existing
    else:
        # No savepoint: the event lock serializes registrations for this event,
        # so the constraint can only fire without row locks (SQLite), and then
        # the whole registration is rolled back anyway.
        try:
            registration = Registration.objects.create(event=locked, user=actor, **values)
        except IntegrityError as exc:
            raise AlreadyRegistered("You are already registered for this event.") from exc
    audit(actor=actor, action="registration.created", target=registration, to_state=status, note=f"{seats} seat(s)")
    registration.event = locked
    _send(registration, "registration_confirmed" if fits else "registration_waitlisted", ics=fits)
    return registration


@transaction.atomic
def registration_cancel(*, actor: User, registration: Registration, note: str = "") -> list[Registration]:
    """Cancel a confirmed registration or leave the waitlist (the registrant,
    or staff for anyone).

    A freed seat goes at once to the first waitlisted registrations that
    fit, in order; each promoted person is told, with the calendar entry
    and the join link. Returns the promoted registrations. Raises NotAllowed
    or EventError (already cancelled, event over). Sends the registrant a
    note (with a calendar cancellation if they held a seat).
    """
    if not permissions.can_cancel_registration(actor, registration):
        raise NotAllowed("You can cancel only your own registration.")
    locked = _lock(registration.event)
    current = Registration.objects.select_for_update(of=("self",)).select_related("user").get(pk=registration.pk)
    if not current.is_active:
        raise EventError("This registration was already cancelled.")
    staff = permissions.is_event_staff(actor)
    if locked.has_ended() and not staff:
        raise EventError("This event has already taken place.")
    was = current.status
    current.status = Registration.Status.CANCELLED
    current.cancelled_at = timezone.now()
    current.cancelled_by = actor
    current.save(update_fields=["status", "cancelled_at", "cancelled_by", "updated_at"])
    by_someone_else = actor.pk != current.user_id
    audit(
        actor=actor,
        action="registration.cancelled",
        target=current,
        from_state=was,
        to_state=current.status,
        note=note or ("by staff" if by_someone_else else ""),
    )
    current.event = locked
    _send(
        current,
        "registration_cancelled",
        ics=False,
        cancel_ics=was == Registration.Status.CONFIRMED,
        extra={"by_staff": by_someone_else, "was_waitlisted": was == Registration.Status.WAITLISTED, "note": note},
    )
    promoted: list[Registration] = []
    if was == Registration.Status.CONFIRMED and locked.is_published and not locked.has_ended():
        promoted = _promote_waitlisted(locked, actor=actor)
    registration.status = current.status
    registration.cancelled_at = current.cancelled_at
    return promoted


def _promote_waitlisted(event: Event, *, actor: User | None) -> list[Registration]:
    """Confirm waitlisted registrations in order while they fit. The event is locked by the caller."""
    free = None if event.capacity is None else event.capacity - _confirmed_seats(event)
    if free is not None and free <= 0:
        return []
    promoted: list[Registration] = []
    # No row locks needed here: every change of status at this event happens
    # under the event's lock, which the caller holds.
    waiting = (
        Registration.objects.filter(event=event, status=Registration.Status.WAITLISTED)
        .select_related("user")
        .order_by("registered_at", "pk")
    )
    now = timezone.now()
    for registration in waiting.iterator(chunk_size=100):
        if free is not None and registration.seats > free:
            continue  # the first that fits goes; a larger party keeps its place
        registration.status = Registration.Status.CONFIRMED
        registration.confirmed_at = now
        registration.save(update_fields=["status", "confirmed_at", "updated_at"])
        audit(
            actor=actor,
            action="registration.promoted",
            target=registration,
            from_state="waitlisted",
            to_state="confirmed",
        )
        registration.event = event
        _send(registration, "registration_promoted", ics=True)
        promoted.append(registration)
        if free is not None:
            free -= registration.seats
            if free == 0:
                break
    return promoted


def registration_set_attendance(*, actor: User, registration: Registration, attended: bool) -> Registration:
    """Mark a confirmed registrant present (or undo it). Idempotent: marking
    twice keeps the first check-in time. Raises EventError for a registration
    that is not confirmed. Sends nothing.
    """
    with transaction.atomic():
        now = timezone.now()
        changed = Registration.objects.filter(
            pk=registration.pk, status=Registration.Status.CONFIRMED, attended_at__isnull=attended
        ).update(
            attended_at=now if attended else None,
            checked_in_by=actor if attended else None,
            updated_at=now,
        )
        current = Registration.objects.select_related("user", "checked_in_by").get(pk=registration.pk)
        if not current.is_confirmed:
            raise EventError("Only confirmed registrants can be checked in.")
        if changed:
            audit(
                actor=actor,
                action="registration.checked_in" if attended else "registration.check_in_undone",
                target=current,
            )
    return current


# --- Emails ---------------------------------------------------------------------


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
) -> None:
    event = registration.event
    confirmed = registration.is_confirmed
    attachments = []
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
        from .selectors import waitlist_position

        context["position"] = waitlist_position(registration)
    context.update(extra or {})
    notify(
        template=f"events/{template}",
        user=registration.user,
        dedupe_key=dedupe_suffix or f"events:registration:{registration.pk}:{template}:{registration.round_key}",
        context=context,
        url=reverse("events:detail", args=[event.slug]),
        attachments=attachments,
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


# --- Reminders ------------------------------------------------------------------


def reminders_send_due(*, now: datetime.datetime | None = None) -> int:
    """Send the 24-hour and 1-hour reminders that are due (with the join link).

    Each is claimed first with a conditional update recording the event
    start it is for, and carries a dedupe key per (registration, kind,
    start): running this as often as you like sends each once, and a
    rescheduled event gets fresh reminders. Returns how many were sent.
    """
    from .selectors import REMINDERS, due_reminders

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
                    dedupe_suffix=f"events:reminder:{registration.pk}:{kind}:{start.astimezone(datetime.UTC):%Y%m%dT%H%M%SZ}",
                )
            sent += 1
    return sent


# --- Calendar feeds ----------------------------------------------------------------


def _new_token() -> str:
    return secrets.token_urlsafe(32)


@transaction.atomic
def calendar_feed_enable(*, user: User) -> CalendarFeed:
    """The user's feed, created with a fresh secret token if they have none."""
    feed, created = CalendarFeed.objects.get_or_create(user=user, defaults={"token": _new_token()})
    if created:
        audit(actor=user, action="calendar_feed.created", target=feed)
    return feed


@transaction.atomic
def calendar_feed_regenerate(*, user: User) -> CalendarFeed:
    """A new secret address; the old one stops working at once."""
    feed, created = CalendarFeed.objects.select_for_update().get_or_create(user=user, defaults={"token": _new_token()})
    if not created:
        feed.token = _new_token()
        feed.save(update_fields=["token"])
    audit(actor=user, action="calendar_feed.regenerated", target=feed)
    return feed


@transaction.atomic
def calendar_feed_revoke(*, user: User, actor: User | None = None) -> bool:
    """Turn the user's feed off (by them, or staff as `actor`): its address
    answers 404 from now on. False if there was none."""
    feed = CalendarFeed.objects.filter(user=user).first()
    if feed is None:
        return False
    audit(actor=actor or user, action="calendar_feed.revoked", target=feed)
    feed.delete()
    return True


def calendar_feed_touch(*, feed: CalendarFeed) -> None:
    """Record that a calendar client fetched the feed (at most once a minute per feed)."""
    now = timezone.now()
    CalendarFeed.objects.filter(pk=feed.pk).filter(
        Q(last_fetched_at__isnull=True) | Q(last_fetched_at__lt=now - datetime.timedelta(minutes=1))
    ).update(last_fetched_at=now)
