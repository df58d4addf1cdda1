"""Reading pages (index, filters, tag pages, a post with what relates to it,
meta tags), bad input, query counts, and the staff pages per persona."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from cma.models import AuditEntry
from insights.models import Post
from members.models import Segment
from tests import factories

from .conftest import png_upload

pytestmark = pytest.mark.django_db


# --- Reading ----------------------------------------------------------------------


def test_the_home_pages_thought_leadership_card_leads_to_the_index(client):
    html = client.get("/").content.decode()
    card = html[html.index("Thought leadership and engagement") :]
    assert f'href="{reverse("insights:index")}"' in card[: card.index("</div>")]


def test_the_index_filters_by_kind_mineral_and_segment(client):
    lithium = factories.mineral_tag("lithium")
    recycling = Segment.objects.get(slug="recycling")
    article = factories.PostFactory(title="Lithium brine article")
    article.minerals.add(lithium)
    news = factories.PostFactory(kind=Post.Kind.NEWS, title="Recycling news item")
    news.segments.add(recycling)
    position = factories.PostFactory(kind=Post.Kind.POSITION, title="Permitting position")

    def titles(**params):
        html = client.get(reverse("insights:index"), params).content.decode()
        return {t for t in (article.title, news.title, position.title) if t in html}

    assert titles() == {article.title, news.title, position.title}
    assert titles(kind="news") == {news.title}
    assert titles(mineral="lithium") == {article.title}
    assert titles(segment="recycling") == {news.title}
    assert article.title in client.get(reverse("insights:mineral", args=["lithium"])).content.decode()
    segment_page = client.get(reverse("insights:segment", args=["recycling"])).content.decode()
    assert news.title in segment_page and article.title not in segment_page
    assert client.get(reverse("insights:mineral", args=["unobtainium"])).status_code == 404


def test_the_index_paginates(client):
    for _ in range(13):
        factories.PostFactory()
    first = client.get(reverse("insights:index")).content.decode()
    assert "Page 1 of 2" in first
    assert client.get(reverse("insights:index"), {"page": "2"}).status_code == 200
    assert client.get(reverse("insights:index"), {"page": "999"}).status_code == 200


@pytest.mark.parametrize(
    "q",
    [
        "x" * 10_000,
        "lithium\x00cobalt",
    ],
)
def test_bad_search_input_gets_a_clear_answer_and_no_results(client, public_post, q):
    response = client.get(reverse("insights:index"), {"q": q})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Error:" in html and "That search can't be run" in html
    assert public_post.title not in html


@pytest.mark.parametrize(
    "q",
    ["cobalt' OR 1=1 --", "cobalt & !! | (", "'; DROP TABLE insights_post; --", "a:* <-> b", '"unclosed', "%_\\"],
)
def test_sql_and_tsquery_syntax_is_just_words(client, public_post, q):
    response = client.get(reverse("insights:index"), {"q": q})
    assert response.status_code == 200
    assert Post.objects.filter(pk=public_post.pk).exists()


def test_a_post_page_has_authors_meta_tags_canonical_and_related_things(client, staff_user):
    cobalt = factories.mineral_tag("cobalt")
    organization = factories.MembershipFactory().organization
    factories.OrganizationMemberFactory(organization=organization, user=staff_user)
    group = factories.WorkingGroupFactory(name="Trade Policy Working Group")
    event = factories.EventFactory(
        visibility="public", status="published", starts_at=timezone.now() + datetime.timedelta(days=7)
    )
    hidden_event = factories.EventFactory(
        visibility="group", working_group=group, status="published",
        starts_at=timezone.now() + datetime.timedelta(days=8),
    )  # fmt: skip
    post = factories.PostFactory(title="Cobalt and the Congo", standfirst="Over half our cobalt is imported.")
    post.minerals.add(cobalt)
    post.authors.add(staff_user)
    post.working_groups.add(group)
    post.events.add(event, hidden_event)
    other = factories.PostFactory(title="Battery recycling and cobalt")
    other.minerals.add(cobalt)
    unrelated = factories.PostFactory(title="Unrelated roundup")

    html = client.get(reverse("insights:detail", args=[post.slug])).content.decode()
    assert f"{staff_user.display_name} ({organization.name})" in html
    assert f'<link rel="canonical" href="http://testserver/insights/{post.slug}/">' in html
    assert '<meta property="og:title" content="Cobalt and the Congo">' in html
    assert '<meta name="twitter:description" content="Over half our cobalt is imported.">' in html
    assert "Related news" in html and other.title in html and unrelated.title not in html
    assert group.name in html and event.title in html
    assert hidden_event.title not in html  # an event the visitor may not see


def test_a_post_page_with_an_image_shares_it_with_its_alt_text(client, staff_user):
    from insights import services

    post = services.post_create(
        actor=staff_user, title="With a picture", standfirst="S.", body="B.",
        hero=services.clean_hero(png_upload()), hero_alt="Spodumene ore on a conveyor",
    )  # fmt: skip
    services.post_publish(actor=staff_user, post=post)
    html = client.get(reverse("insights:detail", args=[post.slug])).content.decode()
    assert 'alt="Spodumene ore on a conveyor"' in html
    assert '<meta property="og:image" content="http://testserver/insights/with-a-picture/hero/">' in html
    image = client.get(reverse("insights:hero", args=[post.slug]))
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert image["X-Content-Type-Options"] == "nosniff"
    assert b"".join(image.streaming_content).startswith(b"\x89PNG")
    image.close()


# --- Query counts ---------------------------------------------------------------------


def _many_posts(n: int, *, start: int = 0) -> list[Post]:
    author = factories.StaffFactory()
    now = timezone.now()
    posts = Post.objects.bulk_create(
        Post(
            title=f"Bulk post {i}", slug=f"bulk-{i}", standfirst="Standfirst.", body="Body lithium text.",
            status=Post.Status.PUBLISHED, published_at=now - datetime.timedelta(minutes=i), created_by=author,
            visibility=Post.Visibility.MEMBERS if i % 3 == 0 else Post.Visibility.PUBLIC,
        )
        for i in range(start, start + n)
    )  # fmt: skip
    lithium = factories.mineral_tag("lithium")
    Post.minerals.through.objects.bulk_create(
        Post.minerals.through(post_id=post.pk, mineral_id=lithium.pk) for post in posts[::2]
    )
    Post.segments.through.objects.bulk_create(
        Post.segments.through(post_id=post.pk, segment_id=Segment.objects.first().pk) for post in posts[::5]
    )
    return posts


def _counts(browser, urls: list[str]) -> list[tuple[int, int]]:
    """Each page's queries with nothing stored (the first view after a
    change) and at once again (stored pieces: insights/fragments.py)."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for url in urls:
        cache.clear()
        pair = []
        for _state in ("cold", "warm"):
            with CaptureQueriesContext(connection) as captured:
                assert browser.get(url).status_code == 200
            pair.append(len(captured.captured_queries))
        counts.append((pair[0], pair[1]))
    return counts


