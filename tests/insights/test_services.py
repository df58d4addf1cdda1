"""The post lifecycle and its rules: transitions with an audit trail,
scheduling with a fixed clock, slugs, images and alt text, safe Markdown."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cma.errors import Conflict, Refused
from cma.markdown import render_markdown
from cma.models import AuditEntry
from insights import services, tasks
from insights.models import Post
from tests import factories

from .conftest import png_upload

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 19, 14, 0, tzinfo=datetime.UTC)


def _draft(actor, **fields):
    defaults = {"title": "Securing a supply chain", "standfirst": "Why.", "body": "Text of the article."}
    return services.post_create(actor=actor, **{**defaults, **fields})


def test_a_new_post_is_a_draft_with_its_author_slug_and_reading_time(staff_user):
    post = _draft(staff_user, body="word " * 690)
    assert post.status == Post.Status.DRAFT
    assert post.slug == "securing-a-supply-chain"
    assert list(post.authors.all()) == [staff_user]
    assert post.reading_minutes == 3
    assert AuditEntry.objects.filter(action="post.create", object_id=str(post.pk)).count() == 1


def test_only_staff_with_their_second_factor_write(member, staff_without_mfa):
    for person in (member, staff_without_mfa):
        with pytest.raises(Refused):
            _draft(person)
    assert not Post.objects.exists()


def test_full_lifecycle_writes_one_audit_row_per_step(staff_user):
    post = _draft(staff_user)
    services.post_submit(actor=staff_user, post=post)
    services.post_schedule(actor=staff_user, post=post, when=NOW + datetime.timedelta(days=1), now=NOW)
    services.post_publish(actor=staff_user, post=post, now=NOW)
    services.post_archive(actor=staff_user, post=post)
    steps = list(
        AuditEntry.objects.filter(object_id=str(post.pk), action__startswith="post.")
        .order_by("pk")
        .values_list("action", "from_state", "to_state")
    )
    assert steps == [
        ("post.create", "", "draft"),
        ("post.submit", "draft", "in_review"),
        ("post.schedule", "in_review", "scheduled"),
        ("post.publish", "scheduled", "published"),
        ("post.archive", "published", "archived"),
    ]
    post.refresh_from_db()
    assert post.published_at == NOW and post.scheduled_for is None


def test_a_transition_from_the_wrong_state_is_refused_and_changes_nothing(staff_user):
    post = _draft(staff_user)
    with pytest.raises(Conflict, match="draft"):
        services.post_archive(actor=staff_user, post=post)
    services.post_publish(actor=staff_user, post=post)
    with pytest.raises(Conflict, match="published"):
        services.post_publish(actor=staff_user, post=post)  # a double click publishes once
    assert AuditEntry.objects.filter(action="post.publish").count() == 1


def test_a_schedule_in_the_past_is_refused(staff_user):
    post = _draft(staff_user)
    with pytest.raises(ValidationError) as error:
        services.post_schedule(actor=staff_user, post=post, when=NOW - datetime.timedelta(hours=1), now=NOW)
    assert "future" in error.value.message_dict["scheduled_for"][0]
    post.refresh_from_db()
    assert post.status == Post.Status.DRAFT


def test_a_scheduled_post_goes_live_on_time_from_the_periodic_task(staff_user):
    post = _draft(staff_user)
    when = NOW + datetime.timedelta(hours=2)
    services.post_schedule(actor=staff_user, post=post, when=when, now=NOW)
    assert services.posts_publish_due(now=when - datetime.timedelta(seconds=1)) == 0
    assert services.posts_publish_due(now=when + datetime.timedelta(seconds=30)) == 1
    assert services.posts_publish_due(now=when + datetime.timedelta(minutes=1)) == 0  # run again: nothing
    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHED and post.published_at == when
    entry = AuditEntry.objects.get(action="post.publish", object_id=str(post.pk))
    assert entry.actor is None and entry.note == "on schedule"


def test_the_beat_task_publishes_what_is_due(staff_user):
    post = _draft(staff_user)
    Post.objects.filter(pk=post.pk).update(
        status=Post.Status.SCHEDULED, scheduled_for=timezone.now() - datetime.timedelta(minutes=1)
    )
    assert tasks.publish_due_posts.delay().get() == 1
    post.refresh_from_db()
    assert post.is_published


def test_a_colliding_slug_is_a_field_error(staff_user):
    _draft(staff_user, slug="made-in-america")
    with pytest.raises(ValidationError) as error:
        _draft(staff_user, slug="made-in-america")
    assert "already lives at /insights/made-in-america/" in error.value.message_dict["slug"][0]
    assert Post.objects.count() == 1


def test_an_image_without_alt_text_is_refused_and_leaves_no_file(staff_user, settings):
    hero = services.clean_hero(png_upload())
    with pytest.raises(ValidationError) as error:
        _draft(staff_user, hero=hero, hero_alt="  ")
    assert "alt text" in error.value.message_dict["hero_alt"][0]
    assert not Post.objects.exists()
    stored = settings.MEDIA_ROOT / "insights"
    assert not stored.exists() or not any(stored.iterdir())


def test_an_image_is_checked_and_re_encoded(staff_user):
    post = _draft(staff_user, hero=services.clean_hero(png_upload(size=(3200, 1800))), hero_alt="An open-pit mine")
    assert post.hero_image.name.startswith("insights/") and post.hero_image.name.endswith(".png")
    from PIL import Image

    with post.hero_image.open("rb") as stored, Image.open(stored) as image:
        assert image.size == (1600, 900)


def test_a_file_that_is_not_an_image_is_refused():
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(ValidationError) as error:
        services.clean_hero(SimpleUploadedFile("hero.png", b"<script>alert(1)</script>", content_type="image/png"))
    assert "must be a PNG, JPEG, GIF or WebP image" in error.value.message_dict["hero_upload"][0]


def test_markdown_with_script_javascript_links_and_raw_html_renders_safely():
    html = render_markdown(
        '<script>alert(1)</script>[x](javascript:alert(1)) <img src=x onerror=alert(1)> <a href="#" onclick="y">z</a>'
        "\n\nA claim.[^1]\n\n[^1]: USGS Mineral Commodity Summaries.",
        footnotes=True,
    )
    for bad in ("<script", "javascript:", "onerror", "onclick", "<img"):
        assert bad not in html
    assert 'id="fn:1"' in html and 'href="#fn:1"' in html and "USGS Mineral Commodity Summaries" in html


def test_an_archived_post_cannot_be_edited(staff_user):
    post = factories.PostFactory(status=Post.Status.ARCHIVED)
    with pytest.raises(Conflict):
        services.post_update(actor=staff_user, post=post, title="New")


def test_a_policy_position_needs_both_title_and_link_of_its_filing(staff_user):
    with pytest.raises(ValidationError) as error:
        _draft(staff_user, kind=Post.Kind.POSITION, filed_as_title="Comment on USTR-2026-03868")
    assert "filed_as_url" in error.value.message_dict
