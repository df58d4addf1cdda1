"""Delivering the outbox: claim rows, send them over one SMTP connection per
batch, record what happened.

Every row is claimed before it is sent (QUEUED → SENDING, a conditional
UPDATE), so a second task for the same row — a duplicate message, a retried
task, another worker — finds nothing to claim. The one boundary the portal
cannot close is SMTP itself: a worker killed after the server accepted a
message and before the row was marked SENT (or a database crash in the
fraction of a second before that mark reached the disk) leaves a row that is
sent again once its claim expires: at-least-once across that gap, exactly
once everywhere else. Each attempt of a row carries the same Message-ID, so
mail systems that dedupe on it show a repeat once.

A claim expires after the delivery task's hard time limit: by then the worker
holding it has finished or been killed, so a stalled row of a killed worker
goes out again within about a minute, and never while its worker still lives.
"""

from __future__ import annotations

import base64
import enum
import html
import logging
import smtplib
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from cma.http import absolute_url
from cma.publish import broker_resumed, publish, publish_soon

from ..models import OutgoingEmail
from ..topics import is_optional
from . import mime, unsubscribe

logger = logging.getLogger(__name__)

Status = OutgoingEmail.Status

# Rows claimed at a time by one delivery task, sent over one SMTP connection.
BATCH_SIZE = 50
# A delivery task stops claiming new batches after this many seconds (well
# inside its time limits) and hands on to a fresh task if work remains.
DRAIN_BUDGET_SECONDS = 15.0
# With a broker, the first email committed in a window publishes one delivery
# task due at the window's end, and every email committed inside the window
# rides along (`cma.publish.publish_soon`). An email waits at most this long.
DELIVERY_WINDOW_SECONDS = 1.0
MERGE_MARK = "%%CMA:{}%%"


def stall_window() -> timedelta:
    """How long a claim holds: the delivery task's hard time limit and a
    margin. Past it, the claiming worker is certainly gone."""
    return timedelta(seconds=settings.EMAIL_DELIVERY_TIME_LIMIT + 5)


class DeliveryOutcome(enum.Enum):
    SENT = "sent"
    NOT_CLAIMED = "not claimed"  # already sent, failed for good, or in another worker's hands
    RETRY = "retry"
    FAILED = "failed"
    SUPPRESSED = "suppressed"


@dataclass(frozen=True)
class Delivery:
    outcome: DeliveryOutcome
    retry_in_seconds: int = 0


# --- Publishing delivery tasks ------------------------------------------------------


def _publish(task: Any, *, args: tuple[Any, ...] = (), countdown: float | None = None) -> None:
    """Publish a delivery task; a broker that is down costs a delay, never an
    error for the person whose action was already committed: the periodic
    sweeper finds the row (the outbox is the truth)."""
    publish(task, *args, countdown=countdown)


def _eager() -> bool:
    from cma.celery import app

    return bool(app.conf.task_always_eager)


def start_delivery(email_id: int) -> None:
    """After commit: send one new row (in-process without a broker, else
    through the shared per-window delivery task)."""
    from .. import tasks

    if _eager():
        # In-process tasks have no broker round trip to save: send it now.
        tasks.deliver_email.delay(email_id)
        return
    publish_soon(tasks.deliver_queued_email, window_seconds=DELIVERY_WINDOW_SECONDS)


