"""Markdown rendered safely: staff and members write Markdown, visitors get clean HTML."""

from __future__ import annotations

import markdown as md
import nh3
from django.utils.safestring import SafeString, mark_safe

_ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h2", "h3", "h4",
    "h5", "h6", "hr", "i", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table", "tbody",
    "td", "th", "thead", "tr", "ul",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"align"}, "td": {"align"}}
# Footnotes for citations (Markdown's own extension, part of "extra"): the
# note list, its anchors and back-links need ids and classes to work.
_FOOTNOTE_TAGS = {"div"}
_FOOTNOTE_ATTRIBUTES = {
    "a": {"href", "title", "class"}, "sup": {"id"}, "li": {"id"}, "div": {"class"},
}  # fmt: skip


def render_markdown(text: str, *, footnotes: bool = False) -> SafeString:
    """Markdown to HTML with every tag and attribute outside a small allow-list
    removed (no script, no style, no images, no event handlers), and links
    limited to http(s) and mailto, opened with rel="noopener noreferrer nofollow".
    `footnotes` keeps the footnote list and its links ([^1] … [^1]: source)."""
    html = md.markdown(text or "", extensions=["extra", "sane_lists"], output_format="html")
    clean = nh3.clean(
        html,
        tags=_ALLOWED_TAGS | _FOOTNOTE_TAGS if footnotes else _ALLOWED_TAGS,
        attributes={**_ALLOWED_ATTRIBUTES, **_FOOTNOTE_ATTRIBUTES} if footnotes else _ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(clean)
