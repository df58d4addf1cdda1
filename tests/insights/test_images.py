"""Images in a post's body: uploaded by staff through the checked upload
path with alt text, placed by their Markdown line, kept by the sanitizer only
when they are the portal's own, and served only through the post's check."""

from __future__ import annotations

import io
import os
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from cma.markdown import render_markdown
from insights import services
from insights.models import BODY_IMAGE_SRC, Post, PostImage
from tests import factories

from .conftest import png_upload

pytestmark = pytest.mark.django_db


def _upload(name: str, fmt: str) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 20), (200, 120, 30)).save(out, format=fmt)
    return SimpleUploadedFile(name, out.getvalue(), content_type="application/octet-stream")


def _image(post: Post, alt: str = "A lithium brine pond") -> PostImage:
    from tests.support.mfa import as_in_session_that_passed_mfa

    staff = as_in_session_that_passed_mfa(factories.StaffFactory())
    return services.post_image_add(actor=staff, post=post, image=services.clean_body_image(png_upload()), alt=alt)


# --- The sanitizer ---------------------------------------------------------------------------


def test_the_sanitizer_keeps_the_portals_own_images_with_their_alt_text():
    html = render_markdown("![A brine pond](/insights/images/12/)", image_src=BODY_IMAGE_SRC)
    assert '<img alt="A brine pond" src="/insights/images/12/">' in html


@pytest.mark.parametrize(
    "src",
    [
        "https://evil.example/track.png",
        "//evil.example/x.png",
        "javascript:alert(1)",
        "data:image/png;base64,iVBORw0KGgo=",
        "/insights/images/12/../../../admin/",
        "/insights/images/12/?x=1",
        "/media/insights/body/a.png",
    ],
)
def test_the_sanitizer_drops_any_other_image(src):
    html = render_markdown(f"Before ![alt text]({src}) after", image_src=BODY_IMAGE_SRC)
    assert "<img" not in html and "evil" not in html and "javascript" not in html and "data:" not in html
    assert "Before" in html and "after" in html


def test_raw_html_images_lose_their_handlers_and_foreign_sources():
    body = '<img src="/insights/images/3/" alt="ok" onerror="alert(1)"><img src="x" onerror="alert(2)">'
    html = render_markdown(body, image_src=BODY_IMAGE_SRC)
    assert html.count("<img") == 1 and "onerror" not in html and "alert" not in html


def test_markdown_elsewhere_still_shows_no_images():
    assert "<img" not in render_markdown("![A brine pond](/insights/images/12/)")


# --- Upload in the editor ------------------------------------------------------------------


def _draft() -> Post:
    return factories.PostFactory(status=Post.Status.DRAFT, published_at=None)


def test_staff_upload_an_image_and_the_editor_offers_its_markdown_line(staff_client):
    post = _draft()
    url = reverse("staff:insights:image", args=[post.pk])
    response = staff_client.post(url, {"image": _upload("pond.jpg", "JPEG"), "alt": "A lithium brine pond"})
    assert response.status_code == 302
    image = PostImage.objects.get(post=post)
    assert image.alt == "A lithium brine pond"
    assert image.image.name.endswith(".png") and "pond" not in image.image.name
    with image.image.open("rb") as stored, Image.open(stored) as decoded:
        assert decoded.format == "PNG"
    page = staff_client.get(reverse("staff:insights:edit", args=[post.pk])).content.decode()
    assert f'value="![A lithium brine pond](/insights/images/{image.pk}/)"' in page


