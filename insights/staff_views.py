"""Staff pages under /staff/insights/: the list, write and edit, preview,
send for review, schedule, publish, archive — with the post's history.

Every view runs the staff gate (staff + second factor); every write goes
through `services`.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from cma.access import staff_required
from cma.audit import history_of
from cma.errors import form_errors, service_errors
from cma.formatting import date_and_time

from . import selectors, services
from .forms import PostForm, PostImageForm, ScheduleForm
from .models import Post


def _post(pk: int) -> Post:
    post = selectors.post_for_staff(pk)
    if post is None:
        raise Http404("No such post.")
    return post


@staff_required
def post_list(request) -> HttpResponse:
    status = request.GET.get("status", "")
    page = Paginator(selectors.posts_for_staff(status=status), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "insights/staff/list.html",
        {"page": page, "status": status if status in Post.Status.values else "", "statuses": Post.Status.choices},
    )


@staff_required
def post_new(request) -> HttpResponse:
    return _write(request, None)


@staff_required
@service_errors(back="staff:insights:detail")
def post_edit(request, pk: int) -> HttpResponse:
    post = _post(pk)
    if post.status == Post.Status.ARCHIVED:
        messages.info(request, "This post is archived, so it can no longer be changed.")
        return redirect("staff:insights:detail", pk=pk)
    return _write(request, post)


def _write(request, post: Post | None) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    form = PostForm(data, request.FILES if data is not None else None, instance=post or Post())
    if data is not None and form.is_valid():
        fields = form.service_fields()
        hero = form.cleaned_data.get("hero_upload")
        with form_errors(form):
            if post is None:
                post = services.post_create(actor=request.user, hero=hero, **fields)
                messages.success(request, "Draft saved. Preview it below, then send it for review or publish it.")
            else:
                services.post_update(
                    actor=request.user, post=post, hero=hero, remove_hero=form.cleaned_data["remove_hero"], **fields
                )
                messages.success(request, "Saved.")
            return redirect("staff:insights:detail", pk=post.pk)
    context = {"form": form, "post": post, **_images_context(post, PostImageForm())}
    return render(request, "insights/staff/form.html", context, status=400 if form.errors else 200)


def _images_context(post: Post | None, image_form: PostImageForm) -> dict[str, object]:
    return {"images": selectors.post_images(post) if post is not None else [], "image_form": image_form}


@staff_required
@require_POST
@service_errors(back="staff:insights:edit")
def post_image_upload(request, pk: int) -> HttpResponse:
    """Upload an image for the body from the editor. With htmx only the
    images panel is replaced (the text being written stays as it is);
    without, the editor is shown again."""
    post = _post(pk)
    form = PostImageForm(request.POST, request.FILES)
    image = None
    if form.is_valid():
        with form_errors(form):
            image = services.post_image_add(
                actor=request.user, post=post, image=form.cleaned_data["image"], alt=form.cleaned_data["alt"]
            )
    if request.htmx:
        # 200 even with errors: htmx swaps only successful answers, and the errors are in the panel.
        context = {"post": post, "uploaded": image, **_images_context(post, PostImageForm() if image else form)}
        return render(request, "insights/staff/_images.html", context)
    if image is not None:
        messages.success(request, f"Image uploaded. Paste this line into the body where it belongs: {image.markdown}")
        return redirect(reverse("staff:insights:edit", args=[pk]) + "#post-images")
    context = {"form": PostForm(instance=post), "post": post, **_images_context(post, form)}
    return render(request, "insights/staff/form.html", context, status=400)


@staff_required
def post_detail(request, pk: int) -> HttpResponse:
    post = _post(pk)
    return render(
        request,
        "insights/staff/detail.html",
        {
            "post": post,
            "body_html": post.html,
            "schedule_form": ScheduleForm(),
            "history": history_of(post)[:20],
        },
    )


@staff_required
@require_POST
@service_errors(back="staff:insights:detail")
def post_schedule(request, pk: int) -> HttpResponse:
    post = _post(pk)
    form = ScheduleForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("scheduled_for", []):
            messages.error(request, str(error))
        return redirect("staff:insights:detail", pk=pk)
    post = services.post_schedule(actor=request.user, post=post, when=form.cleaned_data["scheduled_for"])
    when = date_and_time(timezone.localtime(post.scheduled_for), long=True, zone_name=True)
    messages.success(request, f"Scheduled: it goes live on {when}.")
    return redirect("staff:insights:detail", pk=pk)


ACTIONS: dict[str, tuple[Callable[..., Post], str]] = {
    "submit": (services.post_submit, "Sent for review."),
    "return": (services.post_return_to_draft, "Back to draft."),
    "publish": (services.post_publish, "Published: it is live now."),
    "archive": (services.post_archive, "Archived: it is out of the index, feeds and sitemap."),
}


@staff_required
@require_POST
@service_errors(back="staff:insights:detail")
def post_action(request, pk: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404("No such action.")
    service, done = ACTIONS[action]
    service(actor=request.user, post=_post(pk))
    messages.success(request, done)
    return redirect("staff:insights:detail", pk=pk)
