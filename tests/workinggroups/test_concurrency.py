"""Races settled by the database (PostgreSQL; CI runs these)."""

from __future__ import annotations

import pytest
from django.db import connection  # noqa: F401  (read by the skipif condition below)

from cma.errors import Conflict
from notifications.models import OutgoingEmail
from tests import factories
from tests.support.concurrency import race
from workinggroups import services
from workinggroups.models import DocumentVersion, GroupMembership

from . import files
from .conftest import checked

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks need PostgreSQL"),
]


def test_concurrent_versions_get_distinct_numbers(group, chair, group_member):
    document = services.document_create(actor=group_member, group=group, title="Draft", upload=checked())
    uploads = [checked(files.pdf(f"v{n}")) for n in range(4)]
    people = [chair, group_member, chair, group_member]
    results = race(
        *[
            (lambda u=u, p=p: services.version_add(actor=p, document=document, upload=u, change_note="race"))
            for u, p in zip(uploads, people, strict=True)
        ]
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    numbers = sorted(DocumentVersion.objects.filter(document=document).values_list("number", flat=True))
    assert numbers == [1, 2, 3, 4, 5]
    document.refresh_from_db()
    assert document.version_count == 5 and document.latest_version.number == 5


def test_double_clicked_join_creates_one_row_and_one_email(open_group):
    chair = factories.group_member(open_group, role=GroupMembership.Role.CHAIR)
    member = factories.MemberFactory().user
    results = race(*[(lambda: services.membership_join(actor=member, group=open_group)) for _ in range(3)])
    assert sum(1 for r in results if isinstance(r, GroupMembership)) == 1
    assert all(isinstance(r, (GroupMembership, Conflict)) for r in results), results
    assert GroupMembership.objects.filter(group=open_group, user=member).count() == 1
    assert OutgoingEmail.objects.filter(recipient=chair.email, subject__contains="joined").count() == 1


def test_two_chairs_approving_at_once_approve_once(group, chair):
    second = factories.group_member(group, role=GroupMembership.Role.CHAIR)
    member = factories.MemberFactory().user
    row = services.membership_request(actor=member, group=group)
    results = race(
        lambda: services.membership_approve(actor=chair, membership=row),
        lambda: services.membership_approve(actor=second, membership=row),
    )
    assert sum(1 for r in results if isinstance(r, GroupMembership)) == 1
    assert sum(1 for r in results if isinstance(r, Conflict)) == 1
    assert OutgoingEmail.objects.filter(recipient=member.email, subject__contains="Welcome").count() == 1
