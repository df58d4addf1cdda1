from __future__ import annotations

import pytest
from django.core.files.storage import default_storage

from members import demo as members_demo
from workinggroups import demo, selectors, sniffing
from workinggroups.models import Comment, Document, DocumentVersion, GroupMembership, WorkingGroup

pytestmark = pytest.mark.django_db


def test_seed_is_idempotent_and_realistic():
    members_demo.seed()
    logins = demo.seed()
    counts = (
        WorkingGroup.objects.count(),
        GroupMembership.objects.count(),
        Document.objects.count(),
        DocumentVersion.objects.count(),
        Comment.objects.count(),
    )
    demo.seed()
    assert counts == (
        WorkingGroup.objects.count(),
        GroupMembership.objects.count(),
        Document.objects.count(),
        DocumentVersion.objects.count(),
        Comment.objects.count(),
    )
    assert {g.join_policy for g in WorkingGroup.objects.all()} == {"open", "request", "invitation"}
    trade = WorkingGroup.objects.get(slug="trade-policy-working-group")
    assert "USTR-2026-03868" in trade.mission
    assert selectors.chair_users(trade)
    assert GroupMembership.objects.filter(status="requested").exists()
    assert GroupMembership.objects.filter(status="invited").exists()
    assert DocumentVersion.objects.filter(number=2).exists()
    assert {login.email for login in logins} <= set(GroupMembership.objects.values_list("user__email", flat=True))


def test_demo_files_are_real_files_the_sniffer_accepts():
    members_demo.seed()
    demo.seed()
    for version in DocumentVersion.objects.all():
        with default_storage.open(version.file.name, "rb") as stored:
            kind = sniffing.sniff(stored, version.original_name)
        assert kind.content_type == version.content_type


def test_lapsed_demo_member_is_paused_not_removed():
    members_demo.seed()
    demo.seed()
    permitting = WorkingGroup.objects.get(slug="permitting-reform")
    paused = [m.user.email for m in selectors.suspended_memberships(permitting)]
    assert paused == ["jacques.thibodeaux@bayou-chemicals.example"]


def test_seed_scale_adds_documents_and_members_in_bulk():
    members_demo.seed()
    members_demo.seed_scale(30)
    demo.seed()
    message = demo.seed_scale(30)
    group = WorkingGroup.objects.get(slug="scale-group")
    assert group.documents.count() == 30 and "30 documents" in message
    assert all(d.latest_version_id for d in group.documents.all())
    assert GroupMembership.objects.filter(group=group).count() == 30
