"""Delivery through a real Celery worker on Redis, to a real SMTP server.

These run where CI runs them: REDIS_URL set and PostgreSQL as the database.
"""

from __future__ import annotations

import time

import pytest

from notifications import services
from notifications.models import OutgoingEmail
from notifications.tasks import deliver_email
from tests.factories import UserFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _wait_for(predicate, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError("timed out waiting for the worker")


def _notify(user, key: str) -> OutgoingEmail:
    return services.notify(
        user=user,
        template="notifications/test",
        context={"name": user.name, "sender": "the worker tests"},
        dedupe_key=key,
    )


def _status(pk: int) -> OutgoingEmail:
    return OutgoingEmail.objects.get(pk=pk)


def test_worker_delivers_the_same_row_once_even_when_asked_twice(celery_worker_process, smtp_server_for_worker):
    smtp_server_for_worker.reset()
    user = UserFactory()

    outgoing = _notify(user, "worker:twice")  # autocommit: enqueued at once
    _wait_for(lambda: _status(outgoing.pk).status == OutgoingEmail.Status.SENT)
    deliver_email.delay(outgoing.pk)
    deliver_email.delay(outgoing.pk)
    # A third task behind the two duplicates: once it has run, they have too.
    marker = _notify(user, "worker:marker")
    _wait_for(lambda: _status(marker.pk).status == OutgoingEmail.Status.SENT)

    assert _status(outgoing.pk).attempts == 1
    recipients = [m["To"] for m in smtp_server_for_worker.messages]
    assert recipients == [user.email, user.email]  # the row once, the marker once


def test_worker_retries_after_an_smtp_failure_and_records_it(celery_worker_process, smtp_server_for_worker):
    smtp_server_for_worker.reset()
    smtp_server_for_worker.refuse_next(1)
    user = UserFactory()

    outgoing = _notify(user, "worker:retry")
    _wait_for(lambda: _status(outgoing.pk).status == OutgoingEmail.Status.SENT)

    delivered = _status(outgoing.pk)
    assert delivered.attempts == 2
    assert "451" in delivered.last_error
    assert smtp_server_for_worker.attempts == 2
    assert len(smtp_server_for_worker.messages) == 1
