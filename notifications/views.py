"""The signed-in person's notices and email preferences; the unsubscribe link
(no sign-in); the bounce webhook (a mail provider, with a bearer token)."""

from __future__ import annotations

import hmac
import json
import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from . import selectors, services
from .forms import PreferencesForm
from .topics import ALWAYS_SENT, Topic

logger = logging.getLogger(__name__)


@login_required
def notification_list(request):
    page = Paginator(selectors.notifications_for(user=request.user), 25).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page})


@login_required
@require_POST
def notification_mark_all_read(request):
    count = services.notifications_mark_read(user=request.user)
    messages.success(request, f"Marked {count} notification{'s' if count != 1 else ''} as read.")
    return redirect("notifications:list")


@login_required
def preferences(request):
    """Only ever the signed-in person's own preferences: there is no user to choose."""
    form = PreferencesForm(request.POST or None, current=services.preferences_of(user=request.user))
    if request.method == "POST" and form.is_valid():
        services.preferences_set(user=request.user, modes=form.modes())
        messages.success(request, "Your email preferences are saved.")
        return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.html",
        {"form": form, "always_sent": ALWAYS_SENT, "muted_groups": len(services.muted_group_ids(user=request.user))},
    )


@never_cache
@csrf_exempt  # RFC 8058: a mail provider POSTs without a session or CSRF token
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows what the link would stop and a button (mail scanners follow
    links, so a GET changes nothing); POST — the button, or a mailbox
    provider's one-click — stops it."""
    try:
        wanted = services.read_token(token)
    except services.ExpiredUnsubscribeLink:
        return render(request, "notifications/unsubscribe_invalid.html", {"expired": True}, status=400)
    except services.BadUnsubscribeLink:
        return render(request, "notifications/unsubscribe_invalid.html", {"expired": False}, status=400)
    context = {"topic_label": _topic_label(wanted.topic), "group_scope": bool(wanted.scope), "token": token}
    if request.method == "POST":
        services.unsubscribe(token=token)
        return render(request, "notifications/unsubscribed.html", context)
    return render(request, "notifications/unsubscribe.html", context)


def _topic_label(topic: str) -> str:
    if topic == Topic.DIGEST:
        return "all optional email from the portal"
    return str(Topic(topic).label).lower()


@csrf_exempt  # authenticated by its bearer token, not a session
@require_POST
def bounce_webhook(request: HttpRequest) -> HttpResponse:
    """Bounce and complaint notifications from a mail provider, as JSON (the
    shape is in services/bounces.py). Off (404) until BOUNCE_WEBHOOK_TOKEN is set."""
    expected = settings.BOUNCE_WEBHOOK_TOKEN
    if not expected:
        raise Http404("Bounce notifications are not set up.")
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(given.encode(), expected.encode()):
        return JsonResponse({"error": "A valid bearer token is needed."}, status=401)
    try:
        bounces = services.bounces_from_json(json.loads(request.body or b"null"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        return JsonResponse({"error": "The body is not JSON."}, status=400)
    except ValidationError as exc:
        return JsonResponse({"error": " ".join(exc.messages)}, status=400)
    suppressed = sum(services.bounce_record(bounce=b, source="webhook") for b in bounces)
    logger.info("Bounce webhook: %d notification(s), %d address(es) suppressed", len(bounces), suppressed)
    return JsonResponse({"recorded": len(bounces), "suppressed": suppressed})
