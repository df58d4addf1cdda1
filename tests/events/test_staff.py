"""Staff pages: scheduling forms, registrant list, CSV export, check-in."""

from __future__ import annotations

import csv
import datetime
import io
import re
import zoneinfo

import pytest
from django.urls import reverse

from events import services
from events.models import Event, Registration
from tests import factories

from .conftest import ics_attachments, in_days

pytestmark = pytest.mark.django_db


def _form_data(**overrides):
    data = {
        "kind": "webinar",
        "title": "Webinar: Gallium Export Controls",
        "summary": "How members adapt.",
        "description": "",
        "starts_at": "2027-02-09T11:00",
        "ends_at": "2027-02-09T12:30",
        "time_zone": "America/Chicago",
        "venue_name": "",
        "venue_address": "",
        "online_url": "https://meet.example.org/gallium",
        "visibility": "public",
        "working_group": "",
        "capacity": "50",
        "max_seats_per_registration": "1",
        "registration_opens_at": "",
        "registration_closes_at": "",
        "speakers-TOTAL_FORMS": "2",
        "speakers-INITIAL_FORMS": "0",
        "speakers-MIN_NUM_FORMS": "0",
        "speakers-MAX_NUM_FORMS": "30",
        "speakers-0-name": "Tom Sato",
        "speakers-0-title": "CTO",
        "speakers-0-organization": "Cascade Sensor Systems",
        "questions-TOTAL_FORMS": "1",
        "questions-INITIAL_FORMS": "0",
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "15",
        "questions-0-label": "Which supplier do you use?",
        "questions-0-kind": "choice",
        "questions-0-choices": "Domestic\nImported\n",
        "questions-0-required": "on",
    }
    data.update(overrides)
    return data


def test_create_an_event_with_times_in_its_own_zone(staff_client, staff_user):
    response = staff_client.post(reverse("staff:events:create"), _form_data())

    event = Event.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:events:detail", args=[event.pk])
    assert event.status == "draft"
    # 11:00 in Chicago in February is 17:00 UTC, whatever the staff member's own zone.
    assert event.starts_at == datetime.datetime(2027, 2, 9, 17, 0, tzinfo=datetime.UTC)
    assert event.ends_at == datetime.datetime(2027, 2, 9, 18, 30, tzinfo=datetime.UTC)
    assert [s.name for s in event.speakers.all()] == ["Tom Sato"]
    question = event.questions.get()
    assert (question.kind, question.options, question.required) == ("choice", ["Domestic", "Imported"], True)
    assert event.created_by == staff_user


def test_save_and_publish(staff_client):
    staff_client.post(reverse("staff:events:create"), _form_data(publish="1"))
    assert Event.objects.get().status == "published"


def test_an_event_ending_before_it_starts_is_an_error_beside_the_field(staff_client):
    response = staff_client.post(reverse("staff:events:create"), _form_data(ends_at="2027-02-09T10:00"))
    assert response.status_code == 200
    assert "The event must end after it starts." in response.content.decode()
    assert not Event.objects.exists()


def test_a_time_skipped_by_daylight_saving_is_an_error(staff_client):
    response = staff_client.post(
        reverse("staff:events:create"),
        _form_data(starts_at="2027-03-14T02:30", ends_at="2027-03-14T04:00", time_zone="America/New_York"),
    )
    assert response.status_code == 200
    assert "does not exist on that day" in response.content.decode()
    assert not Event.objects.exists()


def test_group_only_without_a_group_is_an_error(staff_client):
    response = staff_client.post(reverse("staff:events:create"), _form_data(visibility="group"))
    assert response.status_code == 200
    assert "Choose the working group" in response.content.decode()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"online_url": ""}, "online_url", "A webinar needs a join link."),
        ({"kind": "roundtable", "online_url": ""}, "venue_name", "Give a venue or a join link."),
    ],
)
def test_people_must_be_able_to_get_to_a_staff_scheduled_event(staff_client, overrides, field, message):
    response = staff_client.post(reverse("staff:events:create"), _form_data(**overrides))
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert not Event.objects.exists()


