"""Access rules every app shares: who is staff, and how staff pages are guarded.

The rule, stated here and nowhere else: staff powers (staff pages, the admin,
CSV exports, drafts, private groups) belong to an active staff account that
has an authenticator set up, **in a session that passed that second factor**.
An account merely having an authenticator is not enough: a session created
without the code (a future login path, a test's force_login, a fixated
session) must not carry staff powers.

allauth records each authentication step of a session in the session itself
(`allauth.account.authentication.get_authentication_records`); passing the
authenticator at sign-in, or re-entering a code later, adds a record with
method "mfa". `SessionSecondFactorMiddleware` reads those records once per
request and marks the request's user object, so `is_staff_with_mfa(user)`
(called from templates, permissions helpers and services, with no request at
hand) answers for this session. A user object that no request marked (loaded
in a task or a management command, or an account made fresh by a login in
the middle of this request) gets False: staff powers are never assumed.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from allauth.account.authentication import get_authentication_records
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth.middleware import get_user
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from .http import has_session_cookie

# Set on a user object by the middleware: whether this request's session
# passed the second factor as that user.
_SESSION_PASSED_MFA = "_cma_session_passed_mfa"
_HAS_AUTHENTICATOR = "_cma_has_authenticator"


def session_passed_mfa(request: HttpRequest, user: Any) -> bool:
    """Whether `request`'s session shows `user` completing the second factor
    (allauth keeps the records per user: another user's records count for nothing)."""
    return any(record.get("method") == "mfa" for record in get_authentication_records(request, user))


def user_for_request(request: HttpRequest) -> Any:
    """The request's user, marked with what its session proved. What the
    middleware puts on `request.user` (lazily)."""
    user = get_user(request)
    if user.is_authenticated and user.is_staff:
        setattr(user, _SESSION_PASSED_MFA, session_passed_mfa(request, user))
    return user


class SessionSecondFactorMiddleware:
    """Gives every request a user object that knows whether this session
    passed the second factor. Goes right after AuthenticationMiddleware; the
    user is still loaded only when something asks for it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Without a session cookie there is no session to have passed it: the
        # anonymous user AuthenticationMiddleware gives is the right one.
        if has_session_cookie(request):
            request.user = SimpleLazyObject(lambda: user_for_request(request))  # type: ignore[assignment]
        return self.get_response(request)


def _has_authenticator(user: Any) -> bool:
    cached = getattr(user, _HAS_AUTHENTICATOR, None)
    if cached is None:
        cached = bool(is_mfa_enabled(user))
        setattr(user, _HAS_AUTHENTICATOR, cached)
    return bool(cached)


def is_staff_with_mfa(user: Any) -> bool:
    """Association staff, with an authenticator set up, in a session that
    passed it: who may use staff powers anywhere. False for a user object no
    request marked (see the module's docstring)."""
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return False
    return bool(getattr(user, _SESSION_PASSED_MFA, False)) and _has_authenticator(user)


def _after_second_factor(request: HttpRequest) -> str:
    """Where to come back to once the code is entered: this page for a GET;
    for a form post (whose URL may not answer GET), the page it came from."""
    if request.method in ("GET", "HEAD"):
        return request.get_full_path()
    referer = request.headers.get("referer", "")
    if url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return referer
    return reverse("staff:index")


def staff_gate(request: HttpRequest) -> HttpResponse | None:
    """None when the request may use staff pages, else the response to send.

    Anonymous visitors are sent to sign in; signed-in people who are not
    staff get a 403 page; staff who have not set up an authenticator app are
    sent to set one up first; staff whose session has not passed it (signed
    in some other way) are sent to enter a code from it. Nothing else runs.
    """
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not (user.is_active and user.is_staff):
        raise PermissionDenied("This page is for association staff.")
    if not _has_authenticator(user):
        messages.warning(
            request,
            "Staff pages need two-factor authentication. Set up an authenticator app to continue.",
        )
        return redirect("mfa_activate_totp")
    if not is_staff_with_mfa(user):
        messages.warning(
            request,
            "Staff pages need this session to pass two-factor authentication. "
            "Enter a code from your authenticator app to continue.",
        )
        return HttpResponseRedirect(
            f"{reverse('mfa_reauthenticate')}?{urlencode({'next': _after_second_factor(request)})}"
        )
    return None


def staff_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Decorator for staff pages: the same gate as the admin."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        refusal = staff_gate(request)
        if refusal is not None:
            return refusal
        return view(request, *args, **kwargs)

    return wrapped
