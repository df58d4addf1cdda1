from __future__ import annotations

from django.http import HttpRequest

from .selectors import unread_count


def unread_notifications(request: HttpRequest) -> dict[str, object]:
    """The header's unread-notification count, for signed-in people."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Lazy: pages that never show the header (emails, embeds) never pay for it.
    return {"unread_notifications": lambda: unread_count(user=user)}
