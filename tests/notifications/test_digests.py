"""Digests: one email per person per period, never empty, never twice."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from notifications import services
from notifications.models import DigestItem, OutgoingEmail
from notifications.topics import Mode, Topic
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def soon() -> datetime.datetime:
    """A moment just after the items below are stored (digests cover items up to their run)."""
    return timezone.now() + datetime.timedelta(minutes=1)


def item(user, key, *, mode=Mode.DAILY, topic=Topic.WORKING_GROUPS, title="New document: Permitting memo"):
    return DigestItem.objects.create(user=user, topic=topic, mode=mode, title=title, url="/groups/x/", dedupe_key=key)


def test_a_period_sends_one_email_per_person_listing_their_items(mailoutbox, django_capture_on_commit_callbacks):
    ann, ben = UserFactory.create_batch(2)
    item(ann, "a1", title="New document: Permitting memo")
    item(ann, "a2", topic=Topic.EVENTS, title="Reminder: Lithium roundtable")
    item(ben, "b1")

    with django_capture_on_commit_callbacks(execute=True):
        assert services.digests_send(mode=Mode.DAILY, now=timezone.now()) == 2

    by_recipient = {m.to[0]: m for m in mailoutbox}
    assert set(by_recipient) == {ann.email, ben.email}
    text = by_recipient[ann.email].body
    assert "Permitting memo" in text and "Lithium roundtable" in text
    assert by_recipient[ann.email].subject.endswith("2 updates from CMA USA today")
    assert not DigestItem.objects.filter(sent_in__isnull=True).exists()


def test_nothing_pending_sends_nothing(db, mailoutbox):
    UserFactory()

    assert services.digests_send(mode=Mode.DAILY) == 0
    assert mailoutbox == []


def test_running_twice_in_a_period_sends_once_and_later_items_wait(mailoutbox, django_capture_on_commit_callbacks):
    ann = UserFactory()
    item(ann, "a1")
    with django_capture_on_commit_callbacks(execute=True):
        services.digests_send(mode=Mode.DAILY, now=soon())
    late = item(ann, "a2", title="New version: Permitting memo v2")

    with django_capture_on_commit_callbacks(execute=True):
        assert services.digests_send(mode=Mode.DAILY, now=soon()) == 0
    assert len(mailoutbox) == 1
    late.refresh_from_db()
    assert late.sent_in is None

    with django_capture_on_commit_callbacks(execute=True):
        assert services.digests_send(mode=Mode.DAILY, now=soon() + datetime.timedelta(days=1)) == 1
    assert "Permitting memo v2" in mailoutbox[1].body


def test_daily_and_weekly_items_go_in_their_own_digests(mailoutbox, django_capture_on_commit_callbacks):
    ann = UserFactory()
    item(ann, "d", mode=Mode.DAILY)
    item(ann, "w", mode=Mode.WEEKLY)

    now = soon()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.digests_send(mode=Mode.WEEKLY, now=now) == 1

    assert DigestItem.objects.get(dedupe_key="d").sent_in is None
    year, week, _ = now.date().isocalendar()
    assert OutgoingEmail.objects.get().dedupe_key == f"digest:weekly:{year}-W{week:02d}:u{ann.pk}"


def test_a_digest_carries_its_unsubscribe_link(mailoutbox, django_capture_on_commit_callbacks):
    item(UserFactory(), "a1")

    with django_capture_on_commit_callbacks(execute=True):
        services.digests_send(mode=Mode.DAILY)

    message = mailoutbox[0]
    assert "List-Unsubscribe" in message.extra_headers
    assert "/notifications/unsubscribe/" in message.body
