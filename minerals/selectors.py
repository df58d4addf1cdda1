"""Reads for minerals: the reference, who works where, the matrix, rounds."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.core.cache.utils import make_template_fragment_key
from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.functional import cached_property

from events.models import Event
from members.models import Membership, Organization
from petitions.models import Petition
from workinggroups.models import WorkingGroup

from . import disclosure
from .models import DemandRound, Fact, Follow, Involvement, MatrixPublication, Mineral, Stage
from .permissions import Scope, counted_visibilities, named_visibilities

if TYPE_CHECKING:
    from members.models import User


def mineral_list() -> QuerySet[Mineral]:
    """Every mineral, by name: what other apps tag with (by `slug`)."""
    return Mineral.objects.order_by("name")


INDEX_SORTS = {
    "name": ("name", "Name (A–Z)"),
    "reliance": ("-import_reliance", "Import reliance (highest first)"),
}


def mineral_index(*, sort: str = "name", group: str = "", end_use: str = "") -> QuerySet[Mineral]:
    minerals = Mineral.objects.all()
    if group:
        minerals = minerals.filter(group=group)
    if end_use:
        minerals = minerals.filter(
            pk__in=Fact.objects.filter(kind=Fact.Kind.END_USE, end_use=end_use).values("mineral")
        )
    if sort == "reliance":
        return minerals.order_by(F("import_reliance").desc(nulls_last=True), "name")
    return minerals.order_by("name")


PAGE_CACHE_SECONDS = 60


def _mineral_key(slug: str) -> str:
    return f"minerals:mineral:{slug}"


def _related_key(mineral_id: int) -> str:
    return f"minerals:related:{mineral_id}"


def forget_mineral(mineral: Mineral) -> None:
    """Drop what the mineral's page keeps (its facts, rendered too, and its tags)."""
    facts_fragment = make_template_fragment_key("mineral-facts", [mineral.slug])
    cache.delete_many([_mineral_key(mineral.slug), _related_key(mineral.pk), facts_fragment])


def mineral_by_slug(slug: str) -> Mineral | None:
    """The mineral with its facts, newest source first: kept for a minute
    (services forget it when staff change the mineral or its facts)."""
    mineral = cache.get(_mineral_key(slug))
    if mineral is None:
        mineral = (
            Mineral.objects.prefetch_related(Prefetch("facts", queryset=Fact.objects.order_by("-source_date", "pk")))
            .filter(slug=slug)
            .first()
        )
        if mineral is not None:
            cache.set(_mineral_key(slug), mineral, PAGE_CACHE_SECONDS)
    return mineral if isinstance(mineral, Mineral) else None


def fact_sheet(mineral: Mineral) -> list[tuple[str, str, list[Fact]]]:
    """(kind, label, facts) in the page's order, empty lists included so the
    page can say "not given in the sources" for each."""
    facts = list(mineral.facts.all())
    return [(kind, label, [f for f in facts if f.kind == kind]) for kind, label in Fact.Kind.choices]


def _in_good_standing(involvements: QuerySet[Involvement]) -> QuerySet[Involvement]:
    return involvements.filter(organization__membership__status__in=Membership.IN_GOOD_STANDING)


def visible_involvements(
    *, scope: Scope, own: set[int] | None = None, mineral: Mineral | None = None, stage: str = ""
) -> QuerySet[Involvement]:
    """Entries naming their organization to this viewer, with organizations."""
    shown = Q(visibility__in=named_visibilities(scope))
    if own:
        shown |= Q(organization_id__in=own)
    involvements = _in_good_standing(Involvement.objects.filter(shown))
    if mineral is not None:
        involvements = involvements.filter(mineral=mineral)
    if stage:
        involvements = involvements.filter(stage=stage)
    return involvements.select_related("organization", "mineral").order_by(
        "organization__name", "mineral__name", "stage"
    )


