"""When a petition takes signatures and endorsements: one definition, judged in
Python for a row in memory and in SQL by the INSERT, with the same answer."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from petitions.models import NOW, Petition, SignOn, holds
from tests import factories

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)


def _expected(petition: Petition, kind: str, now) -> bool:
    """The rule as the petition page explains it, written out here on its own."""
    published = petition.status == "open"
    opened = petition.opens_at is None or petition.opens_at <= now
    not_ended = petition.closes_at is None or petition.closes_at > now
    takes_kind = petition.accepts in ("both", kind)
    return published and opened and not_ended and takes_kind


def _sql_says(kind: str, petition: Petition, now) -> bool:
    condition, params = Petition.taking_sql(kind, pk=petition.pk, now=now)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT CASE WHEN {condition} THEN 1 ELSE 0 END", params)
        return cursor.fetchone()[0] == 1


def test_python_and_sql_agree_with_the_rule_for_every_kind_of_petition():
    now = timezone.now()
    times = {"none": None, "past": now - HOUR, "future": now + HOUR, "long ago": now - 3 * HOUR}
    cases = 0
    for status, accepts, (opens, closes) in itertools.product(
        ["draft", "open", "closed"],
        ["both", "signatures", "endorsements"],
        itertools.product(times, repeat=2),
    ):
        opens_at, closes_at = times[opens], times[closes]
        if opens_at and closes_at and closes_at <= opens_at:
            continue  # the database refuses these
        petition = factories.PetitionFactory(status=status, accepts=accepts, opens_at=opens_at, closes_at=closes_at)
        for kind in SignOn.values:
            expected = _expected(petition, kind, now)
            label = f"{status} {accepts} opens={opens} closes={closes} {kind}"
            assert petition.is_taking(kind, now) is expected, label
            assert _sql_says(kind, petition, now) is expected, label
            cases += 1
    assert cases == 3 * 3 * 10 * 2  # 10 of the 16 opening/closing pairs are possible


def test_the_instant_of_closing_is_closed_in_both():
    closes_at = timezone.now() + HOUR
    petition = factories.PetitionFactory(closes_at=closes_at)

    assert petition.is_taking(SignOn.SIGNATURES, closes_at - timedelta(microseconds=1))
    assert _sql_says(SignOn.SIGNATURES, petition, closes_at - timedelta(microseconds=1))
    assert not petition.is_taking(SignOn.SIGNATURES, closes_at)
    assert not _sql_says(SignOn.SIGNATURES, petition, closes_at)


def test_the_sql_is_for_the_petition_it_names():
    open_one = factories.PetitionFactory()
    closed_one = factories.PetitionFactory(status="closed")

    assert _sql_says(SignOn.ENDORSEMENTS, open_one, timezone.now())
    assert not _sql_says(SignOn.ENDORSEMENTS, closed_one, timezone.now())


def test_the_page_and_the_phase_follow_the_same_definition():
    upcoming = factories.PetitionFactory(opens_at=timezone.now() + HOUR)
    ended = factories.PetitionFactory(closes_at=timezone.now() - HOUR)

    assert (upcoming.phase, upcoming.accepting_signatures) == ("upcoming", False)
    assert (ended.phase, ended.accepting_endorsements) == ("closed", False)
    assert factories.PetitionFactory().phase == "open"


def test_holds_refuses_what_it_cannot_judge_as_sql_would():
    petition = Petition(status="open")

    with pytest.raises(ValueError, match="negated"):
        holds(~Q(status="open"), petition, now=timezone.now())
    with pytest.raises(KeyError):
        holds(Q(title__icontains="x"), petition, now=timezone.now())


def test_holds_reads_missing_values_as_sql_reads_null():
    petition = Petition(status="open", opens_at=None)

    assert holds(Q(opens_at=None), petition, now=timezone.now())
    assert not holds(Q(opens_at__lte=NOW), petition, now=timezone.now())
    assert not holds(Q(opens_at__gt=NOW), petition, now=timezone.now())
