"""Periodic work: the retention purge, the moderation digest, closing expired petitions."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from cma.models import AuditEntry
from petitions import selectors, tasks
from petitions.models import Endorsement, Petition, Signature
from tests import factories

pytestmark = pytest.mark.django_db


def _ago(days: float):
    return timezone.now() - timedelta(days=days)


def test_the_purge_deletes_only_unconfirmed_signatures_past_the_retention_period(petition, settings):
    settings.PETITIONS_UNCONFIRMED_RETENTION_DAYS = 30
    old = factories.SignatureFactory(petition=petition, status="unconfirmed", confirmed_at=None, created_at=_ago(31))
    recent = factories.SignatureFactory(petition=petition, status="unconfirmed", confirmed_at=None, created_at=_ago(29))
    confirmed_old = factories.SignatureFactory(petition=petition, created_at=_ago(400))

    result = tasks.purge_retained_data.delay().get()

    assert result["signatures_deleted"] == 1
    assert not Signature.objects.filter(pk=old.pk).exists()
    assert Signature.objects.filter(pk__in=[recent.pk, confirmed_old.pk]).count() == 2
    assert selectors.signature_count(petition) == 1


def test_the_purge_honours_the_retention_setting(petition, settings):
    settings.PETITIONS_UNCONFIRMED_RETENTION_DAYS = 3
    factories.SignatureFactory(petition=petition, status="unconfirmed", confirmed_at=None, created_at=_ago(4))

    assert tasks.purge_retained_data.delay().get()["signatures_deleted"] == 1


def test_the_purge_deletes_old_unconfirmed_endorsements_and_their_logos(
    settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    old = factories.EndorsementFactory(status="unconfirmed", confirmed_at=None, created_at=_ago(45))
    old.logo.save("logo.png", io.BytesIO(b"\x89PNG fake"), save=True)
    logo_path = Path(old.logo.path)
    kept = factories.EndorsementFactory(status="pending", created_at=_ago(45))

    with django_capture_on_commit_callbacks(execute=True):
        result = tasks.purge_retained_data.delay().get()

    assert result["endorsements_deleted"] == 1
    assert not Endorsement.objects.filter(pk=old.pk).exists()
    assert Endorsement.objects.filter(pk=kept.pk).exists()
    assert not logo_path.exists()


def test_the_purge_erases_withdrawn_signers_still_on_file_and_keeps_counts(petition):
    factories.SignatureFactory.create_batch(2, petition=petition)
    leftover = factories.SignatureFactory(
        petition=petition, status="withdrawn", name="Left Over", email="l@example.org"
    )

    result = tasks.purge_retained_data.delay().get()

    leftover.refresh_from_db()
    assert result["signatures_erased"] == 1
    assert (leftover.name, leftover.email, leftover.email_normalized, leftover.erased_at is not None) == (
        "",
        "",
        None,
        True,
    )
    assert selectors.signature_count(petition) == 2
    assert tasks.purge_retained_data.delay().get() == {
        "signatures_deleted": 0,
        "endorsements_deleted": 0,
        "signatures_erased": 0,
    }


def test_the_digest_lists_waiting_endorsements_to_staff_once_a_day(
    staff_user, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.STAFF_NOTIFICATION_EMAILS = ["membership@cma-usa.example"]
    factories.EndorsementFactory(status="pending", organization_name="New Today", confirmed_at=_ago(0.2))
    factories.EndorsementFactory(status="pending", organization_name="Waiting Long", confirmed_at=_ago(5))
    factories.EndorsementFactory(status="approved", organization_name="Already Done")

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_moderation_digest.delay().get() == 2
        tasks.send_moderation_digest.delay().get()  # a retried or doubled beat run

    assert sorted(m.to[0] for m in mailoutbox) == sorted([staff_user.email, "membership@cma-usa.example"])
    message = mailoutbox[0]
    assert message.subject == "[CMA USA] 2 endorsements awaiting moderation (1 new)"
    assert "New Today" in message.body and "Already Done" not in message.body
    assert f"{django_settings.SITE_URL}/staff/petitions/moderation/" in message.body


def test_no_digest_when_nothing_waits(staff_user, mailoutbox, django_capture_on_commit_callbacks):
    factories.EndorsementFactory(status="approved")

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_moderation_digest.delay().get() == 0

    assert mailoutbox == []


def test_petitions_past_their_closing_time_are_closed_and_audited():
    expired = factories.PetitionFactory(opens_at=_ago(10), closes_at=_ago(0.01))
    running = factories.PetitionFactory(closes_at=timezone.now() + timedelta(days=1))

    assert tasks.close_expired_petitions.delay().get() == 1
    assert tasks.close_expired_petitions.delay().get() == 0

    expired.refresh_from_db()
    running.refresh_from_db()
    assert (expired.status, running.status) == (Petition.Status.CLOSED, Petition.Status.OPEN)
    assert expired.closed_at == expired.closes_at
    entry = AuditEntry.objects.get(action="petitions.petition.close")
    assert entry.actor is None and entry.note == "Closing time passed."


def test_the_beat_schedule_runs_the_petition_jobs():
    tasks_scheduled = {entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}

    assert {
        "petitions.tasks.send_moderation_digest",
        "petitions.tasks.purge_retained_data",
        "petitions.tasks.close_expired_petitions",
        "petitions.tasks.queue_signature_confirmations",
    } <= tasks_scheduled
