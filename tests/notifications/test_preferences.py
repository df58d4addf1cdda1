"""Optional email follows each person's choice: immediately, a digest, or off."""

from __future__ import annotations

import pytest

from notifications import services
from notifications.models import DigestItem, Notification, OutgoingEmail, Preference
from notifications.topics import Mode, Topic
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def tell(user, key="pref:1", topic=Topic.EVENTS, scope=""):
    return services.notify(
        user=user,
        template="notifications/test",
        context={"name": user.name, "sender": "the tests"},
        dedupe_key=key,
        url="/events/",
        topic=topic,
        scope=scope,
    )


def test_without_a_choice_optional_email_comes_immediately(user, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        outgoing = tell(user)

    assert outgoing is not None
    assert len(mailoutbox) == 1


def test_off_sends_no_email_but_keeps_the_notice(user, mailoutbox, django_capture_on_commit_callbacks):
    services.preferences_set(user=user, modes={Topic.EVENTS: Mode.OFF})

    with django_capture_on_commit_callbacks(execute=True):
        outgoing = tell(user)

    assert outgoing is None
    assert mailoutbox == []
    assert OutgoingEmail.objects.count() == 0
    assert Notification.objects.filter(user=user).count() == 1


@pytest.mark.parametrize("mode", [Mode.DAILY, Mode.WEEKLY])
def test_a_digest_choice_stores_an_item_instead_of_an_email(user, mailoutbox, mode, django_capture_on_commit_callbacks):
    services.preferences_set(user=user, modes={Topic.EVENTS: mode})

    with django_capture_on_commit_callbacks(execute=True):
        tell(user)
        tell(user)  # the same key twice: one item

    assert mailoutbox == []
    item = DigestItem.objects.get()
    assert (item.user, item.mode, item.url) == (user, mode, "/events/")


def test_transactional_email_ignores_preferences(user, mailoutbox, django_capture_on_commit_callbacks):
    services.preferences_set(user=user, modes=dict.fromkeys(services.preferences_of(user=user), Mode.OFF))

    with django_capture_on_commit_callbacks(execute=True):
        tell(user, topic=Topic.TRANSACTIONAL)

    assert len(mailoutbox) == 1


def test_a_muted_group_sends_nothing_while_other_groups_still_do(user, mailoutbox, django_capture_on_commit_callbacks):
    services.group_mute(user=user, group_id=7, muted=True)

    with django_capture_on_commit_callbacks(execute=True):
        muted = tell(user, key="g7", topic=Topic.WORKING_GROUPS, scope="7")
        other = tell(user, key="g8", topic=Topic.WORKING_GROUPS, scope="8")

    assert muted is None and other is not None
    assert len(mailoutbox) == 1
    assert services.muted_group_ids(user=user) == {7}

    services.group_mute(user=user, group_id=7, muted=False)
    assert services.muted_group_ids(user=user) == set()


def test_notify_each_reads_everyones_preferences_in_one_query(django_assert_num_queries):
    users = UserFactory.create_batch(6)
    for quiet in users[:3]:
        services.preferences_set(user=quiet, modes={Topic.EVENTS: Mode.OFF})

    # 1 preference query + per person: one email row and one notice.
    with django_assert_num_queries(1 + 3 * 2 + 3 * 1):
        sent = services.notify_each(
            users=users, template="notifications/test", dedupe_key="each", topic=Topic.EVENTS,
            context={"name": "x", "sender": "y"},
        )  # fmt: skip

    assert {o.user_id for o in sent} == {u.pk for u in users[3:]}


def test_the_preferences_page_saves_only_the_signed_in_persons_choices(user_client, user):
    other = UserFactory()

    response = user_client.post(
        "/notifications/preferences/",
        {"user": other.pk, "announcements": "weekly", "newsletters": "off", "events": "daily",
         "workinggroups": "immediately", "petitions": "immediately"},
    )  # fmt: skip

    assert response.status_code == 302
    assert services.preferences_of(user=user)["announcements"] == Mode.WEEKLY
    assert not Preference.objects.filter(user=other).exists()


def test_the_preferences_page_refuses_an_unknown_mode_beside_the_field(user_client, user):
    response = user_client.post("/notifications/preferences/", {"announcements": "hourly"})

    assert response.status_code == 200
    body = response.content.decode()
    assert "Select a valid choice" in body
    assert not Preference.objects.filter(user=user).exists()


def test_the_preferences_page_says_what_is_always_sent(user_client):
    body = user_client.get("/notifications/preferences/").content.decode()

    assert "Always sent" in body
    assert "Sign-in, email confirmation and password links" in body


def test_the_preferences_page_needs_a_sign_in(client):
    response = client.get("/notifications/preferences/")

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
