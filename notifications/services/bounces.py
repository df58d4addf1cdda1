"""Bounces and complaints, from a mail provider's webhook (JSON) or a local
MTA's delivery status notification (RFC 3464): a hard bounce or a complaint
puts the address on the suppression list; soft bounces are counted, and
enough of them in a month count as a hard bounce."""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage, Message
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from ..models import BounceEvent, Suppression
from .unsubscribe import suppression_add

Kind = BounceEvent.Kind
SOFT_BOUNCE_WINDOW = timedelta(days=30)


@dataclass(frozen=True)
class Bounce:
    email: str
    kind: str
    diagnostic: str = ""


@transaction.atomic
def bounce_record(*, bounce: Bounce, source: str) -> bool:
    """Record one bounce or complaint. Returns True when it suppressed the
    address (now or before)."""
    address = bounce.email.strip().lower()
    BounceEvent.objects.create(email=address, kind=bounce.kind, diagnostic=bounce.diagnostic[:500], source=source)
    if bounce.kind == Kind.HARD:
        suppression_add(email=address, reason=Suppression.Reason.HARD_BOUNCE, source=source)
        return True
    if bounce.kind == Kind.COMPLAINT:
        suppression_add(email=address, reason=Suppression.Reason.COMPLAINT, source=source)
        return True
    recent = BounceEvent.objects.filter(
        email=address, kind=Kind.SOFT, created_at__gte=timezone.now() - SOFT_BOUNCE_WINDOW
    ).count()
    if recent >= settings.EMAIL_SOFT_BOUNCE_LIMIT:
        suppression_add(email=address, reason=Suppression.Reason.HARD_BOUNCE, source=f"{source} (soft bounces)")
        return True
    return False


def bounces_from_json(payload: Any) -> list[Bounce]:
    """The generic JSON shape: one object or a list of them, each
    {"type": "bounce" | "complaint", "email": "...", "bounce_type":
    "hard" | "permanent" | "soft" | "transient", "diagnostic": "..."}.
    Raises ValidationError naming what is wrong; nothing is recorded then."""
    entries = payload if isinstance(payload, list) else [payload]
    if not entries or len(entries) > 1000:
        raise ValidationError("Send between 1 and 1000 notifications at a time.")
    bounces = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, Mapping):
            raise ValidationError(f"Entry {index} is not an object.")
        address = _valid_address(entry.get("email"), index)
        kind_of_event = str(entry.get("type", "bounce")).lower()
        if kind_of_event == "complaint":
            kind = Kind.COMPLAINT
        elif kind_of_event == "bounce":
            bounce_type = str(entry.get("bounce_type", "hard")).lower()
            if bounce_type not in {"hard", "permanent", "soft", "transient"}:
                raise ValidationError(f"Entry {index}: bounce_type must be hard, permanent, soft or transient.")
            kind = Kind.HARD if bounce_type in {"hard", "permanent"} else Kind.SOFT
        else:
            raise ValidationError(f"Entry {index}: type must be bounce or complaint.")
        bounces.append(Bounce(email=address, kind=kind, diagnostic=str(entry.get("diagnostic", ""))[:500]))
    return bounces


_STATUS = re.compile(r"^\s*([245])\.\d{1,3}\.\d{1,3}")


def bounces_from_dsn(raw: bytes) -> list[Bounce]:
    """The recipients an RFC 3464 delivery status notification reports as
    failed (Action: failed, Status 5.x.x: hard) or delayed (4.x.x: soft).
    Raises ValidationError when the message is not a DSN."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    if message.get_content_type() != "multipart/report":
        raise ValidationError("Not a delivery status notification (multipart/report).")
    status_part = next((part for part in message.walk() if part.get_content_type() == "message/delivery-status"), None)
    if status_part is None:
        raise ValidationError("The report has no message/delivery-status part.")
    bounces = []
    for fields in _per_recipient_fields(status_part):
        action = fields.get("action", "").lower()
        status = _STATUS.match(fields.get("status", ""))
        recipient = fields.get("final-recipient") or fields.get("original-recipient") or ""
        address = recipient.split(";", 1)[-1].strip()
        if not address or action not in {"failed", "delayed"} or status is None or status.group(1) == "2":
            continue
        try:
            validate_email(address)
        except ValidationError:
            continue
        kind = Kind.HARD if status.group(1) == "5" and action == "failed" else Kind.SOFT
        bounces.append(Bounce(email=address, kind=kind, diagnostic=fields.get("diagnostic-code", "")[:500]))
    return bounces


def _per_recipient_fields(part: Message | EmailMessage) -> Iterable[dict[str, str]]:
    """The per-recipient field groups of a message/delivery-status part (the
    first group is the per-message one)."""
    payload = part.get_payload()
    groups: list[Message] = [g for g in payload if isinstance(g, Message)] if isinstance(payload, list) else []
    if not groups:
        text = part.get_payload(decode=True) or b""
        blocks = re.split(rb"\r?\n\r?\n", bytes(text).strip())
        groups = [email.message_from_bytes(block) for block in blocks]
    for group in groups[1:]:
        yield {key.lower(): str(value) for key, value in group.items()}


def _valid_address(value: object, index: int) -> str:
    if not isinstance(value, str):
        raise ValidationError(f"Entry {index}: email is missing.")
    try:
        validate_email(value.strip())
    except ValidationError as exc:
        raise ValidationError(f"Entry {index}: {value[:80]!r} is not an email address.") from exc
    return value.strip()
