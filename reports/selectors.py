"""The staff reports: each reads the owning app's report selectors and turns
their rows into one table (and a chart where a picture reads faster).

Every report runs a fixed number of queries whatever the data size: the
selectors group in the database and the merging happens here.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.safestring import SafeString

from billing import selectors as billing
from cma.formatting import money
from events import selectors as events
from events.models import Event
from members import selectors as members
from members.models import Application, Membership
from petitions import selectors as petitions
from workinggroups import selectors as groups

from .charts import bar_chart

T = TypeVar("T")


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date  # inclusive

    @property
    def start_at(self) -> datetime.datetime:
        return datetime.datetime.combine(self.start, datetime.time.min, tzinfo=datetime.UTC)

    @property
    def end_before(self) -> datetime.datetime:
        return datetime.datetime.combine(self.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=datetime.UTC)


@dataclass
class Table:
    columns: list[str]
    rows: list[list[Any]]
    numeric: set[int] = field(default_factory=set)
    # Columns of dollars: the page writes them "$12,500.00"; the CSV keeps the plain number.
    money: set[int] = field(default_factory=set)
    summary: list[tuple[str, Any]] = field(default_factory=list)
    chart: SafeString = field(default_factory=lambda: SafeString(""))
    note: str = ""

    def first(self, limit: int | None) -> Table:
        """The table with at most `limit` rows (the page shows the first ones; the CSV has all)."""
        if limit is not None and len(self.rows) > limit:
            self.rows = self.rows[:limit]
            self.note = f"{self.note} The first {limit} rows are shown; the CSV has them all.".strip()
        return self


@dataclass(frozen=True)
class Report:
    slug: str
    title: str
    description: str
    build: Callable[[Period, datetime.date, int | None], Table]


def _pipeline(period: Period, today: datetime.date, limit: int | None) -> Table:
    data = members.report_application_pipeline(start=period.start_at, end=period.end_before)
    states = [s for s in Application.Status if s != Application.Status.DRAFT]
    rows: list[list[Any]] = [[s.label, data["counts"].get(s.value, 0)] for s in states]
    median = data["median_days"]
    return Table(
        columns=["State", "Applications"], rows=rows, numeric={1},
        summary=[("Submitted in the period", sum(r[1] for r in rows)),
                 ("Median days to decision", f"{median:.1f}" if median is not None else "—")],
        chart=bar_chart("Applications by state", [(r[0], r[1]) for r in rows]),
        note="Applications submitted in the period, by their state today.",
    )  # fmt: skip


def _renewals(period: Period, today: datetime.date, limit: int | None) -> Table:
    data = members.report_renewals_due(today=today, limit=None if limit is None else limit + 1)
    rows: list[list[Any]] = [
        [m.organization.name, m.tier.name, m.ends_on, m.get_status_display(), (m.ends_on - today).days]
        for m in data["rows"]
    ]
    counts = data["counts"]
    return Table(
        columns=["Organization", "Tier", "Term ends", "Status", "Days left"], rows=rows, numeric={4},
        summary=[("Within 30 days", counts["within_30"]), ("Within 60 days", counts["within_60"]),
                 ("Within 90 days", counts["within_90"])],
        note="Counted from today; the date range does not apply.",
    )  # fmt: skip


def _invoices(period: Period, today: datetime.date, limit: int | None) -> Table:
    summary = billing.outstanding_summary(today=today, start=period.start, end=period.end)
    fetch = None if limit is None else limit + 1  # one more tells first() there are more
    rows: list[list[Any]] = [
        [i.number, i.organization.name, i.issued_on, i.due_on, i.balance, max((today - i.due_on).days, 0)]
        for i in billing.open_invoices(today=today, start=period.start, end=period.end, limit=fetch)
    ]
    return Table(
        columns=["Invoice", "Organization", "Issued", "Due", "Balance (USD)", "Days overdue"], rows=rows,
        numeric={4, 5}, money={4},
        summary=[("Outstanding", f"{money(summary['open_total'])} on {summary['open_count']:,}"),
                 ("Overdue", f"{money(summary['overdue_total'])} on {summary['overdue_count']:,}")],
        note="Unpaid invoices issued in the period.",
    )  # fmt: skip


def _revenue(period: Period, today: datetime.date, limit: int | None) -> Table:
    data = billing.revenue_by_month(start=period.start, end=period.end)
    cent = Decimal("0.01")
    rows: list[list[Any]] = [
        [r["month"].strftime("%Y-%m"), r["tier"], r["count"], Decimal(r["total"]).quantize(cent)] for r in data
    ]
    by_month: dict[str, Decimal] = defaultdict(Decimal)
    by_tier: dict[str, Decimal] = defaultdict(Decimal)
    for month, tier, _, total in rows:
        by_month[month] += total
        by_tier[tier] += total
    return Table(
        columns=["Month", "Tier", "Payments", "Received (USD)"], rows=rows, numeric={2, 3}, money={3},
        summary=[("Received in the period", money(billing.revenue_total(data)))]
        + [(f"{tier}", money(total)) for tier, total in sorted(by_tier.items())],
        chart=bar_chart("Revenue by month", sorted(by_month.items()), shown=money),
    )  # fmt: skip


def _members(period: Period, today: datetime.date, limit: int | None) -> Table:
    statuses = list(Membership.Status)
    grid: dict[str, dict[str, int]] = defaultdict(dict)
    for row in members.report_members_by_segment_and_state():
        grid[row["segment"] or "No segment"][row["status"]] = row["n"]
    rows: list[list[Any]] = [
        [segment, *(cells.get(s.value, 0) for s in statuses)] for segment, cells in sorted(grid.items())
    ]
    return Table(
        columns=["Segment", *(s.label for s in statuses)], rows=rows, numeric=set(range(1, len(statuses) + 1)),
        chart=bar_chart("Members in good standing by segment", [(r[0], r[1] + r[2]) for r in rows]),
        note="As of today (an organization in several segments counts in each); the date range does not apply.",
    )  # fmt: skip


def _rate(registered: int, checked_in: int) -> str:
    return f"{(registered - checked_in) / registered:.0%}" if registered else "—"


def _attendance(period: Period, today: datetime.date, limit: int | None) -> Table:
    rows: list[list[Any]] = []
    fetch = None if limit is None else limit + 1
    for event in events.report_attendance(start=period.start_at, end=period.end_before, limit=fetch):
        registered, checked_in = getattr(event, "registered", 0), getattr(event, "checked_in", 0)
        rows.append([event.title, event.get_kind_display(), event.starts_at.date(), registered, checked_in,
                     _rate(registered, checked_in)])  # fmt: skip
    kinds = events.report_attendance_by_kind(start=period.start_at, end=period.end_before)
    labels = dict(Event.Kind.choices)
    summary: list[tuple[str, Any]] = [
        (f"{labels.get(k['kind'], k['kind'])} ({k['events']} event{'s' if k['events'] != 1 else ''})",
         f"{k['checked_in']} of {k['registered']} checked in, no-show {_rate(k['registered'], k['checked_in'])}")
        for k in kinds
    ]  # fmt: skip
    return Table(
        columns=["Event", "Kind", "Date", "Registered", "Checked in", "No-show rate"], rows=rows, numeric={3, 4, 5},
        summary=summary,
        chart=bar_chart("Checked in per kind of event", [(labels.get(k["kind"], k["kind"]), k["checked_in"]) for k in kinds]),
    )  # fmt: skip


def _groups(period: Period, today: datetime.date, limit: int | None) -> Table:
    rows: list[list[Any]] = [
        [r["group"], r["month"].strftime("%Y-%m"), r["documents"], r["versions"], r["comments"], r["meetings"]]
        for r in groups.report_activity(start=period.start_at, end=period.end_before)
    ]
    return Table(columns=["Working group", "Month", "Documents", "Versions", "Comments", "Meetings"], rows=rows,
                 numeric={2, 3, 4, 5})  # fmt: skip


def _signatures(period: Period, today: datetime.date, limit: int | None) -> Table:
    data = petitions.report_signatures_per_day(start=period.start_at, end=period.end_before)
    rows: list[list[Any]] = [[r["day"], r["petition_title"], r["n"]] for r in data]
    per_day: dict[str, int] = defaultdict(int)
    for day, _, n in rows:
        per_day[day.isoformat()] += n
    return Table(
        columns=["Day", "Petition", "Signatures"], rows=rows, numeric={2},
        summary=[("Confirmed in the period", sum(per_day.values()))],
        chart=bar_chart("Signatures per day", sorted(per_day.items())),
    )  # fmt: skip


REPORTS: Sequence[Report] = (
    Report("pipeline", "Application pipeline", "Submitted, in review, approved, rejected; median days to decision.", _pipeline),
    Report("renewals", "Renewals due", "Memberships whose term ends in the next 30, 60 and 90 days.", _renewals),
    Report("invoices", "Outstanding invoices", "Unpaid and overdue invoices, with totals.", _invoices),
    Report("revenue", "Revenue", "Payments received by month and by tier.", _revenue),
    Report("members", "Members by segment and state", "Organizations per supply-chain segment and membership state.", _members),
    Report("attendance", "Event attendance", "Registered against checked in, per event and per kind; no-show rate.", _attendance),
    Report("groups", "Working-group activity", "Documents, versions, comments and meetings per group per month.", _groups),
    Report("signatures", "Petition signatures", "Confirmed signatures per petition and day.", _signatures),
)  # fmt: skip
BY_SLUG = {r.slug: r for r in REPORTS}

# Kinds the attendance report names (for the tests and the filter's help).
EVENT_KINDS = Event.Kind


@dataclass(frozen=True)
class Kept(Generic[T]):
    """A report page's figures, and when they were computed."""

    value: T
    as_of: datetime.datetime
    cached: bool


def page_key(report: Report, period: Period, today: datetime.date, limit: int) -> str:
    # Today is in the key: a report counted "from today" changes at midnight.
    return f"reports:v1:{report.slug}:{period.start}:{period.end}:{today}:{limit}"


def keep(key: str, compute: Callable[[], T], *, fresh: bool = False) -> Kept[T]:
    """What `compute` returns, from the cache when computed in the last
    REPORTS_CACHE_SECONDS (unless `fresh`), else computed now and kept.

    A report of a year groups every row of that year each time it is computed;
    a page looked at again and again (staff switching between reports, or
    reloading) then costs one cache read. The cache fails soft (cma/cache.py):
    with Redis away the figures are computed, never an error. Figures may be
    that many seconds old; the page says as of when and offers a refresh.
    The CSV export is never kept: it is always current and has every row.
    """
    if not fresh:
        hit = cache.get(key)
        if hit is not None:
            value, as_of = hit
            return Kept(value=value, as_of=as_of, cached=True)
    value = compute()
    now = timezone.now()
    cache.set(key, (value, now), settings.REPORTS_CACHE_SECONDS)
    return Kept(value=value, as_of=now, cached=False)
