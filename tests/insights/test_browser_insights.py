"""Journey: staff write an article with a hero image and an image in its
body (uploaded in the editor, placed by its Markdown line) and a members-only news
item, schedule the news item and the periodic task publishes it on time; a
visitor reads the article and sees only the standfirst of the news item,
there and on the mineral's page under "Related insights"; a
member reads both; the feed lists the public one only."""

from __future__ import annotations

import datetime
import re

import feedparser
import pytest
from django.utils import timezone

from insights import services
from insights.models import Post
from tests import factories
from tests.support.browser import screenshot, sign_in, wait_until

from .conftest import png_upload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shots(page, name: str) -> None:
    """Screenshots at a desktop and a phone width, for a person to look at."""
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, f"insights-{name}-{width}")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_write_schedule_publish_and_read_per_persona(page, live_server, settings, tmp_path, member):
    settings.MEDIA_ROOT = tmp_path / "media"
    factories.mineral_tag("cobalt", "Cobalt")
    staff = factories.StaffFactory(email="editor@cma-usa.example", name="Morgan Avery")
    image = tmp_path / "mine.png"
    image.write_bytes(png_upload(size=(1200, 600)).read())

    sign_in(page, staff.email, factories.DEFAULT_PASSWORD, totp_secret=staff.totp_secret)
    page.goto("/staff/insights/new/")
    page.get_by_label("Article").check()
    page.get_by_label(re.compile(r"^Title")).fill("Securing a Made in America supply chain")
    page.get_by_label(re.compile(r"^Standfirst")).fill("Import reliance is the greatest obstacle.")
    page.get_by_label(re.compile(r"^Body")).fill(
        "## Increase domestic production\n\nThe United States imports more than half its cobalt.[^1]\n\n"
        "[^1]: USGS Mineral Commodity Summaries."
    )
    page.get_by_label(re.compile(r"^Hero image$")).set_input_files(str(image))
    page.get_by_label(re.compile(r"^Hero image description")).fill("An open-pit mine at dawn")
    page.get_by_label("Cobalt").check()
    _shots(page, "write")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Draft saved").wait_for()

    # An image for the body: uploaded in the editor (the panel alone is
    # replaced, the text being written stays), then placed by its line.
    figure = tmp_path / "pond.jpg"
    figure.write_bytes(png_upload(size=(900, 500)).read())  # named .jpg: the bytes decide
    page.get_by_role("link", name="Edit").click()
    body = page.get_by_label(re.compile(r"^Body"))
    body.fill(body.input_value() + "\n\nUnsaved words stay while an image uploads.")
    page.get_by_label(re.compile(r"^Image for the body")).set_input_files(str(figure))
    page.get_by_label(re.compile(r"^Alt text")).fill("A lithium brine pond in Nevada")
    page.get_by_role("button", name="Upload image").click()
    snippet = page.get_by_label("Markdown for “A lithium brine pond in Nevada”")
    snippet.wait_for()
    line = snippet.input_value()
    assert re.fullmatch(r"!\[A lithium brine pond in Nevada\]\(/insights/images/\d+/\)", line)
    assert "Unsaved words stay" in body.input_value()
    body.fill(body.input_value() + "\n\n" + line)
    _shots(page, "editor-image")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Saved.").wait_for()
    page.get_by_role("button", name="Send for review").click()
    page.get_by_text("Sent for review.").wait_for()
    page.get_by_role("button", name="Publish now").click()
    page.get_by_text("Published: it is live now.").wait_for()
    _shots(page, "staff-detail")

    page.goto("/staff/insights/new/")
    page.get_by_label("News").check()
    page.get_by_label(re.compile(r"^Title")).fill("Members briefing on cobalt tariffs")
    page.get_by_label(re.compile(r"^Standfirst")).fill("What the tariffs mean for battery makers.")
    page.get_by_label(re.compile(r"^Body")).fill("The confidential assessment says supply is at risk.")
    page.get_by_role("radio", name=re.compile("Members only")).check()
    page.get_by_label("Cobalt").check()
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Draft saved").wait_for()
    when = timezone.localtime() + datetime.timedelta(days=2)
    page.get_by_label(re.compile(r"^Publish at")).fill(when.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Schedule").click()
    page.get_by_text("Scheduled: it goes live on").wait_for()
    news = Post.objects.get(slug="members-briefing-on-cobalt-tariffs")
    assert news.status == Post.Status.SCHEDULED

    # The periodic task, at the scheduled time.
    assert services.posts_publish_due(now=news.scheduled_for + datetime.timedelta(seconds=30)) == 1

    # A visitor reads the article, and only the standfirst of the news item.
    page.context.clear_cookies()
    page.goto("/")
    page.get_by_role("link", name="Read our insights").click()
    page.get_by_role("heading", name="Insights", exact=True).wait_for()
    _shots(page, "index-visitor")
    page.get_by_role("link", name="Securing a Made in America supply chain").click()
    page.get_by_text("The United States imports more than half its cobalt.").wait_for()
    assert page.get_by_role("img", name="An open-pit mine at dawn").is_visible()
    pond = page.get_by_role("img", name="A lithium brine pond in Nevada")
    pond.scroll_into_view_if_needed()
    assert wait_until(page, "() => [...document.images].every((img) => img.complete)")
    assert pond.evaluate("(img) => img.naturalWidth") == 900
    _shots(page, "article-visitor")
    page.goto("/insights/members-briefing-on-cobalt-tariffs/")
    page.get_by_role("heading", name="Members read the full text").wait_for()
    assert page.get_by_text("What the tariffs mean for battery makers.").is_visible()
    assert "confidential assessment" not in page.content()
    _shots(page, "members-only-visitor")

    # The mineral's page (minerals app) lists both under "Related insights":
    # the members-only one by its title and standfirst.
    page.goto("/minerals/cobalt/")
    related = page.get_by_role("region", name="Related insights")
    related.get_by_role("link", name="Securing a Made in America supply chain").wait_for()
    assert related.get_by_role("link", name="Members briefing on cobalt tariffs").is_visible()
    assert related.get_by_text("What the tariffs mean for battery makers.").is_visible()
    assert "confidential assessment" not in page.content()
    related.scroll_into_view_if_needed()
    _shots(page, "mineral-page-visitor")

    # A member reads both.
    sign_in(page, member.email, factories.DEFAULT_PASSWORD)
    page.goto("/insights/members-briefing-on-cobalt-tariffs/")
    page.get_by_text("The confidential assessment says supply is at risk.").wait_for()
    page.goto("/insights/securing-a-made-in-america-supply-chain/")
    page.get_by_text("The United States imports more than half its cobalt.").wait_for()

    # The feed lists the public one only.
    feed = feedparser.parse(page.request.get(f"{live_server.url}/insights/feed/atom/").body())
    assert not feed.bozo
    assert [entry.title for entry in feed.entries] == ["Securing a Made in America supply chain"]
