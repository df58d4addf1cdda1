"""Event reminders follow each person's choice; their registration's own
emails (confirmation, changes, cancellation) always come."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from events import services
from notifications import services as notification_services
from notifications.models import DigestItem
from notifications.topics import Mode, Topic
from tests import factories

pytestmark = pytest.mark.django_db


def due_soon():
    start = timezone.now() + datetime.timedelta(hours=23)
    return factories.EventFactory(starts_at=start, ends_at=start + datetime.timedelta(hours=1))


def registered(event):
    return factories.RegistrationFactory(
        event=event, user=factories.UserFactory(), registered_at=timezone.now() - datetime.timedelta(days=5)
    ).user


@pytest.mark.parametrize(("mode", "emails", "items"), [(Mode.OFF, 0, 0), (Mode.DAILY, 0, 1), (Mode.IMMEDIATELY, 1, 0)])
def test_reminders_follow_the_choice(mode, emails, items, mailoutbox, django_capture_on_commit_callbacks):
    event = due_soon()
    person = registered(event)
    notification_services.preferences_set(user=person, modes={Topic.EVENTS: mode})

    with django_capture_on_commit_callbacks(execute=True):
        services.reminders_send_due()

    assert len(mailoutbox) == emails
    assert DigestItem.objects.filter(user=person).count() == items


def test_a_registrations_own_emails_ignore_the_choice(staff_user, mailoutbox, django_capture_on_commit_callbacks):
    event = factories.EventFactory(starts_at=timezone.now() + datetime.timedelta(days=9))
    person = factories.UserFactory()
    notification_services.preferences_set(
        user=person, modes=dict.fromkeys(notification_services.preferences_of(user=person), Mode.OFF)
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.event_register(actor=person, event=event)
        services.event_cancel(actor=staff_user, event=event, message="The venue flooded.")

    assert [m.to for m in mailoutbox] == [[person.email], [person.email]]