def test_an_htmx_upload_answers_with_the_images_panel_only(staff_client):
    post = _draft()
    response = staff_client.post(
        reverse("staff:insights:image", args=[post.pk]),
        {"image": _upload("chart.webp", "WEBP"), "alt": "Chart of cobalt imports"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    image = PostImage.objects.get(post=post)
    assert f"![Chart of cobalt imports](/insights/images/{image.pk}/)" in html


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"alt": ""}, "alt", "alt text"),
        ({"image_bytes": b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"}, "image", "PNG"),
        ({"image_bytes": b"<html><script>alert(1)</script></html>"}, "image", "PNG"),
        ({"image_bytes": b"GIF89a" + b"\0" * 10}, "image", "PNG"),
        ({"image_bytes": b"\x89PNG" + b"\0" * (6 * 1024 * 1024)}, "image", "limit is 5 MB"),
    ],
)
def test_a_bad_upload_gets_an_error_beside_its_field_and_stores_nothing(staff_client, data, field, message):
    post = _draft()
    upload = png_upload("named-like-an-image.png")
    if "image_bytes" in data:
        upload = SimpleUploadedFile("named-like-an-image.png", data["image_bytes"], content_type="image/png")
    response = staff_client.post(
        reverse("staff:insights:image", args=[post.pk]), {"image": upload, "alt": data.get("alt", "A pond")}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert re.search(rf'id="id_{field}_error".*{re.escape(message)}', html, re.S), html[-3000:]
    assert not PostImage.objects.exists()


@pytest.mark.parametrize("persona", ["client", "user_client", "member_client"])
def test_only_staff_upload_images(request, persona):
    post = _draft()
    response = request.getfixturevalue(persona).post(
        reverse("staff:insights:image", args=[post.pk]), {"image": png_upload(), "alt": "A pond"}
    )
    assert response.status_code in (302, 403)
    assert not PostImage.objects.exists()


def test_an_image_without_alt_text_in_the_body_is_an_error_beside_the_body(staff_client):
    post = _draft()
    image = _image(post)
    response = staff_client.post(
        reverse("staff:insights:edit", args=[post.pk]),
        {
            "kind": "article", "title": post.title, "slug": post.slug, "standfirst": post.standfirst,
            "visibility": "public", "body": f"Text.\n\n![]({image.get_absolute_url()})",
        },
    )  # fmt: skip
    assert response.status_code == 400
    assert re.search(r'id="id_body_error".*Every image needs alt text', response.content.decode(), re.S)
    post.refresh_from_db()
    assert "![]" not in post.body


def test_an_image_in_the_body_shows_on_the_post_page(client, staff_user):
    post = _draft()
    image = _image(post)
    services.post_update(
        actor=staff_user, post=post, body=f"Intro.\n\n{image.markdown}\n\n![x](https://evil.example/t.png)"
    )
    services.post_publish(actor=staff_user, post=post)
    html = client.get(post.get_absolute_url()).content.decode()
    assert f'<img alt="A lithium brine pond" src="/insights/images/{image.pk}/">' in html
    assert "evil.example" not in html


# --- Serving ----------------------------------------------------------------------------------


def _get(browser, image: PostImage):
    return browser.get(reverse("insights:image", args=[image.pk]))


@pytest.mark.parametrize("persona", ["client", "user_client", "member_client", "staff_client"])
def test_a_public_posts_images_are_for_everyone_as_inline_png_never_sniffed(request, persona):
    image = _image(factories.PostFactory())
    response = _get(request.getfixturevalue(persona), image)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline")
    assert b"".join(response.streaming_content).startswith(b"\x89PNG\r\n\x1a\n")


@pytest.mark.parametrize(
    ("persona", "status"), [("client", 403), ("user_client", 403), ("member_client", 200), ("staff_client", 200)]
)
def test_a_members_only_posts_images_are_for_members_and_staff(request, persona, status):
    image = _image(factories.PostFactory(visibility=Post.Visibility.MEMBERS))
    response = _get(request.getfixturevalue(persona), image)
    assert response.status_code == status
    if status == 403:
        assert "members-only" in response.content.decode()
    else:
        assert response["Cache-Control"] == "private, no-store"
    response.close()


@pytest.mark.parametrize(
    ("persona", "status"), [("client", 404), ("user_client", 404), ("member_client", 404), ("staff_client", 200)]
)
def test_a_drafts_images_are_for_staff_only(request, persona, status):
    image = _image(_draft())
    response = _get(request.getfixturevalue(persona), image)
    assert response.status_code == status
    response.close()


def test_an_unknown_image_is_a_readable_404(client):
    response = client.get(reverse("insights:image", args=[987654]))
    assert response.status_code == 404 and "<h1" in response.content.decode()


def test_images_in_the_body_add_no_queries_to_the_post_page(member_client, staff_user):
    def count(post: Post) -> int:
        from django.core.cache import cache
        from django.db import connection

        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            assert member_client.get(post.get_absolute_url()).status_code == 200
        return len(captured.captured_queries)

    plain = factories.PostFactory(slug="plain")
    pictured = factories.PostFactory(slug="pictured", status=Post.Status.DRAFT, published_at=None)
    images = [_image(pictured, alt=f"Figure {n}") for n in range(6)]
    services.post_update(
        actor=staff_user, post=pictured, body="\n\n".join(["Intro."] + [image.markdown for image in images])
    )
    services.post_publish(actor=staff_user, post=pictured)
    assert count(pictured) == count(plain)
    assert member_client.get(pictured.get_absolute_url()).content.decode().count("/insights/images/") == 6


def test_the_feed_gives_body_images_the_sites_full_address(client, staff_user, settings):
    import feedparser

    post = _draft()
    image = _image(post)
    services.post_update(actor=staff_user, post=post, body=f"Intro.\n\n{image.markdown}")
    services.post_publish(actor=staff_user, post=post)
    feed = feedparser.parse(client.get(reverse("insights:atom")).content)
    assert not feed.bozo
    content = feed.entries[0].summary
    assert f'src="{settings.SITE_URL}/insights/images/{image.pk}/"' in content


# --- Files leave with their rows -----------------------------------------------------------


def test_deleting_a_post_removes_its_images_and_hero_from_the_disk(django_capture_on_commit_callbacks):
    post = _draft()
    image = _image(post)
    post.hero_image.save("hero.png", services.clean_hero(png_upload()), save=False)
    post.hero_alt = "A lithium brine pond at dawn"
    post.save()
    paths = [image.image.path, post.hero_image.path]
    assert all(os.path.exists(path) for path in paths)

    with django_capture_on_commit_callbacks(execute=True):
        post.delete()

    assert not any(os.path.exists(path) for path in paths)
    assert not PostImage.objects.filter(pk=image.pk).exists()


def test_a_deletion_rolled_back_keeps_the_file(django_capture_on_commit_callbacks):
    image = _image(_draft())

    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        image.delete()
        transaction.set_rollback(True)

    assert callbacks == []  # nothing was to run: the deletion never committed
    assert os.path.exists(image.image.path)
    image.image.delete(save=False)
