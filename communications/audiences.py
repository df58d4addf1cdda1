"""Who a message goes to: the audience kinds staff choose from, and how each
becomes a list of addresses (through the owning app's selectors)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db.models import QuerySet

from events import selectors as event_selectors
from events.models import Event
from members import selectors as member_selectors
from members.models import MembershipTier, Segment, User
from petitions import selectors as petition_selectors
from petitions.models import Petition
from workinggroups import selectors as group_selectors
from workinggroups.models import WorkingGroup

MEMBERS = "members"
GROUPS = "groups"
EVENT = "event"
SIGNERS = "petition_signers"
ENDORSERS = "petition_endorsers"

KINDS = [
    (MEMBERS, "Members in good standing (optionally only some segments, tiers or states)"),
    (GROUPS, "Members of working groups"),
    (EVENT, "Registrants of an event"),
    (SIGNERS, "Signers of a petition who asked for updates"),
    (ENDORSERS, "Approved endorsing organizations of a petition"),
]
# Audiences of members: they can read the message in the site's archive.
MEMBER_KINDS = frozenset({MEMBERS, GROUPS, EVENT})


@dataclass(frozen=True)
class Audience:
    kind: str = MEMBERS
    primary_only: bool = False
    segments: list[int] = field(default_factory=list)
    tiers: list[int] = field(default_factory=list)
    states: list[str] = field(default_factory=list)
    groups: list[int] = field(default_factory=list)
    event: int | None = None
    petition: int | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Audience:
        known = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        return cls(**known)


@dataclass(frozen=True)
class Person:
    email: str
    name: str
    user_id: int | None


def _users(users: QuerySet[User]) -> QuerySet[User]:
    return users.order_by("pk")


def people_query(audience: Audience) -> QuerySet[Any]:
    """The audience as one queryset (users, signatures or endorsements)."""
    if audience.kind == MEMBERS:
        return _users(
            member_selectors.member_people(
                segment_ids=audience.segments, tier_ids=audience.tiers, states=audience.states,
                primary_only=audience.primary_only,
            )
        )  # fmt: skip
    if audience.kind == GROUPS:
        return _users(group_selectors.member_people_of_groups(audience.groups))
    if audience.kind == EVENT and audience.event:
        return _users(event_selectors.registrant_people(audience.event))
    if audience.kind == SIGNERS and audience.petition:
        return petition_selectors.update_subscribers(audience.petition).order_by("pk")
    if audience.kind == ENDORSERS and audience.petition:
        return petition_selectors.approved_endorser_contacts(audience.petition).order_by("pk")
    return User.objects.none()


def _as_person(row: Any) -> Person:
    if isinstance(row, User):
        return Person(email=row.email, name=row.display_name, user_id=row.pk)
    if hasattr(row, "contact_email"):
        return Person(email=row.contact_email, name=row.contact_name, user_id=None)
    return Person(email=row.email, name=row.name, user_id=None)


def people(audience: Audience) -> Iterator[Person]:
    """Everyone in the audience, each address once (first seen wins), read in chunks."""
    seen: set[str] = set()
    for row in people_query(audience).iterator(chunk_size=2000):
        person = _as_person(row)
        key = person.email.strip().lower()
        if key and key not in seen:
            seen.add(key)
            yield person


def sample(audience: Audience, size: int = 8) -> list[Person]:
    return [_as_person(row) for row in people_query(audience)[:size]]


def count(audience: Audience) -> int:
    return people_query(audience).count()


def describe(audience: Audience) -> str:
    """The audience in words, as staff chose it (a few queries for the names)."""
    if audience.kind == MEMBERS:
        parts = ["Primary contacts" if audience.primary_only else "All members"]
        if audience.segments:
            names = Segment.objects.filter(pk__in=audience.segments).order_by("position").values_list("name", flat=True)
            parts.append("in " + ", ".join(names))
        if audience.tiers:
            tiers = MembershipTier.objects.filter(pk__in=audience.tiers).values_list("name", flat=True)
            parts.append("of the " + ", ".join(tiers) + " tier" + ("s" if len(audience.tiers) > 1 else ""))
        if audience.states:
            parts.append("headquartered in " + ", ".join(sorted(audience.states)))
        return " ".join(parts)
    if audience.kind == GROUPS:
        groups = WorkingGroup.objects.filter(pk__in=audience.groups).order_by("name").values_list("name", flat=True)
        return "Members of " + ", ".join(groups)
    if audience.kind == EVENT:
        title = Event.objects.filter(pk=audience.event or 0).values_list("title", flat=True).first() or "an event"
        return f"Registrants of {title}"
    petition = (
        Petition.objects.filter(pk=audience.petition or 0).values_list("title", flat=True).first() or "a petition"
    )
    if audience.kind == SIGNERS:
        return f"Signers of {petition} who asked for updates"
    return f"Endorsing organizations of {petition}"
