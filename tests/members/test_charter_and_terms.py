"""The charter (versions, acceptance, re-acceptance) and terms (renewals, reminders, lapsing)."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from cma.errors import Conflict, Refused
from members import selectors, services
from members.models import CharterAcceptance, Dues, Membership, MembershipTerm
from notifications.models import OutgoingEmail
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def contact(charter):
    contact = factories.PrimaryContactFactory()
    CharterAcceptance.objects.create(organization=contact.organization, version=charter, accepted_by=contact.user)
    return contact


def test_publishing_a_version_asks_every_member_primary_contact_once(
    contact, staff_user, mailoutbox, django_capture_on_commit_callbacks
):
    lapsed = factories.PrimaryContactFactory()
    Membership.objects.filter(organization=lapsed.organization).update(status=Membership.Status.LAPSED)
    factories.MemberFactory(organization=contact.organization)  # a representative: not asked
    version = services.charter_version_create(actor=staff_user, body="# Charter v2", summary_of_changes="Antitrust.")

    with django_capture_on_commit_callbacks(execute=True):
        services.charter_publish(actor=staff_user, version=version)
    services.charter_notify_members(version_id=version.pk)  # the task running twice sends nothing more

    assert [m.to for m in mailoutbox] == [[contact.user.email]]
    assert "version 2" in mailoutbox[0].subject
    status = selectors.charter_status(contact.organization)
    assert status.needs_acceptance and not status.overdue


def test_publishing_twice_is_refused(staff_user, charter):
    with pytest.raises(Conflict, match="already published"):
        services.charter_publish(actor=staff_user, version=charter)


def test_accepting_the_new_version_clears_the_flag_and_records_who_and_where(contact, staff_user):
    version = services.charter_version_create(actor=staff_user, body="v2")
    services.charter_publish(actor=staff_user, version=version)

    services.charter_accept(
        user=contact.user,
        organization=contact.organization,
        version=version,
        ip_address="192.0.2.4",
        user_agent="Firefox",
    )
    again = services.charter_accept(
        user=contact.user,
        organization=contact.organization,
        version=version,
        ip_address="192.0.2.4",
        user_agent="Firefox",
    )

    acceptance = CharterAcceptance.objects.get(organization=contact.organization, version=version)
    assert again.pk == acceptance.pk  # a double click records one acceptance
    assert (acceptance.accepted_by, acceptance.ip_address, acceptance.user_agent) == (
        contact.user,
        "192.0.2.4",
        "Firefox",
    )
    assert not selectors.charter_status(contact.organization).needs_acceptance


def test_only_a_primary_contact_can_accept(contact, charter, staff_user):
    version = services.charter_version_create(actor=staff_user, body="v2")
    services.charter_publish(actor=staff_user, version=version)
    representative = factories.MemberFactory(organization=contact.organization)

    with pytest.raises(Refused, match="Only a primary contact"):
        services.charter_accept(
            user=representative.user, organization=contact.organization, version=version, ip_address=None, user_agent=""
        )


def test_accepting_an_old_version_is_refused(contact, charter, staff_user):
    version = services.charter_version_create(actor=staff_user, body="v2")
    services.charter_publish(actor=staff_user, version=version)

    with pytest.raises(Conflict, match="not the current version"):
        services.charter_accept(
            user=contact.user, organization=contact.organization, version=charter, ip_address=None, user_agent=""
        )


def test_unaccepted_version_is_flagged_after_the_grace_period(contact, staff_user, settings):
    settings.CHARTER_GRACE_DAYS = 30
    version = services.charter_version_create(actor=staff_user, body="v2")
    services.charter_publish(actor=staff_user, version=version)
    version.__class__.objects.filter(pk=version.pk).update(published_at=timezone.now() - datetime.timedelta(days=31))

    status = selectors.charter_status(contact.organization)

    assert status.needs_acceptance and status.overdue


def test_the_organization_page_flags_re_acceptance_for_its_primary_contact(client, contact, staff_user):
    version = services.charter_version_create(actor=staff_user, body="v2")
    services.charter_publish(actor=staff_user, version=version)
    client.force_login(contact.user)

    page = client.get(reverse("members:manage", args=[contact.organization.slug])).content.decode()
    client.post(reverse("members:accept_charter", args=[contact.organization.slug]), {"version": version.pk})

    assert "Re-acceptance required" in page
    assert CharterAcceptance.objects.filter(organization=contact.organization, version=version).exists()


def test_acceptances_cannot_be_changed_or_deleted_in_the_database(contact):
    if connection.vendor != "postgresql":
        pytest.skip("the trigger guarding acceptances is PostgreSQL's (CI runs on PostgreSQL)")
    acceptance = CharterAcceptance.objects.get(organization=contact.organization)

    with pytest.raises(Exception, match="never edited or deleted"), transaction.atomic():
        CharterAcceptance.objects.filter(pk=acceptance.pk).update(ip_address="10.0.0.1")
    with pytest.raises(Exception, match="never edited or deleted"), transaction.atomic():
        CharterAcceptance.objects.filter(pk=acceptance.pk).delete()


def test_acceptance_is_unique_per_organization_and_version(contact, charter):
    with pytest.raises(IntegrityError), transaction.atomic():
        CharterAcceptance.objects.create(organization=contact.organization, version=charter, accepted_by=contact.user)


def test_charter_diff_page_shows_added_and_removed_lines(client, staff_user, charter):
    v2 = services.charter_version_create(actor=staff_user, body=charter.body.replace("responsibly", "with integrity"))
    services.charter_publish(actor=staff_user, version=v2)

    response = client.get(reverse("members:charter_diff"), {"from": 1, "to": 2})

    html = response.content.decode()
    assert 'class="diff-line removed"' in html and "Members act responsibly." in html
    assert 'class="diff-line added"' in html and "Members act with integrity." in html
    assert client.get(reverse("members:charter_diff"), {"from": 1, "to": "x"}).status_code == 404


# --- Terms and renewals --------------------------------------------------------------------


def _ending_in(days: int) -> Membership:
    contact = factories.PrimaryContactFactory()
    billing = factories.MemberFactory(organization=contact.organization, role="billing")
    factories.MemberFactory(organization=contact.organization, role="representative")
    today = timezone.localdate()
    Membership.objects.filter(organization=contact.organization).update(
        starts_on=today - datetime.timedelta(days=365 - days), ends_on=today + datetime.timedelta(days=days)
    )
    membership = Membership.objects.get(organization=contact.organization)
    membership.recipients = {contact.user.email, billing.user.email}
    return membership


@pytest.mark.parametrize("days_left", [60, 30, 7])
def test_renewal_reminders_go_to_primary_and_billing_contacts_once(
    days_left, mailoutbox, django_capture_on_commit_callbacks
):
    membership = _ending_in(days_left)

    with django_capture_on_commit_callbacks(execute=True):
        services.memberships_send_renewal_reminders()
        services.memberships_send_renewal_reminders()  # the daily task running twice

    assert {m.to[0] for m in mailoutbox} == membership.recipients
    assert len(mailoutbox) == 2
    assert f"ends in {days_left} days" in mailoutbox[0].subject


def test_reminders_follow_the_term_through_its_windows(mailoutbox, django_capture_on_commit_callbacks):
    membership = _ending_in(45)  # inside the 60-day window
    today = timezone.localdate()

    with django_capture_on_commit_callbacks(execute=True):
        for day in range(0, 46):  # the task runs every day until the term ends
            services.memberships_send_renewal_reminders(today=today + datetime.timedelta(days=day))

    keys = sorted(
        OutgoingEmail.objects.filter(category="members/renewal_reminder").values_list("dedupe_key", flat=True)
    )
    thresholds = sorted({int(k.split(":")[4]) for k in keys})
    assert thresholds == [7, 30, 60]
    assert len(mailoutbox) == 3 * len(membership.recipients)


def test_no_reminder_outside_the_windows(mailoutbox, django_capture_on_commit_callbacks):
    _ending_in(90)

    with django_capture_on_commit_callbacks(execute=True):
        services.memberships_send_renewal_reminders()

    assert mailoutbox == []


def test_memberships_past_their_end_lapse(settings):
    settings.MEMBERSHIP_GRACE_DAYS = 0
    ended = _ending_in(-1)
    current = _ending_in(10)

    assert services.memberships_lapse_expired() == 1

    assert Membership.objects.get(pk=ended.pk).status == Membership.Status.LAPSED
    assert Membership.objects.get(pk=current.pk).status == Membership.Status.ACTIVE


def test_with_a_grace_period_memberships_pass_through_grace(settings):
    settings.MEMBERSHIP_GRACE_DAYS = 14
    membership = _ending_in(-3)
    today = timezone.localdate()

    services.memberships_lapse_expired(today=today)
    assert Membership.objects.get(pk=membership.pk).status == Membership.Status.GRACE
    services.memberships_lapse_expired(today=today + datetime.timedelta(days=12))
    assert Membership.objects.get(pk=membership.pk).status == Membership.Status.LAPSED


def test_staff_renewal_continues_the_term_and_issues_an_invoice(
    staff_user, mailoutbox, django_capture_on_commit_callbacks
):
    membership = _ending_in(20)
    old_end = membership.ends_on

    with django_capture_on_commit_callbacks(execute=True):
        renewed = services.membership_renew(actor=staff_user, membership=membership)

    term = MembershipTerm.objects.get(membership=membership)
    assert term.starts_on == old_end + datetime.timedelta(days=1)
    assert renewed.ends_on == term.ends_on
    assert Dues.objects.get(term=term).amount == membership.tier.annual_dues
    assert {m.to[0] for m in mailoutbox} == membership.recipients


def test_renewing_a_lapsed_membership_starts_today(staff_user):
    membership = _ending_in(-40)
    Membership.objects.filter(pk=membership.pk).update(status=Membership.Status.LAPSED)

    renewed = services.membership_renew(actor=staff_user, membership=membership)

    assert renewed.status == Membership.Status.ACTIVE
    assert renewed.starts_on == timezone.localdate()


def test_an_ended_membership_cannot_be_renewed(staff_user):
    membership = _ending_in(20)
    services.membership_change_status(actor=staff_user, membership=membership, action="end")

    with pytest.raises(Conflict, match="ended"):
        services.membership_renew(actor=staff_user, membership=membership)


def test_settling_a_terms_dues_twice_keeps_the_first_date(staff_user):
    membership = _ending_in(20)
    services.membership_renew(actor=staff_user, membership=membership)
    term = Dues.objects.get().term
    first = timezone.localdate() - datetime.timedelta(days=3)

    assert services.dues_settle(actor=staff_user, term=term, on=first) is True
    assert services.dues_settle(actor=staff_user, term=term, on=timezone.localdate()) is False
    assert Dues.objects.get().paid_on == first


def test_the_daily_task_runs_both_jobs(settings, mailoutbox, django_capture_on_commit_callbacks):
    from members.tasks import membership_daily

    settings.MEMBERSHIP_GRACE_DAYS = 0
    _ending_in(-2)
    _ending_in(7)

    with django_capture_on_commit_callbacks(execute=True):
        result = membership_daily.delay().get()

    assert result == {"lapsed_or_grace": 1, "reminders": 2}
