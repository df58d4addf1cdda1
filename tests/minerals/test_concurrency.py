"""Declarations racing each other in one round: the round's row lock makes
them go one at a time, so each organization has one declaration and the
published total obeys the rules (no total from a moment with two members)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection

from minerals import services
from minerals.models import Declaration, DemandRound
from tests import factories
from tests.support.concurrency import race

from .conftest import person_of_member_org

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_simultaneous_declarations_each_count_once_and_publish_once():
    staff = factories.StaffFactory()
    round_ = DemandRound.objects.create(
        mineral=factories.mineral("lithium"), title="Race", window_start=datetime.date(2027, 1, 1),
        window_end=datetime.date(2027, 12, 31), opened_by=staff,
    )  # fmt: skip
    people = [person_of_member_org() for _ in range(4)]
    twice = people[0]  # one organization submits twice at once (a double click)
    submissions = [*people, twice]
    results = race(
        *[
            (lambda u=user, o=organization: services.demand_declare(
                actor=u, round_id=round_.pk, organization=o, quantity=100, unit="t", form="hydroxide"
            ))
            for user, organization in submissions
        ]
    )  # fmt: skip
    errors = [r for r in results if isinstance(r, BaseException)]

    assert errors == []
    assert Declaration.objects.filter(round=round_).count() == 4
    round_.refresh_from_db()
    # Published at the third declaration (300); the fourth alone could not move it.
    assert round_.published_total == Decimal(300)
    assert connection.vendor == "postgresql"
