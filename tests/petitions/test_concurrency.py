"""Uniqueness under real concurrency, on PostgreSQL (CI runs these; SQLite serializes writers anyway)."""

from __future__ import annotations

import functools
import itertools
import threading
import time

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from notifications.models import OutgoingEmail
from petitions import forms, services
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


ENDORSERS = 12


def _endorse_until_turned_away(n: int, url: str, answers: list, deadline: float) -> None:
    """Submit endorsement after endorsement: before, during and after the close."""
    client = Client(REMOTE_ADDR=f"198.51.100.{n}")
    for i in itertools.count():
        data = {**VALID_ENDORSEMENT, "organization_name": f"Coalition {n}-{i}", "contact_email": f"c{n}-{i}@c.example"}
        response = client.post(url, data)
        answers.append((response.status_code, b"This petition has closed" in response.content))
        if response.status_code != 302 or time.monotonic() > deadline:
            return


def _close_when_flowing(petition, answers: list, closed_at: list, deadline: float) -> None:
    """Close once every endorser could have had one accepted: requests are in flight."""
    while sum(status == 302 for status, _ in answers) < ENDORSERS and time.monotonic() < deadline:
        time.sleep(0.01)
    with transaction.atomic():
        services.petition_close(actor=None, petition=petition)
        transaction.on_commit(lambda: closed_at.append(timezone.now()))  # the moment the close is committed


def _in_threads(calls: list) -> list[BaseException]:
    errors: list[BaseException] = []

    def run(call) -> None:
        try:
            call()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def test_endorsements_racing_a_close_stop_at_the_moment_it_commits(one_window, monkeypatch):
    """Endorsers keep submitting while staff close the petition. Each request
    reads the petition, checks the form, then inserts: without the INSERT's
    own check, a request that read "open" just before the close would store
    its endorsement after it."""
    clean = forms.EndorsementForm.clean

    def slow_clean(form):
        time.sleep(0.2)  # as re-encoding a large logo may, between reading the petition and the INSERT
        return clean(form)

    monkeypatch.setattr(forms.EndorsementForm, "clean", slow_clean)
    petition = factories.PetitionFactory()
    url = reverse("petitions:endorse", args=[petition.slug])
    deadline = time.monotonic() + 90
    closed_at: list = []
    answers: list[tuple[int, bool]] = []

    errors = _in_threads(
        [functools.partial(_endorse_until_turned_away, n, url, answers, deadline) for n in range(ENDORSERS)]
        + [functools.partial(_close_when_flowing, petition, answers, closed_at, deadline)]
    )

    assert not errors, errors
    stored = Endorsement.objects.filter(petition=petition)
    late = list(stored.filter(created_at__gt=closed_at[0]).values_list("organization_name", "created_at"))
    assert late == [], f"stored after the close committed at {closed_at[0]}: {late}"
    accepted = [status for status, _ in answers if status == 302]
    refused = [closed for status, closed in answers if status != 302]
    assert len(accepted) >= ENDORSERS and len(refused) == ENDORSERS  # each endorser met the close
    assert all(refused) and {status for status, _ in answers} == {302, 400}  # the closed page, never an error
    assert stored.count() == len(accepted)


def test_simultaneous_confirmations_each_count_on_the_day_roll_up():
    """Every confirmation adds one to the same day's row at the same moment:
    a read-then-write would lose some; the upsert loses none."""
    from petitions.models import SignatureDay

    petition = factories.PetitionFactory()
    signatures = [
        factories.SignatureFactory(petition=petition, status=Signature.Status.UNCONFIRMED, confirmed_at=None)
        for _ in range(REQUESTS)
    ]
    barrier = threading.Barrier(REQUESTS)

    def confirm(signature_id: int) -> None:
        try:
            barrier.wait(timeout=30)
            services.signature_confirm(signature_id=signature_id)
        finally:
            connection.close()

    errors = _in_threads([functools.partial(confirm, s.pk) for s in signatures])

    assert not errors, errors
    assert list(SignatureDay.objects.filter(petition=petition).values_list("confirmed", flat=True)) == [REQUESTS]
