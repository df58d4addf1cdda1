"""What an email is about, and so whether its recipient may turn it off.

Every email the portal sends has a topic. The optional topics are the ones a
person chooses on their preferences page (immediately, in a daily or weekly
digest, or not at all) and can leave with the one-click unsubscribe link.
Everything else is transactional: a sign-in link, the confirmation of
something the person did, their membership and invoices, a change to an
event they registered for. Those always go out; the preferences page says so.
"""

from __future__ import annotations

from django.db import models


class Topic(models.TextChoices):
    ANNOUNCEMENTS = "announcements", "Announcements"
    NEWSLETTERS = "newsletters", "Newsletters"
    EVENTS = "events", "Event reminders"
    WORKING_GROUPS = "workinggroups", "Working-group activity"
    PETITIONS = "petitions", "Petition updates"
    # The daily or weekly digest of the topics above; its unsubscribe link
    # stops every optional topic.
    DIGEST = "digest", "Digests"
    TRANSACTIONAL = "transactional", "About something you did or that concerns you directly"


class Mode(models.TextChoices):
    IMMEDIATELY = "immediately", "Immediately"
    DAILY = "daily", "Daily digest"
    WEEKLY = "weekly", "Weekly digest"
    OFF = "off", "Off"


OPTIONAL_TOPICS: frozenset[str] = frozenset(
    {Topic.ANNOUNCEMENTS, Topic.NEWSLETTERS, Topic.EVENTS, Topic.WORKING_GROUPS, Topic.PETITIONS, Topic.DIGEST}
)
# The topics a person chooses among (the digest follows from them).
CHOOSABLE_TOPICS: tuple[str, ...] = (
    Topic.ANNOUNCEMENTS, Topic.NEWSLETTERS, Topic.EVENTS, Topic.WORKING_GROUPS, Topic.PETITIONS,
)  # fmt: skip

# Shown under each choice on the preferences page.
DESCRIPTIONS: dict[str, str] = {
    Topic.ANNOUNCEMENTS: "News from the association's staff to members: policy updates, calls to action.",
    Topic.NEWSLETTERS: "The association's newsletter.",
    Topic.EVENTS: "Reminders a day and an hour before events you registered for.",
    Topic.WORKING_GROUPS: "New documents, versions, comments, meetings and members in your working groups.",
    Topic.PETITIONS: "Updates on petitions you signed and asked to hear about.",
}

# What the preferences page lists as always sent, and why.
ALWAYS_SENT: list[str] = [
    "Sign-in, email confirmation and password links (your account's security depends on them).",
    "Confirmations of what you did: event registrations and their changes, petition sign-ons, applications.",
    "Your organization's membership: decisions, renewals, invoices and receipts, the charter.",
    "Invitations and requests that need your answer (working-group invitations, join requests you chair).",
]


def is_optional(topic: str) -> bool:
    return topic in OPTIONAL_TOPICS
