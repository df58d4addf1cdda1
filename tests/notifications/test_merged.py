"""notify_merged(): a transactional email rendered once per process as a shared
body, each recipient's own values merged in when it is sent — and still one
row per dedupe key, stored in the caller's transaction, its private values
gone once sent, forgotten or expired."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from notifications import services
from notifications.models import EmailBody, OutgoingEmail
from notifications.services import outbox

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_process(monkeypatch):
    """No bodies remembered from other tests; counts the renderings."""
    monkeypatch.setattr(outbox, "_merged_bodies", {})
    renders: list[str] = []
    real = outbox.render_email

    def counting(name, context):
        renders.append(name)
        return real(name, context)

    monkeypatch.setattr(outbox, "render_email", counting)
    return renders


def _notify(n, *, name="Ben & Jerry's <b>", sensitive=True, key=None, sender="the tests"):
    return services.notify_merged(
        template="notifications/test",
        dedupe_key=key or f"merged:{n}",
        email=f"person{n}@example.org",
        context={"sender": sender},
        merge={"name": name},
        category="test/merged",
        sensitive=sensitive,
    )


def test_the_body_is_rendered_once_and_each_email_gets_its_own_values(
    fresh_process, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _notify(1, name="Ben & Jerry's <b>")
    with django_capture_on_commit_callbacks(execute=True):
        _notify(2, name="Ana")

    assert fresh_process == ["notifications/test"]
    assert EmailBody.objects.count() == 1
    first, second = mailoutbox
    assert first.to == ["person1@example.org"] and second.to == ["person2@example.org"]
    assert first.subject == second.subject == "[CMA USA] Test message from the portal"
    assert "Hello Ben & Jerry's <b>," in first.body
    assert "Hello Ben &amp; Jerry&#x27;s &lt;b&gt;," in first.alternatives[0][0]
    assert "Hello Ana," in second.body and "Ana" not in first.body
    assert "sent by the tests" in second.body


def test_another_context_is_another_body(fresh_process, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _notify(1, sender="staff")
        _notify(2, sender="the board")

    assert EmailBody.objects.count() == 2
    assert len(fresh_process) == 2


def test_the_same_dedupe_key_makes_one_row(mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = _notify(1, key="once")
        again = _notify(2, key="once")

    assert again.pk == first.pk
    assert OutgoingEmail.objects.count() == 1
    assert len(mailoutbox) == 1


def test_a_remembered_body_costs_one_insert(django_capture_on_commit_callbacks, django_assert_num_queries):
    with django_capture_on_commit_callbacks(execute=True):
        _notify(1)

    with django_assert_num_queries(1), django_capture_on_commit_callbacks(execute=False):
        _notify(2)


def test_a_body_stored_by_a_rolled_back_transaction_is_not_remembered(mailoutbox, django_capture_on_commit_callbacks):
    with pytest.raises(RuntimeError), transaction.atomic():
        _notify(1)
        raise RuntimeError("the cause failed")
    assert not EmailBody.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        _notify(2, name="Ana")

    assert "Hello Ana," in mailoutbox[0].body


def test_a_body_the_database_no_longer_holds_is_made_again(
    fresh_process, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _notify(1)
    OutgoingEmail.objects.all().delete()
    EmailBody.objects.all().delete()  # a restored or flushed database

    with django_capture_on_commit_callbacks(execute=True):
        _notify(2, name="Ana", sensitive=False)  # its row keeps the body once sent

    assert len(fresh_process) == 2
    row = OutgoingEmail.objects.get()
    assert row.shared_body_id == EmailBody.objects.get().pk
    assert "Hello Ana," in mailoutbox[-1].body


def test_a_sent_sensitive_email_keeps_neither_its_body_nor_its_values(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        secret = _notify(1, name="Secret Name")
        ordinary = _notify(2, name="Plain Name", sensitive=False)

    secret.refresh_from_db()
    ordinary.refresh_from_db()
    assert secret.status == ordinary.status == OutgoingEmail.Status.SENT
    assert (secret.merge, secret.shared_body_id, secret.body_text) == ({}, None, services.REMOVED_BODY)
    assert ordinary.merge == {"name": "Plain Name"} and ordinary.shared_body_id is not None


def test_forgetting_and_expiry_erase_the_merged_values(settings, django_capture_on_commit_callbacks):
    settings.OUTBOX_SENSITIVE_RETENTION_DAYS = 30
    with django_capture_on_commit_callbacks(execute=False):
        forgotten = _notify(1, key="petitions:signature:7:confirm:1", name="Forget Me")
        expired = _notify(2, key="petitions:signature:8:confirm:1", name="Expire Me")
        queued = _notify(3, key="petitions:signature:7:reminder:2", name="Still Queued")
    # Failed for good: nothing erased them on the way.
    OutgoingEmail.objects.filter(pk__in=[forgotten.pk, expired.pk]).update(
        status=OutgoingEmail.Status.FAILED, created_at=timezone.now() - timedelta(days=31)
    )
    OutgoingEmail.objects.filter(pk=forgotten.pk).update(created_at=timezone.now())

    assert services.emails_forget(dedupe_key_prefix="petitions:signature:7:") == 1
    assert services.sensitive_emails_expire() == 1

    rows = {row.pk: row for row in OutgoingEmail.objects.all()}
    for erased in (rows[forgotten.pk], rows[expired.pk]):
        assert (erased.recipient, erased.merge, erased.shared_body_id) == ("", {}, None)
    assert rows[queued.pk].merge == {"name": "Still Queued"}  # it goes out as it is
