"""The life of a petition: create and edit (with FAQ and resources), publish, close, reopen."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from cma.audit import audit
from cma.errors import Conflict

from ..models import FAQItem, Petition, Resource
from ._common import _public_changed

if TYPE_CHECKING:
    from members.models import User

# Editable through the staff pages and the admin; status moves only through transitions.
PETITION_FIELDS = (
    "title", "slug", "summary", "body", "ask", "signature_goal", "accepts", "opens_at", "closes_at",
)  # fmt: skip


def petition_create(
    *,
    actor: User,
    fields: Mapping[str, Any],
    faq_items: Iterable[Mapping[str, Any]] = (),
    resources: Iterable[Mapping[str, Any]] = (),
    instance: Petition | None = None,
) -> Petition:
    """Create a draft petition with its FAQ and resources (in the order given).

    `instance` is for the admin, whose inline forms are bound to an unsaved
    Petition that must be the one stored.
    """
    petition = instance or Petition()
    for name in PETITION_FIELDS:
        if name in fields:
            setattr(petition, name, fields[name])
    petition.created_by, petition.status = actor, Petition.Status.DRAFT
    with transaction.atomic():
        petition.save()
        _replace_children(petition, faq_items, resources)
        audit(actor=actor, action="petitions.petition.create", target=petition, to_state=petition.status)
    return petition


def petition_update(
    *,
    actor: User,
    petition: Petition,
    fields: Mapping[str, Any],
    faq_items: Iterable[Mapping[str, Any]] | None = None,
    resources: Iterable[Mapping[str, Any]] | None = None,
) -> Petition:
    """Edit a petition's text and settings; FAQ and resources, when given, replace the old ones."""
    with transaction.atomic():
        old_slug = petition.slug
        changed = [k for k in PETITION_FIELDS if k in fields and getattr(petition, k) != fields[k]]
        for name in changed:
            setattr(petition, name, fields[name])
        petition.save()
        if faq_items is not None or resources is not None:
            _replace_children(petition, faq_items, resources)
        audit(
            actor=actor,
            action="petitions.petition.update",
            target=petition,
            note=", ".join(changed) or "FAQ and resources",
        )
        _public_changed(petition, old_slug=old_slug if old_slug != petition.slug else None)
    return petition


def _replace_children(
    petition: Petition,
    faq_items: Iterable[Mapping[str, Any]] | None,
    resources: Iterable[Mapping[str, Any]] | None,
) -> None:
    if faq_items is not None:
        FAQItem.objects.filter(petition=petition).delete()
        FAQItem.objects.bulk_create(
            FAQItem(petition=petition, position=i, question=item["question"], answer=item["answer"])
            for i, item in enumerate(faq_items)
        )
    if resources is not None:
        Resource.objects.filter(petition=petition).delete()
        Resource.objects.bulk_create(
            Resource(
                petition=petition,
                position=i,
                title=item["title"],
                publisher=item["publisher"],
                published_on=item.get("published_on"),
                url=item.get("url", ""),
            )
            for i, item in enumerate(resources)
        )


def _petition_transition(
    *,
    actor: User | None,
    petition: Petition,
    from_state: str,
    to_state: str,
    action: str,
    refusal: str,
    note: str = "",
    **changes: Any,
) -> Petition:
    with transaction.atomic():
        changed = Petition.objects.filter(pk=petition.pk, status=from_state).update(
            status=to_state, updated_at=timezone.now(), **changes
        )
        if not changed:
            petition.refresh_from_db()
            raise Conflict(f"{refusal} “{petition}” is {petition.get_status_display().lower()}.")
        audit(actor=actor, action=action, target=petition, from_state=from_state, to_state=to_state, note=note)
        _public_changed(petition)
    petition.refresh_from_db()
    return petition


def petition_publish(*, actor: User, petition: Petition) -> Petition:
    """Publish a draft: its page goes public and, from its opening time, it takes sign-ons.

    Raises Conflict unless the petition is a draft.
    """
    return _petition_transition(
        actor=actor,
        petition=petition,
        from_state=Petition.Status.DRAFT,
        to_state=Petition.Status.OPEN,
        action="petitions.petition.publish",
        refusal="Only drafts can be published;",
        published_at=timezone.now(),
    )


def petition_close(*, actor: User | None, petition: Petition, note: str = "") -> Petition:
    """Close an open petition: the page shows the final count and the forms disappear.

    Pending confirmation links stop working. Raises Conflict unless open.
    """
    now = timezone.now()
    closed_at = petition.closes_at if petition.closes_at and petition.closes_at <= now else now
    return _petition_transition(
        actor=actor,
        petition=petition,
        from_state=Petition.Status.OPEN,
        to_state=Petition.Status.CLOSED,
        action="petitions.petition.close",
        refusal="Only open petitions can be closed;",
        note=note,
        closed_at=closed_at,
    )


def petition_reopen(*, actor: User, petition: Petition) -> Petition:
    """Reopen a closed petition (a closing time already past is cleared).

    Raises Conflict unless closed.
    """
    changes: dict[str, Any] = {"closed_at": None}
    if petition.closes_at and petition.closes_at <= timezone.now():
        changes["closes_at"] = None
    return _petition_transition(
        actor=actor,
        petition=petition,
        from_state=Petition.Status.CLOSED,
        to_state=Petition.Status.OPEN,
        action="petitions.petition.reopen",
        refusal="Only closed petitions can be reopened;",
        **changes,
    )


def petitions_close_expired() -> int:
    """Record the close of every open petition whose closing time has passed. Returns how many."""
    expired = Petition.objects.filter(status=Petition.Status.OPEN, closes_at__lte=timezone.now())
    closed = 0
    for petition in expired:
        try:
            petition_close(actor=None, petition=petition, note="Closing time passed.")
        except Conflict:
            continue  # closed by staff meanwhile
        closed += 1
    return closed
