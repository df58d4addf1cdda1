"""Bounces and complaints: a provider's JSON webhook and a local MTA's DSN."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from notifications.models import BounceEvent, Suppression

pytestmark = pytest.mark.django_db

TOKEN = "bounce-secret-for-tests"


@pytest.fixture
def webhook(settings):
    settings.BOUNCE_WEBHOOK_TOKEN = TOKEN
    return Client(enforce_csrf_checks=True)


def post(client, payload, token=TOKEN):
    return client.post(
        "/notifications/bounces/", data=json.dumps(payload), content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )  # fmt: skip


def test_a_hard_bounce_suppresses_the_address(webhook):
    response = post(webhook, {"type": "bounce", "email": "Gone@Example.org", "bounce_type": "permanent"})

    assert response.status_code == 200
    assert response.json() == {"recorded": 1, "suppressed": 1}
    assert Suppression.objects.get().email == "gone@example.org"


def test_a_complaint_suppresses_and_a_soft_bounce_is_only_counted(webhook):
    post(
        webhook,
        [{"type": "complaint", "email": "angry@example.org"}, {"email": "full@example.org", "bounce_type": "soft"}],
    )

    assert list(Suppression.objects.values_list("email", "reason")) == [("angry@example.org", "complaint")]
    assert BounceEvent.objects.filter(email="full@example.org", kind="soft").count() == 1


def test_enough_soft_bounces_count_as_a_hard_one(webhook, settings):
    settings.EMAIL_SOFT_BOUNCE_LIMIT = 3
    for _ in range(2):
        post(webhook, {"email": "full@example.org", "bounce_type": "transient"})
    assert not Suppression.objects.exists()

    post(webhook, {"email": "full@example.org", "bounce_type": "transient"})

    assert Suppression.objects.get().reason == "hard_bounce"


@pytest.mark.parametrize("token", ["", "wrong"])
def test_a_wrong_token_is_refused_and_records_nothing(webhook, token):
    response = post(webhook, {"email": "gone@example.org"}, token=token)

    assert response.status_code == 401
    assert not BounceEvent.objects.exists()


def test_the_endpoint_is_off_until_a_token_is_set(client):
    response = post(client, {"email": "gone@example.org"})

    assert response.status_code == 404


@pytest.mark.parametrize(
    "payload",
    [
        {"email": "not-an-address"},
        {"type": "delivery", "email": "a@example.org"},
        {"email": "a@example.org", "bounce_type": "sideways"},
        [],
        "bounce",
        [{"email": "ok@example.org"}, {"email": None}],
    ],
)
def test_a_malformed_notification_is_a_400_and_records_nothing(webhook, payload):
    response = post(webhook, payload)

    assert response.status_code == 400
    assert "error" in response.json()
    assert not BounceEvent.objects.exists()


def test_a_body_that_is_not_json_is_a_400(webhook):
    response = webhook.post(
        "/notifications/bounces/", data=b"\xff\xfe", content_type="application/json",
        headers={"Authorization": f"Bearer {TOKEN}"},
    )  # fmt: skip

    assert response.status_code == 400


DSN = b"""From: MAILER-DAEMON@mx.example.org
To: portal@cma-usa.example
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="BOUNDARY"

--BOUNDARY
Content-Type: text/plain

I'm sorry to have to inform you that your message could not be delivered.

--BOUNDARY
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.org
Arrival-Date: Wed, 2 Dec 2026 10:00:00 +0000

Final-Recipient: rfc822; gone@example.org
Original-Recipient: rfc822;gone@example.org
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 <gone@example.org>: Recipient address rejected: User unknown

Final-Recipient: rfc822; busy@example.org
Action: delayed
Status: 4.2.2
Diagnostic-Code: smtp; 452 4.2.2 Mailbox full

--BOUNDARY
Content-Type: text/rfc822-headers

Subject: News from CMA USA
--BOUNDARY--
"""


def run_command(monkeypatch, data: bytes, *args: str) -> str:
    class Stdin:
        buffer = io.BytesIO(data)

    monkeypatch.setattr("sys.stdin", Stdin)
    out = io.StringIO()
    call_command("process_bounce", *args, stdout=out)
    return out.getvalue()


def test_a_dsn_suppresses_the_failed_recipient_and_counts_the_delayed_one(db, monkeypatch):
    output = run_command(monkeypatch, DSN)

    assert "2 bounce(s) recorded, 1 address(es) suppressed" in output
    assert list(Suppression.objects.values_list("email", "reason")) == [("gone@example.org", "hard_bounce")]
    soft = BounceEvent.objects.get(kind="soft")
    assert (soft.email, soft.diagnostic) == ("busy@example.org", "smtp; 452 4.2.2 Mailbox full")


def test_a_message_that_is_not_a_dsn_is_refused(db, monkeypatch):
    with pytest.raises(CommandError, match="Not a delivery status notification"):
        run_command(monkeypatch, b"Subject: hello\n\nJust a message.\n")

    assert not BounceEvent.objects.exists()


def test_the_command_takes_the_json_shape_too(db, monkeypatch):
    run_command(monkeypatch, json.dumps([{"type": "complaint", "email": "a@example.org"}]).encode(), "--json")

    assert Suppression.objects.get().reason == "complaint"
