"""Digests: one email per person per period listing what they chose to hear
about that way. Built by a periodic task; never empty, never twice a period."""

from __future__ import annotations

import datetime
import itertools
from collections import defaultdict
from typing import TYPE_CHECKING

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cma.http import absolute_url

from ..models import DigestItem, OutgoingEmail
from ..rendering import render_email
from ..topics import Mode, Topic
from .outbox import email_enqueue

if TYPE_CHECKING:
    from members.models import User


def period_of(mode: str, now: datetime.datetime) -> str:
    """The period a digest covers, as it appears in its dedupe key: the day
    (2026-12-02) or the ISO week (2026-W49)."""
    day = now.date()
    if mode == Mode.DAILY:
        return day.isoformat()
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def digests_send(*, mode: str, now: datetime.datetime | None = None) -> int:
    """Send each person's pending items of `mode` (daily or weekly) in one
    email. Someone with nothing pending gets nothing; running it twice in the
    same period sends nothing more (items that arrive after a period's digest
    wait for the next). Returns how many digests were queued."""
    if mode not in (Mode.DAILY, Mode.WEEKLY):
        raise ValueError(f"Not a digest mode: {mode}")
    now = now or timezone.now()
    period = period_of(mode, now)
    pending = (
        DigestItem.objects.filter(mode=mode, sent_in__isnull=True, created_at__lte=now)
        .select_related("user")
        .order_by("user_id", "topic", "created_at", "pk")
    )
    queued = 0
    for user, items_of_user in itertools.groupby(pending.iterator(chunk_size=1000), key=lambda item: item.user):
        items = list(items_of_user)
        if not user.is_active:
            continue
        with transaction.atomic():
            queued += _send_one(user=user, items=items, mode=mode, period=period)
    return queued


def _send_one(*, user: User, items: list[DigestItem], mode: str, period: str) -> int:
    key = f"digest:{mode}:{period}:u{user.pk}"
    if OutgoingEmail.objects.filter(dedupe_key=key).exists():
        # This period's digest went out before these items arrived: they wait.
        return 0
    by_topic: dict[str, list[DigestItem]] = defaultdict(list)
    for item in items:
        by_topic[Topic(item.topic).label].append(item)
    rendered = render_email(
        "notifications/digest",
        {
            "recipient": user,
            "optional_topic": True,
            "period_label": "today" if mode == Mode.DAILY else "this week",
            "sections": [
                {
                    "topic": topic,
                    "items": [{"title": i.title, "url": absolute_url(i.url) if i.url else ""} for i in rows],
                }
                for topic, rows in by_topic.items()
            ],
            "count": len(items),
            "preferences_url": absolute_url(reverse("notifications:preferences")),
        },
    )
    outgoing = email_enqueue(
        recipient=user.email, rendered=rendered, category=f"notifications/digest-{mode}", dedupe_key=key,
        user=user, topic=Topic.DIGEST,
    )  # fmt: skip
    DigestItem.objects.filter(pk__in=[i.pk for i in items], sent_in__isnull=True).update(sent_in=outgoing)
    return 1
