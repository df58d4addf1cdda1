"""Mineral entries and pooled-demand rounds (minerals come from the data migration)."""

from __future__ import annotations

import datetime

import factory

from minerals.models import DemandRound, Involvement, Mineral

from .accounts import StaffFactory
from .members import MembershipFactory

__all__ = ["DemandRoundFactory", "InvolvementFactory", "mineral"]


def mineral(slug: str = "lithium") -> Mineral:
    """A mineral loaded from the seeds by the data migration."""
    return Mineral.objects.get(slug=slug)


class InvolvementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Involvement

    organization = factory.LazyFunction(lambda: MembershipFactory().organization)
    mineral = factory.LazyFunction(mineral)
    stage = "processing"
    visibility = Involvement.Visibility.PUBLIC


class DemandRoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DemandRound

    mineral = factory.LazyFunction(mineral)
    title = "Lithium demand 2027"
    window_start = datetime.date(2027, 1, 1)
    window_end = datetime.date(2027, 12, 31)
    opened_by = factory.SubFactory(StaffFactory)
