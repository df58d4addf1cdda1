from __future__ import annotations

from django import template

from cma.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str):
    """{{ charter.body|markdown }}: safe HTML from Markdown."""
    return render_markdown(text)


@register.filter
def choice_options(field) -> list[tuple[str, str, bool]]:
    """(value, label, selected) for a choice field's options, worked out in
    Python once instead of by template filters for every option."""
    current = "" if field.value() is None else str(field.value())
    return [(str(value), label, str(value) == current) for value, label in field.field.choices]


@register.filter
def at(sequence, index: int):
    """{{ questions|at:forloop.counter0 }}: the item at a position, for a row
    that lines up with a list of columns (empty past the end)."""
    try:
        return sequence[index]
    except (IndexError, TypeError, KeyError):
        return ""
