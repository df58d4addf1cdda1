"""Celery tasks for insights: thin wrappers around the services."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task
def publish_due_posts() -> int:
    # Safe to run twice at once: each post's move to published is one conditional UPDATE.
    return services.posts_publish_due()
