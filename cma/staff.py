"""The staff home page's sections: each app contributes its own.

An app lists its staff pages in `<app>/staff.py` as `SECTIONS`, a list of
`StaffSection`; `counts` is an optional callable returning badges like
{"awaiting review": 3} so staff see at a glance what needs them.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field

STAFF_APPS = [
    "members",
    "events",
    "workinggroups",
    "petitions",
    "communications",
    "minerals",
    "insights",
    "notifications",
    "billing",
    "reports",
]


@dataclass(frozen=True)
class StaffLink:
    label: str
    url_name: str


@dataclass(frozen=True)
class StaffSection:
    title: str
    description: str
    links: list[StaffLink] = field(default_factory=list)
    counts: Callable[[], dict[str, int]] | None = None


def staff_sections() -> list[StaffSection]:
    sections: list[StaffSection] = []
    for app in STAFF_APPS:
        if importlib.util.find_spec(f"{app}.staff") is not None:
            sections.extend(importlib.import_module(f"{app}.staff").SECTIONS)
    return sections
