from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from minerals.models import DemandRound, Involvement

pytestmark = pytest.mark.django_db


def test_the_demo_tags_members_and_publishes_a_pooled_total(client, mailoutbox):
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())  # twice: idempotent
    assert (
        Involvement.objects.filter(organization__name="Sierra Lithium Resources", mineral__slug="lithium").count() == 3
    )
    round_ = DemandRound.objects.get(title="Lithium for batteries, 2027")
    assert round_.declarations.count() == 3
    assert round_.published_total == 570
    page = client.get(reverse("minerals:detail", args=["lithium"])).content.decode()
    assert "Sierra Lithium Resources" in page and "Recycling and Circularity" in page
    assert "Gulf Coast Refining Partners" not in page  # members only


def test_scale_data_adds_four_entries_per_organization_and_declarations():
    call_command("seed_demo", "--scale", "20", stdout=io.StringIO())
    assert Involvement.objects.filter(organization__name__startswith="Scale Org").count() == 80
    assert DemandRound.objects.filter(title__endswith="scale data").exists()
