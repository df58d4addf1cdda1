"""An organization's people: invitations, roles, the last primary contact, the profile."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from cma.errors import Conflict, Refused
from members import services
from members.models import Invitation, Organization, OrganizationMember
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def contact():
    """The primary contact's place in an active member organization."""
    return factories.PrimaryContactFactory()


def _invite(contact, email="colleague@example.org", role="representative"):
    return services.invitation_create(actor=contact.user, organization=contact.organization, email=email, role=role)


def _token_from(mail) -> str:
    return re.search(r"/invitations/([^/\s]+)/", mail.body).group(1)


def test_an_invitation_email_links_to_a_signed_token(contact, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = _invite(contact)

    assert mailoutbox[0].to == ["colleague@example.org"]
    assert contact.organization.name in mailoutbox[0].subject
    lookup = services.invitation_from_token(_token_from(mailoutbox[0]))
    assert lookup.invitation == invitation
    assert lookup.problem == ""


def test_accepting_after_sign_up_joins_the_organization(
    client, contact, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(contact)
    newcomer = factories.UserFactory(email="colleague@example.org")
    client.force_login(newcomer)

    response = client.post(reverse("members:invitation", args=[_token_from(mailoutbox[0])]))

    assert response.status_code == 302
    person = OrganizationMember.objects.get(user=newcomer)
    assert (person.organization, person.role) == (contact.organization, "representative")
    assert Invitation.objects.get().accepted_by == newcomer


def test_the_invitation_waits_on_the_dashboard_and_joins_from_there(client, contact):
    invitation = _invite(contact)
    newcomer = factories.UserFactory(email="colleague@example.org")
    client.force_login(newcomer)

    page = client.get(reverse("dashboard"))
    assert contact.organization.name.encode() in page.content
    client.post(reverse("members:accept_invitation", args=[invitation.pk]))

    assert OrganizationMember.objects.filter(user=newcomer, organization=contact.organization).exists()


def test_someone_else_cannot_use_an_invitation_sent_to_another_address(client, contact):
    invitation = _invite(contact)
    stranger = factories.UserFactory(email="stranger@example.org")
    client.force_login(stranger)

    client.post(reverse("members:accept_invitation", args=[invitation.pk]))

    assert not OrganizationMember.objects.filter(user=stranger).exists()
    assert Invitation.objects.get().accepted_at is None


def test_an_unverified_address_cannot_accept(client, contact):
    invitation = _invite(contact)
    newcomer = factories.UserFactory(email="colleague@example.org", verified_email=False)
    EmailAddress.objects.create(user=newcomer, email=newcomer.email, verified=False, primary=True)

    with pytest.raises(Refused, match="Sign in with that address"):
        services.invitation_accept(user=newcomer, invitation=invitation)


@pytest.mark.parametrize("mangle", [lambda t: t[:-2] + ("AA" if t[-2:] != "AA" else "BB"), lambda t: "nonsense"])
def test_a_tampered_invitation_link_is_refused(client, contact, mailoutbox, django_capture_on_commit_callbacks, mangle):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(contact)
    client.force_login(factories.UserFactory(email="colleague@example.org"))

    response = client.post(reverse("members:invitation", args=[mangle(_token_from(mailoutbox[0]))]))

    assert response.status_code == 400
    assert b"not valid" in response.content
    assert OrganizationMember.objects.count() == 1


def test_an_expired_invitation_link_is_refused(
    client, contact, settings, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(contact)
    settings.INVITATION_MAX_AGE_DAYS = -1  # every link is older than that

    response = client.get(reverse("members:invitation", args=[_token_from(mailoutbox[0])]))

    assert response.status_code == 400
    assert b"expired" in response.content


def test_inviting_someone_already_in_the_organization_is_refused(contact):
    other = factories.MemberFactory(organization=contact.organization)

    with pytest.raises(Conflict, match="already in"):
        _invite(contact, email=other.user.email.upper())

    assert not Invitation.objects.exists()


def test_a_double_click_on_invite_sends_one_email(contact, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = _invite(contact)
        second = _invite(contact, email="Colleague@Example.org")

    assert first.pk == second.pk
    assert Invitation.objects.count() == 1
    assert len(mailoutbox) == 1


def test_inviting_again_later_resends_the_same_invitation(
    contact, mailoutbox, django_capture_on_commit_callbacks, monkeypatch
):
    with django_capture_on_commit_callbacks(execute=True):
        first = _invite(contact)
    later = timezone.now() + timedelta(minutes=5)
    monkeypatch.setattr(services.organizations.timezone, "now", lambda: later)
    with django_capture_on_commit_callbacks(execute=True):
        second = _invite(contact)

    assert first.pk == second.pk
    assert Invitation.objects.count() == 1
    assert len(mailoutbox) == 2


def test_a_revoked_invitation_cannot_be_accepted(contact):
    invitation = _invite(contact)
    services.invitation_revoke(actor=contact.user, invitation=invitation)
    newcomer = factories.UserFactory(email="colleague@example.org")

    with pytest.raises(Conflict):
        services.invitation_accept(user=newcomer, invitation=invitation)


def test_the_last_primary_contact_can_be_neither_removed_nor_demoted(contact):
    with pytest.raises(Conflict, match="always needs a primary contact"):
        services.organization_member_remove(actor=contact.user, member=contact)
    with pytest.raises(Conflict, match="always needs a primary contact"):
        services.organization_member_change_role(actor=contact.user, member=contact, role="representative")

    contact.refresh_from_db()
    assert contact.role == "primary"


def test_with_a_second_primary_contact_the_first_can_step_down(contact):
    other = factories.MemberFactory(organization=contact.organization, role="representative")
    services.organization_member_change_role(actor=contact.user, member=other, role="primary")

    services.organization_member_change_role(actor=contact.user, member=contact, role="billing")

    roles = dict(OrganizationMember.objects.values_list("user__email", "role"))
    assert roles == {other.user.email: "primary", contact.user.email: "billing"}


def test_removing_the_last_primary_contact_through_the_page_shows_why(client, contact):
    client.force_login(contact.user)

    response = client.post(reverse("members:remove_person", args=[contact.organization.slug, contact.pk]), follow=True)

    assert b"always needs a primary contact" in response.content
    assert OrganizationMember.objects.filter(pk=contact.pk).exists()


# --- The profile and its logo ------------------------------------------------------------


def _png(size=(300, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (18, 50, 79)).save(out, format="PNG")
    return out.getvalue()


def _edit(client, organization, **overrides):
    data = {
        "name": organization.name,
        "legal_name": organization.legal_name,
        "website": organization.website,
        "description": organization.description,
        "hq_city": "Reno",
        "hq_state": "NV",
        "hq_country": "United States",
        "size_band": "51-200",
        "segments": [s.pk for s in organization.segments.all()],
        "public_listing": "on",
    }
    data.update(overrides)
    return client.post(reverse("members:edit", args=[organization.slug]), data)


def test_a_logo_is_re_encoded_and_served_through_the_checked_view(client, contact, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(contact.user)

    response = _edit(
        client, contact.organization, logo_upload=SimpleUploadedFile("logo.jpg", _png((1600, 900)), "image/jpeg")
    )

    assert response.status_code == 302
    organization = Organization.objects.get(pk=contact.organization.pk)
    assert organization.logo.name.startswith("logos/") and organization.logo.name.endswith(".png")
    assert "logo" not in organization.logo.name.removeprefix("logos/")  # a random name, not the upload's
    served = client.get(reverse("members:logo", args=[organization.slug]))
    assert served["Content-Type"] == "image/png"
    with Image.open(io.BytesIO(b"".join(served.streaming_content))) as image:
        assert max(image.size) == 512


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("logo.png", b"MZ\x90\x00 this is an executable", "must be a PNG, JPEG, GIF or WebP"),
        ("logo.png", b"", "empty"),
    ],
)
def test_a_logo_that_is_not_an_image_is_refused(client, contact, settings, tmp_path, name, content, message):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(contact.user)

    response = _edit(client, contact.organization, logo_upload=SimpleUploadedFile(name, content, "image/png"))

    assert response.status_code == 200
    assert message in str(response.context["form"].errors)
    assert not Organization.objects.get(pk=contact.organization.pk).logo


def test_a_logo_over_the_cap_is_refused(client, contact, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.LOGO_MAX_BYTES = 50_000
    client.force_login(contact.user)
    big = SimpleUploadedFile("logo.png", _png() + b"\0" * 60_000, "image/png")

    response = _edit(client, contact.organization, logo_upload=big)

    assert response.status_code == 200
    assert "the limit is" in str(response.context["form"].errors["logo_upload"])


def test_a_duplicate_organization_name_is_refused(client, contact):
    factories.OrganizationFactory(name="Copper Basin Mining Co.")
    client.force_login(contact.user)

    response = _edit(client, contact.organization, name="copper basin mining co.")

    assert response.status_code == 200
    assert "already called that" in str(response.context["form"].errors["name"])
    assert Organization.objects.get(pk=contact.organization.pk).name == contact.organization.name


def test_logo_of_an_unlisted_organization_is_not_public(client, contact, settings, tmp_path):
    Organization.objects.filter(pk=contact.organization.pk).update(public_listing=False)

    assert client.get(reverse("members:logo", args=[contact.organization.slug])).status_code == 404


def test_invitation_links_expire_after_the_configured_days(contact, settings):
    invitation = _invite(contact)
    token = services.invitation_token(invitation)
    settings.INVITATION_MAX_AGE_DAYS = 14

    assert services.invitation_from_token(token).invitation == invitation
    Invitation.objects.filter(pk=invitation.pk).update(created_at=invitation.created_at - timedelta(days=30))
    # The signature carries its own timestamp: editing the row does not revive or expire it.
    assert services.invitation_from_token(token).problem == ""
