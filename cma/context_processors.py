from __future__ import annotations

from django.conf import settings


def site(request) -> dict:
    """Site name and the header's unread-notification count."""
    context = {"SITE_NAME": settings.SITE_NAME}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        from notifications.selectors import unread_count

        # Lazy: pages that never show the header (emails, embeds) never pay for it.
        context["unread_notifications"] = lambda: unread_count(user=user)
    return context
