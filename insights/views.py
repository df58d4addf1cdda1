"""Public insights pages: the index (filters, search), mineral and segment
pages, a post's page, its hero image and JSON. Members-only posts show their
title and standfirst to everyone and their body only to member readers."""

from __future__ import annotations

import functools
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from members.models import Segment
from minerals.models import Mineral

from . import fragments, permissions, selectors
from .forms import IndexForm
from .models import Post

PAGE_SIZE = 12


def _filter_lists(token: str) -> tuple[list[Mineral], list[Segment]]:
    """The minerals and segments the filters offer: stored, not queried, per view."""
    lists: tuple[list[Mineral], list[Segment]] = fragments.value(token, "filter-lists", selectors.filter_lists)
    return lists


def _index(
    request, *, token: str, minerals: list[Mineral], segments: list[Segment], mineral: Mineral | None = None,
    segment: Segment | None = None,
) -> HttpResponse:  # fmt: skip
    data = request.GET.copy()
    if mineral is not None:
        data["mineral"] = mineral.slug
    if segment is not None:
        data["segment"] = segment.slug
    form = IndexForm(data, minerals=minerals, segments=segments)
    valid = form.is_valid()
    filters = form.filters()
    member_reader = permissions.reads_members_only(request.user)

    def render_listing(_name: str) -> str:
        posts = selectors.posts_for_index(filters, member_reader=member_reader) if valid else Post.objects.none()
        page = Paginator(posts, PAGE_SIZE).get_page(request.GET.get("page"))
        context = {
            "form": form, "page": page, "filters": filters, "mineral": mineral, "segment": segment,
            "member_reader": member_reader,
        }  # fmt: skip
        return render_to_string("insights/_index_content.html", context, request)

    if valid:
        # The listing reads the same for everyone on the same side of the
        # member line (search finds members-only bodies for members only).
        parts = (request.path, sorted(request.GET.lists()), member_reader)
        content = fragments.pieces(token, {"listing": parts}, render_listing)["listing"]
    else:
        content = mark_safe(render_listing("listing"))  # an error page is not stored
    context = {"content": content, "filters": filters, "mineral": mineral, "segment": segment}
    return render(request, "insights/index.html", context, status=200 if valid else 400)


@require_GET
def index(request) -> HttpResponse:
    token = fragments.generation()
    minerals, segments = _filter_lists(token)
    return _index(request, token=token, minerals=minerals, segments=segments)


@require_GET
def mineral_page(request, slug: str) -> HttpResponse:
    token = fragments.generation()
    minerals, segments = _filter_lists(token)
    mineral = next((tag for tag in minerals if tag.slug == slug), None)
    if mineral is None:
        raise Http404("No such mineral.")
    return _index(request, token=token, minerals=minerals, segments=segments, mineral=mineral)


@require_GET
def segment_page(request, slug: str) -> HttpResponse:
    token = fragments.generation()
    minerals, segments = _filter_lists(token)
    segment = next((item for item in segments if item.slug == slug), None)
    if segment is None:
        raise Http404("No such segment.")
    return _index(request, token=token, minerals=minerals, segments=segments, segment=segment)


def _post_for(request, slug: str) -> Post:
    post = selectors.post_by_slug(slug)
    if post is None or not permissions.can_see(request.user, post):
        raise Http404("No such post.")
    return post


def _render_piece(request, slug: str, name: str, *, member_reader: bool, load: Any) -> str:
    post = load()
    if post is None:
        raise Http404("No such post.")
    if name == "sidebar":
        context: dict[str, Any] = {"related": selectors.related_posts(post), "groups": list(post.working_groups.all())}
        return render_to_string("insights/_sidebar.html", context, request)
    # Whether the body shows is decided on the rows rendered, not the head
    # read before them: a post made members-only in between shows no body.
    full = permissions.can_read_full(post, member_reader=member_reader)
    authors = [(author, selectors.author_organization(author)) for author in post.authors.all()]
    context = {"post": post, "full": full, "authors": authors, "body_html": post.html if full else ""}
    return render_to_string("insights/_article.html", context, request)


@require_GET
def detail(request, slug: str) -> HttpResponse:
    """The post's head is read live (one light query) and keys its stored
    article and sidebar; the rest of the rows are read only to render them."""
    post = selectors.post_head(slug)
    if post is None or not permissions.can_see(request.user, post):
        raise Http404("No such post.")
    member_reader = permissions.reads_members_only(request.user)
    full = permissions.can_read_full(post, member_reader=member_reader)
    load = functools.cache(lambda: selectors.post_by_slug(slug))
    render_piece = functools.partial(_render_piece, request, slug, member_reader=member_reader, load=load)
    version = (post.pk, post.updated_at.isoformat(), post.status, post.visibility)
    wanted = {"article": (*version, permissions.viewer_class(request.user, full=full)), "sidebar": version}
    if post.status in (Post.Status.PUBLISHED, Post.Status.ARCHIVED):
        token = fragments.generation()
        pieces = fragments.pieces(token, wanted, render_piece)
        event_ids = fragments.value(token, "event-ids", lambda: selectors.event_ids_of(post), *version)
    else:  # a staff preview of a draft is not stored
        pieces = {name: mark_safe(render_piece(name)) for name in wanted}
        event_ids = None
    # Read live: which events a person may see depends on their groups.
    events = selectors.upcoming_events_for(post, user=request.user, among=event_ids)
    context = {"post": post, **pieces, "events": events}
    return render(request, "insights/detail.html", context)


@require_GET
def hero(request, slug: str) -> FileResponse:
    """The hero image goes with the title (it is in shared links), so it is
    served wherever the post's page is, through the same check."""
    post = _post_for(request, slug)
    if not post.hero_image:
        raise Http404("This post has no image.")
    response = FileResponse(post.hero_image.open("rb"), content_type="image/png")
    response["Cache-Control"] = "public, max-age=3600" if post.is_published else "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def body_image(request, pk: int) -> FileResponse:
    """An image in a post's body, behind the post's own check: a draft's for
    staff only (404 for others, as its page), a members-only post's for
    member readers (403 for others: the post's title is public, its body is
    not), a public post's for everyone. Always the PNG the upload path wrote,
    shown inline, never sniffed by the browser as anything else."""
    image = selectors.body_image(pk)
    if image is None or not permissions.can_see(request.user, image.post):
        raise Http404("No such image.")
    post = image.post
    if not permissions.can_read_full(post, member_reader=permissions.reads_members_only(request.user)):
        raise PermissionDenied(f"This image is part of a members-only {post.noun}: members of the association see it.")
    response = FileResponse(image.image.open("rb"), content_type="image/png")
    response["Content-Disposition"] = f'inline; filename="image-{image.pk}.png"'
    response["X-Content-Type-Options"] = "nosniff"
    public = post.is_published and not post.is_members_only
    response["Cache-Control"] = "public, max-age=3600" if public else "private, no-store"
    return response


@require_GET
def detail_json(request, slug: str) -> JsonResponse:
    post = _post_for(request, slug)
    full = permissions.can_read_full(post, member_reader=permissions.reads_members_only(request.user))
    return JsonResponse(
        {
            "title": post.title,
            "slug": post.slug,
            "kind": post.kind,
            "standfirst": post.standfirst,
            "visibility": post.visibility,
            "published_at": post.published_at.isoformat() if post.published_at else None,
            "url": request.build_absolute_uri(post.get_absolute_url()),
            "body_html": str(post.html) if full else None,
        }  # fmt: skip
    )
