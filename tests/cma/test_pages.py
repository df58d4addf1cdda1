"""The shell: home page, error pages, security headers, deploy checks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import RequestFactory
from django.urls import reverse

from cma import views

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_home_page_says_what_the_association_does(client):
    response = client.get("/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Together we can achieve more" in html
    for segment in ["Exploration and mining", "Processing and refining", "Chemicals and manufacture", "Consultancy"]:
        assert segment in html
    for principle in ["Educate", "Enable", "Empower"]:
        assert principle in html
    assert 'href="#main"' in html  # skip link


@pytest.mark.django_db
def test_pages_forbid_inline_script_and_framing(client):
    response = client.get("/")

    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "<script>" not in response.content.decode()


@pytest.mark.django_db
def test_unknown_page_gets_the_friendly_404(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert b"We couldn't find that page" in response.content


@pytest.mark.django_db
def test_bad_host_gets_the_friendly_400(client):
    response = client.get("/", headers={"host": "attacker.example"})

    assert response.status_code == 400
    assert b"couldn't understand that request" in response.content


def test_500_page_renders_without_the_database():
    response = views.server_error(RequestFactory().get("/"))

    assert response.status_code == 500
    assert b"Something went wrong on our side" in response.content


@pytest.mark.django_db
def test_dashboard_needs_sign_in(client):
    response = client.get(reverse("dashboard"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
def test_profile_edit_saves_name_and_time_zone(user_client, user):
    response = user_client.post(reverse("profile_edit"), {"name": "Priya Raman", "time_zone": "America/Denver"})

    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.name, user.time_zone) == ("Priya Raman", "America/Denver")


@pytest.mark.django_db
def test_profile_edit_refuses_an_unknown_time_zone(user_client, user):
    response = user_client.post(reverse("profile_edit"), {"name": "Priya", "time_zone": "Mars/Olympus_Mons"})

    assert response.status_code == 200
    assert "time_zone" in response.context["form"].errors
    user.refresh_from_db()
    assert user.time_zone == ""


def test_production_settings_pass_check_deploy(tmp_path):
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DEBUG": "0",
        "SECRET_KEY": "k3y-" + "x7Qp2Lm9Zr4Tv8Wn1Yb6Hc5Jd0Fg3Ks" * 2,
        "ALLOWED_HOSTS": "portal.cma-usa.example",
        "CSRF_TRUSTED_ORIGINS": "https://portal.cma-usa.example",
        "SITE_URL": "https://portal.cma-usa.example",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy-check.sqlite3'}",
        "EMAIL_URL": "smtp+tls://mailer:secret@smtp.cma-usa.example:587",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key(tmp_path):
    env = {"PATH": os.environ.get("PATH", ""), "DEBUG": "0", "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_persona_clients_are_separate_browsers(client, user_client, staff_client, user, staff_user):
    """Asking for two personas gives two sessions; the plain client stays anonymous."""
    assert client.get("/dashboard/").status_code == 302  # to sign in
    assert user_client.get("/dashboard/").context["user"] == user
    assert staff_client.get("/dashboard/").context["user"] == staff_user
