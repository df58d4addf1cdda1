"""The association's published voice: articles, news and policy positions."""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from cma.markdown import render_markdown

# The only image sources a post's body may show: its own uploaded images,
# served through the checked view (views.body_image). Anything else is
# removed when the body is rendered (cma.markdown).
BODY_IMAGE_SRC = re.compile(r"/insights/images/[0-9]+/")


def render_body(text: str) -> SafeString:
    return render_markdown(text, footnotes=True, image_src=BODY_IMAGE_SRC)


class Post(models.Model):
    """One article, news item or policy position, written by staff and taken
    through review to publication (see `services` for the transitions)."""

    class Kind(models.TextChoices):
        ARTICLE = "article", "Article"
        NEWS = "news", "News"
        POSITION = "position", "Policy position"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        SCHEDULED = "scheduled", "Scheduled"
        PUBLISHED = "published", "Published"
        ARCHIVED = "archived", "Archived"

    class Visibility(models.TextChoices):
        PUBLIC = "public", "Public"
        MEMBERS = "members", "Members only (others see the title and standfirst)"

    # Where a post can still be edited, scheduled or published from.
    UNPUBLISHED = (Status.DRAFT, Status.IN_REVIEW, Status.SCHEDULED)

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.ARTICLE)
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True, help_text="The post's address: /insights/<slug>/.")
    standfirst = models.CharField(
        max_length=400, help_text="One or two sentences under the title; shown publicly even for members-only posts."
    )
    body = models.TextField(help_text="Markdown.")
    # The body rendered and sanitized (cma.markdown) when it is saved: a page
    # view does not run Markdown and the sanitizer again.
    body_html = models.TextField(blank=True, editable=False)
    hero_image = models.FileField(upload_to="insights/", blank=True)
    hero_alt = models.CharField("hero image description", max_length=250, blank=True)
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    # A policy position links the letter or comment it was filed as.
    filed_as_title = models.CharField("filed as (title)", max_length=200, blank=True)
    filed_as_url = models.URLField("filed as (link)", max_length=500, blank=True)

    authors = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="insights_posts", blank=True)
    minerals = models.ManyToManyField("minerals.Mineral", related_name="insights_posts", blank=True)
    segments = models.ManyToManyField("members.Segment", related_name="insights_posts", blank=True)
    working_groups = models.ManyToManyField("workinggroups.WorkingGroup", related_name="insights_posts", blank=True)
    events = models.ManyToManyField("events.Event", related_name="insights_posts", blank=True)

    scheduled_for = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    reading_minutes = models.PositiveSmallIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # PostgreSQL only (filled by services.index_for_search): the title and
    # standfirst alone, which anyone may search, and the whole post, which
    # only those who may read it search.
    search_head = SearchVectorField(null=True, editable=False)
    search_full = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["-published_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="scheduled") | models.Q(scheduled_for__isnull=False),
                name="insights_scheduled_has_time",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["published", "archived"]) | models.Q(published_at__isnull=False),
                name="insights_published_has_date",
            ),
            models.CheckConstraint(
                condition=models.Q(hero_image="") | ~models.Q(hero_alt=""), name="insights_hero_has_alt"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-published_at", "-id"], name="insights_listing_idx"),
            models.Index(fields=["status", "scheduled_for"], name="insights_due_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("insights:detail", args=[self.slug])

    @property
    def html(self) -> SafeString:
        """The rendered body (rendered now if it was stored without it, e.g. by a bulk load)."""
        if self.body_html:
            return mark_safe(self.body_html)  # sanitized by render_markdown when saved
        return render_body(self.body)

    @property
    def noun(self) -> str:
        """The kind in a sentence: "this article", "this news item"."""
        return {"news": "news item"}.get(self.kind, self.get_kind_display().lower())

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def is_members_only(self) -> bool:
        return self.visibility == self.Visibility.MEMBERS

    @property
    def is_editable(self) -> bool:
        return self.status in self.UNPUBLISHED


class PostImage(models.Model):
    """An image for a post's body, uploaded by staff through the portal's
    checked upload path (sniffed, capped, re-encoded as PNG under a random
    name) and served only by `views.body_image`, behind the post's own check:
    a members-only post's images for members, a draft's for staff."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="images")
    image = models.FileField(upload_to="insights/body/")
    alt = models.CharField("alt text", max_length=250)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.CheckConstraint(condition=~models.Q(alt=""), name="insights_image_has_alt")]

    def __str__(self) -> str:
        return self.alt

    def get_absolute_url(self) -> str:
        return reverse("insights:image", args=[self.pk])

    @property
    def markdown(self) -> str:
        """The line staff paste into the body (brackets in the alt text would end it early)."""
        alt = " ".join(self.alt.replace("[", "(").replace("]", ")").split())
        return f"![{alt}]({self.get_absolute_url()})"
