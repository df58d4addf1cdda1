"""What insights adds to other apps' pages through the hooks those apps own
(connected in InsightsConfig.ready): "Related insights" on a mineral's page."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from . import fragments, selectors

RELATED_ON_MINERAL_PAGE = 5


def mineral_page_section(
    sender: Any, *, mineral: Any, request: Any, member_or_staff: bool, **kwargs: Any
) -> SafeString:
    """The newest published posts tagged with the mineral. Members-only posts
    show their title and standfirst to everyone, as on the index (their body
    is on their own page, behind its check); the note under the list is what
    differs by reader, so the stored piece is keyed by it. Two queries when
    nothing is stored, none after."""

    def render(_name: str) -> str:
        posts, total = selectors.posts_about_mineral(mineral.pk, limit=RELATED_ON_MINERAL_PAGE)
        members_only = any(post.is_members_only for post in posts)
        context = {"mineral": mineral, "posts": posts, "total": total, "note": members_only and not member_or_staff}
        return render_to_string("insights/_mineral_section.html", context, request)

    token = fragments.generation()
    wanted = {"mineral-section": (mineral.pk, mineral.slug, mineral.name, member_or_staff)}
    return fragments.pieces(token, wanted, render)["mineral-section"]


def connect() -> None:
    from minerals.signals import mineral_page_sections

    mineral_page_sections.connect(mineral_page_section, dispatch_uid="insights-mineral-page-section")
