"""Writes for insights: write and edit a post, take it through review to
publication, archive it — each step a conditional transition with an audit
row — and the periodic job that publishes scheduled posts on time.

Transitions (anything else is refused with a Conflict):

    draft ⇄ in review → scheduled → published → archived
    draft / in review / scheduled → published (now)
    scheduled → draft (unschedule), in review → draft (back to the writer)
"""

from __future__ import annotations

import datetime
import math
import re
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from cma.audit import audit
from cma.errors import Conflict, Refused
from cma.markdown import markdown_images
from cma.uploads import clean_logo

from . import fragments
from .models import Post, PostImage, render_body
from .permissions import can_write

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from members.models import User

Status = Post.Status
MAX_BODY_CHARS = 100_000
HERO_BOX = (1600, 900)
HERO_MAX_BYTES = 2 * 1024 * 1024
BODY_IMAGE_BOX = (1600, 1600)
BODY_IMAGE_MAX_BYTES = 5 * 1024 * 1024
MISSING_ALT = "Every image needs alt text: describe it between the brackets, ![what it shows](…)."
WORDS_PER_MINUTE = 230
POST_FIELDS = frozenset(
    {"kind", "title", "slug", "standfirst", "body", "visibility", "hero_alt", "filed_as_title", "filed_as_url"}
)
RELATION_FIELDS = frozenset({"authors", "minerals", "segments", "working_groups", "events"})


def reading_minutes(body: str) -> int:
    return max(1, math.ceil(len(re.findall(r"\w+", body)) / WORDS_PER_MINUTE))


def clean_hero(upload: UploadedFile) -> ContentFile[bytes]:
    """The hero image through the portal's one checked upload path (sniffed,
    capped, re-encoded under a random name). Raises ValidationError."""
    try:
        return clean_logo(upload, max_bytes=HERO_MAX_BYTES, box=HERO_BOX, noun="image")
    except ValidationError as error:
        raise ValidationError({"hero_upload": error.messages}) from error


def clean_body_image(upload: UploadedFile) -> ContentFile[bytes]:
    """An image for a post's body, through the same checked path as the hero
    image (and members' logos). Raises ValidationError."""
    try:
        return clean_logo(upload, max_bytes=BODY_IMAGE_MAX_BYTES, box=BODY_IMAGE_BOX, noun="image")
    except ValidationError as error:
        raise ValidationError({"image": error.messages}) from error


def _require_writer(actor: User) -> None:
    if not can_write(actor):
        raise Refused("Only association staff write insights.")


def _validate(post: Post, *, has_image: bool) -> None:
    errors: dict[str, str] = {}
    if len(post.body) > MAX_BODY_CHARS:
        errors["body"] = f"The text is {len(post.body):,} characters; the limit is {MAX_BODY_CHARS:,}."
    elif any(not alt.strip() for _src, alt in markdown_images(post.body)):
        errors["body"] = MISSING_ALT
    if has_image and not post.hero_alt.strip():
        errors["hero_alt"] = "Describe the image for people who can't see it (alt text): it is required."
    if bool(post.filed_as_title) != bool(post.filed_as_url):
        errors["filed_as_url" if post.filed_as_title else "filed_as_title"] = (
            "Give the filed letter or comment both a title and a link, or neither."
        )
    if errors:
        raise ValidationError(errors)
    post.full_clean(exclude=["created_by", "hero_image", "slug"], validate_constraints=False)


def _slug_for(post: Post) -> str:
    slug = slugify(post.slug or post.title)[:200]
    if not slug:
        raise ValidationError({"slug": "Give the post an address made of letters or digits."})
    if Post.objects.filter(slug=slug).exclude(pk=post.pk).exists():
        raise ValidationError({"slug": f"Another post already lives at /insights/{slug}/: choose another address."})
    return slug


def _save(post: Post, *, relations: dict[str, Any], hero: ContentFile[bytes] | None) -> None:
    """Store the row, its image and its tags; a slug taken between the check
    and the insert (two staff at once) becomes the same field error."""
    post.slug = _slug_for(post)
    post.reading_minutes = reading_minutes(post.body)
    post.body_html = str(render_body(post.body))
    # Checked before the image is stored, so a refused post leaves no file behind.
    _validate(post, has_image=hero is not None or bool(post.hero_image))
    if hero is not None:
        post.hero_image.save(hero.name or "hero.png", hero, save=False)
    try:
        with transaction.atomic():
            post.save()
    except IntegrityError as error:
        if hero is not None:
            post.hero_image.delete(save=False)
        raise ValidationError({"slug": "Another post already lives at this address: choose another."}) from error
    for name, values in relations.items():
        getattr(post, name).set(values)
    index_for_search(post)


