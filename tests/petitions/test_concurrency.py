"""Uniqueness under real concurrency, on PostgreSQL (CI runs these; SQLite serializes writers anyway)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from notifications.models import OutgoingEmail
from petitions import services
from petitions.models import Endorsement, Signature
from tests import factories

from .conftest import VALID_ENDORSEMENT, VALID_SIGNATURE

pytestmark = pytest.mark.django_db(transaction=True)

REQUESTS = 50


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency tests need PostgreSQL (CI runs them)")


@pytest.fixture
def one_window(settings):
    # Every request lands in the same resend window (one window of ~19 years),
    # and no rate limit gets in the way.
    settings.PETITIONS_CONFIRMATION_RESEND_MINUTES = 10_000_000
    settings.PETITIONS_SIGN_RATE_LIMIT_PER_IP = "10000/m"
    settings.PETITIONS_ENDORSE_RATE_LIMIT_PER_IP = "10000/m"
    settings.PETITIONS_RATE_LIMIT_PER_EMAIL = "10000/m"


def _simultaneously(url: str, data: dict) -> list[int]:
    barrier = threading.Barrier(REQUESTS)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def post(n: int) -> None:
        try:
            client = Client(REMOTE_ADDR=f"198.51.100.{n}")
            barrier.wait(timeout=30)
            statuses.append(
                client.post(url, {**data, "name": f"Signer {n}"} if "zip_code" in data else data).status_code
            )
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(n,)) for n in range(REQUESTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return statuses


def test_fifty_simultaneous_signatures_with_one_email_store_one_row_and_one_email(one_window):
    petition = factories.PetitionFactory()

    statuses = _simultaneously(reverse("petitions:sign", args=[petition.slug]), VALID_SIGNATURE)

    assert statuses == [302] * REQUESTS  # every request gets the same answer
    assert Signature.objects.filter(petition=petition).count() == 1
    assert OutgoingEmail.objects.filter(recipient=VALID_SIGNATURE["email"]).count() == 1


def test_fifty_simultaneous_endorsements_from_one_contact_store_one_row(one_window):
    petition = factories.PetitionFactory()

    statuses = _simultaneously(reverse("petitions:endorse", args=[petition.slug]), VALID_ENDORSEMENT)

    assert statuses == [302] * REQUESTS
    assert Endorsement.objects.filter(petition=petition).count() == 1
    assert OutgoingEmail.objects.filter(recipient=VALID_ENDORSEMENT["contact_email"]).count() == 1


def test_simultaneous_confirmations_confirm_once():
    signature = factories.SignatureFactory(status="unconfirmed", confirmed_at=None)
    barrier = threading.Barrier(10)
    outcomes: list[str] = []

    def confirm() -> None:
        try:
            barrier.wait(timeout=30)
            services.signature_confirm(signature_id=signature.pk)
            outcomes.append("confirmed")
        except services.AlreadyDone:
            outcomes.append("already")
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["already"] * 9 + ["confirmed"]
    from cma.models import AuditEntry

    assert AuditEntry.objects.filter(action="petitions.signature.confirm", object_id=str(signature.pk)).count() == 1