def start_shared_delivery(count: int) -> None:
    """After commit: start enough delivery tasks for `count` new rows that
    several workers drain them at once."""
    from .. import tasks

    if _eager():
        emails_drain()
        return
    for _ in range(min(settings.EMAIL_DELIVERY_PARALLELISM, -(-count // BATCH_SIZE))):
        _publish(tasks.deliver_queued_email)


# --- Claiming -----------------------------------------------------------------------


def _claimable(now: datetime) -> QuerySet[OutgoingEmail]:
    return OutgoingEmail.objects.filter(
        Q(status=Status.QUEUED, next_attempt_at__lte=now)
        | Q(status=Status.SENDING, claimed_at__lt=now - stall_window())
    )


def _claim_batch(limit: int) -> list[OutgoingEmail]:
    """Claim up to `limit` due rows at once. On PostgreSQL, rows another task
    is claiming right now are skipped (SKIP LOCKED), so workers share the
    queue without waiting for each other."""
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            _claimable(now)
            .select_for_update(skip_locked=True)
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        if not ids:
            return []
        OutgoingEmail.objects.filter(pk__in=ids).update(
            status=Status.SENDING, attempts=F("attempts") + 1, claimed_at=now, updated_at=now
        )
    return list(OutgoingEmail.objects.filter(pk__in=ids).select_related("shared_body").order_by("pk"))


def _claim_one(email_id: int) -> OutgoingEmail | None:
    now = timezone.now()
    claimed = OutgoingEmail.objects.filter(pk=email_id, status=Status.QUEUED).update(
        status=Status.SENDING, attempts=F("attempts") + 1, claimed_at=now, updated_at=now
    )
    if not claimed:
        return None
    return OutgoingEmail.objects.select_related("shared_body").get(pk=email_id)


# --- Sending ------------------------------------------------------------------------


def email_deliver(*, email_id: int) -> Delivery:
    """Send one outbox row, at most once (see the module's note on SMTP).

    SMTP and network errors put the row back to QUEUED with a backoff until
    `EMAIL_MAX_ATTEMPTS`, then mark it FAILED; a permanent (5xx) refusal fails
    it at once. A suppressed address is not sent to.
    """
    outgoing = _claim_one(email_id)
    if outgoing is None:
        return Delivery(DeliveryOutcome.NOT_CLAIMED)
    if outgoing.pk in unsubscribe.suppressed_among([outgoing]):
        _finish(outgoing, Status.SUPPRESSED)
        return Delivery(DeliveryOutcome.SUPPRESSED)
    try:
        build_message(outgoing).send()
    except (smtplib.SMTPException, OSError) as exc:
        return _record_failure(outgoing, exc)
    _mark_sent(outgoing)
    return Delivery(DeliveryOutcome.SENT)


def emails_deliver_batch(*, limit: int = BATCH_SIZE) -> int:
    """Claim a batch of due rows and send them over one SMTP connection.
    Returns how many rows were claimed (0: nothing was due)."""
    rows = _claim_batch(limit)
    if not rows:
        return 0
    with _commits_not_waiting_for_disk():
        _send_batch(rows)
    return len(rows)


def _send_batch(rows: list[OutgoingEmail]) -> None:
    suppressed = unsubscribe.suppressed_among(rows)
    connection = get_connection()
    opened = False
    skeletons: Skeletons = {}
    try:
        for index, row in enumerate(rows):
            if row.attempts > settings.EMAIL_MAX_ATTEMPTS:
                _finish(row, Status.FAILED, error=row.last_error or "Gave up: its worker stopped while sending.")
                continue
            if row.pk in suppressed:
                _finish(row, Status.SUPPRESSED)
                continue
            try:
                if not opened:
                    # Opened once: send_messages() would open and close a
                    # connection for every message otherwise.
                    connection.open()
                    opened = True
                _send_claimed(connection, row, skeletons)
            except (smtplib.SMTPException, OSError) as exc:
                _record_failure(row, exc)
                if _is_connection_error(exc):
                    # The server is gone or hanging: give the rest of the batch
                    # back instead of waiting on each of them in turn.
                    _release(rows[index + 1 :], backoff=_retry_backoff(1))
                    break
                continue
            _mark_sent(row)
    finally:
        try:
            connection.close()
        except (smtplib.SMTPException, OSError):
            logger.info("SMTP connection closed uncleanly", exc_info=True)


def emails_drain() -> int:
    """What a delivery task does: send batches until nothing is due or the
    time budget is spent, then make sure the rest is picked up — at once if
    more is due, else when the next retry or expired claim comes due.
    Returns how many rows were claimed."""
    from .. import tasks

    started = time.monotonic()
    claimed = 0
    while time.monotonic() - started < DRAIN_BUDGET_SECONDS:
        batch = emails_deliver_batch()
        claimed += batch
        if batch == 0:
            break
    if _eager():
        return claimed
    follow_up = _next_due_in()
    if follow_up is not None:
        _publish(tasks.deliver_queued_email, countdown=follow_up)
    return claimed


def _next_due_in() -> float | None:
    """Seconds until the outbox next has something to claim (0: now), or None
    when nothing is waiting at all."""
    now = timezone.now()
    if _claimable(now).exists():
        return 0
    queued = OutgoingEmail.objects.filter(status=Status.QUEUED).order_by("next_attempt_at").first()
    sending = OutgoingEmail.objects.filter(status=Status.SENDING).order_by("claimed_at").first()
    moments = [e.next_attempt_at for e in [queued] if e is not None]
    moments += [e.claimed_at + stall_window() for e in [sending] if e is not None and e.claimed_at]
    if not moments:
        return None
    return max((min(moments) - now).total_seconds(), 0) + 0.5


def _finish(row: OutgoingEmail, status: str, *, error: str = "") -> None:
    values: dict[str, Any] = {"status": status, "updated_at": timezone.now()}
    if error:
        values["last_error"] = error[:2000]
    OutgoingEmail.objects.filter(pk=row.pk, status=Status.SENDING).update(**values)


def _mark_sent(row: OutgoingEmail) -> None:
    now = timezone.now()
    done: dict[str, Any] = {"status": Status.SENT, "sent_at": now, "updated_at": now}
    if row.sensitive:
        # The link inside is a secret for the recipient alone; once it has
        # left, nobody needs to read it here.
        from .outbox import erased_body

        done.update(erased_body())
    with _commits_not_waiting_for_disk():
        OutgoingEmail.objects.filter(pk=row.pk).update(**done)


@contextmanager
def _commits_not_waiting_for_disk() -> Iterator[None]:
    """On PostgreSQL, the commits inside do not wait for the disk (ten times
    faster here under load): what they record has happened already (the
    email has left), and only a database crash in the next fraction of a
    second could lose such a mark — then the email goes out again, the same
    boundary as a worker killed at this instant (see the module's note).
    Set for the session around a whole batch, it costs no round trip per
    email; nested uses leave the outer one in charge."""
    if connection.vendor != "postgresql" or getattr(_async_commits, "on", False):
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    _async_commits.on = True
    try:
        yield
    finally:
        _async_commits.on = False
        _reset_synchronous_commit()


# Per thread, as Django's connections are (a threaded dev server sends
# in-process).
_async_commits = threading.local()


def _reset_synchronous_commit() -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")
    except DatabaseError:
        # The connection is gone (it is what failed the batch): a new one
        # starts with the server's default.
        logger.info("Could not reset synchronous_commit", exc_info=True)


def _record_failure(row: OutgoingEmail, exc: BaseException) -> Delivery:
    give_up = _is_permanent(exc) or row.attempts >= settings.EMAIL_MAX_ATTEMPTS
    backoff = _retry_backoff(row.attempts)
    now = timezone.now()
    OutgoingEmail.objects.filter(pk=row.pk).update(
        status=Status.FAILED if give_up else Status.QUEUED,
        last_error=f"{type(exc).__name__}: {exc}"[:2000],
        next_attempt_at=now + timedelta(seconds=backoff),
        updated_at=now,
    )
    if give_up:
        return Delivery(DeliveryOutcome.FAILED)
    return Delivery(DeliveryOutcome.RETRY, retry_in_seconds=backoff)


def _release(rows: Iterable[OutgoingEmail], *, backoff: int) -> None:
    """Give claimed rows back untried: their attempt is not counted."""
    now = timezone.now()
    OutgoingEmail.objects.filter(pk__in=[r.pk for r in rows], status=Status.SENDING).update(
        status=Status.QUEUED, attempts=F("attempts") - 1, next_attempt_at=now + timedelta(seconds=backoff),
        updated_at=now,
    )  # fmt: skip


# --- Requeueing ---------------------------------------------------------------------


def email_requeue(*, email_id: int, actor: Any = None) -> bool:
    """Put a FAILED email back in the queue (staff's "retry" action)."""
    from .. import tasks

    with transaction.atomic():
        changed = OutgoingEmail.objects.filter(pk=email_id, status=Status.FAILED).update(
            status=Status.QUEUED, attempts=0, next_attempt_at=timezone.now(), updated_at=timezone.now()
        )
        if changed:
            transaction.on_commit(lambda: _publish(tasks.deliver_email, args=(email_id,)))
    return bool(changed)


# Queued rows due longer than this without a task taking them lost their
# task message (a broker that was down or restarted).
FORGOTTEN_AFTER = timedelta(seconds=20)


def emails_requeue_stalled() -> int:
    """The sweeper: send the rows no task will take — queued rows due for a
    while (their task message was lost) and rows whose claim expired (their
    worker died). Returns how many there were; the claim in each delivery
    keeps this safe while deliveries are in flight."""
    from .. import tasks

    broker_resumed()  # the sweeper always tries: it is how publishing resumes
    now = timezone.now()
    waiting = OutgoingEmail.objects.filter(
        Q(status=Status.QUEUED, next_attempt_at__lte=now - FORGOTTEN_AFTER)
        | Q(status=Status.SENDING, claimed_at__lt=now - stall_window())
    )
    ids = list(waiting.values_list("pk", flat=True)[:1000])
    if not ids:
        return 0
    # Repeating the conditions in the UPDATE leaves alone any row that a
    # worker finished between the SELECT and now.
    waiting.filter(pk__in=ids).update(status=Status.QUEUED, updated_at=now)
    if _eager():
        for pk in ids:
            tasks.deliver_email.delay(pk)
    else:
        for _ in range(min(settings.EMAIL_DELIVERY_PARALLELISM, -(-len(ids) // BATCH_SIZE))):
            _publish(tasks.deliver_queued_email)
    return len(ids)


# --- Building the message -----------------------------------------------------------


def merge_values(text: str, values: dict[str, str], *, escape: bool) -> str:
    for field, value in values.items():
        text = text.replace(MERGE_MARK.format(field), html.escape(value) if escape else value)
    return text


def _headers_and_values(outgoing: OutgoingEmail) -> tuple[dict[str, str], dict[str, str]]:
    """The row's own headers and merge values: the unsubscribe link of an
    optional topic goes in both (the body's link and the RFC 8058 headers)."""
    headers = {
        "Auto-Submitted": "auto-generated",
        "X-CMA-Category": outgoing.category,
        # The same for every attempt of this row: if a crash makes it go out
        # twice (the SMTP boundary above), mail systems that dedupe on
        # Message-ID show it once.
        "Message-ID": f"<outbox.{outgoing.pk}.{outgoing.created_at:%Y%m%d%H%M%S}@{_mail_domain()}>",
    }
    values = {key: str(value) for key, value in (outgoing.merge or {}).items()}
    if is_optional(outgoing.topic):
        token = unsubscribe.token_for(outgoing)
        link = absolute_url(unsubscribe.unsubscribe_path(token))
        values["unsubscribe_url"] = link
        targets = [f"<{link}>"]
        if settings.UNSUBSCRIBE_MAILTO:
            targets.append(f"<mailto:{settings.UNSUBSCRIBE_MAILTO}?subject=unsubscribe%20{token}>")
        headers["List-Unsubscribe"] = ", ".join(targets)
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        headers["Precedence"] = "bulk"
    return headers, values


def build_message(outgoing: OutgoingEmail, *, connection: Any = None) -> EmailMultiAlternatives:
    """The email as it leaves: a shared body merged with the row's values, the
    unsubscribe link of an optional topic in the body and in the RFC 8058
    headers."""
    headers, values = _headers_and_values(outgoing)
    shared = outgoing.shared_body
    text = shared.body_text if shared is not None else outgoing.body_text
    body_html = shared.body_html if shared is not None else outgoing.body_html
    message = EmailMultiAlternatives(
        subject=outgoing.subject,
        body=merge_values(text, values, escape=False),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[outgoing.recipient],
        headers=headers,
        connection=connection,
    )
    if body_html:
        message.attach_alternative(merge_values(body_html, values, escape=True), "text/html")
    for attachment in outgoing.attachments:
        content: str | bytes = attachment["content"]
        if attachment.get("encoding") == "base64":
            content = base64.b64decode(attachment["content"])
        message.attach(attachment["filename"], content, attachment["mimetype"])
    return message


Skeletons = dict[tuple[Any, ...], mime.Skeleton | None]


def _send_claimed(connection: Any, row: OutgoingEmail, skeletons: Skeletons) -> None:
    """Send a claimed row over the open connection: from its shared body's
    skeleton when it fits (see mime.py), else built in full."""
    raw = _from_skeleton(row, skeletons) if isinstance(connection, SMTPBackend) else None
    if raw is None:
        connection.send_messages([build_message(row, connection=connection)])
        return
    connection.connection.sendmail(mime.envelope_sender(), [row.recipient], raw)


def _from_skeleton(row: OutgoingEmail, skeletons: Skeletons) -> bytes | None:
    headers, values = _headers_and_values(row)
    if row.shared_body is None or not mime.fits(row, values):
        return None
    shared_headers = tuple(sorted((k, v) for k, v in headers.items() if k.lower().encode() not in mime.ROW_HEADERS))
    key = (row.shared_body.pk, row.subject, frozenset(values), shared_headers)
    if key not in skeletons:
        skeletons[key] = mime.skeleton_for(
            row.shared_body, subject=row.subject, fields=frozenset(values), headers=headers
        )
    skeleton = skeletons[key]
    if skeleton is None:
        return None
    return mime.fill(skeleton, recipient=row.recipient, values=values, headers=headers)


def _mail_domain() -> str:
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"


def _retry_backoff(attempts: int) -> int:
    """Seconds to wait before the next attempt: 1, 2, 4, 8… times the base."""
    base: int = settings.EMAIL_RETRY_BACKOFF_SECONDS
    return base << max(attempts - 1, 0)


def _is_permanent(exc: BaseException) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    code = getattr(exc, "smtp_code", 0)
    return isinstance(code, int) and code >= 500


def _is_connection_error(exc: BaseException) -> bool:
    return isinstance(exc, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError) or (
        isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException)
    )
