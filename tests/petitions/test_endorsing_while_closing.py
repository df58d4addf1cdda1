"""A petition that stops taking endorsements between the moment a request read
it and the endorsement's INSERT: the INSERT checks the stored row itself, so
nothing gets in and the endorser sees the petition as it is now.

These tests change the petition the way staff in another process would — a
plain UPDATE this process hears nothing about. The race itself, on
PostgreSQL with threads, is in test_concurrency.py.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.models import OutgoingEmail
from petitions import forms, services
from petitions.models import Endorsement, Petition

from .conftest import VALID_ENDORSEMENT

pytestmark = pytest.mark.django_db

SUBMISSION = {**{k: v for k, v in VALID_ENDORSEMENT.items() if k != "authorized"}, "authorized": True}

CHANGES = {
    "closed": {"status": Petition.Status.CLOSED},
    "closing-time-passed": {"closes_at": timezone.now() - timedelta(minutes=1)},
    "not-open-yet": {"opens_at": timezone.now() + timedelta(days=1)},
    "signatures-only": {"accepts": Petition.Accepts.SIGNATURES},
    "back-to-draft": {"status": Petition.Status.DRAFT},
}


def change_elsewhere(petition: Petition, change: dict) -> None:
    """Change the row without telling this process (as staff in another worker would)."""
    Petition.objects.filter(pk=petition.pk).update(**change)


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_a_stale_copy_never_lets_an_endorsement_in(petition, change):
    stale = Petition.objects.get(pk=petition.pk)
    change_elsewhere(petition, change)

    with pytest.raises(services.NotAccepting):
        services.endorsement_submit(petition=stale, **SUBMISSION)

    assert not Endorsement.objects.exists()
    assert not OutgoingEmail.objects.exists()


def test_a_stale_copy_changes_and_resends_nothing_for_a_contact_who_had_endorsed(petition):
    services.endorsement_submit(petition=petition, **SUBMISSION)
    stale = Petition.objects.get(pk=petition.pk)
    change_elsewhere(petition, CHANGES["closed"])

    with pytest.raises(services.NotAccepting):
        services.endorsement_submit(petition=stale, **{**SUBMISSION, "website": "https://changed.example"})

    assert Endorsement.objects.get().website == VALID_ENDORSEMENT["website"]
    assert OutgoingEmail.objects.count() == 1


@pytest.fixture
def closes_while_the_form_is_checked(monkeypatch, petition):
    """Close the petition after the view has read it and found it open: in
    the middle of checking the form, just before the service runs."""

    def arm(change: dict) -> None:
        clean = forms.EndorsementForm.clean

        def clean_then_change(form):
            change_elsewhere(petition, change)
            return clean(form)

        monkeypatch.setattr(forms.EndorsementForm, "clean", clean_then_change)

    return arm


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("closed", "This petition has closed, so it no longer takes endorsements."),
        ("closing-time-passed", "This petition has closed, so it no longer takes endorsements."),
        ("not-open-yet", "This petition does not take endorsements yet."),
        ("signatures-only", "This petition does not take endorsements."),
    ],
)
def test_an_endorser_whose_petition_stopped_taking_them_a_moment_ago_sees_it_as_it_is(
    endorse, petition, mailoutbox, closes_while_the_form_is_checked, change, message
):
    closes_while_the_form_is_checked(CHANGES[change])

    response = endorse()

    assert response.status_code == 400
    assert message in response.content.decode()
    assert response.context["endorse_form"] is None  # the page as it is now: no endorsement form
    assert not Endorsement.objects.exists()
    assert mailoutbox == []


def test_a_petition_turned_back_into_a_draft_a_moment_ago_is_hidden_again(
    endorse, closes_while_the_form_is_checked, mailoutbox
):
    closes_while_the_form_is_checked(CHANGES["back-to-draft"])

    response = endorse()

    assert response.status_code == 404
    assert not Endorsement.objects.exists()
    assert mailoutbox == []


def test_an_open_petition_still_takes_the_endorsement_through_the_same_check(endorse, petition, mailoutbox):
    response = endorse()

    assert response.status_code == 302
    assert Endorsement.objects.get().petition == petition
    assert len(mailoutbox) == 1


def test_endorsing_costs_no_extra_query_for_the_check(endorse, client, petition, django_assert_num_queries):
    endorse(contact_email="first@example.org")

    # The petition, a savepoint and its release (a transaction outside
    # tests), the endorsement (its INSERT checks the petition), its email.
    with django_assert_num_queries(5) as queries:
        response = client.post(
            reverse("petitions:endorse", args=[petition.slug]),
            {**VALID_ENDORSEMENT, "contact_email": "second@example.org"},
        )

    assert response.status_code == 302
    inserts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert [sql.split()[2] for sql in inserts] == ['"petitions_endorsement"', '"notifications_outgoingemail"']
    assert "petitions_petition" in inserts[0]  # the condition travels with the INSERT
