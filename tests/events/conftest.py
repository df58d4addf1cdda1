"""Fixtures for the events tests: events of each visibility and the people around them."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from icalendar import Calendar

from tests import factories


@pytest.fixture
def event(db):
    """A published public roundtable a week from now, 10 seats."""
    return factories.EventFactory()


@pytest.fixture
def members_event(db):
    return factories.EventFactory(visibility="members", title="Permitting Reform Roundtable", slug="permitting-reform")


@pytest.fixture
def webinar(db):
    """A published public webinar with a join link, 2 seats."""
    return factories.EventFactory(
        kind="webinar",
        title="Webinar: Pooled Demand",
        slug="webinar-pooled-demand",
        venue_name="",
        venue_address="",
        online_url="https://meet.example.org/cma/pooled-demand",
        capacity=2,
    )


@pytest.fixture
def group(db):
    return factories.WorkingGroupFactory(name="Trade Policy Working Group", slug="trade-policy")


@pytest.fixture
def group_event(group):
    return factories.EventFactory(visibility="group", working_group=group, title="Trade policy call", slug="trade-call")


@pytest.fixture
def group_member(group):
    return factories.group_member(group)


@pytest.fixture
def draft_event(staff_user):
    return factories.EventFactory(status="draft", published_at=None, title="Draft workshop", slug="draft-workshop")


@pytest.fixture
def members(db):
    """Five people of active member organizations."""
    return [factories.MemberFactory().user for _ in range(5)]


@pytest.fixture
def people(db):
    """Five signed-up people (no organization), for public events."""
    return [factories.UserFactory() for _ in range(5)]


def in_days(days: float, hour: int | None = None) -> datetime.datetime:
    value = timezone.now() + datetime.timedelta(days=days)
    if hour is not None:
        value = value.replace(hour=hour, minute=0, second=0, microsecond=0)
    return value


def parse_ics(text: str | bytes) -> Calendar:
    return Calendar.from_ical(text)


def ics_attachments(message) -> list[Calendar]:
    """The calendar attachments of a sent email, parsed."""
    return [parse_ics(content) for _name, content, mimetype in message.attachments if mimetype == "text/calendar"]
