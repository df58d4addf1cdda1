"""Celery tasks for petitions: thin wrappers around the services (see CELERY_BEAT_SCHEDULE)."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task
def send_moderation_digest() -> int:
    # Safe to run twice: the digest's dedupe key is per day.
    return services.moderation_digest_send()


@shared_task
def purge_retained_data() -> dict[str, int]:
    # Safe to run twice: a second run finds nothing past the cutoff.
    return services.retention_purge()


@shared_task
def close_expired_petitions() -> int:
    # Safe to run twice: closing is a conditional update from "open".
    return services.petitions_close_expired()


@shared_task
def queue_signature_confirmations() -> int:
    # Safe to run twice, or two at once: each signature's mark is cleared with
    # its email queued, rows another run holds are skipped, and the email's
    # dedupe key is the signature's own.
    return services.signature_confirmations_queue()
