"""Putting email in the outbox: `notify()` for one person, `emails_enqueue_shared()`
for many at once, and what the outbox forgets.

An outbox row is stored in the caller's transaction, so an email exists
exactly when its cause was committed; delivery starts once that transaction
commits (`delivery.py`). The same `dedupe_key` never makes a second row.
Optional topics (announcements, reminders, group activity…) follow the
recipient's preference: immediately, into a digest, or not at all.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from cma.db import insert_unless_conflicting

from ..models import DigestItem, EmailBody, Notification, OutgoingEmail
from ..rendering import RenderedEmail, render_email
from ..topics import Mode, Topic, is_optional
from .delivery import MERGE_MARK, start_delivery, start_shared_delivery
from .preferences import preference_modes

if TYPE_CHECKING:
    from members.models import User

# Rows of a shared send inserted per statement.
BULK_INSERT_CHUNK = 500
# Bodies of `notify_merged()` this process knows to be stored (committed):
# what they were rendered from → (EmailBody id, subject). A handful per
# petition; emptied when it grows past this (titles edited many times).
MERGED_BODIES_KEPT = 500
_merged_bodies: dict[str, tuple[int, datetime, str]] = {}
REMOVED_BODY = "(removed after delivery: it held a private link meant for the recipient alone)"


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: str
    mimetype: str
    # "base64" for a binary file (an invoice's PDF) kept in the JSON row as text.
    encoding: str = ""


@dataclass(frozen=True)
class SharedRecipient:
    """One recipient of a shared body: the address, the user if any, and the
    values merged into the body's `%%CMA:<field>%%` markers."""

    email: str
    user_id: int | None = None
    merge: Mapping[str, str] | None = None


def notify(
    *,
    template: str,
    dedupe_key: str,
    context: Mapping[str, Any] | None = None,
    user: User | None = None,
    email: str | None = None,
    category: str | None = None,
    topic: str = Topic.TRANSACTIONAL,
    scope: str = "",
    url: str = "",
    in_site: bool = True,
    sensitive: bool = False,
    attachments: Sequence[Attachment] = (),
    mode: str | None = None,
) -> OutgoingEmail | None:
    """Send the email `emails/<template>/` to a user or a bare address.

    The same `dedupe_key` never produces a second email or notice: a retried
    task or a double submission finds the first one. For a user, an in-site
    notice linking to `url` is stored too (unless `in_site` is false).

    An optional `topic` follows the user's preference for it (and for `scope`,
    a working group's id): immediately (the default), into the next daily or
    weekly digest, or off — then only the in-site notice is kept and None is
    returned. `mode` is that preference when the caller already looked it up
    for many users at once. Transactional email always goes out.
    Delivery is enqueued when the caller's transaction commits.
    """
    if email:
        recipient = email
    elif user is not None:
        recipient = user.email
    else:
        raise ValueError("notify() needs a user or an email address.")
    optional = is_optional(topic)
    if optional and user is not None and mode is None:
        mode = preference_modes(user_ids=[user.pk], topic=topic, scope=scope).get(user.pk, Mode.IMMEDIATELY)
    mode = mode if optional else Mode.IMMEDIATELY
    rendered = render_email(template, {"recipient": user, "optional_topic": optional, **(context or {})})
    category = category or template
    title = rendered.subject.removeprefix(settings.EMAIL_SUBJECT_PREFIX)[:255]
    # No savepoint: the inserts below skip duplicates instead of failing.
    with transaction.atomic(savepoint=False):
        outgoing = None
        if mode == Mode.IMMEDIATELY or mode is None:
            outgoing = email_enqueue(
                recipient=recipient,
                rendered=rendered,
                category=category,
                dedupe_key=dedupe_key,
                user=user,
                topic=topic,
                scope=scope,
                sensitive=sensitive,
                attachments=attachments,
            )
        elif mode in (Mode.DAILY, Mode.WEEKLY) and user is not None:
            insert_unless_conflicting(
                DigestItem,
                {"dedupe_key": dedupe_key, "user": user, "topic": topic, "scope": scope, "mode": mode,
                 "title": title, "url": url},
            )  # fmt: skip
        if user is not None and in_site:
            insert_unless_conflicting(
                Notification,
                {"dedupe_key": dedupe_key, "user": user, "category": category, "title": title, "url": url},
            )
    return outgoing


