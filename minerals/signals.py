"""Hooks minerals offers to the apps above it (pretix's plugin signals, in
small): minerals may not import them, so they connect here, in their
AppConfig.ready, and minerals shows what they answer without knowing them."""

from __future__ import annotations

from django.dispatch import Signal

from cma.hooks import fragments

# Sent while a mineral's page is built. Keyword arguments: `mineral` (the
# Mineral), `request`, and `member_or_staff` (whether the viewer belongs to
# a member organization in good standing or is staff with their second
# factor, as this page already worked out: receivers need not ask again).
# Each receiver returns a rendered HTML section (a SafeString, autoescaped
# when rendered) or "" for nothing; the page shows them in receiver order.
# Receivers keep the page's query count fixed whatever their data size.
mineral_page_sections = Signal()


def sections_for(*, mineral: object, request: object, member_or_staff: bool) -> list[str]:
    """The sections the connected apps answer for this mineral's page."""
    return fragments(
        mineral_page_sections, type(mineral), mineral=mineral, request=request, member_or_staff=member_or_staff
    )
