"""The migration that moves a post's minerals from insights.Tag onto
minerals.Mineral, run on rows made at the state before it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("insights", "0003_post_images")]
AFTER = [("insights", "0004_minerals_from_the_minerals_app")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_mineral_tags_become_the_minerals_apps_minerals_and_the_tags_go():
    old = _migrate(BEFORE)
    try:
        Tag, Post, User = (
            old.get_model("insights", "Tag"),
            old.get_model("insights", "Post"),
            old.get_model("members", "User"),
        )
        staff = User.objects.create(email="editor@example.org", name="Editor")

        def post(slug, *slugs):
            row = Post.objects.create(title=slug, slug=slug, standfirst="S", body="B", created_by=staff)
            row.minerals.set(
                [Tag.objects.get_or_create(kind="mineral", slug=s, defaults={"name": s})[0] for s in slugs]
            )
            return row.pk

        Tag.objects.create(kind="mineral", slug="hafnium", name="Hafnium")  # added by staff; not in the reference
        Tag.objects.create(kind="mineral", slug="unused-tag", name="Unused")
        Tag.objects.create(kind="topic", slug="permitting", name="Permitting")
        lithium = post("on-lithium", "lithium", "cobalt")
        magnets = post("on-magnets", "rare-earth-elements")
        hafnium = post("on-hafnium", "hafnium")
        untagged = post("untagged")
    finally:
        new = _migrate(AFTER)
    Post, Mineral = new.get_model("insights", "Post"), new.get_model("minerals", "Mineral")

    def slugs(pk):
        return sorted(Post.objects.get(pk=pk).minerals.values_list("slug", flat=True))

    assert slugs(lithium) == ["cobalt", "lithium"]
    rare_earths = sorted(Mineral.objects.filter(group="rare-earths").values_list("slug", flat=True))
    assert "neodymium" in rare_earths and slugs(magnets) == rare_earths
    assert slugs(hafnium) == ["hafnium"]
    assert Mineral.objects.get(slug="hafnium").name == "Hafnium"
    assert not Mineral.objects.filter(slug__in=["unused-tag", "rare-earth-elements", "permitting"]).exists()
    assert slugs(untagged) == []
    assert "insights_tag" not in connection.introspection.table_names()
