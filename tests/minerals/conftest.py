from __future__ import annotations

import pytest
from django.test import Client

from tests import factories


def person_of_member_org(role="representative"):
    """A person of a fresh member organization in good standing."""
    organization = factories.MembershipFactory().organization
    user = factories.UserFactory()
    factories.OrganizationMemberFactory(organization=organization, user=user, role=role)
    return user, organization


def signed_in(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


@pytest.fixture
def lithium():
    return factories.mineral("lithium")


@pytest.fixture
def open_round(staff_user, lithium):
    from minerals import services

    return services.round_open(
        actor=staff_user, mineral=lithium, title="Lithium 2027", window_start=__import__("datetime").date(2027, 1, 1),
        window_end=__import__("datetime").date(2027, 12, 31), min_organizations=3, dominance_percent=50,
    )  # fmt: skip
