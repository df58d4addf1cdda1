"""Reminders 24 hours and 1 hour before: each sent once, re-armed by a reschedule."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from events import services, tasks
from notifications.models import OutgoingEmail
from tests import factories

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)


def _event_starting_in(delta, **kwargs):
    start = timezone.now() + delta
    return factories.EventFactory(starts_at=start, ends_at=start + HOUR, **kwargs)


def _confirmed(event, user=None, *, days_ago=5, **kwargs):
    registered = timezone.now() - datetime.timedelta(days=days_ago)
    return factories.RegistrationFactory(
        event=event, user=user or factories.UserFactory(), registered_at=registered, **kwargs
    )


def _reminders():
    return list(OutgoingEmail.objects.filter(category="events/reminder").order_by("pk"))


def test_24_hour_reminder_goes_once_however_often_the_task_runs(mailoutbox, django_capture_on_commit_callbacks):
    event = _event_starting_in(datetime.timedelta(hours=23), online_url="https://meet.example.org/abc")
    registration = _confirmed(event)

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_due_reminders.delay().get() == 1
        assert tasks.send_due_reminders.delay().get() == 0
        assert services.reminders_send_due() == 0

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [registration.user.email]
    assert message.subject == f"[CMA USA] In 24 hours: {event.title}"
    assert "https://meet.example.org/abc" in message.body
    registration.refresh_from_db()
    assert registration.reminded_24h_for == event.starts_at


def test_1_hour_reminder_is_separate_from_the_24_hour_one(mailoutbox, django_capture_on_commit_callbacks):
    event = _event_starting_in(datetime.timedelta(minutes=50))
    _confirmed(event)

    with django_capture_on_commit_callbacks(execute=True):
        assert services.reminders_send_due() == 1
        assert services.reminders_send_due() == 0

    assert [m.subject for m in mailoutbox] == [f"[CMA USA] Starting in 1 hour: {event.title}"]


def test_no_reminder_before_it_is_due_or_after_the_start():
    _confirmed(_event_starting_in(datetime.timedelta(hours=25)))
    started = _event_starting_in(-datetime.timedelta(minutes=5))
    _confirmed(started)
    assert services.reminders_send_due() == 0


def test_the_24_hour_reminder_catches_up_until_an_hour_before(django_capture_on_commit_callbacks):
    # Beat was down: at 2 hours before the start, the 24-hour reminder still goes.
    _confirmed(_event_starting_in(datetime.timedelta(hours=2)))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reminders_send_due() == 1
    assert _reminders()[0].subject.startswith("[CMA USA] In 24 hours")


def test_someone_who_registered_inside_the_window_gets_no_24_hour_reminder():
    event = _event_starting_in(datetime.timedelta(hours=10))
    _confirmed(event, days_ago=0)  # confirmed just now, 10 hours before
    assert services.reminders_send_due() == 0


def test_waitlisted_cancelled_and_cancelled_events_get_no_reminder(staff_user):
    event = _event_starting_in(datetime.timedelta(hours=20))
    _confirmed(event, status="waitlisted", confirmed_at=None)
    _confirmed(event, status="cancelled")
    called_off = _event_starting_in(datetime.timedelta(hours=20))
    _confirmed(called_off)
    services.event_cancel(actor=staff_user, event=called_off, message="Storm")
    assert services.reminders_send_due() == 0


def test_a_reschedule_re_arms_the_reminders(staff_user, django_capture_on_commit_callbacks):
    event = _event_starting_in(datetime.timedelta(hours=20))
    registration = _confirmed(event)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reminders_send_due() == 1

        new_start = event.starts_at + datetime.timedelta(hours=2)
        services.event_reschedule(actor=staff_user, event=event, starts_at=new_start, ends_at=new_start + HOUR)
        assert services.reminders_send_due() == 1  # the new start gets its own reminder
        assert services.reminders_send_due() == 0

    registration.refresh_from_db()
    assert registration.reminded_24h_for == new_start
    assert len(_reminders()) == 2


def test_reminders_are_sent_for_every_due_registration(django_capture_on_commit_callbacks):
    event = _event_starting_in(datetime.timedelta(hours=12))
    for _ in range(3):
        _confirmed(event)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reminders_send_due() == 3
    assert len({m.recipient for m in _reminders()}) == 3
