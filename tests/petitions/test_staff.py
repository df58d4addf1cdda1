"""Staff pages: access, petition editing and transitions, stats, exports, the moderation queue."""

from __future__ import annotations

import csv
import io
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from cma.errors import Conflict
from cma.models import AuditEntry
from petitions import services
from petitions.models import Endorsement, FAQItem, Petition, Resource, Signature
from tests import factories

pytestmark = pytest.mark.django_db


def _staff_urls(petition: Petition, endorsement: Endorsement) -> list[tuple[str, str]]:
    return [
        ("get", reverse("staff:petitions:list")),
        ("get", reverse("staff:petitions:create")),
        ("get", reverse("staff:petitions:moderation")),
        ("get", reverse("staff:petitions:detail", args=[petition.pk])),
        ("get", reverse("staff:petitions:edit", args=[petition.pk])),
        ("get", reverse("staff:petitions:export_signatures", args=[petition.pk])),
        ("get", reverse("staff:petitions:export_endorsements", args=[petition.pk])),
        ("get", reverse("staff:petitions:endorsement", args=[endorsement.pk])),
        ("post", reverse("staff:petitions:close", args=[petition.pk])),
        ("post", reverse("staff:petitions:approve", args=[endorsement.pk])),
        ("post", reverse("staff:petitions:reject", args=[endorsement.pk])),
        ("post", reverse("staff:petitions:feature", args=[endorsement.pk])),
    ]


@pytest.mark.parametrize("persona", ["user", "member", "primary_contact", "applicant"])
def test_staff_pages_refuse_people_who_are_not_staff(client, persona, request, petition):
    endorsement = factories.EndorsementFactory(petition=petition, status="pending")
    client.force_login(request.getfixturevalue(persona))

    for method, url in _staff_urls(petition, endorsement):
        response = getattr(client, method)(url, {"reason": "x"} if method == "post" else None)
        assert response.status_code == 403, url

    petition.refresh_from_db()
    endorsement.refresh_from_db()
    assert petition.status == "open" and endorsement.status == "pending"


def test_staff_pages_send_anonymous_visitors_to_sign_in(client, petition):
    endorsement = factories.EndorsementFactory(petition=petition, status="pending")

    for method, url in _staff_urls(petition, endorsement):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("account_login")), url


def test_staff_without_a_second_factor_are_sent_to_set_one_up(client, staff_without_mfa, petition):
    endorsement = factories.EndorsementFactory(petition=petition, status="pending")
    client.force_login(staff_without_mfa)

    for method, url in _staff_urls(petition, endorsement):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"] == reverse("mfa_activate_totp"), url
    endorsement.refresh_from_db()
    assert endorsement.status == "pending"


def test_staff_home_lists_the_petition_tools_with_the_queue_count(staff_client):
    factories.EndorsementFactory.create_batch(2, status="pending")

    html = staff_client.get(reverse("staff:index")).content.decode()

    assert "Petitions and sign-ons" in html
    assert "2 endorsements awaiting moderation" in html
    assert reverse("staff:petitions:moderation") in html


