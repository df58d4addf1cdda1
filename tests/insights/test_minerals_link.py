"""A post's minerals are the minerals app's; a mineral's page shows "Related
insights" through the hook minerals owns (minerals.signals), which insights
answers without minerals importing it."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from insights.models import Post
from minerals.models import Mineral
from minerals.signals import mineral_page_sections
from tests import factories

pytestmark = pytest.mark.django_db


def _page(browser, slug: str = "lithium") -> str:
    response = browser.get(reverse("minerals:detail", args=[slug]))
    assert response.status_code == 200
    return response.content.decode()


def _section(html: str) -> str:
    start = html.index('id="insights-heading"')
    return html[start : html.index("</section>", start)]


def test_the_editor_offers_the_minerals_apps_minerals_and_tags_with_them(staff_client):
    form = staff_client.get(reverse("staff:insights:new")).content.decode()
    for mineral in Mineral.objects.all():
        assert f'value="{mineral.pk}"' in form, mineral.slug
    antimony = Mineral.objects.get(slug="antimony")
    response = staff_client.post(
        reverse("staff:insights:new"),
        {
            "kind": "article", "title": "Antimony and defense", "slug": "", "standfirst": "Why it matters.",
            "body": "Text.", "visibility": "public", "minerals": [antimony.pk],
        },
    )  # fmt: skip
    assert response.status_code == 302
    post = Post.objects.get(slug="antimony-and-defense")
    assert list(post.minerals.all()) == [antimony]
    assert list(antimony.insights_posts.all()) == [post]


def test_the_index_filters_by_a_minerals_app_mineral(client):
    antimony = Mineral.objects.get(slug="antimony")
    tagged = factories.PostFactory(title="On antimony")
    tagged.minerals.add(antimony)
    factories.PostFactory(title="On something else")
    html = client.get(reverse("insights:index"), {"mineral": "antimony"}).content.decode()
    assert "On antimony" in html and "On something else" not in html
    assert client.get(reverse("insights:mineral", args=["antimony"])).status_code == 200
    assert client.get(reverse("insights:mineral", args=["unobtainium"])).status_code == 404


def test_a_mineral_page_shows_related_insights_each_reader_may_see(client, member_client):
    lithium = factories.mineral_tag("lithium")
    public = factories.PostFactory(title="Lithium brines in Nevada", standfirst="Public standfirst.")
    members = factories.PostFactory(
        title="Members briefing on lithium", standfirst="Members standfirst.", body="SECRETBODYWORD",
        visibility=Post.Visibility.MEMBERS,
    )  # fmt: skip
    draft = factories.PostFactory(title="Draft on lithium", status=Post.Status.DRAFT, published_at=None)
    archived = factories.PostFactory(title="Old lithium note", status=Post.Status.ARCHIVED)
    other = factories.PostFactory(title="Cobalt only")
    for post in (public, members, draft, archived):
        post.minerals.add(lithium)
    other.minerals.add(factories.mineral_tag("cobalt"))

    for browser, note in ((client, True), (member_client, False)):
        section = _section(_page(browser))
        assert "Lithium brines in Nevada" in section and "Public standfirst." in section
        assert "Members briefing on lithium" in section and "Members standfirst." in section
        assert "SECRETBODYWORD" not in section
        assert "Draft on lithium" not in section and "Old lithium note" not in section
        assert "Cobalt only" not in section
        assert ("Posts marked Members are for people of member organizations" in section) is note
        assert reverse("insights:mineral", args=["lithium"]) in section
    assert "published nothing on Cobalt" not in _section(_page(client, "cobalt"))
    assert "published nothing on Gallium yet" in _section(_page(client, "gallium"))


def test_a_new_post_shows_on_the_mineral_page_at_once(client, staff_user):
    lithium = factories.mineral_tag("lithium")
    assert "published nothing on Lithium yet" in _page(client)
    post = factories.PostFactory(title="Fresh lithium news")
    post.minerals.add(lithium)
    assert "Fresh lithium news" in _section(_page(client))


def test_the_mineral_page_lists_the_newest_five_and_counts_the_rest(client):
    lithium = factories.mineral_tag("lithium")
    now = timezone.now()
    for n in range(8):
        post = factories.PostFactory(title=f"Lithium note {n}", published_at=now - datetime.timedelta(days=n))
        post.minerals.add(lithium)
    section = _section(_page(client))
    assert [f"Lithium note {n}" in section for n in range(8)] == [True] * 5 + [False] * 3
    assert "All 8 insights on Lithium" in section


def test_without_a_receiver_the_mineral_page_has_no_insights_section(client):
    from insights.hooks import mineral_page_section

    assert mineral_page_sections.disconnect(dispatch_uid="insights-mineral-page-section")
    try:
        assert "Related insights" not in _page(client)
    finally:
        mineral_page_sections.connect(mineral_page_section, dispatch_uid="insights-mineral-page-section")
    assert "Related insights" in _page(client)


def _many(n: int, start: int, lithium: Mineral) -> None:
    now = timezone.now()
    creator = Post.objects.first().created_by
    posts = Post.objects.bulk_create(
        Post(
            title=f"Lithium post {i}", slug=f"lithium-post-{i}", standfirst="S.", body="B", body_html="<p>B</p>",
            status=Post.Status.PUBLISHED, published_at=now - datetime.timedelta(hours=i),
            created_by=creator,
            visibility=Post.Visibility.MEMBERS if i % 3 == 0 else Post.Visibility.PUBLIC,
        )
        for i in range(start, start + n)
    )  # fmt: skip
    Post.minerals.through.objects.bulk_create(
        Post.minerals.through(post_id=post.pk, mineral_id=lithium.pk) for post in posts
    )
    from insights import fragments

    fragments.bump()


@pytest.mark.parametrize("persona", ["client", "member_client"])
def test_the_mineral_page_takes_the_same_queries_at_few_and_many_posts(request, persona):
    browser = request.getfixturevalue(persona)
    lithium = factories.mineral_tag("lithium")
    factories.PostFactory().minerals.add(lithium)

    def counts() -> tuple[int, int]:
        cache.clear()
        pair = []
        for _state in ("cold", "warm"):
            with CaptureQueriesContext(connection) as captured:
                _page(browser)
            pair.append(len(captured.captured_queries))
        return pair[0], pair[1]

    _many(2, 0, lithium)
    few = counts()
    _many(1500, 2, lithium)
    many = counts()
    assert few == many
    assert "All 1503 insights on Lithium" in _page(browser)
