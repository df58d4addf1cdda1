from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.internal.ratelimit import get_ip
from django.conf import settings
from django.core.exceptions import PermissionDenied

from cma.http import client_ip
from notifications.rendering import RenderedEmail
from notifications.services import email_enqueue


@dataclass(frozen=True)
class PortalSite:
    """What allauth's emails read as `current_site` ("Hello from {{ name }}!",
    "…an account on {{ domain }}."). There is no django.contrib.sites here:
    the portal's name and address are settings."""

    name: str
    domain: str


def portal_site() -> PortalSite:
    return PortalSite(name=settings.SITE_NAME, domain=urlsplit(settings.SITE_URL).netloc)


class AccountAdapter(DefaultAccountAdapter):
    """Routes allauth's emails (verification, password reset…) through the
    outbox; counts sign-in failures per account and client address."""

    def get_client_ip(self, request) -> str:
        """The address allauth's rate limits count: the one audit records and
        the petitions' limits use (honouring TRUSTED_PROXY_COUNT)."""
        ip = client_ip(request)
        if not ip:
            raise PermissionDenied("Unable to determine the client's address.")
        return ip

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        """The "key" of ACCOUNT_RATE_LIMITS["login_failed"]: the account *and*
        the client address (IPv6: its /64, as allauth counts addresses).
        Keyed on the account alone, anyone who knows a staff email could lock
        its password sign-in from anywhere with a handful of wrong passwords;
        this way they lock only themselves out. allauth (65.x) reads this hook
        both when counting a sign-in and when a password reset clears the count
        (tests/members/test_login_rate_limits.py holds it to that)."""
        return f"{super()._get_login_attempts_cache_key(request, **credentials)}:from:{get_ip(request)}"

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        # What allauth's own send_mail adds before rendering: the address (the
        # "already registered" notice names it) and the site.
        context = {"email": email, **context, "current_site": portal_site()}
        message = self.render_mail(template_prefix, email, context)
        html = next((body for body, mimetype in getattr(message, "alternatives", []) if mimetype == "text/html"), "")
        category = "account/" + template_prefix.rsplit("/", 1)[-1]
        # Each request for a link is its own email (a resend must go out), so
        # the key is unique per call; the hash keeps addresses out of keys.
        address_hash = hashlib.sha256(email.lower().encode()).hexdigest()[:16]
        email_enqueue(
            recipient=email,
            rendered=RenderedEmail(subject=message.subject, body_text=message.body, body_html=html),
            category=category,
            dedupe_key=f"{category}:{address_hash}:{uuid.uuid4().hex}",
            user=context.get("user") if getattr(context.get("user"), "pk", None) else None,
            sensitive=True,
        )
