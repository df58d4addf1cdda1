"""Every URL of the app, visited as each persona, with the answer each must get.

Personas: anonymous, a signed-in user of no member organization, a member
of another group (their organization is a member), a member of the group,
its chair, and staff (with two-factor). 302 for anonymous means "sent to
sign in"; outsiders get 404 for anything private (its existence is private)
and 403 where the page is public but the action is not theirs.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests import factories
from tests.support.mfa import sign_in_as
from workinggroups import services
from workinggroups.models import GroupMembership

from . import files
from .conftest import checked

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "user", "outsider", "member", "chair", "staff"]


@pytest.fixture
def world(group, chair, group_member, other_group_member, user, staff_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        document = services.document_create(actor=group_member, group=group, title="Draft", upload=checked())
        services.version_add(actor=chair, document=document, upload=checked(files.pdf("v2")), change_note="v2")
        comment = services.comment_post(actor=group_member, document=document, body="My comment")
    requester = factories.MemberFactory().user
    request_row = services.membership_request(actor=requester, group=group)
    return {
        "group": group,
        "document": document,
        "comment": comment,
        "request_row": request_row,
        "member_row": GroupMembership.objects.get(group=group, user=group_member),
        "people": {
            "anonymous": None,
            "user": user,
            "outsider": other_group_member,
            "member": group_member,
            "chair": chair,
            "staff": staff_user,
        },
    }


def _answers(anonymous, user, outsider, member, chair, staff):
    return dict(zip(PERSONAS, (anonymous, user, outsider, member, chair, staff), strict=True))


PRIVATE = _answers(302, 404, 404, 200, 200, 200)
MANAGER = _answers(302, 404, 404, 403, 200, 200)
STAFF = _answers(302, 403, 403, 403, 403, 200)

GET_PAGES = {
    "list": ("workinggroups:list", {}, _answers(200, 200, 200, 200, 200, 200)),
    "mine": ("workinggroups:mine", {}, _answers(302, 200, 200, 200, 200, 200)),
    "detail": ("workinggroups:detail", {"slug"}, _answers(200, 200, 200, 200, 200, 200)),
    "join": ("workinggroups:join", {"slug"}, _answers(302, 403, 200, 302, 302, 403)),
    "leave": ("workinggroups:leave", {"slug"}, _answers(302, 404, 404, 200, 200, 404)),
    "members": ("workinggroups:members", {"slug"}, PRIVATE),
    "members_export": ("workinggroups:members_export", {"slug"}, MANAGER),
    "invite": ("workinggroups:invite", {"slug"}, MANAGER),
    "documents": ("workinggroups:documents", {"slug"}, PRIVATE),
    "documents_archive": ("workinggroups:documents_archive", {"slug"}, PRIVATE),
    "document_new": ("workinggroups:document_new", {"slug"}, PRIVATE),
    "document": ("workinggroups:document", {"slug", "pk"}, PRIVATE),
    "document_edit": ("workinggroups:document_edit", {"slug", "pk"}, PRIVATE),  # member uploaded it
    "download_latest": ("workinggroups:download_latest", {"slug", "pk"}, PRIVATE),
    "download_v1": ("workinggroups:download", {"slug", "pk", "number"}, PRIVATE),
    "version_new": ("workinggroups:version_new", {"slug", "pk"}, PRIVATE),
    "comment_edit": ("workinggroups:comment_edit", {"slug", "comment"}, _answers(302, 404, 404, 200, 403, 403)),
    "meeting_new": ("workinggroups:meeting_new", {"slug"}, MANAGER),
    "staff:index": ("staff:workinggroups:index", set(), STAFF),
    "staff_group_new": ("staff:workinggroups:group_new", set(), STAFF),
    "staff_requests": ("staff:workinggroups:requests", set(), STAFF),
    "staff_group_edit": ("staff:workinggroups:group_edit", {"slug"}, STAFF),
}

# POSTs as the personas that must be refused: nothing may change.
POSTS = {
    "approve": ("workinggroups:member_approve", {"slug", "request"}, _answers(302, 404, 404, 403, None, None)),
    "decline": ("workinggroups:member_decline", {"slug", "request"}, _answers(302, 404, 404, 403, None, None)),
    "remove": ("workinggroups:member_remove", {"slug", "member_row"}, _answers(302, 404, 404, 403, None, None)),
    "role": ("workinggroups:member_role", {"slug", "member_row"}, _answers(302, 404, 404, 403, None, None)),
    "archive_doc": ("workinggroups:document_archive", {"slug", "pk"}, _answers(302, 404, 404, None, None, None)),
    "comment": ("workinggroups:comment_create", {"slug", "pk"}, _answers(302, 404, 404, None, None, None)),
    "comment_remove": ("workinggroups:comment_remove", {"slug", "comment"}, _answers(302, 404, 404, None, None, None)),
    "upload": ("workinggroups:document_new", {"slug"}, _answers(302, 404, 404, None, None, None)),
    "version": ("workinggroups:version_new", {"slug", "pk"}, _answers(302, 404, 404, None, None, None)),
    "staff_archive": ("staff:workinggroups:group_archive", {"slug"}, _answers(302, 403, 403, 403, 403, None)),
    "staff_reactivate": ("staff:workinggroups:group_reactivate", {"slug"}, _answers(302, 403, 403, 403, 403, None)),
}


def _url(world, name, params):
    kwargs = {}
    if "slug" in params:
        kwargs["slug"] = world["group"].slug
    if "pk" in params:
        kwargs["pk"] = world["document"].pk
    if "number" in params:
        kwargs["number"] = 1
    if "comment" in params:
        kwargs["pk"] = world["comment"].pk
    if "request" in params:
        kwargs["pk"] = world["request_row"].pk
    if "member_row" in params:
        kwargs["pk"] = world["member_row"].pk
    return reverse(name, kwargs=kwargs)


def _drain(response) -> None:
    # Reading a download to the end makes the test client close its file
    # (closing the response by hand would also close the test's database
    # connection on PostgreSQL).
    if response.streaming:
        b"".join(response.streaming_content)


def _client_for(client, person):
    client.logout()
    if person is not None:
        sign_in_as(client, person)
    return client


@pytest.mark.parametrize("view", GET_PAGES)
def test_get_answers_per_persona(view, world, client):
    name, params, expected = GET_PAGES[view]
    url = _url(world, name, params)
    got = {}
    for persona in PERSONAS:
        response = _client_for(client, world["people"][persona]).get(url)
        _drain(response)
        got[persona] = response.status_code
        if response.status_code == 302 and persona == "anonymous":
            assert "/accounts/login/" in response["Location"], url
    assert got == expected, url


@pytest.mark.parametrize("action", POSTS)
def test_refused_posts_change_nothing(action, world, client):
    name, params, expected = POSTS[action]
    url = _url(world, name, params)
    before = _snapshot()
    for persona, status in expected.items():
        if status is None:
            continue
        response = _client_for(client, world["people"][persona]).post(url, {"body": "x", "role": "chair", "title": "x"})
        assert response.status_code == status, (persona, url)
    assert _snapshot() == before


def _snapshot():
    from workinggroups.models import Comment, Document, DocumentVersion, WorkingGroup

    return (
        sorted(GroupMembership.objects.values_list("pk", "status", "role")),
        sorted(Document.objects.values_list("pk", "status", "title")),
        DocumentVersion.objects.count(),
        sorted(Comment.objects.values_list("pk", "removed_at", "body")),
        sorted(WorkingGroup.objects.values_list("pk", "status")),
    )


def test_another_groups_document_url_is_404_even_for_members_of_that_group(
    world, client, other_group, other_group_member
):
    """Guessing: the document exists, but not in this group's URL space."""
    document = world["document"]
    client.force_login(other_group_member)
    for url in (
        reverse("workinggroups:document", kwargs={"slug": other_group.slug, "pk": document.pk}),
        reverse("workinggroups:download", kwargs={"slug": other_group.slug, "pk": document.pk, "number": 1}),
        reverse("workinggroups:download_latest", kwargs={"slug": other_group.slug, "pk": document.pk}),
    ):
        response = client.get(url)
        _drain(response)
        assert response.status_code == 404


def test_staff_without_two_factor_is_treated_as_an_outsider(world, client, staff_without_mfa):
    client.force_login(staff_without_mfa)
    assert client.get(_url(world, "workinggroups:document", {"slug", "pk"})).status_code == 404
    assert client.get(reverse("staff:workinggroups:index")).status_code == 302  # sent to set up 2FA
