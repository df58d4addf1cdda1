"""Sending an announcement: once per person, pausable, cancellable, honouring preferences."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cma.errors import Conflict
from communications import services
from communications.audiences import Audience
from communications.models import Message
from notifications import services as notification_services
from notifications.models import DigestItem, OutgoingEmail, Suppression
from notifications.topics import Mode, Topic
from tests import factories

from .conftest import member_in

pytestmark = pytest.mark.django_db


def send_now(message, staff_user, capture):
    with capture(execute=True):
        return services.message_send(actor=staff_user, message=message)


def test_sending_reaches_every_member_once_with_their_name(
    draft, staff_user, mailoutbox, django_capture_on_commit_callbacks
):
    ann, ben = member_in(), member_in()

    message = send_now(draft, staff_user, django_capture_on_commit_callbacks)

    by_address = {m.to[0]: m for m in mailoutbox}
    assert set(by_address) == {ann.email, ben.email}
    text = by_address[ann.email].body
    assert f"Hello {ann.display_name}," in text
    assert "The **lithium roundtable** meets" in text  # the Markdown source reads as plain text
    assert "Register: https://portal.cma-usa.example/events/" in text
    html = by_address[ann.email].alternatives[0][0]
    assert "<strong>lithium roundtable</strong>" in html
    assert by_address[ann.email].extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    message.refresh_from_db()
    # In-process delivery is done by the end of the fan-out, so it settles at once.
    assert (message.status, message.recipient_count) == ("sent", 2)
    assert services.messages_settle() == 0


def test_a_second_send_is_refused_and_mails_nobody_again(
    draft, staff_user, mailoutbox, django_capture_on_commit_callbacks
):
    member_in()
    send_now(draft, staff_user, django_capture_on_commit_callbacks)

    with pytest.raises(Conflict, match="already sent"):
        send_now(draft, staff_user, django_capture_on_commit_callbacks)

    assert len(mailoutbox) == 1


def test_running_the_fan_out_again_adds_nobody(draft, staff_user, mailoutbox, django_capture_on_commit_callbacks):
    member_in(), member_in()
    send_now(draft, staff_user, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        assert services.message_fan_out(message_id=draft.pk) == 0

    assert len(mailoutbox) == 2
    assert OutgoingEmail.objects.filter(shared_body__message=draft).count() == 2


def test_preferences_are_honoured(draft, staff_user, mailoutbox, django_capture_on_commit_callbacks):
    immediate, quiet, digest = member_in(), member_in(), member_in()
    notification_services.preferences_set(user=quiet, modes={Topic.ANNOUNCEMENTS: Mode.OFF})
    notification_services.preferences_set(user=digest, modes={Topic.ANNOUNCEMENTS: Mode.WEEKLY})

    send_now(draft, staff_user, django_capture_on_commit_callbacks)

    assert [m.to for m in mailoutbox] == [[immediate.email]]
    item = DigestItem.objects.get()
    assert (item.user, item.title) == (digest, draft.subject)
    draft.refresh_from_db()
    assert (draft.recipient_count, draft.opted_out_count, draft.digest_count) == (1, 1, 1)


def test_a_suppressed_address_is_skipped(draft, staff_user, mailoutbox, django_capture_on_commit_callbacks):
    gone = member_in()
    Suppression.objects.create(email=gone.email.lower(), reason="hard_bounce")

    send_now(draft, staff_user, django_capture_on_commit_callbacks)

    assert mailoutbox == []
    draft.refresh_from_db()
    assert draft.opted_out_count == 1


def test_pause_holds_the_rest_and_resume_sends_it(draft, staff_user, mailoutbox, django_capture_on_commit_callbacks):
    for _ in range(3):
        member_in()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:  # as if the workers had not started
        services.message_send(actor=staff_user, message=draft)
    services.message_fan_out(message_id=draft.pk)  # the fan-out task, without delivering yet
    assert len(callbacks) >= 1

    services.message_pause(actor=staff_user, message=draft)
    assert notification_services.emails_deliver_batch() == 0
    assert set(OutgoingEmail.objects.values_list("status", flat=True)) == {"held"}

    with django_capture_on_commit_callbacks(execute=True):
        services.message_resume(actor=staff_user, message=draft)

    assert len(mailoutbox) == 3


def test_cancel_mid_send_stops_the_rest(draft, staff_user, mailoutbox, django_capture_on_commit_callbacks):
    for _ in range(4):
        member_in()
    with django_capture_on_commit_callbacks(execute=False):
        services.message_send(actor=staff_user, message=draft)
    services.message_fan_out(message_id=draft.pk)
    first = OutgoingEmail.objects.order_by("pk").first()
    notification_services.email_deliver(email_id=first.pk)  # one went out before the cancel

    services.message_cancel(actor=staff_user, message=draft)

    assert notification_services.emails_deliver_batch() == 0
    statuses = sorted(OutgoingEmail.objects.values_list("status", flat=True))
    assert statuses == ["cancelled", "cancelled", "cancelled", "sent"]
    assert len(mailoutbox) == 1
    draft.refresh_from_db()
    assert draft.status == "cancelled"


def test_cancelling_a_finished_send_is_refused(draft, staff_user, django_capture_on_commit_callbacks):
    member_in()
    send_now(draft, staff_user, django_capture_on_commit_callbacks)
    services.messages_settle()

    with pytest.raises(Conflict, match="nothing to cancel"):
        services.message_cancel(actor=staff_user, message=draft)


def test_an_empty_audience_cannot_be_sent(draft, staff_user):
    with pytest.raises(Conflict, match="Nobody is in this audience"):
        services.message_send(actor=staff_user, message=draft)

    draft.refresh_from_db()
    assert draft.status == "draft"


def test_a_schedule_in_the_past_is_refused(draft, staff_user):
    member_in()

    with pytest.raises(ValidationError) as refused:
        services.message_send(actor=staff_user, message=draft, when=timezone.now() - datetime.timedelta(hours=1))

    assert "scheduled_for" in refused.value.message_dict
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_a_scheduled_message_goes_out_when_its_time_comes(
    draft, staff_user, mailoutbox, django_capture_on_commit_callbacks
):
    member_in()
    when = timezone.now() + datetime.timedelta(hours=2)
    services.message_send(actor=staff_user, message=draft, when=when)

    assert services.messages_send_due(now=when - datetime.timedelta(minutes=1)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert services.messages_send_due(now=when + datetime.timedelta(seconds=30)) == 1

    assert len(mailoutbox) == 1
    assert services.messages_send_due(now=when + datetime.timedelta(minutes=2)) == 0


def test_markdown_script_and_javascript_links_never_reach_the_email(
    staff_user, mailoutbox, django_capture_on_commit_callbacks
):
    member_in()
    message = services.message_create(
        actor=staff_user, audience=Audience(), kind="newsletter", subject="News",
        body="Hi <script>alert(1)</script> [click](javascript:alert(2)) <img src=x onerror=alert(3)>",
    )  # fmt: skip

    send_now(message, staff_user, django_capture_on_commit_callbacks)

    html = mailoutbox[0].alternatives[0][0]
    assert "<script" not in html and "javascript:" not in html and "onerror" not in html


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"body": "x" * (5 * 1024 * 1024)}, "body"),
        ({"cta_label": "Register", "cta_url": "javascript:alert(1)"}, "cta_url"),
        ({"cta_label": "Register", "cta_url": "http://plain.example"}, "cta_url"),
        ({"cta_label": "Register"}, "cta_url"),
        ({"subject": ""}, "subject"),
    ],
)
def test_bad_drafts_are_refused_beside_the_field(staff_user, fields, field):
    values = {"kind": "announcement", "subject": "News", "body": "Hello", **fields}

    with pytest.raises(ValidationError) as refused:
        services.message_create(actor=staff_user, audience=Audience(), **values)

    assert field in refused.value.message_dict
    assert not Message.objects.exists()


def test_a_test_send_goes_to_the_staff_member_only_once_per_click(
    draft, staff_user, mailoutbox, django_capture_on_commit_callbacks
):
    member_in()
    with django_capture_on_commit_callbacks(execute=True):
        services.message_send_test(actor=staff_user, message=draft, nonce="abc")
        services.message_send_test(actor=staff_user, message=draft, nonce="abc")

    assert [m.to for m in mailoutbox] == [[staff_user.email]]
    assert mailoutbox[0].subject == f"[CMA USA] [Test] {draft.subject}"
    assert f"Hello {staff_user.display_name}," in mailoutbox[0].body


def test_petition_signers_get_updates_without_an_archive_link(
    staff_user, mailoutbox, django_capture_on_commit_callbacks
):
    petition = factories.PetitionFactory()
    signer = factories.SignatureFactory(petition=petition, wants_updates=True)
    message = services.message_create(
        actor=staff_user, audience=Audience(kind="petition_signers", petition=petition.pk), kind="announcement",
        subject="The petition reached Congress", body="Thank you for signing.",
    )  # fmt: skip

    send_now(message, staff_user, django_capture_on_commit_callbacks)

    (email,) = mailoutbox
    assert email.to == [signer.email]
    assert f"Hello {signer.name}," in email.body
    assert "/announcements/" not in email.body


def test_with_workers_the_message_settles_once_every_email_is_out(
    draft, staff_user, django_capture_on_commit_callbacks
):
    member_in(), member_in()
    with django_capture_on_commit_callbacks(execute=False):  # the broker has the work, no worker ran yet
        services.message_send(actor=staff_user, message=draft)
    services.message_fan_out(message_id=draft.pk)

    assert services.messages_settle() == 0  # emails still queued
    notification_services.emails_deliver_batch()
    assert services.messages_settle() == 1
    draft.refresh_from_db()
    assert draft.status == "sent" and draft.finished_at is not None
