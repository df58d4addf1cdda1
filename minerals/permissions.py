"""Who sees what in minerals — decided here, used by every view and export.

Three scopes of viewer: the public, people of member organizations, staff
(with their second factor). An organization's own people also always see
their own organization's entries, whatever their visibility.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from django.http import Http404

from cma.access import is_staff_with_mfa
from members.models import Membership, Organization, OrganizationMember
from members.selectors import user_is_member

from .models import Involvement

if TYPE_CHECKING:
    from members.models import User

Scope = Literal["public", "members", "staff"]


def viewer_scope(user: User) -> Scope:
    if not user.is_authenticated:
        return "public"
    if is_staff_with_mfa(user):
        return "staff"
    return "members" if user_is_member(user) else "public"


def viewer(user: User) -> tuple[Scope, set[int]]:
    """The viewer's scope and own organizations, in one query."""
    if not user.is_authenticated:
        return "public", set()
    rows = list(
        OrganizationMember.objects.filter(user=user).values_list("organization_id", "organization__membership__status")
    )
    own = {org for org, _ in rows}
    if is_staff_with_mfa(user):
        return "staff", own
    member = any(status in Membership.IN_GOOD_STANDING for _, status in rows)
    return ("members" if member else "public"), own


def named_visibilities(scope: Scope) -> tuple[str, ...]:
    """The visibilities whose organizations a viewer of this scope sees named."""
    if scope == "staff":
        return tuple(Involvement.Visibility.values)
    if scope == "members":
        return Involvement.NAMED_TO_MEMBERS
    return Involvement.NAMED_TO_PUBLIC


def counted_visibilities(scope: Scope) -> tuple[str, ...]:
    """The visibilities counted in the matrix: all for staff; for everyone
    else all but staff-only (aggregate-only entries are counted, never named)."""
    return tuple(Involvement.Visibility.values) if scope == "staff" else Involvement.COUNTED


def own_organization_ids(user: User) -> set[int]:
    if not user.is_authenticated:
        return set()
    return set(OrganizationMember.objects.filter(user=user).values_list("organization_id", flat=True))


def can_see_matrix(user: User, *, published: bool) -> bool:
    return published or viewer_scope(user) != "public"


def demand_organization(user: User, organization_id: int | str | None) -> Organization:
    """The member organization `user` declares demand for. An id the user
    does not belong to (a tampered form) is answered as not found."""
    try:
        pk = int(organization_id or 0)
    except (TypeError, ValueError):
        raise Http404 from None
    organization = Organization.objects.filter(
        pk=pk, people__user=user, membership__status__in=Membership.IN_GOOD_STANDING
    ).first()
    if organization is None or not user.is_authenticated:
        raise Http404("No such organization among yours.")
    return organization
