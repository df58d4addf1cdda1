"""/healthz says the process lives; /readyz says whether it can serve, and why not."""

from __future__ import annotations

import datetime

import pytest
from django.db import OperationalError
from django.test import Client
from django.utils import timezone

from notifications.models import OutgoingEmail

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_names_each_check_with_its_latency(client):
    response = client.get("/readyz")

    body = response.json()
    assert response.status_code == 200
    assert set(body["checks"]) == {"database", "migrations", "redis", "broker", "outbox"}
    assert all({"ok", "required", "detail", "ms"} <= set(check) for check in body["checks"].values())
    assert body["checks"]["database"]["required"] and not body["checks"]["redis"]["required"]


def test_readyz_is_degraded_but_200_when_redis_and_the_broker_are_away(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:9/0"  # nothing listens on the discard port
    settings.CACHES = {
        **settings.CACHES,
        "default": {**settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:9/1"},
    }
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"

    response = client.get("/readyz")

    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "degraded"
    assert not body["checks"]["redis"]["ok"] and not body["checks"]["broker"]["ok"]
    assert body["checks"]["database"]["ok"]


def test_readyz_is_degraded_when_email_is_stuck(client, settings):
    settings.READYZ_OUTBOX_MAX_AGE_SECONDS = 60
    OutgoingEmail.objects.create(
        recipient="a@example.org", subject="s", body_text="b", category="c", dedupe_key="stuck",
        next_attempt_at=timezone.now() - datetime.timedelta(minutes=5),
    )  # fmt: skip

    body = client.get("/readyz").json()

    assert body["status"] == "degraded"
    assert "waited" in body["checks"]["outbox"]["detail"]


def test_readyz_is_503_without_the_database(client, monkeypatch):
    def unreachable(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("cma.health._database", unreachable)

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert response.json()["status"] == "unavailable"


def test_a_database_outage_during_a_request_is_a_readable_503(monkeypatch):
    def unreachable():
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("members.selectors.segments_for_home", unreachable)

    response = Client(raise_request_exception=False).get("/")

    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert "Back in a moment" in response.content.decode()
    assert "Traceback" not in response.content.decode()


def test_other_errors_stay_500s(monkeypatch):
    def broken():
        raise ValueError("a bug")

    monkeypatch.setattr("members.selectors.segments_for_home", broken)

    response = Client(raise_request_exception=False).get("/")

    assert response.status_code == 500
