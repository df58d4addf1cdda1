"""What every app's demo data shares (`manage.py seed_demo` runs each app's `demo.py`)."""

from __future__ import annotations

from dataclasses import dataclass

DEMO_PASSWORD = "critical-minerals"  # noqa: S105 - printed for the demo, never used in production


@dataclass
class DemoLogin:
    """A demo account printed by seed_demo: what it is for, and how to sign in."""

    role: str
    email: str
    note: str = ""
