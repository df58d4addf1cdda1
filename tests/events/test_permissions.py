"""Every page that must refuse someone, tried as each persona that must be refused."""

from __future__ import annotations

import pytest
from django.urls import reverse

from events import permissions
from events.models import Registration
from tests import factories

pytestmark = pytest.mark.django_db

NON_STAFF = ["user", "member", "primary_contact", "applicant"]


def _client_for(request, client, persona: str):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    return client


def _staff_urls(event, registration):
    get = [
        reverse("staff:events:list"),
        reverse("staff:events:create"),
        reverse("staff:events:detail", args=[event.pk]),
        reverse("staff:events:edit", args=[event.pk]),
        reverse("staff:events:duplicate", args=[event.pk]),
        reverse("staff:events:reschedule", args=[event.pk]),
        reverse("staff:events:cancel", args=[event.pk]),
        reverse("staff:events:registrants", args=[event.pk]),
        reverse("staff:events:export", args=[event.pk]),
        reverse("staff:events:check_in", args=[event.pk]),
        reverse("admin:events_event_changelist"),
        reverse("admin:events_registration_changelist"),
    ]
    post = [
        reverse("staff:events:publish", args=[event.pk]),
        reverse("staff:events:registration_cancel", args=[registration.pk]),
        reverse("staff:events:attendance", args=[registration.pk]),
    ]
    return get, post


@pytest.fixture
def registration(event, member):
    return factories.RegistrationFactory(event=event, user=member)


@pytest.mark.parametrize("persona", NON_STAFF)
def test_staff_pages_refuse_people_who_are_not_staff(request, client, persona, event, registration):
    client = _client_for(request, client, persona)
    get, post = _staff_urls(event, registration)
    for url in get:
        assert client.get(url).status_code == 403, url
    for url in post:
        assert client.post(url, {"attended": "1"}).status_code == 403, url
    assert Registration.objects.get(pk=registration.pk).status == "confirmed"


def test_staff_pages_send_anonymous_visitors_to_sign_in(client, event, registration):
    get, post = _staff_urls(event, registration)
    for url in get + post:
        response = client.post(url) if url in post else client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("account_login")), url


def test_staff_pages_send_staff_without_two_factor_to_set_it_up(client, staff_without_mfa, event, registration):
    client.force_login(staff_without_mfa)
    get, post = _staff_urls(event, registration)
    for url in get + post:
        response = client.post(url, {"attended": "1"}) if url in post else client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == reverse("mfa_activate_totp"), url
    assert Registration.objects.get(pk=registration.pk).attended_at is None


def test_staff_with_two_factor_reach_the_staff_pages(staff_client, event, registration):
    get, _post = _staff_urls(event, registration)
    for url in get:
        if url.startswith("/admin/"):
            continue  # the admin also needs model permissions (see test_admin)
        assert staff_client.get(url).status_code == 200, url


@pytest.mark.parametrize("persona", ["anonymous", *NON_STAFF, "staff_without_mfa"])
def test_drafts_do_not_exist_for_anyone_but_staff(request, client, persona, draft_event):
    client = _client_for(request, client, persona)
    for url in (
        reverse("events:detail", args=[draft_event.slug]),
        reverse("events:ics", args=[draft_event.slug]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("events:register", args=[draft_event.slug])).status_code in (302, 404)
    assert not Registration.objects.exists()
    assert draft_event.title not in client.get(reverse("events:list")).content.decode()


def test_staff_see_drafts(staff_client, draft_event):
    assert staff_client.get(reverse("events:detail", args=[draft_event.slug])).status_code == 200


@pytest.mark.parametrize("persona", ["anonymous", *NON_STAFF, "staff_without_mfa"])
def test_group_events_do_not_exist_outside_the_group(request, client, persona, group_event):
    client = _client_for(request, client, persona)
    for url in (
        reverse("events:detail", args=[group_event.slug]),
        reverse("events:ics", args=[group_event.slug]),
    ):
        assert client.get(url).status_code == 404, url
    if persona != "anonymous":
        assert client.post(reverse("events:register", args=[group_event.slug])).status_code == 404
        assert client.get(reverse("events:cancel_registration", args=[group_event.slug])).status_code == 404
    assert group_event.title not in client.get(reverse("events:list")).content.decode()
    assert not Registration.objects.exists()


def test_group_members_see_and_register_for_group_events(client, group_member, group_event):
    client.force_login(group_member)
    page = client.get(reverse("events:detail", args=[group_event.slug]))
    assert page.status_code == 200
    assert "Do not discuss prices" in page.content.decode()  # the group's antitrust notice
    assert group_event.title in client.get(reverse("events:list")).content.decode()
    client.post(reverse("events:register", args=[group_event.slug]))
    assert Registration.objects.get(user=group_member).status == "confirmed"


@pytest.mark.parametrize("persona", ["user", "applicant", "staff_without_mfa"])
def test_non_members_are_refused_members_only_registration_with_a_way_to_join(request, client, persona, members_event):
    client = _client_for(request, client, persona)
    response = client.post(reverse("events:register", args=[members_event.slug]))
    assert response.status_code == 403
    body = response.content.decode()
    assert "This event is for members" in body
    assert "Become a member" in body or "member organizations" in body
    assert not Registration.objects.exists()


def test_the_members_only_refusal_links_to_the_membership_application(user_client, members_event):
    from django.urls import NoReverseMatch

    try:
        apply_url = reverse("members:apply")
    except NoReverseMatch:
        pytest.skip("the membership application page is not installed")
    body = user_client.post(reverse("events:register", args=[members_event.slug])).content.decode()
    assert f'href="{apply_url}"' in body


@pytest.mark.parametrize("persona", ["member", "primary_contact"])
def test_members_may_register_for_members_only_events(request, client, persona, members_event):
    client = _client_for(request, client, persona)
    client.post(reverse("events:register", args=[members_event.slug]))
    assert Registration.objects.get(event=members_event).status == "confirmed"


def test_anonymous_visitors_are_sent_to_sign_in_before_registering(client, event):
    response = client.post(reverse("events:register", args=[event.slug]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not Registration.objects.exists()


@pytest.mark.parametrize("url_name", ["events:mine", "events:feed_manage"])
def test_personal_pages_need_sign_in(client, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_cancel_page_needs_sign_in(client, event):
    response = client.get(reverse("events:cancel_registration", args=[event.slug]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_join_link_is_shown_only_to_confirmed_registrants(client, people, webinar):
    for person in people[:3]:
        factories.RegistrationFactory(
            event=webinar, user=person, status="confirmed" if person != people[2] else "waitlisted"
        )
    url = reverse("events:detail", args=[webinar.slug])
    assert webinar.online_url not in client.get(url).content.decode()  # anonymous
    client.force_login(people[3])
    assert webinar.online_url not in client.get(url).content.decode()  # not registered
    client.force_login(people[2])
    assert webinar.online_url not in client.get(url).content.decode()  # waitlisted
    client.force_login(people[0])
    assert webinar.online_url in client.get(url).content.decode()  # confirmed


def test_staff_powers_need_two_factor(staff_user, staff_without_mfa):
    assert permissions.is_event_staff(staff_user) is True
    assert permissions.is_event_staff(staff_without_mfa) is False
