"""Celery tasks for notifications: thin wrappers around the services."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from . import services
from .topics import Mode


@shared_task(bind=True, acks_late=True, max_retries=None)
def deliver_email(self, email_id: int) -> str:
    # Safe to run twice and so to acknowledge late: the service claims the
    # row before sending and finds nothing to claim the second time.
    delivery = services.email_deliver(email_id=email_id)
    if delivery.outcome is services.DeliveryOutcome.RETRY:
        raise self.retry(countdown=delivery.retry_in_seconds)
    return delivery.outcome.value


# The hard time limit is what a claim's lifetime is measured against: a row
# claimed by a worker that is killed comes free once this much time has passed
# (services.delivery.stall_window), so it must bound the task for real.
@shared_task(
    acks_late=True,
    time_limit=settings.EMAIL_DELIVERY_TIME_LIMIT,
    soft_time_limit=max(settings.EMAIL_DELIVERY_TIME_LIMIT - 5, 1),
)
def deliver_queued_email() -> int:
    # Safe to run twice, and several at once: each batch is claimed first.
    return services.emails_drain()


@shared_task
def requeue_stalled_email() -> int:
    return services.emails_requeue_stalled()


@shared_task
def expire_sensitive_email() -> int:
    return services.sensitive_emails_expire()


@shared_task
def send_daily_digests() -> int:
    return services.digests_send(mode=Mode.DAILY)


@shared_task
def send_weekly_digests() -> int:
    return services.digests_send(mode=Mode.WEEKLY)
