from __future__ import annotations

from django import template

from ..sniffing import ALLOWED

register = template.Library()

_LABELS = {kind.content_type: kind.label for kind in ALLOWED}


@register.filter
def content_label(content_type: str) -> str:
    """ "application/pdf" → "PDF": what people call the file's type."""
    return _LABELS.get(content_type, content_type)


@register.filter
def can_edit_comment(access, comment) -> bool:
    return access.can_edit_comment(comment)


@register.filter
def can_remove_comment(access, comment) -> bool:
    return access.can_remove_comment(comment)
