"""Reads for membership. Other apps ask here who is a member."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, F, Max, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from .models import (
    Application,
    CharterAcceptance,
    CharterVersion,
    Dues,
    Invitation,
    Membership,
    MembershipTerm,
    Organization,
    OrganizationMember,
    Segment,
    User,
)


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


# --- Directory -----------------------------------------------------------------

DIRECTORY_SORTS = {
    "name": ("name", "Name (A–Z)"),
    "-name": ("-name", "Name (Z–A)"),
    "newest": ("-membership__member_since", "Newest members"),
    "oldest": ("membership__member_since", "Longest-standing members"),
}


def directory_organizations(
    *, public_only: bool, q: str = "", segment: str = "", state: str = "", tier: str = "", sort: str = "name"
) -> QuerySet[Organization]:
    """Member organizations for the directory, filtered and sorted.

    The public directory shows only those that opted in. Segments and tier
    come with the rows (one query for the page, one for the segments).
    """
    organizations = Organization.objects.filter(membership__status__in=Membership.IN_GOOD_STANDING)
    if public_only:
        organizations = organizations.filter(public_listing=True)
    if q:
        organizations = organizations.filter(name__icontains=q.strip())
    if segment:
        organizations = organizations.filter(segments__slug=segment)
    if state:
        organizations = organizations.filter(hq_state=state)
    if tier:
        organizations = organizations.filter(membership__tier__slug=tier)
    order = DIRECTORY_SORTS.get(sort, DIRECTORY_SORTS["name"])[0]
    return (
        organizations.select_related("membership__tier")
        .prefetch_related(Prefetch("segments", queryset=Segment.objects.order_by("position")))
        .order_by(order, "pk")
    )


DIRECTORY_EXPORT_HEADER = [
    "Name", "Legal name", "Website", "City", "State", "Country", "Size", "Segments", "Tier",
    "Status", "Member since", "Term start", "Term end", "Public listing",
]  # fmt: skip


def directory_export_rows() -> Iterator[list[object]]:
    """Rows for the staff CSV export of every organization with a membership,
    read in chunks so the export streams whatever the size."""
    organizations = (
        Organization.objects.filter(membership__isnull=False)
        .select_related("membership__tier")
        .prefetch_related(Prefetch("segments", queryset=Segment.objects.order_by("position")))
        .order_by("name")
    )
    for org in organizations.iterator(chunk_size=1000):
        membership = org.membership
        yield [
            org.name, org.legal_name, org.website, org.hq_city, org.hq_state, org.hq_country,
            org.get_size_band_display(), "; ".join(s.name for s in org.segments.all()), membership.tier.name,
            membership.get_status_display(), membership.member_since, membership.starts_on, membership.ends_on,
            "yes" if org.public_listing else "no",
        ]  # fmt: skip


def organization_for_profile(slug: str) -> Organization | None:
    return (
        Organization.objects.select_related("membership__tier")
        .prefetch_related(Prefetch("segments", queryset=Segment.objects.order_by("position")))
        .filter(slug=slug)
        .first()
    )


def organization_people(organization: Organization) -> QuerySet[OrganizationMember]:
    return (
        OrganizationMember.objects.filter(organization=organization)
        .select_related("user")
        .order_by("role", "user__name")
    )


# --- Charter -------------------------------------------------------------------


@dataclass(frozen=True)
class CharterStatus:
    current: CharterVersion | None
    accepted: bool
    accepted_version: int | None
    overdue: bool
    due_by: datetime.datetime | None

    @property
    def needs_acceptance(self) -> bool:
        return self.current is not None and not self.accepted


def current_charter() -> CharterVersion | None:
    return CharterVersion.objects.filter(published_at__isnull=False).order_by("-number").first()


def charter_status(organization: Organization, *, current: CharterVersion | None = None) -> CharterStatus:
    """Has the organization accepted the current charter, and is it overdue?"""
    current = current if current is not None else current_charter()
    latest = (
        CharterAcceptance.objects.filter(organization=organization)
        .order_by("-version__number")
        .values_list("version__number", flat=True)
        .first()
    )
    return _status_for(current, latest)


def _status_for(current: CharterVersion | None, latest_accepted: int | None) -> CharterStatus:
    if current is None or current.published_at is None:  # nothing published yet: nothing to accept
        return CharterStatus(None, True, latest_accepted, False, None)
    accepted = latest_accepted is not None and latest_accepted >= current.number
    due_by = current.published_at + datetime.timedelta(days=settings.CHARTER_GRACE_DAYS)
    return CharterStatus(current, accepted, latest_accepted, not accepted and timezone.now() > due_by, due_by)


def with_charter_status(
    organizations: Iterable[Organization], *, current: CharterVersion | None = None
) -> list[Organization]:
    """Attach `.charter` (a CharterStatus) to each organization, in one query."""
    organizations = list(organizations)
    latest: dict[int, int] = dict(
        CharterAcceptance.objects.filter(organization__in=organizations)
        .values("organization_id")
        .annotate(n=Max("version__number"))
        .values_list("organization_id", "n")
    )
    for organization in organizations:
        organization.charter = _status_for(current, latest.get(organization.pk))
    return organizations


def charter_versions() -> QuerySet[CharterVersion]:
    return CharterVersion.objects.filter(published_at__isnull=False).order_by("-number")


# --- Applications and the review queue ------------------------------------------------


def applications_of(user: User) -> QuerySet[Application]:
    return Application.objects.filter(applicant=user).select_related("tier", "organization").order_by("-created_at")


REVIEW_AGES = {"7": 7, "30": 30, "90": 90}


def review_queue(*, status: str = "", segment: str = "", tier: str = "", older_than: str = "") -> QuerySet[Application]:
    """Applications for staff, oldest waiting first, with what the list shows."""
    applications = Application.objects.exclude(status=Application.Status.DRAFT)
    applications = applications.filter(status=status) if status else applications.filter(status__in=Application.OPEN)
    if segment:
        applications = applications.filter(segments__slug=segment)
    if tier:
        applications = applications.filter(tier__slug=tier)
    if older_than in REVIEW_AGES:
        applications = applications.filter(
            submitted_at__lte=timezone.now() - datetime.timedelta(days=REVIEW_AGES[older_than])
        )
    return (
        applications.select_related("applicant", "tier", "organization")
        .prefetch_related(Prefetch("segments", queryset=Segment.objects.order_by("position")))
        .order_by("submitted_at", "pk")
    )


def review_counts() -> dict[str, int]:
    counts = dict(
        Application.objects.filter(status__in=Application.OPEN)
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return {Application.Status(s).label.lower(): counts.get(s, 0) for s in Application.OPEN}


def application_for_review(pk: int) -> Application | None:
    return (
        Application.objects.select_related(
            "applicant", "tier", "organization__membership__tier", "charter_version", "decided_by"
        )
        .prefetch_related("segments")
        .filter(pk=pk)
        .exclude(status=Application.Status.DRAFT)
        .first()
    )


def earlier_applications(application: Application) -> QuerySet[Application]:
    """The same organization's (or organization name's) other applications."""
    same = (
        Q(organization=application.organization)
        if application.organization_id
        else Q(org_name__iexact=application.org_name)
    )
    return (
        Application.objects.filter(same)
        .exclude(pk=application.pk)
        .exclude(status=Application.Status.DRAFT)
        .order_by("-created_at")
    )


# --- Dashboard ------------------------------------------------------------------


def dashboard_organizations(user: User) -> list[OrganizationMember]:
    """The user's places in organizations, with membership and charter status."""
    unpaid = Dues.objects.filter(term__membership__organization=OuterRef("organization_id"), paid_on__isnull=True)
    roles: list[OrganizationMember] = list(
        OrganizationMember.objects.filter(user=user)
        .select_related("organization__membership__tier")
        .annotate(dues_unpaid=Exists(unpaid))
        .order_by("organization__name")
    )
    organizations = with_charter_status([r.organization for r in roles], current=current_charter())
    for role, organization in zip(roles, organizations, strict=True):
        role.organization = organization
    return roles


