"""Celery tasks for notifications: thin wrappers around the services."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(bind=True, acks_late=True, max_retries=None)
def deliver_email(self, email_id: int) -> str:
    # Safe to run twice and so to acknowledge late: the service claims the
    # row before sending and finds nothing to claim the second time.
    delivery = services.email_deliver(email_id=email_id)
    if delivery.outcome is services.DeliveryOutcome.RETRY:
        raise self.retry(countdown=delivery.retry_in_seconds)
    return delivery.outcome.value


@shared_task(acks_late=True)
def deliver_queued_email() -> int:
    # Safe to run twice: each email is claimed before it is sent.
    return services.email_deliver_queued()


@shared_task
def requeue_stalled_email() -> int:
    return services.email_requeue_stalled()


@shared_task
def expire_sensitive_email() -> int:
    return services.sensitive_emails_expire()
