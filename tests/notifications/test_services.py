"""The notification backbone: outbox rows, dedupe, delivery once, retries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from notifications import services
from notifications.models import Notification, OutgoingEmail
from notifications.tasks import deliver_email, requeue_stalled_email

pytestmark = pytest.mark.django_db


def _notify(user, key="test:1", **kwargs):
    return services.notify(
        user=user,
        template="notifications/test",
        context={"name": "Ben & Jerry's <b>", "sender": "the tests"},
        dedupe_key=key,
        url="/dashboard/",
        **kwargs,
    )


def test_notify_stores_email_and_notice_and_sends_after_commit(user, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        outgoing = _notify(user)
        assert mailoutbox == []  # nothing leaves before the transaction commits
    assert len(callbacks) == 1

    callbacks[0]()

    outgoing.refresh_from_db()
    assert outgoing.status == OutgoingEmail.Status.SENT
    assert outgoing.attempts == 1
    assert outgoing.sent_at is not None
    assert [m.to for m in mailoutbox] == [[user.email]]
    notice = Notification.objects.get(user=user)
    assert notice.title == "Test message from the portal"
    assert notice.url == "/dashboard/"


def test_text_part_is_not_html_escaped_and_html_part_is(user, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _notify(user)

    message = mailoutbox[0]
    assert "Ben & Jerry's <b>" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "Ben &amp; Jerry&#x27;s &lt;b&gt;" in html
    assert message.subject == "[CMA USA] Test message from the portal"


def test_same_dedupe_key_never_creates_a_second_email(user, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = _notify(user, key="once")
        second = _notify(user, key="once")

    assert first.pk == second.pk
    assert OutgoingEmail.objects.count() == 1
    assert Notification.objects.count() == 1
    assert len(mailoutbox) == 1


def test_rolled_back_cause_sends_nothing(user, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        _notify(user)
        raise RuntimeError("the approval failed")

    assert OutgoingEmail.objects.count() == 0
    assert mailoutbox == []


def test_delivering_the_same_row_twice_sends_once(user, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        outgoing = _notify(user)

    assert deliver_email.delay(outgoing.pk).get() == "not claimed"

    outgoing.refresh_from_db()
    assert outgoing.attempts == 1
    assert len(mailoutbox) == 1


def test_smtp_failure_is_retried_and_recorded(user, smtp_settings, smtp_server, django_capture_on_commit_callbacks):
    smtp_server.refuse_next(2)

    with django_capture_on_commit_callbacks(execute=True):
        outgoing = _notify(user)

    outgoing.refresh_from_db()
    assert outgoing.status == OutgoingEmail.Status.SENT
    assert outgoing.attempts == 3
    assert "451" in outgoing.last_error
    assert smtp_server.attempts == 3
    assert len(smtp_server.messages) == 1
    assert smtp_server.messages[0]["To"] == user.email


def test_smtp_failure_gives_up_after_the_attempt_limit(
    user, smtp_settings, smtp_server, django_capture_on_commit_callbacks
):
    smtp_settings.EMAIL_MAX_ATTEMPTS = 3
    smtp_server.refuse_next(10)

    with django_capture_on_commit_callbacks(execute=True):
        outgoing = _notify(user)

    outgoing.refresh_from_db()
    assert outgoing.status == OutgoingEmail.Status.FAILED
    assert outgoing.attempts == 3
    assert smtp_server.messages == []


def test_unreachable_smtp_server_is_recorded_as_an_error(
    user, settings, eager_retries, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens on 9
    settings.EMAIL_MAX_ATTEMPTS = 1

    with django_capture_on_commit_callbacks(execute=True):
        outgoing = _notify(user)

    outgoing.refresh_from_db()
    assert outgoing.status == OutgoingEmail.Status.FAILED
    assert "ConnectionRefusedError" in outgoing.last_error


def test_staff_can_requeue_a_failed_email(user, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        outgoing = _notify(user)
    OutgoingEmail.objects.filter(pk=outgoing.pk).update(status=OutgoingEmail.Status.FAILED, attempts=5)

    with django_capture_on_commit_callbacks(execute=True):
        assert services.email_requeue(email_id=outgoing.pk)

    outgoing.refresh_from_db()
    assert outgoing.status == OutgoingEmail.Status.SENT
    assert len(mailoutbox) == 1


def test_stalled_emails_are_requeued_and_sent_once(user, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        lost = _notify(user, key="lost-message")
        crashed = _notify(user, key="crashed-worker")
        _notify(user, key="just-queued")
    long_ago = timezone.now() - timedelta(hours=1)
    OutgoingEmail.objects.filter(pk=lost.pk).update(updated_at=long_ago, next_attempt_at=long_ago)
    OutgoingEmail.objects.filter(pk=crashed.pk).update(
        status=OutgoingEmail.Status.SENDING, claimed_at=long_ago, attempts=1
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert requeue_stalled_email.delay().get() == 2

    statuses = dict(OutgoingEmail.objects.values_list("dedupe_key", "status"))
    assert statuses == {"lost-message": "sent", "crashed-worker": "sent", "just-queued": "queued"}
    assert len(mailoutbox) == 2


def test_notify_to_a_bare_address_stores_no_notice(db, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(
            email="signer@example.org",
            template="notifications/test",
            context={"name": "Signer", "sender": "tests"},
            dedupe_key="bare",
        )

    assert Notification.objects.count() == 0
    assert mailoutbox[0].to == ["signer@example.org"]


def test_mark_all_read(user_client, user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _notify(user, key="a")
        _notify(user, key="b")

    response = user_client.post("/notifications/read/")

    assert response.status_code == 302
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_the_batch_task_sends_every_email_waiting_for_its_first_attempt(
    user, mailoutbox, django_capture_on_commit_callbacks
):
    from notifications.tasks import deliver_queued_email

    with django_capture_on_commit_callbacks(execute=False):  # as if the broker had not run them yet
        first = _notify(user, key="batch:1")
        second = _notify(user, key="batch:2")
        waiting = _notify(user, key="batch:retrying")
    OutgoingEmail.objects.filter(pk=waiting.pk).update(  # its retry is due later
        attempts=1, last_error="451", next_attempt_at=timezone.now() + timedelta(minutes=1)
    )

    assert deliver_queued_email.delay().get() == 2
    assert deliver_queued_email.delay().get() == 0  # running again sends nothing

    statuses = dict(OutgoingEmail.objects.values_list("pk", "status"))
    assert statuses == {first.pk: "sent", second.pk: "sent", waiting.pk: "queued"}
    assert len(mailoutbox) == 2


def test_sensitive_emails_forget_their_recipient_after_the_retention_period(
    user, settings, django_capture_on_commit_callbacks
):
    settings.OUTBOX_SENSITIVE_RETENTION_DAYS = 30
    with django_capture_on_commit_callbacks(execute=True):
        old = _notify(user, key="old-secret", sensitive=True)
        recent = _notify(user, key="recent-secret", sensitive=True)
        ordinary = _notify(user, key="old-ordinary")
    OutgoingEmail.objects.filter(pk__in=[old.pk, ordinary.pk]).update(created_at=timezone.now() - timedelta(days=31))

    assert services.sensitive_emails_expire() == 1

    recipients = dict(OutgoingEmail.objects.values_list("dedupe_key", "recipient"))
    assert recipients == {"old-secret": "", "recent-secret": user.email, "old-ordinary": user.email}
    recent.refresh_from_db()
    assert recent.body_text == services.REMOVED_BODY  # sensitive bodies go as soon as they are sent


def test_forgetting_by_prefix_leaves_queued_and_other_emails(user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _notify(user, key="petitions:signature:7:confirm:1")
        _notify(user, key="petitions:signature:70:confirm:1")
    with django_capture_on_commit_callbacks(execute=False):
        _notify(user, key="petitions:signature:7:reminder:2")  # still queued: it goes out as it is

    assert services.emails_forget(dedupe_key_prefix="petitions:signature:7:") == 1

    recipients = dict(OutgoingEmail.objects.values_list("dedupe_key", "recipient"))
    assert recipients["petitions:signature:7:confirm:1"] == ""
    assert recipients["petitions:signature:70:confirm:1"] == user.email
    assert recipients["petitions:signature:7:reminder:2"] == user.email
