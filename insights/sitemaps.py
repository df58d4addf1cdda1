"""sitemap.xml: what anyone may read — public posts, public events,
petitions, and the public member directory with its listed organizations.
Members-only posts, members-only and group events, drafts and unlisted
organizations are never in it."""

from __future__ import annotations

from typing import Any

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from events.models import Event
from members import selectors as member_selectors
from petitions import selectors as petition_selectors

from . import selectors
from .models import Post


class PostSitemap(Sitemap):
    changefreq = "monthly"

    def items(self) -> Any:
        return selectors.posts_for_sitemap()

    def lastmod(self, item: Post) -> Any:
        return item.updated_at


class EventSitemap(Sitemap):
    changefreq = "weekly"

    def items(self) -> Any:
        return (
            Event.objects.listed()
            .filter(visibility=Event.Visibility.PUBLIC)
            .only("slug", "updated_at")
            .order_by("-starts_at", "-pk")
        )

    def location(self, item: Event) -> str:
        return reverse("events:detail", args=[item.slug])

    def lastmod(self, item: Event) -> Any:
        return item.updated_at


class PetitionSitemap(Sitemap):
    changefreq = "weekly"

    def items(self) -> Any:
        return petition_selectors.public_petitions().only("slug", "updated_at")

    def lastmod(self, item: Any) -> Any:
        return item.updated_at


class DirectorySitemap(Sitemap):
    changefreq = "weekly"

    def items(self) -> Any:
        return [
            None,
            *member_selectors.directory_organizations(public_only=True)
            .select_related(None)
            .prefetch_related(None)
            .only("slug", "updated_at"),
        ]

    def location(self, item: Any) -> str:
        if item is None:
            return reverse("members:directory")
        return reverse("members:organization", args=[item.slug])


class PagesSitemap(Sitemap):
    def items(self) -> list[str]:
        return ["home", "insights:index", "events:list", "petitions:list"]

    def location(self, item: str) -> str:
        return reverse(item)


SITEMAPS = {
    "pages": PagesSitemap,
    "insights": PostSitemap,
    "events": EventSitemap,
    "petitions": PetitionSitemap,
    "directory": DirectorySitemap,
}
