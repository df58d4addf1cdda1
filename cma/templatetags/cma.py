from __future__ import annotations

import datetime

from django import template

from cma import formatting
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


# --- Times: every page writes them through these (cma.formatting) -----------


@register.filter(expects_localtime=True)
def clock(value: datetime.datetime | datetime.time | None) -> str:
    """{{ registration.attended_at|clock }}: '2:05 PM', in the viewer's zone."""
    return formatting.clock(value) if value else ""


@register.filter(expects_localtime=True)
def date_time(value: datetime.datetime | None, options: str = "") -> str:
    """{{ notice.created_at|date_time }}: 'Jan 5, 2026, 9:12 AM' in the viewer's
    zone. Options, space-separated: "long" (January), "zone" (adds 'EST'),
    "no-year"."""
    if not value:
        return ""
    flags = set(options.split())
    return formatting.date_and_time(value, long="long" in flags, zone_name="zone" in flags, year="no-year" not in flags)


@register.filter
def ago(value: datetime.datetime | None) -> str:
    """{{ comment.created_at|ago }}: 'just now', '5 minutes ago', '2 days ago'."""
    return formatting.ago(value) if value else ""


@register.filter
def waiting(value: datetime.datetime | None) -> str:
    """{{ application.submitted_at|waiting }}: '3 days', for a "Waiting" column."""
    return formatting.waiting(value) if value else ""


@register.filter(name="money")
def money_filter(amount) -> str:
    """{{ invoice.total|money }}: '$12,500.00' (cma.formatting.money)."""
    return formatting.money(amount)
