"""The Celery application.

Tasks are instances of Celery's `DjangoTask` (the default once Django is
configured), so services enqueue with `task.delay_on_commit(...)`: the message
is published only after the surrounding transaction commits, and never if it
rolls back.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cma.settings")

app = Celery("cma")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
