"""Individual signatures: sign (double opt-in), confirm, withdraw."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from cma.audit import audit
from cma.db import insert_unless_conflicting
from cma.http import absolute_url, reverse_once
from cma.publish import publish_soon
from notifications.services import emails_forget, notify_merged

from .. import tokens
from ..models import Petition, Signature, SignatureDay, SignOn
from ._common import (
    AlreadyDone,
    Submission,
    WrongState,
    _insert_sign_on,
    _lock,
    _public_changed,
    _refuse_unless_taking,
    _resend_window,
    normalize_email,
)

# A new signature's confirmation email is queued by a task this long after
# the first signature of the window in this process (`cma.publish.publish_soon`);
# the task takes this many at a time.
CONFIRMATIONS_WINDOW_SECONDS = 1.0
CONFIRMATIONS_PER_BATCH = 200


def signature_sign(
    *,
    petition: Petition,
    name: str,
    email: str,
    zip_code: str,
    state: str,
    comment: str = "",
    show_name: bool = False,
    wants_updates: bool = False,
) -> Submission:
    """Record an unconfirmed signature and email its confirmation link.

    If the address (normalized) already signed, no row is added: an unconfirmed
    signature takes the new details and its confirmation is sent again; a
    confirmed one gets a reminder that it signed (with its withdrawal link).
    Either email goes out at most once per resend window.

    Raises NotAccepting when the petition does not take signatures now — as
    `petition` has it, or as the stored row has it at the moment of the
    INSERT (closed a moment ago by another process).
    Sends `petitions/signature_confirm` or `petitions/signature_reminder`.
    """
    now = timezone.now()
    _refuse_unless_taking(petition, SignOn.SIGNATURES, now)
    details = {
        "name": name.strip(),
        "email": email.strip(),
        "zip_code": zip_code.strip(),
        "state": state,
        "comment": comment.strip(),
        "show_name": show_name,
        "wants_updates": wants_updates,
    }
    normalized = normalize_email(email)
    values = {"petition": petition, "email_normalized": normalized, **details, "created_at": now}
    new = _sign_in_one_statement(petition, values, now)
    if new is not None:
        return new
    with transaction.atomic():
        signature, created = _insert_sign_on(
            Signature,
            petition=petition,
            kind=SignOn.SIGNATURES,
            lookup={"petition": petition, "email_normalized": normalized},
            values={**details, "created_at": now},
            now=now,
        )
        if not created and signature.status == Signature.Status.UNCONFIRMED:
            # Whoever can open this mailbox confirms what was submitted last;
            # the confirmation page shows it before they press the button.
            for field, value in details.items():
                setattr(signature, field, value)
            signature.save(update_fields=list(details))
        signature.petition = petition
        _email_signer(signature, now)
    return Submission(pk=signature.pk, created=created)


def _sign_in_one_statement(petition: Petition, values: dict[str, Any], now: datetime.datetime) -> Submission | None:
    """The usual case — an address that has not signed — as one statement
    with no transaction around it: the signature is stored marked
    `confirmation_email_due`, and a worker queues its confirmation email
    (`signature_confirmations_queue`) a moment later. The mark is stored with
    the signature, so the email is owed exactly when the signature exists;
    building the email (its signed links, its row) in the signer's request
    cost a quarter of it, and the email goes out about a second later for it.

    Returns None when it inserted nothing — the address signed before, or
    the petition stopped taking signatures: the transaction in
    `signature_sign` then finds out which, and answers as it always did.
    """
    signature = insert_unless_conflicting(
        Signature,
        {**values, "confirmation_email_due": True},
        only_if=Petition.taking_sql(SignOn.SIGNATURES, pk=petition.pk, now=now),
    )
    if signature is None:
        return None
    transaction.on_commit(_confirmations_due)
    return Submission(pk=signature.pk, created=True)


def _confirmations_due() -> None:
    from .. import tasks

    publish_soon(tasks.queue_signature_confirmations, window_seconds=CONFIRMATIONS_WINDOW_SECONDS)


def signature_confirmations_queue(*, batch: int = CONFIRMATIONS_PER_BATCH) -> int:
    """Queue the confirmation emails owed to new signatures (see
    `_sign_in_one_statement`), oldest first, `batch` signatures per
    transaction until none is owed; returns how many signatures it took.
    Each email and the clearing of its mark are one transaction, and the
    email's dedupe key is the one the signer's request would have used, so a
    run twice, or two at once (they skip each other's rows), queue each email
    once.
    """
    taken = 0
    while True:
        with transaction.atomic():
            due = list(
                Signature.objects.filter(confirmation_email_due=True)
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("petition")
                .order_by("pk")[:batch]
            )
            for signature in due:
                # A signature withdrawn (erased) before its email was queued is owed nothing.
                if signature.status == Signature.Status.UNCONFIRMED:
                    _email_signer(signature, signature.created_at)
            Signature.objects.filter(pk__in=[s.pk for s in due]).update(confirmation_email_due=False)
        taken += len(due)
        if len(due) < batch:
            return taken


def _email_signer(signature: Signature, now: datetime.datetime) -> None:
    notify_merged(**_signer_email(signature, now))


def _signer_email(signature: Signature, now: datetime.datetime) -> dict[str, Any]:
    """The signer's confirmation (or, once confirmed, reminder) email, as
    `notify_merged()` takes it. Its text is the same for every signer of the
    petition but for their name and links: rendered once per process as a
    shared body, those three merged in when it is sent — not rendered in
    every signer's request."""
    confirmed = signature.status == Signature.Status.CONFIRMED
    kind = "reminder" if confirmed else "confirm"
    petition = signature.petition
    merge = {"name": signature.name, "withdraw_url": _link("petitions:signature_withdraw", petition, signature)}
    if not confirmed:
        merge["confirm_url"] = _link("petitions:signature_confirm", petition, signature)
    return {
        "template": f"petitions/signature_{kind}",
        "dedupe_key": f"petitions:signature:{signature.pk}:{kind}:{_resend_window(now)}",
        "email": signature.email,
        "category": "petitions/signature",
        "sensitive": True,  # the links are for the signer alone
        "context": {
            "petition": {"title": petition.title},
            "petition_url": absolute_url(petition.get_absolute_url()),
            "confirm_days": tokens.MAX_AGE[tokens.CONFIRM_SIGNATURE].days,
            "retention_days": settings.PETITIONS_UNCONFIRMED_RETENTION_DAYS,
        },
        "merge": merge,
    }


_LINK_PURPOSES = {
    "petitions:signature_confirm": tokens.CONFIRM_SIGNATURE,
    "petitions:signature_withdraw": tokens.WITHDRAW_SIGNATURE,
}


# Stands in for the token in a link reversed once (tokens are URL-safe: no quoting).
_LINK_MARK = "token-goes-here"


def _link(view: str, petition: Petition, signature: Signature) -> str:
    token = tokens.make_token(_LINK_PURPOSES[view], signature.pk)
    # The path is reversed once per petition and process (with a mark for the token), not per signer.
    return absolute_url(reverse_once(view, petition.slug, _LINK_MARK).replace(_LINK_MARK, token))


def signature_confirm(*, signature_id: int) -> Signature:
    """Confirm a signature from its emailed link: from then on it counts.

    Raises AlreadyDone if it was confirmed before, WrongState if it was
    withdrawn, NotAccepting if the petition has closed, Gone if it was purged.
    """
    now = timezone.now()
    with transaction.atomic():
        signature = _lock(Signature, signature_id)
        if signature.status == Signature.Status.CONFIRMED:
            raise AlreadyDone("Your signature was already confirmed. Thank you!")
        if signature.status == Signature.Status.WITHDRAWN:
            raise WrongState(
                "This signature was withdrawn, so it can't be confirmed. You're welcome to sign again.",
                status=signature.status,
            )
        _refuse_unless_taking(signature.petition, SignOn.SIGNATURES)
        Signature.objects.filter(pk=signature.pk, status=Signature.Status.UNCONFIRMED).update(
            status=Signature.Status.CONFIRMED, confirmed_at=now
        )
        _count_on_day(signature.petition_id, now, +1)
        audit(
            actor=None,
            action="petitions.signature.confirm",
            target=signature,
            from_state=Signature.Status.UNCONFIRMED,
            to_state=Signature.Status.CONFIRMED,
        )
        _public_changed(signature.petition)
    signature.status, signature.confirmed_at = Signature.Status.CONFIRMED, now
    return signature


def signature_withdraw(*, signature_id: int) -> Signature:
    """Withdraw a signature from its emailed link and erase the signer's details.

    The row stays (without name, email, ZIP code or comment) so the stats by
    day and state stay true; it no longer counts and the address may sign
    again. Raises AlreadyDone if it was withdrawn before, Gone if purged.
    """
    now = timezone.now()
    with transaction.atomic():
        signature = _lock(Signature, signature_id)
        if signature.status == Signature.Status.WITHDRAWN:
            raise AlreadyDone("This signature was already withdrawn, and its details erased.")
        from_state = signature.status
        Signature.objects.filter(pk=signature.pk, status=from_state).update(
            status=Signature.Status.WITHDRAWN, withdrawn_at=now, **_signature_erasure(now)
        )
        audit(
            actor=None,
            action="petitions.signature.withdraw",
            target=signature,
            from_state=from_state,
            to_state=Signature.Status.WITHDRAWN,
        )
        if from_state == Signature.Status.CONFIRMED:
            assert signature.confirmed_at is not None  # a database constraint
            _count_on_day(signature.petition_id, signature.confirmed_at, -1)
            _public_changed(signature.petition)
        # The emails already sent to this address keep no trace of it either.
        emails_forget(dedupe_key_prefix=f"petitions:signature:{signature.pk}:")
    signature.refresh_from_db()
    return signature


def _signature_erasure(now: datetime.datetime) -> dict[str, Any]:
    return {
        "name": "",
        "email": "",
        "email_normalized": None,
        "zip_code": "",
        "comment": "",
        "show_name": False,
        "wants_updates": False,
        "erased_at": now,
    }


def _count_on_day(petition_id: int, when: datetime.datetime, delta: int) -> None:
    """Add `delta` to the petition's confirmed signatures on `when`'s day (UTC).

    One statement that inserts the day's row or adds to it: two signers
    confirming at once each add one (the second waits on the row the first
    wrote, then adds to what it committed), where a read-then-write would
    lose one. Runs inside the caller's transaction, so a rolled-back
    confirmation never counts.
    """
    table = connection.ops.quote_name(SignatureDay._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (petition_id, day, confirmed) VALUES (%s, %s, %s) "  # noqa: S608 - the table name is ours
            f"ON CONFLICT (petition_id, day) DO UPDATE SET confirmed = {table}.confirmed + EXCLUDED.confirmed",
            [petition_id, when.astimezone(datetime.UTC).date(), delta],
        )


def signature_days_rebuild(*, petition_ids: list[int]) -> int:
    """Count the petitions' confirmed signatures per day again, from the
    signatures themselves: for rows made in bulk (the demo), which bypass
    confirmation. Returns the number of day rows written. Not for use while
    those petitions take signatures (a confirmation between the count and the
    write would be lost); the data migration did the same once for all.
    """
    with transaction.atomic():
        SignatureDay.objects.filter(petition_id__in=petition_ids).delete()
        rows = (
            Signature.objects.filter(petition_id__in=petition_ids, status=Signature.Status.CONFIRMED)
            .annotate(day=TruncDate("confirmed_at", tzinfo=datetime.UTC))
            .values("petition_id", "day")
            .annotate(n=Count("pk"))
            .order_by()
        )
        days = [SignatureDay(petition_id=r["petition_id"], day=r["day"], confirmed=r["n"]) for r in rows]
        SignatureDay.objects.bulk_create(days, batch_size=2000)
    return len(days)
