"""Personal calendar feeds: a secret address per person, which they can
regenerate or turn off."""

from __future__ import annotations

import datetime
import secrets
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cma.audit import audit

from ..models import CalendarFeed

if TYPE_CHECKING:
    from members.models import User


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
