"""Reads for working groups. Events asks here, through the directory this app
registers (directory.py), who is in a group and whom to tell.

Every list here runs a fixed number of queries whatever the number of rows:
the joins and prefetches the pages need are applied here.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django.db.models import Count, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, TruncMonth

from events.models import Event
from events.selectors import past_events_for_group, report_meetings_per_group_month, upcoming_events_for_group
from members.models import Membership, OrganizationMember
from members.selectors import good_standing_exists

from .models import Activity, Comment, Document, DocumentTag, DocumentVersion, GroupMembership, WorkingGroup

if TYPE_CHECKING:
    from members.models import User


# --- The interface other apps use -------------------------------------------------


def is_group_member(user: User, group: WorkingGroup | int) -> bool:
    """True when the user has an active membership of the group AND belongs to
    an organization in good standing. Staff are not members unless they hold
    such a membership themselves; their extra rights are in permissions.py."""
    if not user.is_authenticated:
        return False
    return (
        GroupMembership.objects.filter(user=user, group=group, status=GroupMembership.Status.ACTIVE)
        .filter(good_standing_exists("user_id"))
        .exists()
    )


def groups_of(user: User) -> QuerySet[WorkingGroup]:
    """The groups the user is an active member of, while their organization is
    in good standing (empty once it lapses, back on renewal). One query."""
    if not user.is_authenticated:
        return WorkingGroup.objects.none()
    active = GroupMembership.objects.filter(user=user, status=GroupMembership.Status.ACTIVE).filter(
        good_standing_exists("user_id")
    )
    return WorkingGroup.objects.filter(pk__in=active.values("group_id")).order_by("name")


# --- Memberships ------------------------------------------------------------------


def active_memberships(group: WorkingGroup | int) -> QuerySet[GroupMembership]:
    """Memberships that count: active rows of people in good standing."""
    return GroupMembership.objects.filter(group=group, status=GroupMembership.Status.ACTIVE).filter(
        good_standing_exists("user_id")
    )


def _with_organizations(memberships: QuerySet[GroupMembership]) -> QuerySet[GroupMembership]:
    # Each person's member organizations come in one extra query for the
    # whole list (prefetch), not one per row.
    roles = OrganizationMember.objects.filter(
        organization__membership__status__in=Membership.IN_GOOD_STANDING
    ).select_related("organization")
    return memberships.select_related("user").prefetch_related(
        Prefetch("user__organization_roles", queryset=roles, to_attr="member_roles")
    )


def group_members(group: WorkingGroup) -> QuerySet[GroupMembership]:
    """Chairs first, then members by name, each with `user.member_roles`
    (their places in member organizations). Two queries."""
    return _with_organizations(active_memberships(group)).order_by("role", "user__name", "user__email")


def group_chairs(group: WorkingGroup) -> QuerySet[GroupMembership]:
    return group_members(group).filter(role=GroupMembership.Role.CHAIR)


def chair_users(group: WorkingGroup) -> list[User]:
    return [m.user for m in active_memberships(group).filter(role=GroupMembership.Role.CHAIR).select_related("user")]


def member_users(group: WorkingGroup | int) -> list[User]:
    return [m.user for m in active_memberships(group).select_related("user")]


def pending_requests(group: WorkingGroup) -> QuerySet[GroupMembership]:
    return _with_organizations(
        GroupMembership.objects.filter(group=group, status=GroupMembership.Status.REQUESTED)
    ).order_by("updated_at")


def open_invitations(group: WorkingGroup) -> QuerySet[GroupMembership]:
    return (
        GroupMembership.objects.filter(group=group, status=GroupMembership.Status.INVITED)
        .select_related("user", "invited_by")
        .order_by("updated_at")
    )


def suspended_memberships(group: WorkingGroup) -> QuerySet[GroupMembership]:
    """Active rows whose person's organization is not in good standing: they
    come back by themselves when the organization renews."""
    return (
        GroupMembership.objects.filter(group=group, status=GroupMembership.Status.ACTIVE)
        .exclude(good_standing_exists("user_id"))
        .select_related("user")
        .order_by("user__name")
    )


def memberships_of(user: User) -> QuerySet[GroupMembership]:
    """All of a user's rows that still mean something (active, requested,
    invited), with their groups, for the "my groups" page."""
    return (
        GroupMembership.objects.filter(
            user=user,
            status__in=[
                GroupMembership.Status.ACTIVE,
                GroupMembership.Status.REQUESTED,
                GroupMembership.Status.INVITED,
            ],
        )
        .select_related("group", "invited_by")
        .order_by("group__name")
    )


# --- Groups -----------------------------------------------------------------------


def _member_count() -> Coalesce:
    counted = (
        GroupMembership.objects.filter(group=OuterRef("pk"), status=GroupMembership.Status.ACTIVE)
        .filter(good_standing_exists("user_id"))
        .order_by()
        .values("group")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def group_directory(user: User, *, include_archived: bool = False) -> QuerySet[WorkingGroup]:
    """Groups for the list page, each with `member_count` and `my_status`
    (the user's row status, "" for none). One query."""
    groups = WorkingGroup.objects.annotate(member_count=_member_count())
    if not include_archived:
        groups = groups.filter(status=WorkingGroup.Status.ACTIVE)
    if user.is_authenticated:
        mine = GroupMembership.objects.filter(group=OuterRef("pk"), user=user).values("status")[:1]
        groups = groups.annotate(my_status=Coalesce(Subquery(mine), Value("")))
    else:
        groups = groups.annotate(my_status=Value(""))
    return groups.order_by("status", "name")


def groups_for_staff(*, status: str = "", q: str = "") -> QuerySet[WorkingGroup]:
    """Every group with the figures staff watch. One query."""
    requests = (
        GroupMembership.objects.filter(group=OuterRef("pk"), status=GroupMembership.Status.REQUESTED)
        .order_by()
        .values("group")
        .annotate(n=Count("pk"))
        .values("n")
    )
    documents = (
        Document.objects.filter(group=OuterRef("pk"), status=Document.Status.CURRENT)
        .order_by()
        .values("group")
        .annotate(n=Count("pk"))
        .values("n")
    )
    chairs = (
        GroupMembership.objects.filter(
            group=OuterRef("pk"), status=GroupMembership.Status.ACTIVE, role=GroupMembership.Role.CHAIR
        )
        .filter(good_standing_exists("user_id"))
        .order_by()
        .values("group")
        .annotate(n=Count("pk"))
        .values("n")
    )
    groups = WorkingGroup.objects.annotate(
        member_count=_member_count(),
        request_count=Coalesce(Subquery(requests, output_field=IntegerField()), Value(0)),
        document_count=Coalesce(Subquery(documents, output_field=IntegerField()), Value(0)),
        chair_count=Coalesce(Subquery(chairs, output_field=IntegerField()), Value(0)),
    )
    if status:
        groups = groups.filter(status=status)
    if q:
        groups = groups.filter(name__icontains=q.strip())
    return groups.order_by("status", "name")


def all_pending_requests() -> QuerySet[GroupMembership]:
    """Join requests across groups, oldest first, for the staff queue."""
    return _with_organizations(
        GroupMembership.objects.filter(status=GroupMembership.Status.REQUESTED).select_related("group")
    ).order_by("updated_at")


def membership_export_rows(group: WorkingGroup) -> Iterator[list[str]]:
    """Rows for a group's member CSV, read in chunks."""
    rows = (
        GroupMembership.objects.filter(group=group)
        .exclude(status__in=GroupMembership.INACTIVE)
        .select_related("user")
        .prefetch_related(
            Prefetch("user__organization_roles", queryset=OrganizationMember.objects.select_related("organization"))
        )
        .annotate(in_good_standing=good_standing_exists("user_id"))
        .order_by("role", "user__name", "pk")
    )
    for row in rows.iterator(chunk_size=500):
        organizations = "; ".join(r.organization.name for r in row.user.organization_roles.all())
        yield [
            row.user.name,
            row.user.email,
            organizations,
            row.get_role_display(),
            row.get_status_display(),
            "yes" if row.in_good_standing else "no (organization not in good standing)",
            row.joined_at.date().isoformat() if row.joined_at else "",
        ]


# --- Documents --------------------------------------------------------------------


def documents_for_group(
    group: WorkingGroup, *, archived: bool = False, tag: str = "", q: str = ""
) -> QuerySet[Document]:
    """The library list: newest activity first, each document with its
    latest version, uploader, tags and `comment_count`. Two queries a page."""
    documents = Document.objects.filter(
        group=group, status=Document.Status.ARCHIVED if archived else Document.Status.CURRENT
    )
    if tag:
        documents = documents.filter(tags__slug=tag)
    if q:
        q = q.strip()
        documents = documents.filter(Q(title__icontains=q) | Q(description__icontains=q))
    return (
        documents.select_related("latest_version__uploaded_by", "created_by")
        .prefetch_related(Prefetch("tags", queryset=DocumentTag.objects.order_by("name")))
        .annotate(comment_count=Count("comments", filter=Q(comments__removed_at__isnull=True), distinct=True))
        .order_by("-updated_at", "-id")
    )


def tags_in_group(group: WorkingGroup) -> QuerySet[DocumentTag]:
    return DocumentTag.objects.filter(documents__group=group).distinct().order_by("name")


def document_in_group(group: WorkingGroup, pk: int) -> Document | None:
    """A document of this group (None for another group's: the caller 404s)."""
    return (
        Document.objects.select_related("latest_version__uploaded_by", "created_by", "group")
        .prefetch_related(Prefetch("tags", queryset=DocumentTag.objects.order_by("name")))
        .filter(group=group, pk=pk)
        .first()
    )


def versions_of(document: Document) -> QuerySet[DocumentVersion]:
    return document.versions.select_related("uploaded_by").order_by("-number")


def version_of(document: Document, number: int) -> DocumentVersion | None:
    return document.versions.filter(number=number).first()


def comment_thread(document: Document) -> list[Comment]:
    """Top-level comments, oldest first, each with `.replies` prefetched and
    authors joined. Two queries."""
    replies = Comment.objects.select_related("author").order_by("created_at", "id")
    return list(
        document.comments.filter(parent__isnull=True)
        .select_related("author")
        .prefetch_related(Prefetch("replies", queryset=replies))
        .order_by("created_at", "id")
    )


def comment_in_group(group: WorkingGroup, pk: int) -> Comment | None:
    return Comment.objects.select_related("document", "author").filter(document__group=group, pk=pk).first()


def activity_feed(group: WorkingGroup, *, limit: int = 15) -> QuerySet[Activity]:
    return (
        Activity.objects.filter(group=group).select_related("actor", "document").order_by("-created_at", "-id")[:limit]
    )


def document_discussants(document: Document) -> list[User]:
    """Who hears about a new comment: everyone who uploaded a version of the
    document or commented on it (and has not had the comment removed)."""
    from members.models import User

    uploaders = DocumentVersion.objects.filter(document=document).values("uploaded_by")
    commenters = Comment.objects.filter(document=document, removed_at__isnull=True).values("author")
    return list(User.objects.filter(Q(pk__in=uploaders) | Q(pk__in=commenters), is_active=True).order_by("pk"))


# --- Group events (from the events app) ----------------------------------------------


def upcoming_group_events(group: WorkingGroup, *, user: User) -> list[Event]:
    return list(upcoming_events_for_group(group, user=user)[:10])


def past_group_events(group: WorkingGroup, *, user: User, limit: int = 5) -> list[Event]:
    return list(past_events_for_group(group, user=user, limit=limit))


def groups_for_events() -> QuerySet[WorkingGroup]:
    """Every group, by name: an event may be attached to any (an archived
    group keeps its past events)."""
    return WorkingGroup.objects.order_by("name")


def groups_among(pks: QuerySet[Any, Any]) -> QuerySet[WorkingGroup]:
    """The groups whose pks a subquery yields, by name."""
    return WorkingGroup.objects.filter(pk__in=pks).order_by("name")


# --- Audiences (for announcements) -------------------------------------------------


def member_people_of_groups(group_ids: list[int]) -> QuerySet[User]:
    """Active people counted as members of any of the groups (an active row
    and an organization in good standing). One query, each person once."""
    from members.models import User

    active = GroupMembership.objects.filter(group_id__in=group_ids, status=GroupMembership.Status.ACTIVE).filter(
        good_standing_exists("user_id")
    )
    return User.objects.filter(is_active=True, pk__in=active.values("user_id"))


# --- Reports -------------------------------------------------------------------


def report_activity(*, start: datetime.datetime, end: datetime.datetime) -> list[dict[str, Any]]:
    """Per active group and month in [start, end): documents created, versions
    uploaded, comments and meetings. Five queries whatever the data: one per
    kind, grouped in the database, merged here."""
    cells: dict[tuple[int, datetime.date], dict[str, int]] = {}

    def add(kind: str, rows: Any) -> None:
        for row in rows:
            month = row["month"].date() if isinstance(row["month"], datetime.datetime) else row["month"]
            cells.setdefault(
                (row["report_group"], month), {"documents": 0, "versions": 0, "comments": 0, "meetings": 0}
            )[kind] += row["n"]

    def grouped(queryset: Any, group: str, when: str) -> Any:
        return (
            queryset.filter(**{f"{when}__gte": start, f"{when}__lt": end})
            .annotate(month=TruncMonth(when), report_group=F(group))
            .values("report_group", "month")
            .annotate(n=Count("pk"))
            .order_by()
        )

    add("documents", grouped(Document.objects.all(), "group_id", "created_at"))
    add("versions", grouped(DocumentVersion.objects.all(), "document__group_id", "uploaded_at"))
    add("comments", grouped(Comment.objects.filter(removed_at__isnull=True), "document__group_id", "created_at"))
    add(
        "meetings",
        [{**r, "report_group": r["working_group_id"]} for r in report_meetings_per_group_month(start=start, end=end)],
    )
    names = dict(WorkingGroup.objects.filter(pk__in={g for g, _ in cells}).values_list("pk", "name"))
    return [
        {"group": names.get(group, "?"), "month": month, **counts}
        for (group, month), counts in sorted(cells.items(), key=lambda item: (names.get(item[0][0], ""), item[0][1]))
    ]