def test_a_roundtable_online_only_needs_no_venue(staff_client):
    staff_client.post(reverse("staff:events:create"), _form_data(kind="roundtable"))
    assert Event.objects.get().online_url == "https://meet.example.org/gallium"


def test_editing_away_the_join_link_of_a_webinar_is_refused(staff_client, webinar):
    data = _form_data(kind="webinar", online_url="", title=webinar.title)
    response = staff_client.post(reverse("staff:events:edit", args=[webinar.pk]), data)
    assert response.context["form"].errors["online_url"] == ["A webinar needs a join link."]
    webinar.refresh_from_db()
    assert webinar.online_url == "https://meet.example.org/cma/pooled-demand"


def test_a_choice_question_needs_options(staff_client):
    response = staff_client.post(reverse("staff:events:create"), _form_data(**{"questions-0-choices": "Only one"}))
    assert response.status_code == 200
    assert "Give at least two options" in response.content.decode()


def test_edit_a_published_event_keeps_its_time_and_bumps_the_sequence(staff_client, event):
    page = staff_client.get(reverse("staff:events:edit", args=[event.pk]))
    assert "Use Reschedule to change the time" in page.content.decode()
    data = _form_data(
        title="Renamed roundtable",
        starts_at="2030-01-01T10:00",  # disabled fields: ignored
        **{"questions-TOTAL_FORMS": "0", "speakers-TOTAL_FORMS": "0"},
    )
    response = staff_client.post(reverse("staff:events:edit", args=[event.pk]), data)
    assert response.status_code == 302
    updated = Event.objects.get(pk=event.pk)
    assert updated.title == "Renamed roundtable"
    assert updated.starts_at == event.starts_at
    assert updated.sequence == 1


def test_edit_form_shows_times_in_the_events_zone(staff_client):
    start = datetime.datetime(2027, 2, 9, 17, 0, tzinfo=datetime.UTC)
    event = factories.EventFactory(
        status="draft", starts_at=start, ends_at=start + datetime.timedelta(hours=1), time_zone="America/Chicago"
    )
    body = staff_client.get(reverse("staff:events:edit", args=[event.pk])).content.decode()
    assert 'value="2027-02-09T11:00"' in body


def test_publish_button(staff_client, draft_event):
    staff_client.post(reverse("staff:events:publish", args=[draft_event.pk]))
    assert Event.objects.get(pk=draft_event.pk).status == "published"
    response = staff_client.post(reverse("staff:events:publish", args=[draft_event.pk]), follow=True)
    assert "Only a draft can be published" in response.content.decode()


def test_reschedule_page(staff_client, user, event, mailoutbox, django_capture_on_commit_callbacks):
    services.event_register(actor=user, event=event)
    mailoutbox.clear()
    new_local = event.starts_at.astimezone(zoneinfo.ZoneInfo("America/New_York")) + datetime.timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("staff:events:reschedule", args=[event.pk]),
            {
                "starts_at": new_local.strftime("%Y-%m-%dT%H:%M"),
                "ends_at": (new_local + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
                "time_zone": "America/New_York",
                "note": "Moved for the hearing.",
            },
        )
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.starts_at == new_local.astimezone(datetime.UTC)
    assert event.sequence == 1
    (message,) = mailoutbox
    assert ics_attachments(message)[0].events[0]["SEQUENCE"] == 1


def test_reschedule_to_the_past_is_an_error(staff_client, event):
    response = staff_client.post(
        reverse("staff:events:reschedule", args=[event.pk]),
        {"starts_at": "2020-01-01T10:00", "ends_at": "2020-01-01T11:00", "time_zone": "America/New_York"},
    )
    assert response.status_code == 200
    assert "The new start must be in the future." in response.content.decode()
    assert Event.objects.get(pk=event.pk).sequence == 0


