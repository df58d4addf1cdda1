"""Group meetings: events only a working group's members may attend, called
by its chairs (or staff) and announced to its members.

Events knows working groups only through `events.groups.directory()`; the
working-groups app hears of a new meeting through the `meeting_scheduled`
signal, sent inside the same transaction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone

from cma.errors import Refused
from cma.http import absolute_url
from cma.publish import publish_on_commit
from notifications.services import notify_each
from notifications.topics import Topic

from ..formatting import event_when
from ..groups import directory
from ..models import Event
from ..signals import meeting_scheduled
from .scheduling import event_create, event_publish

if TYPE_CHECKING:
    from members.models import User


@transaction.atomic
def meeting_schedule(*, actor: User, group: Model, **fields: Any) -> Event:
    """A chair of `group` (or staff) schedules a meeting only the group's
    members may attend: created and published at once, so it must start in
    the future. `fields` are event fields (title, kind, summary, description,
    starts_at, ends_at, time_zone, venue_name, online_url, capacity, …) and
    pass the rules of every event.

    Raises Refused (not a chair or staff, or the group is archived) or
    ValidationError (field by field). Sends `meeting_scheduled`; enqueues,
    after commit, an email to the group's members.
    """
    refusal = directory().meeting_refusal(actor, group.pk)
    if refusal is not None:
        raise Refused(refusal)
    starts_at = fields.get("starts_at")
    if starts_at is not None and starts_at <= timezone.now():
        raise ValidationError({"starts_at": "Choose a time in the future."})
    event = event_create(actor=actor, visibility=Event.Visibility.GROUP, working_group=group, **fields)
    event_publish(actor=actor, event=event)
    meeting_scheduled.send(sender=Event, event=event, actor=actor)
    from .. import tasks

    publish_on_commit(tasks.announce_meeting, event.pk)
    return event


def meeting_announce(*, event_id: int) -> int:
    """Email the group's members (not whoever scheduled it) about a new group
    meeting; the task behind `meeting_schedule`. Safe to run twice (one
    dedupe key per member and meeting). Returns how many were told."""
    event = Event.objects.select_related("working_group").filter(pk=event_id, status=Event.Status.PUBLISHED).first()
    if event is None or event.working_group_id is None:
        return 0
    recipients = [u for u in directory().meeting_audience(event.working_group_id) if u.pk != event.created_by_id]
    path = reverse("events:detail", kwargs={"slug": event.slug})
    with transaction.atomic():
        notify_each(
            users=recipients,
            template="events/group_meeting",
            topic=Topic.WORKING_GROUPS,
            scope=str(event.working_group_id),
            # The key the working-groups app used before meetings moved here:
            # an announcement already sent is not sent again.
            dedupe_key=f"wg:meeting:{event.pk}",
            context={
                "group": event.working_group,
                "event": event,
                "when": event_when(event),
                "event_url": absolute_url(path),
            },
            url=path,
        )
    return len(recipients)
