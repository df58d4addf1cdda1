"""Request helpers every app uses."""

from __future__ import annotations

import functools

from django.conf import settings
from django.http import HttpRequest
from django.urls import get_script_prefix, get_urlconf, reverse


def client_ip(request: HttpRequest) -> str | None:
    """The client's IP address, for audit records and rate limits.

    Behind a reverse proxy set TRUSTED_PROXY_COUNT to the number of proxies
    that append to X-Forwarded-For; the address they saw is used. Without it
    the header is ignored (a client could forge it).
    """
    hops = settings.TRUSTED_PROXY_COUNT
    if hops:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR") or None


def has_session_cookie(request: HttpRequest) -> bool:
    """Whether the request carries a session cookie. Without one the visitor
    is anonymous, so middleware can skip loading the user (a petition
    signature, the portal's busiest request, carries none)."""
    return settings.SESSION_COOKIE_NAME in request.COOKIES


def absolute_url(path: str) -> str:
    """The full address of a path on this site, for emails, feeds and share
    links made where no request is at hand (tasks, services)."""
    return f"{settings.SITE_URL}{path}"


def reverse_once(viewname: str, *args: str) -> str:
    """`reverse(viewname, args=args)` for string arguments, worked out once per
    process (and URL configuration): the busiest requests — a petition
    signature — would otherwise walk the URL patterns each time."""
    return _reversed(viewname, args, get_script_prefix(), get_urlconf())


@functools.lru_cache(maxsize=2048)
def _reversed(viewname: str, args: tuple[str, ...], script_prefix: str, urlconf: str | None) -> str:
    return reverse(viewname, args=args, urlconf=urlconf)


def user_agent(request: HttpRequest) -> str:
    return request.META.get("HTTP_USER_AGENT", "")[:500]
