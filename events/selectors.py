"""Reads for events, with the joins and annotations their pages need.

Every listing here runs a fixed number of queries whatever the number of
events or registrations: seat counts and the viewer's own registration come
as subquery annotations or one extra query per page, never one per row.
"""

from __future__ import annotations

import calendar
import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import (
    Count,
    F,
    IntegerField,
    Model,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from members.models import OrganizationMember

from . import permissions
from .groups import directory
from .models import CalendarFeed, Event, Registration

if TYPE_CHECKING:
    from collections.abc import Iterator

    from members.models import User

# Past events shown in a personal calendar feed: enough for "what was that
# meeting last month", short enough to keep the feed small.
FEED_PAST_DAYS = 90


# --- Annotations ------------------------------------------------------------------


def _confirmed_seats_subquery(event_ref: str = "pk") -> Coalesce:
    total = (
        Registration.objects.filter(event_id=OuterRef(event_ref), status=Registration.Status.CONFIRMED)
        .values("event_id")
        .annotate(total=Sum("seats"))
        .values("total")
    )
    return Coalesce(Subquery(total, output_field=IntegerField()), Value(0))


def _count_subquery(event_ref: str = "pk", **filters: Any) -> Coalesce:
    counted = (
        Registration.objects.filter(event_id=OuterRef(event_ref), **filters)
        .values("event_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def with_seats(events: QuerySet[Event]) -> QuerySet[Event]:
    """Annotate `seats_taken` (confirmed seats) and `waitlisted_count`."""
    return events.annotate(
        seats_taken=_confirmed_seats_subquery(),
        waitlisted_count=_count_subquery(status=Registration.Status.WAITLISTED),
    )


def _waitlist_position() -> CombinedExpression:
    """1 + the waitlisted registrations ahead of this one, in (registered_at, id) order."""
    ahead = (
        Registration.objects.filter(event_id=OuterRef("event_id"), status=Registration.Status.WAITLISTED)
        .filter(
            Q(registered_at__lt=OuterRef("registered_at"))
            | Q(registered_at=OuterRef("registered_at"), pk__lt=OuterRef("pk"))
        )
        .values("event_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(ahead, output_field=IntegerField()), Value(0)) + 1


def with_positions(registrations: QuerySet[Registration]) -> QuerySet[Registration]:
    """Annotate `waitlist_position` (meaningful for waitlisted rows)."""
    return registrations.annotate(waitlist_position=_waitlist_position())


def attach_viewer_registrations(events: Iterable[Event], user: User) -> list[Event]:
    """Set `.my_registration` (active registration or None, with
    `waitlist_position`) on each event: one query for the whole page."""
    events = list(events)
    mine: dict[int, Registration] = {}
    if user.is_authenticated and events:
        registrations = with_positions(
            Registration.objects.filter(user=user, event_id__in=[e.pk for e in events], status__in=Registration.ACTIVE)
        )
        mine = {r.event_id: r for r in registrations}
    for event in events:
        event.my_registration = mine.get(event.pk)  # type: ignore[attr-defined]  # read by the templates
    return events


# --- Public listing ---------------------------------------------------------------

WHEN_CHOICES = {"upcoming": "Upcoming", "past": "Past"}


def events_for_listing(
    *, user: User, when: str = "upcoming", kind: str = "", group: str = "", now: datetime.datetime | None = None
) -> QuerySet[Event]:
    """Published and cancelled events the user may see, upcoming (soonest
    first) or past (latest first), filtered by kind and working-group slug."""
    now = now or timezone.now()
    events = Event.objects.filter(permissions.visible_events_q(user))
    if when == "past":
        events = events.past(now).order_by("-starts_at", "-pk")
    else:
        events = events.upcoming(now).order_by("starts_at", "pk")
    if kind in Event.Kind.values:
        events = events.filter(kind=kind)
    if group:
        events = events.filter(working_group__slug=group)
    return with_seats(events.select_related("working_group"))


def groups_with_events(*, user: User) -> QuerySet[Model]:
    """Working groups hosting at least one event the user may see (the list filter), by name."""
    visible = Event.objects.filter(permissions.visible_events_q(user), working_group__isnull=False)
    return directory().groups_among(visible.values("working_group_id"))


@dataclass
class MonthDay:
    date: datetime.date
    in_month: bool
    is_today: bool
    events: list[Event] = field(default_factory=list)


@dataclass
class Month:
    first: datetime.date
    weeks: list[list[MonthDay]]
    previous: datetime.date
    next: datetime.date

    @property
    def days_with_events(self) -> list[MonthDay]:
        return [day for week in self.weeks for day in week if day.in_month and day.events]


def month_of_events(*, user: User, year: int, month: int, kind: str = "") -> Month:
    """A month grid (weeks from Sunday) in the viewer's time zone, each day
    with the events happening on it (multi-day events on every day). One query."""
    zone = timezone.get_current_timezone()
    first = datetime.date(year, month, 1)
    grid = calendar.Calendar(firstweekday=calendar.SUNDAY).monthdatescalendar(year, month)
    grid_start = datetime.datetime.combine(grid[0][0], datetime.time.min, tzinfo=zone)
    grid_end = datetime.datetime.combine(grid[-1][-1] + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
    events = Event.objects.filter(permissions.visible_events_q(user), starts_at__lt=grid_end, ends_at__gt=grid_start)
    if kind in Event.Kind.values:
        events = events.filter(kind=kind)
    by_day: dict[datetime.date, list[Event]] = defaultdict(list)
    for event in events.order_by("starts_at", "pk"):
        day = max(event.starts_at.astimezone(zone).date(), grid[0][0])
        # An event ending at midnight does not spill onto the next day.
        last = (event.ends_at - datetime.timedelta(microseconds=1)).astimezone(zone).date()
        while day <= min(last, grid[-1][-1]):
            by_day[day].append(event)
            day += datetime.timedelta(days=1)
    today = timezone.localdate()
    weeks = [
        [MonthDay(date=d, in_month=d.month == month, is_today=d == today, events=by_day.get(d, [])) for d in week]
        for week in grid
    ]
    previous = (first - datetime.timedelta(days=1)).replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return Month(first=first, weeks=weeks, previous=previous, next=following)


# --- One event ------------------------------------------------------------------


def event_by_slug(slug: str) -> Event | None:
    return with_seats(Event.objects.select_related("working_group").filter(slug=slug)).first()


def event_for_staff(pk: int) -> Event | None:
    return (
        with_seats(Event.objects.select_related("working_group", "created_by").filter(pk=pk))
        .annotate(
            attended_count=_count_subquery(status=Registration.Status.CONFIRMED, attended_at__isnull=False),
            confirmed_count=_count_subquery(status=Registration.Status.CONFIRMED),
        )
        .prefetch_related("speakers", "questions")
        .first()
    )


def registration_of(user: User, event: Event) -> Registration | None:
    """The user's registration of any status (with `waitlist_position`), or None."""
    if not user.is_authenticated:
        return None
    return with_positions(Registration.objects.filter(user=user, event=event)).first()


def waitlist_position(registration: Registration) -> int:
    positions = with_positions(Registration.objects.filter(pk=registration.pk))
    return int(positions.values_list("waitlist_position", flat=True)[0])  # type: ignore[misc]  # an annotation


# --- For the working-groups app (which asks; events never calls it) -----------------


def upcoming_events_for_group(group: Model, *, user: User) -> QuerySet[Event]:
    """The group's published (and cancelled, so members see a meeting was called
    off) events that have not ended, soonest first, that the user may see.

    Annotated with `seats_taken`, `waitlisted_count` and `my_status` (the
    viewer's registration status, or None). One query however many events.
    """
    events = Event.objects.filter(permissions.visible_events_q(user), working_group_id=group.pk).upcoming()
    return _with_viewer_status(with_seats(events.select_related("working_group")), user).order_by("starts_at", "pk")


def past_events_for_group(group: Model, *, user: User, limit: int = 10) -> QuerySet[Event]:
    """The group's events that have ended, latest first, at most `limit`; as above."""
    events = Event.objects.filter(permissions.visible_events_q(user), working_group_id=group.pk).past()
    return _with_viewer_status(with_seats(events.select_related("working_group")), user).order_by("-starts_at", "-pk")[
        :limit
    ]


def _with_viewer_status(events: QuerySet[Event], user: User) -> QuerySet[Event]:
    if not user.is_authenticated:
        return events.annotate(my_status=Value(None, output_field=Event._meta.get_field("status")))
    status = Registration.objects.filter(event_id=OuterRef("pk"), user=user).values("status")[:1]
    return events.annotate(my_status=Subquery(status))


# --- The viewer's own registrations and feed ------------------------------------------


def registrations_of(
    user: User, *, when: str = "upcoming", now: datetime.datetime | None = None
) -> QuerySet[Registration]:
    """The user's active registrations of events still to come, or (past) the
    confirmed ones of events that ended, with positions and seat counts."""
    now = now or timezone.now()
    registrations = Registration.objects.filter(user=user).select_related("event__working_group")
    if when == "past":
        registrations = registrations.filter(
            status=Registration.Status.CONFIRMED, event__ends_at__lt=now, event__status=Event.Status.PUBLISHED
        ).order_by("-event__starts_at")
    else:
        registrations = registrations.filter(
            status__in=Registration.ACTIVE,
            event__ends_at__gte=now,
            event__status__in=(Event.Status.PUBLISHED, Event.Status.CANCELLED),
        ).order_by("event__starts_at")
    return with_positions(registrations).annotate(event_seats_taken=_confirmed_seats_subquery("event_id"))


def feed_of(user: User) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user).first()


def feed_by_token(token: str) -> CalendarFeed | None:
    if not token or len(token) > 64:
        return None
    return CalendarFeed.objects.select_related("user").filter(token=token, user__is_active=True).first()


def feed_events(user: User, *, now: datetime.datetime | None = None) -> QuerySet[Event]:
    """Published events the user holds a confirmed seat at, from FEED_PAST_DAYS ago on."""
    now = now or timezone.now()
    return Event.objects.filter(
        status=Event.Status.PUBLISHED,
        ends_at__gte=now - datetime.timedelta(days=FEED_PAST_DAYS),
        registrations__user=user,
        registrations__status=Registration.Status.CONFIRMED,
    ).order_by("starts_at", "pk")


# --- Staff ------------------------------------------------------------------------

STAFF_WHEN = {"upcoming": "Upcoming", "past": "Past", "all": "All dates"}


def events_for_staff(
    *, status: str = "", kind: str = "", when: str = "upcoming", q: str = "", now: datetime.datetime | None = None
) -> QuerySet[Event]:
    """Every event, drafts included, with registration counts."""
    now = now or timezone.now()
    events = Event.objects.select_related("working_group")
    if status in Event.Status.values:
        events = events.filter(status=status)
    if kind in Event.Kind.values:
        events = events.filter(kind=kind)
    if q:
        events = events.filter(title__icontains=q.strip())
    if when == "past":
        events = events.past(now).order_by("-starts_at", "-pk")
    elif when == "all":
        events = events.order_by("-starts_at", "-pk")
    else:
        events = events.upcoming(now).order_by("starts_at", "pk")
    return with_seats(events).annotate(
        confirmed_count=_count_subquery(status=Registration.Status.CONFIRMED),
        attended_count=_count_subquery(status=Registration.Status.CONFIRMED, attended_at__isnull=False),
    )


@dataclass(frozen=True)
class KindCounts:
    kind: str
    label: str
    events: int
    registrations: int
    seats: int
    attended: int

    @property
    def attendance_rate(self) -> int | None:
        """Percent of confirmed registrations that attended (past events only)."""
        return round(100 * self.attended / self.registrations) if self.registrations else None


def counts_by_kind(*, now: datetime.datetime | None = None) -> list[KindCounts]:
    """Published events that have ended, per kind: how many, confirmed
    registrations and seats, and how many registrants came. Two queries."""
    now = now or timezone.now()
    held = Event.objects.filter(status=Event.Status.PUBLISHED).past(now)
    events = dict(held.values("kind").annotate(n=Count("pk")).values_list("kind", "n"))
    rows = {
        row["event__kind"]: row
        for row in Registration.objects.filter(event__in=held, status=Registration.Status.CONFIRMED)
        .values("event__kind")
        .annotate(n=Count("pk"), seats=Coalesce(Sum("seats"), 0), came=Count("pk", filter=Q(attended_at__isnull=False)))
    }
    return [
        KindCounts(
            kind=kind,
            label=label,
            events=events.get(kind, 0),
            registrations=rows.get(kind, {}).get("n", 0),
            seats=rows.get(kind, {}).get("seats", 0),
            attended=rows.get(kind, {}).get("came", 0),
        )
        for kind, label in Event.Kind.choices
    ]


def _people_with_organizations() -> Prefetch[Any]:
    return Prefetch(
        "user__organization_roles",
        queryset=OrganizationMember.objects.select_related("organization").order_by("organization__name"),
    )


REGISTRANT_FILTERS = {
    "active": "Confirmed and waitlisted",
    "confirmed": "Confirmed",
    "waitlisted": "Waitlisted",
    "cancelled": "Cancelled",
    "attended": "Attended",
    "all": "All",
}


def registrants(event: Event, *, show: str = "active", q: str = "") -> QuerySet[Registration]:
    """The event's registrations for staff, confirmed first then the waitlist
    in order, with people and their organizations (three queries a page)."""
    registrations = Registration.objects.filter(event=event)
    if show == "confirmed":
        registrations = registrations.filter(status=Registration.Status.CONFIRMED)
    elif show == "waitlisted":
        registrations = registrations.filter(status=Registration.Status.WAITLISTED)
    elif show == "cancelled":
        registrations = registrations.filter(status=Registration.Status.CANCELLED)
    elif show == "attended":
        registrations = registrations.filter(attended_at__isnull=False)
    elif show != "all":
        registrations = registrations.filter(status__in=Registration.ACTIVE)
    if q:
        q = q.strip()
        registrations = registrations.filter(Q(user__name__icontains=q) | Q(user__email__icontains=q))
    return (
        with_positions(registrations)
        .select_related("user", "checked_in_by")
        .prefetch_related(_people_with_organizations())
        .order_by("status", "registered_at", "pk")
    )


def registrant_export(event: Event) -> tuple[list[str], Iterable[list[object]]]:
    """The CSV header and rows: one row per registration, one column per question."""
    questions = list(event.questions.order_by("position", "pk"))
    header = [
        "Name", "Email", "Organizations", "Status", "Seats", "Waitlist position", "Registered at (UTC)",
        "Confirmed at (UTC)", "Attended", "Cancelled at (UTC)",
    ] + [q.label for q in questions]  # fmt: skip

    def rows() -> Iterator[list[object]]:
        registrations = (
            with_positions(Registration.objects.filter(event=event))
            .select_related("user")
            .prefetch_related(_people_with_organizations())
            .order_by("status", "registered_at", "pk")
        )
        for r in registrations.iterator(chunk_size=500):
            answers = {a.get("question_id"): a.get("answer", "") for a in r.answers or []}
            position = r.waitlist_position if r.is_waitlisted else ""  # type: ignore[attr-defined]  # annotated above
            yield [
                r.user.name, r.user.email, "; ".join(role.organization.name for role in r.user.organization_roles.all()),
                r.get_status_display(), r.seats, position,
                _utc(r.registered_at), _utc(r.confirmed_at), "yes" if r.attended else "no", _utc(r.cancelled_at),
            ] + [answers.get(q.pk, "") for q in questions]  # fmt: skip

    return header, rows()


def _utc(value: datetime.datetime | None) -> str:
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M") if value else ""


# --- Reminders ------------------------------------------------------------------

REMINDERS = {
    # kind: (how long before the start it is due, the field recording it)
    "24h": (datetime.timedelta(hours=24), "reminded_24h_for"),
    "1h": (datetime.timedelta(hours=1), "reminded_1h_for"),
}


def due_reminders(kind: str, *, now: datetime.datetime, limit: int = 500) -> QuerySet[Registration]:
    """Confirmed registrations whose `kind` reminder is due and not yet sent
    for the event's current start time.

    Due means the start is within the reminder's lead time (and, for the 24-hour
    one, more than an hour away, so it never lands beside the 1-hour one), and
    the registration was confirmed before the lead time began: someone who
    registers 10 hours before has just had a confirmation, not a "tomorrow" email.
    """
    lead, sent_field = REMINDERS[kind]
    registrations = Registration.objects.filter(
        status=Registration.Status.CONFIRMED,
        event__status=Event.Status.PUBLISHED,
        event__starts_at__gt=now,
        event__starts_at__lte=now + lead,
        confirmed_at__lt=F("event__starts_at") - lead,
    ).filter(Q(**{f"{sent_field}__isnull": True}) | ~Q(**{sent_field: F("event__starts_at")}))
    if kind == "24h":
        registrations = registrations.filter(event__starts_at__gt=now + REMINDERS["1h"][0])
    return registrations.select_related("event", "user").order_by("event__starts_at", "pk")[:limit]


# --- Audiences (for announcements) -------------------------------------------------


def registrant_people(event_id: int) -> QuerySet[User]:
    """Active people registered for the event (confirmed or waitlisted). One query."""
    from members.models import User

    registered = Registration.objects.filter(event_id=event_id, status__in=Registration.ACTIVE)
    return User.objects.filter(is_active=True, pk__in=registered.values("user_id"))


def events_for_audiences(*, now: datetime.datetime | None = None) -> QuerySet[Event]:
    """Published events of the last 90 days and the future, newest first: the
    events staff may address the registrants of."""
    now = now or timezone.now()
    return Event.objects.filter(
        status=Event.Status.PUBLISHED, starts_at__gte=now - datetime.timedelta(days=90)
    ).order_by("-starts_at")


# --- Reports -------------------------------------------------------------------


def report_attendance_by_kind(*, start: datetime.datetime, end: datetime.datetime) -> list[dict[str, Any]]:
    """Per kind of event started in [start, end): events, confirmed registrations, check-ins (one query)."""
    confirmed = Q(status=Registration.Status.CONFIRMED)
    return list(
        Registration.objects.filter(
            event__status=Event.Status.PUBLISHED, event__starts_at__gte=start, event__starts_at__lt=end
        )
        .values(kind=F("event__kind"))
        .annotate(
            events=Count("event", distinct=True),
            registered=Count("pk", filter=confirmed),
            checked_in=Count("pk", filter=confirmed & Q(attended_at__isnull=False)),
        )
        .order_by("kind")
    )


def report_attendance(*, start: datetime.datetime, end: datetime.datetime, limit: int | None = 500) -> list[Event]:
    """Published events that started in [start, end), newest first, each with
    `registered` (confirmed registrations) and `checked_in` (one query)."""
    confirmed = Q(registrations__status=Registration.Status.CONFIRMED)
    return list(
        Event.objects.filter(status=Event.Status.PUBLISHED, starts_at__gte=start, starts_at__lt=end)
        .only("title", "kind", "starts_at")  # what the report shows
        .annotate(
            registered=Count("registrations", filter=confirmed),
            checked_in=Count("registrations", filter=confirmed & Q(registrations__attended_at__isnull=False)),
        )
        .order_by("-starts_at")[:limit]
    )


def report_meetings_per_group_month(*, start: datetime.datetime, end: datetime.datetime) -> list[dict[str, Any]]:
    """Published events of working groups per group and month (one query)."""
    return list(
        Event.objects.filter(
            status=Event.Status.PUBLISHED, working_group__isnull=False, starts_at__gte=start, starts_at__lt=end
        )
        .annotate(month=TruncMonth("starts_at"))
        .values("working_group_id", "month")
        .annotate(n=Count("pk"))
        .order_by()
    )
