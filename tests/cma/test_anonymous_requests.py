"""Without a session cookie a request is anonymous: the middlewares that
would load the user to learn its time zone or second factor leave it alone
(the petition sign form is such a request, and the portal's busiest)."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from cma.access import SessionSecondFactorMiddleware
from cma.middleware import UserTimezoneMiddleware
from tests import factories


def _zone_seen(request) -> str:
    seen = {}

    def view(request):
        seen["zone"] = timezone.get_current_timezone_name()
        return HttpResponse()

    UserTimezoneMiddleware(view)(request)
    return seen["zone"]


def _never_loaded():
    pytest.fail("the user was loaded")


def test_an_anonymous_request_gets_the_associations_zone_without_loading_the_user(rf, settings):
    request = rf.post("/petitions/a/sign/")
    request.user = SimpleLazyObject(_never_loaded)

    assert _zone_seen(request) == settings.DISPLAY_TIME_ZONE


@pytest.mark.django_db
def test_a_signed_in_person_gets_their_own_zone(rf, settings):
    request = rf.get("/events/")
    request.COOKIES[settings.SESSION_COOKIE_NAME] = "a-session"
    request.user = factories.UserFactory(time_zone="America/Denver")

    assert _zone_seen(request) == "America/Denver"


def test_the_second_factor_middleware_leaves_an_anonymous_requests_user_alone(rf):
    request = rf.post("/petitions/a/sign/")
    request.user = anonymous = SimpleLazyObject(_never_loaded)

    SessionSecondFactorMiddleware(lambda request: HttpResponse())(request)

    assert request.user is anonymous


def test_the_second_factor_middleware_wraps_a_sessions_user(rf, settings):
    request = rf.get("/staff/")
    request.COOKIES[settings.SESSION_COOKIE_NAME] = "a-session"
    request.user = original = SimpleLazyObject(_never_loaded)

    SessionSecondFactorMiddleware(lambda request: HttpResponse())(request)

    assert request.user is not original  # a fresh lazy user that knows the session's second factor
