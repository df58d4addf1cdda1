"""Reads for insights: the index and its filters, search, a post's page and
what relates to it, feeds, the sitemap, the staff list, the newsletter hand-off.

Every list is a fixed number of queries whatever the number of posts (the
rows of one page, their tags in one prefetch, one COUNT for the paginator).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, F, Prefetch, Q, QuerySet, Window
from django.utils import timezone

from cma.http import absolute_url
from events.models import Event
from events.permissions import visible_events_q
from members.models import OrganizationMember, Segment, User
from minerals.models import Mineral
from workinggroups.models import WorkingGroup

from .models import Post, PostImage

# The longest search the index accepts: a title and then some.
MAX_QUERY_CHARS = 200
LISTED = Post.Status.PUBLISHED


def _listing(posts: QuerySet[Post]) -> QuerySet[Post]:
    return posts.prefetch_related(Prefetch("minerals", queryset=mineral_tags())).defer(
        "body", "body_html", "search_head", "search_full"
    )


def published_posts() -> QuerySet[Post]:
    return Post.objects.filter(status=LISTED)


@dataclass(frozen=True)
class IndexFilter:
    kind: str = ""
    mineral: str = ""
    segment: str = ""
    q: str = ""

    @property
    def active(self) -> bool:
        return bool(self.kind or self.mineral or self.segment or self.q)


def posts_for_index(filters: IndexFilter, *, member_reader: bool) -> QuerySet[Post]:
    """Published posts, newest first (best match first when searching),
    filtered by kind, mineral and segment slugs. Members-only posts are
    listed for everyone by title and standfirst; only readers of their body
    find them by words in it."""
    posts = published_posts()
    if filters.kind in Post.Kind.values:
        posts = posts.filter(kind=filters.kind)
    if filters.mineral:
        posts = posts.filter(minerals__slug=filters.mineral)
    if filters.segment:
        posts = posts.filter(segments__slug=filters.segment)
    if filters.q:
        return _listing(search(posts, filters.q, member_reader=member_reader))
    return _listing(posts.order_by("-published_at", "-id"))


def search(posts: QuerySet[Post], q: str, *, member_reader: bool) -> QuerySet[Post]:
    """Full-text search on PostgreSQL (websearch syntax, so any input is a
    valid query; ranked title > standfirst > body), a plain contains on SQLite."""
    q = q.replace("\x00", "").strip()[:MAX_QUERY_CHARS]
    if not q:
        return posts.order_by("-published_at", "-id")
    public = Q(visibility=Post.Visibility.PUBLIC)
    if connection.vendor != "postgresql":
        head = Q(title__icontains=q) | Q(standfirst__icontains=q)
        full = head | Q(body__icontains=q)
        matched = full if member_reader else (public & full) | (~public & head)
        return posts.filter(matched).order_by("-published_at", "-id")

    from django.contrib.postgres.search import SearchQuery, SearchRank

    query = SearchQuery(q, search_type="websearch", config="english")
    matched = (
        Q(search_full=query) if member_reader else (public & Q(search_full=query)) | (~public & Q(search_head=query))
    )
    # Ranked by the title and standfirst (weights A and B), then newest first:
    # ranking on the whole body reads every matching body's vector again and
    # cost twice as much at 2,000 posts (bench/insights.py); a body-only
    # match ranks below every title or standfirst match.
    return (
        posts.filter(matched)
        .annotate(rank=SearchRank(F("search_head"), query))
        .order_by("-rank", "-published_at", "-id")
    )


def mineral_tags() -> QuerySet[Mineral]:
    """The minerals a post can be tagged with (the minerals app's reference),
    as a post shows them: a name linked by its slug."""
    return Mineral.objects.only("name", "slug").order_by("name")


def filter_lists() -> tuple[list[Mineral], list[Segment]]:
    """The minerals and the segments, for the index's filters."""
    return list(mineral_tags()), list(Segment.objects.order_by("position"))


def mineral_by_slug(slug: str) -> Mineral | None:
    return mineral_tags().filter(slug=slug).first()


def posts_about_mineral(mineral_id: int, *, limit: int = 5) -> tuple[list[Post], int]:
    """The newest published posts tagged with the mineral, and how many
    there are (for the mineral's page; members-only ones are listed too, by
    title and standfirst, as on the index). One query whatever the number:
    the total is a window count over the rows before the limit."""
    rows: list[Post] = list(
        published_posts()
        .filter(minerals=mineral_id)
        .only("slug", "kind", "title", "standfirst", "visibility", "published_at", "reading_minutes")
        .annotate(total=Window(Count("pk")))
        .order_by("-published_at", "-id")[:limit]
    )
    return rows, (int(getattr(rows[0], "total")) if rows else 0)  # noqa: B009 (an annotation mypy can't see)


def segment_by_slug(slug: str) -> Segment | None:
    return Segment.objects.filter(slug=slug).first()


# --- A post's page ------------------------------------------------------------------

# What a post's page reads live on every view: enough to find it, check it,
# key its stored pieces and fill the page's head (title, sharing tags).
HEAD_FIELDS = (
    "id", "slug", "kind", "title", "standfirst", "status", "visibility", "updated_at", "published_at",
    "hero_image", "hero_alt",
)  # fmt: skip


def post_head(slug: str) -> Post | None:
    return Post.objects.only(*HEAD_FIELDS).filter(slug=slug).first()


def post_by_slug(slug: str) -> Post | None:
    """The post with what its page shows: authors with their organizations,
    mineral and segment tags, working groups."""
    roles = OrganizationMember.objects.select_related("organization").order_by("joined_at")
    authors = User.objects.prefetch_related(Prefetch("organization_roles", queryset=roles)).order_by("name")
    return (
        Post.objects.select_related("created_by")
        .prefetch_related(
            Prefetch("authors", queryset=authors),
            Prefetch("minerals", queryset=mineral_tags()),
            Prefetch("segments", queryset=Segment.objects.order_by("position")),
            Prefetch("working_groups", queryset=WorkingGroup.objects.filter(status="active").order_by("name")),
        )
        .filter(slug=slug)
        .first()
    )


def body_image(pk: int) -> PostImage | None:
    """An image of a post's body with what its check needs of the post."""
    return (
        PostImage.objects.select_related("post")
        .only("image", "post__slug", "post__kind", "post__status", "post__visibility")
        .filter(pk=pk)
        .first()
    )


def related_posts(post: Post, *, limit: int = 3) -> list[Post]:
    """Other published posts sharing a mineral or a segment, newest first."""
    minerals = [tag.pk for tag in post.minerals.all()]
    segments = [segment.pk for segment in post.segments.all()]
    if not minerals and not segments:
        return []
    ids = (
        published_posts()
        .filter(Q(minerals__in=minerals) | Q(segments__in=segments))
        .exclude(pk=post.pk)
        .order_by("-published_at", "-id")
        .values("pk")
        .distinct()[:limit]
    )
    # One query (the ids are a subquery), for what the sidebar shows.
    return list(
        published_posts()
        .filter(pk__in=ids)
        .only("slug", "title", "kind", "published_at")
        .order_by("-published_at", "-id")
    )


def event_ids_of(post: Post) -> list[int]:
    """The ids of the events the post links, whatever their state (stored
    with the post's pieces: most posts link none, and then the page needs
    no events query at all)."""
    return list(Post.events.through.objects.filter(post_id=post.pk).values_list("event_id", flat=True))


def upcoming_events_for(
    post: Post, *, user: User, now: datetime.datetime | None = None, among: list[int] | None = None
) -> list[Event]:
    """The post's events that are still to come and that this person may see
    (`among`: the post's event ids, when known)."""
    if among == []:
        return []
    now = now or timezone.now()
    events = Event.objects.filter(visible_events_q(user), insights_posts=post, ends_at__gte=now)
    if among is not None:
        events = events.filter(pk__in=among)
    return list(events.order_by("starts_at")[:3])


def author_organization(author: User) -> str:
    roles = list(author.organization_roles.all())
    return roles[0].organization.name if roles else ""


# --- Feeds, sitemap ------------------------------------------------------------------


def posts_for_feed(*, limit: int = 30) -> QuerySet[Post]:
    """Public published posts only: a feed reader is anonymous."""
    return (
        published_posts()
        .filter(visibility=Post.Visibility.PUBLIC)
        .prefetch_related(Prefetch("authors", queryset=User.objects.order_by("name")), "minerals")
        .order_by("-published_at", "-id")[:limit]
    )


def posts_for_sitemap() -> QuerySet[Post]:
    return (
        published_posts()
        .filter(visibility=Post.Visibility.PUBLIC)
        .only("slug", "updated_at", "published_at")
        .order_by("-published_at", "-id")
    )


# --- Staff ------------------------------------------------------------------------------


def posts_for_staff(*, status: str = "") -> QuerySet[Post]:
    posts = Post.objects.select_related("created_by").defer("body", "body_html", "search_head", "search_full")
    if status in Post.Status.values:
        posts = posts.filter(status=status)
    return posts.order_by("-updated_at", "-id")


def post_for_staff(pk: int) -> Post | None:
    return (
        Post.objects.select_related("created_by")
        .prefetch_related("authors", "minerals", "segments", "working_groups", "events")
        .filter(pk=pk)
        .first()
    )


def post_images(post: Post) -> list[PostImage]:
    return list(PostImage.objects.filter(post=post).order_by("created_at", "id"))


def status_counts() -> dict[str, int]:
    return {
        "in review": Post.objects.filter(status=Post.Status.IN_REVIEW).count(),
        "scheduled": Post.objects.filter(status=Post.Status.SCHEDULED).count(),
    }


# --- Newsletter hand-off (communications calls these) -----------------------------------


def posts_for_newsletter(*, limit: int = 30) -> QuerySet[Post]:
    """Recently published posts staff may pick into a newsletter."""
    return (
        published_posts()
        .defer("body", "body_html", "search_head", "search_full")
        .order_by("-published_at", "-id")[:limit]
    )


def newsletter_choices() -> list[tuple[str, str]]:
    """(id, label) pairs for a newsletter form's post picker."""
    return [
        (
            str(post.pk),
            f"{post.title} ({post.get_kind_display()}, {post.published_at:%b} {post.published_at.day}, {post.published_at:%Y})",
        )
        for post in posts_for_newsletter()
        if post.published_at is not None
    ]


def published_posts_by_ids(ids: list[int]) -> list[Post]:
    """The published posts among `ids`, newest first (a picked post that was
    archived meanwhile drops out)."""
    return list(published_posts().filter(pk__in=ids).order_by("-published_at", "-id"))


def newsletter_markdown(posts: list[Post]) -> str:
    """The picked posts as a Markdown section for a newsletter: each title
    linked to its page, with its standfirst (members-only posts are marked,
    their page asks non-members to sign in)."""
    if not posts:
        return ""
    lines = ["## From Insights", ""]
    for post in posts:
        marker = " *(members)*" if post.is_members_only else ""
        lines.append(f"- **[{post.title}]({absolute_url(post.get_absolute_url())})**{marker} — {post.standfirst}")
    return "\n".join(lines) + "\n"
