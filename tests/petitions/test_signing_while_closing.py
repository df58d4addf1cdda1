"""A petition that stops taking signatures while a process still holds an older copy of it.

The sign view keeps each open petition for a couple of seconds per process
(`permissions.petition_for_signing`); the signature's INSERT checks the row
itself. These tests close petitions the way another process would — a plain
UPDATE, which this process hears nothing about — and sign through the copy.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.models import OutgoingEmail
from petitions import permissions, services
from petitions.models import Petition, Signature

from .conftest import VALID_SIGNATURE

pytestmark = pytest.mark.django_db


def close_elsewhere(petition: Petition, **changes) -> None:
    """Change the row without telling this process (as staff in another worker would)."""
    changes = changes or {"status": Petition.Status.CLOSED, "closed_at": timezone.now()}
    Petition.objects.filter(pk=petition.pk).update(**changes)


@pytest.mark.parametrize(
    "change",
    [
        {"status": Petition.Status.CLOSED},
        {"closes_at": timezone.now() - timedelta(minutes=1)},
        {"opens_at": timezone.now() + timedelta(days=1)},
        {"accepts": Petition.Accepts.ENDORSEMENTS},
        {"status": Petition.Status.DRAFT},
    ],
    ids=["closed", "closing-time-passed", "not-open-yet", "endorsements-only", "back-to-draft"],
)
def test_a_stale_copy_never_lets_a_signature_in(petition, change):
    stale = Petition.objects.get(pk=petition.pk)
    close_elsewhere(petition, **change)

    with pytest.raises(services.NotAccepting):
        services.signature_sign(petition=stale, **{**VALID_SIGNATURE, "show_name": True})

    assert not Signature.objects.exists()
    assert not OutgoingEmail.objects.exists()


def test_a_stale_copy_sends_no_resend_to_an_address_that_had_signed(petition):
    services.signature_sign(petition=petition, **{**VALID_SIGNATURE, "show_name": True})
    services.signature_confirmations_queue()  # as the worker does after the signer's commit
    stale = Petition.objects.get(pk=petition.pk)
    close_elsewhere(petition)

    with pytest.raises(services.NotAccepting):
        services.signature_sign(petition=stale, **{**VALID_SIGNATURE, "name": "Rosa C.", "show_name": True})

    signature = Signature.objects.get()
    assert signature.name == "Rosa Castillo"  # the refused submission changed nothing
    assert OutgoingEmail.objects.count() == 1


def test_signing_through_the_view_after_another_process_closed_it_shows_the_closed_page(sign, petition, mailoutbox):
    sign(email="first@example.org")  # this process now holds a copy of the open petition
    close_elsewhere(petition)

    response = sign(email="second@example.org")

    assert response.status_code == 400
    assert b"This petition has closed" in response.content
    assert response.context["sign_form"] is None  # the page is the closed one: no forms
    assert list(Signature.objects.values_list("email", flat=True)) == ["first@example.org"]
    assert len(mailoutbox) == 1


def test_once_the_copy_is_kept_a_signature_costs_one_statement(
    sign, client, petition, django_assert_num_queries, django_capture_on_commit_callbacks
):
    sign(email="first@example.org")

    # The petition is not read again, and the signature goes in alone,
    # owing its email, which a worker queues after the commit.
    with django_assert_num_queries(1) as queries:
        response = client.post(
            reverse("petitions:sign", args=[petition.slug]), {**VALID_SIGNATURE, "email": "b@example.org"}
        )

    assert response.status_code == 302
    assert re.findall(r'INSERT INTO ("\w+")', queries.captured_queries[0]["sql"]) == ['"petitions_signature"']
    signature = Signature.objects.get(email="b@example.org")
    assert signature.petition_id == petition.pk
    assert signature.confirmation_email_due
    assert not OutgoingEmail.objects.filter(recipient="b@example.org").exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.signature_confirmations_queue()
    assert OutgoingEmail.objects.filter(recipient="b@example.org").count() == 1


def test_the_copy_is_a_fresh_object_each_time(petition):
    first = permissions.petition_for_signing(None, petition.slug)
    first.title = "Changed in one request only"

    second = permissions.petition_for_signing(None, petition.slug)

    assert second is not first
    assert second.title == petition.title


def test_a_change_made_in_this_process_is_seen_at_once(petition, staff_user, django_capture_on_commit_callbacks):
    permissions.petition_for_signing(None, petition.slug)

    with django_capture_on_commit_callbacks(execute=True):
        services.petition_close(actor=staff_user, petition=petition)

    assert permissions.petition_for_signing(None, petition.slug).phase == Petition.Phase.CLOSED


def test_the_copy_is_read_again_after_a_few_seconds(petition, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(permissions.time, "monotonic", lambda: clock[0])
    permissions.petition_for_signing(None, petition.slug)
    Petition.objects.filter(pk=petition.pk).update(title="Edited in another process")

    assert permissions.petition_for_signing(None, petition.slug).title == petition.title
    clock[0] += permissions.RECENT_OPEN_PETITION_SECONDS

    assert permissions.petition_for_signing(None, petition.slug).title == "Edited in another process"


def test_only_open_petitions_are_kept(petition, django_assert_num_queries):
    close_elsewhere(petition)
    permissions.petition_for_signing(None, petition.slug)

    with django_assert_num_queries(1):
        assert permissions.petition_for_signing(None, petition.slug).phase == Petition.Phase.CLOSED


def test_a_petition_turned_back_into_a_draft_is_hidden_again(sign, petition):
    sign(email="first@example.org")
    close_elsewhere(petition, status=Petition.Status.DRAFT)

    response = sign(email="second@example.org")

    assert response.status_code == 404
    assert Signature.objects.count() == 1
