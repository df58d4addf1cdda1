"""Delivery through a real Celery worker on Redis, to a real SMTP server.

These run where CI runs them: REDIS_URL set and PostgreSQL as the database.
"""

from __future__ import annotations

import pytest

from notifications import services
from notifications.models import OutgoingEmail
from notifications.rendering import RenderedEmail
from notifications.tasks import deliver_email
from notifications.topics import Topic
from tests.factories import UserFactory
from tests.support.worker import wait_for_worker

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


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
    wait_for_worker(lambda: _status(outgoing.pk).status == OutgoingEmail.Status.SENT)
    deliver_email.delay(outgoing.pk)
    deliver_email.delay(outgoing.pk)
    # A third task behind the two duplicates: once it has run, they have too.
    marker = _notify(user, "worker:marker")
    wait_for_worker(lambda: _status(marker.pk).status == OutgoingEmail.Status.SENT)

    assert _status(outgoing.pk).attempts == 1
    recipients = [m["To"] for m in smtp_server_for_worker.messages]
    assert recipients == [user.email, user.email]  # the row once, the marker once


def test_worker_retries_after_an_smtp_failure_and_records_it(celery_worker_process, smtp_server_for_worker):
    smtp_server_for_worker.reset()
    smtp_server_for_worker.refuse_next(1)
    user = UserFactory()

    outgoing = _notify(user, "worker:retry")
    wait_for_worker(lambda: _status(outgoing.pk).status == OutgoingEmail.Status.SENT)

    delivered = _status(outgoing.pk)
    assert delivered.attempts == 2
    assert "451" in delivered.last_error
    assert smtp_server_for_worker.attempts == 2
    assert len(smtp_server_for_worker.messages) == 1


def test_a_worker_killed_mid_batch_leaves_every_email_delivered_once(
    django_db_blocker, smtp_server_for_worker, celery_worker_process
):
    """Worker A is killed (SIGKILL) while a message of its batch is in the
    SMTP server's hands; worker B, started after, sends the rest, and A's
    claimed rows once their claim expires. Each address gets one email."""
    from django.db import connection

    from cma.celery import app as celery_app
    from tests.support.worker import CeleryWorker

    smtp = smtp_server_for_worker
    smtp.reset()
    queue = f"{celery_app.conf.task_default_queue}-kill"
    fast_claims = {"EMAIL_DELIVERY_TIME_LIMIT": "4"}  # claims of a dead worker expire after ~9 s
    workers = [
        CeleryWorker(
            queue=queue, database=connection.settings_dict, smtp=smtp, name=f"{queue}-{n}", extra_env=fast_claims
        )
        for n in ("a", "b")
    ]
    default_queue = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue
    try:
        workers[0].start()
        smtp.hold_after(20)
        rendered = RenderedEmail(subject="Update", body_text="Hello %%CMA:name%%", body_html="")
        services.emails_enqueue_shared(
            body=services.email_body_create(rendered=rendered),
            recipients=[services.SharedRecipient(email=f"m{i}@example.org", merge={"name": str(i)}) for i in range(150)],
            category="announcement", dedupe_prefix="kill-test", topic=Topic.ANNOUNCEMENTS,
        )  # fmt: skip
        assert smtp.holding.wait(30), "worker A never reached the held message"
        workers[0].kill()
        smtp.release()
        workers[1].start()

        wait_for_worker(lambda: not OutgoingEmail.objects.exclude(status="sent").exists(), timeout=90)
    finally:
        celery_app.conf.task_default_queue = default_queue
        smtp.release()
        for worker in workers:
            worker.stop()

    received = [m["To"] for m in smtp.messages]
    assert len(received) == 150
    assert len(set(received)) == 150
    assert OutgoingEmail.objects.filter(status="sent", attempts=2).exists()  # A's claims were taken over
