"""Second-factor helpers: authenticator codes, and sessions that passed the second factor."""

from __future__ import annotations

import time
from importlib import import_module

from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.base.internal.flows import post_authentication
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from django.http import HttpRequest

TOTP_PERIOD = 30
# A code typed in the last seconds of its period may reach the server in the
# next one, where (with no tolerance configured) it is refused: browser tests
# that sign staff in would fail now and then. Wait for a fresh period instead.
SAFETY_SECONDS = 5


def current_totp_code(secret: str) -> str:
    """The authenticator code for now, from a period with time left to use it."""
    left = TOTP_PERIOD - time.time() % TOTP_PERIOD
    if left < SAFETY_SECONDS:
        time.sleep(left + 0.05)
    return format_hotp_value(hotp_value(secret, int(time.time()) // TOTP_PERIOD))


def pass_second_factor(session, user) -> None:
    """Record in `session` what allauth's own sign-in records for `user`: the
    password step, then the authenticator step (through allauth's function
    that its code form calls). The caller saves the session."""
    request = HttpRequest()
    request.session = session
    record_authentication(request, user, method="password", email=user.email)
    post_authentication(request, Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP))


def sign_in_with_second_factor(client, user) -> None:
    """Sign a test client in as `user` with a session that passed the second
    factor, as if they had typed their password and then a code."""
    client.force_login(user)
    session = client.session
    pass_second_factor(session, user)
    session.save()


def as_in_session_that_passed_mfa(user):
    """`user` as `request.user` is in a request whose session passed the second
    factor: for tests that call services or permissions with an acting user."""
    from cma.access import user_for_request

    request = HttpRequest()
    request.session = import_module(settings.SESSION_ENGINE).SessionStore()
    pass_second_factor(request.session, user)
    request._cached_user = user  # what AuthenticationMiddleware loaded
    return user_for_request(request)


def sign_in_as(client, user) -> None:
    """Sign a test client in as `user` would be signed in by the login page:
    with the second factor when the account has an authenticator, else with
    the password alone."""
    if Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        sign_in_with_second_factor(client, user)
    else:
        client.force_login(user)