def pending_invitations_for(user: User) -> QuerySet[Invitation]:
    """Open invitations sent to any of the user's verified addresses."""
    from allauth.account.models import EmailAddress

    addresses = EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    return (
        Invitation.objects.filter(accepted_at__isnull=True, revoked_at__isnull=True)
        .filter(email__in=[a.lower() for a in addresses])
        .select_related("organization", "invited_by")
    )


# --- Staff membership overview --------------------------------------------------


def memberships_for_staff(*, status: str = "", flag: str = "", q: str = "") -> QuerySet[Membership]:
    memberships = Membership.objects.select_related("organization", "tier")
    if status:
        memberships = memberships.filter(status=status)
    if q:
        memberships = memberships.filter(organization__name__icontains=q.strip())
    if flag == "unpaid":
        memberships = memberships.filter(terms__dues__paid_on__isnull=True).distinct()
    if flag == "ending":
        memberships = memberships.filter(
            status=Membership.Status.ACTIVE, ends_on__lte=timezone.localdate() + datetime.timedelta(days=60)
        )
    if flag == "charter":
        current = current_charter()
        if current is not None:
            memberships = memberships.exclude(organization__charter_acceptances__version=current)
    unpaid = Dues.objects.filter(term__membership=OuterRef("pk"), paid_on__isnull=True)
    return memberships.annotate(has_unpaid=Exists(unpaid)).order_by("ends_on", "organization__name")


