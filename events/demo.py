"""Demo events for `manage.py seed_demo`: the kinds the association runs
(seeds/000: roundtables, workshops, webinars, conferences, trade delegations),
on the policy questions of seeds/001–004, with registrations, a waitlist,
attendance, a cancellation and a draft.

Rows are written directly (no emails go out for demo data); capacity is
respected by construction. Idempotent: events are found by slug.
"""

from __future__ import annotations

import datetime
import random

from django.utils import timezone
from django.utils.text import slugify

from members.demo import ORGANIZATIONS, DemoLogin, demo_password_hash, ensure_user
from members.models import Membership, User

from .groups import directory
from .models import Event, Registration, RegistrationQuestion, Speaker

DAY = datetime.timedelta(days=1)

PERMITTING = """\
Permitting a new mine in the United States takes seven to ten years; our allies do it in two to three.
This roundtable brings members together with congressional staff to compare notes on:

- modernizing the **National Environmental Policy Act** review process, and ending the cycle of litigation;
- coordination between federal agencies on the same project;
- what project certainty would change for financing decisions.

Chatham House rule applies. Coffee from 9:30.
"""

POOLED_DEMAND = """\
The U.S. is at least 50% import-reliant for 33 of 58 critical minerals, and 100% for 13 of them.
For many small-volume minerals — gallium, germanium, indium — no single buyer is large enough to
underwrite a new domestic source.

This webinar walks through the association's proposal for **a mechanism for pooled industry demand**:
how anonymous demand indications from members are aggregated, why only totals from three or more
organizations are shown, and how the pooled figures can support offtake agreements.
"""

RECYCLING = """\
A hands-on workshop on increasing circularity: recovering cobalt, nickel and lithium from end-of-life
EV batteries and manufacturing scrap.

1. Collection and logistics of end-of-life packs
2. Hydrometallurgical versus direct recycling
3. Qualifying recycled material with cell makers

Bring your questions on feedstock contracts.
"""

CONFERENCE = """\
Two days on securing a "Made in America" supply chain for critical minerals: exploration to recycling,
finance to defense. Panels on permitting reform, the plurilateral agreement on trade in critical
minerals, domestic processing capacity, and the workforce the industry needs.

Members may register several people from their company.
"""

DELEGATION = """\
A members' trade delegation to Ottawa and Sudbury to meet Canadian government officials and industry on
integrating North American critical minerals supply chains, including processing and refining capacity,
and the standards of a future critical minerals agreement.

Places are limited; each member company may send up to three delegates.
"""

EXPORT_CONTROLS = """\
China's export controls on gallium and germanium came with little notice. Members share how they are
adapting: inventories, qualification of alternative suppliers, and recovery from manufacturing waste.
"""

USTR = """\
A roundtable on the USTR request for comments on the design of a plurilateral agreement on trade in
critical minerals (USTR-2026-03868): what the agreement should include, and how standards on labor,
environment and traceability can strengthen supply chains rather than slow them.
"""


def _member_emails() -> list[str]:
    emails = []
    for _name, domain, *_rest, status, _public, _description, people in ORGANIZATIONS:
        if status in Membership.IN_GOOD_STANDING:
            emails += [f"{local}@{domain}.example" for _person, local, _role in people]
    return emails


def _event(slug: str, *, staff: User, speakers=(), questions=(), **fields) -> Event:
    event = Event.objects.filter(slug=slug).first()
    if event is not None:
        return event
    event = Event.objects.create(slug=slug, created_by=staff, **fields)
    Speaker.objects.bulk_create(
        [Speaker(event=event, name=n, title=t, organization=o, position=i) for i, (n, t, o) in enumerate(speakers)]
    )
    RegistrationQuestion.objects.bulk_create(
        [RegistrationQuestion(event=event, position=i, **q) for i, q in enumerate(questions)]
    )
    return event


def _register(event: Event, users: list[User], *, waitlisted=(), attended=(), seats=None) -> None:
    if event.registrations.exists():
        return
    base = min(event.published_at or timezone.now(), event.starts_at - 3 * DAY)
    rows = []
    for i, user in enumerate(users):
        at = base + datetime.timedelta(hours=i + 1)
        waiting = user in waitlisted
        rows.append(
            Registration(
                event=event,
                user=user,
                status=Registration.Status.WAITLISTED if waiting else Registration.Status.CONFIRMED,
                seats=(seats or {}).get(user.email, 1),
                registered_at=at,
                confirmed_at=None if waiting else at,
                attended_at=event.starts_at + datetime.timedelta(minutes=5) if user in attended else None,
                answers=[],
            )
        )
    Registration.objects.bulk_create(rows)


