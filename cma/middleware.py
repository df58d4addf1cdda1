from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from .access import staff_gate


class UserTimezoneMiddleware:
    """Show times in the viewer's chosen zone, or the association's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        name = getattr(request.user, "time_zone", "") or settings.DISPLAY_TIME_ZONE
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
