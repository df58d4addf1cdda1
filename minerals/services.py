"""Writes for minerals. Each is atomic, checks its rules, raises a
`cma.errors.ServiceError` with a message for the person, and audits staff
changes to the reference."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from cma.access import is_staff_with_mfa
from cma.audit import audit
from cma.errors import Conflict, NotFound, Refused, ServiceError
from cma.http import absolute_url
from members.models import Membership, Organization
from notifications.services import notify
from notifications.topics import Topic

from . import disclosure, selectors
from .models import Declaration, DemandRound, Fact, Follow, Involvement, MatrixPublication, Mineral, Stage

if TYPE_CHECKING:
    from members.models import User

# Larger than any plausible annual volume of one organization (tonnes or
# kilograms alike): a figure above it is a typo, not a forecast.
MAX_QUANTITY = Decimal("1000000000")


def _require_staff(actor: User) -> None:
    if not is_staff_with_mfa(actor):
        raise Refused("Only association staff can do this.")


def clean_quantity(value: Any, *, field: str) -> Decimal:
    try:
        quantity = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ServiceError("Enter a number.", field=field) from None
    if not quantity.is_finite() or quantity <= 0:
        raise ServiceError("Enter a quantity greater than zero.", field=field)
    if quantity >= MAX_QUANTITY:
        raise ServiceError("That is more than any one organization could handle; check the figure.", field=field)
    return quantity.quantize(Decimal("0.001"))


def _check_unit(mineral: Mineral, unit: str) -> None:
    if unit != mineral.unit:
        raise ServiceError(f"{mineral.name} is counted in {mineral.get_unit_display()}.", field="unit")


# --- Reference -------------------------------------------------------------------


def _matrix_changed() -> None:
    transaction.on_commit(selectors.forget_matrix)


def _mineral_changed(mineral: Mineral) -> None:
    transaction.on_commit(lambda: selectors.forget_mineral(mineral))


def _refresh_reliance(mineral: Mineral) -> None:
    _matrix_changed()
    _mineral_changed(mineral)
    latest = mineral.facts.filter(kind=Fact.Kind.IMPORT_RELIANCE).order_by("-source_date", "-pk").first()
    Mineral.objects.filter(pk=mineral.pk).update(import_reliance=latest.percent if latest else None)


EDITABLE_FIELDS = ("name", "symbol", "group", "uses", "unit", "on_usgs_2025_list")


@transaction.atomic
def mineral_update(
    *, actor: User, mineral: Mineral, data: dict[str, Any], tags: dict[str, list[int]] | None = None
) -> Mineral:
    """Change a mineral's description and tags; each changed field is audited
    with its old and new value. The slug never changes (other apps link by it)."""
    _require_staff(actor)
    changes = {
        name: [str(getattr(mineral, name)), str(data[name])]
        for name in EDITABLE_FIELDS
        if name in data and data[name] != getattr(mineral, name)
    }
    for name in changes:
        setattr(mineral, name, data[name])
    mineral.save()
    for relation, ids in (tags or {}).items():
        before = sorted(getattr(mineral, relation).values_list("pk", flat=True))
        if before != sorted(ids):
            getattr(mineral, relation).set(ids)
            changes[relation] = [str(before), str(sorted(ids))]
    if changes:
        _matrix_changed()
        _mineral_changed(mineral)
        audit(actor=actor, action="minerals.mineral_update", target=mineral, data={"changes": changes})
    return mineral


@transaction.atomic
def fact_add(
    *, actor: User, mineral: Mineral, kind: str, text: str, source: str, source_date: datetime.date | None,
    percent: int | None = None, end_use: str = "", quotes: str = "",
) -> Fact:  # fmt: skip
    """Add a cited fact. A figure without a source (or a date) is refused."""
    _require_staff(actor)
    if not source.strip():
        raise ServiceError("Say where this comes from: every fact needs its source.", field="source")
    if source_date is None:
        raise ServiceError("Give the source's date.", field="source_date")
    if kind == Fact.Kind.IMPORT_RELIANCE and percent is None:
        raise ServiceError("An import-reliance fact needs its figure (0–100).", field="percent")
    if percent is not None and not 0 <= percent <= 100:
        raise ServiceError("A percentage is between 0 and 100.", field="percent")
    if kind == Fact.Kind.END_USE and not end_use:
        raise ServiceError("Choose the end use this is about.", field="end_use")
    fact = Fact.objects.create(
        mineral=mineral, kind=kind, text=text.strip(), source=source.strip(), quotes=quotes.strip(),
        source_date=source_date, percent=percent, end_use=end_use if kind == Fact.Kind.END_USE else "",
    )  # fmt: skip
    _refresh_reliance(mineral)
    audit(actor=actor, action="minerals.fact_add", target=mineral, note=fact.text[:200],
          data={"fact": fact.pk, "kind": kind, "percent": percent, "source": fact.source, "quotes": fact.quotes})  # fmt: skip
    return fact


@transaction.atomic
def fact_remove(*, actor: User, mineral: Mineral, fact_id: int) -> None:
    _require_staff(actor)
    fact = mineral.facts.filter(pk=fact_id).first()
    if fact is None:
        raise NotFound("No such fact on this mineral.")
    audit(actor=actor, action="minerals.fact_remove", target=mineral, note=fact.text[:200],
          data={"kind": fact.kind, "percent": fact.percent, "source": fact.source, "quotes": fact.quotes})  # fmt: skip
    fact.delete()
    _refresh_reliance(mineral)


# --- What organizations do ----------------------------------------------------------


@transaction.atomic
def involvement_save(
    *, actor: User, organization: Organization, mineral: Mineral, stages: list[str], visibility: str,
    capacity: Any = None, unit: str = "",
) -> list[Involvement]:  # fmt: skip
    """Declare (or change) the stages an organization works in for a mineral.
    Stages not listed are removed. The caller has checked the actor may
    manage the organization (members.permissions.get_organization_to_manage)."""
    unknown = [s for s in stages if s not in Stage.values]
    if unknown or not stages:
        raise ServiceError("Choose at least one stage from the list.", field="stages")
    if visibility not in Involvement.Visibility.values:
        raise ServiceError("Choose who may see this.", field="visibility")
    amount = None
    if capacity not in (None, ""):
        amount = clean_quantity(capacity, field="capacity")
        _check_unit(mineral, unit)
    _matrix_changed()
    Involvement.objects.filter(organization=organization, mineral=mineral).exclude(stage__in=stages).delete()
    saved = []
    for stage in stages:
        entry, _ = Involvement.objects.update_or_create(
            organization=organization, mineral=mineral, stage=stage,
            defaults={"visibility": visibility, "capacity": amount},
        )  # fmt: skip
        saved.append(entry)
    return saved


@transaction.atomic
def involvement_remove(*, actor: User, organization: Organization, involvement_id: int) -> None:
    deleted, _ = Involvement.objects.filter(pk=involvement_id, organization=organization).delete()
    if not deleted:
        raise NotFound("No such entry for this organization.")
    _matrix_changed()


@transaction.atomic
def involvement_verify(*, actor: User, involvement_id: int) -> Involvement:
    _require_staff(actor)
    entry = Involvement.objects.select_for_update().filter(pk=involvement_id).first()
    if entry is None:
        raise NotFound("No such entry.")
    entry.verified_at, entry.verified_by = timezone.now(), actor
    entry.save(update_fields=["verified_at", "verified_by", "updated_at"])
    audit(actor=actor, action="minerals.involvement_verify", target=entry)
    return entry


@transaction.atomic
def matrix_publish(*, actor: User, public: bool) -> MatrixPublication:
    _require_staff(actor)
    publication, _ = MatrixPublication.objects.select_for_update().get_or_create(pk=1)
    publication.is_public, publication.changed_by = public, actor
    publication.save()
    audit(actor=actor, action="minerals.matrix_publish", target=publication, to_state="public" if public else "private")
    return publication


# --- Follow ---------------------------------------------------------------------


def follow_set(*, user: User, mineral: Mineral, follow: bool) -> None:
    if not user.is_authenticated:
        raise Refused("Sign in to follow a mineral.")
    if follow:
        Follow.objects.get_or_create(user=user, mineral=mineral)
    else:
        Follow.objects.filter(user=user, mineral=mineral).delete()


def _tell_followers(mineral: Mineral, *, key: str, headline: str, url: str) -> None:
    from members.models import User as UserModel

    for user in UserModel.objects.filter(pk__in=selectors.follower_ids(mineral)):
        notify(
            user=user, template="minerals/update", dedupe_key=f"minerals:{key}:{user.pk}",
            context={"mineral": mineral, "headline": headline, "link": absolute_url(url)},
            topic=Topic.ANNOUNCEMENTS, url=url,
        )  # fmt: skip


# --- Pooled demand ------------------------------------------------------------------


@transaction.atomic
def round_open(
    *, actor: User, mineral: Mineral, title: str, window_start: datetime.date, window_end: datetime.date,
    min_organizations: int, dominance_percent: int,
) -> DemandRound:  # fmt: skip
    """Open a pooled-demand round; followers of the mineral are told."""
    _require_staff(actor)
    if window_end <= window_start:
        raise ServiceError("The window must end after it starts.", field="window_end")
    if min_organizations < 2:
        raise ServiceError(
            "At least two organizations, or a total would be one organization's figure.", field="min_organizations"
        )
    if not 1 <= dominance_percent <= 100:
        raise ServiceError("A share between 1 and 100 percent.", field="dominance_percent")
    round_ = DemandRound.objects.create(
        mineral=mineral, title=title.strip() or f"{mineral.name} demand", window_start=window_start,
        window_end=window_end, min_organizations=min_organizations, dominance_percent=dominance_percent, opened_by=actor,
    )  # fmt: skip
    audit(actor=actor, action="minerals.round_open", target=round_, to_state=round_.status)
    transaction.on_commit(lambda: selectors.forget_rounds(mineral.pk))
    _tell_followers(
        mineral, key=f"round:{round_.pk}", headline=f"A pooled-demand round is open: {round_.title}",
        url=reverse("minerals:round", args=[round_.pk]),
    )  # fmt: skip
    return round_


def _republish(round_: DemandRound) -> bool:
    """Publish the round's current total if the disclosure rules allow it
    (see minerals.disclosure); the round row is locked by the caller."""
    current = selectors.current_contributions(round_)
    previous = selectors.quantities(round_.published_contributions) if round_.published_total is not None else None
    now = selectors.quantities(current)
    if not disclosure.may_publish(previous, now, selectors.rule_of(round_)):
        return False
    round_.published_total = sum(now.values(), Decimal(0))
    round_.published_organizations = len(now)
    round_.published_contributions = current
    round_.published_at = timezone.now()
    round_.save(update_fields=["published_total", "published_organizations", "published_contributions", "published_at"])
    return True


def _locked_open_round(round_id: int) -> DemandRound:
    round_ = DemandRound.objects.select_for_update().select_related("mineral").filter(pk=round_id).first()
    if round_ is None:
        raise NotFound("No such round.")
    if not round_.is_open:
        raise Conflict("This round is closed: declarations can no longer change.")
    return round_


@transaction.atomic
def demand_declare(
    *, actor: User, round_id: int, organization: Organization, quantity: Any, unit: str, form: str
) -> Declaration:
    """Declare (or change) an organization's expected demand in an open
    round. The caller resolved `organization` among the actor's own
    (permissions.demand_organization). The round is locked so that totals
    are republished one declaration at a time."""
    round_ = _locked_open_round(round_id)
    if not Membership.objects.filter(organization=organization, status__in=Membership.IN_GOOD_STANDING).exists():
        raise Refused("Only member organizations in good standing take part in pooled demand.")
    amount = clean_quantity(quantity, field="quantity")
    _check_unit(round_.mineral, unit)
    if not form.strip():
        raise ServiceError("Say which stage or form, for example “battery-grade lithium hydroxide”.", field="form")
    try:
        with transaction.atomic():
            declaration, _ = Declaration.objects.update_or_create(
                round=round_, organization=organization,
                defaults={"quantity": amount, "form": form.strip()[:120], "declared_by": actor},
            )  # fmt: skip
    except IntegrityError:
        raise Conflict("That declaration was just changed; try again.") from None
    _republish(round_)
    return declaration


@transaction.atomic
def demand_withdraw(*, actor: User, round_id: int, organization: Organization) -> None:
    round_ = _locked_open_round(round_id)
    deleted, _ = Declaration.objects.filter(round=round_, organization=organization).delete()
    if not deleted:
        raise NotFound("Your organization has no declaration in this round.")
    _republish(round_)


@transaction.atomic
def round_close(*, actor: User, round_id: int) -> DemandRound:
    _require_staff(actor)
    round_ = _locked_open_round(round_id)
    _republish(round_)
    round_.status = DemandRound.Status.CLOSED
    round_.save(update_fields=["status"])
    audit(actor=actor, action="minerals.round_close", target=round_, from_state="open", to_state="closed")
    transaction.on_commit(lambda: selectors.forget_rounds(round_.mineral_id))
    return round_
