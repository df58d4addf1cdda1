"""The admin calls the same services as the staff pages; the demo data is the seeds/002 page."""

from __future__ import annotations

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from cma.models import AuditEntry
from petitions import demo, selectors
from petitions.models import Endorsement, Petition, Signature
from tests import factories

pytestmark = pytest.mark.django_db


def test_admin_actions_moderate_through_the_services(admin_client, mailoutbox, django_capture_on_commit_callbacks):
    pending = factories.EndorsementFactory(status="pending")
    withdrawn = factories.EndorsementFactory(status="withdrawn")
    url = reverse("admin:petitions_endorsement_changelist")

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            url, {"action": "approve", ACTION_CHECKBOX_NAME: [pending.pk, withdrawn.pk]}, follow=True
        )

    pending.refresh_from_db()
    withdrawn.refresh_from_db()
    assert (pending.status, withdrawn.status) == ("approved", "withdrawn")
    assert b"Approved: 1." in response.content
    assert b"this one is withdrawn" in response.content
    assert len(mailoutbox) == 1
    assert AuditEntry.objects.filter(action="petitions.endorsement.approve").count() == 1


def test_admin_reject_asks_for_a_reason_first(admin_client):
    endorsement = factories.EndorsementFactory(status="pending")
    url = reverse("admin:petitions_endorsement_changelist")

    ask = admin_client.post(url, {"action": "reject", ACTION_CHECKBOX_NAME: [endorsement.pk]})
    assert ask.status_code == 200 and b"Reject and send the reason" in ask.content
    endorsement.refresh_from_db()
    assert endorsement.status == "pending"

    admin_client.post(
        url, {"action": "reject", "apply": "1", "reason": "Duplicate.", ACTION_CHECKBOX_NAME: [endorsement.pk]}
    )
    endorsement.refresh_from_db()
    assert (endorsement.status, endorsement.rejection_reason) == ("rejected", "Duplicate.")


def test_admin_petition_actions_and_edits_are_audited(admin_client):
    draft = factories.PetitionFactory(status="draft")

    admin_client.post(
        reverse("admin:petitions_petition_changelist"), {"action": "publish", ACTION_CHECKBOX_NAME: [draft.pk]}
    )

    draft.refresh_from_db()
    assert draft.status == "open"
    assert AuditEntry.objects.filter(action="petitions.petition.publish", object_id=str(draft.pk)).exists()


def test_admin_withdraw_action_erases_signatures(admin_client, petition):
    signature = factories.SignatureFactory(petition=petition, name="Erase Me")

    admin_client.post(
        reverse("admin:petitions_signature_changelist"), {"action": "withdraw", ACTION_CHECKBOX_NAME: [signature.pk]}
    )

    signature.refresh_from_db()
    assert (signature.status, signature.name) == ("withdrawn", "")


def test_admin_pages_render(admin_client, petition):
    factories.EndorsementFactory(petition=petition)
    factories.SignatureFactory(petition=petition)
    for name in ("petition", "endorsement", "signature"):
        assert admin_client.get(reverse(f"admin:petitions_{name}_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:petitions_petition_change", args=[petition.pk])).status_code == 200
    assert admin_client.get(reverse("admin:petitions_petition_add")).status_code == 200


def test_demo_seed_builds_the_seeds_002_page_and_is_idempotent(client):
    demo.seed()
    demo.seed()

    petition = Petition.objects.get(slug=demo.SLUG)
    assert petition.title == "Critical Minerals Agreements Must Prioritize Labor, Environmental and Human Rights"
    assert list(petition.faq_items.values_list("question", flat=True))[0] == "What are Critical Minerals?"
    assert petition.resources.count() == 9
    assert petition.resources.first().publisher == "Report by Public Citizen"
    wall = selectors.endorsement_wall(petition)
    assert len(wall.national) == len(demo.NATIONAL)
    assert wall.state_total == sum(len(v) for v in demo.STATE_LOCAL.values())
    assert Endorsement.objects.filter(petition=petition, status="pending").count() == len(demo.PENDING)
    assert selectors.signature_count(petition) > 100
    assert Petition.objects.filter(status="closed").count() == 1
    assert Petition.objects.filter(status="draft").count() == 1
    html = client.get(petition.get_absolute_url()).content.decode()
    assert "Concerns About a Potential Critical Minerals Agreement with Indonesia" in html
    assert "Letter from 17 Civil Society Organizations, November 2023" in html


def test_demo_scale_adds_endorsements_in_bulk():
    demo.seed()
    petition = Petition.objects.get(slug=demo.SLUG)
    before = selectors.endorsement_wall(petition).total

    demo.seed_scale(200)

    assert selectors.endorsement_wall(petition).total == before + 200
    assert Signature.objects.filter(petition=petition, email__contains=".s0-").count() == 2000


def test_the_demo_keeps_the_day_roll_up_equal_to_its_confirmed_signatures():
    from petitions.models import SignatureDay

    demo.seed()
    demo.seed_scale(100)
    for petition in Petition.objects.all():
        confirmed = Signature.objects.filter(petition=petition, status=Signature.Status.CONFIRMED).count()
        counted = sum(SignatureDay.objects.filter(petition=petition).values_list("confirmed", flat=True))
        assert counted == confirmed
    assert SignatureDay.objects.exists()