# Per page at most, cold / warm (SQLite; sessions live in the database):
# index — session, user, minerals and segments for the filters, the member
# check (members.selectors), COUNT, the rows, their tags, the header's unread
# count (notifications' context processor) / session, user, the member check,
# the unread count; a post — session, user, the post's head, the member
# check, the post, authors, their organizations, minerals, segments, groups,
# related posts, its event ids, the unread count, (events, when it links
# any) / session, user, head, member check, unread count; feeds and the
# sitemap — their rows, plus session and user for a signed-in reader (not
# stored).
MAX_QUERIES = {
    "index": (9, 4), "search": (9, 4), "post": (13, 5), "atom": (5, 5), "rss": (5, 5), "sitemap": (7, 7),
}  # fmt: skip


@pytest.mark.parametrize("persona", ["client", "member_client"])
def test_reading_pages_take_the_same_queries_at_20_and_2000_posts(request, persona):
    browser = request.getfixturevalue(persona)
    posts = _many_posts(20)
    target = posts[10]
    target.minerals.add(factories.mineral_tag("lithium"))
    target.authors.add(factories.MemberFactory().user)
    urls = {
        "index": reverse("insights:index"),
        "search": reverse("insights:index") + "?q=lithium&mineral=lithium",
        "post": reverse("insights:detail", args=[target.slug]),
        "atom": reverse("insights:atom"),
        "rss": reverse("insights:rss"),
        "sitemap": "/sitemap.xml",
    }
    at_20 = dict(zip(urls, _counts(browser, list(urls.values())), strict=True))
    _many_posts(1980, start=20)
    at_2000 = dict(zip(urls, _counts(browser, list(urls.values())), strict=True))
    assert at_20 == at_2000
    for name, (cold, warm) in at_20.items():
        assert cold <= MAX_QUERIES[name][0] and warm <= MAX_QUERIES[name][1], (name, cold, warm)


