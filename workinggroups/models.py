from __future__ import annotations

from django.db import models


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
