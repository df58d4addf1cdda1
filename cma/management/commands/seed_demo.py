"""Demo data drawn from the association's own documents.

manage.py seed_demo            # realistic, idempotent demo data
manage.py seed_demo --scale N  # plus N bulk organizations for benchmarks
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand
from django.db import transaction

from members import demo as members_demo


class Command(BaseCommand):
    help = "Create demo data (idempotent). --scale N adds a large data set for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=int,
            default=0,
            help="Also create N organizations with four people each, with bulk inserts.",
        )

    def handle(self, *args, scale: int, **options):
        started = time.monotonic()
        with transaction.atomic():
            logins = members_demo.seed()
        if scale:
            created = members_demo.seed_scale(scale)
            self.stdout.write(f"Scale data: {created}")
        self.stdout.write(self.style.SUCCESS(f"Demo data ready in {time.monotonic() - started:.1f}s."))
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {members_demo.DEMO_PASSWORD})")
        for login in logins:
            line = f"  {login.role:<16} {login.email}"
            self.stdout.write(line + (f"\n  {'':<16} {login.note}" if login.note else ""))
