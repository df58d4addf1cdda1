"""Celery tasks every app relies on."""

from __future__ import annotations

from celery import shared_task

from .publish import pending_tasks_publish


@shared_task
def publish_pending_tasks() -> int:
    return pending_tasks_publish()
