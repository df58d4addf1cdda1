"""Bulk moderation in the staff queue: approve or reject the endorsements ticked
(or all on the page), each through the one-at-a-time services, each refusal
reported, staff only."""

from __future__ import annotations

import re

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from cma.models import AuditEntry
from petitions.models import Endorsement
from tests import factories
from tests.support.mfa import sign_in_with_second_factor

pytestmark = pytest.mark.django_db

QUEUE = "/staff/petitions/moderation/"


@pytest.fixture
def pending(petition):
    return [
        factories.EndorsementFactory(petition=petition, status="pending", organization_name=name)
        for name in ("Alpha Watershed Alliance", "Bayou Keepers", "Copper Country Neighbors")
    ]


def _post(client, data, *, url=QUEUE, capture=None):
    if capture is None:
        return client.post(url, data)
    with capture(execute=True):
        return client.post(url, data)


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _statuses(rows) -> list[str]:
    return [Endorsement.objects.get(pk=e.pk).status for e in rows]


def test_approving_the_selected_endorsements_approves_each_through_the_service(
    staff_client, staff_user, pending, mailoutbox, django_capture_on_commit_callbacks
):
    chosen = pending[:2]

    response = _post(
        staff_client,
        {"action": "approve", "endorsement": [e.pk for e in chosen]},
        capture=django_capture_on_commit_callbacks,
    )

    assert response.status_code == 302 and response["Location"] == QUEUE
    assert _statuses(pending) == ["approved", "approved", "pending"]
    assert _messages(response) == ["Approved 2 endorsements."]
    audited = AuditEntry.objects.filter(action="petitions.endorsement.approve", actor=staff_user)
    assert sorted(int(a.object_id) for a in audited) == sorted(e.pk for e in chosen)
    assert sorted(m.to[0] for m in mailoutbox) == sorted(e.contact_email for e in chosen)
    assert all("now listed" in m.subject for m in mailoutbox)


def test_rejecting_the_selected_sends_each_contact_the_one_reason(
    staff_client, pending, mailoutbox, django_capture_on_commit_callbacks
):
    response = _post(
        staff_client,
        {"action": "reject", "endorsement": [pending[0].pk, pending[2].pk], "reason": "  Not an organization.  "},
        capture=django_capture_on_commit_callbacks,
    )

    assert _messages(response) == ["Rejected 2 endorsements."]
    assert _statuses(pending) == ["rejected", "pending", "rejected"]
    assert {Endorsement.objects.get(pk=pending[0].pk).rejection_reason} == {"Not an organization."}
    assert len(mailoutbox) == 2 and all("Not an organization." in m.body for m in mailoutbox)
    assert AuditEntry.objects.filter(action="petitions.endorsement.reject", note="Not an organization.").count() == 2


def test_a_rejection_without_a_reason_changes_nothing_and_keeps_the_selection(staff_client, pending, mailoutbox):
    response = _post(staff_client, {"action": "reject", "endorsement": [pending[0].pk, pending[1].pk], "reason": " "})

    assert response.status_code == 400
    assert "Give the organizations a reason" in str(response.context["bulk"].errors["reason"])
    html = response.content.decode()
    assert re.search(rf'id="select-{pending[0].pk}"[^>]*checked', html)
    assert not re.search(rf'id="select-{pending[2].pk}"[^>]*checked', html)
    assert _statuses(pending) == ["pending"] * 3
    assert not AuditEntry.objects.exists() and mailoutbox == []


def test_select_all_on_the_page_works_without_javascript(staff_client, petition):
    factories.EndorsementFactory.create_batch(23, petition=petition, status="pending")
    page = staff_client.get(QUEUE).content.decode()
    on_page = re.findall(r'name="on_page" value="(\d+)"', page)
    assert len(on_page) == 20  # the page, not the whole queue

    response = _post(staff_client, {"action": "approve", "all_on_page": "on", "on_page": on_page})

    assert _messages(response) == ["Approved 20 endorsements."]
    assert Endorsement.objects.filter(status="pending").count() == 3


def test_each_endorsement_left_as_it_was_is_reported_and_the_rest_go_through(staff_client, staff_user, pending):
    other_petition = factories.EndorsementFactory(status="pending", organization_name="Elsewhere Org")
    taken = factories.EndorsementFactory(
        petition=pending[0].petition, status="pending", organization_name="Friends of {Everything}"
    )
    withdrawn = factories.EndorsementFactory(petition=pending[0].petition, status="pending")
    url = f"{QUEUE}?petition={pending[0].petition_id}"
    staff_client.get(url)
    # Meanwhile another moderator rejects one, and a contact withdraws another.
    Endorsement.objects.filter(pk=taken.pk).update(status="rejected", rejection_reason="Spam.")
    Endorsement.objects.filter(pk=withdrawn.pk).update(status="withdrawn")

    response = _post(
        staff_client,
        {"action": "approve", "endorsement": [pending[0].pk, taken.pk, withdrawn.pk, 999_999, other_petition.pk]},
        url=url,
    )

    assert response.status_code == 302 and response["Location"] == url
    assert _messages(response) == [
        "Approved 1 endorsement; 1 was already rejected; 1 was withdrawn; 1 was not found; "
        "1 belongs to another petition.",
        "“Friends of {Everything}” was already rejected.",
        f"“{withdrawn.organization_name}” was withdrawn.",
        "Endorsement #999999 was not found.",
        "“Elsewhere Org” belongs to another petition than the one chosen.",
    ]
    assert _statuses([pending[0], taken, withdrawn, other_petition]) == ["approved", "rejected", "withdrawn", "pending"]
    assert AuditEntry.objects.filter(actor=staff_user).count() == 1


