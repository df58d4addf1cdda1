"""Many recipients, one body: bulk rows, merged per recipient, sent in batches
over one SMTP connection each, claimed so nobody gets one twice."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from notifications import services
from notifications.models import OutgoingEmail
from notifications.rendering import RenderedEmail
from notifications.services import delivery
from notifications.topics import Topic

pytestmark = pytest.mark.django_db


def body():
    return services.email_body_create(
        rendered=RenderedEmail(
            subject="Lithium policy update",
            body_text="Hello %%CMA:name%%,\\nNews.\\nUnsubscribe: %%CMA:unsubscribe_url%%\\n",
            body_html="<p>Hello %%CMA:name%%,</p><a href='%%CMA:unsubscribe_url%%'>Unsubscribe</a>",
        )
    )


def recipients(n, start=0):
    return [
        services.SharedRecipient(email=f"member{i}@example.org", merge={"name": f"Member <{i}>"})
        for i in range(start, start + n)
    ]


def test_rows_go_in_bulk_and_a_second_run_adds_nothing(django_assert_max_num_queries):
    shared = body()

    # A count and an insert per 500 rows (SQLite caps the parameters of one
    # statement, so Django splits its inserts smaller there).
    with django_assert_max_num_queries(2 * 3 if connection.vendor == "postgresql" else 40):
        added = services.emails_enqueue_shared(
            body=shared, recipients=recipients(1200), category="announcement", dedupe_prefix="msg:1",
            topic=Topic.ANNOUNCEMENTS, held=True,
        )  # fmt: skip
    again = services.emails_enqueue_shared(
        body=shared, recipients=recipients(1250), category="announcement", dedupe_prefix="msg:1",
        topic=Topic.ANNOUNCEMENTS, held=True,
    )  # fmt: skip

    assert (added, again) == (1200, 50)
    assert OutgoingEmail.objects.filter(shared_body=shared).count() == 1250


def test_each_recipient_gets_their_own_merge_escaped_in_html(mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.emails_enqueue_shared(
            body=body(), recipients=recipients(2), category="announcement", dedupe_prefix="msg:2",
            topic=Topic.ANNOUNCEMENTS,
        )  # fmt: skip

    first = next(m for m in mailoutbox if m.to == ["member0@example.org"])
    assert "Hello Member <0>," in first.body
    html = first.alternatives[0][0]
    assert "Hello Member &lt;0&gt;," in html
    assert "%%CMA" not in first.body + html
    assert "/notifications/unsubscribe/" in first.body


def test_a_batch_uses_one_smtp_connection(smtp_settings, smtp_server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.emails_enqueue_shared(
            body=body(), recipients=recipients(delivery.BATCH_SIZE * 2), category="announcement",
            dedupe_prefix="msg:3", topic=Topic.ANNOUNCEMENTS,
        )  # fmt: skip

    assert len(smtp_server.messages) == delivery.BATCH_SIZE * 2
    assert smtp_server.sessions == 2
    assert set(OutgoingEmail.objects.values_list("status", flat=True)) == {"sent"}


def test_a_refused_message_is_retried_later_and_the_batch_goes_on(smtp_settings, smtp_server):
    services.emails_enqueue_shared(
        body=body(), recipients=recipients(5), category="announcement", dedupe_prefix="msg:4",
        topic=Topic.ANNOUNCEMENTS,
    )  # fmt: skip
    smtp_server.refuse_next(1)

    assert services.emails_deliver_batch() == 5

    statuses = sorted(OutgoingEmail.objects.values_list("status", flat=True))
    assert statuses == ["queued", "sent", "sent", "sent", "sent"]
    assert len(smtp_server.messages) == 4


def test_an_unreachable_server_gives_the_rest_of_the_batch_back_untried(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    services.emails_enqueue_shared(
        body=body(), recipients=recipients(4), category="announcement", dedupe_prefix="msg:5",
        topic=Topic.ANNOUNCEMENTS,
    )  # fmt: skip

    services.emails_deliver_batch()

    rows = list(OutgoingEmail.objects.order_by("pk").values_list("status", "attempts"))
    assert rows == [("queued", 1), ("queued", 0), ("queued", 0), ("queued", 0)]
    assert all(r.next_attempt_at > timezone.now() for r in OutgoingEmail.objects.all())


def test_a_claim_of_a_dead_worker_is_taken_over_only_after_the_stall_window(mailoutbox):
    services.emails_enqueue_shared(
        body=body(), recipients=recipients(1), category="announcement", dedupe_prefix="msg:6",
        topic=Topic.ANNOUNCEMENTS, held=True,
    )  # fmt: skip
    window = delivery.stall_window()
    claimed = timezone.now() - window + datetime.timedelta(seconds=5)
    OutgoingEmail.objects.update(status="sending", attempts=1, claimed_at=claimed)

    assert services.emails_deliver_batch() == 0  # its worker may still be sending it

    OutgoingEmail.objects.update(claimed_at=claimed - datetime.timedelta(seconds=10))
    assert services.emails_deliver_batch() == 1
    assert len(mailoutbox) == 1
    assert OutgoingEmail.objects.get().attempts == 2


def test_the_stall_window_follows_the_delivery_tasks_hard_time_limit(settings):
    from notifications.tasks import deliver_queued_email

    assert deliver_queued_email.time_limit == settings.EMAIL_DELIVERY_TIME_LIMIT
    assert delivery.stall_window() > datetime.timedelta(seconds=deliver_queued_email.time_limit)
    assert delivery.stall_window() < datetime.timedelta(minutes=2)


def test_held_rows_are_not_sent(mailoutbox):
    services.emails_enqueue_shared(
        body=body(), recipients=recipients(3), category="announcement", dedupe_prefix="msg:7",
        topic=Topic.ANNOUNCEMENTS, held=True,
    )  # fmt: skip

    assert services.emails_deliver_batch() == 0
    assert mailoutbox == []


def test_every_attempt_of_a_row_carries_the_same_message_id(mailoutbox, django_capture_on_commit_callbacks):
    services.emails_enqueue_shared(
        body=body(), recipients=recipients(1), category="announcement", dedupe_prefix="msg:8",
        topic=Topic.ANNOUNCEMENTS, held=True,
    )  # fmt: skip
    row = OutgoingEmail.objects.get()

    first, second = services.build_message(row), services.build_message(row)

    assert first.extra_headers["Message-ID"] == second.extra_headers["Message-ID"]
    assert first.extra_headers["Message-ID"].endswith("@cma-usa.localhost>")


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="synchronous_commit is PostgreSQL's")
def test_a_batch_marks_without_waiting_for_the_disk_and_leaves_the_connection_as_it_was(
    smtp_settings, smtp_server, monkeypatch
):
    services.emails_enqueue_shared(
        body=body(), recipients=recipients(3), category="announcement", dedupe_prefix="msg:9",
        topic=Topic.ANNOUNCEMENTS, held=False,
    )  # fmt: skip
    seen: list[str] = []
    real_mark_sent = delivery._mark_sent

    def mark_sent(row):
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            seen.append(cursor.fetchone()[0])
        real_mark_sent(row)

    monkeypatch.setattr(delivery, "_mark_sent", mark_sent)

    assert services.emails_deliver_batch() == 3

    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        after = cursor.fetchone()[0]
    assert (seen, after) == (["off"] * 3, "on")