def notify_merged(
    *,
    template: str,
    dedupe_key: str,
    email: str,
    context: Mapping[str, Any],
    merge: Mapping[str, str],
    category: str | None = None,
    sensitive: bool = False,
) -> OutgoingEmail:
    """`notify()` for a transactional email to a bare address that many people
    get alike but for a few values (a petition's confirmation: the signer's
    name and links), without rendering it in the caller's request.

    The template is rendered once per process for each distinct `context`
    (JSON-serializable: it is the cache key), with each `merge` field standing
    in as its `%%CMA:<field>%%` marker, and stored as a shared body; the row
    keeps only the `merge` values, filled in when it is sent (as a shared
    send's are). The same `dedupe_key` never makes a second row; the row is
    stored in the caller's transaction and delivery starts after commit.
    A sensitive row's merge values go with its body once it is sent.
    """
    fingerprint = json.dumps([template, context, sorted(merge)], sort_keys=True, default=str)
    with transaction.atomic(savepoint=False):
        for _ in range(2):
            body_id, body_created_at, subject = _merged_body(template, fingerprint, context, merge)
            values = {
                "dedupe_key": dedupe_key,
                "recipient": email,
                "category": category or template,
                "subject": subject,
                "shared_body_id": body_id,
                "merge": dict(merge),
                "sensitive": sensitive,
            }
            # Only while the shared body this process remembers is still
            # stored (a database restored or flushed since may have lost it,
            # or given its id to another body).
            body_stored = (
                f"EXISTS (SELECT 1 FROM {_body_table()} WHERE id = %s AND created_at = %s)",  # noqa: S608 — our table
                [body_id, connection.ops.adapt_datetimefield_value(body_created_at)],
            )
            outgoing = insert_unless_conflicting(OutgoingEmail, values, only_if=body_stored)
            if outgoing is not None:
                transaction.on_commit(partial(start_delivery, outgoing.pk))
                return outgoing
            existing = OutgoingEmail.objects.filter(dedupe_key=dedupe_key).first()
            if existing is not None:
                return existing
            _merged_bodies.pop(fingerprint, None)
    raise RuntimeError(f"Could not queue {template!r}: its shared body keeps disappearing.")


def _body_table() -> str:
    return connection.ops.quote_name(EmailBody._meta.db_table)


def _merged_body(
    template: str, fingerprint: str, context: Mapping[str, Any], merge: Mapping[str, str]
) -> tuple[int, datetime, str]:
    """(EmailBody id, its creation time, subject) of `template` rendered with `context` and the
    merge fields' markers: this process's stored one, or a new one, which is
    remembered only once the transaction that stored it commits."""
    known = _merged_bodies.get(fingerprint)
    if known is not None:
        return known
    markers = {field: MERGE_MARK.format(field) for field in merge}
    rendered = render_email(template, {"recipient": None, "optional_topic": False, **context, **markers})
    body = email_body_create(rendered=rendered)
    entry = (body.pk, body.created_at, body.subject)

    def remember() -> None:
        if len(_merged_bodies) >= MERGED_BODIES_KEPT:
            _merged_bodies.clear()
        _merged_bodies[fingerprint] = entry

    transaction.on_commit(remember)
    return entry


def notify_each(
    *, users: Iterable[User], template: str, dedupe_key: str, topic: str = Topic.TRANSACTIONAL, scope: str = "",
    **kwargs: Any,
) -> list[OutgoingEmail]:  # fmt: skip
    """`notify()` every user, with a per-user dedupe key under `dedupe_key`;
    their preferences for an optional topic are read in one query. Returns
    the emails queued (not those turned into digest items or turned off)."""
    users = list(users)
    modes: dict[int, str] = {}
    if is_optional(topic):
        modes = preference_modes(user_ids=[u.pk for u in users], topic=topic, scope=scope)
    sent = []
    for u in users:
        outgoing = notify(
            user=u, template=template, dedupe_key=f"{dedupe_key}:u{u.pk}", topic=topic, scope=scope,
            mode=modes.get(u.pk, Mode.IMMEDIATELY), **kwargs,
        )  # fmt: skip
        if outgoing is not None:
            sent.append(outgoing)
    return sent


