"""Who may see and do what in membership — one place, used by every view.

This is the access layer views call before anything else, so it answers the
way Django does (PermissionDenied for a 403, Http404 for what an outsider is
not told exists). Services check again where it matters and raise
`cma.errors.Refused` instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404

from .models import Application, Membership, Organization, OrganizationMember, User
from .selectors import organization_for_profile, user_is_member


def is_staff(user: User) -> bool:
    return user.is_authenticated and user.is_active and user.is_staff


def can_use_member_directory(user: User) -> bool:
    """The members-only directory: people of member organizations, and staff."""
    return is_staff(user) or user_is_member(user)


def require_member_directory(user: User) -> None:
    if not can_use_member_directory(user):
        raise PermissionDenied(
            "The full directory is for people of member organizations. The public directory lists those that chose to appear in it."
        )


@dataclass(frozen=True)
class ProfileAccess:
    organization: Organization
    sees_contacts: bool


def get_organization_for_viewer(user: User, slug: str) -> ProfileAccess:
    """An organization's profile page, if the viewer may see it.

    Public: members in good standing that opted into the public listing.
    Members and staff see every member organization, and contacts. People
    of an organization always see their own. Anyone else gets a 404: an
    unlisted organization's membership is not announced.
    """
    organization = organization_for_profile(slug)
    if organization is None:
        raise Http404
    own = user.is_authenticated and OrganizationMember.objects.filter(organization=organization, user=user).exists()
    insider = is_staff(user) or user_is_member(user)
    membership = getattr(organization, "membership", None)
    listed = membership is not None and membership.status in Membership.IN_GOOD_STANDING
    if own or (insider and listed) or is_staff(user):
        return ProfileAccess(organization, sees_contacts=True)
    if listed and organization.public_listing:
        return ProfileAccess(organization, sees_contacts=False)
    raise Http404


def get_organization_to_manage(user: User, slug: str) -> Organization:
    """The organization, for its primary contacts and staff.

    Other people of the organization get a 403 (they know it exists);
    everyone else a 404.
    """
    organization = Organization.objects.filter(slug=slug).select_related("membership__tier").first()
    if organization is None or not user.is_authenticated:
        raise Http404
    if is_staff(user):
        return organization
    role = (
        OrganizationMember.objects.filter(organization=organization, user=user).values_list("role", flat=True).first()
    )
    if role is None:
        raise Http404
    if role != OrganizationMember.Role.PRIMARY_CONTACT:
        raise PermissionDenied(f"Only {organization.name}'s primary contacts can manage it.")
    return organization


def get_own_application(user: User, pk: int) -> Application:
    application = (
        Application.objects.select_related("tier", "organization", "charter_version")
        .filter(pk=pk, applicant=user)
        .first()
    )
    if application is None:
        raise Http404
    return application


def is_primary_contact(user: User, organization: Organization) -> bool:
    return OrganizationMember.objects.filter(
        organization=organization, user=user, role=OrganizationMember.Role.PRIMARY_CONTACT
    ).exists()
