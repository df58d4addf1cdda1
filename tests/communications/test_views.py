"""The staff pages and the archive: who may use them, what they show."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from communications import services
from communications.models import Message
from notifications.models import Suppression

from .conftest import member_in

pytestmark = pytest.mark.django_db


def staff_urls(message):
    return [
        ("get", reverse("staff:communications:list")),
        ("get", reverse("staff:communications:new")),
        ("get", reverse("staff:communications:preview") + "?to-audience=members"),
        ("get", reverse("staff:communications:suppressions")),
        ("get", reverse("staff:communications:detail", args=[message.pk])),
        ("get", reverse("staff:communications:edit", args=[message.pk])),
        ("get", reverse("staff:communications:progress", args=[message.pk])),
        ("post", reverse("staff:communications:test", args=[message.pk])),
        ("post", reverse("staff:communications:send", args=[message.pk])),
        ("post", reverse("staff:communications:action", args=[message.pk, "cancel"])),
    ]


@pytest.mark.parametrize("persona", ["anonymous", "user", "member", "primary_contact", "staff_without_mfa"])
def test_every_staff_page_refuses_everyone_but_staff(draft, persona, request, mailoutbox):
    member_in()
    browser = Client()
    if persona != "anonymous":
        browser.force_login(request.getfixturevalue(persona))

    for method, url in staff_urls(draft):
        response = getattr(browser, method)(url)
        assert response.status_code in (302, 403), f"{persona} {method.upper()} {url}: {response.status_code}"
        if response.status_code == 302:
            assert "/accounts/" in response["Location"], url

    draft.refresh_from_db()
    assert draft.status == "draft"
    assert mailoutbox == []


def test_staff_compose_a_draft_to_one_segment(staff_client, recycling):
    response = staff_client.post(
        reverse("staff:communications:new"),
        {"kind": "announcement", "subject": "Recycling working session", "body": "Bring your data.",
         "to-audience": "members", "to-segments": [recycling.pk]},
    )  # fmt: skip

    message = Message.objects.get()
    assert response["Location"] == reverse("staff:communications:detail", args=[message.pk])
    assert message.audience["segments"] == [recycling.pk]
    assert message.audience_label == "All members in Recycling"


def test_a_form_error_is_shown_beside_its_field(staff_client):
    response = staff_client.post(
        reverse("staff:communications:new"),
        {"kind": "announcement", "subject": "News", "body": "Hi", "cta_label": "Go", "cta_url": "ftp://x",
         "to-audience": "groups"},
    )  # fmt: skip

    assert response.status_code == 200
    body = response.content.decode()
    assert "Choose at least one working group." in body
    assert "Enter a valid URL." in body or "https://" in body
    assert not Message.objects.exists()


def test_the_preview_counts_and_samples_in_two_queries(staff_client, recycling, django_assert_max_num_queries):
    for _ in range(3):
        member_in(recycling)
    url = reverse("staff:communications:preview") + f"?to-audience=members&to-segments={recycling.pk}"
    staff_client.get(url)  # warm the session and the form's choices

    with django_assert_max_num_queries(12) as small:
        staff_client.get(url)
    for _ in range(20):
        member_in(recycling)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = staff_client.get(url)

    assert "23 recipients" in response.content.decode()


def test_sending_from_the_page_then_following_progress(
    staff_client, draft, mailoutbox, django_capture_on_commit_callbacks
):
    member_in(), member_in()

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(reverse("staff:communications:send", args=[draft.pk]), {"when": "now"})
        again = staff_client.post(reverse("staff:communications:send", args=[draft.pk]), {"when": "now"})

    assert response.status_code == again.status_code == 302
    assert len(mailoutbox) == 2
    page = staff_client.get(reverse("staff:communications:detail", args=[draft.pk])).content.decode()
    assert "This message is already sending." in page  # the double click's message
    progress = staff_client.get(reverse("staff:communications:progress", args=[draft.pk])).content.decode()
    assert "<dt>Sent</dt><dd>2</dd>" in progress


def test_a_schedule_in_the_past_is_a_message_on_the_page(staff_client, draft):
    member_in()

    response = staff_client.post(
        reverse("staff:communications:send", args=[draft.pk]), {"when": "later", "scheduled_for": "2020-01-01T09:00"},
        follow=True,
    )  # fmt: skip

    assert "Choose a time in the future" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_an_unknown_action_is_a_404(staff_client, draft):
    assert staff_client.post(reverse("staff:communications:action", args=[draft.pk, "explode"])).status_code == 404


def test_the_suppression_list_exports_as_csv(staff_client):
    Suppression.objects.create(email="=cmd@example.org", reason="complaint")

    response = staff_client.get(reverse("staff:communications:suppressions"))

    body = b"".join(response.streaming_content).decode()
    assert response["Content-Type"].startswith("text/csv")
    assert "'=cmd@example.org,,complaint" in body


# --- The archive ----------------------------------------------------------------------


@pytest.fixture
def sent(draft, staff_user, django_capture_on_commit_callbacks):
    member_in()
    with django_capture_on_commit_callbacks(execute=True):
        services.message_send(actor=staff_user, message=draft)
    return draft


def test_members_and_staff_read_the_archive(sent, member_client, staff_client):
    for browser in (member_client, staff_client):
        listing = browser.get(reverse("communications:archive")).content.decode()
        assert sent.subject in listing
        page = browser.get(reverse("communications:archive_detail", args=[sent.pk])).content.decode()
        assert "<strong>lithium roundtable</strong>" in page


def test_the_archive_refuses_visitors_and_non_members(sent, client, user_client):
    anonymous = client.get(reverse("communications:archive_detail", args=[sent.pk]))
    outsider = user_client.get(reverse("communications:archive_detail", args=[sent.pk]))

    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert outsider.status_code == 403


def test_drafts_are_not_in_the_archive(draft, member_client):
    assert member_client.get(reverse("communications:archive_detail", args=[draft.pk])).status_code == 404
    assert draft.subject not in member_client.get(reverse("communications:archive")).content.decode()


def test_the_archive_list_takes_the_same_queries_however_many_messages(
    member_client, staff_user, django_assert_max_num_queries
):
    def add(n):
        for i in range(n):
            Message.objects.create(
                created_by=staff_user, subject=f"Update {i}", body="…", status="sent",
                send_started_at=timezone.now(),
            )  # fmt: skip

    add(2)
    member_client.get(reverse("communications:archive"))
    with django_assert_max_num_queries(10) as small:
        member_client.get(reverse("communications:archive"))
    add(30)
    with django_assert_max_num_queries(len(small.captured_queries)):
        member_client.get(reverse("communications:archive"))
