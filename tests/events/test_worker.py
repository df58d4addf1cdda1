"""Reminders and a cancellation fan-out through a real Celery worker on Redis,
to a real SMTP server (where CI runs them: REDIS_URL and PostgreSQL)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from events import services, tasks
from notifications.models import OutgoingEmail
from tests import factories
from tests.support.worker import wait_for_worker
from workinggroups.models import GroupMembership

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_reminder_task_run_twice_delivers_one_reminder_with_the_join_link(
    celery_worker_process, smtp_server_for_worker
):
    smtp_server_for_worker.reset()
    start = timezone.now() + datetime.timedelta(hours=20)
    event = factories.EventFactory(
        starts_at=start, ends_at=start + datetime.timedelta(hours=1), online_url="https://meet.example.org/worker"
    )
    registration = factories.RegistrationFactory(event=event, registered_at=timezone.now() - datetime.timedelta(days=3))

    tasks.send_due_reminders.delay()
    tasks.send_due_reminders.delay()
    sent = wait_for_worker(
        lambda: OutgoingEmail.objects.filter(category="events/reminder", status=OutgoingEmail.Status.SENT).first()
    )
    # A marker behind both tasks: once it is delivered, both tasks have run.
    marker = factories.UserFactory()
    other = factories.EventFactory()
    services.event_register(actor=marker, event=other)
    wait_for_worker(lambda: OutgoingEmail.objects.filter(user=marker, status=OutgoingEmail.Status.SENT).exists())

    assert OutgoingEmail.objects.filter(category="events/reminder").count() == 1
    messages = [m for m in smtp_server_for_worker.messages if m["To"] == registration.user.email]
    assert len(messages) == 1
    assert "https://meet.example.org/worker" in messages[0].get_body(("plain",)).get_content()
    assert sent.recipient == registration.user.email


def test_cancellation_reaches_every_registrant_with_a_calendar_cancellation(
    celery_worker_process, smtp_server_for_worker, staff_user
):
    smtp_server_for_worker.reset()
    event = factories.EventFactory(capacity=1)
    people = [factories.UserFactory() for _ in range(3)]
    for person in people:
        services.event_register(actor=person, event=event)
    wait_for_worker(lambda: len(smtp_server_for_worker.messages) == 3)

    services.event_cancel(actor=staff_user, event=event, message="The venue flooded.")
    wait_for_worker(lambda: len(smtp_server_for_worker.messages) == 6)

    cancellations = [m for m in smtp_server_for_worker.messages if m["Subject"].endswith(f"Cancelled: {event.title}")]
    assert sorted(m["To"] for m in cancellations) == sorted(p.email for p in people)
    attachment = next(part for part in cancellations[0].iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    assert "METHOD:CANCEL" in attachment.get_content()


def test_a_group_meeting_is_announced_to_its_members_by_the_worker(celery_worker_process, smtp_server_for_worker):
    smtp_server_for_worker.reset()
    group = factories.WorkingGroupFactory()
    chair = factories.group_member(group, role=GroupMembership.Role.CHAIR)
    members = [factories.group_member(group) for _ in range(2)]
    start = timezone.now() + datetime.timedelta(days=5)
    event = services.meeting_schedule(
        actor=chair,
        group=group,
        title="Drafting session",
        kind="webinar",
        summary="Review of v2.",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
        time_zone="America/New_York",
        online_url="https://meet.example.org/drafting",
    )
    wait_for_worker(lambda: len(smtp_server_for_worker.messages) == 2)
    tasks.announce_meeting.delay(event.pk)  # a rerun sends nothing new
    marker = factories.UserFactory()
    services.event_register(actor=marker, event=factories.EventFactory())
    wait_for_worker(lambda: OutgoingEmail.objects.filter(user=marker, status=OutgoingEmail.Status.SENT).exists())

    announced = [m for m in smtp_server_for_worker.messages if m["Subject"].endswith(f"meeting: {event.title}")]
    assert sorted(m["To"] for m in announced) == sorted(p.email for p in members)
