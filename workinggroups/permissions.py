"""Who may do what in a working group: the one place every view asks.

`get_group_for_user(user, slug)` loads the group and the user's standing in
it; views then call `require_private(access)` before showing anything
private (documents, members, activity) and `require_manager(access)` before
chair actions. A person without private access gets 404 for private things
(a document's existence is itself private); a group member who is not a
chair gets 403 for chair actions. Refusals are `cma.errors` kinds
(`NotFound`, `Refused`), turned into those answers by `@service_errors`.

One exception to the bare 404: a person of a member organization who opens
a link to one of the group's documents is told the group's documents are
for its members and how to join (`offers_membership`), without a word about
the document itself.

Group membership counts only while the person's organization is in good
standing (members.selectors), decided at request time: a lapsed
organization's people lose access without any row changing. Staff act on
every group, but only with two-factor authentication set up, the same gate
as the staff pages and the admin.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from cma.access import is_staff_with_mfa
from cma.errors import NotFound, Refused
from members.selectors import user_is_member

from .models import Comment, Document, GroupMembership, WorkingGroup

if TYPE_CHECKING:
    from members.models import User

ARCHIVED_MESSAGE = "This working group is archived and read-only."


@dataclass(frozen=True)
class GroupAccess:
    group: WorkingGroup
    user: User
    membership: GroupMembership | None  # the user's row in this group, whatever its status
    association_member: bool  # the user's organization is a member in good standing
    is_staff: bool

    # --- standing -------------------------------------------------------------

    @property
    def is_member(self) -> bool:
        return (
            self.association_member
            and self.membership is not None
            and self.membership.status == GroupMembership.Status.ACTIVE
        )

    @property
    def is_chair(self) -> bool:
        return self.is_member and self.membership is not None and self.membership.role == GroupMembership.Role.CHAIR

    @property
    def suspended(self) -> bool:
        """An active group membership that counts for nothing while the
        person's organization is not in good standing."""
        return (
            not self.association_member
            and self.membership is not None
            and self.membership.status == GroupMembership.Status.ACTIVE
        )

    @property
    def status(self) -> str:
        return self.membership.status if self.membership else ""

    @property
    def is_active_group(self) -> bool:
        return self.group.status == WorkingGroup.Status.ACTIVE

    # --- what the person may do -------------------------------------------------

    @property
    def can_view_private(self) -> bool:
        """Documents, members, activity, group events."""
        return self.is_member or self.is_staff

    @property
    def can_manage(self) -> bool:
        """Approve requests, invite, remove members, set roles, archive documents."""
        return self.is_chair or self.is_staff

    @property
    def can_schedule(self) -> bool:
        """Call a group meeting (an event only the group's members may attend)."""
        return self.can_manage and self.is_active_group

    @property
    def meeting_refusal(self) -> str | None:
        """Why the person may not call a meeting of the group; None if they may."""
        if not self.can_manage:
            return "Only the group's chairs and association staff can schedule its meetings."
        if not self.is_active_group:
            return ARCHIVED_MESSAGE
        return None

    @property
    def offers_membership(self) -> bool:
        """A person of a member organization outside the group: a link to one
        of its documents answers "for its members; here is how to join"
        rather than a bare 404 (still 404, and never about the document)."""
        return self.association_member and not self.can_view_private

    @property
    def can_contribute(self) -> bool:
        """Upload documents and versions, comment."""
        return self.can_view_private and self.is_active_group

    @property
    def can_join(self) -> bool:
        return (
            self.is_active_group
            and self.association_member
            and self.group.join_policy == WorkingGroup.JoinPolicy.OPEN
            and self.status not in (GroupMembership.Status.ACTIVE, GroupMembership.Status.REMOVED)
        )

    @property
    def can_request(self) -> bool:
        return (
            self.is_active_group
            and self.association_member
            and self.group.join_policy == WorkingGroup.JoinPolicy.REQUEST
            and self.status not in (GroupMembership.Status.ACTIVE, GroupMembership.Status.REQUESTED)
        )

    @property
    def has_invitation(self) -> bool:
        return self.is_active_group and self.status == GroupMembership.Status.INVITED

    @property
    def has_pending_request(self) -> bool:
        return self.status == GroupMembership.Status.REQUESTED

    def can_edit_document(self, document: Document) -> bool:
        """Title, description and tags: whoever created it, chairs and staff."""
        return self.can_contribute and (self.can_manage or document.created_by_id == self.user.pk)

    def can_edit_comment(self, comment: Comment) -> bool:
        return self.can_contribute and not comment.is_removed and comment.author_id == self.user.pk

    def can_remove_comment(self, comment: Comment) -> bool:
        return self.can_contribute and not comment.is_removed and (self.can_manage or comment.author_id == self.user.pk)


def get_group_for_user(user: User, slug: str) -> GroupAccess:
    """The group with this slug and the user's standing in it; NotFound when
    there is no such group. Three queries at most (group, row, standing)."""
    group = WorkingGroup.objects.filter(slug=slug).first()
    if group is None:
        raise NotFound("No such working group.")
    return access_for(user, group)


def access_for(user: User, group: WorkingGroup) -> GroupAccess:
    if not user.is_authenticated:
        return GroupAccess(group=group, user=user, membership=None, association_member=False, is_staff=False)
    membership = GroupMembership.objects.filter(group=group, user=user).first()
    is_staff = is_staff_with_mfa(user)
    return GroupAccess(
        group=group,
        user=user,
        membership=membership,
        association_member=user_is_member(user),
        is_staff=is_staff,
    )


def require_private(access: GroupAccess) -> GroupAccess:
    """404 unless the user may see the group's private pages."""
    if not access.can_view_private:
        raise NotFound("No such page.")
    return access


def require_contributor(access: GroupAccess) -> GroupAccess:
    """404 for outsiders, 403 in an archived group."""
    require_private(access)
    if not access.is_active_group:
        raise Refused(ARCHIVED_MESSAGE)
    return access


def require_manager(access: GroupAccess) -> GroupAccess:
    """404 for outsiders, 403 for members who are not chairs."""
    require_private(access)
    if not access.can_manage:
        raise Refused("Only the group's chairs and association staff can do this.")
    return access


def require_signed_in_member(access: GroupAccess) -> GroupAccess:
    """For joining: 403 with a reason for people who cannot join any group."""
    if not access.association_member:
        if access.suspended:
            raise Refused(
                "Your organization's membership is not in good standing, so your working-group access is paused "
                "until it is renewed."
            )
        raise Refused("Working groups are open to people of CMA USA member organizations.")
    return access
