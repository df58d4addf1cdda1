"""The Celery application.

Tasks are instances of Celery's `DjangoTask` (the default once Django is
configured), so services enqueue with `task.delay_on_commit(...)`: the message
is published only after the surrounding transaction commits, and never if it
rolls back.
"""

from __future__ import annotations

import os

from celery import Celery
from celery.contrib.django.task import DjangoTask

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cma.settings")


class PortalTask(DjangoTask):
    """Every task of the portal: one that meets a database restart (its
    connection dropped, the server not accepting yet) tries again a few
    seconds later instead of failing. Tasks are idempotent, so a retry after
    a partial run is safe."""

    def __call__(self, *args, **kwargs):
        from django.db import InterfaceError, OperationalError, connections

        try:
            return super().__call__(*args, **kwargs)
        except (OperationalError, InterfaceError) as exc:
            if self.request.called_directly or self.app.conf.task_always_eager:
                raise
            connections.close_all()  # reconnect on the next try
            raise self.retry(exc=exc, countdown=min(2 ** (self.request.retries + 1), 60), max_retries=10) from exc


app = Celery("cma", task_cls=PortalTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
