"""Atom and RSS feeds of the public posts (a feed reader is anonymous:
members-only posts are never in them)."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from cma.http import absolute_url

from . import selectors
from .models import Post

_BODY_IMAGE = re.compile(r'src="(/insights/images/[0-9]+/)"')


class PostsRss(Feed):
    title = f"{settings.SITE_NAME} Insights"
    description = "Articles, news and policy positions of the Critical Minerals Association USA."

    def link(self) -> str:
        return reverse("insights:index")

    def items(self) -> Any:
        return selectors.posts_for_feed()

    def item_title(self, item: Post) -> str:
        return item.title

    def item_description(self, item: Post) -> str:
        # A feed reader shows the body away from the site: the body's own
        # images (the only ones it keeps) need the site's full address.
        body = _BODY_IMAGE.sub(lambda m: f'src="{escape(absolute_url(m[1]))}"', str(item.html))
        return f"<p>{escape(item.standfirst)}</p>{body}"

    def item_pubdate(self, item: Post) -> Any:
        return item.published_at

    def item_updateddate(self, item: Post) -> Any:
        return item.updated_at

    def item_author_name(self, item: Post) -> str:
        return ", ".join(author.display_name for author in item.authors.all() if author.name) or settings.SITE_NAME

    def item_categories(self, item: Post) -> list[str]:
        return [item.get_kind_display(), *(tag.name for tag in item.minerals.all())]


class PostsAtom(PostsRss):
    feed_type = Atom1Feed
    subtitle = PostsRss.description
