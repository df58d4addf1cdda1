from __future__ import annotations

import pytest

from communications import services
from communications.audiences import Audience
from members.models import Segment
from tests import factories


@pytest.fixture
def recycling():
    return Segment.objects.get(slug="recycling")


def member_in(segment=None, *, state="NV", tier_slug="corporate", role="representative", email=None):
    """A person of a member organization in good standing, in `segment`."""
    organization = factories.MembershipFactory(
        organization__hq_state=state,
        organization__segments=[segment or Segment.objects.get(slug="exploration-and-mining")],
        tier=factories.tier(tier_slug),
    ).organization
    user = factories.UserFactory(**({"email": email} if email else {}))
    factories.OrganizationMemberFactory(organization=organization, user=user, role=role)
    return user


@pytest.fixture
def draft(staff_user):
    """A draft announcement to every member."""
    return services.message_create(
        actor=staff_user,
        audience=Audience(kind="members"),
        kind="announcement",
        subject="Lithium roundtable: registration is open",
        body="## Join us\n\nThe **lithium roundtable** meets on *March 3*.\n\n- Offtake\n- Permitting",
        cta_label="Register",
        cta_url="https://portal.cma-usa.example/events/",
    )
