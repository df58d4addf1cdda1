"""Demo data for communications: one announcement already sent to members
(so the archive has something to read) and a newsletter draft to try the
audience preview, test and send on. Idempotent; sends nothing."""

from __future__ import annotations

import datetime

from django.utils import timezone

from cma.demo import DemoLogin
from members.models import User

from .audiences import Audience, describe
from .models import Message

WELCOME = """The CMA USA portal is open to every member organization.

It is where the association works **between meetings**:

- the member directory, by supply-chain segment;
- our focused events — roundtables, workshops, webinars and conferences;
- the action-focused working groups and their document libraries;
- the petitions we and our partners sign on to.

In our own words, the CMA USA is a member-driven industry body that focuses on proactively placing the
industry's challenges and opportunities on the government's radar. Tell us where the portal can help you do that.
"""

NEWSLETTER = """## This month

- **Working groups.** The Trade Policy Working Group is collecting comments for its next submission.
- **Events.** Registration is open for the permitting roundtable; a webinar on gallium and germanium export
  controls follows.
- **E3 principles.** Educate, enable, empower: how members can take part in the Green TEA Initiative.

Choose which emails you get in your email preferences.
"""


def seed() -> list[DemoLogin]:
    staff = User.objects.get(email="staff@cma-usa.localhost")
    members = Audience(kind="members")
    sent_at = timezone.now() - datetime.timedelta(days=6)
    Message.objects.get_or_create(
        subject="Welcome to the CMA USA member portal",
        defaults={
            "kind": Message.Kind.ANNOUNCEMENT, "body": WELCOME, "audience": members.to_json(),
            "audience_label": describe(members), "status": Message.Status.SENT, "created_by": staff,
            "sent_by": staff, "send_started_at": sent_at, "resolved_at": sent_at, "finished_at": sent_at,
        },
    )  # fmt: skip
    Message.objects.get_or_create(
        subject="CMA USA members' update: working groups, events, E3",
        defaults={
            "kind": Message.Kind.NEWSLETTER, "body": NEWSLETTER, "audience": members.to_json(),
            "audience_label": describe(members), "created_by": staff,
        },
    )  # fmt: skip
    return []
