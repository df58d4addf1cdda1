"""Celery tasks for membership: thin wrappers around the services."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task
def charter_notify_members(version_id: int) -> int:
    # Idempotent through notify()'s dedupe keys: a retry sends nothing twice.
    return services.charter_notify_members(version_id=version_id)


@shared_task
def membership_daily() -> dict[str, int]:
    return {
        "lapsed_or_grace": services.memberships_lapse_expired(),
        "reminders": services.memberships_send_renewal_reminders(),
    }
