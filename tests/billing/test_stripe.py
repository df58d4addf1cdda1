"""Stripe Checkout and its webhook: signatures, idempotency, delivery order. Nothing reaches Stripe."""

from __future__ import annotations

import json
import time
from decimal import Decimal

import pytest
from django.urls import reverse

from billing import stripe
from billing.models import Invoice, Payment, StripeEvent

pytestmark = pytest.mark.django_db

SECRET = "whsec_test_secret"
WEBHOOK = "/billing/stripe/webhook/"


class LocalCheckout:
    """Stands in for Stripe's API: remembers what it was asked, answers a local URL."""

    calls: list[dict] = []

    def create_session(self, **kwargs):
        LocalCheckout.calls.append(kwargs)
        return stripe.CheckoutSession(id="cs_test_1", url="http://127.0.0.1/checkout/cs_test_1")


@pytest.fixture(autouse=True)
def stripe_on(settings):
    settings.STRIPE_SECRET_KEY = "sk_test_local"
    settings.STRIPE_WEBHOOK_SECRET = SECRET
    settings.BILLING_CHECKOUT_CLIENT = "tests.billing.test_stripe.LocalCheckout"
    LocalCheckout.calls = []


def _event(event_id, invoice, *, kind="checkout.session.completed", session="cs_test_1", cents=None, status="paid"):
    return {
        "id": event_id,
        "type": kind,
        "data": {"object": {
            "id": session, "payment_status": status, "payment_intent": "pi_1",
            "amount_total": int(invoice.balance * 100) if cents is None else cents,
            "metadata": {"invoice_id": str(invoice.pk)},
        }},
    }  # fmt: skip


def _deliver(client, event, *, secret=SECRET, timestamp=None):
    payload = json.dumps(event).encode()
    header = stripe.sign(payload, secret, int(timestamp or time.time()))
    return client.post(WEBHOOK, payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=header)


def test_a_paid_session_pays_the_invoice_once(client, invoice, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _deliver(client, _event("evt_1", invoice))
    assert (response.status_code, response.content) == (200, b"payment recorded")
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    payment = Payment.objects.get()
    assert (payment.method, payment.amount, payment.external_id) == ("card", Decimal("7500.00"), "cs_test_1")
    assert any("Receipt" in m.subject for m in mailoutbox)


def test_the_same_event_twice_changes_nothing_the_second_time(client, invoice):
    _deliver(client, _event("evt_1", invoice))
    response = _deliver(client, _event("evt_1", invoice))
    assert response.content == b"duplicate event"
    assert Payment.objects.count() == 1


def test_two_events_for_one_session_in_any_order_record_one_payment(client, invoice):
    first = _deliver(client, _event("evt_b", invoice, kind="checkout.session.async_payment_succeeded"))
    second = _deliver(client, _event("evt_a", invoice))
    assert (first.content, second.content) == (b"payment recorded", b"payment already recorded")
    assert Payment.objects.count() == 1
    assert StripeEvent.objects.count() == 2


def test_an_unpaid_or_expired_session_changes_nothing(client, invoice):
    _deliver(client, _event("evt_1", invoice, status="unpaid"))
    _deliver(client, _event("evt_2", invoice, kind="checkout.session.expired"))
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.OPEN and not Payment.objects.exists()


@pytest.mark.parametrize("problem", ["wrong secret", "old", "missing", "tampered"])
def test_a_bad_signature_is_a_400_and_changes_nothing(client, invoice, problem):
    event = _event("evt_1", invoice)
    if problem == "wrong secret":
        response = _deliver(client, event, secret="whsec_other")
    elif problem == "old":
        response = _deliver(client, event, timestamp=time.time() - 3600)
    elif problem == "missing":
        response = client.post(WEBHOOK, json.dumps(event), content_type="application/json")
    else:
        header = stripe.sign(json.dumps(event).encode(), SECRET, int(time.time()))
        event["data"]["object"]["amount_total"] = 1
        response = client.post(
            WEBHOOK, json.dumps(event), content_type="application/json", HTTP_STRIPE_SIGNATURE=header
        )
    assert response.status_code == 400
    assert not StripeEvent.objects.exists() and not Payment.objects.exists()


def test_a_session_for_a_settled_invoice_is_recorded_but_not_applied(client, invoice, staff_user):
    from billing import services

    services.payment_record(
        actor=staff_user, invoice=invoice, amount=invoice.balance, method="check", received_on=invoice.issued_on
    )
    response = _deliver(client, _event("evt_1", invoice, cents=750000))
    assert response.status_code == 200 and response.content.startswith(b"not applied")
    assert Payment.objects.count() == 1


def test_the_webhook_is_off_without_keys(client, invoice, settings):
    settings.STRIPE_WEBHOOK_SECRET = ""
    assert _deliver(client, _event("evt_1", invoice)).status_code == 404


def test_paying_by_card_goes_to_checkout_for_the_balance(invoice, invoice_owner):
    from django.test import Client

    browser = Client()
    browser.force_login(invoice_owner)
    response = browser.post(reverse("billing:invoice_pay", args=[invoice.pk]))
    assert response.status_code == 302 and response["Location"] == "http://127.0.0.1/checkout/cs_test_1"
    [call] = LocalCheckout.calls
    assert (call["amount_cents"], call["metadata"]["invoice_id"]) == (750000, str(invoice.pk))


def test_without_keys_the_page_says_how_to_pay_by_invoice(invoice, invoice_owner, settings):
    from django.test import Client

    settings.STRIPE_SECRET_KEY = ""
    browser = Client()
    browser.force_login(invoice_owner)
    page = browser.get(reverse("billing:invoice", args=[invoice.pk])).content.decode()
    assert "please pay by invoice" in page and "by card</button>" not in page
    response = browser.post(reverse("billing:invoice_pay", args=[invoice.pk]))
    assert response.status_code == 302 and not LocalCheckout.calls
