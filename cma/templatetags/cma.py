from __future__ import annotations

from django import template

from cma.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str):
    """{{ charter.body|markdown }}: safe HTML from Markdown."""
    return render_markdown(text)
