"""Server-rendered SVG bar charts: no script, readable at 375 px (the SVG
scales to its box), each paired with a table for screen readers."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

ROW = 22
LABEL_WIDTH = 120
BAR_WIDTH = 220
WIDTH = LABEL_WIDTH + BAR_WIDTH + 60


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal | int | None
    shown: str
    y: int
    width: int
    href: str = ""


@dataclass(frozen=True)
class Chart:
    title: str
    bars: list[Bar]
    height: int
    width: int = WIDTH
    label_width: int = LABEL_WIDTH

    @property
    def text_x(self) -> int:
        return self.label_width - 6


def bar_chart(
    title: str,
    items: list[tuple[str, Decimal | int | None, str]],
    *,
    maximum: Decimal | int | None = None,
    suffix: str = "",
) -> Chart:
    """items: (label, value or None for "not given", link)."""
    values = [v for _, v, _ in items if v is not None]
    top = maximum if maximum is not None else max(values, default=0)
    bars = []
    for index, (label, value, href) in enumerate(items):
        width = int(BAR_WIDTH * value / top) if value is not None and top else 0
        shown = "not given" if value is None else f"{value:,}{suffix}"
        bars.append(Bar(label=label, value=value, shown=shown, y=index * ROW, width=width, href=href))
    return Chart(title=title, bars=bars, height=max(ROW, len(items) * ROW))
