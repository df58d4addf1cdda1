"""Individual signatures: double opt-in, resends without duplicates, confirmation, withdrawal."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cma.models import AuditEntry
from notifications.models import EmailBody, OutgoingEmail
from petitions import selectors, services
from petitions.models import Signature
from tests import factories

from .conftest import VALID_SIGNATURE, link

pytestmark = pytest.mark.django_db


def test_signing_stores_an_unconfirmed_signature_and_emails_a_confirmation(sign, petition, mailoutbox):
    response = sign()

    assert response.status_code == 302
    assert response["Location"] == reverse("petitions:check_email", args=[petition.slug]) + "?for=signature"
    signature = Signature.objects.get()
    assert (signature.name, signature.email, signature.state, signature.zip_code) == (
        "Rosa Castillo",
        "rosa.castillo@example.org",
        "MI",
        "48201",
    )
    assert signature.status == Signature.Status.UNCONFIRMED
    assert signature.show_name is True and signature.wants_updates is False
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["rosa.castillo@example.org"]
    assert "Please confirm your signature" in message.subject
    assert link(message, "confirm") and link(message, "withdraw")
    assert selectors.signature_count(petition) == 0  # unconfirmed signatures never count


def test_confirmation_link_get_shows_a_button_and_confirms_nothing(sign, client, petition, mailoutbox):
    sign()
    confirm_path = link(mailoutbox[0], "confirm")

    response = client.get(confirm_path)

    assert response.status_code == 200
    assert b"Confirm my signature" in response.content
    assert b'method="post"' in response.content
    assert Signature.objects.get().status == Signature.Status.UNCONFIRMED
    assert selectors.signature_count(petition) == 0


def test_posting_the_confirmation_counts_the_signature(sign, client, petition, mailoutbox):
    sign()

    response = client.post(link(mailoutbox[0], "confirm"), follow=True)

    assert response.status_code == 200
    assert b"Your signature is confirmed" in response.content
    signature = Signature.objects.get()
    assert signature.status == Signature.Status.CONFIRMED
    assert signature.confirmed_at is not None
    assert response.context["count"] == 1
    assert AuditEntry.objects.filter(action="petitions.signature.confirm", to_state="confirmed").count() == 1


def test_confirming_twice_changes_nothing_and_says_so(sign, client, mailoutbox):
    sign()
    path = link(mailoutbox[0], "confirm")
    client.post(path)
    first = Signature.objects.get().confirmed_at

    response = client.post(path, follow=True)

    assert response.status_code == 200
    assert b"already confirmed" in response.content
    assert Signature.objects.get().confirmed_at == first
    assert AuditEntry.objects.filter(action="petitions.signature.confirm").count() == 1


def test_signing_again_resends_within_limits_and_never_duplicates(sign, mailoutbox, settings):
    settings.PETITIONS_RATE_LIMIT_PER_EMAIL = "100/h"
    first = sign()
    again = sign(name="Rosa M. Castillo", email="  Rosa.Castillo+petition@EXAMPLE.org ")

    assert Signature.objects.count() == 1
    assert first["Location"] == again["Location"]  # the same answer: nothing revealed
    # Same resend window: the second submission sends nothing new.
    assert len(mailoutbox) == 1
    # The latest details are what the link confirms.
    assert Signature.objects.get().name == "Rosa M. Castillo"


def test_a_new_resend_window_sends_a_new_confirmation(sign, mailoutbox, settings, monkeypatch):
    sign()
    later = timezone.now() + timedelta(minutes=settings.PETITIONS_CONFIRMATION_RESEND_MINUTES + 1)
    monkeypatch.setattr(timezone, "now", lambda: later)

    sign()

    assert Signature.objects.count() == 1
    assert len(mailoutbox) == 2
    assert "Please confirm your signature" in mailoutbox[1].subject
    signature_ids = {link(m, "confirm").split("/confirm/")[1].split(":")[0] for m in mailoutbox}
    assert signature_ids == {str(Signature.objects.get().pk)}  # both links confirm the one signature


def test_signing_again_after_confirming_sends_a_reminder_not_a_second_signature(sign, client, mailoutbox, petition):
    sign()
    client.post(link(mailoutbox[0], "confirm"))
    mailoutbox.clear()

    response = sign(name="Someone Else")

    assert response.status_code == 302
    assert response["Location"].endswith("?for=signature")
    assert Signature.objects.count() == 1
    assert Signature.objects.get().name == "Rosa Castillo"  # a confirmed signature keeps its details
    assert len(mailoutbox) == 1
    assert "You have already signed" in mailoutbox[0].subject
    assert link(mailoutbox[0], "withdraw")
    assert selectors.signature_count(petition) == 1


def test_withdrawal_link_removes_the_signature_from_counts_and_erases_details(sign, client, mailoutbox, petition):
    sign()
    client.post(link(mailoutbox[0], "confirm"))
    assert selectors.signature_count(petition) == 1
    withdraw_path = link(mailoutbox[0], "withdraw")

    page = client.get(withdraw_path)
    assert page.status_code == 200 and b"Withdraw my signature" in page.content
    assert selectors.signature_count(petition) == 1  # the GET changed nothing

    response = client.post(withdraw_path, follow=True)

    assert b"withdrawn" in response.content
    signature = Signature.objects.get()
    assert signature.status == Signature.Status.WITHDRAWN
    assert (signature.name, signature.email, signature.email_normalized, signature.zip_code, signature.comment) == (
        "",
        "",
        None,
        "",
        "",
    )
    assert signature.erased_at is not None
    assert selectors.signature_count(petition) == 0
    assert "Rosa Castillo" not in response.content.decode()
    # Nor does the outbox remember who was sent the confirmation.
    assert list(OutgoingEmail.objects.filter(category="petitions/signature").values_list("recipient", flat=True)) == [
        ""
    ]


def test_a_withdrawn_signer_may_sign_again(sign, client, mailoutbox, petition):
    sign()
    client.post(link(mailoutbox[0], "withdraw"))

    sign()

    assert Signature.objects.filter(status=Signature.Status.UNCONFIRMED).count() == 1
    assert Signature.objects.count() == 2


def test_counts_only_include_confirmed_signatures_that_were_not_withdrawn(petition):
    factories.SignatureFactory.create_batch(3, petition=petition)
    factories.SignatureFactory(petition=petition, status=Signature.Status.UNCONFIRMED, confirmed_at=None)
    factories.SignatureFactory(petition=petition, status=Signature.Status.WITHDRAWN)
    factories.SignatureFactory(status=Signature.Status.CONFIRMED)  # another petition

    assert selectors.signature_count(petition) == 3
    assert [p.signature_count for p in selectors.public_petitions().filter(pk=petition.pk)] == [3]


def test_recent_signers_list_only_those_who_chose_to_show_their_name(client, petition):
    factories.SignatureFactory(petition=petition, name="Visible Signer", show_name=True)
    factories.SignatureFactory(petition=petition, name="Private Signer", show_name=False)
    factories.SignatureFactory(
        petition=petition, name="Unconfirmed Signer", show_name=True, status="unconfirmed", confirmed_at=None
    )

    html = client.get(petition.get_absolute_url()).content.decode()

    assert "Visible Signer" in html
    assert "Private Signer" not in html
    assert "Unconfirmed Signer" not in html


def test_email_normalization_treats_case_whitespace_and_plus_tags_as_one_signer():
    assert services.normalize_email("  Jane.Doe+cma@Example.ORG ") == "jane.doe@example.org"
    assert services.normalize_email("+only@example.org") == "+only@example.org"


def test_the_database_refuses_a_second_signature_for_the_same_normalized_email(petition):
    from django.db import IntegrityError, transaction

    factories.SignatureFactory(petition=petition, email="dup@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.SignatureFactory(petition=petition, email="DUP+x@example.org")


def test_confirmation_emails_are_marked_sensitive_so_their_links_are_not_kept(sign):
    sign()

    outgoing = OutgoingEmail.objects.get()
    assert outgoing.sensitive is True
    assert outgoing.category == "petitions/signature"


def test_confirming_after_the_petition_closed_is_refused_and_counts_nothing(sign, client, mailoutbox, petition):
    sign()
    services.petition_close(actor=None, petition=petition)

    response = client.post(link(mailoutbox[0], "confirm"))

    assert response.status_code == 409
    assert b"closed" in response.content
    assert Signature.objects.get().status == Signature.Status.UNCONFIRMED


def test_confirmation_email_text_is_plain_and_html_escaped(sign, mailoutbox):
    sign(name="Ben & Jerry")

    message = mailoutbox[0]
    assert "Hello Ben & Jerry," in message.body
    html, _ = message.alternatives[0]
    assert "Hello Ben &amp; Jerry," in html


def test_signature_string_carries_no_personal_data(petition):
    signature = factories.SignatureFactory(petition=petition, name="Secret Name", email="secret@example.org")

    assert "Secret" not in str(signature) and "secret" not in str(signature)


def test_sign_form_fields_have_the_data_the_service_needs():
    # The view passes the form's cleaned data straight to the service.
    from petitions.forms import SignatureForm

    form = SignatureForm(VALID_SIGNATURE)
    assert form.is_valid(), form.errors
    assert set(form.cleaned_data) == {"name", "email", "zip_code", "state", "comment", "show_name", "wants_updates"}


def test_a_signature_and_its_email_are_stored_together_when_the_remembered_body_is_gone(sign, mailoutbox):
    sign(email="first@example.org")  # this process now remembers the petition's email body
    OutgoingEmail.objects.all().delete()
    EmailBody.objects.all().delete()  # as after a database restore

    response = sign(email="second@example.org", name="Second Signer")

    assert response.status_code == 302
    signature = Signature.objects.get(email="second@example.org")
    outgoing = OutgoingEmail.objects.get()
    assert outgoing.dedupe_key.startswith(f"petitions:signature:{signature.pk}:confirm:")
    assert outgoing.shared_body_id is None  # sent: a sensitive email keeps neither body nor values
    assert "Hello Second Signer," in mailoutbox[-1].body
    assert f"/confirm/{signature.pk}:" in link(mailoutbox[-1], "confirm")