def membership_detail(pk: int) -> Membership | None:
    return (
        Membership.objects.select_related("organization", "tier")
        .prefetch_related(
            Prefetch("terms", queryset=MembershipTerm.objects.select_related("tier", "dues").order_by("-starts_on"))
        )
        .filter(pk=pk)
        .first()
    )


# --- Audiences (for announcements) -----------------------------------------------


def member_people(
    *,
    segment_ids: list[int] | None = None,
    tier_ids: list[int] | None = None,
    states: list[str] | None = None,
    primary_only: bool = False,
) -> QuerySet[User]:
    """Active people of organizations in good standing, narrowed to segments,
    tiers and headquarters states when given (any of each), and to primary
    contacts. One query, each person once."""
    roles = OrganizationMember.objects.filter(organization__membership__status__in=Membership.IN_GOOD_STANDING)
    if segment_ids:
        roles = roles.filter(organization__segments__in=segment_ids)
    if tier_ids:
        roles = roles.filter(organization__membership__tier__in=tier_ids)
    if states:
        roles = roles.filter(organization__hq_state__in=states)
    if primary_only:
        roles = roles.filter(role=OrganizationMember.Role.PRIMARY_CONTACT)
    return User.objects.filter(is_active=True, pk__in=roles.values("user_id"))


# --- Reports (the staff Reports section reads these; each is one or two queries) ---


def report_application_pipeline(*, start: datetime.datetime, end: datetime.datetime) -> dict[str, Any]:
    """Applications submitted in [start, end): how many in each state, and the
    median days from submission to decision of those decided."""
    submitted = Application.objects.filter(submitted_at__gte=start, submitted_at__lt=end)
    counts = dict(submitted.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    decided = submitted.filter(decided_at__isnull=False).values_list("submitted_at", "decided_at")
    days = sorted((d - s).total_seconds() / 86400 for s, d in decided if s and d)
    median = None
    if days:
        middle = len(days) // 2
        median = days[middle] if len(days) % 2 else (days[middle - 1] + days[middle]) / 2
    return {"counts": counts, "median_days": median, "decided": len(days)}


def report_renewals_due(*, today: datetime.date, limit: int | None = 500) -> dict[str, Any]:
    """Memberships in good standing whose term ends within 90 days: counts for
    30, 60 and 90 days, and the first `limit` of them, soonest first."""
    base = Membership.objects.filter(
        status__in=Membership.IN_GOOD_STANDING, ends_on__gte=today, ends_on__lte=today + datetime.timedelta(days=90)
    )
    counts = base.aggregate(
        within_30=Count("pk", filter=Q(ends_on__lte=today + datetime.timedelta(days=30))),
        within_60=Count("pk", filter=Q(ends_on__lte=today + datetime.timedelta(days=60))),
        within_90=Count("pk"),
    )
    rows = list(
        base.select_related("organization", "tier")
        .only("ends_on", "status", "organization__name", "tier__name")  # what the report shows
        .order_by("ends_on", "organization__name")[:limit]
    )
    return {"counts": counts, "rows": rows}


def report_members_by_segment_and_state() -> list[dict[str, Any]]:
    """Organizations with a membership, per segment and membership state (one query)."""
    return list(
        Membership.objects.values("status", segment=F("organization__segments__name"))
        .annotate(n=Count("organization", distinct=True))
        .order_by("segment", "status")
    )
