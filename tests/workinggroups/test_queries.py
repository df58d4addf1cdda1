"""List pages and selectors run a fixed number of queries whatever the size."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories
from tests.support.mfa import sign_in_as
from workinggroups import selectors, services
from workinggroups.models import GroupMembership

from . import files
from .conftest import checked

pytestmark = pytest.mark.django_db


def _grow(group, chair, *, members: int, documents: int, comments: int):
    people = [factories.group_member(group) for _ in range(members)]
    for n in range(documents):
        document = services.document_create(
            actor=people[n % len(people)],
            group=group,
            title=f"Doc {n}",
            upload=checked(files.pdf(f"d{n}")),
            tags=[f"tag{n % 3}", "draft"],
        )
        for c in range(comments):
            top = services.comment_post(actor=chair, document=document, body=f"c{c}")
            services.comment_post(actor=people[0], document=document, body=f"r{c}", parent=top)
    for _ in range(members // 2):
        services.membership_request(actor=factories.MemberFactory().user, group=group)
    return people


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


PAGES = {
    "detail": lambda g, d: reverse("workinggroups:detail", kwargs={"slug": g.slug}),
    "documents": lambda g, d: reverse("workinggroups:documents", kwargs={"slug": g.slug}),
    "members": lambda g, d: reverse("workinggroups:members", kwargs={"slug": g.slug}),
    "document": lambda g, d: reverse("workinggroups:document", kwargs={"slug": g.slug, "pk": d.pk}),
    "list": lambda g, d: reverse("workinggroups:list"),
    "mine": lambda g, d: reverse("workinggroups:mine"),
    "staff_index": lambda g, d: reverse("staff:workinggroups:index"),
    "staff_requests": lambda g, d: reverse("staff:workinggroups:requests"),
}
# The most queries each page may run, at any size (the session is one: it
# is read from PostgreSQL).
LIMITS = {
    "detail": 16, "documents": 10, "members": 12, "document": 11, "list": 5, "mine": 6,
    "staff_index": 7, "staff_requests": 7,
}  # fmt: skip


@pytest.mark.parametrize("view", PAGES)
def test_page_queries_do_not_grow_with_data(view, client, group, chair, staff_user, django_assert_max_num_queries):
    viewer = staff_user if view.startswith("staff") else chair
    sign_in_as(client, viewer)
    _grow(group, chair, members=2, documents=1, comments=1)
    document = group.documents.first()
    small = _count(client, PAGES[view](group, document))
    _grow(group, chair, members=25, documents=25, comments=3)
    for _ in range(3):
        factories.WorkingGroupFactory()
    with django_assert_max_num_queries(LIMITS[view]):
        large = _count(client, PAGES[view](group, document))
    assert large == small, f"{view}: {small} queries with little data, {large} with more"


def test_selectors_run_fixed_queries(group, chair, django_assert_num_queries):
    people = _grow(group, chair, members=20, documents=10, comments=2)
    document = group.documents.first()
    with django_assert_num_queries(2):
        members = list(selectors.group_members(group))
        assert all(m.user.member_roles for m in members)
    assert len(members) == 21
    with django_assert_num_queries(2):
        docs = list(selectors.documents_for_group(group))
        assert all(d.latest_version.uploaded_by and list(d.tags.all()) for d in docs)
    with django_assert_num_queries(2):
        thread = selectors.comment_thread(document)
        assert all(len(c.replies.all()) == 1 and c.author for c in thread)
    with django_assert_num_queries(1):
        assert len(list(selectors.group_directory(people[0]))) == 1
    with django_assert_num_queries(1):
        assert list(selectors.groups_for_staff())[0].member_count == 21
    with django_assert_num_queries(1):
        assert len(list(selectors.activity_feed(group))) == 15


def test_member_count_excludes_lapsed_and_inactive(group, chair):
    from members.models import Membership

    lapsed = factories.group_member(group)
    Membership.objects.filter(organization__people__user=lapsed).update(status=Membership.Status.LAPSED)
    factories.GroupMembershipFactory(group=group, status=GroupMembership.Status.LEFT)
    [row] = list(selectors.group_directory(chair))
    assert row.member_count == 1 and row.my_status == "active"
