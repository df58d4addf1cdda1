"""Bad input: each gets a clear answer, changes nothing wrong, and never a 500."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from petitions import tokens
from petitions.models import Endorsement, Signature
from tests import factories

from .conftest import VALID_ENDORSEMENT, VALID_SIGNATURE, link

pytestmark = pytest.mark.django_db


def _post_sign(client, petition, data, ip="203.0.113.7"):
    return client.post(reverse("petitions:sign", args=[petition.slug]), data, REMOTE_ADDR=ip)


def test_a_malformed_email_is_an_error_beside_the_field(client, petition):
    response = _post_sign(client, petition, {**VALID_SIGNATURE, "email": "rosa@@example"})

    assert response.status_code == 200
    assert "email" in response.context["sign_form"].errors
    assert b"Enter a valid email address" in response.content
    assert Signature.objects.count() == 0


@pytest.mark.parametrize("field", ["name", "email", "zip_code", "state"])
def test_each_missing_required_field_is_an_error(client, petition, field):
    response = _post_sign(client, petition, {**VALID_SIGNATURE, field: ""})

    assert response.status_code == 200
    assert field in response.context["sign_form"].errors
    assert Signature.objects.count() == 0


@pytest.mark.parametrize("state", ["ZZ", "mi", "Michigan", "M"])
def test_a_state_that_is_not_a_postal_code_is_an_error_beside_the_field(client, petition, state):
    response = _post_sign(client, petition, {**VALID_SIGNATURE, "state": state})

    assert response.status_code == 200
    assert "not one of the available choices" in str(response.context["sign_form"].errors["state"])
    assert Signature.objects.count() == 0


def test_every_state_and_territory_in_the_list_is_accepted(petition):
    from members.models import US_STATES
    from petitions.forms import SignatureForm

    for code, _ in US_STATES:
        assert SignatureForm({**VALID_SIGNATURE, "state": code}).is_valid(), code


def test_a_10000_character_name_is_refused(client, petition):
    response = _post_sign(client, petition, {**VALID_SIGNATURE, "name": "R" * 10_000})

    assert response.status_code == 200
    assert "at most 100 characters" in str(response.context["sign_form"].errors["name"])
    assert Signature.objects.count() == 0


@pytest.mark.parametrize("field", ["name", "email", "zip_code", "state", "comment"])
def test_a_nul_byte_in_any_sign_field_is_refused(client, petition, field):
    response = _post_sign(client, petition, {**VALID_SIGNATURE, field: VALID_SIGNATURE[field][:3] + "\x00x"})

    assert response.status_code == 200
    assert field in response.context["sign_form"].errors
    assert Signature.objects.count() == 0


@pytest.mark.parametrize(
    "field", ["organization_name", "scope", "state", "website", "contact_name", "contact_title", "contact_email"]
)
def test_a_nul_byte_in_any_endorse_field_is_refused(client, petition, field):
    data = {**VALID_ENDORSEMENT, field: VALID_ENDORSEMENT[field][:3] + "\x00x"}

    response = client.post(reverse("petitions:endorse", args=[petition.slug]), data)

    assert response.status_code == 200
    assert field in response.context["endorse_form"].errors
    assert Endorsement.objects.count() == 0


@pytest.mark.parametrize("field", ["name", "email", "zip_code", "state", "comment"])
def test_html_in_any_sign_field_is_refused_or_stored_as_text(client, petition, field, mailoutbox):
    script = "<script>alert('x')</script>"

    response = _post_sign(client, petition, {**VALID_SIGNATURE, field: script})

    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert field in response.context["sign_form"].errors
        assert script not in response.content.decode()
        assert Signature.objects.count() == 0
    else:
        assert Signature.objects.get().comment == script  # only the comment may hold it, as plain text


@pytest.mark.parametrize("field", ["organization_name", "contact_name", "contact_title", "website", "contact_email"])
def test_html_in_endorse_fields_is_refused(client, petition, field):
    response = client.post(
        reverse("petitions:endorse", args=[petition.slug]), {**VALID_ENDORSEMENT, field: "<b onmouseover=x>Hi</b>"}
    )

    assert response.status_code == 200
    assert field in response.context["endorse_form"].errors
    assert "<b onmouseover=x>" not in response.content.decode()
    assert Endorsement.objects.count() == 0


def test_html_in_a_comment_is_escaped_in_the_admin_and_neutralised_in_exports(admin_client, petition):
    signature = factories.SignatureFactory(petition=petition, comment="<script>alert(1)</script>", name="=1+2")

    export = admin_client.get(reverse("staff:petitions:export_signatures", args=[petition.pk]))
    text = b"".join(export.streaming_content).decode()

    assert "'=1+2" in text  # neutralised for spreadsheets
    page = admin_client.get(reverse("admin:petitions_signature_change", args=[signature.pk]))
    assert page.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.content.decode()
    assert "<script>alert(1)</script>" not in page.content.decode()


@pytest.mark.parametrize("status", ["closed", "draft"])
def test_signing_a_closed_or_draft_petition_is_refused(client, status):
    petition = factories.PetitionFactory(status=status)

    response = _post_sign(client, petition, VALID_SIGNATURE)

    assert response.status_code == (400 if status == "closed" else 404)
    if status == "closed":
        assert b"has closed" in response.content
    assert Signature.objects.count() == 0


def test_endorsing_a_closed_petition_is_refused(client):
    petition = factories.PetitionFactory(status="closed")

    response = client.post(reverse("petitions:endorse", args=[petition.slug]), VALID_ENDORSEMENT)

    assert response.status_code == 400
    assert Endorsement.objects.count() == 0


def test_a_tampered_confirmation_link_is_refused(sign, client, mailoutbox):
    sign()
    path = link(mailoutbox[0], "confirm")
    tampered = path[:-3] + ("A" if path[-3] != "A" else "B") + path[-2:]

    for method in (client.get, client.post):
        response = method(tampered)
        assert response.status_code == 400
        assert b"incomplete or has been altered" in response.content
    assert Signature.objects.get().status == Signature.Status.UNCONFIRMED


def test_a_token_signed_for_one_signature_cannot_be_edited_to_point_at_another(sign, client, petition, mailoutbox):
    sign()
    other = factories.SignatureFactory(petition=petition, status="unconfirmed", confirmed_at=None)
    path = link(mailoutbox[0], "confirm")
    mine = str(Signature.objects.exclude(pk=other.pk).get().pk)
    forged = path.replace(f"/confirm/{mine}:", f"/confirm/{other.pk}:")

    assert client.post(forged).status_code == 400
    other.refresh_from_db()
    assert other.status == Signature.Status.UNCONFIRMED


def test_an_expired_confirmation_link_is_refused(sign, client, petition, mailoutbox, monkeypatch):
    sign()
    signature = Signature.objects.get()
    old = tokens.MAX_AGE[tokens.CONFIRM_SIGNATURE] + timedelta(minutes=1)
    monkeypatch.setattr(
        signing.TimestampSigner,
        "timestamp",
        lambda self: signing.b62_encode(int(signing.time.time() - old.total_seconds())),
    )
    token = tokens.make_token(tokens.CONFIRM_SIGNATURE, signature.pk)
    monkeypatch.undo()

    response = client.post(reverse("petitions:signature_confirm", args=[petition.slug, token]))

    assert response.status_code == 400
    assert b"expired" in response.content
    assert Signature.objects.get().status == Signature.Status.UNCONFIRMED


def test_a_withdrawal_token_does_not_confirm(sign, client, petition, mailoutbox):
    sign()
    withdraw_token = link(mailoutbox[0], "withdraw").rstrip("/").rsplit("/", 1)[1]

    response = client.post(reverse("petitions:signature_confirm", args=[petition.slug, withdraw_token]))

    assert response.status_code == 400
    assert Signature.objects.get().status == Signature.Status.UNCONFIRMED


def test_a_link_used_under_another_petitions_address_is_refused(sign, client, mailoutbox):
    sign()
    other = factories.PetitionFactory()
    token = link(mailoutbox[0], "confirm").rstrip("/").rsplit("/", 1)[1]

    response = client.post(reverse("petitions:signature_confirm", args=[other.slug, token]))

    assert response.status_code == 400
    assert Signature.objects.get().status == Signature.Status.UNCONFIRMED


def test_a_link_to_a_purged_signature_explains_itself(sign, client, mailoutbox):
    sign()
    Signature.objects.all().delete()

    assert client.get(link(mailoutbox[0], "confirm")).status_code == 410
    response = client.post(link(mailoutbox[0], "confirm"))
    assert response.status_code == 409
    assert b"no longer on file" in response.content


def test_a_flood_from_one_address_is_slowed_down_without_touching_other_addresses(client, petition, settings):
    settings.PETITIONS_SIGN_RATE_LIMIT_PER_IP = "3/10m"
    for n in range(3):
        assert _post_sign(client, petition, {**VALID_SIGNATURE, "email": f"flood{n}@example.org"}).status_code == 302

    refused = _post_sign(client, petition, {**VALID_SIGNATURE, "email": "flood9@example.org"})
    elsewhere = _post_sign(client, petition, {**VALID_SIGNATURE, "email": "real@example.org"}, ip="198.51.100.20")

    assert refused.status_code == 429
    assert refused["Retry-After"] == "600"
    html = refused.content.decode()
    assert html.index("try again in 10 minutes") > html.index('id="sign"')  # shown where the browser lands
    assert refused.context["sign_form"]["name"].value() == "Rosa Castillo"  # the form is kept for the retry
    assert elsewhere.status_code == 302
    assert set(Signature.objects.values_list("email", flat=True)) == {
        "flood0@example.org",
        "flood1@example.org",
        "flood2@example.org",
        "real@example.org",
    }


def test_ipv6_clients_are_limited_per_64(client, petition, settings):
    settings.PETITIONS_SIGN_RATE_LIMIT_PER_IP = "1/10m"
    _post_sign(client, petition, {**VALID_SIGNATURE, "email": "a@example.org"}, ip="2001:db8:1:2::1")

    response = _post_sign(client, petition, {**VALID_SIGNATURE, "email": "b@example.org"}, ip="2001:db8:1:2::ffff")

    assert response.status_code == 429


def test_spam_with_someones_email_never_blocks_their_own_retry(client, petition, settings, mailoutbox):
    settings.PETITIONS_RATE_LIMIT_PER_EMAIL = "2/h"
    settings.PETITIONS_CONFIRMATION_RESEND_MINUTES = 10
    for _ in range(5):  # a spammer keeps submitting the victim's address with junk details
        response = _post_sign(client, petition, {**VALID_SIGNATURE, "name": "Spam Name"}, ip="192.0.2.66")
        assert response.status_code == 302

    # The victim, from their own network, signs with their real details.
    victim = _post_sign(client, petition, {**VALID_SIGNATURE, "name": "Rosa Castillo"}, ip="198.51.100.9")

    assert victim.status_code == 302
    signature = Signature.objects.get()
    assert signature.name == "Rosa Castillo"  # what the emailed link will confirm
    assert len(mailoutbox) <= 1  # the flood sent at most one email in the window


def test_the_honeypot_looks_like_success_and_stores_nothing(client, petition, mailoutbox):
    response = _post_sign(client, petition, {**VALID_SIGNATURE, "contact_me_by_fax_only": "555-0100"})

    assert response.status_code == 302
    assert response["Location"].endswith("?for=signature")
    assert Signature.objects.count() == 0
    assert mailoutbox == []


def test_forms_need_a_csrf_token(petition):
    client = Client(enforce_csrf_checks=True)

    signed = client.post(reverse("petitions:sign", args=[petition.slug]), VALID_SIGNATURE)
    endorsed = client.post(reverse("petitions:endorse", args=[petition.slug]), VALID_ENDORSEMENT)

    assert signed.status_code == 403 and endorsed.status_code == 403
    assert Signature.objects.count() == 0 and Endorsement.objects.count() == 0


def test_confirmation_and_withdrawal_posts_need_a_csrf_token(sign, mailoutbox):
    sign()
    client = Client(enforce_csrf_checks=True)

    assert client.post(link(mailoutbox[0], "confirm")).status_code == 403
    assert Signature.objects.get().status == Signature.Status.UNCONFIRMED


def test_a_get_on_the_form_urls_goes_back_to_the_form(client, petition):
    assert client.get(reverse("petitions:sign", args=[petition.slug]))["Location"].endswith("#sign")
    assert client.get(reverse("petitions:endorse", args=[petition.slug]))["Location"].endswith("#endorse")


def test_unknown_petitions_are_404(client):
    assert client.get("/petitions/no-such-petition/").status_code == 404
    assert client.post("/petitions/no-such-petition/sign/", VALID_SIGNATURE).status_code == 404
    assert client.get("/petitions/no-such-petition/confirm/1:abc:def/").status_code == 404


def test_a_name_with_a_link_is_refused_as_spam(client, petition):
    response = _post_sign(client, petition, {**VALID_SIGNATURE, "name": "Cheap pills www.spam.example"})

    assert "name" in response.context["sign_form"].errors
    assert Signature.objects.count() == 0


def test_a_zip_code_must_look_like_one(client, petition):
    response = _post_sign(client, petition, {**VALID_SIGNATURE, "zip_code": "ABCDE"})

    assert "zip_code" in response.context["sign_form"].errors
    assert _post_sign(client, petition, {**VALID_SIGNATURE, "zip_code": "20001-1234"}).status_code == 302