def members_by_mineral(*, scope: Scope, own: set[int], mineral: Mineral | None, stage: str) -> list[dict[str, Any]]:
    """The directory by mineral and stage: one row per organization with
    the stages shown to this viewer. One query.

    This lives here, not in the members directory, because members sits
    below minerals in the import layers: the directory links to this page
    rather than learning about minerals."""
    rows: dict[int, dict[str, Any]] = {}
    for entry in visible_involvements(scope=scope, own=own, mineral=mineral, stage=stage):
        row = rows.setdefault(entry.organization_id, {"organization": entry.organization, "entries": []})
        row["entries"].append(entry)
    return list(rows.values())


def involvements_of(organization: Organization) -> QuerySet[Involvement]:
    return Involvement.objects.filter(organization=organization).select_related("mineral", "verified_by")


def related_for(mineral: Mineral) -> dict[str, Any]:
    """Active working groups, upcoming events and published petitions tagged
    with the mineral: names and links only, the same for every viewer, so
    kept for a minute (forgotten when staff change the tags; a group archived
    or an event cancelled elsewhere shows within the minute). Events here are
    those listed to everyone (public or members' events): a group's own
    meetings stay on the group's page."""
    related = cache.get(_related_key(mineral.pk))
    if related is None:
        related = {
            "groups": list(
                WorkingGroup.objects.filter(status=WorkingGroup.Status.ACTIVE, minerals=mineral)
                .order_by("name")
                .values("name", "slug")[:6]
            ),
            "events": list(
                Event.objects.filter(
                    minerals=mineral,
                    status=Event.Status.PUBLISHED,
                    visibility__in=(Event.Visibility.PUBLIC, Event.Visibility.MEMBERS),
                )
                .upcoming(timezone.now())
                .order_by("starts_at", "pk")
                .values("title", "slug")[:5]
            ),
            "petitions": list(
                Petition.objects.exclude(status=Petition.Status.DRAFT)
                .filter(minerals=mineral)
                .order_by("-published_at", "pk")
                .values("title", "slug")[:5]
            ),
        }
        cache.set(_related_key(mineral.pk), related, PAGE_CACHE_SECONDS)
    assert isinstance(related, dict)
    return related


class MineralMembers:
    """The first `limit` organizations (by name) shown to this viewer for a
    mineral, with their stages, and whether there are more: read (two
    queries, only the rows the page shows) when the page's template asks,
    which it does not when it has the list kept (`cache_key`)."""

    def __init__(self, *, scope: Scope, own: set[int], mineral: Mineral, limit: int) -> None:
        self.scope, self.own, self.mineral, self.limit = scope, own, mineral, limit

    @property
    def cache_key(self) -> str:
        own = ",".join(map(str, sorted(self.own)))
        return f"{self.mineral.pk}:{self.scope}:{own}:{entries_generation()}"

    @cached_property
    def _page(self) -> tuple[list[dict[str, Any]], bool]:
        visible = visible_involvements(scope=self.scope, own=self.own, mineral=self.mineral)
        ids = [
            row["organization_id"]
            for row in visible.order_by("organization__name", "organization_id")
            .values("organization_id", "organization__name")
            .distinct()[: self.limit + 1]
        ]
        rows: dict[int, dict[str, Any]] = {}
        for entry in visible.filter(organization_id__in=ids[: self.limit]):
            row = rows.setdefault(entry.organization_id, {"organization": entry.organization, "entries": []})
            row["entries"].append(entry)
        return list(rows.values()), len(ids) > self.limit

    @property
    def rows(self) -> list[dict[str, Any]]:
        return self._page[0]

    @property
    def more(self) -> bool:
        return self._page[1]


def is_following(user: User, mineral: Mineral) -> bool:
    return user.is_authenticated and Follow.objects.filter(user=user, mineral=mineral).exists()


def follower_ids(mineral: Mineral) -> list[int]:
    return list(Follow.objects.filter(mineral=mineral, user__is_active=True).values_list("user_id", flat=True))


# --- The coverage matrix --------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    stage: str
    count: int
    level: int  # 0–4, the colour step
    gap: bool  # high import reliance and nobody here


@dataclass(frozen=True)
class MatrixRow:
    mineral: Mineral
    cells: list[Cell]


@dataclass(frozen=True)
class Matrix:
    rows: list[MatrixRow]
    stages: list[tuple[str, str]]
    stage_totals: list[int]


