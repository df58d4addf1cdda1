"""Page hooks: a Django signal an app sends while building a page, so the
apps above it (which it may not import) can add a section to it, the way
pretix's control pages take panels from plugins. Each receiver answers a
rendered HTML fragment, or "" / None for nothing."""

from __future__ import annotations

from typing import Any

from django.dispatch import Signal


def fragments(signal: Signal, sender: Any, **kwargs: Any) -> list[str]:
    """What the connected receivers answer, in the order they connected,
    leaving out the empty answers."""
    return [html for _receiver, html in signal.send(sender, **kwargs) if html]
