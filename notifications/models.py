from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from .topics import Mode, Topic


class EmailBody(models.Model):
    """One body shared by many outbox rows (an announcement to 10,000 people):
    rendered once, with `%%CMA:<field>%%` markers that each row's `merge`
    values fill in when it is sent."""

    subject = models.CharField(max_length=255)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.subject


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
        # Not sent on purpose: the address is on the suppression list.
        SUPPRESSED = "suppressed", "Suppressed"
        # A paused send's rows wait here; a cancelled send's rows end here.
        HELD = "held", "Held (paused)"
        CANCELLED = "cancelled", "Cancelled"

    recipient = models.EmailField(max_length=254)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    category = models.CharField(max_length=64)
    # Whether the recipient may turn it off (and so gets List-Unsubscribe),
    # and for which working group (`scope`) when it is group activity.
    topic = models.CharField(max_length=32, choices=Topic.choices, default=Topic.TRANSACTIONAL)
    scope = models.CharField(max_length=64, blank=True)
    subject = models.CharField(max_length=255)
    # Empty when the row shares a body: `shared_body` filled in with `merge`.
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    # No index of its own: notif_email_body_status_idx begins with it (one
    # index fewer for every email queued).
    shared_body = models.ForeignKey(
        EmailBody, null=True, blank=True, on_delete=models.PROTECT, related_name="emails", db_index=False
    )
    merge = models.JSONField(default=dict, blank=True)
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
    # A queued row is not sent before this (retries back off).
    next_attempt_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "outgoing email"
        indexes = [
            # What delivery tasks claim: due rows, in order.
            models.Index(fields=["status", "next_attempt_at"], name="notif_email_due_idx"),
            # Progress of one shared send (counts by status).
            models.Index(fields=["shared_body", "status"], name="notif_email_body_status_idx"),
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


class Preference(models.Model):
    """How a person wants one optional topic: immediately, in a digest, or
    not at all. `scope` narrows it to one working group (a muted group);
    no row means immediately."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_preferences")
    topic = models.CharField(max_length=32, choices=Topic.choices)
    scope = models.CharField(max_length=64, blank=True)
    mode = models.CharField(max_length=12, choices=Mode.choices, default=Mode.IMMEDIATELY)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "topic", "scope"], name="notif_pref_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.topic}{':' + self.scope if self.scope else ''} {self.mode}"


class Suppression(models.Model):
    """An address the portal must not email: checked when each email is sent.

    Unsubscribes and complaints stop optional email (one topic, or every
    optional topic when `topic` is blank); a hard bounce stops everything,
    since the address does not take mail.
    """

    class Reason(models.TextChoices):
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
        HARD_BOUNCE = "hard_bounce", "Hard bounce"
        COMPLAINT = "complaint", "Complaint"

    email = models.CharField(max_length=254)  # lower-cased
    topic = models.CharField(max_length=32, blank=True, choices=Topic.choices)
    reason = models.CharField(max_length=16, choices=Reason.choices)
    source = models.CharField(max_length=64, blank=True, help_text="Where it came from: a link, a bounce, staff.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["email", "topic"], name="notif_suppression_unique")]

    def __str__(self) -> str:
        return f"{self.email} ({self.get_reason_display()})"


class BounceEvent(models.Model):
    """Every bounce or complaint reported for an address, hard or soft."""

    class Kind(models.TextChoices):
        HARD = "hard", "Hard bounce"
        SOFT = "soft", "Soft bounce"
        COMPLAINT = "complaint", "Complaint"

    email = models.CharField(max_length=254)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    diagnostic = models.CharField(max_length=500, blank=True)
    source = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["email", "kind"], name="notif_bounce_email_idx")]

    def __str__(self) -> str:
        return f"{self.email} {self.kind}"


class DigestItem(models.Model):
    """Something a person chose to hear about in a digest; the periodic digest
    task lists a period's items in one email and marks them sent."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_items")
    topic = models.CharField(max_length=32, choices=Topic.choices)
    scope = models.CharField(max_length=64, blank=True)
    mode = models.CharField(max_length=12, choices=Mode.choices)
    title = models.CharField(max_length=255)
    url = models.CharField(max_length=500, blank=True)
    dedupe_key = models.CharField(max_length=255, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_in = models.ForeignKey(OutgoingEmail, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["mode", "sent_in"], name="notif_digest_pending_idx")]

    def __str__(self) -> str:
        return self.title
