"""Bare Django views served by gunicorn: the yardsticks the benchmarks measure
in the same run as the portal, so a slow moment of this shared machine can be
told from a slow portal.

What `django-admin startproject` gives (its apps and middleware), in
production settings (DEBUG off, the cached template loader), the portal's
database settings (persistent connections with health checks), and none of
the portal's code:

- POST /insert — one INSERT into a table of its own (write and throughput
  benchmarks: petition signing, the registration storm);
- GET /listing — one query of 50 rows from a real table, rendered by a
  minimal template (`_bare_listing.html`) (page latency benchmarks: the
  member directory, later minerals, reports, insights);
- GET /file — the file at BENCH_BARE_FILE streamed as an attachment (the
  document download benchmark).

The tables are created and dropped by `_support.py`.

    gunicorn --pythonpath bench _bare:application
"""

from __future__ import annotations

import os
from pathlib import Path

import environ
from _support import INSERT_TABLE, LISTING_ROWS, LISTING_TABLE
from django.conf import settings

if not settings.configured:
    database = environ.Env.db_url_config(os.environ["DATABASE_URL"])
    database.update(CONN_MAX_AGE=60, CONN_HEALTH_CHECKS=True)
    settings.configure(
        DEBUG=False,
        SECRET_KEY="bench-only-not-a-secret",  # noqa: S106 — signs nothing
        ALLOWED_HOSTS=["127.0.0.1", "localhost"],
        ROOT_URLCONF=__name__,
        DATABASES={"default": database},
        INSTALLED_APPS=[
            "django.contrib.admin",
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "django.contrib.messages",
            "django.contrib.staticfiles",
        ],
        MIDDLEWARE=[
            "django.middleware.security.SecurityMiddleware",
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.common.CommonMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
            "django.contrib.messages.middleware.MessageMiddleware",
            "django.middleware.clickjacking.XFrameOptionsMiddleware",
        ],
        TEMPLATES=[
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "DIRS": [Path(__file__).resolve().parent],
                "OPTIONS": {
                    "context_processors": [
                        "django.template.context_processors.request",
                        "django.contrib.auth.context_processors.auth",
                        "django.contrib.messages.context_processors.messages",
                    ],
                },
            }
        ],
        USE_TZ=True,
        STATIC_URL="static/",
    )

# After settings.configure(): these read the settings when imported.
from django.core.wsgi import get_wsgi_application
from django.db import connection
from django.http import FileResponse, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

LISTING_COLUMNS = ("id", "name", "city", "state", "joined_on")


@csrf_exempt  # the clients post no form
def insert_one(request):
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {INSERT_TABLE} (note) VALUES (%s)", [request.GET.get("n", "")])  # noqa: S608
    return HttpResponse("ok")


def listing(request):
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(LISTING_COLUMNS)} FROM {LISTING_TABLE} ORDER BY name, id LIMIT {LISTING_ROWS}"  # noqa: S608
        )
        rows = [dict(zip(LISTING_COLUMNS, row, strict=True)) for row in cursor.fetchall()]
    return render(request, "_bare_listing.html", {"rows": rows})


def download(request):
    # FileResponse streams the file in blocks and closes it when done, as the portal's download view does.
    return FileResponse(open(os.environ["BENCH_BARE_FILE"], "rb"), as_attachment=True, filename="bench.pdf")


def healthz(request):
    return HttpResponse("ok")


urlpatterns = [
    path("insert", insert_one),
    path("listing", listing),
    path("file", download),
    path("healthz", healthz),
]
application = get_wsgi_application()
