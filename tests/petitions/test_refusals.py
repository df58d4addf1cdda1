"""What each kind of refusal looks like to the person who met it: the petition
page as it is, a note on the link's page, a message where staff were, an
admin warning — never a 500."""

from __future__ import annotations

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.urls import reverse

from cma.errors import Conflict
from petitions import services
from petitions.models import Endorsement, Signature
from tests import factories

from .conftest import link

pytestmark = pytest.mark.django_db


def test_a_conflict_while_signing_is_shown_in_the_form(sign, petition, monkeypatch):
    def refuse(**kwargs):
        raise Conflict("We could not record that just now. Please try again.")

    monkeypatch.setattr(services, "signature_sign", refuse)

    response = sign()

    assert response.status_code == 400
    assert response.context["sign_form"].non_field_errors() == ["We could not record that just now. Please try again."]
    assert "We could not record that just now." in response.content.decode()


def test_a_conflict_while_endorsing_is_shown_in_the_form(endorse, monkeypatch):
    def refuse(**kwargs):
        raise Conflict(
            "This contact already has a live endorsement under that organization name.", field="contact_email"
        )

    monkeypatch.setattr(services, "endorsement_submit", refuse)

    response = endorse()

    assert response.status_code == 400
    assert response.context["endorse_form"].errors["contact_email"] == [
        "This contact already has a live endorsement under that organization name."
    ]


def test_confirming_a_withdrawn_signature_explains_itself_on_the_links_page(sign, client, petition, mailoutbox):
    sign()
    client.post(link(mailoutbox[0], "withdraw"))

    response = client.post(link(mailoutbox[0], "confirm"))

    assert response.status_code == 409
    html = response.content.decode()
    assert "This link can&#x27;t be used" in html
    assert "This signature was withdrawn, so it can&#x27;t be confirmed." in html
    assert petition.get_absolute_url() in html  # the way back to the petition
    assert Signature.objects.get().status == Signature.Status.WITHDRAWN


def test_withdrawing_a_rejected_endorsement_explains_itself_on_the_links_page(endorse, client, mailoutbox, staff_user):
    endorse()
    client.post(link(mailoutbox[0], "confirm"))
    services.endorsement_reject(actor=staff_user, endorsement=Endorsement.objects.get(), reason="Not real.")

    response = client.post(link(mailoutbox[0], "withdraw"))

    assert response.status_code == 409
    assert b"not on the wall and cannot be withdrawn" in response.content


def test_featuring_twice_says_so_where_staff_were(staff_client):
    endorsement = factories.EndorsementFactory(featured=True)
    where = reverse("staff:petitions:endorsement", args=[endorsement.pk])

    response = staff_client.post(reverse("staff:petitions:feature", args=[endorsement.pk]), {"next": where})

    assert response.status_code == 302 and response["Location"] == where
    assert [str(m) for m in get_messages(response.wsgi_request)] == [f"“{endorsement}” is already featured."]


def test_an_admin_edit_the_service_refuses_is_a_warning_and_changes_nothing(admin_client):
    kept = factories.EndorsementFactory(organization_name="Great Lakes Watch", contact_email="dana@lakes.example")
    renamed = factories.EndorsementFactory(
        petition=kept.petition, organization_name="Lakes Watch", contact_email="dana@lakes.example"
    )

    response = admin_client.post(
        reverse("admin:petitions_endorsement_change", args=[renamed.pk]),
        {"organization_name": "Great Lakes Watch", "scope": "state", "state": "MI", "website": ""},
        follow=True,
    )

    assert "This contact already has a live endorsement under that organization name." in response.content.decode()
    renamed.refresh_from_db()
    assert renamed.organization_name == "Lakes Watch"


def test_admin_actions_report_each_refusal(admin_client):
    open_one = factories.PetitionFactory()
    draft = factories.PetitionFactory(status="draft")

    response = admin_client.post(
        reverse("admin:petitions_petition_changelist"),
        {"action": "close", ACTION_CHECKBOX_NAME: [open_one.pk, draft.pk]},
        follow=True,
    )

    html = response.content.decode()
    assert "Closed: 1." in html
    assert f"Only open petitions can be closed; “{draft}” is draft." in html
