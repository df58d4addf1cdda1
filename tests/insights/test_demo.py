from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from insights.models import Post

pytestmark = pytest.mark.django_db


def test_the_demo_publishes_the_associations_article_position_and_petition_news(client):
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())  # twice: idempotent

    article = Post.objects.get(slug="securing-a-made-in-america-supply-chain")
    assert article.is_published and article.kind == Post.Kind.ARTICLE
    assert "imports more than fifty per cent of its cobalt" in article.body
    assert "## Related News" in article.body
    position = Post.objects.get(slug="green-tea-initiative")
    assert position.kind == Post.Kind.POSITION and "Educate" in position.body
    news = Post.objects.get(slug="petition-critical-minerals-agreements")
    assert news.kind == Post.Kind.NEWS
    assert Post.objects.filter(status=Post.Status.DRAFT).count() == 1
    assert Post.objects.count() == 5

    index = client.get(reverse("insights:index")).content.decode()
    assert "Securing a “Made in America” Supply Chain for Critical Minerals" in index
    page = client.get(reverse("insights:detail", args=[news.slug])).content.decode()
    assert 'href="/petitions/critical-minerals-agreements-rights/"' in page
    assert client.get("/petitions/critical-minerals-agreements-rights/").status_code == 200
    members = client.get(reverse("insights:detail", args=["members-briefing-pooled-demand"])).content.decode()
    assert "Members read the full text" in members and "USGS" not in members