def test_the_same_decision_sent_twice_approves_once(
    staff_client, pending, mailoutbox, django_capture_on_commit_callbacks
):
    data = {"action": "approve", "endorsement": [pending[0].pk, pending[1].pk]}
    _post(staff_client, data, capture=django_capture_on_commit_callbacks)

    again = _post(staff_client, data, capture=django_capture_on_commit_callbacks)

    assert _messages(again)[-3:] == [
        "Approved 0 endorsements; 2 were already approved.",
        "“Alpha Watershed Alliance” was already approved.",
        "“Bayou Keepers” was already approved.",
    ]
    assert AuditEntry.objects.filter(action="petitions.endorsement.approve").count() == 2
    assert len(mailoutbox) == 2


def test_a_bulk_approval_never_overturns_a_rejection(staff_client, pending):
    Endorsement.objects.filter(pk=pending[0].pk).update(status="rejected", rejection_reason="Not real.")

    _post(staff_client, {"action": "approve", "endorsement": [pending[0].pk]})

    assert _statuses(pending[:1]) == ["rejected"]


def test_at_most_100_at_a_time(staff_client, petition):
    rows = factories.EndorsementFactory.create_batch(101, petition=petition, status="pending")

    response = _post(staff_client, {"action": "approve", "endorsement": [e.pk for e in rows]})

    assert response.status_code == 400
    assert b"Select at most 100 endorsements at a time." in response.content
    assert not Endorsement.objects.exclude(status="pending").exists()


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"action": "approve"}, "Select at least one endorsement."),
        ({"action": "approve", "endorsement": ["12abc"]}, "is not an endorsement number"),
        ({"action": "publish", "endorsement": ["1"]}, "Select a valid choice"),
    ],
    ids=["nothing-selected", "not-a-number", "unknown-action"],
)
def test_a_malformed_decision_is_an_error_on_the_page(staff_client, pending, data, error):
    response = _post(staff_client, data)

    assert response.status_code == 400
    assert error in response.content.decode()
    assert _statuses(pending) == ["pending"] * 3


@pytest.mark.parametrize("persona", ["user", "member", "primary_contact", "applicant"])
def test_people_who_are_not_staff_are_refused_and_nothing_changes(client, persona, request, pending, mailoutbox):
    client.force_login(request.getfixturevalue(persona))

    response = _post(client, {"action": "approve", "endorsement": [e.pk for e in pending]})

    assert response.status_code == 403
    assert _statuses(pending) == ["pending"] * 3
    assert not AuditEntry.objects.exists() and mailoutbox == []


def test_anonymous_visitors_and_staff_without_a_second_factor_are_sent_away(client, staff_without_mfa, pending):
    data = {"action": "approve", "endorsement": [e.pk for e in pending]}

    anonymous = _post(client, data)
    client.force_login(staff_without_mfa)
    without_mfa = _post(client, data)

    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("account_login"))
    assert without_mfa.status_code == 302 and without_mfa["Location"] == reverse("mfa_activate_totp")
    assert _statuses(pending) == ["pending"] * 3
    assert not AuditEntry.objects.exists()


def test_the_decision_needs_a_csrf_token(staff_user, pending):
    client = Client(enforce_csrf_checks=True)
    sign_in_with_second_factor(client, staff_user)

    response = _post(client, {"action": "approve", "endorsement": [e.pk for e in pending]})

    assert response.status_code == 403
    assert _statuses(pending) == ["pending"] * 3


def test_each_pending_row_has_a_checkbox_named_for_its_organization(staff_client, pending):
    html = staff_client.get(QUEUE).content.decode()

    for e in pending:
        assert (
            f'<input type="checkbox" id="select-{e.pk}" name="endorsement" value="{e.pk}" form="bulk-moderation">'
            in html
        )
        assert f'<label for="select-{e.pk}" class="visually-hidden">Select {e.organization_name}</label>' in html
    assert 'id="bulk-moderation"' in html and "Approve selected" in html and "Reject selected" in html
    assert html.count("staff/petitions/endorsements/") >= 3 * 2  # the per-row buttons stay
    assert not re.search(r"<script(?![^>]*\bsrc=)", html) and " style=" not in html


def test_other_statuses_have_no_bulk_decision(staff_client):
    factories.EndorsementFactory(status="approved")

    html = staff_client.get(QUEUE, {"status": "approved"}).content.decode()

    assert 'id="bulk-moderation"' not in html and 'name="endorsement"' not in html
