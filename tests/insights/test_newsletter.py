"""The newsletter hand-off: staff pick published posts into a communications message."""

from __future__ import annotations

import pytest
from django.urls import reverse

from communications.models import Message
from insights.models import Post
from tests import factories

pytestmark = pytest.mark.django_db


def test_staff_pick_published_posts_into_a_newsletter(staff_client, settings):
    settings.SITE_URL = "https://portal.cma-usa.example"
    article = factories.PostFactory(title="Made in America", slug="made-in-america", standfirst="Import reliance.")
    briefing = factories.PostFactory(title="Graphite briefing", slug="graphite", visibility=Post.Visibility.MEMBERS)
    draft = factories.PostFactory(title="Unfinished draft", status=Post.Status.DRAFT, published_at=None)

    form_page = staff_client.get(reverse("staff:communications:new")).content.decode()
    assert "Add insights posts" in form_page and article.title in form_page and draft.title not in form_page

    response = staff_client.post(
        reverse("staff:communications:new"),
        {
            "kind": "newsletter", "subject": "This month", "body": "Hello members.", "to-audience": "members",
            "insights_posts": [str(article.pk), str(briefing.pk), str(draft.pk)],
        },
    )  # fmt: skip
    assert "Select a valid choice" in response.content.decode()  # a draft is not among the choices
    assert not Message.objects.exists()

    response = staff_client.post(
        reverse("staff:communications:new"),
        {
            "kind": "newsletter", "subject": "This month", "body": "Hello members.", "to-audience": "members",
            "insights_posts": [str(article.pk), str(briefing.pk)],
        },
    )  # fmt: skip
    assert response.status_code == 302
    body = Message.objects.get().body
    assert body.startswith("Hello members.\n\n## From Insights")
    assert "**[Made in America](https://portal.cma-usa.example/insights/made-in-america/)** — Import reliance." in body
    assert "[Graphite briefing](https://portal.cma-usa.example/insights/graphite/)** *(members)*" in body