def test_cancel_page_needs_a_message(staff_client, event):
    response = staff_client.post(reverse("staff:events:cancel", args=[event.pk]), {"message": ""})
    assert "This field is required." in response.content.decode()
    assert Event.objects.get(pk=event.pk).status == "published"
    staff_client.post(reverse("staff:events:cancel", args=[event.pk]), {"message": "The venue flooded."})
    event.refresh_from_db()
    assert (event.status, event.cancellation_message) == ("cancelled", "The venue flooded.")


def test_duplicate_page(staff_client, event):
    new_start = (event.starts_at + datetime.timedelta(days=28)).astimezone(zoneinfo.ZoneInfo("America/New_York"))
    response = staff_client.post(
        reverse("staff:events:duplicate", args=[event.pk]),
        {"title": "Roundtable, part 2", "starts_at": new_start.strftime("%Y-%m-%dT%H:%M")},
    )
    copy = Event.objects.exclude(pk=event.pk).get()
    assert response["Location"] == reverse("staff:events:edit", args=[copy.pk])
    assert (copy.title, copy.status) == ("Roundtable, part 2", "draft")


def test_registrant_list_shows_answers_positions_and_organizations(staff_client, member):
    event = factories.EventFactory(capacity=1)
    question = factories.RegistrationQuestionFactory(event=event, label="Dietary needs")
    services.event_register(actor=member, event=event, answers={question.pk: "Vegan"})
    waiting = factories.UserFactory(name="Wendy Wait")
    services.event_register(actor=waiting, event=event)

    body = staff_client.get(reverse("staff:events:registrants", args=[event.pk])).content.decode()

    assert "Dietary needs" in body and "Vegan" in body
    assert member.organization_roles.get().organization.name in body
    assert "Waitlist #1" in body and "Wendy Wait" in body


def test_staff_cancel_promotes_and_says_who(staff_client, people):
    event = factories.EventFactory(capacity=1)
    first = services.event_register(actor=people[0], event=event)
    services.event_register(actor=people[1], event=event)
    response = staff_client.post(reverse("staff:events:registration_cancel", args=[first.pk]), follow=True)
    assert f"Promoted from the waitlist: {people[1].display_name}." in response.content.decode()
    assert Registration.objects.get(user=people[1]).status == "confirmed"


def test_csv_export_is_formula_safe_and_complete(staff_client):
    event = factories.EventFactory()
    question = factories.RegistrationQuestionFactory(event=event, label="Company role")
    evil = factories.UserFactory(name='=HYPERLINK("http://evil.example")')
    services.event_register(actor=evil, event=event, answers={question.pk: "+1 555 0100"})

    response = staff_client.get(reverse("staff:events:export", args=[event.pk]))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{event.slug}-registrants.csv"'
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:4] == ["Name", "Email", "Organizations", "Status"]
    assert rows[0][-1] == "Company role"
    assert rows[1][0] == '\'=HYPERLINK("http://evil.example")'
    assert rows[1][3] == "Confirmed"
    assert rows[1][-1] == "'+1 555 0100"