def notify_staff(*, template: str, dedupe_key: str, **kwargs: Any) -> list[OutgoingEmail]:
    """Tell every active staff user, and the extra staff addresses in settings."""
    staff = list(get_user_model().objects.filter(is_staff=True, is_active=True))
    sent = notify_each(users=staff, template=template, dedupe_key=dedupe_key, **kwargs)
    known = {u.email.lower() for u in staff}
    for address in settings.STAFF_NOTIFICATION_EMAILS:
        if address.lower() not in known:
            outgoing = notify(email=address, template=template, dedupe_key=f"{dedupe_key}:{address.lower()}", **kwargs)
            if outgoing is not None:
                sent.append(outgoing)
    return sent


def email_enqueue(
    *,
    recipient: str,
    rendered: RenderedEmail,
    category: str,
    dedupe_key: str,
    user: User | None = None,
    topic: str = Topic.TRANSACTIONAL,
    scope: str = "",
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
            "topic": topic,
            "scope": scope,
            "subject": rendered.subject[:255],
            "body_text": rendered.body_text,
            "body_html": rendered.body_html,
            "sensitive": sensitive,
            "attachments": [asdict(a) for a in attachments],
        },
    )
    if outgoing is None:
        return OutgoingEmail.objects.get(dedupe_key=dedupe_key)
    pk = outgoing.pk
    transaction.on_commit(lambda: start_delivery(pk))
    return outgoing


def email_body_create(*, rendered: RenderedEmail) -> EmailBody:
    """Store a body many rows will share (see `emails_enqueue_shared`)."""
    return EmailBody.objects.create(
        subject=rendered.subject[:255], body_text=rendered.body_text, body_html=rendered.body_html
    )


def emails_enqueue_shared(
    *,
    body: EmailBody,
    recipients: Iterable[SharedRecipient],
    category: str,
    dedupe_prefix: str,
    topic: str,
    held: bool = False,
) -> int:
    """Queue one shared body to many recipients, a few hundred rows per
    INSERT, each row keyed `<dedupe_prefix>:<address>`: running it again (a
    retried task, a second worker) adds only the rows that are missing, so
    nobody gets it twice. `held` rows wait for a `resume`. Delivery starts
    when the transaction commits. Returns how many rows were new."""
    status = OutgoingEmail.Status.HELD if held else OutgoingEmail.Status.QUEUED
    now = timezone.now()
    added = 0
    chunk: list[OutgoingEmail] = []

    def flush() -> int:
        before = OutgoingEmail.objects.filter(dedupe_key__in=[row.dedupe_key for row in chunk]).count()
        OutgoingEmail.objects.bulk_create(chunk, ignore_conflicts=True)
        return len(chunk) - before

    for recipient in recipients:
        address = recipient.email.strip()
        chunk.append(
            OutgoingEmail(
                recipient=address, user_id=recipient.user_id, category=category, topic=topic,
                subject=body.subject, shared_body=body, merge=dict(recipient.merge or {}),
                dedupe_key=f"{dedupe_prefix}:{address.lower()}"[:255], status=status,
                created_at=now, updated_at=now, next_attempt_at=now,
            )
        )  # fmt: skip
        if len(chunk) >= BULK_INSERT_CHUNK:
            added += flush()
            chunk = []
    if chunk:
        added += flush()
    if added and not held:
        transaction.on_commit(lambda: start_shared_delivery(added))
    return added


def emails_forget(*, dedupe_key_prefix: str) -> int:
    """Erase the recipient and bodies of delivered (or failed) emails whose
    dedupe key starts with the prefix — for someone who asked to be forgotten,
    such as a withdrawn petition signer. Queued emails are left to go out."""
    return OutgoingEmail.objects.filter(
        dedupe_key__startswith=dedupe_key_prefix,
        status__in=[OutgoingEmail.Status.SENT, OutgoingEmail.Status.FAILED],
    ).update(**erased_body(), recipient="", updated_at=timezone.now())


def erased_body() -> dict[str, Any]:
    """An outbox row's body and merge values, erased (a shared body's row
    no longer points at it: its merge values were its private part)."""
    return {"body_text": REMOVED_BODY, "body_html": "", "shared_body": None, "merge": {}}


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
        .update(**erased_body(), recipient="", updated_at=now)
    )


def notifications_mark_read(*, user: User, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the user's notices read (all unread ones when no ids are given)."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(Q(pk__in=list(notification_ids)))
    return unread.update(read_at=timezone.now())
