"""Writes for events: scheduling, registration with capacity and waitlist,
attendance, emails, reminders, calendar feeds and group meetings.

Every function is keyword-only and atomic. Refusals are `cma.errors` kinds
(`Refused`, `NotFound`, `Conflict`, and the subclasses below where a page
differs); invalid values are `ValidationError`s keyed by field. Mail goes
through `notifications.services.notify()` inside the same transaction (sent
after commit, once per dedupe key); fan-outs to every registrant run as
tasks after commit.

The functions live in small modules by subject; import them from here:
`from events import services; services.event_register(...)`.
"""

from __future__ import annotations

from ._common import (
    CALENDAR_FIELDS,
    EVENT_FIELDS,
    RESERVED_SLUGS,
    TIME_FIELDS,
    AlreadyRegistered,
    MembershipRequired,
    NotPublishable,
)
from .emails import event_announce_cancellation, event_announce_reschedule
from .feeds import calendar_feed_enable, calendar_feed_regenerate, calendar_feed_revoke, calendar_feed_touch
from .meetings import meeting_announce, meeting_schedule
from .registration import (
    clean_answers,
    event_register,
    registration_cancel,
    registration_set_attendance,
)
from .reminders import reminders_send_due
from .scheduling import (
    event_cancel,
    event_check,
    event_create,
    event_duplicate,
    event_publish,
    event_reschedule,
    event_update,
)

__all__ = [
    "CALENDAR_FIELDS", "EVENT_FIELDS", "RESERVED_SLUGS", "TIME_FIELDS", "AlreadyRegistered", "MembershipRequired",
    "NotPublishable", "calendar_feed_enable", "calendar_feed_regenerate", "calendar_feed_revoke",
    "calendar_feed_touch", "clean_answers", "event_announce_cancellation", "event_announce_reschedule",
    "event_cancel", "event_check", "event_create", "event_duplicate", "event_publish", "event_register",
    "event_reschedule", "event_update", "meeting_announce", "meeting_schedule", "registration_cancel",
    "registration_set_attendance", "reminders_send_due",
]  # fmt: skip
