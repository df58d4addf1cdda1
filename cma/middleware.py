from __future__ import annotations

import functools
import zoneinfo

from csp import middleware as csp_middleware
from csp.constants import HEADER
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone

from .access import staff_gate
from .http import has_session_cookie


class UserTimezoneMiddleware:
    """Show times in the viewer's chosen zone, or the association's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # An anonymous visitor gets the association's zone without loading
        # the user (a third of this middleware's cost on a petition signature).
        user = request.user if has_session_cookie(request) else None
        name = getattr(user, "time_zone", "") or settings.DISPLAY_TIME_ZONE
        try:
            timezone.activate(zoneinfo.ZoneInfo(name))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.activate(zoneinfo.ZoneInfo(settings.DISPLAY_TIME_ZONE))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class StaffAdminRequiresMFAMiddleware:
    """The admin is for staff who sign in with a second factor.

    Django's admin has its own login and permission checks; this runs the
    same gate as the staff pages in front of all of it, so the rule lives in
    one place (`cma.access.staff_gate`).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = None

    def __call__(self, request):
        if self.admin_prefix is None:
            self.admin_prefix = reverse("admin:index")
        if request.path.startswith(self.admin_prefix):
            refusal = staff_gate(request)
            if refusal is not None:
                return refusal
        return self.get_response(request)


# What django-csp reads from a response or request when a view changes the
# policy for itself (csp_update, csp_replace, csp_exempt, …) or asks for a nonce.
_PER_RESPONSE_POLICY = (
    "_csp_config", "_csp_update", "_csp_replace", "_csp_exempt",
    "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro", "_csp_exempt_ro",
)  # fmt: skip


class CSPMiddleware(csp_middleware.CSPMiddleware):
    """django-csp's middleware, with the site's own policy written once.

    django-csp builds the header from the settings for every response; for
    the responses that keep the site's policy as it is (all but the petition
    widget's, and none uses a nonce) that is the same text each time, worked
    out here once per process. Anything else goes to django-csp as before.
    """

    def process_response(self, request, response):
        if not self._site_policy_applies(request, response):
            return super().process_response(request, response)
        if HEADER not in response:
            response[HEADER] = _site_policy()
        # As django-csp does: a nonce asked for after the header is written is an error.
        request.csp_nonce = csp_middleware.CheckableLazyObject(self._csp_nonce_post_response)
        return response

    @staticmethod
    def _site_policy_applies(request, response) -> bool:
        policy = settings.CONTENT_SECURITY_POLICY or {}
        return (
            not any(hasattr(response, name) for name in _PER_RESPONSE_POLICY)
            and getattr(request, "_csp_nonce", None) is None
            and not getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
            and not policy.get("EXCLUDE_URL_PREFIXES")
            and not settings.DEBUG
        )


@functools.cache
def _site_policy() -> str:
    return build_policy()


@receiver(setting_changed)
def _forget_site_policy(*, setting: str, **kwargs) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _site_policy.cache_clear()
