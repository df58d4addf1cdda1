"""The audit log: services call `audit()` at each state change."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import AuditEntry

if TYPE_CHECKING:
    from members.models import User


def audit(
    *,
    actor: User | None,
    action: str,
    target: models.Model,
    from_state: str = "",
    to_state: str = "",
    note: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        content_type=ContentType.objects.get_for_model(target),
        object_id=str(target.pk),
        object_repr=str(target)[:255],
        from_state=from_state,
        to_state=to_state,
        note=note,
        data=data or {},
    )


def history_of(target: models.Model):
    """The audit entries of one row, newest first, with their actors."""
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(target), object_id=str(target.pk)
    ).select_related("actor")