# Stages where a gap matters most (the seeds' point: limited midstream processing).
GAP_STAGES = {Stage.PROCESSING, Stage.MINING, Stage.RECYCLING}
GAP_RELIANCE = 50


def _level(count: int, top: int) -> int:
    if count == 0 or top == 0:
        return 0
    return max(1, min(4, round(4 * count / top)))


# The matrix depends on the viewer's scope only, so it is kept per scope.
# Services forget it on every change to entries or minerals
# (`forget_matrix`); a membership lapsing (members does not know minerals)
# shows within MATRIX_CACHE_SECONDS.
MATRIX_CACHE_SECONDS = 60
MATRIX_SCOPES = ("public", "members", "staff")


def _matrix_key(scope: str) -> str:
    return f"minerals:matrix:{scope}"


def matrix_html_key(scope: str) -> str:
    return f"minerals:matrix-html:{scope}"


ENTRIES_GENERATION_KEY = "minerals:entries:generation"


def entries_generation() -> str:
    """Changes whenever an organization's entries change: part of the key of
    every kept list of organizations (the mineral pages' member lists)."""
    return str(cache.get(ENTRIES_GENERATION_KEY) or "0")


def forget_matrix() -> None:
    """Entries changed: drop the kept matrices and start a new generation of
    kept member lists."""
    cache.delete_many(
        [_matrix_key(scope) for scope in MATRIX_SCOPES] + [matrix_html_key(scope) for scope in MATRIX_SCOPES]
    )
    cache.set(ENTRIES_GENERATION_KEY, uuid.uuid4().hex, None)


def coverage_matrix(*, scope: Scope) -> Matrix:
    """Minerals × stages, each cell the number of member organizations the
    viewer's scope counts. From the cache, or two queries whatever the
    number of organizations."""
    matrix = cache.get(_matrix_key(scope))
    if matrix is None:
        matrix = _coverage_matrix(scope)
        cache.set(_matrix_key(scope), matrix, MATRIX_CACHE_SECONDS)
    assert isinstance(matrix, Matrix)
    return matrix


def _coverage_matrix(scope: Scope) -> Matrix:
    counts = (
        _in_good_standing(Involvement.objects.filter(visibility__in=counted_visibilities(scope)))
        .values("mineral_id", "stage")
        .annotate(n=Count("organization_id", distinct=True))
        .order_by()
    )
    by_cell = {(row["mineral_id"], row["stage"]): row["n"] for row in counts}
    top = max(by_cell.values(), default=0)
    minerals = list(Mineral.objects.order_by(F("import_reliance").desc(nulls_last=True), "name"))
    rows = []
    for mineral in minerals:
        cells = []
        for stage in Stage.values:
            n = by_cell.get((mineral.pk, stage), 0)
            high = (mineral.import_reliance or 0) >= GAP_RELIANCE
            cells.append(Cell(stage, n, _level(n, top), gap=high and n == 0 and stage in GAP_STAGES))
        rows.append(MatrixRow(mineral, cells))
    totals = [sum(r.cells[i].count for r in rows) for i in range(len(Stage.values))]
    return Matrix(rows=rows, stages=list(Stage.choices), stage_totals=totals)


def matrix_is_public() -> bool:
    return MatrixPublication.objects.filter(pk=1, is_public=True).exists()


# --- Pooled demand --------------------------------------------------------------


def open_rounds(mineral: Mineral | None = None) -> QuerySet[DemandRound]:
    rounds = DemandRound.objects.filter(status=DemandRound.Status.OPEN).select_related("mineral")
    return rounds.filter(mineral=mineral) if mineral is not None else rounds


def _rounds_key(mineral_id: int) -> str:
    return f"minerals:open-rounds:{mineral_id}"


def open_round_links(mineral: Mineral) -> list[dict[str, Any]]:
    """The mineral's open rounds (id and title) for its page: kept until a
    round opens or closes (`forget_rounds`)."""
    links = cache.get(_rounds_key(mineral.pk))
    if links is None:
        links = list(open_rounds(mineral).order_by("pk").values("pk", "title"))
        cache.set(_rounds_key(mineral.pk), links, PAGE_CACHE_SECONDS)
    assert isinstance(links, list)
    return links