def seed() -> list[DemoLogin]:
    now = timezone.now()
    today = now.astimezone(datetime.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    staff = User.objects.get(email="staff@cma-usa.localhost")
    people = {u.email: u for u in User.objects.filter(email__in=_member_emails())}
    members = [people[e] for e in _member_emails() if e in people]
    member = people.get("sam.ortiz@sierra-lithium.example", members[0] if members else staff)
    newcomer = ensure_user("casey.newcomer@example.org", "Casey Newcomer")
    published = {"status": Event.Status.PUBLISHED, "published_at": now - 10 * DAY}

    def at(days: int, hour: int, minute: int = 0) -> datetime.datetime:
        # Hours are UTC: 15:00 UTC is 10 AM in Washington in winter.
        return today + days * DAY + datetime.timedelta(hours=hour, minutes=minute)

    permitting = _event(
        "permitting-reform-roundtable",
        staff=staff,
        kind=Event.Kind.ROUNDTABLE,
        title="Permitting Reform Roundtable",
        summary="Members and congressional staff on modernizing NEPA and shortening the path from discovery to production.",
        description=PERMITTING,
        starts_at=at(9, 15),
        ends_at=at(9, 17),
        time_zone="America/New_York",
        venue_name="CMA USA offices",
        venue_address="1701 Pennsylvania Avenue NW, Suite 200\nWashington, DC 20006",
        visibility=Event.Visibility.MEMBERS,
        capacity=40,
        speakers=[
            ("Margaret Lin", "Managing Director", "Keystone Critical Capital"),
            ("Ada Okafor", "Partner, Permitting and Trade", "Whitfield & Okafor LLP"),
        ],
        questions=[
            {"label": "Which permitting issue matters most to your company?", "kind": "text", "required": False},
        ],
        **published,
    )
    pooled = _event(
        "webinar-pooled-demand-small-volume-minerals",
        staff=staff,
        kind=Event.Kind.WEBINAR,
        title="Webinar: Pooled Demand for Small-Volume Minerals",
        summary="How anonymous, aggregated demand indications can help underwrite domestic sources of gallium, germanium and indium.",
        description=POOLED_DEMAND,
        starts_at=at(14, 18),
        ends_at=at(14, 19),
        time_zone="America/Chicago",
        online_url="https://meet.example.org/cma-usa/pooled-demand",
        visibility=Event.Visibility.PUBLIC,
        capacity=300,
        speakers=[("Nora Castillo", "Principal", "Meridian Supply Chain Advisory")],
        **published,
    )
    export_controls = _event(
        "webinar-gallium-germanium-export-controls",
        staff=staff,
        kind=Event.Kind.WEBINAR,
        title="Members' Briefing: Gallium and Germanium Export Controls",
        summary="A short members' call on adapting to export controls: inventories, alternative suppliers and recovery from waste.",
        description=EXPORT_CONTROLS,
        starts_at=at(5, 16),
        ends_at=at(5, 17),
        time_zone="America/Los_Angeles",
        online_url="https://meet.example.org/cma-usa/gallium-briefing",
        visibility=Event.Visibility.MEMBERS,
        capacity=3,
        speakers=[("Tom Sato", "Chief Technology Officer", "Cascade Sensor Systems")],
        **published,
    )
    recycling = _event(
        "workshop-battery-recycling-circularity",
        staff=staff,
        kind=Event.Kind.WORKSHOP,
        title="Workshop: Battery Recycling and Circularity",
        summary="A hands-on workshop on recovering cobalt, nickel and lithium from end-of-life EV batteries.",
        description=RECYCLING,
        starts_at=at(23, 14),
        ends_at=at(23, 21),
        time_zone="America/New_York",
        venue_name="Circular Cobalt Recovery pilot plant",
        venue_address="4100 Westinghouse Blvd\nCharlotte, NC 28273",
        visibility=Event.Visibility.MEMBERS,
        capacity=25,
        questions=[
            {
                "label": "Which afternoon session will you join?",
                "kind": "choice",
                "choices": "Hydrometallurgical recycling\nDirect recycling\nFeedstock contracts",
                "required": True,
            },
            {"label": "Dietary requirements", "kind": "text", "required": False},
        ],
        **published,
    )
    conference = _event(
        "cma-usa-annual-conference-2027",
        staff=staff,
        kind=Event.Kind.CONFERENCE,
        title="CMA USA Annual Conference 2027",
        summary="Two days on securing a Made in America supply chain for critical minerals, from exploration to recycling.",
        description=CONFERENCE,
        starts_at=at(80, 14),
        ends_at=at(81, 22),
        time_zone="America/New_York",
        venue_name="Walter E. Washington Convention Center",
        venue_address="801 Allen Y. Lewis Place NW\nWashington, DC 20001",
        visibility=Event.Visibility.PUBLIC,
        capacity=250,
        max_seats_per_registration=5,
        registration_closes_at=at(73, 22),
        speakers=[
            ("Michael Novak", "Chief Executive Officer", "Great Lakes EV Components"),
            ("Colonel (ret.) Ruth Adams", "President", "Patriot Alloys Defense Systems"),
            ("Grace Whitfield", "Founder", "Lakeshore Battery Recycling"),
        ],
        questions=[
            {
                "label": "Names of the people attending",
                "kind": "text",
                "required": True,
                "help_text": "One per line, with job titles.",
            },
        ],  # fmt: skip
        **published,
    )
    delegation = _event(
        "trade-delegation-canada-2027",
        staff=staff,
        kind=Event.Kind.TRADE_DELEGATION,
        title="Trade Delegation to Canada: North American Supply Chains",
        summary="Meet Canadian officials and industry in Ottawa and Sudbury on integrating critical minerals supply chains.",
        description=DELEGATION,
        starts_at=at(120, 13),
        ends_at=at(122, 22),
        time_zone="America/Toronto",
        venue_name="Ottawa and Sudbury, Ontario",
        visibility=Event.Visibility.MEMBERS,
        capacity=12,
        max_seats_per_registration=3,
        registration_opens_at=at(6, 14),
        registration_closes_at=at(100, 22),
        questions=[
            {"label": "Delegates' names and titles", "kind": "text", "required": True},
            {
                "label": "Passport country",
                "kind": "choice",
                "choices": "United States\nCanada\nOther",
                "required": True,
            },
        ],
        **published,
    )
    ustr = _event(
        "roundtable-ustr-plurilateral-agreement",
        staff=staff,
        kind=Event.Kind.ROUNDTABLE,
        title="Roundtable: A Plurilateral Agreement on Trade in Critical Minerals",
        summary="Members' views for the association's comments to USTR on the design of a plurilateral agreement.",
        description=USTR,
        starts_at=at(-20, 15),
        ends_at=at(-20, 17),
        time_zone="America/New_York",
        venue_name="CMA USA offices",
        venue_address="1701 Pennsylvania Avenue NW, Suite 200\nWashington, DC 20006",
        visibility=Event.Visibility.MEMBERS,
        capacity=30,
        **{**published, "published_at": now - 40 * DAY},
    )
    workforce_webinar = _event(
        "webinar-critical-minerals-workforce",
        staff=staff,
        kind=Event.Kind.WEBINAR,
        title="Webinar: Building the Critical Minerals Workforce",
        summary="Community colleges, unions and employers on training the geologists, metallurgists and technicians the industry needs.",
        starts_at=at(-45, 17),
        ends_at=at(-45, 18),
        time_zone="America/Denver",
        online_url="https://meet.example.org/cma-usa/workforce",
        visibility=Event.Visibility.PUBLIC,
        **{**published, "published_at": now - 60 * DAY},
    )
    _event(
        "workshop-graphite-anode-supply",
        staff=staff,
        kind=Event.Kind.WORKSHOP,
        title="Workshop: Graphite Anode Supply",
        summary="Natural and synthetic graphite for lithium-ion anodes: qualification, costs and tariffs.",
        starts_at=at(17, 15),
        ends_at=at(17, 19),
        time_zone="America/Chicago",
        venue_name="Appalachian Graphite Works",
        venue_address="Huntsville, AL",
        visibility=Event.Visibility.MEMBERS,
        capacity=20,
        status=Event.Status.CANCELLED,
        published_at=now - 20 * DAY,
        cancelled_at=now - 2 * DAY,
        cancellation_message="Our host's plant is closed for an unplanned shutdown that week. We will announce a new date soon.",
        sequence=1,
    )
    _event(
        "roundtable-workforce-development",
        staff=staff,
        kind=Event.Kind.ROUNDTABLE,
        title="Roundtable: Workforce Development in Mining and Processing",
        summary="A draft for the spring: apprenticeships, visas and university partnerships.",
        starts_at=at(60, 15),
        ends_at=at(60, 17),
        time_zone="America/New_York",
        venue_name="CMA USA offices",
        venue_address="1701 Pennsylvania Avenue NW, Suite 200\nWashington, DC 20006",
        visibility=Event.Visibility.MEMBERS,
        capacity=30,
    )
    _seed_group_event(staff, at)

    others = [u for u in members if u != member]
    _register(permitting, [member, *others[:11]])
    _register(export_controls, [*others[:3], member, others[3]], waitlisted={member, others[3]})
    _register(pooled, [*others[4:10], newcomer])
    _register(recycling, others[2:8])
    _register(conference, others[:6], seats={u.email: 1 + i % 3 for i, u in enumerate(others[:6])})
    _register(ustr, [member, *others[:14]], attended={member, *others[:10]})
    _register(workforce_webinar, [member, *others[5:15], newcomer], attended={member, *others[5:12]})
    del delegation  # registration opens in a few days: nobody yet
    return [
        DemoLogin(
            "events", member.email, "registered for the permitting roundtable, waitlisted for the gallium briefing"
        ),
    ]


def _seed_group_event(staff: User, at) -> None:
    # The working groups' demo ran first; ask it for its groups (the trade
    # policy group's monthly call, if it is there). Demo rows are written
    # directly, as staff would have created them.
    schedulable = {str(g): g for g in directory().groups_for_events()}
    name = "Trade Policy Working Group" if "Trade Policy Working Group" in schedulable else next(iter(schedulable), "")
    if not name:
        return
    _event(
        f"{slugify(name)}-monthly-call"[:200],
        staff=staff,
        kind=Event.Kind.WEBINAR,
        title=f"{name}: monthly call",
        summary="The working group's monthly call: progress on actions, documents to review, next steps.",
        starts_at=at(7, 17),
        ends_at=at(7, 18),
        time_zone="America/New_York",
        online_url="https://meet.example.org/cma-usa/working-group",
        visibility=Event.Visibility.GROUP,
        working_group=schedulable[name],
        status=Event.Status.PUBLISHED,
        published_at=timezone.now() - 3 * DAY,
    )


def seed_scale(count: int) -> str:
    """Events with registrations for benchmarks: one event per 50 organizations
    (at least 20), half past and half upcoming, each with up to 100 registrations
    from the scale people. Bulk inserts; safe to run again."""
    staff = User.objects.get(email="staff@cma-usa.localhost")
    start = Event.objects.filter(slug__startswith="scale-event-").count()
    n_events = max(count // 50, 20)
    now = timezone.now()
    rng = random.Random(start)
    kinds = Event.Kind.values
    events = Event.objects.bulk_create(
        [
            Event(
                slug=f"scale-event-{n:06d}",
                kind=kinds[n % len(kinds)],
                title=f"Scale {Event.Kind(kinds[n % len(kinds)]).label} {n:06d}",
                summary="Generated for benchmarks.",
                starts_at=now + datetime.timedelta(days=(n % 200) - 100, hours=n % 9),
                ends_at=now + datetime.timedelta(days=(n % 200) - 100, hours=n % 9 + 2),
                time_zone="America/New_York",
                # Where people go, as every event needs: a join link for a webinar, a venue otherwise.
                venue_name="" if kinds[n % len(kinds)] == Event.Kind.WEBINAR else "CMA USA offices",
                online_url=f"https://meet.example.org/cma-usa/scale-{n:06d}"
                if kinds[n % len(kinds)] == Event.Kind.WEBINAR
                else "",
                visibility=Event.Visibility.PUBLIC if n % 2 else Event.Visibility.MEMBERS,
                capacity=100 + n % 50,
                status=Event.Status.PUBLISHED,
                published_at=now - datetime.timedelta(days=120),
                created_by=staff,
            )
            for n in range(start, start + n_events)
        ],
        batch_size=1000,
    )
    people = list(User.objects.filter(email__contains="@scale-org-").values_list("pk", flat=True)[:5000])
    if not people:
        people = list(User.objects.filter(password=demo_password_hash()).values_list("pk", flat=True))
    events = list(Event.objects.filter(slug__startswith="scale-event-").order_by("slug")[start:])
    rows = []
    for event in events:
        chosen = rng.sample(people, min(len(people), rng.randint(20, 100)))
        for i, user_id in enumerate(chosen):
            confirmed = i < (event.capacity or 0)
            rows.append(
                Registration(
                    event=event,
                    user_id=user_id,
                    status=Registration.Status.CONFIRMED if confirmed else Registration.Status.WAITLISTED,
                    registered_at=event.starts_at - datetime.timedelta(days=10, minutes=-i),
                    confirmed_at=event.starts_at - datetime.timedelta(days=10) if confirmed else None,
                    attended_at=event.starts_at if confirmed and event.ends_at < now and i % 4 else None,
                )
            )
    Registration.objects.bulk_create(rows, batch_size=5000, ignore_conflicts=True)
    return f"{len(events)} events, {len(rows)} registrations"
