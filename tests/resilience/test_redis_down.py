"""Redis stopped while people use the site: every main page still answers,
a signature, an event registration and a document upload made during the
outage are stored and acknowledged, and their emails go out once Redis is
back — through the sweepers, with no restart of anything.

The cache and the broker point at a redis-server of this test's own, which
the test stops and starts (the machine's shared Redis is untouched).
"""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cma.celery import app as celery_app
from cma.models import PendingTask
from cma.publish import pending_tasks_publish
from events.models import Registration
from notifications import services as notification_services
from notifications.models import OutgoingEmail
from petitions import tasks as petition_tasks
from petitions.models import Signature
from tests import factories
from workinggroups.models import Document

pytestmark = pytest.mark.django_db

SIGNATURE = {"name": "Ada Lovelace", "email": "ada@example.org", "zip_code": "48201", "state": "MI"}


@pytest.fixture
def redis_everywhere(redis_server, settings, monkeypatch):
    """Cache, rate limits and broker on the test's own Redis, tasks published
    for real (not run in-process), as in production."""
    from cma import cache as fail_soft

    monkeypatch.setattr(fail_soft, "RETRY_AFTER_SECONDS", 0.2)
    settings.REDIS_URL = redis_server.url
    settings.CACHES = {
        "default": {"BACKEND": "cma.cache.FailSoftRedisCache", "LOCATION": redis_server.url.replace("/0", "/1")}
    }
    previous = (celery_app.conf.broker_url, celery_app.conf.task_always_eager)
    celery_app.conf.broker_url = redis_server.url
    celery_app.conf.broker_connection_retry = False
    celery_app.conf.task_publish_retry = False
    celery_app.conf.task_always_eager = False
    reset_broker_connections()
    yield redis_server
    celery_app.conf.broker_url, celery_app.conf.task_always_eager = previous
    celery_app.conf.task_publish_retry = True
    reset_broker_connections()


def reset_broker_connections() -> None:
    """Forget connections (and producers) made for the previous broker URL."""
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def world(db):
    petition = factories.PetitionFactory()
    start = timezone.now() + datetime.timedelta(days=10)
    event = factories.EventFactory(starts_at=start, ends_at=start + datetime.timedelta(hours=2))
    group = factories.WorkingGroupFactory()
    member = factories.group_member(group)
    return {"petition": petition, "event": event, "group": group, "member": member}


def pages(world) -> dict[str, str]:
    return {
        "home": reverse("home"),
        "directory": reverse("members:directory"),
        "events": reverse("events:list"),
        "event": reverse("events:detail", args=[world["event"].slug]),
        "groups": reverse("workinggroups:list"),
        "petitions": reverse("petitions:list"),
        "petition": reverse("petitions:detail", args=[world["petition"].slug]),
        "petition json": reverse("petitions:api", args=[world["petition"].slug]),
        "sign in": reverse("account_login"),
    }


def signed_in_pages(world) -> dict[str, str]:
    return {
        "dashboard": reverse("dashboard"),
        "member directory": reverse("members:member_directory"),
        "my events": reverse("events:mine"),
        "group": reverse("workinggroups:detail", args=[world["group"].slug]),
        "notifications": reverse("notifications:list"),
        "preferences": reverse("notifications:preferences"),
    }


def assert_no_5xx(client, urls: dict[str, str]) -> None:
    problems = {name: client.get(url).status_code for name, url in urls.items()}
    assert {name: status for name, status in problems.items() if status >= 500} == {}


def test_every_main_page_answers_while_redis_is_down(redis_everywhere, world, client, staff_client):
    redis_everywhere.stop()
    member_client = Client()
    member_client.force_login(world["member"])

    assert_no_5xx(client, pages(world))
    assert_no_5xx(member_client, {**pages(world), **signed_in_pages(world)})
    assert_no_5xx(staff_client, {"staff home": reverse("staff:index"), **signed_in_pages(world)})


def test_actions_during_the_outage_are_kept_and_their_emails_sent_after(
    redis_everywhere, world, client, mailoutbox, django_capture_on_commit_callbacks
):
    member = world["member"]
    member_client = Client()
    member_client.force_login(member)
    redis_everywhere.stop()

    with django_capture_on_commit_callbacks(execute=True):
        signed = client.post(reverse("petitions:sign", args=[world["petition"].slug]), SIGNATURE)
        registered = member_client.post(reverse("events:register", args=[world["event"].slug]), {"seats": 1})
        uploaded = member_client.post(
            reverse("workinggroups:document_new", args=[world["group"].slug]),
            {"title": "Outage memo", "description": "", "tags": "", "change_note": "", "file": pdf()},
        )

    # Acknowledged as successes, and stored.
    assert signed.status_code == registered.status_code == uploaded.status_code == 302
    assert "check-your-email" in signed["Location"]
    assert Signature.objects.filter(email="ada@example.org").exists()
    assert Registration.objects.filter(user=member, event=world["event"]).exists()
    assert Document.objects.filter(title="Outage memo").exists()
    # Nothing went out yet: the emails wait in the outbox (the signature's is
    # owed by the signature itself where a worker queues it), the group's
    # announcement task waits as a PendingTask.
    assert mailoutbox == []
    owed = Signature.objects.filter(email="ada@example.org", confirmation_email_due=True).exists()
    assert OutgoingEmail.objects.filter(status="queued").count() + owed >= 2
    assert list(PendingTask.objects.values_list("task", flat=True)) == ["workinggroups.tasks.announce_version"]

    # Redis is back: the periodic sweepers do the rest, once each.
    redis_everywhere.start()
    celery_app.conf.task_always_eager = True  # run what they publish here, as a worker would
    later = timezone.now() + datetime.timedelta(minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert pending_tasks_publish(now=later) >= 1
        petition_tasks.queue_signature_confirmations()
        OutgoingEmail.objects.filter(status="queued").update(
            next_attempt_at=timezone.now() - datetime.timedelta(minutes=1)
        )
        notification_services.emails_requeue_stalled()
        notification_services.emails_requeue_stalled()  # twice: still once each

    recipients = sorted(m.to[0] for m in mailoutbox)
    assert "ada@example.org" in recipients
    assert recipients.count(member.email) == 1  # the registration confirmation
    assert len(recipients) == len(set(recipients))  # nobody twice
    assert not OutgoingEmail.objects.filter(status="queued").exists()
    assert not PendingTask.objects.exists()


def test_rate_limits_still_limit_while_redis_is_down(redis_everywhere, world, client, settings):
    settings.PETITIONS_SIGN_RATE_LIMIT_PER_IP = "3/10m"
    redis_everywhere.stop()
    url = reverse("petitions:sign", args=[world["petition"].slug])

    answers = [client.post(url, {**SIGNATURE, "email": f"signer{i}@example.org"}).status_code for i in range(5)]

    # Counted in this process while Redis is away: the fourth is refused.
    assert answers == [302, 302, 302, 429, 429]
    assert Signature.objects.count() == 3


def pdf():
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.workinggroups import files

    return SimpleUploadedFile("memo.pdf", files.pdf(), content_type="application/pdf")
