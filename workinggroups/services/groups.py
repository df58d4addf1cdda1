"""Groups, run by staff: create, edit, archive, reactivate."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from cma.errors import Conflict

from ..models import DEFAULT_ANTITRUST_NOTICE, WorkingGroup
from ._common import (
    _record,
    _require_staff,
)

if TYPE_CHECKING:
    from members.models import User

GROUP_FIELDS = ("name", "slug", "summary", "mission", "join_policy", "antitrust_notice")


def _with_notice(fields: dict[str, Any]) -> dict[str, Any]:
    # Every group works under a notice: left empty, it is the association's
    # standard one, stored so that event pages and exports show it too.
    if "antitrust_notice" in fields and not fields["antitrust_notice"].strip():
        fields["antitrust_notice"] = DEFAULT_ANTITRUST_NOTICE
    return fields


def group_create(*, actor: User, **fields: Any) -> WorkingGroup:
    """Create a working group (staff). Raises Refused, Conflict
    (name or address taken)."""
    _require_staff(actor)
    fields = _with_notice({"antitrust_notice": "", **{k: v for k, v in fields.items() if k in GROUP_FIELDS}})
    fields["slug"] = fields.get("slug") or slugify(fields["name"])
    try:
        with transaction.atomic():
            group = WorkingGroup.objects.create(**fields)
            _record(actor=actor, action="group.create", target=group, to_state=group.status)
    except IntegrityError as exc:
        raise Conflict("A working group with this name or address already exists.", field="name") from exc
    return group


def group_update(*, actor: User, group: WorkingGroup, **fields: Any) -> WorkingGroup:
    """Change a group's description, join policy or notice (staff)."""
    _require_staff(actor)
    fields = _with_notice(dict(fields))
    changed = [k for k in GROUP_FIELDS if k in fields and getattr(group, k) != fields[k]]
    for key in changed:
        setattr(group, key, fields[key])
    try:
        with transaction.atomic():
            group.save()
            _record(actor=actor, action="group.update", target=group, note=", ".join(changed))
    except IntegrityError as exc:
        raise Conflict("A working group with this name or address already exists.", field="name") from exc
    return group


@transaction.atomic
def group_archive(*, actor: User, group: WorkingGroup) -> WorkingGroup:
    """active → archived: the group becomes read-only (staff). Raises
    Conflict if it is already archived."""
    _require_staff(actor)
    changed = WorkingGroup.objects.filter(pk=group.pk, status=WorkingGroup.Status.ACTIVE).update(
        status=WorkingGroup.Status.ARCHIVED, updated_at=timezone.now()
    )
    if not changed:
        raise Conflict("This group is already archived.")
    group.refresh_from_db()
    _record(actor=actor, action="group.archive", target=group, from_state="active", to_state="archived")
    return group


@transaction.atomic
def group_reactivate(*, actor: User, group: WorkingGroup) -> WorkingGroup:
    """archived → active (staff). Raises Conflict if it is active."""
    _require_staff(actor)
    changed = WorkingGroup.objects.filter(pk=group.pk, status=WorkingGroup.Status.ARCHIVED).update(
        status=WorkingGroup.Status.ACTIVE, updated_at=timezone.now()
    )
    if not changed:
        raise Conflict("This group is already active.")
    group.refresh_from_db()
    _record(actor=actor, action="group.reactivate", target=group, from_state="archived", to_state="active")
    return group
