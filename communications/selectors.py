"""Reads for communications: message lists, progress, the audience preview, the archive."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from notifications.models import OutgoingEmail

from . import audiences
from .audiences import Audience, Person
from .models import Message


def messages_for_staff(*, status: str = "") -> QuerySet[Message]:
    messages = Message.objects.select_related("created_by", "sent_by")
    if status in Message.Status.values:
        messages = messages.filter(status=status)
    return messages.order_by("-created_at", "-id")


def message_for_staff(pk: int) -> Message | None:
    return Message.objects.select_related("created_by", "sent_by", "email_body").filter(pk=pk).first()


@dataclass(frozen=True)
class Preview:
    count: int
    sample: list[Person]


def audience_preview(audience: Audience) -> Preview:
    """How many people the audience holds and a few of them: two queries
    whatever its size (a COUNT and a short list)."""
    return Preview(count=audiences.count(audience), sample=audiences.sample(audience))


@dataclass(frozen=True)
class Progress:
    queued: int
    sending: int
    sent: int
    failed: int
    suppressed: int
    held: int
    cancelled: int

    @property
    def total(self) -> int:
        return self.queued + self.sending + self.sent + self.failed + self.suppressed + self.held + self.cancelled

    @property
    def waiting(self) -> int:
        return self.queued + self.sending + self.held

    @property
    def percent_done(self) -> int:
        done = self.sent + self.failed + self.suppressed + self.cancelled
        return round(100 * done / self.total) if self.total else 0


def message_progress(message: Message) -> Progress:
    """The message's emails by status. One query."""
    counts = dict.fromkeys(OutgoingEmail.Status.values, 0)
    if message.email_body_id is not None:
        rows = (
            OutgoingEmail.objects.filter(shared_body_id=message.email_body_id)
            .values("status")
            .annotate(n=Count("pk"))
            .order_by()
        )
        counts.update({row["status"]: row["n"] for row in rows})
    return Progress(
        queued=counts["queued"], sending=counts["sending"], sent=counts["sent"], failed=counts["failed"],
        suppressed=counts["suppressed"], held=counts["held"], cancelled=counts["cancelled"],
    )  # fmt: skip


def archive() -> QuerySet[Message]:
    """Messages that went out, newest first, for members to read."""
    return Message.objects.filter(status__in=[Message.Status.SENT, Message.Status.SENDING]).order_by(
        "-send_started_at", "-id"
    )


def archived_message(pk: int) -> Message | None:
    return archive().filter(pk=pk).first()
