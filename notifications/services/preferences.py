"""How each person wants their optional email: per topic, and per working group."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from django.db import transaction

from ..models import Preference
from ..topics import CHOOSABLE_TOPICS, Mode, Topic
from .unsubscribe import suppression_lift

if TYPE_CHECKING:
    from members.models import User


def preference_modes(*, user_ids: Iterable[int], topic: str, scope: str = "") -> dict[int, str]:
    """Each user's mode for a topic (and scope): the scope's own row first
    (a muted group), then the topic's. Users with neither are absent, which
    means immediately. One query."""
    ids = list(user_ids)
    if not ids:
        return {}
    scopes = ["", scope] if scope else [""]
    rows = Preference.objects.filter(user_id__in=ids, topic=topic, scope__in=scopes).values_list(
        "user_id", "scope", "mode"
    )
    general: dict[int, str] = {}
    specific: dict[int, str] = {}
    for user_id, row_scope, mode in rows:
        (specific if row_scope else general)[user_id] = mode
    # A scope's row (only ever "off": a muted group) wins over the topic's.
    return {**general, **specific}


def preferences_of(*, user: User) -> dict[str, str]:
    """The user's mode per optional topic (unscoped), defaults filled in."""
    chosen = dict(
        Preference.objects.filter(user=user, scope="", topic__in=CHOOSABLE_TOPICS).values_list("topic", "mode")
    )
    return {topic: chosen.get(topic, Mode.IMMEDIATELY) for topic in CHOOSABLE_TOPICS}


@transaction.atomic
def preferences_set(*, user: User, modes: Mapping[str, str]) -> None:
    """Save the user's choice per optional topic. Choosing a topic again
    lifts an earlier unsubscribe of it. Unknown topics and modes are refused
    (ValueError: forms validate first)."""
    for topic, mode in modes.items():
        if topic not in CHOOSABLE_TOPICS or mode not in Mode.values:
            raise ValueError(f"Not a preference: {topic}={mode}")
    for topic, mode in modes.items():
        Preference.objects.update_or_create(user=user, topic=topic, scope="", defaults={"mode": mode})
    chosen_again = [topic for topic, mode in modes.items() if mode != Mode.OFF]
    if chosen_again:
        suppression_lift(email=user.email, topics=chosen_again)


def group_muted(*, user: User, group_id: int) -> bool:
    return Preference.objects.filter(user=user, topic=Topic.WORKING_GROUPS, scope=str(group_id), mode=Mode.OFF).exists()


def group_mute(*, user: User, group_id: int, muted: bool) -> None:
    """Mute (or unmute) one working group's activity emails for the user."""
    if muted:
        Preference.objects.update_or_create(
            user=user, topic=Topic.WORKING_GROUPS, scope=str(group_id), defaults={"mode": Mode.OFF}
        )
    else:
        Preference.objects.filter(user=user, topic=Topic.WORKING_GROUPS, scope=str(group_id)).delete()


def muted_group_ids(*, user: User) -> set[int]:
    return {
        int(scope)
        for scope in Preference.objects.filter(user=user, topic=Topic.WORKING_GROUPS, mode=Mode.OFF)
        .exclude(scope="")
        .values_list("scope", flat=True)
        if scope.isdigit()
    }
