"""Celery tasks for communications: thin wrappers around the services."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def fan_out_message(message_id: int) -> int:
    # Safe to run twice: outbox rows are keyed message × address.
    return services.message_fan_out(message_id=message_id)


@shared_task
def send_due_messages() -> int:
    return services.messages_send_due()


@shared_task
def settle_messages() -> int:
    return services.messages_settle()
