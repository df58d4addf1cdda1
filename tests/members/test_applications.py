"""The application workflow, through the services and through the pages."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cma.errors import Conflict
from cma.models import AuditEntry
from members import services
from members.models import Application, CharterAcceptance, Dues, Membership, Organization, OrganizationMember, Segment
from notifications.models import Notification, OutgoingEmail
from tests import factories

pytestmark = pytest.mark.django_db


def _submit(application, ip="203.0.113.9"):
    return services.application_submit(
        applicant=application.applicant, application=application, ip_address=ip, user_agent="pytest-browser"
    )


def test_submitting_records_the_charter_acceptance_and_tells_staff(
    draft, charter, staff_user, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _submit(draft)

    draft.refresh_from_db()
    assert draft.status == Application.Status.SUBMITTED
    assert draft.charter_version == charter
    assert draft.charter_ip_address == "203.0.113.9"
    assert draft.charter_user_agent == "pytest-browser"
    # Staff are told; so is the applicant (test_the_applicant_is_told_what_was_received_and_what_comes_next).
    assert [m.to for m in mailoutbox] == [[staff_user.email], [draft.applicant.email]]
    assert draft.org_name in mailoutbox[0].subject
    assert f"/staff/members/applications/{draft.pk}/" in mailoutbox[0].body
    entry = AuditEntry.objects.get(action="application.submit")
    assert (entry.actor, entry.from_state, entry.to_state) == (draft.applicant, "draft", "submitted")


def _acknowledgments(mailoutbox, application):
    return [m for m in mailoutbox if m.to == [application.applicant.email] and "We received" in m.subject]


def test_the_applicant_is_told_what_was_received_and_what_comes_next(
    draft, charter, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.APPLICATION_REVIEW_DAYS = 12
    settings.SITE_URL = "https://portal.cma-usa.example"

    with django_capture_on_commit_callbacks(execute=True):
        _submit(draft)

    [mail] = _acknowledgments(mailoutbox, draft)
    assert mail.subject == f"[CMA USA] We received your application for {draft.org_name}"
    html = mail.alternatives[0][0]
    for body in (mail.body, html):
        # What was received…
        assert draft.tier.name in body
        assert "Recycling" in body  # the segment
        assert "Charter, version 1" in body
        # …what happens next: review and its usual time, the charter, the invoice…
        assert "usually within 12 business days" in body
        assert "primary contact" in body
        assert f"${draft.tier.annual_dues:,.2f}" in body
        # …and where to follow it.
        assert f"https://portal.cma-usa.example/apply/{draft.pk}/" in body
    assert "updated" not in mail.body
    notice = Notification.objects.get(user=draft.applicant)
    assert notice.url == reverse("members:application", args=[draft.pk])


def test_a_double_click_on_submit_acknowledges_once(
    user_client, user, charter, mailoutbox, django_capture_on_commit_callbacks
):
    data = _form(action="submit", accept_charter="on")

    with django_capture_on_commit_callbacks(execute=True):
        user_client.post(reverse("members:apply"), data)
        application = Application.objects.get(applicant=user)
        second = user_client.post(reverse("members:application", args=[application.pk]), data)
        with pytest.raises(Conflict):
            _submit(application)  # and the service itself, called again

    assert second.status_code == 200
    assert len(_acknowledgments(mailoutbox, application)) == 1
    assert OutgoingEmail.objects.filter(category="members/application_received").count() == 1


def test_a_resubmission_after_more_information_is_acknowledged_as_such(
    draft, charter, staff_user, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _submit(draft)
        services.application_request_info(actor=staff_user, application=draft, note="Which minerals?")
        _submit(draft)

    first, again = _acknowledgments(mailoutbox, draft)
    assert "updated" not in first.subject
    assert again.subject == f"[CMA USA] We received your updated application for {draft.org_name}"
    assert "with the information the association asked for" in again.body


def test_submitting_needs_a_published_charter(user):
    application = factories.ApplicationFactory(applicant=user)

    with pytest.raises(Conflict, match="charter has not been published"):
        _submit(application)

    application.refresh_from_db()
    assert application.status == Application.Status.DRAFT


def test_submitting_an_incomplete_application_says_what_is_missing(charter, user):
    application = factories.ApplicationFactory(applicant=user, statement="", segments=[])

    with pytest.raises(Conflict) as error:
        _submit(application)

    assert "statement of interest" in str(error.value)
    assert "segment" in str(error.value)
    application.refresh_from_db()
    assert application.status == Application.Status.DRAFT


def test_a_second_open_application_for_the_same_new_organization_is_refused(charter):
    first = factories.ApplicationFactory(org_name="Helios Recycling")
    _submit(first)
    second = factories.ApplicationFactory(org_name="helios recycling")

    with pytest.raises(Conflict, match="already being reviewed"):
        _submit(second)

    second.refresh_from_db()
    assert second.status == Application.Status.DRAFT


def test_a_new_organization_with_a_name_on_file_is_refused(charter):
    factories.OrganizationFactory(name="Sierra Lithium Resources")
    application = factories.ApplicationFactory(org_name="Sierra Lithium Resources")

    with pytest.raises(Conflict, match="already on file"):
        _submit(application)


def test_approval_creates_the_organization_membership_invoice_and_primary_contact(
    draft, charter, staff_user, mailoutbox, django_capture_on_commit_callbacks
):
    _submit(draft)

    with django_capture_on_commit_callbacks(execute=True):
        membership = services.application_approve(actor=staff_user, application=draft, note="Welcome aboard.")

    draft.refresh_from_db()
    organization = draft.organization
    assert draft.status == Application.Status.APPROVED
    assert (draft.decided_by, draft.decision_note) == (staff_user, "Welcome aboard.")
    assert organization.name == draft.org_name
    assert list(organization.segments.values_list("slug", flat=True)) == ["recycling"]
    assert membership.status == Membership.Status.ACTIVE
    assert membership.tier == draft.tier
    # A year-long term: ends the day before the anniversary.
    assert (membership.ends_on - membership.starts_on).days in (364, 365)
    assert (
        membership.ends_on.replace(year=membership.ends_on.year - 1).toordinal() + 1 == membership.starts_on.toordinal()
    )
    dues = Dues.objects.get(term__membership=membership)
    assert dues.amount == draft.tier.annual_dues
    # Billing issued the term's invoice and its number is the dues record's.
    assert dues.invoice_number.startswith("INV-")
    assert OrganizationMember.objects.get(organization=organization, user=draft.applicant).role == "primary"
    acceptance = CharterAcceptance.objects.get(organization=organization)
    assert (acceptance.version, acceptance.accepted_by, acceptance.ip_address) == (
        charter,
        draft.applicant,
        "203.0.113.9",
    )
    approval_mail = [m for m in mailoutbox if m.to == [draft.applicant.email] and "is a member" in m.subject]
    assert len(approval_mail) == 1
    assert "is a member" in approval_mail[0].subject
    assert "Welcome aboard." in approval_mail[0].body


def test_approving_twice_changes_nothing_the_second_time(draft, charter, staff_user):
    _submit(draft)
    services.application_approve(actor=staff_user, application=draft)

    with pytest.raises(Conflict, match="approved"):
        services.application_approve(actor=staff_user, application=draft)

    assert Membership.objects.count() == 1
    assert Dues.objects.count() == 1


def test_approving_a_withdrawn_application_is_refused(draft, charter, staff_user):
    _submit(draft)
    services.application_withdraw(applicant=draft.applicant, application=draft)

    with pytest.raises(Conflict, match="You can't approve an application that is withdrawn"):
        services.application_approve(actor=staff_user, application=draft)

    assert not Membership.objects.exists()


def test_rejection_needs_a_reason_and_sends_it(
    draft, charter, staff_user, mailoutbox, django_capture_on_commit_callbacks
):
    _submit(draft)
    with pytest.raises(ValidationError, match="reason"):
        services.application_reject(actor=staff_user, application=draft, reason="  ")

    with django_capture_on_commit_callbacks(execute=True):
        services.application_reject(
            actor=staff_user, application=draft, reason="Outside the critical-minerals supply chain."
        )

    draft.refresh_from_db()
    assert draft.status == Application.Status.REJECTED
    assert "Outside the critical-minerals supply chain." in mailoutbox[-1].body
    assert mailoutbox[-1].to == [draft.applicant.email]


def test_more_information_goes_back_to_the_applicant_who_can_resubmit(
    draft, charter, staff_user, mailoutbox, django_capture_on_commit_callbacks
):
    _submit(draft)
    services.application_start_review(actor=staff_user, application=draft)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_request_info(actor=staff_user, application=draft, note="Which minerals do you recycle?")

    draft.refresh_from_db()
    assert draft.status == Application.Status.INFO_REQUESTED
    assert "Which minerals do you recycle?" in mailoutbox[-1].body
    services.application_save_draft(
        applicant=draft.applicant,
        application=draft,
        data={"statement": "Cobalt and nickel."},
        segments=draft.segments.all(),
    )
    _submit(draft)

    draft.refresh_from_db()
    assert (draft.status, draft.statement) == (Application.Status.SUBMITTED, "Cobalt and nickel.")
    states = list(AuditEntry.objects.order_by("pk").values_list("to_state", flat=True))
    assert states == ["submitted", "under_review", "info_requested", "submitted"]


def test_a_submitted_application_can_no_longer_be_edited(draft, charter):
    _submit(draft)

    with pytest.raises(Conflict, match="no longer be edited"):
        services.application_save_draft(
            applicant=draft.applicant, application=draft, data={"org_name": "X"}, segments=[]
        )


def test_applying_for_an_organization_on_file_renews_its_lapsed_membership(charter, staff_user):
    contact = factories.PrimaryContactFactory()
    membership = contact.organization.membership
    Membership.objects.filter(pk=membership.pk).update(status=Membership.Status.LAPSED)
    application = factories.ApplicationFactory(
        applicant=contact.user, organization=contact.organization, org_name=contact.organization.name
    )
    _submit(application)

    renewed = services.application_approve(actor=staff_user, application=application)

    assert renewed.pk == membership.pk
    assert renewed.status == Membership.Status.ACTIVE
    assert renewed.terms.count() == 1  # the factory made no term; the renewal added one


# --- Through the pages ---------------------------------------------------------------------


FORM = {
    "org_name": "Helios Materials Recycling",
    "legal_name": "Helios Materials Recycling LLC",
    "website": "helios.example",
    "description": "Gallium recovery from fab waste.",
    "hq_city": "Phoenix",
    "hq_state": "AZ",
    "hq_country": "United States",
    "size_band": "11-50",
    "contact_name": "Alex Morgan",
    "contact_title": "CEO",
    "statement": "We want to join the recycling working group.",
}


def _form(**overrides):
    data = {**FORM, "segments": [Segment.objects.get(slug="recycling").pk], "tier": factories.tier("associate").pk}
    data.update(overrides)
    return data


def test_saving_a_draft_keeps_partial_answers(user_client, user, charter):
    response = user_client.post(reverse("members:apply"), {"org_name": "Helios", "action": "save"})

    application = Application.objects.get(applicant=user)
    assert response.status_code == 302
    assert response["Location"] == reverse("members:application", args=[application.pk])
    assert (application.status, application.org_name, application.statement) == ("draft", "Helios", "")


def test_submitting_from_the_page_requires_the_charter_box(user_client, user, charter):
    response = user_client.post(reverse("members:apply"), _form(action="submit"))

    assert response.status_code == 200
    assert "You need to accept the charter" in str(response.context["form"].errors["accept_charter"])
    assert not Application.objects.exclude(status="draft").exists()


def test_submitting_from_the_page(user_client, user, charter, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = user_client.post(
            reverse("members:apply"), _form(action="submit", accept_charter="on"), REMOTE_ADDR="198.51.100.7"
        )

    application = Application.objects.get(applicant=user)
    assert response.status_code == 302
    assert application.status == Application.Status.SUBMITTED
    assert application.website == "https://helios.example"
    assert application.charter_ip_address == "198.51.100.7"
    page = user_client.get(reverse("members:application", args=[application.pk]))
    assert b"Submitted" in page.content


def test_submitting_twice_from_the_page_shows_the_error_and_changes_nothing(user_client, user, charter):
    user_client.post(reverse("members:apply"), _form(action="submit", accept_charter="on"))
    application = Application.objects.get(applicant=user)

    response = user_client.post(
        reverse("members:application", args=[application.pk]), _form(action="submit", accept_charter="on")
    )

    assert response.status_code == 200  # the status page: nothing left to edit
    assert Application.objects.count() == 1
    assert Application.objects.get().status == Application.Status.SUBMITTED


def test_someone_elses_application_is_not_found(user_client, charter):
    other = factories.ApplicationFactory()

    assert user_client.get(reverse("members:application", args=[other.pk])).status_code == 404
    assert user_client.post(reverse("members:withdraw", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.status == Application.Status.DRAFT


# --- The public directory ----------------------------------------------------------------


def test_a_new_application_asks_about_the_public_directory_ticked(user_client, charter):
    page = user_client.get(reverse("members:apply"))

    field = page.context["form"]["public_listing"]
    assert field.label == "List us in the public member directory"
    assert field.value() is True
    html = page.content.decode()
    assert 'name="public_listing"' in html and "checked" in html.split('name="public_listing"')[1].split(">")[0]
    assert "never public" in field.help_text
    assert "Edit profile" in field.help_text


def test_applying_for_an_organization_on_file_starts_from_its_current_listing(client, charter):
    contact = factories.PrimaryContactFactory()
    Organization.objects.filter(pk=contact.organization.pk).update(public_listing=False)
    client.force_login(contact.user)

    page = client.get(reverse("members:apply"), {"organization": contact.organization.slug})

    assert page.context["form"]["public_listing"].value() is False


@pytest.mark.parametrize("listed", [True, False])
def test_approval_lists_the_new_organization_as_the_application_asked(
    client, user_client, user, charter, staff_user, listed
):
    data = _form(action="submit", accept_charter="on")
    if listed:
        data["public_listing"] = "on"  # an unticked box is simply absent
    user_client.post(reverse("members:apply"), data)
    application = Application.objects.get(applicant=user)
    assert application.public_listing is listed

    services.application_approve(actor=staff_user, application=application)

    organization = Organization.objects.get(name=FORM["org_name"])
    assert organization.public_listing is listed
    directory = client.get(reverse("members:directory"))
    assert (FORM["org_name"] in [o.name for o in directory.context["page"].object_list]) is listed


def test_approval_carries_the_choice_to_an_organization_on_file(charter, staff_user):
    contact = factories.PrimaryContactFactory()  # its organization is listed
    assert contact.organization.public_listing
    application = factories.ApplicationFactory(
        applicant=contact.user,
        organization=contact.organization,
        org_name=contact.organization.name,
        public_listing=False,
    )
    _submit(application)

    services.application_approve(actor=staff_user, application=application)

    contact.organization.refresh_from_db()
    assert contact.organization.public_listing is False


@pytest.mark.parametrize(
    ("listed", "says"),
    [
        (True, "Approving <strong>lists Helios Materials Recycling in the public member directory</strong>"),
        (False, "Approving <strong>does not list Helios Materials Recycling in the public member directory</strong>"),
    ],
)
def test_the_approval_screen_says_whether_the_organization_will_be_listed(staff_client, charter, listed, says):
    application = factories.ApplicationFactory(
        status="submitted", org_name="Helios Materials Recycling", public_listing=listed
    )

    html = staff_client.get(reverse("staff:members:application", args=[application.pk])).content.decode()

    assert says in html
    assert "can change this later under Edit profile" in html


def test_after_approval_the_review_page_says_where_to_change_the_listing(staff_client, staff_user, charter):
    application = factories.ApplicationFactory(status="submitted", charter_version=charter, public_listing=False)
    services.application_approve(actor=staff_user, application=application)
    application.refresh_from_db()

    html = staff_client.get(reverse("staff:members:application", args=[application.pk])).content.decode()

    assert "is <strong>not listed</strong> in the public member directory" in html
    assert reverse("members:edit", args=[application.organization.slug]) in html


@pytest.mark.parametrize("listed", [True, False])
def test_the_approval_email_says_whether_and_where_the_organization_is_listed(
    draft, charter, staff_user, settings, mailoutbox, django_capture_on_commit_callbacks, listed
):
    settings.SITE_URL = "https://portal.cma-usa.example"
    Application.objects.filter(pk=draft.pk).update(public_listing=listed)
    draft.refresh_from_db()
    _submit(draft)

    with django_capture_on_commit_callbacks(execute=True):
        services.application_approve(actor=staff_user, application=draft)

    [mail] = [m for m in mailoutbox if "is a member" in m.subject]
    slug = Organization.objects.get(name=draft.org_name).slug
    edit_url = f"https://portal.cma-usa.example/members/{slug}/edit/"
    html = mail.alternatives[0][0]
    if listed:
        assert f"{draft.org_name} is listed in the public member directory" in mail.body
        assert f"https://portal.cma-usa.example/members/{slug}/\n" in mail.body
        assert "To take it off" in mail.body and "To take it off" in html
    else:
        assert f"{draft.org_name} is not listed in the public member directory" in mail.body
        assert "To be listed, tick" in mail.body and "To be listed, tick" in html
    assert edit_url in mail.body and edit_url in html


def test_the_migration_keeps_what_approval_did_for_applications_already_on_file(db):
    # Rows that were never asked: a new organization's stays unlisted (the
    # column is added unticked), one on file keeps the organization's setting.
    import importlib

    from django.apps import apps

    migration = importlib.import_module("members.migrations.0006_application_public_listing")
    listed = factories.OrganizationFactory(public_listing=True)
    unlisted = factories.OrganizationFactory(public_listing=False)
    for_listed = factories.ApplicationFactory(organization=listed, public_listing=False)
    for_unlisted = factories.ApplicationFactory(organization=unlisted, public_listing=True)
    new = factories.ApplicationFactory(public_listing=False)

    migration.keep_what_approval_did(apps, None)

    assert Application.objects.get(pk=for_listed.pk).public_listing is True
    assert Application.objects.get(pk=for_unlisted.pk).public_listing is False
    assert Application.objects.get(pk=new.pk).public_listing is False
