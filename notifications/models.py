from __future__ import annotations

from django.conf import settings
from django.db import models


class OutgoingEmail(models.Model):
    """One email to one recipient: the outbox row a delivery task sends.

    Rows are created inside the transaction of whatever caused them, so an
    email exists exactly when its cause was committed. `dedupe_key` is unique:
    asking to send the same message twice finds the first row instead.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    recipient = models.EmailField(max_length=254)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    category = models.CharField(max_length=64)
    subject = models.CharField(max_length=255)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    # [{"filename": ..., "content": ..., "mimetype": ...}], text content only
    # (calendar entries); JSON keeps the row readable in the admin.
    attachments = models.JSONField(default=list, blank=True)
    dedupe_key = models.CharField(max_length=255, unique=True)
    # Sensitive emails carry sign-in secrets: their bodies are hidden in the
    # admin and blanked once delivered.
    sensitive = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "outgoing email"
        indexes = [
            models.Index(fields=["status", "updated_at"], name="notif_email_status_idx"),
            # For the admin's category filter. A plain index rather than
            # db_index=True, which on PostgreSQL adds a second (LIKE) index that
            # nothing uses, and every queued email pays for each index.
            models.Index(fields=["category"], name="notif_email_category_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.recipient}"


class Notification(models.Model):
    """An in-site notice shown on the user's notifications page."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    category = models.CharField(max_length=64)
    title = models.CharField(max_length=255)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    dedupe_key = models.CharField(max_length=255, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notif_user_unread_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
