"""Organizational endorsements: submit, confirm, correct, withdraw (moderation: moderation.py)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from cma.audit import audit
from cma.errors import Conflict
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
