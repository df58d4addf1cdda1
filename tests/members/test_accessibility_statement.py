"""The accessibility statement: linked from every page's footer, it says what
is supported and which time limits apply, and its form reports a problem to
staff through the outbox (and a copy to the sender), rate-limited, behind
CSRF, stored nowhere else."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from notifications.models import OutgoingEmail
from tests import factories

pytestmark = pytest.mark.django_db

REPORT = {
    "name": "Marisol Quintero",
    "email": "marisol@lakeshore.example",
    "page": "/petitions/critical-minerals/",
    "problem": "With my screen reader the state list is read as 'combo box' with no name.",
}


def _report(client, django_capture_on_commit_callbacks, **overrides):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("accessibility"), {**REPORT, **overrides}, REMOTE_ADDR="198.51.100.20")


@pytest.mark.parametrize("path", ["home", "events:list", "accessibility"])
def test_every_page_links_the_statement_from_its_footer(client, path):
    html = client.get(reverse(path)).content.decode()
    footer = html[html.index('<footer class="site-footer">') :]
    assert f'href="{reverse("accessibility")}' in footer
    assert ">Accessibility</a>" in footer


def test_the_footer_link_names_the_page_it_came_from(client):
    html = client.get(reverse("events:list")).content.decode()
    assert f'href="{reverse("accessibility")}?page=/events/"' in html
    statement = client.get(reverse("accessibility"), {"page": "/events/"})
    assert statement.context["form"]["page"].value() == "/events/"


def test_the_statement_says_what_is_supported_and_the_time_limits_before_they_run_out(client, settings):
    settings.ACCOUNT_LOGIN_TIMEOUT = 600
    settings.PASSWORD_RESET_TIMEOUT = 2 * 86400
    html = client.get(reverse("accessibility")).content.decode()

    assert "<title>Accessibility statement · CMA USA</title>" in html
    assert "WCAG" in html and "Skip to main content" in html
    assert "you have 10 minutes to enter the code" in html  # the settings that enforce them, in words
    assert "changes every 30 seconds" in html
    assert "a password reset link for 2 days" in html
    assert 'id="report"' in html and 'name="problem"' in html


def test_a_report_reaches_staff_and_a_copy_reaches_the_sender(
    client, staff_user, mailoutbox, django_capture_on_commit_callbacks
):
    rows_before = {model: model.objects.count() for model in apps.get_models() if model is not OutgoingEmail}

    response = _report(client, django_capture_on_commit_callbacks)

    assert response.status_code == 302 and response["Location"] == reverse("accessibility")
    to_staff, to_sender = sorted(mailoutbox, key=lambda m: m.to != [staff_user.email])
    assert to_staff.to == [staff_user.email]
    assert "Accessibility problem reported on /petitions/critical-minerals/" in to_staff.subject
    for text in (REPORT["name"], REPORT["email"], REPORT["problem"]):
        assert text in to_staff.body
    assert to_sender.to == [REPORT["email"]]
    assert to_sender.subject.endswith("We received your accessibility report")
    assert REPORT["problem"] in to_sender.body and "5 working days" in to_sender.body
    # Nothing is kept but the two emails (and staff's in-site notice of it).
    changed = {
        model.__name__
        for model, count in rows_before.items()
        if model.objects.count() != count and model.__name__ not in {"Notification", "Session"}
    }
    assert changed == set()
    assert OutgoingEmail.objects.count() == 2

    page = client.get(reverse("accessibility"))
    assert "your report is with association staff" in page.content.decode()


def test_the_same_report_sent_twice_is_emailed_once(client, staff_user, mailoutbox, django_capture_on_commit_callbacks):
    _report(client, django_capture_on_commit_callbacks)
    _report(client, django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 2  # one to staff, one copy: not four


def test_a_signed_in_reporter_is_named_for_staff_and_the_form_starts_filled_in(
    member_client, member, staff_user, mailoutbox, django_capture_on_commit_callbacks
):
    form = member_client.get(reverse("accessibility")).context["form"]
    assert form["name"].value() == member.name and form["email"].value() == member.email

    with django_capture_on_commit_callbacks(execute=True):
        member_client.post(reverse("accessibility"), REPORT)
    to_staff = next(m for m in mailoutbox if m.to == [staff_user.email])
    assert f"signed in as {member.email}" in to_staff.body


def test_an_empty_report_shows_every_problem_and_sends_nothing(
    client, staff_user, mailoutbox, django_capture_on_commit_callbacks
):
    response = _report(client, django_capture_on_commit_callbacks, name="", email="not an address", problem="")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="error-summary"' in html and "There are 3 problems" in html
    for field in ("name", "email", "problem"):
        assert f'href="#id_{field}"' in html
        assert f'id="id_{field}_error"' in html
    assert not mailoutbox and not OutgoingEmail.objects.exists()


def test_reports_are_rate_limited_per_client_address(
    client, settings, staff_user, mailoutbox, django_capture_on_commit_callbacks
):
    settings.ACCESSIBILITY_REPORT_RATE_LIMIT_PER_IP = "2/h"
    for n in range(2):
        assert _report(client, django_capture_on_commit_callbacks, problem=f"Problem {n}").status_code == 302

    refused = _report(client, django_capture_on_commit_callbacks, problem="Problem 3")

    assert refused.status_code == 429
    assert "try again in 60 minutes" in refused.content.decode()
    assert len(mailoutbox) == 4
    other = Client()
    with django_capture_on_commit_callbacks(execute=True):
        elsewhere = other.post(reverse("accessibility"), {**REPORT, "problem": "Problem 4"}, REMOTE_ADDR="203.0.113.9")
    assert elsewhere.status_code == 302


def test_a_report_without_the_csrf_token_is_refused(staff_user, mailoutbox):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(reverse("accessibility"), REPORT)
    assert response.status_code == 403
    assert not mailoutbox and not OutgoingEmail.objects.exists()


def test_the_authenticator_step_says_how_long_it_waits(client, settings):
    settings.ACCOUNT_LOGIN_TIMEOUT = 900
    staff = factories.StaffFactory()
    response = client.post(
        reverse("account_login"), {"login": staff.email, "password": factories.DEFAULT_PASSWORD}, follow=True
    )
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("mfa_authenticate")
    assert "You have 15 minutes to enter it" in html
    assert "a new code every 30 seconds" in html