def forget_rounds(mineral_id: int) -> None:
    cache.delete(_rounds_key(mineral_id))


def rounds_for_member(user: User) -> QuerySet[DemandRound]:
    """Open rounds, and closed ones the user's organizations joined."""
    from .permissions import own_organization_ids

    own = own_organization_ids(user)
    return (
        DemandRound.objects.filter(Q(status=DemandRound.Status.OPEN) | Q(declarations__organization_id__in=own))
        .select_related("mineral")
        .distinct()
        .order_by("status", "-window_start", "-pk")
    )


def rounds_for_staff() -> QuerySet[DemandRound]:
    return (
        DemandRound.objects.select_related("mineral")
        .annotate(declaration_count=Count("declarations"))
        .order_by("status", "-created_at")
    )


def round_joined_by(round_: DemandRound, organization_ids: set[int]) -> bool:
    return bool(organization_ids) and round_.declarations.filter(organization_id__in=organization_ids).exists()


def rule_of(round_: DemandRound) -> disclosure.Rule:
    return disclosure.Rule(min_organizations=round_.min_organizations, dominance_percent=round_.dominance_percent)


def current_contributions(round_: DemandRound) -> dict[str, dict[str, str]]:
    """What the round holds now, per organization, as stored in a snapshot."""
    return {
        str(org): {"q": str(quantity), "form": form.strip().lower()}
        for org, quantity, form in round_.declarations.values_list("organization_id", "quantity", "form")
    }


def quantities(snapshot: dict[str, dict[str, str]]) -> dict[str, Decimal]:
    return {org: Decimal(entry["q"]) for org, entry in snapshot.items()}


@dataclass(frozen=True)
class PooledFigures:
    total: Decimal | None
    organizations: int
    parts: dict[str, Decimal | None]


def pooled_figures(round_: DemandRound) -> PooledFigures:
    """What may be shown of a round: the last published total and, once the
    round is closed, its breakdown by form with complementary suppression.
    No query: it reads the snapshot stored on the round."""
    if round_.published_total is None:
        return PooledFigures(total=None, organizations=0, parts={})
    parts: dict[str, Decimal | None] = {}
    if round_.status == DemandRound.Status.CLOSED:
        by_form: dict[str, dict[str, Decimal]] = {}
        for org, entry in round_.published_contributions.items():
            by_form.setdefault(entry["form"], {})[org] = Decimal(entry["q"])
        parts = disclosure.breakdown(by_form, rule_of(round_)).parts
    return PooledFigures(total=round_.published_total, organizations=round_.published_organizations, parts=parts)


AGGREGATE_EXPORT_HEADER = [
    "Round",
    "Mineral",
    "Window start",
    "Window end",
    "Status",
    "Unit",
    "Organizations",
    "Pooled total",
    "Form",
    "Form total",
]


def aggregate_export_rows() -> list[list[object]]:
    """Published aggregates only, for a partner or a consultation: never a
    declaration, never an unpublished figure."""
    rows: list[list[object]] = []
    for round_ in DemandRound.objects.select_related("mineral").order_by("-window_start", "pk"):
        figures = pooled_figures(round_)
        base = [
            round_.title,
            round_.mineral.name,
            round_.window_start,
            round_.window_end,
            round_.get_status_display(),
            round_.mineral.get_unit_display(),
        ]
        if figures.total is None:
            rows.append([*base, "", "suppressed (fewer organizations than the threshold, or one dominates)", "", ""])
            continue
        rows.append([*base, figures.organizations, figures.total, "all forms", figures.total])
        for form, value in figures.parts.items():
            rows.append([*base, "", "", form, "suppressed" if value is None else value])
    return rows


def joined_rounds(organization_ids: set[int]) -> list[int]:
    from .models import Declaration

    if not organization_ids:
        return []
    return list(
        Declaration.objects.filter(organization_id__in=organization_ids).values_list("round_id", flat=True).distinct()
    )


def declarations_of(round_: DemandRound, organization_ids: set[int]) -> QuerySet[Any]:
    """The user's own organizations' declarations in a round (theirs to see)."""
    from .models import Declaration

    return Declaration.objects.filter(round=round_, organization_id__in=organization_ids).select_related("organization")
