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
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from .models import PendingTask

logger = logging.getLogger(__name__)

# Rows younger than this are being published by their own request.
SWEEP_AFTER = timedelta(seconds=15)


def publish(task: Any, *args: Any, **kwargs: Any) -> bool:
    """Publish now; False (and a log line) when the broker does not take it."""
    try:
        task.apply_async(args=args, kwargs=kwargs)
    except Exception:  # the broker's errors vary by transport: kombu, redis, OSError
        logger.warning("Could not publish %s; it will be published when the broker is back.", task.name, exc_info=True)
        return False
    return True


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
