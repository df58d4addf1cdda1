"""The archive: sent announcements and newsletters, for members to read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cma.markdown import render_markdown

from . import permissions, selectors


def _require_reader(request) -> None:
    if not permissions.can_read_archive(request.user):
        raise PermissionDenied("The announcement archive is for people of member organizations.")


@login_required
@require_GET
def archive_list(request) -> HttpResponse:
    _require_reader(request)
    page = Paginator(selectors.archive(), 20).get_page(request.GET.get("page"))
    return render(request, "communications/archive_list.html", {"page": page})


@login_required
@require_GET
def archive_detail(request, pk: int) -> HttpResponse:
    _require_reader(request)
    message = selectors.archived_message(pk)
    if message is None:
        raise Http404("No such announcement.")
    return render(
        request, "communications/archive_detail.html", {"message": message, "body_html": render_markdown(message.body)}
    )
