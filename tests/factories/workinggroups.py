"""Working groups, their memberships, documents, versions and comments."""

from __future__ import annotations

import factory
from django.utils import timezone
from django.utils.text import slugify

from workinggroups.models import GroupMembership, WorkingGroup

from .members import MemberFactory

__all__ = ["GroupMembershipFactory", "WorkingGroupFactory", "group_member"]


class WorkingGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkingGroup

    name = factory.Sequence(lambda n: f"Working Group {n}")
    slug = factory.LazyAttribute(lambda g: slugify(g.name))
    summary = "Drafting the association's positions."
    mission = "We draft **comments** for the association."
    status = WorkingGroup.Status.ACTIVE
    join_policy = WorkingGroup.JoinPolicy.REQUEST
    antitrust_notice = "Do not discuss prices, wages, bids or customers."


class GroupMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GroupMembership

    group = factory.SubFactory(WorkingGroupFactory)
    user = factory.LazyFunction(lambda: MemberFactory().user)
    role = GroupMembership.Role.MEMBER
    status = GroupMembership.Status.ACTIVE
    joined_at = factory.LazyFunction(timezone.now)


def group_member(group: WorkingGroup, *, role: str = GroupMembership.Role.MEMBER, user=None):
    """A person of an active member organization, active in `group` with `role`."""
    user = user or MemberFactory().user
    GroupMembershipFactory(group=group, user=user, role=role)
    return user