def test_staff_create_a_draft_with_ordered_faq_and_resources(staff_client, staff_user):
    data = {
        "title": "Fund Critical Mineral Recycling",
        "slug": "",
        "summary": "Recycling belongs in every minerals strategy.",
        "ask": "Invest in critical mineral recycling, recovery, and substitution technologies.",
        "body": "Some **Markdown**.",
        "signature_goal": "500",
        "accepts": "both",
        "opens_at": "",
        "closes_at": "",
        "faq-TOTAL_FORMS": "3",
        "faq-INITIAL_FORMS": "0",
        "faq-MIN_NUM_FORMS": "0",
        "faq-MAX_NUM_FORMS": "50",
        "faq-0-question": "Second?",
        "faq-0-answer": "B",
        "faq-0-ORDER": "2",
        "faq-1-question": "First?",
        "faq-1-answer": "A",
        "faq-1-ORDER": "1",
        "faq-2-question": "Deleted?",
        "faq-2-answer": "C",
        "faq-2-DELETE": "on",
        "resources-TOTAL_FORMS": "1",
        "resources-INITIAL_FORMS": "0",
        "resources-MIN_NUM_FORMS": "0",
        "resources-MAX_NUM_FORMS": "50",
        "resources-0-title": "Nickel Unearthed",
        "resources-0-publisher": "CRI Indonesia Report",
        "resources-0-published_on": "2024-01-01",
        "resources-0-url": "cri.example/nickel",
    }

    response = staff_client.post(reverse("staff:petitions:create"), data)

    petition = Petition.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:petitions:detail", args=[petition.pk])
    assert (petition.slug, petition.status, petition.created_by) == (
        "fund-critical-mineral-recycling",
        "draft",
        staff_user,
    )
    assert list(FAQItem.objects.values_list("question", flat=True)) == ["First?", "Second?"]
    resource = Resource.objects.get()
    assert (resource.publisher, resource.url) == ("CRI Indonesia Report", "https://cri.example/nickel")
    assert AuditEntry.objects.filter(action="petitions.petition.create").count() == 1


