"""Writes for notifications: the one way the portal sends mail.

`notify()` renders an email template triple, stores an outbox row (and an
in-site notice for users) in the caller's transaction, and enqueues delivery
once that transaction commits. `email_deliver()` is what the delivery task
runs: it claims the row, sends it once, and records the outcome.
"""

from __future__ import annotations

import enum
import smtplib
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from cma.db import insert_unless_conflicting

from .models import Notification, OutgoingEmail
from .rendering import RenderedEmail, render_email

if TYPE_CHECKING:
    from members.models import User

# A SENDING row older than this belongs to a worker that died mid-send (the
# task's hard time limit is far shorter).
STALLED_SENDING_AFTER = timedelta(minutes=15)
# A QUEUED row untouched this long lost its task message (broker restart).
STALLED_QUEUED_AFTER = timedelta(minutes=10)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: str
    mimetype: str


class DeliveryOutcome(enum.Enum):
    SENT = "sent"
    NOT_CLAIMED = "not claimed"  # already sent, failed for good, or in another worker's hands
    RETRY = "retry"
    FAILED = "failed"


@dataclass(frozen=True)
class Delivery:
    outcome: DeliveryOutcome
    retry_in_seconds: int = 0


def notify(
    *,
    template: str,
    dedupe_key: str,
    context: Mapping[str, Any] | None = None,
    user: User | None = None,
    email: str | None = None,
    category: str | None = None,
    url: str = "",
    in_site: bool = True,
    sensitive: bool = False,
    attachments: Sequence[Attachment] = (),
) -> OutgoingEmail:
    """Send the email `emails/<template>/` to a user or a bare address.

    The same `dedupe_key` never produces a second email or notice: a retried
    task or a double submission finds the first one. For a user, an in-site
    notice linking to `url` is stored too (unless `in_site` is false).
    Delivery is enqueued when the caller's transaction commits.
    """
    if email:
        recipient = email
    elif user is not None:
        recipient = user.email
    else:
        raise ValueError("notify() needs a user or an email address.")
    rendered = render_email(template, {"recipient": user, **(context or {})})
    category = category or template
    # No savepoint: the inserts below skip duplicates instead of failing.
    with transaction.atomic(savepoint=False):
        outgoing = email_enqueue(
            recipient=recipient,
            rendered=rendered,
            category=category,
            dedupe_key=dedupe_key,
            user=user,
            sensitive=sensitive,
            attachments=attachments,
        )
        if user is not None and in_site:
            insert_unless_conflicting(
                Notification,
                {
                    "dedupe_key": dedupe_key,
                    "user": user,
                    "category": category,
                    "title": rendered.subject.removeprefix(settings.EMAIL_SUBJECT_PREFIX)[:255],
                    "url": url,
                },
            )
    return outgoing


def notify_each(*, users: Iterable[User], template: str, dedupe_key: str, **kwargs: Any) -> list[OutgoingEmail]:
    """`notify()` every user, with a per-user dedupe key under `dedupe_key`."""
    return [notify(user=u, template=template, dedupe_key=f"{dedupe_key}:u{u.pk}", **kwargs) for u in users]


def notify_staff(*, template: str, dedupe_key: str, **kwargs: Any) -> list[OutgoingEmail]:
    """Tell every active staff user, and the extra staff addresses in settings."""
    staff = list(get_user_model().objects.filter(is_staff=True, is_active=True))
    sent = notify_each(users=staff, template=template, dedupe_key=dedupe_key, **kwargs)
    known = {u.email.lower() for u in staff}
    for address in settings.STAFF_NOTIFICATION_EMAILS:
        if address.lower() not in known:
            sent.append(
                notify(email=address, template=template, dedupe_key=f"{dedupe_key}:{address.lower()}", **kwargs)
            )
    return sent


def email_enqueue(
    *,
    recipient: str,
    rendered: RenderedEmail,
    category: str,
    dedupe_key: str,
    user: User | None = None,
    sensitive: bool = False,
    attachments: Sequence[Attachment] = (),
) -> OutgoingEmail:
    """Store an already-rendered email and send it after commit (once per key).

    A second call with the same key stores and sends nothing and returns the
    first row.
    """

    outgoing = insert_unless_conflicting(
        OutgoingEmail,
        {
            "dedupe_key": dedupe_key,
            "recipient": recipient,
            "user": user,
            "category": category,
            "subject": rendered.subject[:255],
            "body_text": rendered.body_text,
            "body_html": rendered.body_html,
            "sensitive": sensitive,
            "attachments": [asdict(a) for a in attachments],
        },
    )
    if outgoing is None:
        return OutgoingEmail.objects.get(dedupe_key=dedupe_key)
    transaction.on_commit(lambda: _start_delivery(outgoing.pk))
    return outgoing


