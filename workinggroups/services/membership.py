"""Membership: joining, requests and their answers, invitations, leaving,
removal, roles.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cma.errors import Conflict, Refused
from cma.http import absolute_url
from members.selectors import member_organizations_of, user_is_member
from notifications.services import notify
from notifications.topics import Topic

from .. import selectors
from ..models import Activity, GroupMembership, WorkingGroup
from ._common import (
    Role,
    Status,
    _group_url,
    _lock,
    _person,
    _record,
    _require_active_group,
    _require_manager,
    _require_staff,
    _row_for_update,
    _tell_chairs,
)

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from cma.models import AuditEntry
    from members.models import Organization, User


def _require_can_join_something(actor: User, group: WorkingGroup) -> None:
    _require_active_group(group)
    if not user_is_member(actor):
        raise Refused("Working groups are open to people of CMA USA member organizations in good standing.")
    if group.join_policy == WorkingGroup.JoinPolicy.INVITATION:
        raise Refused("This group is by invitation only. Ask one of its chairs to invite you.")


def _activate(row: GroupMembership, *, decided_by: User | None = None) -> str:
    previous = row.status
    now = timezone.now()
    row.status = Status.ACTIVE
    row.role = Role.MEMBER
    row.joined_at = now
    if decided_by is not None:
        row.decided_by, row.decided_at = decided_by, now
    row.save()
    return previous


def _announce_new_member(row: GroupMembership, *, actor: User, entry: AuditEntry) -> None:
    group = row.group
    _tell_chairs(
        group=group,
        template="workinggroups/new_member",
        topic=Topic.WORKING_GROUPS,
        dedupe_key=f"wg:new-member:{entry.pk}",
        context={"group": group, "member": row.user, "members_url": absolute_url(_group_url(group, "members"))},
        url=_group_url(group, "members"),
        exclude=[actor, row.user],
    )


@transaction.atomic
def membership_join(*, actor: User, group: WorkingGroup) -> GroupMembership:
    """Join an open group at once. Tells the chairs.

    Raises Refused (not a member organization, invitation-only or
    archived group, removed by a chair) or Conflict (already in it,
    or the group takes requests instead).
    """
    _require_can_join_something(actor, group)
    if group.join_policy != WorkingGroup.JoinPolicy.OPEN:
        raise Conflict("This group takes requests to join: a chair approves them.")
    row, created = _row_for_update(
        group, actor, {"status": Status.ACTIVE, "role": Role.MEMBER, "joined_at": timezone.now()}
    )
    previous = ""
    if not created:
        if row.status == Status.ACTIVE:
            raise Conflict("You are already a member of this group.")
        if row.status == Status.REMOVED:
            raise Refused("A chair removed you from this group. Ask a chair to invite you back.")
        previous = _activate(row)
    entry = _record(
        actor=actor,
        action="membership.join",
        target=row,
        from_state=previous,
        to_state=row.status,
        activity=(Activity.Kind.JOINED, None, ""),
        group=group,
    )
    _announce_new_member(row, actor=actor, entry=entry)
    return row


@transaction.atomic
def membership_request(*, actor: User, group: WorkingGroup, message: str = "") -> GroupMembership:
    """Ask to join a by-request group; the chairs (or staff, if it has none)
    are told. Raises Refused or Conflict (already a member,
    a request already waiting, an invitation to accept instead)."""
    _require_can_join_something(actor, group)
    if group.join_policy != WorkingGroup.JoinPolicy.REQUEST:
        raise Conflict("This group is open: join it directly.")
    message = message.strip()[:1000]
    row, created = _row_for_update(group, actor, {"status": Status.REQUESTED, "message": message})
    previous = ""
    if not created:
        if row.status == Status.ACTIVE:
            raise Conflict("You are already a member of this group.")
        if row.status == Status.REQUESTED:
            raise Conflict("Your request to join is already waiting for a chair.")
        if row.status == Status.INVITED:
            raise Conflict("You have been invited to this group: accept the invitation instead.")
        previous = row.status
        row.status, row.message, row.role = Status.REQUESTED, message, Role.MEMBER
        row.decided_by = row.decided_at = None
        row.save()
    entry = _record(
        actor=actor, action="membership.request", target=row, from_state=previous, to_state=row.status, note=message
    )
    _tell_chairs(
        group=group,
        template="workinggroups/join_request",
        dedupe_key=f"wg:join-request:{entry.pk}",
        context={
            "group": group,
            "requester": actor,
            "organizations": [o.name for o in _organizations_of(actor)],
            "message": message,
            "members_url": absolute_url(_group_url(group, "members")),
        },
        url=_group_url(group, "members"),
    )
    return row


def _organizations_of(user: User) -> QuerySet[Organization]:
    return member_organizations_of(user)


@transaction.atomic
def membership_withdraw(*, actor: User, group: WorkingGroup) -> GroupMembership:
    """requested → withdrawn, by the requester. Raises Conflict
    when there is no waiting request."""
    row = GroupMembership.objects.select_for_update().filter(group=group, user=actor).first()
    if row is None or row.status != Status.REQUESTED:
        raise Conflict("You have no request to join this group waiting.")
    row.status = Status.WITHDRAWN
    row.save()
    _record(actor=actor, action="membership.withdraw", target=row, from_state=Status.REQUESTED, to_state=row.status)
    return row


def _decide(*, actor: User, membership: GroupMembership, approve: bool, reason: str = "") -> GroupMembership:
    group = membership.group
    _require_manager(actor, group)
    _require_active_group(group)
    row = _lock(membership)
    if row.status != Status.REQUESTED:
        raise Conflict(f"This request has already been dealt with (it is now “{row.get_status_display()}”).")
    if approve:
        if not user_is_member(row.user):
            raise Conflict(
                f"{_person(row.user)}'s organization is no longer a member in good standing, "
                "so the request can't be approved."
            )
        previous = _activate(row, decided_by=actor)
    else:
        previous = row.status
        row.status, row.decided_by, row.decided_at = Status.DECLINED, actor, timezone.now()
        row.save()
    entry = _record(
        actor=actor,
        action="membership.approve" if approve else "membership.decline",
        target=row,
        from_state=previous,
        to_state=row.status,
        note=reason,
        activity=(Activity.Kind.JOINED, None, "") if approve else None,
        activity_actor=row.user,
        group=group,
    )
    notify(
        user=row.user,
        template="workinggroups/join_decision",
        dedupe_key=f"wg:decision:{entry.pk}",
        context={
            "group": group,
            "approved": approve,
            "reason": reason,
            "group_url": absolute_url(_group_url(group)),
        },
        url=_group_url(group) if approve else reverse("workinggroups:list"),
    )
    if approve:
        _announce_new_member(row, actor=actor, entry=entry)
    return row


@transaction.atomic
def membership_approve(*, actor: User, membership: GroupMembership) -> GroupMembership:
    """requested → active, by a chair or staff; the requester is told and
    the other chairs hear of the new member. Raises Refused,
    Conflict (already decided, requester no longer a member)."""
    return _decide(actor=actor, membership=membership, approve=True)


@transaction.atomic
def membership_decline(*, actor: User, membership: GroupMembership, reason: str = "") -> GroupMembership:
    """requested → declined, by a chair or staff; the requester is told, with
    the reason if one is given. Raises Refused, Conflict."""
    return _decide(actor=actor, membership=membership, approve=False, reason=reason.strip()[:1000])


@transaction.atomic
def membership_invite(*, actor: User, group: WorkingGroup, user: User, message: str = "") -> GroupMembership:
    """Invite a person of a member organization (chairs, staff); they are
    emailed and accept or decline on the group page. Raises Refused,
    Conflict (not in a member organization, already in the group or
    invited, has a request waiting)."""
    _require_manager(actor, group)
    _require_active_group(group)
    if not user_is_member(user):
        raise Conflict(f"{_person(user)} is not in a CMA USA member organization in good standing.", field="email")
    message = message.strip()[:1000]
    row, created = _row_for_update(group, user, {"status": Status.INVITED, "invited_by": actor, "message": message})
    previous = ""
    if not created:
        if row.status == Status.ACTIVE:
            raise Conflict(f"{_person(user)} is already a member of this group.", field="email")
        if row.status == Status.INVITED:
            raise Conflict(f"{_person(user)} has already been invited.", field="email")
        if row.status == Status.REQUESTED:
            raise Conflict(f"{_person(user)} has asked to join: approve the request instead.", field="email")
        previous = row.status
        row.status, row.invited_by, row.message, row.role = Status.INVITED, actor, message, Role.MEMBER
        row.save()
    entry = _record(
        actor=actor, action="membership.invite", target=row, from_state=previous, to_state=row.status, note=message
    )
    notify(
        user=user,
        template="workinggroups/invitation",
        dedupe_key=f"wg:invitation:{entry.pk}",
        context={"group": group, "inviter": actor, "message": message, "group_url": absolute_url(_group_url(group))},
        url=_group_url(group),
    )
    return row


@transaction.atomic
def membership_accept_invitation(*, actor: User, group: WorkingGroup) -> GroupMembership:
    """invited → active, by the invitee; the chairs are told. Raises
    Refused (organization not in good standing, archived group),
    Conflict (no invitation waiting)."""
    _require_active_group(group)
    row = GroupMembership.objects.select_for_update().filter(group=group, user=actor).first()
    if row is None or row.status != Status.INVITED:
        raise Conflict("You have no invitation to this group waiting.")
    if not user_is_member(actor):
        raise Refused("Your organization's membership is not in good standing, so you can't join now.")
    previous = _activate(row)
    entry = _record(
        actor=actor,
        action="membership.accept",
        target=row,
        from_state=previous,
        to_state=row.status,
        activity=(Activity.Kind.JOINED, None, ""),
        group=group,
    )
    _announce_new_member(row, actor=actor, entry=entry)
    return row


@transaction.atomic
def membership_decline_invitation(*, actor: User, group: WorkingGroup) -> GroupMembership:
    """invited → declined, by the invitee. Raises Conflict."""
    row = GroupMembership.objects.select_for_update().filter(group=group, user=actor).first()
    if row is None or row.status != Status.INVITED:
        raise Conflict("You have no invitation to this group waiting.")
    row.status = Status.DECLINED
    row.save()
    _record(
        actor=actor, action="membership.decline_invitation", target=row, from_state=Status.INVITED, to_state=row.status
    )
    return row


def _other_chairs_exist(row: GroupMembership) -> bool:
    return selectors.active_memberships(row.group).filter(role=Role.CHAIR).exclude(pk=row.pk).exists()


@transaction.atomic
def membership_leave(*, actor: User, group: WorkingGroup) -> GroupMembership:
    """active → left, by the member. A group's only chair must appoint
    another first. Raises Refused (archived group), Conflict."""
    _require_active_group(group)
    row = GroupMembership.objects.select_for_update().filter(group=group, user=actor).first()
    if row is None or row.status != Status.ACTIVE:
        raise Conflict("You are not a member of this group.")
    if row.role == Role.CHAIR and not _other_chairs_exist(row):
        raise Conflict("You are the group's only chair: make another member a chair before leaving.")
    row.status, row.role = Status.LEFT, Role.MEMBER
    row.save()
    _record(
        actor=actor,
        action="membership.leave",
        target=row,
        from_state=Status.ACTIVE,
        to_state=row.status,
        activity=(Activity.Kind.LEFT, None, ""),
        group=group,
    )
    return row


@transaction.atomic
def membership_remove(*, actor: User, membership: GroupMembership) -> GroupMembership:
    """active → removed, by a chair or staff (only staff remove a chair).
    The person may not re-join an open group by themselves. Raises
    Refused, Conflict (not active, yourself, last chair)."""
    group = membership.group
    access = _require_manager(actor, group)
    _require_active_group(group)
    row = _lock(membership)
    if row.status != Status.ACTIVE:
        raise Conflict(f"{_person(row.user)} is not an active member of this group.")
    if row.user_id == actor.pk:
        raise Conflict("To leave the group yourself, use “Leave group”.")
    if row.role == Role.CHAIR:
        if not access.is_staff:
            raise Refused("Only association staff can remove a chair.")
        if not _other_chairs_exist(row):
            raise Conflict("This is the group's only chair: make another member a chair first.")
    row.status, row.role, row.decided_by, row.decided_at = Status.REMOVED, Role.MEMBER, actor, timezone.now()
    row.save()
    _record(
        actor=actor,
        action="membership.remove",
        target=row,
        from_state=Status.ACTIVE,
        to_state=row.status,
        activity=(Activity.Kind.REMOVED, None, _person(row.user)),
        group=group,
    )
    return row


@transaction.atomic
def membership_set_role(*, actor: User, membership: GroupMembership, role: str) -> GroupMembership:
    """Make an active member a chair, or a chair a member again. Chairs
    appoint chairs and may step down themselves; only staff demote another
    chair; the last chair stays. Raises Refused, Conflict."""
    group = membership.group
    access = _require_manager(actor, group)
    _require_active_group(group)
    if role not in Role.values:
        raise ValidationError({"role": "Unknown role."})
    row = _lock(membership)
    if row.status != Status.ACTIVE:
        raise Conflict(f"{_person(row.user)} is not an active member of this group.")
    if row.role == role:
        raise Conflict(f"{_person(row.user)} is already a {row.get_role_display().lower()}.")
    if role == Role.MEMBER:
        if row.user_id != actor.pk and not access.is_staff:
            raise Refused("Only association staff can make another chair a member again.")
        if not _other_chairs_exist(row):
            raise Conflict("The group needs at least one chair: appoint another chair first.")
    if role == Role.CHAIR and not user_is_member(row.user):
        raise Conflict(f"{_person(row.user)}'s organization is not in good standing.")
    previous = row.role
    row.role = role
    row.save()
    _record(
        actor=actor,
        action="membership.role",
        target=row,
        from_state=previous,
        to_state=role,
        activity=(Activity.Kind.ROLE, None, f"{_person(row.user)} is now {row.get_role_display().lower()}"),
        group=group,
    )
    return row


@transaction.atomic
def membership_appoint_chair(*, actor: User, group: WorkingGroup, user: User) -> GroupMembership:
    """Staff make a person of a member organization a chair directly (a new
    group needs its first chair; no invitation round). They are emailed.
    Raises Refused, Conflict (not in a member organization,
    already a chair)."""
    _require_staff(actor)
    _require_active_group(group)
    if not user_is_member(user):
        raise Conflict(f"{_person(user)} is not in a CMA USA member organization in good standing.", field="email")
    row, created = _row_for_update(
        group, user, {"status": Status.ACTIVE, "role": Role.CHAIR, "joined_at": timezone.now(), "decided_by": actor}
    )
    previous = "" if created else f"{row.status}/{row.role}"
    if not created:
        if row.status == Status.ACTIVE and row.role == Role.CHAIR:
            raise Conflict(f"{_person(user)} already chairs this group.", field="email")
        if row.status != Status.ACTIVE:
            row.joined_at = timezone.now()
        row.status, row.role, row.decided_by, row.decided_at = Status.ACTIVE, Role.CHAIR, actor, timezone.now()
        row.save()
    entry = _record(
        actor=actor,
        action="membership.appoint_chair",
        target=row,
        from_state=previous,
        to_state="active/chair",
        activity=(Activity.Kind.ROLE, None, f"{_person(user)} is now chair"),
        group=group,
    )
    notify(
        user=user,
        template="workinggroups/chair_appointed",
        dedupe_key=f"wg:chair:{entry.pk}",
        context={"group": group, "members_url": absolute_url(_group_url(group, "members"))},
        url=_group_url(group, "members"),
    )
    return row
