"""The site's Content-Security-Policy, written once per process: the same
header django-csp builds, and views that change the policy still do."""

from __future__ import annotations

import pytest
from csp.utils import build_policy

pytestmark = pytest.mark.django_db


def test_every_page_gets_the_policy_django_csp_builds_from_the_settings(client):
    for path in ("/", "/petitions/", "/no-such-page/"):
        response = client.get(path)
        assert response["Content-Security-Policy"] == build_policy(), path


def test_a_changed_setting_is_used_at_once(client, settings):
    client.get("/")  # the policy is remembered
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}

    assert client.get("/")["Content-Security-Policy"] == "default-src 'none'"


def test_a_view_that_changes_the_policy_goes_through_django_csp(client):
    from petitions import demo

    demo.seed()
    response = client.get(f"/petitions/{demo.SLUG}/widget/")
    assert response.status_code == 200
    assert "frame-ancestors *" in response["Content-Security-Policy"]
    assert response["Content-Security-Policy"] != build_policy()


def test_a_nonce_asked_for_after_the_header_is_written_is_refused(client):
    from csp.exceptions import CSPNonceError

    response = client.get("/")
    with pytest.raises(CSPNonceError):
        str(response.wsgi_request.csp_nonce)
