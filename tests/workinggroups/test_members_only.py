"""A link to a private document, opened by someone outside the group.

Still 404 for everyone outside it; a person of a member organization is also
told the group exists, that its documents are for its members, and how to
join — never anything about the document, not even whether it exists.
"""

from __future__ import annotations

from unittest import mock

import pytest
from django.urls import reverse

from members.models import Membership
from tests import factories
from tests.support.mfa import sign_in_as
from workinggroups import services
from workinggroups.models import GroupMembership

from .conftest import checked

pytestmark = pytest.mark.django_db

MISSING = 987654


def _links(group, pk: int) -> list[str]:
    return [
        reverse("workinggroups:document", kwargs={"slug": group.slug, "pk": pk}),
        reverse("workinggroups:download_latest", kwargs={"slug": group.slug, "pk": pk}),
        reverse("workinggroups:download", kwargs={"slug": group.slug, "pk": pk, "number": 1}),
    ]


def _get(client, url):
    response = client.get(url)
    if response.streaming:
        b"".join(response.streaming_content)
    return response


@pytest.fixture
def fixed_csrf_mask():
    """The sign-out form in the header carries a CSRF token masked afresh for
    every response (against BREACH); fixing the mask leaves only what the
    page itself says, so two answers can be compared byte for byte."""
    with mock.patch("django.middleware.csrf._get_new_csrf_string", return_value="x" * 32):
        yield


def test_a_member_of_the_association_is_told_how_to_join(client, group, chair, member, document):
    client.force_login(member)
    for url in _links(group, document.pk):
        response = _get(client, url)
        text = response.content.decode()
        assert response.status_code == 404, url
        assert group.name in text and "shared with the group's members only" in text
        assert f'href="{reverse("workinggroups:join", kwargs={"slug": group.slug})}"' in text
        assert "Request to join" in text
        assert document.title not in text and "USTR" not in text and "comments.pdf" not in text


def _answer(client, url: str) -> tuple[int, bytes]:
    """The status and the body, with the page's own address (which the footer's
    accessibility link carries back to the feedback form) put aside: it is the
    URL the visitor typed, so it tells them nothing they did not know."""
    response = _get(client, url)
    return response.status_code, response.content.replace(url.encode(), b"<this page>")


def test_a_real_link_and_a_made_up_one_answer_the_same_bytes(client, group, chair, member, document, fixed_csrf_mask):
    client.force_login(member)
    answers = {_answer(client, url) for url in _links(group, document.pk)}
    made_up = {_answer(client, url) for url in _links(group, MISSING)}
    assert len(answers) == 1
    assert answers == made_up
    assert next(iter(answers))[0] == 404


def test_an_open_group_offers_to_join_at_once(client, open_group, member):
    author = factories.group_member(open_group)
    document = services.document_create(actor=author, group=open_group, title="Cobalt recovery notes", upload=checked())
    client.force_login(member)
    text = _get(client, _links(open_group, document.pk)[0]).content.decode()
    assert "open to every member" in text and ">Join</a>" in text
    assert "Request to join" not in text and document.title not in text


def test_an_invitation_only_group_says_to_ask_a_chair(client, invitation_group, member):
    client.force_login(member)
    response = _get(client, _links(invitation_group, MISSING)[0])
    text = response.content.decode()
    assert response.status_code == 404
    assert "ask a chair" in text and invitation_group.name in text
    assert "Request to join" not in text and ">Join</a>" not in text


def test_a_waiting_request_is_acknowledged_not_offered_again(client, group, chair, member, document):
    services.membership_request(actor=member, group=group)
    client.force_login(member)
    text = _get(client, _links(group, document.pk)[0]).content.decode()
    assert "The chairs have your request to join" in text and "Request to join</a>" not in text


@pytest.mark.parametrize("persona", ["user", "lapsed"])
def test_people_outside_member_organizations_get_the_plain_404(request, client, group, group_member, document, persona):
    if persona == "lapsed":  # a group member whose organization lapsed
        Membership.objects.filter(organization__people__user=group_member).update(status=Membership.Status.LAPSED)
        person = group_member
    else:
        person = request.getfixturevalue("user")
    client.force_login(person)
    for url in _links(group, document.pk) + _links(group, MISSING):
        response = _get(client, url)
        text = response.content.decode()
        assert response.status_code == 404, url
        assert "We couldn't find that page" in text
        assert group.name not in text and "Request to join" not in text


def test_anonymous_visitors_are_sent_to_sign_in_whatever_the_link(client, group, document):
    for url in _links(group, document.pk) + _links(group, MISSING):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_group_members_and_staff_still_get_the_document(client, group, group_member, staff_user, document):
    for person in (group_member, staff_user):
        sign_in_as(client, person)
        response = _get(client, _links(group, document.pk)[0])
        assert response.status_code == 200 and document.title in response.content.decode()
        assert _get(client, _links(group, MISSING)[0]).status_code == 404


def test_a_member_of_another_group_is_offered_this_one(client, group, chair, other_group_member, document):
    client.force_login(other_group_member)
    response = _get(client, _links(group, document.pk)[0])
    assert response.status_code == 404 and "Request to join" in response.content.decode()
    assert not GroupMembership.objects.filter(group=group, user=other_group_member).exists()