def _check_fields(fields: dict[str, Any]) -> None:
    unknown = set(fields) - POST_FIELDS - RELATION_FIELDS
    if unknown:
        raise TypeError(f"Unknown post fields: {', '.join(sorted(unknown))}")


def _split(fields: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    return (
        {k: v for k, v in fields.items() if k in POST_FIELDS},
        {k: v for k, v in fields.items() if k in RELATION_FIELDS},
    )


def post_create(*, actor: User, hero: ContentFile[bytes] | None = None, **fields: Any) -> Post:
    """A new draft. Raises Refused (not staff), ValidationError (field by field:
    a taken slug, an image without alt text, a body too long)."""
    _require_writer(actor)
    return post_import(author=actor, hero=hero, **fields)


def post_import(*, author: User, hero: ContentFile[bytes] | None = None, **fields: Any) -> Post:
    """A new draft written by `author`, for trusted callers with no session
    (seed_demo, a management command): the same rules as `post_create`
    without the staff-session check."""
    _check_fields(fields)
    own, relations = _split(fields)
    relations.setdefault("authors", [author])
    post = Post(created_by=author, **own)
    with transaction.atomic():
        _save(post, relations=relations, hero=hero)
        audit(actor=author, action="post.create", target=post, to_state=post.status)
    return post


def post_update(
    *, actor: User, post: Post, hero: ContentFile[bytes] | None = None, remove_hero: bool = False, **fields: Any
) -> Post:
    """Change a post. A published post stays published (corrections are
    audited); an archived one can't be changed. Raises Refused, Conflict,
    ValidationError."""
    _require_writer(actor)
    _check_fields(fields)
    own, relations = _split(fields)
    with transaction.atomic():
        locked = Post.objects.select_for_update().get(pk=post.pk)
        if locked.status == Status.ARCHIVED:
            raise Conflict("This post is archived; it can't be changed any more.")
        for name, value in own.items():
            setattr(locked, name, value)
        if remove_hero and hero is None:
            locked.hero_image = ""
        _save(locked, relations=relations, hero=hero)
        audit(actor=actor, action="post.update", target=locked, from_state=locked.status, to_state=locked.status)
    return locked


def post_image_add(*, actor: User, post: Post, image: ContentFile[bytes], alt: str) -> PostImage:
    """Store an image for the post's body (already checked: `clean_body_image`)
    with its alt text; staff then paste `PostImage.markdown` into the body.
    Raises Refused (not staff), Conflict (an archived post), ValidationError
    (no alt text)."""
    _require_writer(actor)
    alt = " ".join(alt.split())
    if not alt:
        raise ValidationError({"alt": "Describe the image for people who can't see it (alt text): it is required."})
    if len(alt) > PostImage._meta.get_field("alt").max_length:  # type: ignore[operator]
        raise ValidationError({"alt": "Keep the description under 250 characters."})
    with transaction.atomic():
        locked = Post.objects.select_for_update().only("status").get(pk=post.pk)
        if locked.status == Status.ARCHIVED:
            raise Conflict("This post is archived; it can't be changed any more.")
        stored = PostImage(post=locked, alt=alt, uploaded_by=actor)
        stored.image.save(image.name or "image.png", image, save=False)
        try:
            stored.save()
        except Exception:
            stored.image.delete(save=False)
            raise
        audit(actor=actor, action="post.image_add", target=locked, to_state=locked.status, note=alt[:200])
    return stored


def index_for_search(post: Post) -> None:
    """Fill the post's search vectors (PostgreSQL; SQLite searches with LIKE).
    Title weighs most, then the standfirst, then the body."""
    if connection.vendor != "postgresql":
        return
    from django.contrib.postgres.search import SearchVector

    head = SearchVector("title", weight="A", config="english") + SearchVector(
        "standfirst", weight="B", config="english"
    )
    Post.objects.filter(pk=post.pk).update(
        search_head=head, search_full=head + SearchVector("body", weight="C", config="english")
    )
    fragments.bump()  # stored search results


def index_all_for_search() -> None:
    """Fill every post's search vectors in one UPDATE (after a bulk load)."""
    if connection.vendor != "postgresql":
        return
    from django.contrib.postgres.search import SearchVector

    head = SearchVector("title", weight="A", config="english") + SearchVector(
        "standfirst", weight="B", config="english"
    )
    Post.objects.update(search_head=head, search_full=head + SearchVector("body", weight="C", config="english"))
    fragments.bump()  # a bulk load sends no signals: stored pages and search results


# --- Transitions -------------------------------------------------------------------


def _transition(
    post: Post, *, actor: User | None, allowed: tuple[str, ...], to: str, action: str, note: str = "", **extra: Any
) -> Post:
    """One conditional UPDATE: a double click or two staff at once move the
    post once; the second gets a Conflict naming where it is now."""
    with transaction.atomic():
        from_states = list(Post.objects.filter(pk=post.pk).values_list("status", flat=True))
        changed = Post.objects.filter(pk=post.pk, status__in=allowed).update(
            status=to, updated_at=timezone.now(), **extra
        )
        if not changed:
            current = from_states[0] if from_states else ""
            label = Status(current).label.lower() if current else "gone"
            raise Conflict(f"This post is {label}, so it can't be {ACTION_WORDS[action]}.")
        audit(actor=actor, action=action, target=post, from_state=from_states[0], to_state=to, note=note)
        fragments.bump()  # an UPDATE sends no signal; lists and related posts change with the status
    post.refresh_from_db()
    return post


ACTION_WORDS = {
    "post.submit": "sent for review",
    "post.return": "sent back to draft",
    "post.schedule": "scheduled",
    "post.unschedule": "unscheduled",
    "post.publish": "published",
    "post.archive": "archived",
}


def post_submit(*, actor: User, post: Post) -> Post:
    """Draft → in review. Raises Refused, Conflict."""
    _require_writer(actor)
    return _transition(post, actor=actor, allowed=(Status.DRAFT,), to=Status.IN_REVIEW, action="post.submit")


def post_return_to_draft(*, actor: User, post: Post) -> Post:
    """In review or scheduled → draft. Raises Refused, Conflict."""
    _require_writer(actor)
    return _transition(
        post, actor=actor, allowed=(Status.IN_REVIEW, Status.SCHEDULED), to=Status.DRAFT, action="post.return",
        scheduled_for=None,
    )  # fmt: skip


def post_schedule(*, actor: User, post: Post, when: datetime.datetime, now: datetime.datetime | None = None) -> Post:
    """Draft, in review or scheduled → scheduled for `when`, published by the
    periodic task then. Raises Refused, Conflict, ValidationError (a time
    that is not in the future)."""
    _require_writer(actor)
    now = now or timezone.now()
    if when <= now + datetime.timedelta(minutes=1):
        raise ValidationError({"scheduled_for": "Choose a time in the future, or publish it now."})
    return _transition(
        post, actor=actor, allowed=Post.UNPUBLISHED, to=Status.SCHEDULED, action="post.schedule",
        note=f"{when:%Y-%m-%d %H:%M %Z}", scheduled_for=when,
    )  # fmt: skip


def post_publish(*, actor: User | None, post: Post, now: datetime.datetime | None = None) -> Post:
    """Draft, in review or scheduled → published now. Raises Refused, Conflict."""
    if actor is not None:
        _require_writer(actor)
    now = now or timezone.now()
    return _transition(
        post, actor=actor, allowed=Post.UNPUBLISHED, to=Status.PUBLISHED, action="post.publish",
        published_at=post.published_at or now, scheduled_for=None,
    )  # fmt: skip


def post_archive(*, actor: User, post: Post) -> Post:
    """Published → archived: out of the index, feeds and sitemap; its address
    still answers, marked archived. Raises Refused, Conflict."""
    _require_writer(actor)
    return _transition(post, actor=actor, allowed=(Status.PUBLISHED,), to=Status.ARCHIVED, action="post.archive")


def posts_publish_due(*, now: datetime.datetime | None = None) -> int:
    """Publish the scheduled posts whose time has come (the periodic task's
    work). Safe to run twice at once: each post moves once. Returns how many."""
    now = now or timezone.now()
    published = 0
    for post in Post.objects.filter(status=Status.SCHEDULED, scheduled_for__lte=now).order_by("scheduled_for"):
        when = post.scheduled_for
        try:
            _transition(
                post, actor=None, allowed=(Status.SCHEDULED,), to=Status.PUBLISHED, action="post.publish",
                note="on schedule", published_at=when, scheduled_for=None,
            )  # fmt: skip
        except Conflict:
            continue
        published += 1
    return published
