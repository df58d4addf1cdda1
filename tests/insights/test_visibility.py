"""Members-only posts per persona, on every route: page, index, search,
feeds, sitemap, JSON. Anyone sees the title and standfirst; only people of
member organizations and staff get the body."""

from __future__ import annotations

import feedparser
import pytest
from django.test import Client
from django.urls import reverse

from insights.models import Post
from tests import factories

pytestmark = pytest.mark.django_db

PERSONAS = ["client", "user_client", "applicant_client", "member_client", "staff_client"]
READERS = {"member_client", "staff_client"}


@pytest.fixture
def applicant_client(applicant):
    browser = Client()
    browser.force_login(applicant)
    return browser


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_members_only_page_shows_the_body_to_readers_only(request, persona, members_post):
    browser = request.getfixturevalue(persona)
    response = browser.get(reverse("insights:detail", args=[members_post.slug]))
    html = response.content.decode()
    assert response.status_code == 200
    assert members_post.title in html and members_post.standfirst in html
    if persona in READERS:
        assert "SECRETBODYWORD" in html and "Members read the full text" not in html
    else:
        assert "SECRETBODYWORD" not in html and "Members read the full text" in html


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_public_page_shows_the_body_to_everyone(request, persona, public_post):
    html = request.getfixturevalue(persona).get(reverse("insights:detail", args=[public_post.slug])).content.decode()
    assert "PUBLICBODYWORD" in html


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_index_lists_both_by_title_and_standfirst_and_never_a_body(request, persona, public_post, members_post):
    html = request.getfixturevalue(persona).get(reverse("insights:index")).content.decode()
    assert public_post.title in html and members_post.title in html and members_post.standfirst in html
    assert "SECRETBODYWORD" not in html


@pytest.mark.parametrize("persona", PERSONAS)
def test_search_finds_members_only_posts_by_body_words_only_for_readers(request, persona, public_post, members_post):
    browser = request.getfixturevalue(persona)
    found = browser.get(reverse("insights:index"), {"q": "SECRETBODYWORD"}).content.decode()
    assert (members_post.title in found) == (persona in READERS)
    by_title = browser.get(reverse("insights:index"), {"q": "graphite"}).content.decode()
    assert members_post.title in by_title  # the title is public
    assert public_post.title in browser.get(reverse("insights:index"), {"q": "PUBLICBODYWORD"}).content.decode()


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_json_gives_the_body_to_readers_only(request, persona, members_post):
    data = request.getfixturevalue(persona).get(reverse("insights:json", args=[members_post.slug])).json()
    assert data["title"] == members_post.title and data["standfirst"] == members_post.standfirst
    assert (data["body_html"] is not None and "SECRETBODYWORD" in data["body_html"]) == (persona in READERS)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("feed", ["insights:rss", "insights:atom"])
def test_feeds_are_valid_and_list_public_posts_only(request, persona, feed, public_post, members_post):
    response = request.getfixturevalue(persona).get(reverse(feed))
    assert response.status_code == 200
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version in ("rss20", "atom10")
    assert [entry.title for entry in parsed.entries] == [public_post.title]
    assert parsed.entries[0].link.endswith(f"/insights/{public_post.slug}/")
    assert "PUBLICBODYWORD" in parsed.entries[0].summary
    assert b"SECRETBODYWORD" not in response.content and members_post.title.encode() not in response.content


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_sitemap_lists_public_things_only(request, persona, public_post, members_post):
    public_event = factories.EventFactory(visibility="public", status="published")
    members_event = factories.EventFactory(visibility="members", status="published")
    draft = factories.PostFactory(status=Post.Status.DRAFT, published_at=None)
    petition = factories.PetitionFactory()
    xml = request.getfixturevalue(persona).get("/sitemap.xml").content.decode()
    assert f"/insights/{public_post.slug}/" in xml
    assert f"/events/{public_event.slug}/" in xml
    assert f"/petitions/{petition.slug}/" in xml
    assert "/members/</loc>" in xml
    for hidden in (members_post.slug, members_event.slug, draft.slug):
        assert hidden not in xml


@pytest.mark.parametrize("persona", ["client", "user_client", "member_client"])
@pytest.mark.parametrize("status", [Post.Status.DRAFT, Post.Status.IN_REVIEW, Post.Status.SCHEDULED])
def test_unpublished_posts_are_not_found_outside_staff(request, persona, status):
    import datetime

    from django.utils import timezone

    post = factories.PostFactory(
        status=status, published_at=None, scheduled_for=timezone.now() + datetime.timedelta(days=1)
    )
    browser = request.getfixturevalue(persona)
    for name in ("insights:detail", "insights:json"):
        assert browser.get(reverse(name, args=[post.slug])).status_code == 404
    assert post.title not in browser.get(reverse("insights:index")).content.decode()


def test_staff_preview_an_unpublished_post_at_its_address(staff_client):
    post = factories.PostFactory(status=Post.Status.DRAFT, published_at=None)
    response = staff_client.get(reverse("insights:detail", args=[post.slug]))
    assert response.status_code == 200 and "Draft" in response.content.decode()


def test_an_archived_post_still_answers_but_is_not_listed(client):
    post = factories.PostFactory(status=Post.Status.ARCHIVED)
    assert "This post is archived" in client.get(reverse("insights:detail", args=[post.slug])).content.decode()
    assert post.title not in client.get(reverse("insights:index")).content.decode()
    assert post.title.encode() not in client.get(reverse("insights:rss")).content
