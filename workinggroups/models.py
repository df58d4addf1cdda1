from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

# Shown where a group has not set its own notice (staff can change it per group).
DEFAULT_ANTITRUST_NOTICE = (
    "CMA USA working groups follow the antitrust laws. Participants must not discuss or exchange "
    "information about prices, pricing plans, costs, margins, wages, bids, customers, suppliers or "
    "territories, or agree to boycott anyone. Discussions stay on policy, standards and public "
    "information. If a discussion strays, any participant should stop it and the chair will record it."
)


class WorkingGroup(models.Model):
    """An action-focused working group of the association."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        ARCHIVED = "archived", "Archived (read-only)"

    class JoinPolicy(models.TextChoices):
        OPEN = "open", "Open to any member"
        REQUEST = "request", "By request, approved by a chair"
        INVITATION = "invitation", "By invitation only"

    name = models.CharField(max_length=150, unique=True)
    slug = models.SlugField(max_length=160, unique=True)
    summary = models.CharField(max_length=300, blank=True)
    mission = models.TextField(blank=True, help_text="Markdown.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    join_policy = models.CharField(max_length=12, choices=JoinPolicy.choices, default=JoinPolicy.REQUEST)
    antitrust_notice = models.TextField(
        blank=True, help_text="The antitrust notice the group works under, shown on its page and events."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def notice(self) -> str:
        """The antitrust notice the group works under."""
        return self.antitrust_notice.strip() or DEFAULT_ANTITRUST_NOTICE

    @property
    def is_archived(self) -> bool:
        return self.status == self.Status.ARCHIVED


class GroupMembership(models.Model):
    """One person's place in one group: requested, invited, active, or gone.

    One row per (group, user), whatever happens to it: a second join request,
    a re-join after leaving or a double-clicked button updates the row in
    place instead of stacking duplicates (the unique constraint guarantees
    it). Whether an ACTIVE row grants access is decided at request time from
    the person's organization (see selectors.is_group_member), so a lapsed
    membership suspends access without deleting anything.
    """

    class Role(models.TextChoices):
        CHAIR = "chair", "Chair"
        MEMBER = "member", "Member"

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        INVITED = "invited", "Invited"
        ACTIVE = "active", "Active"
        DECLINED = "declined", "Declined"
        LEFT = "left", "Left"
        REMOVED = "removed", "Removed"
        WITHDRAWN = "withdrawn", "Request withdrawn"

    # Rows that no longer mean anything but history: joining starts again.
    INACTIVE = (Status.DECLINED, Status.LEFT, Status.REMOVED, Status.WITHDRAWN)

    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_memberships")
    role = models.CharField(max_length=8, choices=Role.choices, default=Role.MEMBER)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    message = models.TextField(blank=True, max_length=1000, help_text="What the requester or inviter wrote.")
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    joined_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["group", "user"]
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="wg_membership_one_per_user"),
        ]
        indexes = [
            models.Index(fields=["user", "status"], name="wg_membership_user_idx"),
            models.Index(fields=["group", "status", "role"], name="wg_membership_group_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.group} ({self.get_status_display()})"

    @property
    def is_chair(self) -> bool:
        return self.role == self.Role.CHAIR


def document_upload_path(instance: DocumentVersion, filename: str) -> str:
    """A random storage name: the uploaded name never reaches the file system
    (or the S3 key), and nothing about the file can be guessed from it."""
    return f"workinggroups/{instance.document.group_id}/{uuid.uuid4().hex}"


class DocumentTag(models.Model):
    """A label for documents ("draft", "USTR-2026-03868"), shared by all groups."""

    name = models.CharField(max_length=40)
    slug = models.SlugField(max_length=50, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Document(models.Model):
    """A document in a group's library; its content lives in its versions."""

    class Status(models.TextChoices):
        CURRENT = "current", "Current"
        ARCHIVED = "archived", "Archived"

    group = models.ForeignKey(WorkingGroup, on_delete=models.PROTECT, related_name="documents")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=5000, help_text="Markdown.")
    tags = models.ManyToManyField(DocumentTag, related_name="documents", blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CURRENT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # Denormalised pointer to the newest version, kept by the services, so
    # lists show size, type and date without a subquery per row.
    latest_version = models.ForeignKey(
        "DocumentVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["group", "status", "-updated_at"], name="wg_document_list_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_archived(self) -> bool:
        return self.status == self.Status.ARCHIVED


class DocumentVersion(models.Model):
    """One uploaded file of a document. Versions are only ever added."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    file = models.FileField(upload_to=document_upload_path, max_length=255)
    original_name = models.CharField(max_length=255, help_text="The uploaded file name, sanitised.")
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField("SHA-256", max_length=64)
    change_note = models.CharField(max_length=500, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="wg_version_number_unique"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="wg_version_number_positive"),
            models.CheckConstraint(condition=models.Q(size__gt=0), name="wg_version_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"


class Comment(models.Model):
    """A comment on a document; replies hang one level below a top comment."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField(max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    # Removal hides the text but keeps the row, so replies keep their place
    # and staff can still see what was said (admin, audit log).
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["document", "created_at"], name="wg_comment_doc_idx")]

    def __str__(self) -> str:
        return f"Comment by {self.author} on {self.document}"

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None


class Activity(models.Model):
    """One line of a group's activity feed (what members see on the group page).

    The audit log records state changes for staff; this is the readable,
    member-facing story of the group, written by the same services.
    """

    class Kind(models.TextChoices):
        JOINED = "joined", "joined the group"
        LEFT = "left", "left the group"
        REMOVED = "removed", "was removed from the group"
        ROLE = "role", "changed role"
        DOCUMENT = "document", "added a document"
        VERSION = "version", "uploaded a new version"
        ARCHIVED = "archived", "archived a document"
        RESTORED = "restored", "restored a document"
        COMMENT = "comment", "commented"
        MEETING = "meeting", "scheduled a meeting"

    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="activities")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    document = models.ForeignKey(Document, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(max_length=255, blank=True, help_text="Who or what the entry is about.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "activities"
        indexes = [models.Index(fields=["group", "-created_at"], name="wg_activity_feed_idx")]

    def __str__(self) -> str:
        return f"{self.actor} {self.get_kind_display()}"
