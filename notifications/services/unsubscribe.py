"""Unsubscribing and the suppression list.

Every optional email carries a signed link (and RFC 8058 headers) naming its
outbox row, and so the address, the topic and, for group activity, the group
— without putting the address itself in a URL. A POST to it — the
mailbox provider's one-click, or the button on the page a GET shows —
unsubscribes without a session; a GET changes nothing, since mail scanners
follow links. The suppression list is checked when each email is sent.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.urls import reverse

from cma.db import insert_unless_conflicting
from cma.errors import ServiceError

from ..models import OutgoingEmail, Preference, Suppression
from ..topics import OPTIONAL_TOPICS, Mode, Topic, is_optional

SALT = "notifications.unsubscribe"


class BadUnsubscribeLink(ServiceError):
    """The link was altered or cut short (400)."""


class ExpiredUnsubscribeLink(BadUnsubscribeLink):
    """The link is older than UNSUBSCRIBE_LINK_MAX_AGE_DAYS."""


@dataclass(frozen=True)
class UnsubscribeRequest:
    email: str
    topic: str
    scope: str

    @property
    def topics(self) -> list[str]:
        """The topics it stops: a digest's link stops every optional topic."""
        if self.topic == Topic.DIGEST:
            return sorted(OPTIONAL_TOPICS - {Topic.DIGEST})
        return [self.topic]


def token_for(outgoing: OutgoingEmail) -> str:
    return signing.dumps(outgoing.pk, salt=SALT)


@functools.cache
def _path_around_token() -> tuple[str, str]:
    # Reversed once per process: every optional email asks for one.
    marker = "TOKEN"
    prefix, _, suffix = reverse("notifications:unsubscribe", args=[marker]).partition(marker)
    return prefix, suffix


def unsubscribe_path(token: str) -> str:
    prefix, suffix = _path_around_token()
    return f"{prefix}{token}{suffix}"


def read_token(token: str) -> UnsubscribeRequest:
    """What a link asks to stop. Raises BadUnsubscribeLink or ExpiredUnsubscribeLink."""
    invalid = BadUnsubscribeLink("This unsubscribe link is not valid: it may have been cut short.")
    try:
        pk = signing.loads(token, salt=SALT, max_age=settings.UNSUBSCRIBE_LINK_MAX_AGE_DAYS * 86400)
    except signing.SignatureExpired as exc:
        raise ExpiredUnsubscribeLink("This unsubscribe link has expired.") from exc
    except signing.BadSignature as exc:
        raise invalid from exc
    row = OutgoingEmail.objects.filter(pk=pk).values("recipient", "topic", "scope").first() if type(pk) is int else None
    if row is None or not row["recipient"] or not is_optional(row["topic"]):
        raise invalid
    return UnsubscribeRequest(email=row["recipient"].strip().lower(), topic=row["topic"], scope=row["scope"])


@transaction.atomic
def unsubscribe(*, token: str, source: str = "link") -> UnsubscribeRequest:
    """Stop what the link names, for its address, and nothing else: a group's
    activity for one group (the person's preference), else the topic (the
    person's preference, and the address on the suppression list — people
    without an account, like petition signers, have only that). Doing it
    twice changes nothing more. Raises BadUnsubscribeLink."""
    request = read_token(token)
    user_ids = list(get_user_model().objects.filter(email__iexact=request.email).values_list("pk", flat=True))
    for topic in request.topics:
        for user_id in user_ids:
            Preference.objects.update_or_create(
                user_id=user_id, topic=topic, scope=request.scope, defaults={"mode": Mode.OFF}
            )
        if not request.scope:
            insert_unless_conflicting(
                Suppression,
                {"email": request.email, "topic": topic, "reason": Suppression.Reason.UNSUBSCRIBED, "source": source},
            )
    return request


def suppression_add(*, email: str, reason: str, topic: str = "", source: str = "") -> bool:
    """Put an address on the suppression list (every optional topic when
    `topic` is blank). Returns False when it was already there."""
    return (
        insert_unless_conflicting(
            Suppression, {"email": email.strip().lower(), "topic": topic, "reason": reason, "source": source}
        )
        is not None
    )


def suppression_lift(*, email: str, topics: Iterable[str]) -> int:
    """Take back an unsubscribe (the person chose the topic again on their
    preferences page). Bounces and complaints stay."""
    return Suppression.objects.filter(
        email=email.strip().lower(), topic__in=list(topics), reason=Suppression.Reason.UNSUBSCRIBED
    ).delete()[0]


def suppressed_among(rows: Iterable[OutgoingEmail]) -> set[int]:
    """The ids of rows that must not be sent: a hard bounce stops every email
    to the address; an unsubscribe or complaint stops optional ones (its
    topic, or every optional topic when blank). One query."""
    rows = list(rows)
    addresses = {r.recipient.strip().lower() for r in rows if r.recipient}
    if not addresses:
        return set()
    entries = list(Suppression.objects.filter(email__in=addresses).values_list("email", "topic", "reason"))
    if not entries:
        return set()
    blocked = set()
    for row in rows:
        address = row.recipient.strip().lower()
        for email, topic, reason in entries:
            if email != address:
                continue
            if reason == Suppression.Reason.HARD_BOUNCE or (
                is_optional(row.topic) and (topic in ("", row.topic) or row.topic == Topic.DIGEST)
            ):
                blocked.add(row.pk)
    return blocked


def suppressed_addresses(*, topic: str) -> set[str]:
    """Every address that must not get `topic` (for resolving an audience)."""
    return set(
        Suppression.objects.filter(Q(reason=Suppression.Reason.HARD_BOUNCE) | Q(topic__in=["", topic])).values_list(
            "email", flat=True
        )
    )
