"""Publishing Celery tasks after commit, without ever turning a committed
action into an error.

`publish_on_commit(task, *args)` records the task in the caller's transaction
(a `PendingTask` row) and publishes it once the transaction commits. A broker
that is down is logged, not raised: the person sees the success they earned,
and `pending_tasks_publish()` (every 30 seconds, from beat) publishes what is
left once the broker is back. The tasks must be safe to run twice — they are
the portal's idempotent task wrappers (claims and dedupe keys).
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from .models import PendingTask

logger = logging.getLogger(__name__)

# Rows younger than this are being published by their own request.
SWEEP_AFTER = timedelta(seconds=15)
# After a failed publish this process stops trying for a while: reaching a
# broker that is down costs seconds (the client's own retries), which one
# request per interval may pay, not every request.
PAUSE_AFTER_FAILURE_SECONDS = 10.0
_paused_until = 0.0
# When this process last published each `publish_soon` task (monotonic seconds).
_last_published: dict[int, float] = {}
_clock = time.monotonic


def publish(task: Any, *args: Any, countdown: float | None = None, **kwargs: Any) -> bool:
    """Publish now; False when the broker does not take it (logged), or while
    this process leaves a broker that just failed alone."""
    global _paused_until
    if time.monotonic() < _paused_until:
        return False
    try:
        task.apply_async(args=args, kwargs=kwargs, countdown=countdown)
    except Exception:  # the broker's errors vary by transport: kombu, redis, OSError
        _paused_until = time.monotonic() + PAUSE_AFTER_FAILURE_SECONDS
        logger.warning("Could not publish %s; it will be published when the broker is back.", task.name, exc_info=True)
        return False
    return True


def publish_soon(task: Any, *, window_seconds: float) -> None:
    """Publish `task` (no arguments) due at the end of a window, at most once
    per window in this process: for a task that finds its work in the
    database, which many requests add to and one run does for them all. The
    first request in a window publishes; the rest ride along, so a busy
    minute costs one broker message a second, not one per request. Work whose
    message is lost (a broker that is down, a process killed after its
    commit) waits for the task's periodic run in the beat schedule. In-process
    (no broker) the task runs now."""
    from .celery import app

    # Keyed by the task object (a module-level one lives as long as the
    # process): the rider's whole cost is this look-up.
    now = _clock()
    if now - _last_published.get(id(task), -window_seconds) < window_seconds:
        return  # only ever recorded for a broker (see forget_published)
    if app.conf.task_always_eager:
        task.delay()
        return
    _last_published[id(task)] = now
    # Due just after the window: what this process commits before then is in the database by the time it runs.
    publish(task, countdown=window_seconds + 0.2)


def forget_published() -> None:
    """Forget when this process last published each `publish_soon` task: for
    tests that switch between a broker and in-process tasks."""
    _last_published.clear()


def broker_resumed() -> None:
    """Try the broker again at once (the sweeper, and tests)."""
    global _paused_until
    _paused_until = 0.0


def publish_on_commit(task: Any, *args: Any, **kwargs: Any) -> None:
    """Run `task(*args, **kwargs)` once the current transaction commits,
    even if the broker is away at that moment (see the module's note)."""
    pending = PendingTask.objects.create(task=task.name, args=list(args), kwargs=kwargs)

    def after_commit() -> None:
        if publish(task, *args, **kwargs):
            PendingTask.objects.filter(pk=pending.pk).delete()

    transaction.on_commit(after_commit)


def pending_tasks_publish(*, now: Any = None) -> int:
    """Publish the tasks whose publication failed (the sweeper). Returns how
    many were published; the rest wait for the next run."""
    from celery import current_app

    broker_resumed()  # the sweeper always tries: it is how publishing resumes
    now = now or timezone.now()
    published = 0
    for pending in PendingTask.objects.filter(created_at__lt=now - SWEEP_AFTER)[:500]:
        task = current_app.tasks.get(pending.task)
        if task is None:
            logger.error("Pending task %s is unknown; dropping it.", pending.task)
            pending.delete()
            continue
        if not publish(task, *pending.args, **pending.kwargs):
            PendingTask.objects.filter(pk=pending.pk).update(attempts=pending.attempts + 1)
            break  # the broker is still away: try again next time
        pending.delete()
        published += 1
    return published
