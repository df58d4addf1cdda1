"""Group meetings are events (`events.services.meeting_schedule`); the group
keeps a record of each in its activity feed and audit log."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..models import Activity, WorkingGroup
from ._common import _record

if TYPE_CHECKING:
    from members.models import User


def meeting_record(*, actor: User, group_id: int, title: str) -> None:
    """Note a meeting just scheduled for the group in its activity feed and
    audit log. Called (through `events.signals.meeting_scheduled`) inside the
    transaction that schedules it, so both are kept or neither. Checks
    nothing: the events service decided who may schedule."""
    group = WorkingGroup.objects.get(pk=group_id)
    _record(
        actor=actor,
        action="meeting.schedule",
        target=group,
        note=title,
        activity=(Activity.Kind.MEETING, None, title),
        group=group,
    )
