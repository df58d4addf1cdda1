from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest

from .errors import ServiceError, messages_of
from .models import AuditEntry

# At most this many refusals are listed after an action; the rest are counted.
MAX_REFUSALS_SHOWN = 20


def run_action(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    rows: Iterable[models.Model],
    call: Callable[[Any], object],
    *,
    done: str,
) -> int:
    """Apply a service to each selected row, the way every admin action does:
    one row's refusal (a `ServiceError` or `ValidationError`) does not stop
    the others, and staff see how many worked ("Approved: 3.") and why each
    of the rest did not. Returns how many worked."""
    succeeded, refusals = 0, []
    for row in rows:
        try:
            call(row)
        except (ServiceError, ValidationError) as error:
            refusals.append(f"{row}: {' '.join(messages_of(error))}")
        else:
            succeeded += 1
    if succeeded:
        modeladmin.message_user(request, f"{done}: {succeeded}.", messages.SUCCESS)
    for line in refusals[:MAX_REFUSALS_SHOWN]:
        modeladmin.message_user(request, line, messages.WARNING)
    if len(refusals) > MAX_REFUSALS_SHOWN:
        modeladmin.message_user(request, f"…and {len(refusals) - MAX_REFUSALS_SHOWN} more refused.", messages.WARNING)
    return succeeded


class ReadOnlyAdmin(admin.ModelAdmin):
    """A record kept as it was written (audit entries, acceptances, invoices):
    listed and read in the admin, never added, changed or deleted there."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "actor", "action", "object_repr", "from_state", "to_state"]
    list_filter = ["action", "content_type", "created_at"]
    search_fields = ["object_repr", "note", "actor__email"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in AuditEntry._meta.fields]
