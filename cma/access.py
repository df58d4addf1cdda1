"""Access rules every app shares: who is staff, and how staff pages are guarded."""

from __future__ import annotations

from functools import wraps

from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect


def is_staff_with_mfa(user) -> bool:
    """Association staff who sign in with a second factor: who may use staff
    powers anywhere (staff pages, the admin, drafts, private groups). The
    answer is kept on the user object for the rest of the request."""
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return False
    cached = getattr(user, "_is_staff_with_mfa", None)
    if cached is None:
        cached = user._is_staff_with_mfa = is_mfa_enabled(user)
    return cached


def staff_gate(request: HttpRequest) -> HttpResponse | None:
    """None when the request may use staff pages, else the response to send.

    Anonymous visitors are sent to sign in; signed-in people who are not
    staff get a 403 page; staff who have not set up an authenticator app are
    sent to set one up first.
    """
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not (user.is_active and user.is_staff):
        raise PermissionDenied("This page is for association staff.")
    if not is_staff_with_mfa(user):
        messages.warning(
            request,
            "Staff pages need two-factor authentication. Set up an authenticator app to continue.",
        )
        return redirect("mfa_activate_totp")
    return None


def staff_required(view):
    """Decorator for staff pages: the same gate as the admin."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        refusal = staff_gate(request)
        if refusal is not None:
            return refusal
        return view(request, *args, **kwargs)

    return wrapped
