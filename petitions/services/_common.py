"""What every petitions service shares: errors, email normalization, locking, cache upkeep."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from django.db.models import F

from cma.db import insert_unless_conflicting
from cma.errors import Conflict

from ..models import Petition, SignOn
from ..permissions import forget_recent_petitions
from ..selectors import api_cache_key

M = TypeVar("M", bound=models.Model)


# The refusals whose page differs from the usual answer to a conflict; every
# other refusal is a plain `cma.errors` kind (or a `ValidationError` for a
# field's value).


class NotAccepting(Conflict):
    """The petition does not take this kind of sign-on now (a draft, not open
    yet, closed, or set to the other kind): the petition page shows it as it is."""


class WrongState(Conflict):
    """The signature or endorsement is not in a state this action starts from;
    `status` is the one it is in."""

    def __init__(self, message: str, *, status: str = "", field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.status = status


class AlreadyDone(Conflict):
    """The action had already happened (confirming twice): nothing changed, nothing is wrong."""


class Gone(Conflict):
    """The row a link pointed at no longer exists (purged after going unconfirmed)."""


@dataclass(frozen=True)
class Submission:
    """What a sign or endorse call did. Views must answer the same whatever it says."""

    pk: int
    created: bool


def normalize_email(email: str) -> str:
    """The address as the one-signature-per-email rule sees it: trimmed,
    lower-cased, without a "+tag" after the local part — so Jane+cma@Example.org
    and jane@example.org are one signer."""
    email = email.strip().lower()
    local, _, domain = email.rpartition("@")
    local = local.split("+", 1)[0] or local
    return f"{local}@{domain}"


def sort_name(organization_name: str) -> str:
    """The wall's alphabetical key: "The Nature Trust" files under N."""
    name = " ".join(organization_name.split()).lower()
    return name[4:] if name.startswith("the ") and len(name) > 4 else name


def _resend_window(now: datetime.datetime) -> int:
    """Emails to one address share a dedupe key within a window: a flood of
    submissions sends one email per window, not one per submission."""
    return int(now.timestamp() // (settings.PETITIONS_CONFIRMATION_RESEND_MINUTES * 60))


def _public_changed(petition: Petition, *, old_slug: str | None = None) -> None:
    """Clear the cached JSON, and this process's copies of open petitions, once the change is committed."""
    keys = [api_cache_key(petition.slug)] + ([api_cache_key(old_slug)] if old_slug else [])
    transaction.on_commit(lambda: cache.delete_many(keys))
    transaction.on_commit(forget_recent_petitions)


def _wall_changed(petition: Petition) -> None:
    Petition.objects.filter(pk=petition.pk).update(wall_version=F("wall_version") + 1)
    _public_changed(petition)


def not_accepting_message(petition: Petition, kind: str) -> str:
    """Why `petition` takes no `kind` (a `SignOn`) now, for the person who tried."""
    phase = petition.phase
    if phase == Petition.Phase.CLOSED:
        return f"This petition has closed, so it no longer takes {kind}."
    if phase == Petition.Phase.UPCOMING:
        return f"This petition does not take {kind} yet."
    if phase == Petition.Phase.DRAFT:
        return "This petition is not published."
    return f"This petition does not take {kind}."


def _refuse_unless_taking(petition: Petition, kind: SignOn, now: datetime.datetime | None = None) -> None:
    """Raise NotAccepting unless `petition`, as this copy has it, takes `kind` (at `now`)."""
    if not petition.is_taking(kind, now):
        raise NotAccepting(not_accepting_message(petition, kind))


def _insert_sign_on(
    model: type[M],
    *,
    petition: Petition,
    kind: SignOn,
    lookup: Mapping[str, Any],
    values: Mapping[str, Any],
    now: datetime.datetime,
    live_statuses: Collection[str] | None = None,
) -> tuple[M, bool]:
    """Insert a signature or endorsement only if the petition takes `kind` at
    the moment of the INSERT — the stored row decides, in the same statement,
    not the copy the caller holds — or lock and return the live row a unique
    constraint says is already there. Returns (row, created).

    Raises NotAccepting when the petition stopped taking `kind` (closed,
    turned back into a draft, past its closing time, set to the other kind),
    however recently.
    """

    def refuse_unless_still_taking() -> None:
        # Nothing was inserted: either the row exists already or the petition
        # stopped taking sign-ons. Read the petition again to tell which.
        current = Petition.objects.filter(pk=petition.pk).first()
        if current is None:
            raise NotAccepting(not_accepting_message(petition, kind))
        _refuse_unless_taking(current, kind, now)

    return _insert_or_lock(
        model,
        lookup=lookup,
        values=values,
        live_statuses=live_statuses,
        only_if=Petition.taking_sql(kind, pk=petition.pk, now=now),
        when_refused=refuse_unless_still_taking,
    )


def _insert_or_lock(
    model: type[M],
    *,
    lookup: Mapping[str, Any],
    values: Mapping[str, Any],
    live_statuses: Collection[str] | None = None,
    only_if: tuple[str, Sequence[Any]] | None = None,
    when_refused: Callable[[], None] | None = None,
) -> tuple[M, bool]:
    """Insert a row, or — when a unique constraint says it exists — lock and return the existing one.

    Returns (row, created). The insert is tried first (most submissions are
    new); under concurrency the constraint, not a pre-check, decides who wins.
    With `only_if` (see `insert_unless_conflicting`) a refused insert may mean
    the condition failed rather than a conflict: `when_refused` is called
    first and raises if so.
    """
    for _ in range(3):
        inserted = insert_unless_conflicting(model, {**lookup, **values}, only_if=only_if)
        if inserted is not None:
            return inserted, True
        if when_refused is not None:
            when_refused()
        existing = model._default_manager.select_for_update().filter(**lookup)
        if live_statuses is not None:
            existing = existing.filter(status__in=list(live_statuses))
        row = existing.first()
        if row is not None:
            return row, False
        # The conflicting row left between our insert and our look-up
        # (withdrawn or purged): try the insert again.
    raise Conflict("We could not record that just now. Please try again.")


def gone_message() -> str:
    return (
        "This link is for a sign-on that is no longer on file: unconfirmed sign-ons are removed after "
        f"{settings.PETITIONS_UNCONFIRMED_RETENTION_DAYS} days. You're welcome to sign again."
    )


def _lock(model: type[M], pk: int) -> M:
    row = model._default_manager.select_for_update(of=("self",)).select_related("petition").filter(pk=pk).first()
    if row is None:
        raise Gone(gone_message())
    return row
