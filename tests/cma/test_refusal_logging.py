"""A refused request writes one log line (method, path, status, who, why), no
traceback; a server error keeps its traceback."""

from __future__ import annotations

import logging

import pytest
from django.conf import settings
from django.test import Client
from django.urls import include, path, reverse

pytestmark = pytest.mark.django_db

FORMAT = settings.LOGGING["formatters"]["plain"]["format"]


def lines_logged(caplog) -> list[str]:
    """What the configured console formatter writes for each record at WARNING or above."""
    formatter = logging.Formatter(FORMAT)
    return [formatter.format(record) for record in caplog.records if record.levelno >= logging.WARNING]


def test_a_permission_denied_is_one_line_with_who_and_why(member_client, member, caplog):
    caplog.set_level(logging.INFO)

    response = member_client.get("/staff/")

    assert response.status_code == 403
    [line] = lines_logged(caplog)
    assert line.endswith(
        f"WARNING django.request refused GET /staff/ 403 user={member.pk}: This page is for association staff."
    )
    assert "Traceback" not in line and "\n" not in line


def test_a_refused_post_is_one_line_too(member_client, member, caplog):
    caplog.set_level(logging.INFO)

    member_client.post("/staff/petitions/new/", {"title": "x"})

    [line] = lines_logged(caplog)
    assert f"refused POST /staff/petitions/new/ 403 user={member.pk}: This page is for association staff." in line
    assert "\n" not in line


def test_a_csrf_refusal_of_an_anonymous_visitor_is_one_line(caplog):
    caplog.set_level(logging.INFO)

    response = Client(enforce_csrf_checks=True).post(reverse("account_login"), {"login": "a@example.org"})

    assert response.status_code == 403
    [line] = lines_logged(caplog)
    assert "django.security.csrf refused POST /accounts/login/ 403 user=anonymous: CSRF: CSRF cookie not set." in line


def test_a_path_cannot_forge_a_second_line(member_client, caplog):
    caplog.set_level(logging.INFO)

    member_client.get("/staff/%0A2026-12-02 INFO forged")

    [line] = lines_logged(caplog)
    assert "\n" not in line
    assert "\\n2026-12-02 INFO forged" in line


def boom(request):
    raise RuntimeError("the disk is on fire")


urlpatterns = [path("boom/", boom), path("", include("cma.urls"))]


@pytest.mark.urls(__name__)
def test_a_server_error_keeps_its_traceback(caplog):
    caplog.set_level(logging.INFO)

    response = Client(raise_request_exception=False).get("/boom/")

    assert response.status_code == 500
    [record] = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert record.levelno == logging.ERROR
    assert record.exc_info and record.exc_info[0] is RuntimeError
    assert "Traceback" in logging.Formatter(FORMAT).format(record)
    assert "the disk is on fire" in logging.Formatter(FORMAT).format(record)
