"""A new signature is stored owing its confirmation email, which a worker
queues (`signature_confirmations_queue`): once per signature, whoever runs it
and however often, and never for a signature erased in between."""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import timezone

from notifications.models import OutgoingEmail
from petitions import services, tasks
from petitions.models import Signature
from tests import factories
from tests.support.concurrency import race

from .conftest import VALID_SIGNATURE

pytestmark = pytest.mark.django_db


def owed(petition, **fields) -> Signature:
    """A signature as the signer's request stores it on PostgreSQL: unconfirmed, its email owed."""
    return factories.SignatureFactory(
        petition=petition,
        status=Signature.Status.UNCONFIRMED,
        confirmed_at=None,
        confirmation_email_due=True,
        **fields,
    )


def confirmation_emails(signature: Signature):
    return OutgoingEmail.objects.filter(dedupe_key__startswith=f"petitions:signature:{signature.pk}:")


def test_the_queue_pays_each_owed_email_once_and_clears_the_mark(
    petition, mailoutbox, django_capture_on_commit_callbacks
):
    first, second = owed(petition, name="Ada Signer"), owed(petition)

    with django_capture_on_commit_callbacks(execute=True):
        assert services.signature_confirmations_queue() == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert services.signature_confirmations_queue() == 0  # run again: nothing is owed

    for signature in (first, second):
        signature.refresh_from_db()
        assert not signature.confirmation_email_due
        assert confirmation_emails(signature).count() == 1
    assert sorted(m.to[0] for m in mailoutbox) == sorted([first.email, second.email])
    ada = next(m for m in mailoutbox if m.to == [first.email])
    assert "Hello Ada Signer," in ada.body
    assert f"/confirm/{first.pk}:" in ada.body


def test_the_email_has_the_key_the_signers_request_would_have_given_it(petition, settings):
    created_at = timezone.now()
    signature = owed(petition, created_at=created_at)
    window = int(created_at.timestamp() // (settings.PETITIONS_CONFIRMATION_RESEND_MINUTES * 60))

    services.signature_confirmations_queue()

    assert confirmation_emails(signature).get().dedupe_key == f"petitions:signature:{signature.pk}:confirm:{window}"


def test_a_resubmission_before_the_queue_ran_still_sends_one_email(sign, petition, mailoutbox):
    # The first submission is owed its email; the second (same address, same
    # minute) finds the unconfirmed signature and emails it from the request.
    signature = owed(petition, email=VALID_SIGNATURE["email"])

    assert sign().status_code == 302
    services.signature_confirmations_queue()

    assert confirmation_emails(signature).count() == 1
    assert Signature.objects.count() == 1


def test_a_signature_erased_before_the_queue_ran_is_owed_nothing(petition):
    signature = owed(petition)
    services.signature_withdraw(signature_id=signature.pk)

    assert services.signature_confirmations_queue() == 1

    signature.refresh_from_db()
    assert not signature.confirmation_email_due
    assert not confirmation_emails(signature).exists()


def test_the_queue_works_through_more_than_one_batch(petition):
    signatures = [owed(petition) for _ in range(5)]

    assert services.signature_confirmations_queue(batch=2) == 5
    assert tasks.queue_signature_confirmations() == 0  # the task finds nothing left

    assert not Signature.objects.filter(confirmation_email_due=True).exists()
    assert OutgoingEmail.objects.filter(category="petitions/signature").count() == len(signatures)


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="SKIP LOCKED and a second connection: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_queues_at_once_queue_each_email_once(petition):
    signatures = [owed(petition) for _ in range(120)]

    def queue() -> int:
        return services.signature_confirmations_queue(batch=10)

    taken = race(queue, queue)

    errors = [result for result in taken if isinstance(result, BaseException)]
    assert errors == []
    assert sum(taken) == len(signatures)  # no signature taken by both
    emails = OutgoingEmail.objects.filter(category="petitions/signature")
    assert sorted(emails.values_list("recipient", flat=True)) == sorted(s.email for s in signatures)
    assert connection.vendor == "postgresql"


def test_the_signers_request_stores_the_signature_owing_its_email(petition):
    services.signature_sign(
        petition=petition, **{**VALID_SIGNATURE, "show_name": True}
    )  # no commit: the worker has not run

    signature = Signature.objects.get()
    assert signature.confirmation_email_due
    assert not OutgoingEmail.objects.exists()
