"""A committed action never turns into an error because the broker is away:
the task waits as a PendingTask row and the sweeper publishes it later."""

from __future__ import annotations

import pytest
from celery import shared_task
from django.db import transaction

from cma.models import PendingTask
from cma.publish import pending_tasks_publish, publish_on_commit

pytestmark = pytest.mark.django_db

RAN: list[int] = []


@shared_task(name="tests.resilience.record")
def record(value: int | None = None) -> None:
    RAN.append(value)


@pytest.fixture(autouse=True)
def _clean():
    RAN.clear()


@pytest.fixture
def broker_down(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("Connection refused")

    monkeypatch.setattr(record, "apply_async", refuse)
    return monkeypatch


def test_published_after_commit_and_forgotten(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        publish_on_commit(record, 7)
        assert RAN == []  # not before the commit

    assert RAN == [7]
    assert not PendingTask.objects.exists()


def test_nothing_is_published_when_the_change_rolls_back(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        publish_on_commit(record, 7)
        raise RuntimeError("the change failed")

    assert RAN == []
    assert not PendingTask.objects.exists()


def test_a_broker_that_is_down_leaves_the_task_for_the_sweeper(broker_down, django_capture_on_commit_callbacks, caplog):
    with django_capture_on_commit_callbacks(execute=True):
        publish_on_commit(record, 8)  # no exception reaches the caller

    assert RAN == []
    pending = PendingTask.objects.get()
    assert (pending.task, pending.args) == ("tests.resilience.record", [8])
    assert "will be published when the broker is back" in caplog.text

    assert pending_tasks_publish(now=pending.created_at) == 0  # too fresh: its request may still publish it
    broker_down.undo()
    assert pending_tasks_publish(now=pending.created_at + pending_tasks_sweep_after()) == 1

    assert RAN == [8]
    assert not PendingTask.objects.exists()


def test_the_sweeper_stops_at_the_first_refusal_and_counts_it(broker_down, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        publish_on_commit(record, 1)
        publish_on_commit(record, 2)
    later = PendingTask.objects.first().created_at + pending_tasks_sweep_after()

    assert pending_tasks_publish(now=later) == 0

    assert PendingTask.objects.count() == 2
    assert sorted(PendingTask.objects.values_list("attempts", flat=True)) == [0, 1]


def pending_tasks_sweep_after():
    import datetime

    from cma.publish import SWEEP_AFTER

    return SWEEP_AFTER + datetime.timedelta(seconds=1)


def test_after_a_failure_the_process_leaves_the_broker_alone_for_a_while(
    broker_down, django_capture_on_commit_callbacks
):
    calls = []

    def refuse(*args, **kwargs):
        calls.append(1)
        raise OSError("Connection refused")

    broker_down.setattr(record, "apply_async", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        for value in range(5):
            publish_on_commit(record, value)

    assert len(calls) == 1  # one slow attempt, not five
    assert PendingTask.objects.count() == 5


@pytest.fixture
def with_a_broker(monkeypatch):
    """Tasks published, not run in-process; what `apply_async` was asked, recorded."""
    from cma import publish
    from cma.celery import app

    published: list[dict] = []
    app.conf.task_always_eager = False  # the suite's autouse fixture sets it back
    monkeypatch.setattr(record, "apply_async", lambda **options: published.append(options))
    monkeypatch.setattr(publish, "_last_published", {})
    return published


def test_publish_soon_publishes_once_per_window_due_after_it(with_a_broker, monkeypatch):
    from cma import publish

    for now in (100.0, 100.1, 100.4, 100.6):
        monkeypatch.setattr(publish, "_clock", lambda now=now: now)
        publish.publish_soon(record, window_seconds=0.5)

    # 100.0 publishes; 100.1 and 100.4 ride along; 100.6 starts the next window.
    assert [options["countdown"] for options in with_a_broker] == [0.7, 0.7]


def test_publish_soon_runs_the_task_at_once_without_a_broker():
    from cma.publish import publish_soon

    publish_soon(record, window_seconds=60)
    publish_soon(record, window_seconds=60)  # in-process: no window to ride along in

    assert RAN == [None, None]
