from __future__ import annotations

import uuid

from django.core.management.base import BaseCommand

from notifications.services import notify


class Command(BaseCommand):
    help = "Queue a test email to an address through the outbox, to check EMAIL_URL and the worker."

    def add_arguments(self, parser):
        parser.add_argument("address")

    def handle(self, *args, address: str, **options):
        outgoing = notify(
            email=address,
            template="notifications/test",
            context={"name": address, "sender": "manage.py send_test_email"},
            dedupe_key=f"test-email:{uuid.uuid4().hex}",
            category="test",
        )
        assert outgoing is not None  # transactional: always queued
        outgoing.refresh_from_db()
        self.stdout.write(f"Outbox row {outgoing.pk}: {outgoing.status}")