# With a broker, new emails are not published one task each: the first email
# committed in a window publishes one batch task due at the window's end, and
# every email committed inside the window rides along. A busy minute of
# petition sign-ups costs one broker message a second, not one per signer;
# an email waits at most this long.
DELIVERY_WINDOW_SECONDS = 1.0
DELIVERY_BATCH = 200
# When this process last published a batch task (each web process publishes
# at most one per window; no shared state needed).
_last_kick = -DELIVERY_WINDOW_SECONDS


def _start_delivery(email_id: int) -> None:
    global _last_kick
    from cma.celery import app

    from . import tasks

    if app.conf.task_always_eager:
        # In-process tasks have no broker round trip to save: send it now.
        tasks.deliver_email.delay(email_id)
        return
    now = time.monotonic()
    if now - _last_kick >= DELIVERY_WINDOW_SECONDS:
        _last_kick = now
        # Due after the window: every email this process commits before then
        # is in the database when the task looks for queued emails.
        tasks.deliver_queued_email.apply_async(countdown=DELIVERY_WINDOW_SECONDS + 0.2)


def email_deliver_queued() -> int:
    """Send the emails waiting for their first attempt, oldest first (a batch).

    Each goes through `email_deliver` (claimed, sent once); one that needs a
    retry gets its own delayed task. Returns how many were sent; if the batch
    was full, another batch is started at once.
    """
    from . import tasks

    ids = list(
        OutgoingEmail.objects.filter(status=OutgoingEmail.Status.QUEUED, attempts=0)
        .order_by("pk")
        .values_list("pk", flat=True)[:DELIVERY_BATCH]
    )
    sent = 0
    for email_id in ids:
        delivery = email_deliver(email_id=email_id)
        if delivery.outcome is DeliveryOutcome.RETRY:
            tasks.deliver_email.apply_async((email_id,), countdown=delivery.retry_in_seconds)
        sent += delivery.outcome is DeliveryOutcome.SENT
    if len(ids) == DELIVERY_BATCH:
        tasks.deliver_queued_email.delay()
    return sent


def email_deliver(*, email_id: int) -> Delivery:
    """Send one outbox row, at most once.

    The row is claimed with a conditional update (QUEUED → SENDING), so a
    second run for the same row — a duplicate message, a retried task — finds
    nothing to claim and sends nothing. SMTP and network errors put the row
    back to QUEUED for a retry until `EMAIL_MAX_ATTEMPTS`, then mark it FAILED;
    a permanent (5xx) refusal fails it at once.
    """
    now = timezone.now()
    claimed = OutgoingEmail.objects.filter(pk=email_id, status=OutgoingEmail.Status.QUEUED).update(
        status=OutgoingEmail.Status.SENDING, attempts=F("attempts") + 1, claimed_at=now, updated_at=now
    )
    if not claimed:
        return Delivery(DeliveryOutcome.NOT_CLAIMED)
    outgoing = OutgoingEmail.objects.get(pk=email_id)
    try:
        _build_message(outgoing).send()
    except (smtplib.SMTPException, OSError) as exc:
        give_up = _is_permanent(exc) or outgoing.attempts >= settings.EMAIL_MAX_ATTEMPTS
        status = OutgoingEmail.Status.FAILED if give_up else OutgoingEmail.Status.QUEUED
        OutgoingEmail.objects.filter(pk=email_id).update(
            status=status, last_error=f"{type(exc).__name__}: {exc}"[:2000], updated_at=timezone.now()
        )
        if give_up:
            return Delivery(DeliveryOutcome.FAILED)
        return Delivery(DeliveryOutcome.RETRY, retry_in_seconds=_retry_backoff(outgoing.attempts))
    done = {"status": OutgoingEmail.Status.SENT, "sent_at": timezone.now(), "updated_at": timezone.now()}
    if outgoing.sensitive:
        # The link inside is a secret for the recipient alone; once it has
        # left, nobody needs to read it here.
        done.update(body_text=REMOVED_BODY, body_html="")
    OutgoingEmail.objects.filter(pk=email_id).update(**done)
    return Delivery(DeliveryOutcome.SENT)


