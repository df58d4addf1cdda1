"""A signature POSTed through the sign form, with a real Celery worker on
Redis and a real SMTP server (where CI runs them: REDIS_URL and PostgreSQL):
the worker queues the confirmation email the signature owes and delivers it,
once."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from petitions.models import Signature
from tests import factories
from tests.support.worker import wait_for_worker

from .conftest import VALID_SIGNATURE

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_the_worker_sends_a_new_signers_confirmation_once(celery_worker_process, smtp_server_for_worker, client):
    smtp_server_for_worker.reset()
    petition = factories.PetitionFactory()
    url = reverse("petitions:sign", args=[petition.slug])

    responses = [
        client.post(url, {**VALID_SIGNATURE, "email": address})
        for address in ("first@example.org", "second@example.org", "first@example.org")  # the last: a resubmission
    ]

    assert [r.status_code for r in responses] == [302, 302, 302]
    received = wait_for_worker(lambda: len(smtp_server_for_worker.messages) >= 2 and smtp_server_for_worker.messages)
    time.sleep(2)  # any second copy would have come by now (the delivery window is a second)
    assert sorted(m["To"] for m in smtp_server_for_worker.messages) == ["first@example.org", "second@example.org"]
    first = Signature.objects.get(email="first@example.org")
    body = next(m for m in received if m["To"] == "first@example.org").get_body(("plain",)).get_content()
    assert f"/confirm/{first.pk}:" in body
    assert not Signature.objects.filter(confirmation_email_due=True).exists()
