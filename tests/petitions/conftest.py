"""Fixtures for petitions: an open petition, signing through the real views, links from emails."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse

from tests import factories
from tests.support.mfa import sign_in_with_second_factor

VALID_SIGNATURE = {
    "name": "Rosa Castillo",
    "email": "rosa.castillo@example.org",
    "zip_code": "48201",
    "state": "MI",
    "comment": "Workers in the supply chain deserve protection.",
    "show_name": "on",
}

VALID_ENDORSEMENT = {
    "organization_name": "Great Lakes Mining Watch",
    "scope": "state",
    "state": "MI",
    "website": "https://greatlakesminingwatch.example",
    "contact_name": "Dana Whitcomb",
    "contact_title": "Executive Director",
    "contact_email": "dana@greatlakesminingwatch.example",
    "authorized": "on",
}


@pytest.fixture
def petition(db):
    return factories.PetitionFactory()


@pytest.fixture
def sign(client, petition, django_capture_on_commit_callbacks):
    """POST the sign form like a browser; returns the response. Emails are sent."""

    def _sign(target=None, **changes):
        target = target or petition
        data = {**VALID_SIGNATURE, **changes}
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("petitions:sign", args=[target.slug]), data)

    return _sign


@pytest.fixture
def endorse(client, petition, django_capture_on_commit_callbacks):
    def _endorse(target=None, **changes):
        target = target or petition
        data = {k: v for k, v in {**VALID_ENDORSEMENT, **changes}.items() if v is not None}
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("petitions:endorse", args=[target.slug]), data)

    return _endorse


def link(message, kind: str) -> str:
    """The site-relative path of the confirm or withdraw link in an email's text."""
    pattern = rf"{re.escape(settings.SITE_URL)}(/petitions/\S+/(?:endorsement/)?{kind}/\S+/)"
    match = re.search(pattern, message.body)
    assert match, f"no {kind} link in:\n{message.body}"
    return match.group(1)


@pytest.fixture
def admin_client(client, db):
    """Staff with MFA and every permission, as the association's admins are."""
    sign_in_with_second_factor(client, factories.StaffFactory(is_superuser=True))
    return client
