"""Every working-group page in Chromium with the demo data, on a desktop and
on a 375-px phone: no console errors (so no CSP violations), nothing wider
than the screen, and screenshots in test-artifacts/ for a human to review."""

from __future__ import annotations

import pytest

from members.demo import DEMO_PASSWORD, DEMO_STAFF_TOTP_SECRET
from tests.support.browser import new_page, screenshot, sign_in
from workinggroups.models import Document

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHAIR = "ada.okafor@whitfield-okafor.example"
STAFF = "staff@cma-usa.localhost"


@pytest.fixture
def demo(settings, tmp_path):
    from members import demo as members_demo
    from workinggroups import demo as groups_demo

    settings.MEDIA_ROOT = tmp_path / "media"
    members_demo.seed()
    groups_demo.seed()
    return Document.objects.get(title="Draft comments on USTR-2026-03868")


def _pages(document):
    slug = document.group.slug
    return {
        "list": "/groups/",
        "mine": "/groups/mine/",
        "group": f"/groups/{slug}/",
        "documents": f"/groups/{slug}/documents/",
        "document": f"/groups/{slug}/documents/{document.pk}/",
        "upload": f"/groups/{slug}/documents/new/",
        "members": f"/groups/{slug}/members/",
        "meeting": f"/groups/{slug}/meetings/new/",
        "public-group": "/groups/permitting-reform/",
    }


def _widest(page) -> list[str]:
    """The elements that stick out past the right edge, for the failure message."""
    return page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
            .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""
    )


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("width", [1280, 375])
def test_member_pages(browser, live_server, demo, width):
    with new_page(browser, live_server.url, f"wg-pages-{width}") as page:
        page.set_viewport_size({"width": width, "height": 900})
        sign_in(page, CHAIR, DEMO_PASSWORD)
        for name, path in _pages(demo).items():
            response = page.goto(path)
            assert response.status == 200, path
            screenshot(page, f"wg-{name}-{'phone' if width < 600 else 'desktop'}")
            assert _fits(page), f"{path} is wider than {width}px: {_widest(page)}"


@pytest.mark.parametrize("width", [1280, 375])
def test_staff_pages(browser, live_server, demo, width):
    with new_page(browser, live_server.url, f"wg-staff-{width}") as page:
        page.set_viewport_size({"width": width, "height": 900})
        sign_in(page, STAFF, DEMO_PASSWORD, totp_secret=DEMO_STAFF_TOTP_SECRET)
        for name, path in {
            "staff-index": "/staff/groups/",
            "staff-group": f"/staff/groups/{demo.group.slug}/",
            "staff-requests": "/staff/groups/requests/",
        }.items():
            response = page.goto(path)
            assert response.status == 200, path
            screenshot(page, f"wg-{name}-{'phone' if width < 600 else 'desktop'}")
            assert _fits(page), f"{path} is wider than {width}px: {_widest(page)}"
