from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests import factories
from workinggroups import services
from workinggroups.models import GroupMembership, WorkingGroup

from . import files


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    # Each test stores its uploads in its own directory.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def group(db):
    return factories.WorkingGroupFactory(name="Trade Policy Working Group", join_policy=WorkingGroup.JoinPolicy.REQUEST)


@pytest.fixture
def open_group(db):
    return factories.WorkingGroupFactory(name="Recycling and Circularity", join_policy=WorkingGroup.JoinPolicy.OPEN)


@pytest.fixture
def invitation_group(db):
    return factories.WorkingGroupFactory(name="Workforce and Skills", join_policy=WorkingGroup.JoinPolicy.INVITATION)


@pytest.fixture
def other_group(db):
    return factories.WorkingGroupFactory(name="Permitting Reform")


@pytest.fixture
def chair(group):
    return factories.group_member(group, role=GroupMembership.Role.CHAIR)


@pytest.fixture
def group_member(group, chair):
    return factories.group_member(group)


@pytest.fixture
def other_group_member(other_group):
    """Active in another group, not in `group`."""
    return factories.group_member(other_group)


def upload(content: bytes = None, name: str = "comments.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, files.pdf() if content is None else content, content_type="application/pdf")


def checked(content: bytes = None, name: str = "comments.pdf") -> services.CheckedUpload:
    return services.check_upload(upload(content, name))


@pytest.fixture
def document(group, group_member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return services.document_create(
            actor=group_member,
            group=group,
            title="Draft comments on USTR-2026-03868",
            upload=checked(),
            tags=["draft"],
        )
