"""A Celery worker whose broker (Redis) goes away while it holds a task
keeps running, reconnects by itself when Redis is back, and takes new work:
no restart of the portal's processes (cma/broker.py)."""

from __future__ import annotations

import os
import time
import uuid

import pytest
from celery import Celery

from tests.support.redis_server import RedisServer
from tests.support.worker import CeleryWorker, wait_for_worker

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_worker_outlives_redis_going_away_mid_task(django_db_blocker, smtp_server_for_worker):
    from django.db import connection

    if connection.vendor != "postgresql" or not os.environ.get("REDIS_URL"):
        pytest.skip("a real worker needs PostgreSQL and Redis (CI runs these tests)")
    redis = RedisServer()
    redis.start()
    queue = f"survive-{uuid.uuid4().hex[:6]}"

    def client() -> Celery:
        """This test's side of the broker (fresh connections each time); not
        made the current app, or the portal's shared tasks published by
        later tests would follow it to this Redis, gone by then."""
        app = Celery("probe", broker=redis.url, set_as_current=False)
        app.conf.update(task_default_queue=queue, broker_connection_retry_on_startup=True)
        return app

    def answers() -> bool:
        try:
            return bool(client().control.ping(destination=[worker.name], timeout=0.5))
        except Exception:  # redis-py's and kombu's connection errors: not answered yet
            return False

    probe = client()
    worker = CeleryWorker(
        queue=queue, database=connection.settings_dict, smtp=smtp_server_for_worker, name=queue,
        extra_env={"REDIS_URL": redis.url}, control=probe.control,
    )  # fmt: skip
    try:
        worker.start()
        # Tasks the worker holds when Redis goes: due in a few seconds, so
        # they are reserved and unacknowledged (the case kombu mishandles).
        for _ in range(3):
            probe.send_task("notifications.tasks.requeue_stalled_email", queue=queue, countdown=3)
        time.sleep(1)
        redis.stop()
        time.sleep(8)
        assert worker.alive, worker.output()
        redis.start()

        wait_for_worker(answers, timeout=60, describe=worker.output)
        client().send_task("notifications.tasks.requeue_stalled_email", queue=queue)
        wait_for_worker(
            lambda: worker.output().count("requeue_stalled_email") >= 2 and "succeeded" in worker.output(),
            timeout=60,
            describe=worker.output,
        )
        assert worker.alive
        assert "Unrecoverable error" not in worker.output()
    finally:
        worker.stop()
        redis.stop()
