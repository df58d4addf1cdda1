"""Organizations and their people: the profile, invitations, roles."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.files import File
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from cma.audit import audit
from cma.errors import Conflict, Refused
from cma.http import absolute_url
from notifications.services import notify

from ..models import Invitation, Organization, OrganizationMember, Segment, User

Role = OrganizationMember.Role

INVITATION_SALT = "members.invitation"

# What a primary contact (or staff) may change on the organization's profile.
PROFILE_FIELDS = [
    "name", "legal_name", "website", "description", "hq_city", "hq_state", "hq_country", "size_band", "public_listing",
    "billing_street", "billing_city", "billing_state", "billing_postal_code", "billing_country",
]  # fmt: skip


class InvitationForAnotherAddress(Refused):
    """The signed-in person does not own the invited address: the invitation
    page offers to sign in with it instead."""


def organization_update(
    *,
    actor: User,
    organization: Organization,
    data: Mapping[str, Any],
    segments: Iterable[Segment] | None = None,
    logo: File[bytes] | None = None,
    remove_logo: bool = False,
) -> Organization:
    """Update the organization's profile (primary contacts and staff).
    Raises Conflict when another organization already has the name."""
    with transaction.atomic():
        organization = Organization.objects.select_for_update().get(pk=organization.pk)
        for field in PROFILE_FIELDS:
            if field in data:
                setattr(organization, field, data[field])
        if remove_logo and organization.logo:
            organization.logo.delete(save=False)
            organization.logo = ""
        if logo is not None:
            if organization.logo:
                organization.logo.delete(save=False)
            organization.logo.save(logo.name or "logo.png", logo, save=False)
        try:
            with transaction.atomic():
                organization.save()
        except IntegrityError as exc:
            raise Conflict(f"Another organization is already called {organization.name}.", field="name") from exc
        if segments is not None:
            organization.segments.set(segments)
        audit(actor=actor, action="organization.update", target=organization)
    return organization


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps({"i": invitation.pk, "e": invitation.email.lower()}, salt=INVITATION_SALT)


def invitation_create(*, actor: User, organization: Organization, email: str, role: str) -> Invitation:
    """Invite a colleague by email; the signed link expires after
    INVITATION_MAX_AGE_DAYS. Inviting an address with an open invitation sends
    it again rather than creating a second one. Raises Conflict for someone
    already in the organization."""
    email = email.strip().lower()
    with transaction.atomic():
        Organization.objects.select_for_update().get(pk=organization.pk)
        if OrganizationMember.objects.filter(organization=organization, user__email__iexact=email).exists():
            raise Conflict(f"{email} is already in {organization.name}.", field="email")
        invitation = Invitation.objects.filter(
            organization=organization, email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
        ).first()
        if invitation is None:
            invitation = Invitation.objects.create(organization=organization, email=email, role=role, invited_by=actor)
            audit(actor=actor, action="invitation.create", target=invitation, note=email)
        # One email per invitation per minute: a double click sends once, a
        # deliberate "send again" later goes out.
        window = int(timezone.now().timestamp() // 60)
        notify(
            email=email,
            template="members/invitation",
            dedupe_key=f"invitation:{invitation.pk}:{window}",
            context={
                "invitation": invitation,
                "organization": organization,
                "inviter": actor,
                "accept_url": absolute_url(reverse("members:invitation", args=[invitation_token(invitation)])),
                "expires_days": settings.INVITATION_MAX_AGE_DAYS,
            },
        )
    return invitation


@dataclass(frozen=True)
class InvitationLookup:
    invitation: Invitation | None
    problem: str = ""


BAD_LINK = "This invitation link is not valid. Check that you copied all of it."


def invitation_from_token(token: str) -> InvitationLookup:
    """The invitation a link points at, or why it can't be used."""
    try:
        payload = signing.loads(
            token, salt=INVITATION_SALT, max_age=datetime.timedelta(days=settings.INVITATION_MAX_AGE_DAYS)
        )
    except signing.SignatureExpired:
        return InvitationLookup(
            None, "This invitation has expired. Ask your organization's primary contact to send a new one."
        )
    except signing.BadSignature:
        return InvitationLookup(None, BAD_LINK)
    invitation = Invitation.objects.select_related("organization").filter(pk=payload.get("i")).first()
    if invitation is None or invitation.email.lower() != payload.get("e"):
        return InvitationLookup(None, BAD_LINK)
    if invitation.revoked_at:
        return InvitationLookup(invitation, "This invitation was withdrawn by the organization.")
    if invitation.accepted_at:
        return InvitationLookup(invitation, "This invitation has already been accepted.")
    return InvitationLookup(invitation)


