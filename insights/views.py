"""Public insights pages: the index (filters, search), mineral and segment
pages, a post's page, its hero image and JSON. Members-only posts show their
title and standfirst to everyone and their body only to member readers."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from members.models import Segment

from . import permissions, selectors
from .forms import IndexForm
from .models import Post, Tag

PAGE_SIZE = 12


def _index(
    request, *, template: str = "insights/index.html", mineral: Tag | None = None, segment: Segment | None = None
) -> HttpResponse:
    minerals, segments = list(selectors.mineral_tags()), list(Segment.objects.order_by("position"))
    data = request.GET.copy()
    if mineral is not None:
        data["mineral"] = mineral.slug
    if segment is not None:
        data["segment"] = segment.slug
    form = IndexForm(data, minerals=minerals, segments=segments)
    valid = form.is_valid()
    member_reader = permissions.reads_members_only(request.user)
    posts = selectors.posts_for_index(form.filters(), member_reader=member_reader) if valid else Post.objects.none()
    page = Paginator(posts, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form, "page": page, "filters": form.filters(), "mineral": mineral, "segment": segment,
        "member_reader": member_reader,
    }  # fmt: skip
    return render(request, template, context, status=200 if valid else 400)


@require_GET
def index(request) -> HttpResponse:
    return _index(request)


@require_GET
def mineral_page(request, slug: str) -> HttpResponse:
    mineral = selectors.mineral_by_slug(slug)
    if mineral is None:
        raise Http404("No such mineral.")
    return _index(request, mineral=mineral)


@require_GET
def segment_page(request, slug: str) -> HttpResponse:
    segment = selectors.segment_by_slug(slug)
    if segment is None:
        raise Http404("No such segment.")
    return _index(request, segment=segment)


def _post_for(request, slug: str) -> Post:
    post = selectors.post_by_slug(slug)
    if post is None or not permissions.can_see(request.user, post):
        raise Http404("No such post.")
    return post


@require_GET
def detail(request, slug: str) -> HttpResponse:
    post = _post_for(request, slug)
    member_reader = permissions.reads_members_only(request.user)
    full = permissions.can_read_full(post, member_reader=member_reader)
    authors = [(author, selectors.author_organization(author)) for author in post.authors.all()]
    return render(
        request,
        "insights/detail.html",
        {
            "post": post, "full": full, "authors": authors,
            "body_html": post.html if full else "",
            "related": selectors.related_posts(post),
            "events": selectors.upcoming_events_for(post, user=request.user),
            "groups": list(post.working_groups.all()),
        },
    )  # fmt: skip


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
