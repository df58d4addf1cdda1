"""Demo data drawn from the association's own documents.

    manage.py seed_demo            # realistic, idempotent demo data
    manage.py seed_demo --scale N  # plus N bulk organizations (4 people each) for benchmarks

Each app contributes a `demo.py` module with `seed() -> list[DemoLogin]` and,
where it has bulk data to add, `seed_scale(n) -> str`. They run in the order
below, so later apps can use what earlier ones created.
"""

from __future__ import annotations

import importlib
import importlib.util
import time

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from cma.demo import DEMO_PASSWORD

DEMO_APPS = ["members", "workinggroups", "events", "petitions", "communications", "billing", "minerals", "insights"]


def _demo_modules():
    for app in DEMO_APPS:
        if importlib.util.find_spec(f"{app}.demo") is not None:
            yield importlib.import_module(f"{app}.demo")


class Command(BaseCommand):
    help = "Create demo data (idempotent). --scale N adds a large data set for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=int,
            default=0,
            help="Also create N organizations with four people each (and related data), with bulk inserts.",
        )

    def handle(self, *args, scale: int, **options):
        started = time.monotonic()
        logins = []
        modules = list(_demo_modules())
        with transaction.atomic():
            for module in modules:
                logins.extend(module.seed())
        for module in modules:
            if scale and hasattr(module, "seed_scale"):
                with transaction.atomic():
                    self.stdout.write(f"Scale data ({module.__name__}): {module.seed_scale(scale)}")
        if scale and connection.vendor == "postgresql":
            # After a bulk load the planner still believes the tables are tiny
            # until autovacuum catches up; benchmarks run right away.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(self.style.SUCCESS(f"Demo data ready in {time.monotonic() - started:.1f}s."))
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD})")
        for login in logins:
            self.stdout.write(f"  {login.role:<22} {login.email}")
            if login.note:
                self.stdout.write(f"  {'':<22} {login.note}")
