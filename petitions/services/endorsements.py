"""Organizational endorsements: submit, confirm, moderate (approve, reject, feature), correct, withdraw."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from cma.audit import audit
from cma.errors import Conflict, ServiceError, messages_of
from cma.http import absolute_url
from notifications.services import notify

from .. import tokens
from ..models import Endorsement, Petition, SignOn
from ._common import (
    AlreadyDone,
    Submission,
    WrongState,
    _insert_sign_on,
    _lock,
    _refuse_unless_taking,
    _resend_window,
    _wall_changed,
    normalize_email,
    sort_name,
)

if TYPE_CHECKING:
    from members.models import User


def endorsement_submit(
    *,
    petition: Petition,
    organization_name: str,
    scope: str,
    state: str,
    website: str,
    contact_name: str,
    contact_title: str,
    contact_email: str,
    authorized: bool,
    logo: ContentFile[bytes] | None = None,
) -> Submission:
    """Record an unconfirmed endorsement and email its confirmation link to the contact.

    `logo` must already be checked and re-encoded (`cma.uploads.clean_logo`).
    The same organization from the same contact never makes a second live
    row: an unconfirmed one takes the new details and its link is sent again;
    one already confirmed gets a note that it is on file. At most one email
    per resend window.

    Raises NotAccepting when the petition does not take endorsements now — as
    `petition` has it, or as the stored row has it at the moment of the
    INSERT (closed a moment ago) — and ValidationError without the
    authorization statement.
    Sends `petitions/endorsement_confirm` or `petitions/endorsement_reminder`.
    """
    now = timezone.now()
    _refuse_unless_taking(petition, SignOn.ENDORSEMENTS, now)
    if not authorized:
        raise ValidationError({"authorized": "Please confirm that you are authorized to sign for the organization."})
    details = {
        "organization_name": " ".join(organization_name.split()),
        "scope": scope,
        "state": state if scope == Endorsement.Scope.STATE else "",
        "website": website.strip(),
        "contact_name": contact_name.strip(),
        "contact_title": contact_title.strip(),
        "contact_email": contact_email.strip(),
        "authorized": True,
    }
    with transaction.atomic():
        endorsement, created = _insert_sign_on(
            Endorsement,
            petition=petition,
            kind=SignOn.ENDORSEMENTS,
            lookup={
                "petition": petition,
                "sort_name": sort_name(organization_name),
                "contact_email_normalized": normalize_email(contact_email),
            },
            values={**details, "created_at": now},
            now=now,
            live_statuses=Endorsement.LIVE,
        )
        if created or endorsement.status == Endorsement.Status.UNCONFIRMED:
            if not created:
                for field, value in details.items():
                    setattr(endorsement, field, value)
                endorsement.save(update_fields=list(details))
            if logo is not None:
                _replace_logo(endorsement, logo)
        endorsement.petition = petition
        _email_endorser(endorsement, now)
    return Submission(pk=endorsement.pk, created=created)


def _replace_logo(endorsement: Endorsement, logo: ContentFile[bytes] | None) -> None:
    old = endorsement.logo.name
    if logo is None:
        endorsement.logo = ""
    else:
        # Written now (the name is random); a rolled-back transaction leaves
        # an unreferenced file, never a row pointing at nothing.
        endorsement.logo.save(logo.name, logo, save=False)
    endorsement.save(update_fields=["logo"])
    if old:
        storage = endorsement.logo.storage
        transaction.on_commit(lambda: storage.delete(old))


def _email_endorser(endorsement: Endorsement, now: datetime.datetime) -> None:
    unconfirmed = endorsement.status == Endorsement.Status.UNCONFIRMED
    kind = "confirm" if unconfirmed else "reminder"
    slug = endorsement.petition.slug
    notify(
        template=f"petitions/endorsement_{kind}",
        dedupe_key=f"petitions:endorsement:{endorsement.pk}:{kind}:{_resend_window(now)}",
        email=endorsement.contact_email,
        category="petitions/endorsement",
        sensitive=True,
        context={
            **_endorsement_context(endorsement),
            "confirm_url": absolute_url(
                reverse(
                    "petitions:endorsement_confirm",
                    args=[slug, tokens.make_token(tokens.CONFIRM_ENDORSEMENT, endorsement.pk)],
                )
            ),
            "confirm_days": tokens.MAX_AGE[tokens.CONFIRM_ENDORSEMENT].days,
            "retention_days": settings.PETITIONS_UNCONFIRMED_RETENTION_DAYS,
        },
    )


def _endorsement_context(endorsement: Endorsement) -> dict[str, Any]:
    slug = endorsement.petition.slug
    return {
        "petition": endorsement.petition,
        "endorsement": endorsement,
        "petition_url": absolute_url(endorsement.petition.get_absolute_url()),
        "wall_url": absolute_url(endorsement.petition.get_absolute_url() + "#endorsements"),
        "withdraw_url": absolute_url(
            reverse(
                "petitions:endorsement_withdraw",
                args=[slug, tokens.make_token(tokens.WITHDRAW_ENDORSEMENT, endorsement.pk)],
            )
        ),
    }


def endorsement_confirm(*, endorsement_id: int) -> Endorsement:
    """Confirm an endorsement from its emailed link; it then waits for staff moderation.

    Raises AlreadyDone if confirmed before, WrongState if rejected or
    withdrawn, NotAccepting if the petition has closed, Gone if purged.
    Staff hear about it in the daily moderation digest.
    """
    now = timezone.now()
    with transaction.atomic():
        endorsement = _lock(Endorsement, endorsement_id)
        if endorsement.status in (Endorsement.Status.PENDING, Endorsement.Status.APPROVED):
            raise AlreadyDone("This endorsement was already confirmed. Thank you!")
        if endorsement.status != Endorsement.Status.UNCONFIRMED:
            raise WrongState(
                f"This endorsement was {endorsement.get_status_display().lower()}, so it can't be confirmed.",
                status=endorsement.status,
            )
        _refuse_unless_taking(endorsement.petition, SignOn.ENDORSEMENTS, now)
        Endorsement.objects.filter(pk=endorsement.pk, status=Endorsement.Status.UNCONFIRMED).update(
            status=Endorsement.Status.PENDING, confirmed_at=now
        )
        audit(
            actor=None,
            action="petitions.endorsement.confirm",
            target=endorsement,
            from_state=Endorsement.Status.UNCONFIRMED,
            to_state=Endorsement.Status.PENDING,
        )
    endorsement.status, endorsement.confirmed_at = Endorsement.Status.PENDING, now
    return endorsement


# What a decision on an endorsement no longer awaiting moderation says about it
# (one, several): the queue's staff decided on it as pending.
NO_LONGER_PENDING: dict[str, tuple[str, str]] = {
    Endorsement.Status.APPROVED: ("was already approved", "were already approved"),
    Endorsement.Status.REJECTED: ("was already rejected", "were already rejected"),
    Endorsement.Status.WITHDRAWN: ("was withdrawn", "were withdrawn"),
    Endorsement.Status.UNCONFIRMED: ("is not confirmed yet", "are not confirmed yet"),
}


def _moderate(
    *,
    actor: User,
    endorsement: Endorsement,
    from_states: Iterable[str],
    to_state: str,
    action: str,
    refusal: str,
    pending_only: bool,
    note: str = "",
    **changes: Any,
) -> tuple[Endorsement, int]:
    now = timezone.now()
    locked = _lock(Endorsement, endorsement.pk)
    from_state = locked.status
    if pending_only:
        from_states = [Endorsement.Status.PENDING]
    changed = Endorsement.objects.filter(pk=locked.pk, status__in=list(from_states)).update(
        status=to_state, moderated_at=now, moderated_by=actor, **changes
    )
    if not changed:
        status = locked.get_status_display().lower()
        if pending_only:
            # Built whole: an organization's name is never a format string.
            message = f"“{locked}” {NO_LONGER_PENDING.get(locked.status, (f'is {status}', ''))[0]}."
        else:
            message = refusal.format(status=status)
        raise WrongState(message, status=locked.status)
    entry = audit(actor=actor, action=action, target=locked, from_state=from_state, to_state=to_state, note=note)
    locked.refresh_from_db()
    if Endorsement.Status.APPROVED in (from_state, to_state):
        _wall_changed(locked.petition)
    return locked, entry.pk


def endorsement_approve(*, actor: User, endorsement: Endorsement, pending_only: bool = False) -> Endorsement:
    """Approve an endorsement awaiting moderation (or one rejected by mistake):
    it appears on the public wall and its contact is told.

    With `pending_only`, only one still awaiting moderation (a decision taken
    on the queue, where staff saw it pending). Raises WrongState from any
    other state. Sends `petitions/endorsement_approved`.
    """
    with transaction.atomic():
        approved, entry_id = _moderate(
            actor=actor,
            endorsement=endorsement,
            from_states=[Endorsement.Status.PENDING, Endorsement.Status.REJECTED],
            to_state=Endorsement.Status.APPROVED,
            action="petitions.endorsement.approve",
            refusal="Only endorsements awaiting moderation or rejected can be approved; this one is {status}.",
            pending_only=pending_only,
            rejection_reason="",
        )
        notify(
            template="petitions/endorsement_approved",
            dedupe_key=f"petitions:endorsement:{approved.pk}:approved:{entry_id}",
            email=approved.contact_email,
            category="petitions/endorsement",
            context=_endorsement_context(approved),
        )
    return approved


def endorsement_reject(
    *, actor: User, endorsement: Endorsement, reason: str, pending_only: bool = False
) -> Endorsement:
    """Reject an endorsement awaiting moderation, or take an approved one off
    the wall, with a reason the contact is sent.

    With `pending_only`, only one still awaiting moderation (as for
    `endorsement_approve`). Raises ValidationError without a reason,
    WrongState from any other state. Sends `petitions/endorsement_rejected`.
    """
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Give the organization a reason for the rejection."})
    with transaction.atomic():
        rejected, entry_id = _moderate(
            actor=actor,
            endorsement=endorsement,
            from_states=[Endorsement.Status.PENDING, Endorsement.Status.APPROVED],
            to_state=Endorsement.Status.REJECTED,
            action="petitions.endorsement.reject",
            refusal="Only endorsements awaiting moderation or approved can be rejected; this one is {status}.",
            pending_only=pending_only,
            note=reason,
            rejection_reason=reason,
            featured=False,
        )
        notify(
            template="petitions/endorsement_rejected",
            dedupe_key=f"petitions:endorsement:{rejected.pk}:rejected:{entry_id}",
            email=rejected.contact_email,
            category="petitions/endorsement",
            context=_endorsement_context(rejected),
        )
    return rejected


# --- Bulk moderation --------------------------------------------------------------------

MAX_BULK_MODERATION = 100

# Why a selected endorsement was left as it is, besides NO_LONGER_PENDING.
NOT_FOUND, ELSEWHERE, OTHER = "not-found", "elsewhere", "other"
_LEFT_AS_IT_IS: dict[str, tuple[str, str]] = {
    **NO_LONGER_PENDING,
    NOT_FOUND: ("was not found", "were not found"),
    ELSEWHERE: ("belongs to another petition", "belong to other petitions"),
    OTHER: ("was refused", "were refused"),
}


@dataclass(frozen=True)
class Refusal:
    why: str  # a key of _LEFT_AS_IT_IS
    message: str


@dataclass
class BulkModeration:
    """What one decision on several endorsements did."""

    decision: str  # "approve" or "reject"
    done: list[Endorsement] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)

    def summary(self) -> str:
        """One line for staff, e.g. "Approved 5 endorsements; 1 was already rejected." """
        verb = "Approved" if self.decision == "approve" else "Rejected"
        parts = [f"{verb} {len(self.done)} endorsement{'' if len(self.done) == 1 else 's'}"]
        counts: dict[str, int] = {}
        for refusal in self.refused:
            counts[refusal.why] = counts.get(refusal.why, 0) + 1
        for why, count in counts.items():
            one, several = _LEFT_AS_IT_IS.get(why, _LEFT_AS_IT_IS[OTHER])
            parts.append(f"{count} {one if count == 1 else several}")
        return "; ".join(parts) + "."


def endorsements_moderate(
    *,
    actor: User,
    endorsement_ids: Sequence[int],
    decision: str,
    reason: str = "",
    petition_id: int | None = None,
) -> BulkModeration:
    """Approve or reject, with one reason for all, endorsements staff selected
    in the moderation queue (at most MAX_BULK_MODERATION).

    Each goes through `endorsement_approve` / `endorsement_reject` with
    `pending_only`, in a transaction of its own: audited and its contact told
    as when decided alone, and one left as it is does not stop the others.
    Left as they are, and reported in the result: endorsements no longer
    awaiting moderation (decided by someone else meanwhile, or by this same
    form sent twice), ids that match no endorsement, and endorsements of
    another petition than `petition_id` (the queue's filter), when given.

    Not atomic as a whole, by design. Raises ValidationError, having changed
    nothing, for an empty or too large selection, an unknown decision, or a
    rejection without a reason.
    """
    ids = list(dict.fromkeys(endorsement_ids))
    _check_bulk_decision(ids, decision, reason)
    rows = Endorsement.objects.only("pk", "petition_id", "organization_name").in_bulk(ids)
    result = BulkModeration(decision=decision)
    for pk in ids:
        endorsement = rows.get(pk)
        if endorsement is None:
            result.refused.append(Refusal(NOT_FOUND, f"Endorsement #{pk} was not found."))
        elif petition_id is not None and endorsement.petition_id != petition_id:
            result.refused.append(
                Refusal(ELSEWHERE, f"“{endorsement}” belongs to another petition than the one chosen.")
            )
        else:
            _decide_one(result, actor=actor, endorsement=endorsement, reason=reason)
    return result


def _check_bulk_decision(ids: Sequence[int], decision: str, reason: str) -> None:
    if decision not in ("approve", "reject"):
        raise ValidationError({"action": "Choose whether to approve or reject the selected endorsements."})
    if not ids:
        raise ValidationError({"endorsement": "Select at least one endorsement."})
    if len(ids) > MAX_BULK_MODERATION:
        raise ValidationError({"endorsement": f"Select at most {MAX_BULK_MODERATION} endorsements at a time."})
    if decision == "reject" and not reason.strip():
        raise ValidationError({"reason": "Give the organizations a reason for the rejection: it is sent to each."})


def _decide_one(result: BulkModeration, *, actor: User, endorsement: Endorsement, reason: str) -> None:
    try:
        if result.decision == "approve":
            endorsement_approve(actor=actor, endorsement=endorsement, pending_only=True)
        else:
            endorsement_reject(actor=actor, endorsement=endorsement, reason=reason, pending_only=True)
    except WrongState as error:
        result.refused.append(Refusal(error.status, error.message))
    except (ServiceError, ValidationError) as error:
        result.refused.append(Refusal(OTHER, f"“{endorsement}”: {' '.join(messages_of(error))}"))
    else:
        result.done.append(endorsement)


def endorsement_set_featured(*, actor: User, endorsement: Endorsement, featured: bool) -> Endorsement:
    """Feature an approved endorsement at the top of the wall (with its logo), or stop featuring it.

    Raises WrongState unless the endorsement is approved, AlreadyDone if it
    already is (or is not) featured.
    """
    with transaction.atomic():
        locked = _lock(Endorsement, endorsement.pk)
        if locked.status != Endorsement.Status.APPROVED:
            raise WrongState("Only approved endorsements can be featured.", status=locked.status)
        changed = Endorsement.objects.filter(
            pk=locked.pk, status=Endorsement.Status.APPROVED, featured=not featured
        ).update(featured=featured)
        if not changed:
            raise AlreadyDone(f"“{locked}” is {'already' if featured else 'not'} featured.")
        audit(
            actor=actor,
            action="petitions.endorsement.feature" if featured else "petitions.endorsement.unfeature",
            target=locked,
        )
        _wall_changed(locked.petition)
    locked.featured = featured
    return locked


ENDORSEMENT_EDITABLE = ("organization_name", "scope", "state", "website")


def endorsement_update(*, actor: User, endorsement: Endorsement, fields: Mapping[str, Any]) -> Endorsement:
    """Correct how an organization is listed (a typo in its name, its website, its state).

    Raises Conflict if another live endorsement from the same contact
    already has that name, ValidationError if a State or Local one would
    lose its state.
    """
    changes = {k: fields[k] for k in ENDORSEMENT_EDITABLE if k in fields}
    if "organization_name" in changes:
        changes["organization_name"] = " ".join(changes["organization_name"].split())
        changes["sort_name"] = sort_name(changes["organization_name"])
    if changes.get("scope", endorsement.scope) == Endorsement.Scope.NATIONAL:
        changes["state"] = ""
    elif not changes.get("state", endorsement.state):
        raise ValidationError({"state": "A State or Local endorsement needs its state."})
    with transaction.atomic():
        locked = _lock(Endorsement, endorsement.pk)
        changed = [k for k, v in changes.items() if getattr(locked, k) != v]
        if not changed:
            return locked
        try:
            with transaction.atomic():
                Endorsement.objects.filter(pk=locked.pk).update(**changes)
        except IntegrityError as exc:
            raise Conflict(
                "This contact already has a live endorsement under that organization name.",
                field="organization_name",
            ) from exc
        audit(actor=actor, action="petitions.endorsement.update", target=locked, note=", ".join(changed))
        if locked.status == Endorsement.Status.APPROVED:
            _wall_changed(locked.petition)
    locked.refresh_from_db()
    return locked


def endorsement_withdraw(*, endorsement_id: int) -> Endorsement:
    """Withdraw an endorsement from its emailed link: it leaves the wall and the
    contact's details and logo are erased.

    Raises AlreadyDone if withdrawn before, WrongState if it was rejected,
    Gone if purged.
    """
    now = timezone.now()
    with transaction.atomic():
        endorsement = _lock(Endorsement, endorsement_id)
        if endorsement.status == Endorsement.Status.WITHDRAWN:
            raise AlreadyDone("This endorsement was already withdrawn.")
        if endorsement.status not in Endorsement.LIVE:
            raise WrongState("This endorsement is not on the wall and cannot be withdrawn.", status=endorsement.status)
        from_state = endorsement.status
        Endorsement.objects.filter(pk=endorsement.pk, status=from_state).update(
            status=Endorsement.Status.WITHDRAWN,
            withdrawn_at=now,
            featured=False,
            contact_name="",
            contact_title="",
            contact_email="",
        )
        if endorsement.logo:
            _replace_logo(endorsement, None)
        audit(
            actor=None,
            action="petitions.endorsement.withdraw",
            target=endorsement,
            from_state=from_state,
            to_state=Endorsement.Status.WITHDRAWN,
        )
        if from_state == Endorsement.Status.APPROVED:
            _wall_changed(endorsement.petition)
    endorsement.refresh_from_db()
    return endorsement