def email_requeue(*, email_id: int, actor: User | None = None) -> bool:
    """Put a FAILED email back in the queue (staff's "retry" action)."""
    from . import tasks

    with transaction.atomic():
        changed = OutgoingEmail.objects.filter(pk=email_id, status=OutgoingEmail.Status.FAILED).update(
            status=OutgoingEmail.Status.QUEUED, attempts=0, updated_at=timezone.now()
        )
        if changed:
            tasks.deliver_email.delay_on_commit(email_id)
    return bool(changed)


def email_requeue_stalled() -> int:
    """Re-enqueue emails whose task was lost or whose worker died mid-send.

    Returns how many were re-enqueued. The claim in `email_deliver` keeps
    this safe to run while deliveries are in flight.
    """
    from . import tasks

    now = timezone.now()
    stalled = OutgoingEmail.objects.filter(
        Q(status=OutgoingEmail.Status.SENDING, claimed_at__lt=now - STALLED_SENDING_AFTER)
        | Q(status=OutgoingEmail.Status.QUEUED, updated_at__lte=now - STALLED_QUEUED_AFTER)
    )
    with transaction.atomic():
        ids = list(stalled.values_list("pk", flat=True)[:1000])
        # Repeating the conditions in the UPDATE leaves alone any row that a
        # worker finished between the SELECT and now.
        stalled.filter(pk__in=ids).update(status=OutgoingEmail.Status.QUEUED, updated_at=now)
        for pk in ids:
            tasks.deliver_email.delay_on_commit(pk)
    return len(ids)


REMOVED_BODY = "(removed after delivery: it held a private link meant for the recipient alone)"


def emails_forget(*, dedupe_key_prefix: str) -> int:
    """Erase the recipient and bodies of delivered (or failed) emails whose
    dedupe key starts with the prefix — for someone who asked to be forgotten,
    such as a withdrawn petition signer. Queued emails are left to go out."""
    return OutgoingEmail.objects.filter(
        dedupe_key__startswith=dedupe_key_prefix,
        status__in=[OutgoingEmail.Status.SENT, OutgoingEmail.Status.FAILED],
    ).update(recipient="", body_text=REMOVED_BODY, body_html="", updated_at=timezone.now())


def sensitive_emails_expire(*, now: datetime | None = None) -> int:
    """Erase the recipient of sensitive emails (sign-in, confirmation and
    withdrawal links) older than OUTBOX_SENSITIVE_RETENTION_DAYS: after that
    the outbox no longer needs to say who was sent what."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.OUTBOX_SENSITIVE_RETENTION_DAYS)
    return (
        OutgoingEmail.objects.filter(sensitive=True, created_at__lt=cutoff)
        .filter(status__in=[OutgoingEmail.Status.SENT, OutgoingEmail.Status.FAILED])
        .exclude(recipient="")
        .update(recipient="", body_text=REMOVED_BODY, body_html="", updated_at=now)
    )


def notifications_mark_read(*, user: User, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the user's notices read (all unread ones when no ids are given)."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(Q(pk__in=list(notification_ids)))
    return unread.update(read_at=timezone.now())


def _build_message(outgoing: OutgoingEmail) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=outgoing.subject,
        body=outgoing.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[outgoing.recipient],
        headers={"Auto-Submitted": "auto-generated", "X-CMA-Category": outgoing.category},
    )
    if outgoing.body_html:
        message.attach_alternative(outgoing.body_html, "text/html")
    for attachment in outgoing.attachments:
        message.attach(attachment["filename"], attachment["content"], attachment["mimetype"])
    return message


def _retry_backoff(attempts: int) -> int:
    """Seconds to wait before the next attempt: 1, 2, 4, 8… times the base."""
    base: int = settings.EMAIL_RETRY_BACKOFF_SECONDS
    return base << max(attempts - 1, 0)


def _is_permanent(exc: BaseException) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    code = getattr(exc, "smtp_code", 0)
    return isinstance(code, int) and code >= 500
