"""Reads for petitions, each a fixed number of queries whatever the data size."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Case, Count, F, IntegerField, OuterRef, QuerySet, Subquery, When
from django.db.models.functions import Coalesce, TruncDate
from django.urls import reverse
from django.utils import timezone

from .models import STATE_NAMES, Endorsement, FAQItem, Petition, Resource, Signature, SignatureDay

RECENT_SIGNERS = 8
# Above this many endorsements the wall's state groups start folded, so the
# page stays scannable; each summary still shows the state and its count.
WALL_FOLD_AFTER = 120


def api_cache_key(slug: str) -> str:
    return f"petitions:api:v1:{slug}"


def count_subquery(model: type[models.Model], **filters: Any) -> Coalesce:
    """A per-petition COUNT as a correlated subquery: several of them on one
    queryset never multiply each other's rows as JOINs would."""
    rows = (
        model._default_manager.filter(petition=OuterRef("pk"), **filters)
        .order_by()
        .values("petition")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def public_petitions() -> QuerySet[Petition]:
    """Published petitions, open ones first, each with its confirmed signature count."""
    return (
        Petition.objects.exclude(status=Petition.Status.DRAFT)
        .annotate(
            signature_count=count_subquery(Signature, status=Signature.Status.CONFIRMED),
            open_first=Case(When(status=Petition.Status.OPEN, then=0), default=1, output_field=IntegerField()),
        )
        .order_by("open_first", "-published_at", "-created_at")
    )


def signature_count(petition: Petition) -> int:
    """Confirmed signatures: the only ones that count (withdrawn ones never do)."""
    return Signature.objects.filter(petition=petition, status=Signature.Status.CONFIRMED).count()


def recent_signers(petition: Petition, limit: int = RECENT_SIGNERS) -> QuerySet[Signature]:
    """The latest confirmed signers who chose to show their name."""
    return (
        Signature.objects.filter(petition=petition, status=Signature.Status.CONFIRMED, show_name=True)
        .only("name", "state", "confirmed_at")
        .order_by("-confirmed_at")[:limit]
    )


def endorsement_count(petition: Petition) -> int:
    return Endorsement.objects.filter(petition=petition, status=Endorsement.Status.APPROVED).count()


def link_target(model: type[Signature] | type[Endorsement], pk: int) -> Signature | Endorsement | None:
    """The signature or endorsement an emailed link points at (None once purged)."""
    return model.objects.filter(pk=pk).first()


def faq_items(petition: Petition) -> QuerySet[FAQItem]:
    return FAQItem.objects.filter(petition=petition).order_by("position", "id")


def resources(petition: Petition) -> QuerySet[Resource]:
    return Resource.objects.filter(petition=petition).order_by("position", "id")


@dataclass
class StateGroup:
    code: str
    name: str
    endorsements: list[Endorsement] = field(default_factory=list)


@dataclass
class Wall:
    """Approved endorsements as the public page shows them."""

    featured: list[Endorsement]
    national: list[Endorsement]
    states: list[StateGroup]

    @property
    def state_total(self) -> int:
        return sum(len(g.endorsements) for g in self.states)

    @property
    def total(self) -> int:
        return len(self.national) + self.state_total

    @property
    def folded(self) -> bool:
        return self.total > WALL_FOLD_AFTER


def endorsement_wall(petition: Petition) -> Wall:
    """Approved endorsements grouped National / State or Local (by state name),
    alphabetical within each group; featured ones also listed apart. One query."""
    approved = (
        Endorsement.objects.filter(petition=petition, status=Endorsement.Status.APPROVED)
        .only("organization_name", "sort_name", "scope", "state", "website", "logo", "featured")
        .order_by("sort_name", "pk")
    )
    national: list[Endorsement] = []
    by_state: dict[str, StateGroup] = {}
    featured: list[Endorsement] = []
    for endorsement in approved:
        if endorsement.featured:
            featured.append(endorsement)
        if endorsement.scope == Endorsement.Scope.NATIONAL:
            national.append(endorsement)
        else:
            group = by_state.setdefault(
                endorsement.state, StateGroup(endorsement.state, STATE_NAMES.get(endorsement.state, endorsement.state))
            )
            group.endorsements.append(endorsement)
    return Wall(featured=featured, national=national, states=sorted(by_state.values(), key=lambda g: g.name))


def api_payload(petition: Petition) -> dict[str, Any]:
    """The public JSON: the count and the approved endorsements. Three queries."""
    wall = endorsement_wall(petition)
    site = settings.SITE_URL

    def organization(e: Endorsement) -> dict[str, Any]:
        return {
            "name": e.organization_name,
            "website": e.website or None,
            "featured": e.featured,
            "logo": f"{site}{reverse('petitions:endorsement_logo', args=[e.pk])}" if e.logo else None,
        }

    return {
        "petition": {
            "title": petition.title,
            "slug": petition.slug,
            "url": f"{site}{petition.get_absolute_url()}",
            "widget_url": f"{site}{reverse('petitions:widget', args=[petition.slug])}",
            "status": petition.phase,
            "summary": petition.summary,
            "ask": petition.ask,
            "opens_at": petition.opens_at.isoformat() if petition.opens_at else None,
            "closes_at": petition.closes_at.isoformat() if petition.closes_at else None,
            "signature_goal": petition.signature_goal,
            "signatures": signature_count(petition) if petition.takes_signatures else None,
        },
        "endorsements": {
            "total": wall.total,
            "national": [organization(e) for e in wall.national],
            "state_or_local": [
                {"state": g.code, "state_name": g.name, "organizations": [organization(e) for e in g.endorsements]}
                for g in wall.states
            ],
        },
        "generated_at": timezone.now().isoformat(),
    }


# --- Staff ---------------------------------------------------------------------


def staff_petitions() -> QuerySet[Petition]:
    """Every petition with the counts staff watch. One query."""
    return Petition.objects.annotate(
        confirmed_count=count_subquery(Signature, status=Signature.Status.CONFIRMED),
        unconfirmed_count=count_subquery(Signature, status=Signature.Status.UNCONFIRMED),
        approved_count=count_subquery(Endorsement, status=Endorsement.Status.APPROVED),
        pending_count=count_subquery(Endorsement, status=Endorsement.Status.PENDING),
    ).order_by("-created_at")


@dataclass
class PetitionStats:
    by_status: dict[str, int]
    by_day: list[tuple[datetime.date, int]]
    by_state: list[tuple[str, str, int]]
    endorsements_by_status: dict[str, int]

    @property
    def confirmed(self) -> int:
        return self.by_status.get(Signature.Status.CONFIRMED, 0)

    @property
    def unconfirmed(self) -> int:
        return self.by_status.get(Signature.Status.UNCONFIRMED, 0)

    @property
    def withdrawn(self) -> int:
        return self.by_status.get(Signature.Status.WITHDRAWN, 0)

    @property
    def busiest_day(self) -> int:
        return max((n for _, n in self.by_day), default=0)


def petition_stats(petition: Petition, *, days: int = 30) -> PetitionStats:
    """Signatures by status, confirmations per day (in the viewer's time zone)
    for the last `days` days, confirmed signatures by state, endorsements by
    status. Four queries."""
    signatures = Signature.objects.filter(petition=petition).order_by()
    by_status = dict(signatures.values_list("status").annotate(n=Count("pk")))
    zone = timezone.get_current_timezone()
    today = timezone.localdate()
    start = today - datetime.timedelta(days=days - 1)
    start_at = datetime.datetime.combine(start, datetime.time.min, tzinfo=zone)
    per_day = dict(
        signatures.filter(status=Signature.Status.CONFIRMED, confirmed_at__gte=start_at)
        .annotate(day=TruncDate("confirmed_at", tzinfo=zone))
        .values_list("day")
        .annotate(n=Count("pk"))
    )
    by_day = [
        (start + datetime.timedelta(days=i), per_day.get(start + datetime.timedelta(days=i), 0)) for i in range(days)
    ]
    by_state = [
        (code, STATE_NAMES.get(code, code), n)
        for code, n in signatures.filter(status=Signature.Status.CONFIRMED)
        .values_list("state")
        .annotate(n=Count("pk"))
        .order_by("-n", "state")
    ]
    endorsements = dict(
        Endorsement.objects.filter(petition=petition).order_by().values_list("status").annotate(n=Count("pk"))
    )
    return PetitionStats(by_status=by_status, by_day=by_day, by_state=by_state, endorsements_by_status=endorsements)


def moderation_queue(
    *, status: str = Endorsement.Status.PENDING, petition_id: int | None = None
) -> QuerySet[Endorsement]:
    """Endorsements in one status (oldest confirmation first), with their petition and moderator."""
    queue = Endorsement.objects.filter(status=status).select_related("petition", "moderated_by")
    if petition_id:
        queue = queue.filter(petition_id=petition_id)
    return queue.order_by("confirmed_at", "created_at", "pk")


def petition_choices() -> QuerySet[Petition]:
    """Published petitions for the moderation queue's filter."""
    return Petition.objects.exclude(status=Petition.Status.DRAFT).only("pk", "title").order_by("-created_at")


def pending_endorsement_count() -> int:
    return Endorsement.objects.filter(status=Endorsement.Status.PENDING).count()


def _local(value: datetime.datetime | None, zone: datetime.tzinfo) -> str:
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M") if value else ""


def signature_export_rows(petition: Petition, zone: datetime.tzinfo) -> Iterator[list[Any]]:
    """Confirmed signatures for the CSV export, read from the database in chunks."""
    rows = (
        Signature.objects.filter(petition=petition, status=Signature.Status.CONFIRMED)
        .order_by("confirmed_at", "pk")
        .values_list(
            "name", "email", "zip_code", "state", "comment", "show_name", "wants_updates", "created_at", "confirmed_at"
        )
    )
    for name, email, zip_code, state, comment, show, updates, created, confirmed in rows.iterator(chunk_size=2000):
        yield [
            name, email, zip_code, state, comment, "yes" if show else "no", "yes" if updates else "no",
            _local(created, zone), _local(confirmed, zone),
        ]  # fmt: skip


def endorsement_export_rows(petition: Petition, zone: datetime.tzinfo) -> Iterator[list[Any]]:
    """Every endorsement of a petition for the CSV export, alphabetical, in chunks."""
    scopes = dict(Endorsement.Scope.choices)
    statuses = dict(Endorsement.Status.choices)
    rows = (
        Endorsement.objects.filter(petition=petition)
        .order_by("sort_name", "pk")
        .values_list(
            "organization_name", "scope", "state", "website", "contact_name", "contact_title", "contact_email",
            "status", "featured", "created_at", "confirmed_at", "moderated_at", "rejection_reason",
        )
    )  # fmt: skip
    for row in rows.iterator(chunk_size=2000):
        (
            name,
            scope,
            state,
            website,
            c_name,
            c_title,
            c_email,
            status,
            featured,
            created,
            confirmed,
            moderated,
            reason,
        ) = row
        yield [
            name, scopes.get(scope, scope), state, website, c_name, c_title, c_email, statuses.get(status, status),
            "yes" if featured else "no", _local(created, zone), _local(confirmed, zone), _local(moderated, zone), reason,
        ]  # fmt: skip


# --- Audiences (for announcements) ---------------------------------------------------


def update_subscribers(petition_id: int) -> QuerySet[Signature]:
    """Confirmed signers of the petition who asked for updates (email, name)."""
    return Signature.objects.filter(
        petition_id=petition_id, status=Signature.Status.CONFIRMED, wants_updates=True
    ).exclude(email="")


def approved_endorser_contacts(petition_id: int) -> QuerySet[Endorsement]:
    """The contacts of the petition's approved endorsing organizations."""
    return Endorsement.objects.filter(petition_id=petition_id, status=Endorsement.Status.APPROVED)


def petitions_for_audiences() -> QuerySet[Petition]:
    return Petition.objects.exclude(status=Petition.Status.DRAFT).order_by("-created_at")


# --- Reports -------------------------------------------------------------------


def report_signatures_per_day(*, start: datetime.datetime, end: datetime.datetime) -> list[dict[str, Any]]:
    """Confirmed signatures per petition and day of confirmation (UTC), in
    [start, end) (UTC midnights). Two queries: the day roll-up the confirmations
    keep (`SignatureDay`, a row per petition and day, not every signature),
    then the titles of the petitions counted."""
    rows = list(
        SignatureDay.objects.filter(
            day__gte=start.astimezone(datetime.UTC).date(), day__lt=end.astimezone(datetime.UTC).date(), confirmed__gt=0
        )
        .values("day", "petition_id", n=F("confirmed"))
        .order_by("day", "petition_id")
    )
    titles = dict(Petition.objects.filter(pk__in={r["petition_id"] for r in rows}).values_list("pk", "title"))
    return [{"day": r["day"], "petition_title": titles.get(r["petition_id"], ""), "n": r["n"]} for r in rows]
