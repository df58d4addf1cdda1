"""Writes for communications: compose, test, send (now or later), pause,
resume, cancel — and the fan-out task that turns an audience into outbox rows.

Sending is idempotent per message: the state change that starts it is a
conditional UPDATE (a double click starts it once), and each recipient's
outbox row is keyed message × address (a retried or doubled fan-out adds
nothing). Recipients' preferences are honoured as the audience is resolved;
the suppression list is checked again as each email leaves.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from cma.audit import audit
from cma.errors import Conflict
from cma.http import absolute_url
from cma.markdown import render_markdown
from cma.publish import publish_on_commit
from notifications.models import DigestItem, OutgoingEmail
from notifications.rendering import render_email
from notifications.services import (
    SharedRecipient,
    email_body_create,
    emails_enqueue_shared,
    notify,
    preference_modes,
    suppressed_addresses,
)
from notifications.topics import Mode

from . import audiences
from .audiences import Audience
from .models import Message

if TYPE_CHECKING:
    from members.models import User

Status = Message.Status
# The largest body staff can send: a long newsletter is ~20,000 characters.
MAX_BODY_CHARS = 100_000
MESSAGE_FIELDS = frozenset({"kind", "subject", "body", "cta_label", "cta_url"})


# --- Composing -------------------------------------------------------------------


def _validate(message: Message) -> None:
    errors: dict[str, str] = {}
    if len(message.body) > MAX_BODY_CHARS:
        errors["body"] = f"The message is {len(message.body):,} characters; the limit is {MAX_BODY_CHARS:,}."
    if bool(message.cta_label) != bool(message.cta_url):
        errors["cta_url" if message.cta_label else "cta_label"] = "Give the button both a label and a link, or neither."
    if message.cta_url and not message.cta_url.startswith("https://"):
        errors["cta_url"] = "The button's link must start with https://."
    if errors:
        raise ValidationError(errors)
    message.full_clean(exclude=["audience", "created_by"], validate_constraints=False)


def message_create(*, actor: User, audience: Audience, **fields: Any) -> Message:
    """A new draft. Raises ValidationError (field by field)."""
    _check_fields(fields)
    message = Message(created_by=actor, **fields)
    _set_audience(message, audience)
    _validate(message)
    with transaction.atomic():
        message.save()
        audit(actor=actor, action="message.create", target=message, to_state=message.status)
    return message


def message_update(*, actor: User, message: Message, audience: Audience, **fields: Any) -> Message:
    """Change a draft (or a scheduled message, which goes back to draft: send
    or schedule it again). Raises Conflict once sending started, ValidationError."""
    _check_fields(fields)
    with transaction.atomic():
        locked = Message.objects.select_for_update().get(pk=message.pk)
        if not locked.is_editable:
            raise Conflict(f"This message is {locked.get_status_display().lower()}; it can't be changed any more.")
        for name, value in fields.items():
            setattr(locked, name, value)
        _set_audience(locked, audience)
        _validate(locked)
        from_state = locked.status
        locked.status, locked.scheduled_for = Status.DRAFT, None
        locked.save()
        audit(actor=actor, action="message.update", target=locked, from_state=from_state, to_state=locked.status)
    return locked


def _check_fields(fields: dict[str, Any]) -> None:
    unknown = set(fields) - MESSAGE_FIELDS
    if unknown:
        raise TypeError(f"Unknown message fields: {', '.join(sorted(unknown))}")


def _set_audience(message: Message, audience: Audience) -> None:
    message.audience = audience.to_json()
    message.audience_label = audiences.describe(audience)[:300]


# --- Rendering --------------------------------------------------------------------


def _email_context(message: Message) -> dict[str, Any]:
    audience = Audience.from_json(message.audience)
    archive_url = ""
    if audience.kind in audiences.MEMBER_KINDS and message.pk:
        archive_url = absolute_url(reverse("communications:archive_detail", args=[message.pk]))
    return {
        "message": message,
        "body_html": render_markdown(message.body),
        "archive_url": archive_url,
        "optional_topic": True,
        # Filled in per recipient as each email is sent.
        "greeting_name": "%%CMA:name%%",
    }


# --- Sending ------------------------------------------------------------------------


def message_send_test(*, actor: User, message: Message, nonce: str) -> None:
    """Email the message to the staff member themselves, marked as a test.
    The same form submitted twice (`nonce`) sends one test."""
    context = {**_email_context(message), "greeting_name": actor.display_name, "is_test": True}
    notify(
        user=actor, template="communications/message", context=context, in_site=False,
        dedupe_key=f"communications:test:{message.pk}:{actor.pk}:{nonce[:40]}", category="communications/test",
    )  # fmt: skip


def message_send(*, actor: User, message: Message, when: datetime.datetime | None = None) -> Message:
    """Send now (`when` None) or at a set time. The audience is resolved by a
    task after commit, never in this request. Raises Conflict (already sent
    or sending, an empty audience), ValidationError (a time in the past)."""
    now = timezone.now()
    if when is not None and when <= now + datetime.timedelta(minutes=1):
        raise ValidationError({"scheduled_for": "Choose a time in the future, or send it now."})
    if audiences.count(Audience.from_json(message.audience)) == 0:
        raise Conflict("Nobody is in this audience yet: choose another audience before sending.")
    with transaction.atomic():
        if when is not None:
            changed = Message.objects.filter(pk=message.pk, status__in=Message.EDITABLE).update(
                status=Status.SCHEDULED, scheduled_for=when, updated_at=now
            )
            if not changed:
                raise _not_editable(message)
            audit(
                actor=actor,
                action="message.schedule",
                target=message,
                to_state=Status.SCHEDULED,
                note=f"{when:%Y-%m-%d %H:%M %Z}",
            )
        else:
            _start(message, actor=actor, allowed=Message.EDITABLE)
    message.refresh_from_db()
    return message


def _start(message: Message, *, actor: User | None, allowed: tuple[str, ...]) -> None:
    """DRAFT/SCHEDULED → SENDING, once; renders the body recipients share and
    starts the fan-out after commit. Call inside a transaction."""
    from . import tasks

    now = timezone.now()
    changed = Message.objects.filter(pk=message.pk, status__in=allowed).update(
        status=Status.SENDING, sent_by=actor, send_started_at=now, updated_at=now
    )
    if not changed:
        raise _not_editable(message)
    message.refresh_from_db()
    rendered = render_email("communications/message", _email_context(message))
    message.email_body = email_body_create(rendered=rendered)
    message.save(update_fields=["email_body"])
    audit(actor=actor, action="message.send", target=message, to_state=Status.SENDING, note=message.audience_label)
    publish_on_commit(tasks.fan_out_message, message.pk)


def _not_editable(message: Message) -> Conflict:
    current = Message.objects.filter(pk=message.pk).values_list("status", flat=True).first()
    label = Status(current).label.lower() if current else "gone"
    return Conflict(f"This message is already {label}.")


def message_fan_out(*, message_id: int) -> int:
    """Turn the audience into outbox rows (the task's work). Safe to run
    again or twice at once: rows are keyed message × address. People who
    turned the topic off are skipped; those who chose a digest get a digest
    item. Returns how many rows were added."""
    message = Message.objects.select_related("email_body").get(pk=message_id)
    if message.status not in Message.IN_FLIGHT or message.email_body is None:
        return 0
    audience = Audience.from_json(message.audience)
    topic = message.topic
    suppressed = suppressed_addresses(topic=topic)
    recipients: list[SharedRecipient] = []
    skipped = digests = 0
    archive_path = reverse("communications:archive_detail", args=[message.pk])
    for chunk in _chunks(audiences.people(audience), 2000):
        modes = preference_modes(user_ids=[p.user_id for p in chunk if p.user_id], topic=topic)
        for person in chunk:
            mode = modes.get(person.user_id or 0, Mode.IMMEDIATELY)
            if mode == Mode.OFF or person.email.strip().lower() in suppressed:
                skipped += 1
            elif mode in (Mode.DAILY, Mode.WEEKLY) and person.user_id:
                DigestItem.objects.get_or_create(
                    dedupe_key=f"communications:{message.pk}:u{person.user_id}",
                    defaults={"user_id": person.user_id, "topic": topic, "mode": mode, "title": message.subject,
                              "url": archive_path if audience.kind in audiences.MEMBER_KINDS else ""},
                )  # fmt: skip
                digests += 1
            else:
                recipients.append(
                    SharedRecipient(email=person.email, user_id=person.user_id, merge={"name": person.name or "there"})
                )
    with transaction.atomic():
        locked = Message.objects.select_for_update().get(pk=message.pk)
        added = emails_enqueue_shared(
            body=message.email_body, recipients=recipients, category=f"communications/{message.kind}",
            dedupe_prefix=f"communications:{message.pk}", topic=topic, held=locked.status == Status.PAUSED,
        )  # fmt: skip
        if locked.status == Status.CANCELLED:
            _cancel_rows(locked)
        Message.objects.filter(pk=message.pk).update(
            resolved_at=timezone.now(), recipient_count=len(recipients), opted_out_count=skipped, digest_count=digests
        )
        # Runs after the delivery this commit starts: without a broker (make
        # run) that delivery is done by then and the message shows as sent;
        # with workers, the periodic settle marks it once they are done.
        transaction.on_commit(lambda: messages_settle(message_id=message.pk))
    return added


def _chunks(items: Any, size: int) -> Any:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# --- While it goes out ---------------------------------------------------------------


def _rows(message: Message) -> QuerySet[OutgoingEmail]:
    return OutgoingEmail.objects.filter(shared_body_id=message.email_body_id)


def message_pause(*, actor: User, message: Message) -> Message:
    """Stop handing out emails (those already with the mail server go out).
    Raises Conflict unless it is sending."""
    with transaction.atomic():
        if not Message.objects.filter(pk=message.pk, status=Status.SENDING).update(status=Status.PAUSED):
            raise Conflict("Only a message that is being sent can be paused.")
        held = _rows(message).filter(status=OutgoingEmail.Status.QUEUED).update(status=OutgoingEmail.Status.HELD)
        audit(
            actor=actor,
            action="message.pause",
            target=message,
            from_state=Status.SENDING,
            to_state=Status.PAUSED,
            note=f"{held} held",
        )
    message.refresh_from_db()
    return message


def message_resume(*, actor: User, message: Message) -> Message:
    """Carry on sending a paused message. Raises Conflict unless it is paused."""
    from notifications.services.delivery import start_shared_delivery

    from . import tasks

    with transaction.atomic():
        if not Message.objects.filter(pk=message.pk, status=Status.PAUSED).update(status=Status.SENDING):
            raise Conflict("Only a paused message can be resumed.")
        released = (
            _rows(message)
            .filter(status=OutgoingEmail.Status.HELD)
            .update(status=OutgoingEmail.Status.QUEUED, next_attempt_at=timezone.now())
        )
        audit(actor=actor, action="message.resume", target=message, from_state=Status.PAUSED, to_state=Status.SENDING)
        if released:
            transaction.on_commit(lambda: start_shared_delivery(released))
        if message.resolved_at is None:
            publish_on_commit(tasks.fan_out_message, message.pk)
    message.refresh_from_db()
    return message


def message_cancel(*, actor: User, message: Message) -> Message:
    """Cancel a scheduled message, or the rest of one being sent or paused.
    Raises Conflict for a draft (delete it instead) or a finished one."""
    with transaction.atomic():
        locked = Message.objects.select_for_update().get(pk=message.pk)
        if locked.status not in (Status.SCHEDULED, Status.SENDING, Status.PAUSED):
            raise Conflict(f"This message is {locked.get_status_display().lower()}, so there is nothing to cancel.")
        from_state = locked.status
        locked.status, locked.finished_at = Status.CANCELLED, timezone.now()
        locked.save(update_fields=["status", "finished_at", "updated_at"])
        cancelled = _cancel_rows(locked)
        audit(
            actor=actor,
            action="message.cancel",
            target=locked,
            from_state=from_state,
            to_state=Status.CANCELLED,
            note=f"{cancelled} not sent",
        )
    return locked


def _cancel_rows(message: Message) -> int:
    if message.email_body_id is None:
        return 0
    return (
        _rows(message)
        .filter(status__in=[OutgoingEmail.Status.QUEUED, OutgoingEmail.Status.HELD])
        .update(status=OutgoingEmail.Status.CANCELLED, updated_at=timezone.now())
    )


# --- Periodic ---------------------------------------------------------------------------


def messages_send_due(*, now: datetime.datetime | None = None) -> int:
    """Start the scheduled messages whose time has come. Returns how many
    were started. (A fan-out whose publication failed is published by the
    PendingTask sweeper, cma.publish.)"""
    now = now or timezone.now()
    started = 0
    for message in Message.objects.filter(status=Status.SCHEDULED, scheduled_for__lte=now):
        with transaction.atomic():
            try:
                _start(message, actor=None, allowed=(Status.SCHEDULED,))
            except Conflict:
                continue
        started += 1
    return started


def messages_settle(*, message_id: int | None = None) -> int:
    """Mark messages (or one) sent once none of their emails is waiting any more."""
    settled = 0
    sending = Message.objects.filter(status=Status.SENDING, resolved_at__isnull=False)
    if message_id is not None:
        sending = sending.filter(pk=message_id)
    for message in sending:
        waiting = _rows(message).filter(
            status__in=[OutgoingEmail.Status.QUEUED, OutgoingEmail.Status.SENDING, OutgoingEmail.Status.HELD]
        )
        if not waiting.exists():
            settled += int(
                Message.objects.filter(pk=message.pk, status=Status.SENDING).update(
                    status=Status.SENT, finished_at=timezone.now()
                )
            )
    return settled