# --- Staff pages ---------------------------------------------------------------------------


STAFF_PAGES = ["list", "new"]


@pytest.mark.parametrize("name", STAFF_PAGES)
def test_staff_pages_send_the_anonymous_to_sign_in(client, name):
    response = client.get(reverse(f"staff:insights:{name}"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("persona", ["user_client", "member_client", "primary_contact_client"])
@pytest.mark.parametrize("name", STAFF_PAGES)
def test_staff_pages_refuse_people_who_are_not_staff(request, persona, name):
    assert request.getfixturevalue(persona).get(reverse(f"staff:insights:{name}")).status_code == 403


@pytest.mark.parametrize("persona", ["client", "user_client", "member_client"])
def test_staff_actions_refuse_everyone_else_and_change_nothing(request, persona):
    post = factories.PostFactory(status=Post.Status.DRAFT, published_at=None)
    browser = request.getfixturevalue(persona)
    for url in (
        reverse("staff:insights:action", args=[post.pk, "publish"]),
        reverse("staff:insights:detail", args=[post.pk]),
        reverse("staff:insights:edit", args=[post.pk]),
    ):
        assert browser.post(url).status_code in (302, 403)
    post.refresh_from_db()
    assert post.status == Post.Status.DRAFT


def test_staff_write_submit_schedule_and_publish_through_the_pages(staff_client, staff_user):
    response = staff_client.post(
        reverse("staff:insights:new"),
        {
            "kind": "article", "title": "Securing a supply chain", "slug": "", "standfirst": "Why it matters.",
            "body": "## Heading\n\nText[^1].\n\n[^1]: A source.", "visibility": "public",
            "hero_upload": png_upload(), "hero_alt": "A mine at dawn",
        },
    )  # fmt: skip
    assert response.status_code == 302
    post = Post.objects.get()
    assert post.slug == "securing-a-supply-chain" and post.hero_image and post.hero_alt == "A mine at dawn"
    detail = staff_client.get(response["Location"]).content.decode()
    assert "<h2>Heading</h2>" in detail and "Send for review" in detail

    assert staff_client.post(reverse("staff:insights:action", args=[post.pk, "submit"])).status_code == 302
    past = (timezone.localtime() - datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    staff_client.post(reverse("staff:insights:schedule", args=[post.pk]), {"scheduled_for": past})
    post.refresh_from_db()
    assert post.status == Post.Status.IN_REVIEW
    future = (timezone.localtime() + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    staff_client.post(reverse("staff:insights:schedule", args=[post.pk]), {"scheduled_for": future})
    post.refresh_from_db()
    assert post.status == Post.Status.SCHEDULED
    staff_client.post(reverse("staff:insights:action", args=[post.pk, "publish"]))
    post.refresh_from_db()
    assert post.is_published
    assert staff_client.post(reverse("staff:insights:action", args=[post.pk, "frobnicate"])).status_code == 404
    history = staff_client.get(reverse("staff:insights:detail", args=[post.pk])).content.decode()
    assert "post.schedule" in history and "post.publish" in history
    assert AuditEntry.objects.filter(object_id=str(post.pk), action__startswith="post.").count() == 4


def test_the_write_form_shows_errors_beside_the_fields(staff_client):
    factories.PostFactory(slug="taken")
    response = staff_client.post(
        reverse("staff:insights:new"),
        {
            "kind": "article", "title": "T", "slug": "taken", "standfirst": "S", "body": "B",
            "visibility": "public", "hero_upload": png_upload(), "hero_alt": "",
        },
    )  # fmt: skip
    html = response.content.decode()
    assert response.status_code == 400
    assert re.search(r'id="id_hero_alt_error".*alt text', html, re.S)
    assert Post.objects.count() == 1
    response = staff_client.post(
        reverse("staff:insights:new"),
        {"kind": "article", "title": "T", "slug": "taken", "standfirst": "S", "body": "B", "visibility": "public"},
    )
    assert response.status_code == 400 and "already lives at" in response.content.decode()
