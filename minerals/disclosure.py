"""Statistical disclosure control for pooled demand, as pure functions.

Three rules, each the textbook one:

- **threshold (k)**: a total is shown only when at least k distinct
  organizations contribute to it;
- **dominance**: not when one organization supplies more than a set share of
  it (otherwise the total is, near enough, that organization's figure);
- **differences**: a new total is published over an earlier one only when
  the change between them is itself safe by the first two rules — else a
  member who saw both could subtract them and read the one organization
  that joined (or changed its figure) in between. The same rule stops an
  organization that knows its own figure from reading a second one: it can
  only ever subtract itself from a total of at least k.

A breakdown (parts of a total, by form) also needs **complementary
suppression**: with the total shown, one hidden part is the total minus the
shown ones, so hidden parts come at least two at a time, and the hidden
parts together must themselves pass the rules.

Contributions are {organization key: quantity}; quantities are Decimals.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

Contributions = Mapping[str, Decimal]


@dataclass(frozen=True)
class Rule:
    min_organizations: int = 3
    dominance_percent: int = 50


def is_safe(contributions: Contributions, rule: Rule) -> bool:
    """Whether a total of these contributions may be shown."""
    values = [abs(v) for v in contributions.values() if v != 0]
    if len(values) < rule.min_organizations:
        return False
    total = sum(values, Decimal(0))
    return max(values) * 100 <= total * rule.dominance_percent


def changes_between(previous: Contributions, current: Contributions) -> dict[str, Decimal]:
    """What each organization added, removed or changed since `previous`."""
    keys = set(previous) | set(current)
    deltas = {key: current.get(key, Decimal(0)) - previous.get(key, Decimal(0)) for key in keys}
    return {key: delta for key, delta in deltas.items() if delta != 0}


def may_publish(previous: Contributions | None, current: Contributions, rule: Rule) -> bool:
    """Whether `current`'s total may replace the last published one (None: nothing published yet)."""
    if not is_safe(current, rule):
        return False
    if previous is None:
        return True
    changes = changes_between(previous, current)
    return bool(changes) and is_safe(changes, rule)


def merge(parts: Iterable[Contributions]) -> dict[str, Decimal]:
    merged: dict[str, Decimal] = {}
    for part in parts:
        for key, value in part.items():
            merged[key] = merged.get(key, Decimal(0)) + value
    return merged


@dataclass(frozen=True)
class Breakdown:
    total: Decimal | None
    parts: dict[str, Decimal | None]

    @property
    def suppressed(self) -> list[str]:
        return [name for name, value in self.parts.items() if value is None]


def _total(contributions: Contributions) -> Decimal:
    return sum(contributions.values(), Decimal(0))


def _needs_more_suppression(hidden: set[str], parts: Mapping[str, Contributions], rule: Rule) -> bool:
    if not hidden:
        return False
    return len(hidden) == 1 or not is_safe(merge(parts[name] for name in hidden), rule)


def breakdown(parts: Mapping[str, Contributions], rule: Rule) -> Breakdown:
    """The total and its parts with primary and complementary suppression:
    None stands for a figure that must not be shown."""
    total_safe = is_safe(merge(parts.values()), rule)
    if not total_safe:
        return Breakdown(total=None, parts=dict.fromkeys(parts))
    hidden = {name for name, contributions in parts.items() if not is_safe(contributions, rule)}
    while _needs_more_suppression(hidden, parts, rule):
        shown = sorted((name for name in parts if name not in hidden), key=lambda n: (_total(parts[n]), n))
        if not shown:
            # Every part hidden and still not safe together: only the total stands.
            break
        hidden.add(shown[0])
    return Breakdown(
        total=_total(merge(parts.values())),
        parts={name: None if name in hidden else _total(parts[name]) for name in sorted(parts)},
    )
