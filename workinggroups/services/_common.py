"""What every working-group service shares: access checks, audit and
activity rows, notices to chairs.

Refusals are `cma.errors` kinds: `Refused` when the person may not (not a
member, not a chair, an archived group), `Conflict` when the state does not
allow it (already a member, already decided, the last chair).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.db.models import Model
from django.urls import reverse

from cma.access import is_staff_with_mfa
from cma.audit import audit
from cma.errors import Refused
from cma.models import AuditEntry
from notifications.services import notify_each, notify_staff
from notifications.topics import Topic

from .. import selectors
from ..models import Activity, Document, GroupMembership, WorkingGroup
from ..permissions import ARCHIVED_MESSAGE, GroupAccess, access_for

if TYPE_CHECKING:
    from members.models import User


Status = GroupMembership.Status
Role = GroupMembership.Role
MAX_TAGS = 8
# A second identical comment or document from the same person this soon is a
# double submission, not something they meant to post twice.
DUPLICATE_WINDOW_SECONDS = 120


# --- Helpers ---------------------------------------------------------------------------


def _access(actor: User, group: WorkingGroup) -> GroupAccess:
    return access_for(actor, group)


def _require_active_group(group: WorkingGroup) -> None:
    # Re-read: the group may have been archived since the caller loaded it.
    if WorkingGroup.objects.filter(pk=group.pk, status=WorkingGroup.Status.ARCHIVED).exists():
        raise Refused(ARCHIVED_MESSAGE)


def _require_manager(actor: User, group: WorkingGroup) -> GroupAccess:
    access = _access(actor, group)
    if not access.can_manage:
        raise Refused("Only the group's chairs and association staff can do this.")
    return access


def _require_contributor(actor: User, group: WorkingGroup) -> GroupAccess:
    access = _access(actor, group)
    if not access.can_view_private:
        raise Refused("Only members of this working group can do this.")
    _require_active_group(group)
    return access


def _row_for_update(group: WorkingGroup, user: User, defaults: Mapping[str, Any]) -> tuple[GroupMembership, bool]:
    """The (group, user) row, locked, or a new one from `defaults`. Two
    concurrent first requests meet at the unique constraint: the loser
    re-reads the winner's row and goes on from its state."""
    row, created = GroupMembership.objects.get_or_create(group=group, user=user, defaults=defaults)
    if created:
        return row, True
    return GroupMembership.objects.select_for_update().get(pk=row.pk), False


def _lock(membership: GroupMembership) -> GroupMembership:
    return GroupMembership.objects.select_for_update().select_related("group", "user").get(pk=membership.pk)


def _group_url(group: WorkingGroup, name: str = "detail", **kwargs: object) -> str:
    return reverse(f"workinggroups:{name}", kwargs={"slug": group.slug, **kwargs})


def _record(
    *,
    actor: User | None,
    action: str,
    target: Model,
    from_state: str = "",
    to_state: str = "",
    note: str = "",
    activity: tuple[str, Document | None, str] | None = None,
    group: WorkingGroup | None = None,
    activity_actor: User | None = None,
) -> AuditEntry:
    entry = audit(
        actor=actor,
        action=f"workinggroups.{action}",
        target=target,
        from_state=from_state,
        to_state=to_state,
        note=note,
    )
    if activity is not None and group is not None:
        kind, document, subject = activity
        Activity.objects.create(
            group=group, actor=activity_actor or actor, kind=kind, document=document, subject=subject[:255]
        )
    return entry


def _tell_chairs(
    *,
    group: WorkingGroup,
    template: str,
    dedupe_key: str,
    context: Mapping[str, Any],
    url: str,
    exclude: Iterable[User] = (),
    topic: str = Topic.TRANSACTIONAL,
) -> None:
    """Tell the group's chairs. Requests that need their answer are
    transactional; news about the group (a new member) is group activity,
    which a chair can mute with the group."""
    excluded = {u.pk for u in exclude}
    chairs = [u for u in selectors.chair_users(group) if u.pk not in excluded]
    if chairs:
        scope = str(group.pk) if topic == Topic.WORKING_GROUPS else ""
        notify_each(
            users=chairs, template=template, dedupe_key=dedupe_key, context=context, url=url, topic=topic, scope=scope
        )
    elif template == "workinggroups/join_request":
        # Nobody chairs the group: staff decide instead of the request waiting forever.
        notify_staff(template=template, dedupe_key=dedupe_key, context=context, url=url)


def _person(user: User) -> str:
    return user.display_name if hasattr(user, "display_name") else str(user)


def _require_staff(actor: User) -> None:
    if not is_staff_with_mfa(actor):
        raise Refused("Only association staff can do this.")
