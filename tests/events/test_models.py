"""The database keeps events consistent whatever code writes to it."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, transaction

from events.models import Event, Registration
from tests import factories

pytestmark = pytest.mark.django_db


def _violates(**changes):
    event = factories.EventFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(**changes)


def test_event_must_end_after_it_starts():
    event = factories.EventFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(ends_at=event.starts_at)
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(ends_at=event.starts_at - datetime.timedelta(hours=1))


def test_capacity_cannot_be_negative():
    _violates(capacity=-1)


def test_seats_per_registration_at_least_one():
    _violates(max_seats_per_registration=0)


def test_group_only_event_needs_its_group():
    _violates(visibility=Event.Visibility.GROUP, working_group=None)


def test_registration_must_close_after_opening():
    event = factories.EventFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(
            registration_opens_at=event.starts_at - datetime.timedelta(days=1),
            registration_closes_at=event.starts_at - datetime.timedelta(days=2),
        )


def test_one_registration_per_user_per_event():
    registration = factories.RegistrationFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Registration.objects.create(event=registration.event, user=registration.user, status="waitlisted")


def test_registration_needs_at_least_one_seat():
    registration = factories.RegistrationFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Registration.objects.filter(pk=registration.pk).update(seats=0)


def test_group_event_with_its_group_is_accepted():
    group = factories.WorkingGroupFactory()
    event = factories.EventFactory(visibility=Event.Visibility.GROUP, working_group=group)
    assert event.working_group == group


def test_location_display_never_shows_the_join_link():
    event = factories.EventFactory(venue_name="", venue_address="", online_url="https://meet.example.org/secret")
    assert event.location_display == "Online"
    hybrid = factories.EventFactory(online_url="https://meet.example.org/secret")
    assert "secret" not in hybrid.location_display
    assert hybrid.location_display.endswith("and online")
