"""Reads for membership. Other apps ask here who is a member."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from .models import Membership, Organization, OrganizationMember, Segment, User


def segments_for_home() -> QuerySet[Segment]:
    return Segment.objects.order_by("position", "name")


def in_good_standing_q(user_path: str = "") -> Q:
    """A Q for User querysets (or models reaching a user through `user_path`)
    matching people of at least one organization whose membership is active
    or in grace. `User.objects.filter(in_good_standing_q())`."""
    prefix = f"{user_path}__" if user_path else ""
    return Q(**{f"{prefix}organization_roles__organization__membership__status__in": Membership.IN_GOOD_STANDING})


def good_standing_exists(user_ref: str = "pk") -> Exists:
    """An EXISTS subquery for annotating or filtering without duplicate rows:
    `qs.filter(good_standing_exists("user_id"))` on any model with a user."""
    return Exists(
        OrganizationMember.objects.filter(
            user_id=OuterRef(user_ref), organization__membership__status__in=Membership.IN_GOOD_STANDING
        )
    )


def user_is_member(user: User) -> bool:
    """True when the user belongs to an organization whose membership is in good standing."""
    if not user.is_authenticated:
        return False
    return OrganizationMember.objects.filter(
        user=user, organization__membership__status__in=Membership.IN_GOOD_STANDING
    ).exists()


def member_organizations_of(user: User) -> QuerySet[Organization]:
    """The user's organizations that are members in good standing."""
    return Organization.objects.filter(people__user=user, membership__status__in=Membership.IN_GOOD_STANDING).distinct()
