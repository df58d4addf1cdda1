"""Who may see and do what with petitions — the one place every view and download asks.

- Published petitions (open, upcoming, closed) are public; drafts exist only
  for staff (404 to everyone else, who must not learn of them).
- Signatures and endorsements are private: signers and contacts reach their
  own row only through a signed link (`tokens.py`), staff through staff pages.
- A logo is public once its endorsement is approved; before that only staff
  (moderating it) may fetch it.
- Staff means active staff who signed in with a second factor — the gate of
  the staff pages and the admin (`cma.access`).
"""

from __future__ import annotations

import copy
import time
from typing import TypeAlias

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from cma.access import is_staff_with_mfa

from . import tokens
from .models import Endorsement, Petition, Signature

# Who is asking: `request.user`.
Viewer: TypeAlias = AbstractBaseUser | AnonymousUser


def can_manage_petitions(user: Viewer) -> bool:
    return is_staff_with_mfa(user)


def check_can_moderate(user: Viewer) -> None:
    """Raise PermissionDenied unless `user` may moderate endorsements (the queue, one at a time or in bulk)."""
    if not can_manage_petitions(user):
        raise PermissionDenied("Moderation is for association staff.")


def petition_for_viewer(user: Viewer, slug: str) -> Petition:
    """The petition at /petitions/<slug>/ if this viewer may see it, else Http404."""
    petition = Petition.objects.filter(slug=slug).first()
    if petition is None or (petition.status == Petition.Status.DRAFT and not can_manage_petitions(user)):
        raise Http404("No such petition.")
    return petition


# Signing is the portal's busiest request. Each process keeps the open
# petitions it served in the last few seconds rather than reading the row for
# every signature. Whether a petition still takes signatures is decided again
# by the signature's own INSERT (`services.signature_sign`), so a copy this old
# can at worst carry a title edited a moment ago, never let a signature onto a
# closed petition.
RECENT_OPEN_PETITION_SECONDS = 2.0
_recent_open: dict[str, tuple[float, Petition]] = {}


def petition_for_signing(user: Viewer, slug: str) -> Petition:
    """`petition_for_viewer` for the sign form's POST: an open petition may be
    this process's copy from the last `RECENT_OPEN_PETITION_SECONDS`."""
    now = time.monotonic()
    held = _recent_open.get(slug)
    if held is not None and now - held[0] < RECENT_OPEN_PETITION_SECONDS:
        return copy.copy(held[1])  # a copy: nothing a request caches on it outlives the request
    petition = petition_for_viewer(user, slug)
    if petition.is_open:
        _recent_open[slug] = (now, copy.copy(petition))
    else:
        _recent_open.pop(slug, None)
    return petition


def forget_recent_petitions() -> None:
    """Drop this process's copies: after a petition changes here, and between tests."""
    _recent_open.clear()


def petition_for_embed(slug: str) -> Petition:
    """A published petition for the widget and the JSON: served to any site, so
    never a draft, not even to staff (and cacheable for everyone alike)."""
    petition = Petition.objects.filter(slug=slug).exclude(status=Petition.Status.DRAFT).first()
    if petition is None:
        raise Http404("No such petition.")
    return petition


def petition_for_staff(user: Viewer, pk: int) -> Petition:
    if not can_manage_petitions(user):
        raise PermissionDenied("Petition tools are for association staff.")
    petition = Petition.objects.filter(pk=pk).first()
    if petition is None:
        raise Http404("No such petition.")
    return petition


def endorsement_for_staff(user: Viewer, pk: int) -> Endorsement:
    check_can_moderate(user)
    endorsement = Endorsement.objects.select_related("petition", "moderated_by").filter(pk=pk).first()
    if endorsement is None:
        raise Http404("No such endorsement.")
    return endorsement


def endorsement_logo_for_viewer(user: Viewer, pk: int) -> Endorsement:
    """The endorsement whose logo may be sent to this viewer, else Http404."""
    endorsement = Endorsement.objects.filter(pk=pk).exclude(logo="").only("logo", "status").first()
    if endorsement is None:
        raise Http404("No such logo.")
    if endorsement.status != Endorsement.Status.APPROVED and not can_manage_petitions(user):
        raise Http404("No such logo.")
    return endorsement


def id_from_link(*, petition: Petition, purpose: str, token: str) -> int:
    """The signature or endorsement id a signed link grants, checked against the
    petition in the same URL. Raises tokens.TokenExpired / tokens.TokenInvalid."""
    pk = tokens.read_token(purpose, token)
    model: type[Signature | Endorsement] = (
        Signature if purpose in (tokens.CONFIRM_SIGNATURE, tokens.WITHDRAW_SIGNATURE) else Endorsement
    )
    petition_id = model._default_manager.filter(pk=pk).values_list("petition_id", flat=True).first()
    if petition_id is not None and petition_id != petition.pk:
        raise tokens.TokenInvalid
    return pk