def test_staff_form_errors_are_shown_and_nothing_is_saved(staff_client):
    response = staff_client.post(
        reverse("staff:petitions:create"),
        {
            "title": "",
            "signature_goal": "0",
            "faq-TOTAL_FORMS": "0",
            "faq-INITIAL_FORMS": "0",
            "resources-TOTAL_FORMS": "0",
            "resources-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 200
    assert "title" in response.context["form"].errors
    assert Petition.objects.count() == 0


def test_staff_edit_keeps_the_faq_and_changes_what_was_changed(staff_client, petition):
    factories.FAQItemFactory(petition=petition, question="What are Critical Minerals?", answer="Raw materials.")
    form = staff_client.get(reverse("staff:petitions:edit", args=[petition.pk])).context

    data = {
        **{name: form["form"][name].value() or "" for name in form["form"].fields},
        "title": "A Better Title",
        "faq-TOTAL_FORMS": "1",
        "faq-INITIAL_FORMS": "1",
        "faq-0-question": "What are Critical Minerals?",
        "faq-0-answer": "Raw materials.",
        "faq-0-ORDER": "1",
        "resources-TOTAL_FORMS": "0",
        "resources-INITIAL_FORMS": "0",
    }
    response = staff_client.post(reverse("staff:petitions:edit", args=[petition.pk]), data)

    assert response.status_code == 302
    petition.refresh_from_db()
    assert petition.title == "A Better Title"
    assert list(petition.faq_items.values_list("question", flat=True)) == ["What are Critical Minerals?"]
    assert AuditEntry.objects.get(action="petitions.petition.update").note == "title"


def test_closing_time_must_follow_opening_time(staff_client, petition):
    form = staff_client.get(reverse("staff:petitions:edit", args=[petition.pk])).context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(
        {
            "opens_at": "2026-05-02T10:00",
            "closes_at": "2026-05-01T10:00",
            "faq-TOTAL_FORMS": "0",
            "faq-INITIAL_FORMS": "0",
            "resources-TOTAL_FORMS": "0",
            "resources-INITIAL_FORMS": "0",
        }
    )

    response = staff_client.post(reverse("staff:petitions:edit", args=[petition.pk]), data)

    assert "closes_at" in response.context["form"].errors


def test_publish_close_and_reopen_are_explicit_audited_transitions(staff_client, staff_user):
    petition = factories.PetitionFactory(status="draft", published_at=None)

    staff_client.post(reverse("staff:petitions:publish", args=[petition.pk]))
    petition.refresh_from_db()
    assert petition.status == "open" and petition.published_at is not None

    staff_client.post(reverse("staff:petitions:close", args=[petition.pk]))
    petition.refresh_from_db()
    assert petition.status == "closed" and petition.closed_at is not None

    response = staff_client.post(reverse("staff:petitions:close", args=[petition.pk]), follow=True)
    assert b"Only open petitions can be closed" in response.content

    staff_client.post(reverse("staff:petitions:reopen", args=[petition.pk]))
    petition.refresh_from_db()
    assert petition.status == "open" and petition.closed_at is None
    assert list(
        AuditEntry.objects.filter(object_id=str(petition.pk), action__startswith="petitions.petition.")
        .order_by("id")
        .values_list("from_state", "to_state")
    ) == [("draft", "open"), ("open", "closed"), ("closed", "open")]


def test_publishing_twice_is_refused(staff_user):
    petition = factories.PetitionFactory(status="open")

    with pytest.raises(Conflict, match="Only drafts can be published"):
        services.petition_publish(actor=staff_user, petition=petition)


def test_stats_count_by_status_day_and_state(staff_client, petition):
    factories.SignatureFactory.create_batch(3, petition=petition, state="MI")
    factories.SignatureFactory(petition=petition, state="TX")
    factories.SignatureFactory(petition=petition, status="unconfirmed", confirmed_at=None)
    factories.SignatureFactory.create_batch(2, petition=petition, status="withdrawn")

    response = staff_client.get(reverse("staff:petitions:detail", args=[petition.pk]))

    stats = response.context["stats"]
    assert (stats.confirmed, stats.unconfirmed, stats.withdrawn) == (4, 1, 2)
    assert [(code, n) for code, _, n in stats.by_state] == [("MI", 3), ("TX", 1)]
    # Days are the staff member's (the site's display zone): at 23:00 in New
    # York it is already tomorrow in UTC.
    assert stats.by_day[-1] == (timezone.localdate(timezone=ZoneInfo(settings.DISPLAY_TIME_ZONE)), 4)
    assert sum(n for _, n in stats.by_day) == 4
    assert len(stats.by_day) == 30


def _csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_signature_export_has_confirmed_signatures_only_and_is_formula_safe(staff_client, petition):
    factories.SignatureFactory(
        petition=petition, name='=HYPERLINK("http://evil.example")', comment="+cmd|' /C calc'!A0"
    )
    factories.SignatureFactory(petition=petition, name="Plain Person", email="plain@example.org")
    factories.SignatureFactory(petition=petition, name="Unconfirmed", status="unconfirmed", confirmed_at=None)

    response = staff_client.get(reverse("staff:petitions:export_signatures", args=[petition.pk]))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith(f'attachment; filename="{petition.slug}-signatures-')
    rows = _csv(response)
    assert rows[0][:4] == ["Name", "Email", "ZIP code", "State"]
    names = [row[0] for row in rows[1:]]
    assert names == ['\'=HYPERLINK("http://evil.example")', "Plain Person"]
    assert rows[1][4] == "'+cmd|' /C calc'!A0"


def test_endorsement_export_lists_every_status_and_is_formula_safe(staff_client, petition):
    factories.EndorsementFactory(petition=petition, organization_name="@SUM(1+1)*cmd", status="pending")
    factories.EndorsementFactory(petition=petition, organization_name="Approved Org")

    rows = _csv(staff_client.get(reverse("staff:petitions:export_endorsements", args=[petition.pk])))

    assert [(row[0], row[7]) for row in rows[1:]] == [
        ("'@SUM(1+1)*cmd", "Awaiting moderation"),
        ("Approved Org", "Approved"),
    ]


@pytest.mark.parametrize("rows", [5, 500])
def test_exports_run_a_fixed_number_of_queries(staff_client, petition, rows, django_assert_max_num_queries):
    factories.SignatureFactory.create_batch(rows, petition=petition)

    with django_assert_max_num_queries(12):  # session, user, MFA check, petition, then one chunked read
        response = staff_client.get(reverse("staff:petitions:export_signatures", args=[petition.pk]))
        assert len(_csv(response)) == rows + 1


def test_the_moderation_queue_approves_and_rejects_from_the_page(staff_client, petition, mailoutbox):
    pending = factories.EndorsementFactory(petition=petition, status="pending", organization_name="Queue Org")
    other = factories.EndorsementFactory(petition=petition, status="pending", organization_name="Spam Org")
    page = staff_client.get(reverse("staff:petitions:moderation"))
    assert [e.organization_name for e in page.context["page"]] == ["Queue Org", "Spam Org"]

    staff_client.post(reverse("staff:petitions:approve", args=[pending.pk]), {"next": "/staff/petitions/moderation/"})
    response = staff_client.post(
        reverse("staff:petitions:reject", args=[other.pk]), {"reason": "Not an organization.", "next": "//evil.example"}
    )

    assert response["Location"] == reverse("staff:petitions:moderation")  # never an off-site redirect
    pending.refresh_from_db()
    other.refresh_from_db()
    assert (pending.status, other.status, other.rejection_reason) == ("approved", "rejected", "Not an organization.")
    assert b"Nothing to moderate" in staff_client.get(reverse("staff:petitions:moderation")).content


def test_a_rejection_without_a_reason_is_refused_on_the_page(staff_client):
    endorsement = factories.EndorsementFactory(status="pending")

    response = staff_client.post(reverse("staff:petitions:reject", args=[endorsement.pk]), {"reason": "  "})

    assert response.status_code == 400
    assert b"Give a reason" in response.content
    endorsement.refresh_from_db()
    assert endorsement.status == "pending"


def test_a_refused_moderation_says_why(staff_client):
    endorsement = factories.EndorsementFactory(status="withdrawn")

    response = staff_client.post(reverse("staff:petitions:approve", args=[endorsement.pk]), follow=True)

    assert b"this one is withdrawn" in response.content
    endorsement.refresh_from_db()
    assert endorsement.status == "withdrawn"


def test_the_queue_filters_by_status_and_petition(staff_client):
    mine = factories.EndorsementFactory(status="rejected", organization_name="Mine")
    factories.EndorsementFactory(status="rejected", organization_name="Other")

    response = staff_client.get(
        reverse("staff:petitions:moderation"), {"status": "rejected", "petition": mine.petition_id}
    )
    junk = staff_client.get(reverse("staff:petitions:moderation"), {"status": "nonsense", "petition": "abc"})

    assert [e.organization_name for e in response.context["page"]] == ["Mine"]
    assert junk.status_code == 200 and junk.context["status"] == "pending"


@pytest.mark.parametrize("rows", [3, 60])
def test_staff_lists_run_a_fixed_number_of_queries(staff_client, rows, django_assert_max_num_queries):
    for petition in factories.PetitionFactory.create_batch(rows // 3 or 1):
        factories.SignatureFactory(petition=petition)
    factories.EndorsementFactory.create_batch(rows, status="pending", moderated_by=None)

    with django_assert_max_num_queries(12):
        staff_client.get(reverse("staff:petitions:moderation"))
    with django_assert_max_num_queries(12):
        staff_client.get(reverse("staff:petitions:list"))
    petition = Petition.objects.first()
    with django_assert_max_num_queries(14):
        staff_client.get(reverse("staff:petitions:detail", args=[petition.pk]))


def test_the_endorsement_page_shows_its_history(staff_client, staff_user):
    endorsement = factories.EndorsementFactory(status="pending")
    services.endorsement_approve(actor=staff_user, endorsement=endorsement)

    html = staff_client.get(reverse("staff:petitions:endorsement", args=[endorsement.pk])).content.decode()

    assert "approve" in html and "pending → approved" in html


def test_unknown_rows_are_404_for_staff(staff_client):
    assert staff_client.get(reverse("staff:petitions:detail", args=[999])).status_code == 404
    assert staff_client.post(reverse("staff:petitions:approve", args=[999])).status_code == 404


def test_signature_rows_are_never_deleted_through_the_admin(admin_client, petition):
    signature = factories.SignatureFactory(petition=petition)

    page = admin_client.get(reverse("admin:petitions_signature_changelist"))
    admin_client.post(
        reverse("admin:petitions_signature_changelist"),
        {"action": "delete_selected", "_selected_action": [signature.pk]},
    )

    assert page.status_code == 200
    assert b'value="delete_selected"' not in page.content
    assert b'value="withdraw"' in page.content
    assert Signature.objects.filter(pk=signature.pk).exists()
