"""Celery tasks for working groups: thin wrappers around the services."""

from __future__ import annotations

from celery import shared_task

from events import services as event_services

from . import services


@shared_task(acks_late=True)
def announce_version(version_id: int) -> int:
    # Safe to run twice and so to acknowledge late: every email carries a
    # per-member dedupe key for this version.
    return services.version_announce(version_id=version_id)


@shared_task(acks_late=True)
def announce_comment(comment_id: int) -> int:
    # Per-recipient dedupe keys for this comment make a rerun send nothing new.
    return services.comment_announce(comment_id=comment_id)


@shared_task(acks_late=True)
def announce_meeting(event_id: int) -> int:
    # Meetings are announced by events.tasks.announce_meeting now; this name
    # stays for tasks queued before the move (same dedupe keys: nothing is
    # sent twice). Remove once no worker can hold one.
    return event_services.meeting_announce(event_id=event_id)
