from __future__ import annotations

import pytest

from tests import factories


@pytest.fixture
def charter(db):
    """A published charter (version 1)."""
    return factories.CharterVersionFactory(number=1)


@pytest.fixture
def draft(charter, user):
    """A complete draft application by `user` for a new organization."""
    return factories.ApplicationFactory(applicant=user)
