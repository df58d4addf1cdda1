"""Accounts through allauth: sign-up, verification, sign-in, password reset, admin MFA."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse

from members.models import User
from notifications.models import OutgoingEmail
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SIGNUP = {
    "name": "Ada Okafor",
    "email": "ada@helios-recycling.example",
    "password1": "Cobalt-and-nickel-2026",
    "password2": "Cobalt-and-nickel-2026",
}


def _link(message, pattern: str) -> str:
    match = re.search(rf"https?://[^/\s]+({pattern})", message.body)
    assert match, f"no link matching {pattern} in:\n{message.body}"
    return match.group(1)


def _sign_up(client, django_capture_on_commit_callbacks, **overrides):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("account_signup"), {**SIGNUP, **overrides})


def test_signup_sends_a_verification_email_through_the_outbox(client, mailoutbox, django_capture_on_commit_callbacks):
    response = _sign_up(client, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email=SIGNUP["email"])
    assert user.name == "Ada Okafor"
    assert not EmailAddress.objects.get(user=user).verified
    assert [m.to for m in mailoutbox] == [[SIGNUP["email"]]]
    assert "/accounts/confirm-email/" in mailoutbox[0].body
    outgoing = OutgoingEmail.objects.get(recipient=SIGNUP["email"])
    assert outgoing.status == OutgoingEmail.Status.SENT
    assert outgoing.sensitive
    assert "confirm-email" not in outgoing.body_text  # the secret link is not kept once sent


def test_unverified_account_cannot_sign_in(client, mailoutbox, django_capture_on_commit_callbacks):
    _sign_up(client, django_capture_on_commit_callbacks)
    client.logout()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_login"), {"login": SIGNUP["email"], "password": SIGNUP["password1"]}, follow=True
        )

    assert response.redirect_chain[-1][0] == reverse("account_email_verification_sent")
    assert b"Verify Your Email Address" in response.content
    assert "_auth_user_id" not in client.session


def test_confirming_the_email_in_the_same_browser_signs_in(client, mailoutbox, django_capture_on_commit_callbacks):
    _sign_up(client, django_capture_on_commit_callbacks)
    confirm_path = _link(mailoutbox[0], r"/accounts/confirm-email/[^/\s]+/")

    page = client.get(confirm_path)
    assert page.status_code == 200
    assert b"Confirm" in page.content
    assert not EmailAddress.objects.get(email=SIGNUP["email"]).verified  # GET confirms nothing

    response = client.post(confirm_path)

    assert EmailAddress.objects.get(email=SIGNUP["email"]).verified
    assert response.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200


def test_after_confirming_elsewhere_the_password_signs_in(client, mailoutbox, django_capture_on_commit_callbacks):
    _sign_up(client, django_capture_on_commit_callbacks)
    confirm_path = _link(mailoutbox[0], r"/accounts/confirm-email/[^/\s]+/")
    Client().post(confirm_path)  # e.g. the link opened on a phone

    response = client.post(reverse("account_login"), {"login": SIGNUP["email"], "password": SIGNUP["password1"]})

    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")
    assert client.get(reverse("dashboard")).status_code == 200


def test_tampered_verification_link_is_refused(client, mailoutbox, django_capture_on_commit_callbacks):
    _sign_up(client, django_capture_on_commit_callbacks)
    confirm_path = _link(mailoutbox[0], r"/accounts/confirm-email/[^/\s]+/")
    tampered = confirm_path[:-3] + ("A" if confirm_path[-3] != "A" else "B") + confirm_path[-2:]

    page = client.get(tampered)
    client.post(tampered)

    assert page.status_code == 200
    assert b"expired or is invalid" in page.content
    assert not EmailAddress.objects.get(email=SIGNUP["email"]).verified


def test_signup_with_a_registered_email_creates_nothing_and_warns_the_owner(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    existing = UserFactory(email=SIGNUP["email"])

    response = _sign_up(client, django_capture_on_commit_callbacks)

    # The page does not reveal that the address is taken; the owner is told by email.
    assert response.status_code == 302
    assert User.objects.filter(email__iexact=SIGNUP["email"]).count() == 1
    assert User.objects.get(email=SIGNUP["email"]) == existing
    assert len(mailoutbox) == 1
    assert "already" in mailoutbox[0].body.lower()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"email": "not-an-email"}, "email", "Enter a valid email address."),
        ({"password1": "password", "password2": "password"}, "password1", "too short"),
        ({"password2": "Something-else-entirely-1"}, "password2", "You must type the same password each time."),
        ({"name": ""}, "name", "This field is required."),
    ],
)
def test_bad_signup_input_is_shown_beside_the_field(
    client, django_capture_on_commit_callbacks, overrides, field, message
):
    response = _sign_up(client, django_capture_on_commit_callbacks, **overrides)

    assert response.status_code == 200
    assert message in str(response.context["form"].errors[field])
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not User.objects.exists()


def test_wrong_password_gives_a_clear_message(client, user):
    response = client.post(reverse("account_login"), {"login": user.email, "password": "not-the-password"})

    assert response.status_code == 200
    assert "not correct" in str(response.context["form"].non_field_errors())
    assert "_auth_user_id" not in client.session


def test_five_wrong_passwords_lock_password_login(client, user):
    for _ in range(5):
        client.post(reverse("account_login"), {"login": user.email, "password": "wrong-password"})

    response = client.post(reverse("account_login"), {"login": user.email, "password": DEFAULT_PASSWORD})

    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_password_reset_sets_a_new_password(client, user, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": user.email})
    reset_path = _link(mailoutbox[0], r"/accounts/password/reset/key/[^\s]+/")

    form_page = client.get(reset_path, follow=True)
    set_path = form_page.redirect_chain[-1][0]
    response = client.post(set_path, {"password1": "Rare-earth-magnets-99", "password2": "Rare-earth-magnets-99"})

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Rare-earth-magnets-99")


def test_post_without_csrf_token_is_refused_with_a_readable_page(db):
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("account_signup"), SIGNUP)

    assert response.status_code == 403
    assert b"This form has expired" in response.content
    assert not User.objects.exists()


class TestAdminNeedsStaffWithMFA:
    def test_anonymous_is_sent_to_sign_in(self, client):
        response = client.get("/admin/")
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))

    def test_non_staff_is_refused(self, user_client):
        response = user_client.get("/admin/")
        assert response.status_code == 403
        assert b"association staff" in response.content

    def test_staff_without_mfa_is_sent_to_set_it_up(self, client, staff_without_mfa):
        client.force_login(staff_without_mfa)
        response = client.get("/admin/")
        assert response.status_code == 302
        assert response["Location"] == reverse("mfa_activate_totp")

    def test_staff_with_mfa_reaches_the_admin(self, staff_client):
        assert staff_client.get("/admin/").status_code == 200
