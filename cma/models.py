from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models


class AuditEntry(models.Model):
    """Who did what to which row, when, and why — one table for every app.

    Written by services at each state change (an application approved, a
    charter published, an endorsement rejected). Rows are only ever added.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=64)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    target = GenericForeignKey("content_type", "object_id")
    object_repr = models.CharField(max_length=255)
    from_state = models.CharField(max_length=32, blank=True)
    to_state = models.CharField(max_length=32, blank=True)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "audit entry"
        verbose_name_plural = "audit log"
        indexes = [models.Index(fields=["content_type", "object_id"], name="cma_audit_target_idx")]

    def __str__(self) -> str:
        return f"{self.action} {self.object_repr}"


class PendingTask(models.Model):
    """A Celery task a committed change asked for, until the broker has it.

    Written in the same transaction as the change (`cma.publish.publish_on_commit`),
    removed once the task is published after commit. If the broker was down,
    the row stays and the periodic sweeper publishes it when the broker is
    back: a blink of Redis delays the work, never loses it. Tasks published
    this way are safe to run twice.
    """

    task = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.task}{tuple(self.args)}"
