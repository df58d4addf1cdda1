"""Demo data for minerals: what the seed organizations do with which
minerals (their descriptions in members/demo.py), the working groups tagged
with minerals, and a lithium pooled-demand round with a published total.
Idempotent. The reference itself comes from the data migration.

`seed_scale(n)` adds four mineral × stage entries per bulk organization and,
for every second one, a declaration in a demand round (the benchmark's data).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from cma.demo import DemoLogin
from members.models import Organization, OrganizationMember, User
from workinggroups.models import WorkingGroup

from . import services
from .models import Declaration, DemandRound, Involvement, Mineral, Stage

V = Involvement.Visibility

# organization name (members/demo.py): [(mineral, stages, visibility)]
ENTRIES: dict[str, list[tuple[str, list[str], str]]] = {
    "Sierra Lithium Resources": [("lithium", ["exploration", "mining", "processing"], V.PUBLIC)],
    "Bitterroot Rare Earths": [("neodymium", ["exploration"], V.PUBLIC), ("praseodymium", ["exploration"], V.PUBLIC)],
    "Copper Basin Mining Co.": [("copper", ["mining", "processing"], V.PUBLIC), ("molybdenum", ["mining"], V.MEMBERS)],
    "Gulf Coast Refining Partners": [("lithium", ["processing"], V.MEMBERS), ("cobalt", ["processing"], V.AGGREGATE)],
    "Tehachapi Magnet Metals": [
        ("neodymium", ["processing", "components"], V.PUBLIC),
        ("samarium", ["components"], V.STAFF),
    ],
    "Lakeshore Battery Recycling": [
        ("lithium", ["recycling"], V.PUBLIC),
        ("cobalt", ["recycling"], V.PUBLIC),
        ("nickel", ["recycling"], V.PUBLIC),
    ],
    "Circular Cobalt Recovery": [("cobalt", ["recycling"], V.MEMBERS)],
    "Keystone Critical Capital": [("lithium", ["finance"], V.PUBLIC), ("copper", ["finance"], V.PUBLIC)],
    "Great Lakes EV Components": [
        ("lithium", ["end-use"], V.MEMBERS),
        ("graphite", ["end-use"], V.AGGREGATE),
        ("cobalt", ["end-use"], V.MEMBERS),
    ],
    "Patriot Alloys Defense Systems": [
        ("titanium", ["end-use"], V.MEMBERS),
        ("tungsten", ["end-use"], V.STAFF),
        ("antimony", ["end-use"], V.AGGREGATE),
    ],
    "Meridian Supply Chain Advisory": [("gallium", ["services"], V.PUBLIC), ("germanium", ["services"], V.PUBLIC)],
    "Appalachian Graphite Works": [("graphite", ["processing"], V.PUBLIC)],
    "Prairie Potash & Minerals": [("potash", ["exploration", "mining"], V.PUBLIC)],
}

GROUP_TAGS = {
    "Trade Policy Working Group": ["gallium", "germanium", "antimony", "graphite", "tungsten"],
    "Recycling and Circularity": ["lithium", "cobalt", "nickel", "neodymium"],
}

# Expected 2027 demand of the buyers (tonnes), private: only the pooled total shows.
DEMAND = [
    ("Great Lakes EV Components", "240", "battery-grade lithium hydroxide"),
    ("Gulf Coast Refining Partners", "180", "lithium carbonate"),
    ("Lakeshore Battery Recycling", "150", "battery-grade lithium hydroxide"),
]


def seed() -> list[DemoLogin]:
    minerals = {m.slug: m for m in Mineral.objects.all()}
    organizations = {o.name: o for o in Organization.objects.filter(name__in=ENTRIES)}
    for name, rows in ENTRIES.items():
        if name not in organizations:
            continue
        for mineral_slug, stages, visibility in rows:
            for stage in stages:
                Involvement.objects.get_or_create(
                    organization=organizations[name], mineral=minerals[mineral_slug], stage=stage,
                    defaults={"visibility": visibility},
                )  # fmt: skip
    for name, slugs in GROUP_TAGS.items():
        group = WorkingGroup.objects.filter(name=name).first()
        if group is not None:
            for slug in slugs:
                minerals[slug].working_groups.add(group)
    _demand_round(minerals["lithium"])
    return []


def _demand_round(lithium: Mineral) -> None:
    staff = User.objects.get(email="staff@cma-usa.localhost")
    round_, created = DemandRound.objects.get_or_create(
        mineral=lithium, title="Lithium for batteries, 2027",
        defaults={"window_start": datetime.date(2027, 1, 1), "window_end": datetime.date(2027, 12, 31), "opened_by": staff},
    )  # fmt: skip
    if not created:
        return
    for name, quantity, form in DEMAND:
        person = (
            OrganizationMember.objects.filter(organization__name=name).select_related("user", "organization").first()
        )
        if person is not None:
            # The service, so the total is published by the same rules as in use.
            services.demand_declare(actor=person.user, round_id=round_.pk, organization=person.organization,
                                    quantity=quantity, unit="t", form=form)  # fmt: skip


def seed_scale(count: int) -> str:
    """Entries for the bulk organizations (`Scale Org …`): four each, spread
    over minerals and stages with every visibility, and a declaration for
    three in five in one open round per mineral. Bulk inserts; safe to
    run again (what exists is skipped)."""
    minerals = list(Mineral.objects.order_by("pk"))
    stages = Stage.values
    visibilities = V.values
    # The bulk organizations that have no entry yet: a second run (the
    # benchmark grows 500 to 5,000) gives entries to the new ones only.
    organizations = list(
        Organization.objects.filter(name__startswith="Scale Org")
        .exclude(pk__in=Involvement.objects.values("organization_id"))
        .order_by("pk")
        .values_list("pk", flat=True)[:count]
    )
    entries = [
        Involvement(
            organization_id=org,
            mineral=minerals[(i * 7 + k * 13) % len(minerals)],
            stage=stages[(i + k * 3) % len(stages)],
            visibility=visibilities[(i + k) % len(visibilities)],
        )  # fmt: skip
        for i, org in enumerate(organizations)
        for k in range(4)
    ]
    Involvement.objects.bulk_create(entries, batch_size=2000, ignore_conflicts=True)
    staff = User.objects.get(email="staff@cma-usa.localhost")
    rounds = {}
    for mineral in minerals:
        rounds[mineral.pk], _ = DemandRound.objects.get_or_create(
            mineral=mineral, title=f"{mineral.name} demand, scale data",
            defaults={"window_start": datetime.date(2027, 1, 1), "window_end": datetime.date(2027, 12, 31), "opened_by": staff},
        )  # fmt: skip
    declarations = [
        Declaration(
            round=rounds[minerals[i % len(minerals)].pk],
            organization_id=org,
            quantity=Decimal(10 + i % 90),
            form="concentrate",
            declared_by=staff,
        )  # fmt: skip
        for i, org in enumerate(organizations[: (count * 3) // 5])
    ]
    Declaration.objects.bulk_create(declarations, batch_size=2000, ignore_conflicts=True)
    return f"{len(entries)} mineral entries, {len(declarations)} demand declarations"
