"""The reference as the data migration loads it from the seeds: figures
checked against the seed text by hand (seeds/003, the NAM's annex and letter)."""

from __future__ import annotations

import pytest

from minerals import selectors
from minerals.models import Fact, Mineral

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("slug", "percent"),
    [("lithium", 50), ("graphite", 100), ("cobalt", 79), ("copper", 57), ("germanium", 50), ("antimony", 91),
     ("aluminum", 60), ("gallium", 100), ("tungsten", 50), ("bismuth", 92), ("yttrium", 100), ("tantalum", 100)],
)  # fmt: skip
def test_import_reliance_matches_the_seed(slug, percent):
    assert Mineral.objects.get(slug=slug).import_reliance == percent


def test_minerals_the_seeds_give_no_figure_for_have_none():
    for slug in ("molybdenum", "nickel", "platinum", "neodymium", "zinc"):
        assert Mineral.objects.get(slug=slug).import_reliance is None
        assert not Fact.objects.filter(mineral__slug=slug, kind="import-reliance").exists()


def test_every_fact_has_a_source_and_a_date():
    assert Fact.objects.count() > 100
    assert not Fact.objects.filter(source="").exists()
    assert not Fact.objects.filter(source_date__isnull=True).exists()
    lithium = Fact.objects.get(mineral__slug="lithium", kind="import-reliance")
    assert "Mineral Commodity Summaries 2026" in lithium.quotes
    assert "USTR" in lithium.source


def test_leading_sources_and_chinas_role_come_from_the_seed():
    graphite = Mineral.objects.get(slug="graphite")
    assert graphite.facts.filter(kind="leading-sources", text="China, Canada, Mozambique and Mexico.").exists()
    assert graphite.facts.filter(kind="china", text__contains="78%").exists()
    assert (
        Mineral.objects.get(slug="lithium").facts.filter(kind="leading-sources", text="Chile and Argentina.").exists()
    )


def test_molybdenum_is_flagged_as_off_the_usgs_list():
    assert not Mineral.objects.get(slug="molybdenum").on_usgs_2025_list
    assert Mineral.objects.get(slug="lithium").on_usgs_2025_list


def test_end_uses_follow_the_letters_categories():
    energy = set(selectors.mineral_index(end_use="energy").values_list("slug", flat=True))
    assert energy == {"lithium", "cobalt", "graphite", "copper"}


def test_index_sorts_by_reliance_with_unknowns_last():
    slugs = list(selectors.mineral_index(sort="reliance").values_list("import_reliance", flat=True))
    known = [s for s in slugs if s is not None]
    assert known == sorted(known, reverse=True)
    assert slugs[-1] is None and slugs[0] == 100


def test_mineral_list_is_the_stable_selector_other_apps_use():
    slugs = list(selectors.mineral_list().values_list("slug", flat=True))
    assert "lithium" in slugs and slugs == sorted(slugs)