def invitation_accept(*, user: User, invitation: Invitation) -> OrganizationMember:
    """Join the organization. The signed-in person must own the invited
    address (a verified email on their account): else raises
    InvitationForAnotherAddress (a Refused). Raises Conflict for an
    invitation already used or withdrawn, and for someone already in the
    organization."""
    from allauth.account.models import EmailAddress

    if not EmailAddress.objects.filter(user=user, email__iexact=invitation.email, verified=True).exists():
        raise InvitationForAnotherAddress(
            f"This invitation was sent to {invitation.email}. Sign in with that address (or add and verify it in your account) to accept it."
        )
    with transaction.atomic():
        if not Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True).update(
            accepted_at=timezone.now(), accepted_by=user
        ):
            raise Conflict("This invitation has already been used or was withdrawn.")
        try:
            with transaction.atomic():
                member = OrganizationMember.objects.create(
                    organization=invitation.organization, user=user, role=invitation.role
                )
        except IntegrityError as exc:
            raise Conflict(f"You are already in {invitation.organization.name}.") from exc
        audit(actor=user, action="invitation.accept", target=invitation.organization, note=invitation.email)
    return member


def invitation_revoke(*, actor: User, invitation: Invitation) -> None:
    """Withdraw an open invitation. Raises Conflict once it is accepted or withdrawn."""
    with transaction.atomic():
        if not Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        ):
            raise Conflict("This invitation was already accepted or withdrawn.")
        audit(actor=actor, action="invitation.revoke", target=invitation, note=invitation.email)


def _ensure_another_primary(member: OrganizationMember) -> None:
    others = OrganizationMember.objects.filter(
        organization_id=member.organization_id, role=Role.PRIMARY_CONTACT
    ).exclude(pk=member.pk)
    if member.role == Role.PRIMARY_CONTACT and not others.exists():
        raise Conflict("An organization always needs a primary contact. Make someone else primary contact first.")


def organization_member_change_role(*, actor: User, member: OrganizationMember, role: str) -> OrganizationMember:
    """Change a person's role. Raises Conflict for demoting the last primary contact."""
    with transaction.atomic():
        # Lock the organization: two primaries demoting each other at once must
        # not leave it with none.
        Organization.objects.select_for_update().get(pk=member.organization_id)
        member = OrganizationMember.objects.select_related("organization", "user").get(pk=member.pk)
        if role != Role.PRIMARY_CONTACT:
            _ensure_another_primary(member)
        from_role = member.role
        member.role = role
        member.save(update_fields=["role"])
        audit(
            actor=actor,
            action="organization.role",
            target=member.organization,
            from_state=from_role,
            to_state=role,
            note=member.user.email,
        )
    return member


def organization_member_remove(*, actor: User, member: OrganizationMember) -> None:
    """Remove someone from the organization (or leave it). Raises Conflict
    for the last primary contact."""
    with transaction.atomic():
        Organization.objects.select_for_update().get(pk=member.organization_id)
        member = OrganizationMember.objects.select_related("organization", "user").get(pk=member.pk)
        _ensure_another_primary(member)
        member.delete()
        audit(actor=actor, action="organization.remove_person", target=member.organization, note=member.user.email)
