"""One-click unsubscribe (RFC 8058) and the suppression list."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from notifications import services
from notifications.models import OutgoingEmail, Preference, Suppression
from notifications.services.unsubscribe import SALT
from notifications.topics import Mode, Topic

pytestmark = pytest.mark.django_db


def link(email, topic=Topic.ANNOUNCEMENTS, scope=""):
    """The unsubscribe link of an email sent to `email` about `topic`."""
    row = OutgoingEmail.objects.create(
        recipient=email, topic=topic, scope=scope, subject="News", body_text="…", category="test",
        dedupe_key=f"link:{OutgoingEmail.objects.count()}", status=OutgoingEmail.Status.SENT,
    )  # fmt: skip
    return reverse("notifications:unsubscribe", args=[services.token_for(row)])


def send(user=None, email=None, key="u:1", topic=Topic.ANNOUNCEMENTS, scope=""):
    return services.notify(
        user=user, email=email, template="notifications/test", dedupe_key=key, topic=topic, scope=scope,
        context={"name": "Reader", "sender": "the tests"},
    )  # fmt: skip


def test_a_one_click_post_without_session_or_csrf_unsubscribes(user):
    browser = Client(enforce_csrf_checks=True)

    response = browser.post(link(user.email), {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    assert Preference.objects.get(user=user, topic=Topic.ANNOUNCEMENTS).mode == Mode.OFF
    assert Suppression.objects.filter(email=user.email.lower(), topic=Topic.ANNOUNCEMENTS).exists()


def test_a_get_shows_a_button_and_changes_nothing(user):
    response = Client().get(link(user.email))

    assert response.status_code == 200
    assert b"<button" in response.content
    assert not Preference.objects.exists()
    assert not Suppression.objects.exists()


def test_unsubscribing_stops_that_topic_only(user, mailoutbox, django_capture_on_commit_callbacks):
    Client().post(link(user.email))

    with django_capture_on_commit_callbacks(execute=True):
        send(user=user, key="announcement", topic=Topic.ANNOUNCEMENTS)
        send(user=user, key="newsletter", topic=Topic.NEWSLETTERS)
        send(user=user, key="receipt", topic=Topic.TRANSACTIONAL)

    assert sorted(m.extra_headers["X-CMA-Category"] for m in mailoutbox) == ["notifications/test"] * 2
    assert not OutgoingEmail.objects.filter(dedupe_key="announcement").exists()


def test_an_address_without_an_account_is_suppressed_at_send_time(db, mailoutbox, django_capture_on_commit_callbacks):
    Client().post(link("signer@example.org", topic=Topic.PETITIONS))

    with django_capture_on_commit_callbacks(execute=True):
        update = send(email="Signer@Example.org", key="update", topic=Topic.PETITIONS)
        confirmation = send(email="signer@example.org", key="confirm", topic=Topic.TRANSACTIONAL)

    update.refresh_from_db()
    confirmation.refresh_from_db()
    assert (update.status, confirmation.status) == ("suppressed", "sent")
    assert [m.to for m in mailoutbox] == [["signer@example.org"]]


def test_a_group_link_mutes_that_group_only(user):
    Client().post(link(user.email, topic=Topic.WORKING_GROUPS, scope="12"))

    assert services.muted_group_ids(user=user) == {12}
    assert services.preferences_of(user=user)[Topic.WORKING_GROUPS] == Mode.IMMEDIATELY
    assert not Suppression.objects.exists()


def test_a_digest_link_stops_every_optional_topic(user):
    Client().post(link(user.email, topic=Topic.DIGEST))

    assert set(services.preferences_of(user=user).values()) == {Mode.OFF}


def test_choosing_a_topic_again_lifts_the_unsubscribe(user):
    Client().post(link(user.email))

    services.preferences_set(user=user, modes={Topic.ANNOUNCEMENTS: Mode.IMMEDIATELY})

    assert not Suppression.objects.exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_link_gets_a_400_page_and_changes_nothing(user, method):
    token = link(user.email).rstrip("/").rsplit("/", 1)[1]
    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")

    response = getattr(Client(), method)(reverse("notifications:unsubscribe", args=[tampered]))

    assert response.status_code == 400
    assert b"isn't valid" in response.content
    assert not Suppression.objects.exists()


def test_an_expired_link_says_so(user, settings):
    settings.UNSUBSCRIBE_LINK_MAX_AGE_DAYS = -1

    response = Client().post(link(user.email))

    assert response.status_code == 400
    assert b"has expired" in response.content
    assert not Suppression.objects.exists()


def test_the_link_carries_no_email_address(user):
    assert user.email.split("@")[0] not in link(user.email)


def test_a_link_for_a_topic_that_cannot_be_turned_off_is_refused(user):
    response = Client().post(link(user.email, topic=Topic.TRANSACTIONAL))

    assert response.status_code == 400
    assert not Suppression.objects.exists()


def test_a_link_to_a_row_that_does_not_exist_is_refused_like_a_tampered_one(db):
    forged = signing.dumps(10**9, salt=SALT)  # a real signature, but no such email

    response = Client().post(reverse("notifications:unsubscribe", args=[forged]))

    assert response.status_code == 400
    assert b"isn't valid" in response.content


def test_an_address_without_an_account_gets_the_same_answer_as_a_member(user):
    def answer(url):
        # The page echoes its own address (the sign-in link's "next"); the
        # rest must not tell a member's address from any other.
        return Client().post(url).content.decode().replace(quote(url, safe="/"), "")

    assert answer(link(user.email)) == answer(link("nobody-ever@example.org"))


def test_optional_email_carries_rfc8058_headers_and_transactional_does_not(
    user, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send(user=user, key="optional", topic=Topic.NEWSLETTERS)
        send(user=user, key="transactional", topic=Topic.TRANSACTIONAL)

    optional, transactional = mailoutbox
    header = optional.extra_headers["List-Unsubscribe"]
    assert header.startswith("<http") and "/notifications/unsubscribe/" in header
    assert optional.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    token = header.split("/notifications/unsubscribe/")[1].split("/")[0]
    assert f"/notifications/unsubscribe/{token}/" in optional.body  # the same link in the footer
    assert "List-Unsubscribe" not in transactional.extra_headers


def test_a_mailto_target_is_added_when_configured(user, settings, mailoutbox, django_capture_on_commit_callbacks):
    settings.UNSUBSCRIBE_MAILTO = "unsubscribe@cma-usa.example"

    with django_capture_on_commit_callbacks(execute=True):
        send(user=user, key="optional", topic=Topic.NEWSLETTERS)

    assert (
        "<mailto:unsubscribe@cma-usa.example?subject=unsubscribe%20" in mailoutbox[0].extra_headers["List-Unsubscribe"]
    )


def test_the_headers_arrive_at_a_real_smtp_server(user, smtp_settings, smtp_server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send(user=user, key="optional", topic=Topic.ANNOUNCEMENTS)

    (received,) = smtp_server.messages
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = received["List-Unsubscribe"].strip("<>")
    path = url.split("://", 1)[1].split("/", 1)[1]

    response = Client().post("/" + path, {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    assert Preference.objects.get(user=user, topic=Topic.ANNOUNCEMENTS).mode == Mode.OFF


def test_a_hard_bounce_stops_even_transactional_email(user, mailoutbox, django_capture_on_commit_callbacks):
    services.bounce_record(bounce=services.Bounce(email=user.email, kind="hard"), source="test")

    with django_capture_on_commit_callbacks(execute=True):
        receipt = send(user=user, key="receipt", topic=Topic.TRANSACTIONAL)

    receipt.refresh_from_db()
    assert receipt.status == "suppressed"
    assert mailoutbox == []
