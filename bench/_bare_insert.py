"""A bare Django view doing one INSERT, served by gunicorn: the machine's reference.

The petition target (issue 6) is set against it: "a bare Django view doing
one INSERT serves about 700 requests per second with 4 gunicorn workers".
`bench/petition_sign.py` serves this beside the portal and reports both, so
a run on a slow moment of this shared VM can be told from a slow portal.

What `django-admin startproject` gives (its apps and middleware), no
templates, none of the portal's code: one table of its own (created and
dropped by the benchmark), the same database settings as the portal
(persistent connections with health checks).

    gunicorn --pythonpath bench _bare_insert:application
"""

from __future__ import annotations

import os

import environ
from django.conf import settings

TABLE = "bench_bare_insert"

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
        STATIC_URL="static/",
    )

from django.core.wsgi import get_wsgi_application  # noqa: E402 — after settings
from django.db import connection  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.urls import path  # noqa: E402
from django.views.decorators.csrf import csrf_exempt  # noqa: E402


@csrf_exempt  # the clients post no form
def insert_one(request):
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {TABLE} (note) VALUES (%s)", [request.GET.get("n", "")])  # noqa: S608
    return HttpResponse("ok")


def healthz(request):
    return HttpResponse("ok")


urlpatterns = [path("insert", insert_one), path("healthz", healthz)]
application = get_wsgi_application()
