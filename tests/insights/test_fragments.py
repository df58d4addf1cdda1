"""The insights pages' stored pieces (insights/fragments.py): a members-only
body stored for a member is never what a visitor gets, and every change a
page shows (the post, its relations, other posts, tags, groups, search
results) is on the next view."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from insights import fragments, services
from insights.models import Post
from tests import factories

pytestmark = pytest.mark.django_db


def _html(browser, url: str, data: dict | None = None) -> str:
    response = browser.get(url, data or {})
    assert response.status_code == 200
    return response.content.decode()


def _detail(post: Post) -> str:
    return reverse("insights:detail", args=[post.slug])


@pytest.fixture
def non_member_client(user):
    browser = Client()
    browser.force_login(user)
    return browser


# --- Members and visitors never share a stored body --------------------------------------


@pytest.mark.parametrize("visitor", ["client", "non_member_client"])
def test_a_body_stored_for_a_member_is_not_served_to_a_visitor(request, visitor, member_client, members_post):
    assert "SECRETBODYWORD" in _html(member_client, _detail(members_post))
    html = _html(request.getfixturevalue(visitor), _detail(members_post))
    assert "SECRETBODYWORD" not in html and "Members read the full text" in html
    # and the member still gets the body after the visitor's prompt was stored
    assert "SECRETBODYWORD" in _html(member_client, _detail(members_post))


def test_the_prompt_stored_for_a_visitor_is_not_served_to_a_member(client, member_client, members_post):
    assert "SECRETBODYWORD" not in _html(client, _detail(members_post))
    assert "SECRETBODYWORD" in _html(member_client, _detail(members_post))


def test_a_signed_in_non_member_and_a_visitor_get_their_own_prompt(client, non_member_client, members_post):
    assert "Sign in to read it" in _html(client, _detail(members_post))
    html = _html(non_member_client, _detail(members_post))
    assert "Sign in to read it" not in html and "Your account isn't part of a member organization" in html


def test_search_results_stored_for_a_member_are_not_served_to_a_visitor(client, member_client, members_post):
    assert members_post.title in _html(member_client, reverse("insights:index"), {"q": "SECRETBODYWORD"})
    assert members_post.title not in _html(client, reverse("insights:index"), {"q": "SECRETBODYWORD"})


def test_a_post_made_members_only_shows_no_body_to_a_visitor_even_without_a_bump(
    client, staff_user, public_post, monkeypatch
):
    assert "PUBLICBODYWORD" in _html(client, _detail(public_post))
    monkeypatch.setattr(fragments, "bump", lambda: None)  # as if Redis lost it
    services.post_update(actor=staff_user, post=public_post, visibility=Post.Visibility.MEMBERS)
    html = _html(client, _detail(public_post))
    assert "PUBLICBODYWORD" not in html and "Members read the full text" in html


# --- Each stored piece is replaced on change ------------------------------------------------


def test_an_edited_body_shows_on_the_next_view(client, staff_user, public_post):
    assert "PUBLICBODYWORD" in _html(client, _detail(public_post))
    services.post_update(actor=staff_user, post=public_post, body="Rewritten: EDITEDBODYWORD.")
    html = _html(client, _detail(public_post))
    assert "EDITEDBODYWORD" in html and "PUBLICBODYWORD" not in html


def test_related_posts_follow_other_posts_being_archived(client, staff_user):
    lithium = factories.mineral_tag("lithium")
    post, other = factories.PostFactory(title="The post"), factories.PostFactory(title="A related briefing")
    post.minerals.add(lithium)
    other.minerals.add(lithium)
    assert "A related briefing" in _html(client, _detail(post))
    services.post_archive(actor=staff_user, post=other)
    assert "A related briefing" not in _html(client, _detail(post))


def test_a_renamed_working_group_shows_on_the_post_page(client, public_post):
    group = factories.WorkingGroupFactory(name="Battery recycling")
    public_post.working_groups.add(group)
    assert "Battery recycling" in _html(client, _detail(public_post))
    group.name = "Battery recycling and reuse"
    group.save()
    assert "Battery recycling and reuse" in _html(client, _detail(public_post))


def test_a_new_mineral_shows_in_the_filters(client, public_post):
    assert "Hafnium" not in _html(client, reverse("insights:index"))
    factories.mineral_tag("hafnium", "Hafnium")
    assert "Hafnium" in _html(client, reverse("insights:index"))
    assert _html(client, reverse("insights:mineral", args=["hafnium"]))


def test_a_published_post_joins_the_index_and_search(client, staff_user, public_post):
    url = reverse("insights:index")
    assert "Antimony outlook" not in _html(client, url)
    assert "Antimony outlook" not in _html(client, url, {"q": "antimony"})
    draft = factories.PostFactory(title="Antimony outlook", status=Post.Status.DRAFT, published_at=None)
    assert "Antimony outlook" not in _html(client, url)
    services.post_publish(actor=staff_user, post=draft)
    assert "Antimony outlook" in _html(client, url)
    assert "Antimony outlook" in _html(client, url, {"q": "antimony"})


def test_a_renamed_author_shows_on_the_post_page(client, public_post):
    author = factories.MemberFactory(user__name="Ada Author").user
    public_post.authors.add(author)
    assert "Ada Author" in _html(client, _detail(public_post))
    author.name = "Ada Byline"
    author.save()
    assert "Ada Byline" in _html(client, _detail(public_post))


def test_a_sign_in_does_not_throw_the_pieces_away(public_post):
    person = factories.UserFactory()
    token = fragments.generation()
    person.last_login = timezone.now()
    person.save(update_fields=["last_login"])
    assert fragments.generation() == token
    factories.mineral_tag("hafnium", "Hafnium")
    assert fragments.generation() != token


def test_a_bump_is_repeated_when_the_change_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        fragments.bump()
        token = fragments.generation()
    assert len(callbacks) == 1
    callbacks[0]()
    assert fragments.generation() != token


def test_pieces_render_once_and_are_found_after(public_post):
    rendered = []

    def render(name: str) -> str:
        rendered.append(name)
        return f"<p>{name}</p>"

    token = fragments.generation()
    first = fragments.pieces(token, {"a": (1,), "b": (2,)}, render)
    again = fragments.pieces(token, {"a": (1,), "b": (2,)}, render)
    assert first == again == {"a": "<p>a</p>", "b": "<p>b</p>"} and rendered == ["a", "b"]
    fragments.pieces(token, {"a": (1, "other viewer")}, render)
    assert rendered == ["a", "b", "a"]


def test_a_draft_preview_for_staff_is_not_stored(staff_client, staff_user):
    draft = factories.PostFactory(status=Post.Status.DRAFT, published_at=None, body="DRAFTWORD one")
    assert "DRAFTWORD one" in _html(staff_client, _detail(draft))
    Post.objects.filter(pk=draft.pk).update(body_html="<p>DRAFTWORD two</p>")  # no signal, same updated_at
    assert "DRAFTWORD two" in _html(staff_client, _detail(draft))


def test_scheduled_publication_clears_the_index(client):
    post = factories.PostFactory(
        title="Cobalt on schedule", status=Post.Status.SCHEDULED, published_at=None,
        scheduled_for=timezone.now() - datetime.timedelta(minutes=1),
    )  # fmt: skip
    assert "Cobalt on schedule" not in _html(client, reverse("insights:index"))
    assert services.posts_publish_due() == 1
    assert post.title in _html(client, reverse("insights:index"))


def test_an_event_linked_later_shows_on_the_post_page(client, public_post):
    assert "Upcoming events" not in _html(client, _detail(public_post))
    public_post.events.add(factories.EventFactory(title="Permitting roundtable"))
    html = _html(client, _detail(public_post))
    assert "Upcoming events" in html and "Permitting roundtable" in html


def test_a_linked_event_made_group_only_leaves_a_visitors_page(client, public_post):
    event = factories.EventFactory(title="Permitting roundtable")
    public_post.events.add(event)
    assert "Permitting roundtable" in _html(client, _detail(public_post))
    event.visibility = event.Visibility.GROUP
    event.working_group = factories.WorkingGroupFactory()
    event.save()
    assert "Permitting roundtable" not in _html(client, _detail(public_post))


# --- The member check and the header's count ------------------------------------------------


@pytest.mark.parametrize(
    ("status", "reads_body"),
    [("active", True), ("grace", True), ("lapsed", False), ("suspended", False), ("ended", False)],
)
def test_insights_pages_show_the_members_body_by_standing_and_the_headers_unread_count(
    client, members_post, status, reads_body
):
    from notifications.models import Notification

    organization = factories.MembershipFactory(status=status).organization
    person = factories.OrganizationMemberFactory(organization=organization).user
    for n, read in enumerate([None, None, None, timezone.now()]):
        Notification.objects.create(user=person, category="test", title=f"N{n}", dedupe_key=f"k{n}", read_at=read)
    Notification.objects.create(user=factories.UserFactory(), category="test", title="other", dedupe_key="other")
    client.force_login(person)
    for url in (_detail(members_post), "/insights/"):
        html = _html(client, url)
        assert re.search(r"3<span class=\"visually-hidden\"> unread notifications", html), url
    assert ("SECRETBODYWORD" in _html(client, _detail(members_post))) is reads_body
