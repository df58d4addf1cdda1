"""Periodic upkeep: the retention purge and the staff moderation digest."""

from __future__ import annotations

import datetime
import functools

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cma.http import absolute_url
from notifications.services import notify_staff

from ..models import Endorsement, Signature
from .signatures import _signature_erasure


def retention_purge(*, now: datetime.datetime | None = None, batch_size: int = 5000) -> dict[str, int]:
    """Delete unconfirmed signatures and endorsements older than the retention
    period, and erase any withdrawn signer's details still on file.

    Deletes in batches so a large backlog never holds long locks. Counts
    are unaffected: unconfirmed rows never counted. Returns what was done.
    """
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.PETITIONS_UNCONFIRMED_RETENTION_DAYS)
    done = {"signatures_deleted": 0, "endorsements_deleted": 0, "signatures_erased": 0}
    old_signatures = Signature.objects.filter(status=Signature.Status.UNCONFIRMED, created_at__lt=cutoff)
    while ids := list(old_signatures.values_list("pk", flat=True)[:batch_size]):
        with transaction.atomic():
            done["signatures_deleted"] += old_signatures.filter(pk__in=ids).delete()[0]
    old_endorsements = Endorsement.objects.filter(status=Endorsement.Status.UNCONFIRMED, created_at__lt=cutoff)
    while batch := list(old_endorsements.only("pk", "logo")[:batch_size]):
        with transaction.atomic():
            logos = [e.logo for e in batch if e.logo]
            done["endorsements_deleted"] += old_endorsements.filter(pk__in=[e.pk for e in batch]).delete()[0]
            for logo in logos:
                transaction.on_commit(functools.partial(logo.storage.delete, logo.name))
    with transaction.atomic():
        done["signatures_erased"] = Signature.objects.filter(
            status=Signature.Status.WITHDRAWN, erased_at__isnull=True
        ).update(**_signature_erasure(now))
    return done


def moderation_digest_send(*, now: datetime.datetime | None = None) -> int:
    """Email staff the endorsements awaiting moderation, once a day.

    Sends nothing when the queue is empty. Returns how many are waiting.
    Sends `petitions/moderation_digest` (deduplicated per day).
    """
    now = now or timezone.now()
    waiting = Endorsement.objects.filter(status=Endorsement.Status.PENDING).select_related("petition")
    total = waiting.count()
    if not total:
        return 0
    since = now - datetime.timedelta(days=1)
    recent = list(waiting.filter(confirmed_at__gte=since).order_by("confirmed_at")[:50])
    new_total = waiting.filter(confirmed_at__gte=since).count()
    queue_path = reverse("staff:petitions:moderation")
    with transaction.atomic():
        notify_staff(
            template="petitions/moderation_digest",
            dedupe_key=f"petitions:moderation-digest:{now.date().isoformat()}",
            url=queue_path,
            context={
                "total": total,
                "new_total": new_total,
                "recent": recent,
                "more": max(0, new_total - len(recent)),
                "queue_url": absolute_url(queue_path),
            },
        )
    return total
