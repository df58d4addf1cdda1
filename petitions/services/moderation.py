"""Moderating endorsements: approve, reject (one at a time or several at once), feature."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cma.audit import audit
from cma.errors import ServiceError, messages_of
from notifications.services import notify

from ..models import Endorsement
from ._common import AlreadyDone, WrongState, _lock, _wall_changed
from .endorsements import _endorsement_context

if TYPE_CHECKING:
    from members.models import User


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
