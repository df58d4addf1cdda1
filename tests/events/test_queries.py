"""Pages and selectors run a fixed number of queries, however much data there is."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from events import selectors, services
from tests import factories

from .conftest import in_days

pytestmark = pytest.mark.django_db


def _populate(n_events: int, n_registrations: int, *, viewer=None, group=None):
    """Events with registrations (some waitlisted) and the viewer on several."""
    people = [factories.UserFactory() for _ in range(n_registrations)]
    events = []
    for i in range(n_events):
        event = factories.EventFactory(
            starts_at=in_days(1 + i % 25, hour=15),
            ends_at=in_days(1 + i % 25, hour=17),
            capacity=max(n_registrations // 2, 1),
            working_group=group,
            kind=["roundtable", "webinar", "workshop"][i % 3],
        )
        factories.SpeakerFactory(event=event)
        factories.RegistrationQuestionFactory(event=event)
        for j, person in enumerate(people):
            waiting = j >= event.capacity
            factories.RegistrationFactory(
                event=event,
                user=person,
                status="waitlisted" if waiting else "confirmed",
                confirmed_at=None if waiting else event.starts_at,
            )
        if viewer is not None:
            factories.RegistrationFactory(event=event, user=viewer, status="waitlisted" if i % 2 else "confirmed")
        events.append(event)
    past = factories.EventFactory(starts_at=in_days(-10), ends_at=in_days(-9.9))
    for person in people:
        factories.RegistrationFactory(event=past, user=person, attended_at=past.starts_at)
    if viewer is not None:
        factories.RegistrationFactory(event=past, user=viewer)
    return events


SIZES = [pytest.param(2, 2, id="small"), pytest.param(25, 12, id="large")]


@pytest.mark.parametrize(("n_events", "n_registrations"), SIZES)
def test_listing_for_a_visitor(client, django_assert_max_num_queries, n_events, n_registrations):
    _populate(n_events, n_registrations)
    with django_assert_max_num_queries(4):
        assert client.get(reverse("events:list")).status_code == 200


@pytest.mark.parametrize(("n_events", "n_registrations"), SIZES)
def test_listing_for_a_signed_in_member(
    client, member, group, django_assert_max_num_queries, n_events, n_registrations
):
    factories.group_member(group, user=member)
    _populate(n_events, n_registrations, viewer=member, group=group)
    client.force_login(member)
    with django_assert_max_num_queries(7):
        response = client.get(reverse("events:list"))
    assert response.status_code == 200
    assert "Waitlisted · position" in response.content.decode()


@pytest.mark.parametrize(("n_events", "n_registrations"), SIZES)
def test_month_view(client, member, django_assert_max_num_queries, n_events, n_registrations):
    _populate(n_events, n_registrations)
    client.force_login(member)
    month = in_days(1).strftime("%Y-%m")
    with django_assert_max_num_queries(4):
        assert client.get(reverse("events:month"), {"month": month}).status_code == 200


@pytest.mark.parametrize(("n_events", "n_registrations"), SIZES)
def test_event_page(client, member, django_assert_max_num_queries, n_events, n_registrations):
    events = _populate(n_events, n_registrations, viewer=member)
    client.force_login(member)
    with django_assert_max_num_queries(6):
        assert client.get(reverse("events:detail", args=[events[-1].slug])).status_code == 200


@pytest.mark.parametrize(("n_events", "n_registrations"), SIZES)
def test_my_events(client, member, django_assert_max_num_queries, n_events, n_registrations):
    _populate(n_events, n_registrations, viewer=member)
    client.force_login(member)
    with django_assert_max_num_queries(7):
        assert client.get(reverse("events:mine")).status_code == 200


@pytest.mark.parametrize(("n_events", "n_registrations"), SIZES)
def test_feed(client, member, django_assert_max_num_queries, n_events, n_registrations):
    _populate(n_events, n_registrations, viewer=member)
    token = services.calendar_feed_enable(user=member).token
    with django_assert_max_num_queries(3):
        assert client.get(reverse("events:feed", args=[token])).status_code == 200


@pytest.mark.parametrize(("n_events", "n_registrations"), SIZES)
def test_staff_event_list(staff_client, django_assert_max_num_queries, n_events, n_registrations):
    _populate(n_events, n_registrations)
    with django_assert_max_num_queries(8):
        assert staff_client.get(reverse("staff:events:list")).status_code == 200


@pytest.mark.parametrize(("n_events", "n_registrations"), SIZES)
def test_registrant_list(staff_client, django_assert_max_num_queries, n_events, n_registrations):
    events = _populate(n_events, n_registrations)
    for registration in events[0].registrations.all():
        factories.OrganizationMemberFactory(user=registration.user)
    with django_assert_max_num_queries(10):
        assert staff_client.get(reverse("staff:events:registrants", args=[events[0].pk])).status_code == 200


@pytest.mark.parametrize(("n_events", "n_registrations"), SIZES)
def test_check_in_list(staff_client, django_assert_max_num_queries, n_events, n_registrations):
    events = _populate(n_events, n_registrations)
    with django_assert_max_num_queries(10):
        assert staff_client.get(reverse("staff:events:check_in", args=[events[0].pk])).status_code == 200


@pytest.mark.parametrize(("n_events", "n_registrations"), SIZES)
def test_group_selectors_for_the_working_groups_app(
    member, group, django_assert_max_num_queries, n_events, n_registrations
):
    _populate(n_events, n_registrations, viewer=member, group=group)
    with django_assert_max_num_queries(1):
        upcoming = list(selectors.upcoming_events_for_group(group, user=member))
    with django_assert_max_num_queries(1):
        past = list(selectors.past_events_for_group(group, user=member, limit=10))
    assert all(e.working_group_id == group.pk for e in upcoming)
    assert {e.my_status for e in upcoming} <= {"confirmed", "waitlisted", None}
    assert upcoming == sorted(upcoming, key=lambda e: e.starts_at)
    assert len(past) <= 10


def test_group_selectors_hide_group_only_events_from_outsiders(group, user, member):
    factories.EventFactory(working_group=group, visibility="group", title="Private call")
    factories.EventFactory(working_group=group, visibility="members", title="Open to members")
    outsider = [e.title for e in selectors.upcoming_events_for_group(group, user=user)]
    insider = [e.title for e in selectors.upcoming_events_for_group(group, user=factories.group_member(group))]
    assert outsider == ["Open to members"]
    assert sorted(insider) == ["Open to members", "Private call"]


def test_past_group_events_latest_first_and_limited(group, member):
    for days in (30, 20, 10):
        factories.EventFactory(
            working_group=group,
            title=f"{days} days ago",
            starts_at=in_days(-days),
            ends_at=in_days(-days) + datetime.timedelta(hours=1),
        )
    titles = [e.title for e in selectors.past_events_for_group(group, user=member, limit=2)]
    assert titles == ["10 days ago", "20 days ago"]
