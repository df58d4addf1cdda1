"""Announcements and newsletters staff send to an audience."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from notifications.topics import Topic


class Message(models.Model):
    """One announcement or newsletter: written as a draft, sent to an audience
    now or at a set time, pausable and cancellable while it goes out, then
    kept for members to read in the archive."""

    class Kind(models.TextChoices):
        ANNOUNCEMENT = "announcement", "Announcement"
        NEWSLETTER = "newsletter", "Newsletter"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SCHEDULED = "scheduled", "Scheduled"
        SENDING = "sending", "Sending"
        PAUSED = "paused", "Paused"
        SENT = "sent", "Sent"
        CANCELLED = "cancelled", "Cancelled"

    # States a message can be edited, sent, paused… from (see services).
    EDITABLE = (Status.DRAFT, Status.SCHEDULED)
    IN_FLIGHT = (Status.SENDING, Status.PAUSED)

    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.ANNOUNCEMENT)
    subject = models.CharField(max_length=200)
    body = models.TextField(help_text="Markdown: headings, lists, links, bold and italics.")
    cta_label = models.CharField("button label", max_length=60, blank=True)
    cta_url = models.URLField("button link", max_length=500, blank=True)
    # What `communications.audiences.Audience` holds, as JSON; `audience_label`
    # says it in words for lists and the archive.
    audience = models.JSONField(default=dict)
    audience_label = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    scheduled_for = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    send_started_at = models.DateTimeField(null=True, blank=True)
    # Set by the task that turned the audience into outbox rows.
    resolved_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The rendered email every recipient shares.
    email_body = models.OneToOneField(
        "notifications.EmailBody", null=True, blank=True, on_delete=models.PROTECT, related_name="message"
    )
    # Counted when the audience was resolved.
    recipient_count = models.PositiveIntegerField(default=0)
    opted_out_count = models.PositiveIntegerField(default=0)
    digest_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="scheduled") | models.Q(scheduled_for__isnull=False),
                name="communications_scheduled_has_time",
            )
        ]
        indexes = [models.Index(fields=["status", "scheduled_for"], name="communications_due_idx")]

    def __str__(self) -> str:
        return self.subject

    @property
    def topic(self) -> str:
        return Topic.NEWSLETTERS if self.kind == self.Kind.NEWSLETTER else Topic.ANNOUNCEMENTS

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE
