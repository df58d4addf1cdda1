"""Stripe, by hand: the webhook signature check and a small Checkout client.

Stripe signs each webhook delivery with the endpoint's secret: the
`Stripe-Signature` header holds `t=<unix time>` and one or more `v1=<hex>`,
where each v1 is HMAC-SHA256(secret, f"{t}.{raw body}"). We check that
ourselves (no SDK, so nothing in tests can reach Stripe) and refuse
deliveries older than the tolerance, as Stripe's own libraries do.

Checkout sessions are created through `checkout_client()`, the class named
by BILLING_CHECKOUT_CLIENT; tests name a local stand-in there.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

SIGNATURE_TOLERANCE_SECONDS = 300
API_URL = "https://api.stripe.com/v1/checkout/sessions"


class BadSignature(Exception):
    pass


def sign(payload: bytes, secret: str, timestamp: int) -> str:
    """The header value Stripe would send for this payload (tests use it too)."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(payload: bytes, header: str, secret: str, *, now: float | None = None) -> None:
    """Raise BadSignature unless `header` signs `payload` with `secret`, recently."""
    parts: dict[str, list[str]] = {}
    for item in header.split(","):
        key, _, value = item.strip().partition("=")
        parts.setdefault(key, []).append(value)
    try:
        timestamp = int(parts["t"][0])
    except (KeyError, ValueError) as exc:
        raise BadSignature("No timestamp in the signature header.") from exc
    now = time.time() if now is None else now
    if abs(now - timestamp) > SIGNATURE_TOLERANCE_SECONDS:
        raise BadSignature("The signature is too old.")
    expected = sign(payload, secret, timestamp).rpartition("v1=")[2]
    if not any(hmac.compare_digest(expected, given) for given in parts.get("v1", [])):
        raise BadSignature("The signature does not match.")


def enabled() -> bool:
    return bool(settings.STRIPE_SECRET_KEY and settings.STRIPE_WEBHOOK_SECRET)


@dataclass(frozen=True)
class CheckoutSession:
    id: str
    url: str


class CheckoutClient(Protocol):
    def create_session(
        self, *, amount_cents: int, currency: str, description: str, metadata: dict[str, str],
        success_url: str, cancel_url: str, customer_email: str,
    ) -> CheckoutSession: ...  # fmt: skip


class StripeCheckoutClient:
    """Creates a Checkout session with Stripe's HTTP API (form-encoded POST)."""

    def create_session(
        self, *, amount_cents: int, currency: str, description: str, metadata: dict[str, str],
        success_url: str, cancel_url: str, customer_email: str,
    ) -> CheckoutSession:  # fmt: skip
        fields: dict[str, Any] = {
            "mode": "payment",
            "success_url": success_url,
            "cancel_url": cancel_url,
            "line_items[0][quantity]": 1,
            "line_items[0][price_data][currency]": currency.lower(),
            "line_items[0][price_data][unit_amount]": amount_cents,
            "line_items[0][price_data][product_data][name]": description,
        }
        if customer_email:
            fields["customer_email"] = customer_email
        for key, value in metadata.items():
            fields[f"metadata[{key}]"] = value
        request = urllib.request.Request(
            API_URL,
            data=urllib.parse.urlencode(fields).encode(),
            headers={"Authorization": f"Bearer {settings.STRIPE_SECRET_KEY}"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
            body = json.load(response)
        return CheckoutSession(id=body["id"], url=body["url"])


def checkout_client() -> CheckoutClient:
    client: CheckoutClient = import_string(settings.BILLING_CHECKOUT_CLIENT)()
    return client
