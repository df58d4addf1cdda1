from __future__ import annotations

import sys

from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token

from . import health


@never_cache
def healthz(request):
    """Liveness: this process answers. Touches nothing else, so a database or
    Redis outage never makes a load balancer restart healthy processes."""
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request):
    """Readiness: can this process serve the site? 503 when a dependency it
    cannot work without (PostgreSQL) is missing; 200 with "degraded" when one
    it works around (Redis, the broker, a stuck outbox) is. Each check is
    named with its latency (cma/health.py)."""
    checks = health.run_checks()
    required_ok = all(c.ok for c in checks if c.required)
    status = "ok" if all(c.ok for c in checks) else ("degraded" if required_ok else "unavailable")
    body = {
        "status": status,
        "checks": {c.name: {"ok": c.ok, "required": c.required, "detail": c.detail, "ms": c.ms} for c in checks},
    }
    response = JsonResponse(body, status=200 if required_ok else 503)
    if not required_ok:
        response["Retry-After"] = "10"
    return response


@requires_csrf_token
def bad_request(request, exception=None):
    return render(request, "400.html", status=400)


@requires_csrf_token
def permission_denied(request, exception=None):
    message = str(exception) if exception and str(exception) else ""
    return render(request, "403.html", {"message": message}, status=403)


@requires_csrf_token
def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # Rendered without the request or context processors: whatever broke
    # (the database, the session) may break again.
    if health.database_unavailable(sys.exc_info()[1]):
        # PostgreSQL is restarting or unreachable: say so, and when to retry.
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = "10"
        return response
    return HttpResponseServerError(loader.get_template("500.html").render())


def csrf_failure(request, reason=""):
    return render(
        request,
        "403_csrf.html",
        status=403,
    )
