"""Failed sign-ins are counted per account *and* client address: someone who
knows an account's email can lock only themselves out, not its owner. One
address is still limited across accounts."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.7"
OWNER = "198.51.100.20"
LOCKED = "Too many failed login attempts"


def sign_in(client: Client, email: str, password: str, **extra):
    return client.post(reverse("account_login"), {"login": email, "password": password}, **extra)


def test_wrong_passwords_from_one_address_do_not_stop_the_owner_elsewhere(staff_user):
    attacker = Client(REMOTE_ADDR=ATTACKER)
    answers = [sign_in(attacker, staff_user.email, "not-the-password").content.decode() for _ in range(7)]
    assert [LOCKED in answer for answer in answers] == [False] * 5 + [True] * 2

    from_attacker = sign_in(attacker, staff_user.email, factories.DEFAULT_PASSWORD)
    from_owner = sign_in(Client(REMOTE_ADDR=OWNER), staff_user.email, factories.DEFAULT_PASSWORD)

    assert LOCKED in from_attacker.content.decode()  # the attacker's address is locked for this account
    assert from_owner.status_code == 302
    assert from_owner["Location"] == reverse("mfa_authenticate")  # on to the code: the password was accepted


def test_one_address_is_limited_across_accounts():
    people = [factories.UserFactory() for _ in range(6)]
    crowd = Client(REMOTE_ADDR=ATTACKER)
    for person in people[:5]:
        for _ in range(4):  # under the per-account count, 20 attempts in all
            response = sign_in(crowd, person.email, "not-the-password")
            assert LOCKED not in response.content.decode()

    from_crowd = sign_in(crowd, people[5].email, factories.DEFAULT_PASSWORD)
    from_elsewhere = Client(REMOTE_ADDR=OWNER)
    signed_in = sign_in(from_elsewhere, people[5].email, factories.DEFAULT_PASSWORD)

    assert LOCKED in from_crowd.content.decode()
    assert "_auth_user_id" not in crowd.session
    assert signed_in.status_code == 302
    assert from_elsewhere.session["_auth_user_id"] == str(people[5].pk)


def test_behind_a_proxy_the_forwarded_client_address_is_counted(settings, user):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}  # every request arrives from the proxy
    attacker = Client(**proxy, HTTP_X_FORWARDED_FOR=ATTACKER)
    for _ in range(7):
        sign_in(attacker, user.email, "not-the-password")
    owner = Client(**proxy, HTTP_X_FORWARDED_FOR=OWNER)

    assert LOCKED in sign_in(attacker, user.email, factories.DEFAULT_PASSWORD).content.decode()
    assert sign_in(owner, user.email, factories.DEFAULT_PASSWORD).status_code == 302
    assert owner.session["_auth_user_id"] == str(user.pk)


def test_a_password_reset_clears_the_count_for_the_address_it_came_from(
    user, mailoutbox, django_capture_on_commit_callbacks
):
    """allauth clears the failure count of the reset's account when the reset
    is completed; with the key per address that must still find the count
    (it would not if allauth stopped reading the adapter's key)."""
    import re

    browser = Client(REMOTE_ADDR=ATTACKER)
    for _ in range(5):
        sign_in(browser, user.email, "not-the-password")
    assert LOCKED in sign_in(browser, user.email, factories.DEFAULT_PASSWORD).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        browser.post(reverse("account_reset_password"), {"email": user.email})
    link = re.search(r"/accounts/password/reset/key/[^\s]+/", mailoutbox[-1].body).group(0)
    form = browser.get(link, follow=True)
    new_password = "a-Fresh-passphrase-77"
    browser.post(form.redirect_chain[-1][0], {"password1": new_password, "password2": new_password})

    assert sign_in(browser, user.email, new_password).status_code == 302
