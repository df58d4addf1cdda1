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

from django.core.exceptions import PermissionDenied
from django.http import Http404

from cma.access import is_staff_with_mfa

from . import tokens
from .models import Endorsement, Petition, Signature


def can_manage_petitions(user) -> bool:
    return is_staff_with_mfa(user)


def petition_for_viewer(user, slug: str) -> Petition:
    """The petition at /petitions/<slug>/ if this viewer may see it, else Http404."""
    petition = Petition.objects.filter(slug=slug).first()
    if petition is None or (petition.status == Petition.Status.DRAFT and not can_manage_petitions(user)):
        raise Http404("No such petition.")
    return petition


def petition_for_embed(slug: str) -> Petition:
    """A published petition for the widget and the JSON: served to any site, so
    never a draft, not even to staff (and cacheable for everyone alike)."""
    petition = Petition.objects.filter(slug=slug).exclude(status=Petition.Status.DRAFT).first()
    if petition is None:
        raise Http404("No such petition.")
    return petition


def petition_for_staff(user, pk: int) -> Petition:
    if not can_manage_petitions(user):
        raise PermissionDenied("Petition tools are for association staff.")
    petition = Petition.objects.filter(pk=pk).first()
    if petition is None:
        raise Http404("No such petition.")
    return petition


def endorsement_for_staff(user, pk: int) -> Endorsement:
    if not can_manage_petitions(user):
        raise PermissionDenied("Moderation is for association staff.")
    endorsement = Endorsement.objects.select_related("petition", "moderated_by").filter(pk=pk).first()
    if endorsement is None:
        raise Http404("No such endorsement.")
    return endorsement


def endorsement_logo_for_viewer(user, pk: int) -> Endorsement:
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
    model = Signature if purpose in (tokens.CONFIRM_SIGNATURE, tokens.WITHDRAW_SIGNATURE) else Endorsement
    petition_id = model.objects.filter(pk=pk).values_list("petition_id", flat=True).first()
    if petition_id is not None and petition_id != petition.pk:
        raise tokens.TokenInvalid
    return pk
