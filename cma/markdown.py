"""Markdown rendered safely: staff and members write Markdown, visitors get clean HTML."""

from __future__ import annotations

import re
from html.parser import HTMLParser

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


# An <img> left without a source (its src was refused) is dropped whole:
# nh3 writes every tag it keeps in this one normalized form.
_IMG_WITHOUT_SRC = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")


def _markdown_html(text: str) -> str:
    return md.markdown(text or "", extensions=["extra", "sane_lists"], output_format="html")


def render_markdown(text: str, *, footnotes: bool = False, image_src: re.Pattern[str] | None = None) -> SafeString:
    """Markdown to HTML with every tag and attribute outside a small allow-list
    removed (no script, no style, no event handlers), and links limited to
    http(s) and mailto, opened with rel="noopener noreferrer nofollow".
    `footnotes` keeps the footnote list and its links ([^1] … [^1]: source).
    Images are kept only with `image_src`, and then only those whose src the
    pattern matches whole (the caller's own checked image URLs), with their
    alt text; any other image (external, data:, javascript:) is removed."""
    tags = _ALLOWED_TAGS | _FOOTNOTE_TAGS if footnotes else set(_ALLOWED_TAGS)
    attributes = {**_ALLOWED_ATTRIBUTES, **_FOOTNOTE_ATTRIBUTES} if footnotes else dict(_ALLOWED_ATTRIBUTES)
    attribute_filter = None
    if image_src is not None:
        tags.add("img")
        attributes["img"] = {"src", "alt"}

        def attribute_filter(tag: str, name: str, value: str) -> str | None:
            if tag == "img" and name == "src" and not image_src.fullmatch(value):
                return None
            return value

    clean = nh3.clean(
        _markdown_html(text),
        tags=tags,
        attributes=attributes,
        attribute_filter=attribute_filter,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    if image_src is not None:
        clean = _IMG_WITHOUT_SRC.sub("", clean)
    return mark_safe(clean)


class _Images(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            values = dict(attrs)
            self.found.append((values.get("src") or "", values.get("alt") or ""))


def markdown_images(text: str) -> list[tuple[str, str]]:
    """The (src, alt) of every image the Markdown writes, before sanitizing
    (for a form's checks, e.g. that every image has alt text)."""
    parser = _Images()
    parser.feed(_markdown_html(text))
    parser.close()
    return parser.found