def test_check_in_with_htmx_swaps_the_row(staff_client, user, event):
    registration = services.event_register(actor=user, event=event)
    page = staff_client.get(reverse("staff:events:check_in", args=[event.pk]))
    assert "0 of 1 confirmed registrant checked in" in page.content.decode()

    response = staff_client.post(
        reverse("staff:events:attendance", args=[registration.pk]), {"attended": "1"}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="r{registration.pk}"' in body and "is-checked-in" in body
    assert 'hx-swap-oob="true"' in body and "1 of 1 confirmed registrant checked in" in body
    assert Registration.objects.get(pk=registration.pk).attended_at is not None


def test_check_in_without_javascript_redirects_back(staff_client, user, event):
    registration = services.event_register(actor=user, event=event)
    response = staff_client.post(
        reverse("staff:events:attendance", args=[registration.pk]), {"attended": "1", "q": "ann & bob"}
    )
    assert response.status_code == 302
    assert (
        response["Location"] == f"{reverse('staff:events:check_in', args=[event.pk])}?q=ann+%26+bob#r{registration.pk}"
    )


def test_check_in_with_tampered_input_is_400(staff_client, user, event):
    registration = services.event_register(actor=user, event=event)
    response = staff_client.post(reverse("staff:events:attendance", args=[registration.pk]), {"attended": "maybe"})
    assert response.status_code == 400
    assert Registration.objects.get(pk=registration.pk).attended_at is None


def test_check_in_search(staff_client, event):
    for name in ("Ada Okafor", "Tom Sato"):
        services.event_register(actor=factories.UserFactory(name=name), event=event)
    body = staff_client.get(reverse("staff:events:check_in", args=[event.pk]), {"q": "okafor"}).content.decode()
    assert "Ada Okafor" in body and "Tom Sato" not in body


def test_staff_list_counts_by_kind(staff_client, people):
    held = factories.EventFactory(kind="workshop", starts_at=in_days(-10), ends_at=in_days(-9.9))
    for i, person in enumerate(people[:4]):
        factories.RegistrationFactory(event=held, user=person, attended_at=held.starts_at if i < 3 else None)
    response = staff_client.get(reverse("staff:events:list"))
    workshop = next(row for row in response.context["counts"] if row.kind == "workshop")
    assert (workshop.events, workshop.registrations, workshop.attended, workshop.attendance_rate) == (1, 4, 3, 75)


def test_staff_home_lists_the_events_tools(staff_client):
    body = staff_client.get(reverse("staff:index")).content.decode()
    assert reverse("staff:events:list") in body


def test_missing_event_is_404_for_staff(staff_client):
    assert staff_client.get(reverse("staff:events:detail", args=[999999])).status_code == 404


def test_a_speaker_row_needs_a_name_but_blank_rows_are_ignored(staff_client):
    response = staff_client.post(
        reverse("staff:events:create"),
        _form_data(**{"speakers-0-name": "", "speakers-0-title": "CTO", "speakers-1-organization": ""}),
    )
    assert "Give the speaker&#x27;s name." in response.content.decode()
    assert not Event.objects.exists()

    staff_client.post(
        reverse("staff:events:create"),
        _form_data(**{"speakers-0-name": "", "speakers-0-title": "", "speakers-0-organization": ""}),
    )
    assert not Event.objects.get().speakers.exists()


def test_a_double_submitted_create_form_makes_one_event(staff_client):
    key = "6f1c1e1e-3b1a-4a55-9c4f-1a2b3c4d5e6f"
    first = staff_client.post(reverse("staff:events:create"), _form_data(creation_key=key, publish="1"))
    second = staff_client.post(reverse("staff:events:create"), _form_data(creation_key=key, publish="1"))
    event = Event.objects.get()
    assert first["Location"] == second["Location"] == reverse("staff:events:detail", args=[event.pk])
    assert event.status == "published"


def test_the_create_form_carries_a_fresh_key_each_time(staff_client):
    keys = set()
    for _ in range(2):
        body = staff_client.get(reverse("staff:events:create")).content.decode()
        keys.add(re.search(r'name="creation_key" value="([0-9a-f-]{36})"', body).group(1))
    assert len(keys) == 2


def test_a_double_submitted_duplicate_form_makes_one_copy(staff_client, event):
    data = {"title": "Part 2", "starts_at": "2030-05-01T10:00", "creation_key": "0b7a3c52-8d57-4d7e-9a3e-2d1c7a9f5b11"}
    staff_client.post(reverse("staff:events:duplicate", args=[event.pk]), data)
    staff_client.post(reverse("staff:events:duplicate", args=[event.pk]), data)
    assert Event.objects.filter(title="Part 2").count() == 1
