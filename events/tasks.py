"""Celery tasks for events: thin wrappers around the services.

Each is safe to run twice (claims and dedupe keys live in the services),
so each acknowledges late: a worker dying mid-task hands it to another.
"""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def send_due_reminders() -> int:
    return services.reminders_send_due()


@shared_task(acks_late=True)
def announce_reschedule(event_id: int, sequence: int, note: str = "") -> int:
    return services.event_announce_reschedule(event_id=event_id, sequence=sequence, note=note)


@shared_task(acks_late=True)
def announce_cancellation(event_id: int) -> int:
    return services.event_announce_cancellation(event_id=event_id)


@shared_task(acks_late=True)
def announce_meeting(event_id: int) -> int:
    # Per-member dedupe keys for this meeting make a rerun send nothing new.
    return services.meeting_announce(event_id=event_id)
