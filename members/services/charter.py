"""The charter: versions, publishing, acceptance by member organizations."""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from cma.audit import audit
from cma.errors import Conflict, Refused
from cma.publish import publish_on_commit
from notifications.services import notify

from ..models import CharterAcceptance, CharterVersion, Membership, Organization, OrganizationMember, User
from ..selectors import current_charter

Role = OrganizationMember.Role


def charter_version_create(*, actor: User, body: str, summary_of_changes: str = "") -> CharterVersion:
    """A new draft version, numbered after the last one."""
    with transaction.atomic():
        last = CharterVersion.objects.select_for_update().aggregate(n=Max("number"))["n"] or 0
        version = CharterVersion.objects.create(number=last + 1, body=body, summary_of_changes=summary_of_changes)
        audit(actor=actor, action="charter.draft", target=version)
    return version


def charter_publish(*, actor: User, version: CharterVersion) -> CharterVersion:
    """Publish a draft version: it becomes the charter every member must accept.

    Every member organization's primary contacts are told (by a task, after
    commit; one email per person per version however often it runs). Raises
    Conflict when the version, or a later one, is already published.
    """
    from .. import tasks

    with transaction.atomic():
        newer = CharterVersion.objects.filter(published_at__isnull=False, number__gt=version.number).exists()
        if newer:
            raise Conflict("A later version is already published.")
        if not CharterVersion.objects.filter(pk=version.pk, published_at__isnull=True).update(
            published_at=timezone.now(), published_by=actor
        ):
            raise Conflict(f"Version {version.number} is already published.")
        version.refresh_from_db()
        audit(actor=actor, action="charter.publish", target=version, to_state="published")
        publish_on_commit(tasks.charter_notify_members, version.pk)
    return version


def charter_notify_members(*, version_id: int) -> int:
    """Tell every primary contact of every member organization about a new version."""
    version = CharterVersion.objects.get(pk=version_id)
    contacts = (
        OrganizationMember.objects.filter(
            role=Role.PRIMARY_CONTACT, organization__membership__status__in=Membership.IN_GOOD_STANDING
        )
        .select_related("user", "organization")
        .order_by("pk")
    )
    sent = 0
    for contact in contacts.iterator(chunk_size=500):
        with transaction.atomic():
            notify(
                user=contact.user,
                template="members/charter_published",
                dedupe_key=f"charter:{version.pk}:org{contact.organization_id}:u{contact.user_id}",
                context={
                    "version": version,
                    "organization": contact.organization,
                    "grace_days": settings.CHARTER_GRACE_DAYS,
                },
                url=reverse("members:manage", args=[contact.organization.slug]),
            )
        sent += 1
    return sent


def charter_accept(
    *, user: User, organization: Organization, version: CharterVersion, ip_address: str | None, user_agent: str
) -> CharterAcceptance:
    """Record that a primary contact accepted `version` for the organization.

    Accepting a version already accepted returns the existing record (a double
    click changes nothing). Raises Refused for anyone but a primary contact,
    Conflict for any version but the current one.
    """
    if not OrganizationMember.objects.filter(organization=organization, user=user, role=Role.PRIMARY_CONTACT).exists():
        raise Refused("Only a primary contact can accept the charter for the organization.")
    current = current_charter()
    if current is None or current.pk != version.pk:
        raise Conflict("That is not the current version of the charter; reload the page and read the current one.")
    try:
        with transaction.atomic():
            acceptance = CharterAcceptance.objects.create(
                organization=organization, version=version, accepted_by=user,
                ip_address=ip_address, user_agent=(user_agent or "")[:500],
            )  # fmt: skip
            audit(actor=user, action="charter.accept", target=organization, note=f"version {version.number}")
    except IntegrityError:
        return CharterAcceptance.objects.get(organization=organization, version=version)
    return acceptance
