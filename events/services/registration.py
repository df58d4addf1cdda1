"""Registration: seats while they last, then the waitlist; cancelling, which
promotes from the waitlist; attendance.

Every change to who holds a seat happens under a row lock on the event
(`select_for_update`), so capacity holds however many people register at
once; one registration per person per event is a database constraint.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cma.audit import audit
from cma.errors import Conflict, NotFound, Refused

from .. import formatting, permissions
from ..models import Event, Registration, RegistrationQuestion
from ._common import AlreadyRegistered, MembershipRequired, _confirmed_seats, _lock
from .emails import _send

if TYPE_CHECKING:
    from members.models import User


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


def _refuse_person(actor: User, event: Event, check: permissions.RegistrationCheck | None) -> None:
    """Whether this person may register at all: the check the view computed
    for this request, if it is for the same person and event, else afresh."""
    if check is not None and check.holds_for(actor, event):
        refusal = check.refusal
    else:
        refusal = permissions.registration_refusal(actor, event)
    if refusal is permissions.Refusal.MEMBERSHIP:
        raise MembershipRequired("This event is for members of the association.")
    if refusal is permissions.Refusal.SIGN_IN:
        raise Refused("Sign in to register.")
    if refusal is permissions.Refusal.GROUP:
        raise NotFound("This event is for its working group.")


def _refuse_by_state(event: Event, now: datetime.datetime) -> None:
    if event.is_cancelled:
        raise Conflict("This event was cancelled, so registration is closed.")
    if not event.is_published:
        raise Conflict("This event is not open for registration.")
    phase = event.registration_phase(now)
    if phase == "not_open" and event.registration_opens_at is not None:
        raise Conflict(f"Registration opens {formatting.moment_text(event.registration_opens_at, event.zone)}.")
    if phase == "closed":
        raise Conflict("Registration for this event has closed.")


def _refuse_seats(event: Event, seats: int) -> None:
    limit = event.max_seats_per_registration
    if not 1 <= seats <= limit:
        raise Conflict(
            f"You may register {limit} seat{'s' if limit != 1 else ''} at most for this event.", field="seats"
        )
    if event.capacity is not None and seats > event.capacity:
        raise Conflict(f"This event has {event.capacity} seats in all.", field="seats")


def _refuse_twice(existing: Registration | None) -> None:
    if existing is not None and existing.is_active:
        raise AlreadyRegistered(
            "You are already registered for this event."
            if existing.is_confirmed
            else "You are already on the waitlist for this event."
        )


@transaction.atomic
def event_register(
    *,
    actor: User,
    event: Event,
    seats: int = 1,
    answers: Mapping[int, str] | None = None,
    check: permissions.RegistrationCheck | None = None,
) -> Registration:
    """Register `actor` for `event`: confirmed while seats last, otherwise
    waitlisted behind everyone already waiting.

    Runs under a row lock on the event, so concurrent registrations never
    confirm more seats than the capacity. Someone who cancelled earlier may
    register again (at the back of the queue). `check` is the view's
    `permissions.registration_check` for this request, used instead of
    computing the refusal again when it is for the same person and event.

    Raises MembershipRequired (members-only event, not a member), Refused
    (not signed in), NotFound (a working group's event, not in the group),
    AlreadyRegistered, Conflict (draft, cancelled, registration not open or
    closed, too many seats) or ValidationError (answers). Sends a
    confirmation, with the calendar entry, or a waitlist notice.
    """
    _refuse_person(actor, event, check)
    stored_answers = clean_answers(event, answers)
    locked = _lock(event)
    now = timezone.now()
    _refuse_by_state(locked, now)
    _refuse_seats(locked, seats)
    existing = Registration.objects.filter(event=locked, user=actor).first()  # under the event lock
    _refuse_twice(existing)
    fits = locked.capacity is None or _confirmed_seats(locked) + seats <= locked.capacity
    status = Registration.Status.CONFIRMED if fits else Registration.Status.WAITLISTED
    values: dict[str, Any] = {
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
    registration = _store(locked, actor, existing, values)
    audit(actor=actor, action="registration.created", target=registration, to_state=status, note=f"{seats} seat(s)")
    registration.event = locked
    _send(registration, "registration_confirmed" if fits else "registration_waitlisted", ics=fits)
    return registration


def _store(event: Event, actor: User, existing: Registration | None, values: dict[str, Any]) -> Registration:
    if existing is not None:
        for name, value in values.items():
            setattr(existing, name, value)
        existing.save()
        return existing
    # No savepoint: the event lock serializes registrations for this event,
    # so the constraint can only fire without row locks (SQLite), and then
    # the whole registration is rolled back anyway.
    try:
        return Registration.objects.create(event=event, user=actor, **values)
    except IntegrityError as exc:
        raise AlreadyRegistered("You are already registered for this event.") from exc


@transaction.atomic
def registration_cancel(*, actor: User, registration: Registration, note: str = "") -> list[Registration]:
    """Cancel a confirmed registration or leave the waitlist (the registrant,
    or staff for anyone).

    A freed seat goes at once to the first waitlisted registrations that
    fit, in order; each promoted person is told, with the calendar entry
    and the join link. Returns the promoted registrations. Raises Refused
    or Conflict (already cancelled, event over). Sends the registrant a
    note (with a calendar cancellation if they held a seat).
    """
    if not permissions.can_cancel_registration(actor, registration):
        raise Refused("You can cancel only your own registration.")
    locked = _lock(registration.event)
    current = Registration.objects.select_for_update(of=("self",)).select_related("user").get(pk=registration.pk)
    if not current.is_active:
        raise Conflict("This registration was already cancelled.")
    staff = permissions.is_event_staff(actor)
    if locked.has_ended() and not staff:
        raise Conflict("This event has already taken place.")
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
    twice keeps the first check-in time. Raises Conflict for a registration
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
            raise Conflict("Only confirmed registrants can be checked in.")
        if changed:
            audit(
                actor=actor,
                action="registration.checked_in" if attended else "registration.check_in_undone",
                target=current,
            )
    return current
