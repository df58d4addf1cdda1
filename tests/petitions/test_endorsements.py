"""Organizational endorsements: confirmation by email, then staff moderation, then the wall."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from cma.models import AuditEntry
from petitions import services
from petitions.models import Endorsement
from tests import factories

from .conftest import link

pytestmark = pytest.mark.django_db


def _png(size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "#b35c1e").save(out, format="PNG")
    return out.getvalue()


def _confirmed(endorse, client, mailoutbox, **changes) -> Endorsement:
    endorse(**changes)
    client.post(link(mailoutbox[-1], "confirm"))
    return Endorsement.objects.get()


def test_endorsing_stores_an_unconfirmed_endorsement_and_emails_the_contact(endorse, petition, mailoutbox):
    response = endorse()

    assert response.status_code == 302
    assert response["Location"].endswith("?for=endorsement")
    endorsement = Endorsement.objects.get()
    assert endorsement.status == Endorsement.Status.UNCONFIRMED
    assert (endorsement.organization_name, endorsement.scope, endorsement.state) == (
        "Great Lakes Mining Watch",
        "state",
        "MI",
    )
    assert endorsement.authorized is True
    assert [m.to for m in mailoutbox] == [["dana@greatlakesminingwatch.example"]]
    assert link(mailoutbox[0], "confirm") and link(mailoutbox[0], "withdraw")


def test_confirming_puts_the_endorsement_in_the_moderation_queue_not_on_the_wall(endorse, client, petition, mailoutbox):
    endorsement = _confirmed(endorse, client, mailoutbox)

    assert endorsement.status == Endorsement.Status.PENDING
    html = client.get(petition.get_absolute_url()).content.decode()
    assert "Great Lakes Mining Watch" not in html


def test_approval_lists_it_under_its_state_and_tells_the_contact(
    endorse, client, petition, mailoutbox, staff_user, django_capture_on_commit_callbacks
):
    endorsement = _confirmed(endorse, client, mailoutbox)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.endorsement_approve(actor=staff_user, endorsement=endorsement)

    endorsement.refresh_from_db()
    assert endorsement.status == Endorsement.Status.APPROVED
    assert endorsement.moderated_by == staff_user
    assert len(mailoutbox) == 1 and "now listed" in mailoutbox[0].subject
    assert "State or Local Organizations, Michigan" in mailoutbox[0].body
    wall = client.get(petition.get_absolute_url()).context["wall"]
    assert [g.name for g in wall.states] == ["Michigan"]
    assert [e.organization_name for e in wall.states[0].endorsements] == ["Great Lakes Mining Watch"]
    assert AuditEntry.objects.filter(action="petitions.endorsement.approve", actor=staff_user).count() == 1


def test_rejection_needs_a_reason_and_sends_it(
    endorse, client, mailoutbox, staff_user, django_capture_on_commit_callbacks
):
    endorsement = _confirmed(endorse, client, mailoutbox)
    with pytest.raises(ValidationError):
        services.endorsement_reject(actor=staff_user, endorsement=endorsement, reason="   ")
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.endorsement_reject(actor=staff_user, endorsement=endorsement, reason="We could not verify it.")

    endorsement.refresh_from_db()
    assert endorsement.status == Endorsement.Status.REJECTED
    assert endorsement.rejection_reason == "We could not verify it."
    assert "We could not verify it." in mailoutbox[0].body


@pytest.mark.parametrize(
    ("status", "action"),
    [
        ("unconfirmed", "approve"),
        ("approved", "approve"),
        ("withdrawn", "approve"),
        ("unconfirmed", "reject"),
        ("rejected", "reject"),
        ("withdrawn", "reject"),
        ("pending", "feature"),
        ("rejected", "feature"),
    ],
)
def test_moderation_transitions_are_refused_from_other_states(status, action, staff_user):
    endorsement = factories.EndorsementFactory(status=status)
    calls = {
        "approve": lambda: services.endorsement_approve(actor=staff_user, endorsement=endorsement),
        "reject": lambda: services.endorsement_reject(actor=staff_user, endorsement=endorsement, reason="No."),
        "feature": lambda: services.endorsement_set_featured(actor=staff_user, endorsement=endorsement, featured=True),
    }

    with pytest.raises(services.WrongState):
        calls[action]()

    endorsement.refresh_from_db()
    assert endorsement.status == status
    assert endorsement.featured is False


def test_a_rejected_endorsement_can_be_approved_after_all(staff_user):
    endorsement = factories.EndorsementFactory(status="rejected", rejection_reason="Oops")

    services.endorsement_approve(actor=staff_user, endorsement=endorsement)

    endorsement.refresh_from_db()
    assert (endorsement.status, endorsement.rejection_reason) == ("approved", "")


def test_featuring_shows_the_organization_apart_and_rejecting_unfeatures_it(client, petition, staff_user):
    endorsement = factories.EndorsementFactory(petition=petition, organization_name="Featured Friends")

    services.endorsement_set_featured(actor=staff_user, endorsement=endorsement, featured=True)
    wall = client.get(petition.get_absolute_url()).context["wall"]
    assert [e.organization_name for e in wall.featured] == ["Featured Friends"]
    with pytest.raises(services.AlreadyDone):
        services.endorsement_set_featured(actor=staff_user, endorsement=endorsement, featured=True)

    services.endorsement_reject(actor=staff_user, endorsement=endorsement, reason="Not a real organization.")
    endorsement.refresh_from_db()
    assert endorsement.featured is False
    assert "Featured Friends" not in client.get(petition.get_absolute_url()).content.decode()


def test_the_wall_groups_national_and_state_alphabetically_with_counts(client, petition):
    for name, scope, state in [
        ("Zephyr Alliance", "national", ""),
        ("The Aspen Network", "national", ""),
        ("Bayou Water Keepers", "state", "LA"),
        ("Austin Fair Trade", "state", "TX"),
        ("Alamo Neighbors", "state", "TX"),
        ("Pending Org", "state", "TX"),
    ]:
        factories.EndorsementFactory(
            petition=petition,
            organization_name=name,
            scope=scope,
            state=state,
            status="pending" if name == "Pending Org" else "approved",
        )

    response = client.get(petition.get_absolute_url())

    wall = response.context["wall"]
    assert [e.organization_name for e in wall.national] == ["The Aspen Network", "Zephyr Alliance"]
    assert [(g.name, [e.organization_name for e in g.endorsements]) for g in wall.states] == [
        ("Louisiana", ["Bayou Water Keepers"]),
        ("Texas", ["Alamo Neighbors", "Austin Fair Trade"]),
    ]
    html = response.content.decode()
    assert "National Organizations" in html and "State or Local Organizations" in html
    assert "5 organizations have signed on: 2 national, 3 state or local." in html
    assert "Pending Org" not in html


def test_the_same_organization_from_the_same_contact_is_stored_once(endorse, mailoutbox, settings):
    settings.PETITIONS_RATE_LIMIT_PER_EMAIL = "100/h"
    endorse()
    endorse(organization_name="great lakes  mining watch", contact_email="DANA@greatlakesminingwatch.example")

    assert Endorsement.objects.count() == 1
    assert len(mailoutbox) == 1


def test_resubmitting_a_confirmed_endorsement_sends_a_note_and_changes_nothing(
    endorse, client, mailoutbox, settings, monkeypatch
):
    endorsement = _confirmed(endorse, client, mailoutbox)
    mailoutbox.clear()

    endorse(website="https://changed.example")

    endorsement.refresh_from_db()
    assert endorsement.website == "https://greatlakesminingwatch.example"
    assert endorsement.status == Endorsement.Status.PENDING
    assert len(mailoutbox) == 1 and "has already endorsed" in mailoutbox[0].subject


def test_state_or_local_endorsements_need_a_state(endorse, petition):
    response = endorse(state="")

    assert response.status_code == 200
    assert "state" in response.context["endorse_form"].errors
    assert Endorsement.objects.count() == 0


def test_national_endorsements_drop_any_state(endorse):
    endorse(scope="national", state="MI")

    assert Endorsement.objects.get().state == ""


def test_the_authorization_statement_is_required(endorse):
    response = endorse(authorized=None)

    assert "authorized" in response.context["endorse_form"].errors
    assert Endorsement.objects.count() == 0


def test_a_logo_is_sniffed_reencoded_and_stored_under_a_random_name(endorse, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    endorse(logo=SimpleUploadedFile("../../evil name.png.exe", _png(), content_type="application/x-msdownload"))

    endorsement = Endorsement.objects.get()
    assert endorsement.logo.name.startswith("petitions/logos/")
    assert endorsement.logo.name.endswith(".png")
    assert "evil" not in endorsement.logo.name
    with Image.open(endorsement.logo.path) as stored:
        assert stored.format == "PNG"


def test_a_file_that_is_not_an_image_is_refused(endorse, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = endorse(logo=SimpleUploadedFile("logo.png", b"<?php echo 'hi'; ?>", content_type="image/png"))

    assert response.status_code == 200
    assert "logo" in response.context["endorse_form"].errors
    assert Endorsement.objects.count() == 0


def test_an_oversized_request_is_refused_before_it_is_read(client, petition):
    response = client.post(
        reverse("petitions:endorse", args=[petition.slug]),
        data=b"x" * (3 * 1024 * 1024 + 1),
        content_type="application/octet-stream",
    )

    assert response.status_code == 413
    assert b"too large" in response.content
    assert Endorsement.objects.count() == 0


def test_logos_are_public_only_once_approved(staff_client, settings, tmp_path):
    client = Client()  # staff_client is the default client, signed in
    settings.MEDIA_ROOT = tmp_path
    pending = factories.EndorsementFactory(status="pending")
    approved = factories.EndorsementFactory(status="approved")
    for endorsement in (pending, approved):
        endorsement.logo.save("x.png", io.BytesIO(_png()), save=True)

    refused = client.get(reverse("petitions:endorsement_logo", args=[pending.pk]))
    served = client.get(reverse("petitions:endorsement_logo", args=[approved.pk]))
    for_staff = staff_client.get(reverse("petitions:endorsement_logo", args=[pending.pk]))

    assert refused.status_code == 404
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert served["Content-Disposition"].startswith("attachment")
    assert b"".join(served.streaming_content).startswith(b"\x89PNG")
    assert for_staff.status_code == 200
    assert for_staff["Cache-Control"] == "private, no-store"
    served.close()
    for_staff.close()


def test_withdrawing_an_approved_endorsement_takes_it_off_the_wall_and_erases_the_contact(
    endorse, client, petition, mailoutbox, staff_user
):
    endorsement = _confirmed(endorse, client, mailoutbox)
    services.endorsement_approve(actor=staff_user, endorsement=endorsement)
    path = link(mailoutbox[0], "withdraw")

    client.post(path)

    endorsement.refresh_from_db()
    assert endorsement.status == Endorsement.Status.WITHDRAWN
    assert (endorsement.contact_name, endorsement.contact_email) == ("", "")
    assert "Great Lakes Mining Watch" not in client.get(petition.get_absolute_url()).content.decode()
    again = client.post(path, follow=True)
    assert b"already withdrawn" in again.content


def test_staff_can_correct_a_listing_and_the_wall_follows(client, petition, staff_user):
    endorsement = factories.EndorsementFactory(petition=petition, organization_name="Great Lakse Watch")
    client.get(petition.get_absolute_url())  # caches the wall

    services.endorsement_update(
        actor=staff_user, endorsement=endorsement, fields={"organization_name": "Great Lakes Watch"}
    )

    html = client.get(petition.get_absolute_url()).content.decode()
    assert "Great Lakes Watch" in html and "Great Lakse" not in html


def test_the_wall_cache_is_refreshed_when_moderation_changes_it(client, petition, staff_user):
    pending = factories.EndorsementFactory(petition=petition, status="pending", organization_name="Newly Approved")
    assert "Newly Approved" not in client.get(petition.get_absolute_url()).content.decode()

    services.endorsement_approve(actor=staff_user, endorsement=pending)

    assert "Newly Approved" in client.get(petition.get_absolute_url()).content.decode()
