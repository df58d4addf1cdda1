"""allauth's emails name the portal and its address (there is no
django.contrib.sites to do it), whichever flow sends them."""

from __future__ import annotations

from pathlib import Path

import allauth
import pytest
from allauth.core.context import request_context
from django.test import RequestFactory
from django.urls import reverse

from members.adapters import AccountAdapter
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SITE_NAME = "Critical Minerals Portal"
SITE_DOMAIN = "portal.cma-usa.example"
# What the templates read like when the site's name or address is missing.
GAPS = ["from !", "using !", " on .", "\n\n\n\n"]

ALLAUTH_TEMPLATES = Path(allauth.__file__).parent / "templates"
EVERY_EMAIL = sorted(
    str(path.relative_to(ALLAUTH_TEMPLATES)).removesuffix("_message.txt")
    for folder in ("account/email", "mfa/email")
    for path in (ALLAUTH_TEMPLATES / folder).glob("*_message.txt")
    if path.with_name(path.name.replace("_message.txt", "_subject.txt")).exists()  # not the base layouts
)


@pytest.fixture(autouse=True)
def _site(settings):
    # Not the defaults, and not the test client's host: the text must come from these.
    settings.SITE_NAME = SITE_NAME
    settings.SITE_URL = f"https://{SITE_DOMAIN}"


def _assert_names_the_site(message) -> None:
    assert SITE_NAME in message.body, message.body
    for gap in GAPS:
        assert gap not in message.body, f"{gap!r} in:\n{message.body}"


def test_every_allauth_email_is_covered():
    # Sanity for the parametrization below: a new allauth version adding or
    # renaming emails still has them all checked.
    assert {"account/email/email_confirmation_signup", "account/email/password_reset_key"} <= set(EVERY_EMAIL)
    assert len(EVERY_EMAIL) >= 15


@pytest.mark.parametrize("template_prefix", EVERY_EMAIL)
def test_each_allauth_email_names_the_site(template_prefix, mailoutbox, django_capture_on_commit_callbacks):
    user = UserFactory(email="ada@helios-recycling.example", name="Ada Okafor")
    request = RequestFactory().get("/", HTTP_HOST="testserver")
    request.user = user
    context = {
        "user": user,
        "activate_url": f"https://{SITE_DOMAIN}/accounts/confirm-email/KEY/",
        "password_reset_url": f"https://{SITE_DOMAIN}/accounts/password/reset/",
        "signup_url": f"https://{SITE_DOMAIN}/accounts/signup/",
        "code": "ABC123",
        "from_email": "old@helios-recycling.example",
        "to_email": user.email,
        "deleted_email": "old@helios-recycling.example",
        "ip": "192.0.2.1",
        "user_agent": "Firefox",
        "timestamp": "now",
    }

    with request_context(request), django_capture_on_commit_callbacks(execute=True):
        AccountAdapter(request).send_mail(template_prefix, user.email, context)

    [message] = mailoutbox
    _assert_names_the_site(message)
    template = (ALLAUTH_TEMPLATES / f"{template_prefix}_message.txt").read_text()
    if "site_domain" in template or "base_message" in template:
        assert SITE_DOMAIN in message.body
    assert "testserver" not in message.body


def test_the_sign_up_confirmation_names_the_site_and_its_address(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("account_signup"),
            {
                "name": "Ada Okafor",
                "email": "ada@helios-recycling.example",
                "password1": "Cobalt-and-nickel-2026",
                "password2": "Cobalt-and-nickel-2026",
            },
        )

    [message] = mailoutbox
    _assert_names_the_site(message)
    assert f"Hello from {SITE_NAME}!" in message.body
    assert f"to register an account on {SITE_DOMAIN}." in message.body
    assert f"Thank you for using {SITE_NAME}!" in message.body


def test_the_already_registered_notice_names_the_site_and_the_address(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    UserFactory(email="ada@helios-recycling.example")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("account_signup"),
            {
                "name": "Someone",
                "email": "ada@helios-recycling.example",
                "password1": "Cobalt-and-nickel-2026",
                "password2": "Cobalt-and-nickel-2026",
            },
        )

    [message] = mailoutbox
    _assert_names_the_site(message)
    assert "ada@helios-recycling.example" in message.body  # the address it is about


@pytest.mark.parametrize("registered", [True, False], ids=["password-reset", "unknown-account"])
def test_password_reset_emails_name_the_site(client, registered, mailoutbox, django_capture_on_commit_callbacks):
    if registered:
        UserFactory(email="ada@helios-recycling.example")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": "ada@helios-recycling.example"})

    [message] = mailoutbox
    _assert_names_the_site(message)
    assert SITE_DOMAIN in message.body
