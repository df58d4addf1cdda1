"""Reports of an accessibility problem, from the accessibility statement's form.

A report is kept nowhere but in the outbox: an email to staff and an
acknowledgement to the person who sent it (both through
`notifications.services`, so they leave after commit, once).
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from django.db import transaction

from notifications.services import notify, notify_staff

if TYPE_CHECKING:
    from members.models import User


@transaction.atomic
def accessibility_report_send(*, name: str, email: str, page: str, problem: str, reporter: User | None = None) -> None:
    """Tell staff about an accessibility problem and acknowledge it to `email`.

    The same report sent twice (a double click, a reload) is emailed once:
    the dedupe key is a digest of what was reported. `reporter` is the
    signed-in person, if any, named in the staff email."""
    report = {"name": name.strip(), "email": email.strip(), "page": page.strip(), "problem": problem.strip()}
    digest = hashlib.sha256(
        "\n".join([report["email"].lower(), report["page"], report["problem"]]).encode()
    ).hexdigest()
    context = {"report": report, "reporter": reporter}
    notify_staff(template="members/accessibility_report", dedupe_key=f"a11y-report:{digest[:40]}", context=context)
    notify(
        template="members/accessibility_report_received",
        dedupe_key=f"a11y-report-ack:{digest[:40]}",
        email=report["email"],
        context=context,
    )
