"""Group meetings, scheduled by chairs through the events app."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.urls import reverse

from cma.http import absolute_url
from notifications.services import notify_each

from .. import selectors
from ..models import Activity, WorkingGroup
from ._common import (
    _record,
    _require_active_group,
    _require_manager,
)

if TYPE_CHECKING:
    from members.models import User


def meeting_schedule(*, actor: User, group: WorkingGroup, **fields):
    """A chair (or staff) schedules a meeting only the group's members may
    attend: created and published through the events app's services, and
    announced to the members (task on commit). `fields` are event fields
    (title, kind, summary, starts_at, ends_at, time_zone, venue_name,
    online_url, capacity, …). Raises PermissionDenied, ValidationError
    (field by field), events.services.EventError."""
    from events.models import Event
    from events.services import event_create, event_publish

    _require_manager(actor, group)
    _require_active_group(group)
    with transaction.atomic():
        event = event_create(actor=actor, visibility=Event.Visibility.GROUP, working_group=group, **fields)
        event_publish(actor=actor, event=event)
        _record(
            actor=actor,
            action="meeting.schedule",
            target=group,
            note=event.title,
            activity=(Activity.Kind.MEETING, None, event.title),
            group=group,
        )
        from .. import tasks

        tasks.announce_meeting.delay_on_commit(event.pk)
    return event


def meeting_announce(*, event_id: int) -> int:
    """Email the group's members (not whoever scheduled it) about a new group
    meeting. Safe to run twice. Returns how many were told."""
    from events.formatting import event_when
    from events.models import Event

    event = Event.objects.select_related("working_group").filter(pk=event_id, working_group__isnull=False).first()
    if event is None or event.status != Event.Status.PUBLISHED:
        return 0
    group = event.working_group
    recipients = [u for u in selectors.member_users(group) if u.pk != event.created_by_id]
    path = _event_path(event)
    with transaction.atomic():
        notify_each(
            users=recipients,
            template="workinggroups/new_meeting",
            dedupe_key=f"wg:meeting:{event.pk}",
            context={"group": group, "event": event, "when": event_when(event), "event_url": absolute_url(path)},
            url=path,
        )
    return len(recipients)


def _event_path(event) -> str:
    return reverse("events:detail", kwargs={"slug": event.slug})
