"""Bar charts as inline SVG, drawn on the server: no script, no style attribute
(the CSP allows neither), colours from the stylesheet's classes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH, HEIGHT, BOTTOM, LEFT = 640, 240, 40, 8
MAX_BARS = 60


def bar_chart(
    title: str, points: Sequence[tuple[str, Decimal | int | float]], shown: Callable[[Any], str] = str
) -> SafeString:
    """One bar per (label, value); the title is the SVG's accessible name, and
    the table beside it carries the same figures for screen readers. `shown`
    writes a value in the bar's tooltip (formatting.money for dollars)."""
    if not points:
        return SafeString("")
    if len(points) > MAX_BARS:  # a year of days: bars of several days each, labelled by their first
        size = -(-len(points) // MAX_BARS)
        points = [
            (points[i][0], sum((v for _, v in points[i : i + size]), type(points[i][1])()))
            for i in range(0, len(points), size)
        ]
    top = max(float(v) for _, v in points) or 1.0
    slot = (WIDTH - LEFT) / len(points)
    bar = min(max(slot * 0.7, 1.0), 48.0)
    bars = []
    for i, (label, value) in enumerate(points):
        height = (HEIGHT - BOTTOM - 16) * float(value) / top
        x = LEFT + i * slot + (slot - bar) / 2
        y = HEIGHT - BOTTOM - height
        bars.append((x, y, bar, height, label, value, x + bar / 2, HEIGHT - BOTTOM + 14, y - 4))
    every = max(1, len(points) // 12)  # at most a dozen labels under the bars
    rects = format_html_join(
        "",
        '<g><title>{}: {}</title><rect class="chart-bar" x="{}" y="{}" width="{}" height="{}"></rect></g>',
        (
            (label, shown(value), f"{x:.1f}", f"{y:.1f}", f"{w:.1f}", f"{h:.1f}")
            for x, y, w, h, label, value, *_ in bars
        ),
    )
    labels = format_html_join(
        "",
        '<text class="chart-label" x="{}" y="{}" text-anchor="middle">{}</text>',
        ((f"{cx:.1f}", ly, label) for i, (_, _, _, _, label, _, cx, ly, _) in enumerate(bars) if i % every == 0),
    )
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-label="{}" preserveAspectRatio="xMidYMid meet">'
        '<line class="chart-axis" x1="{}" y1="{}" x2="{}" y2="{}"></line>{}{}</svg>',
        WIDTH, HEIGHT, title, LEFT, HEIGHT - BOTTOM, WIDTH, HEIGHT - BOTTOM, rects, labels,
    )  # fmt: skip
