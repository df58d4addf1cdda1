"""Journey: a newcomer on a 375-px phone, then on a desktop.

Every main page, for a visitor, a member, a primary contact, an applicant
and staff, at 375 x 800: the page never scrolls sideways (the failure names
the page and the element that sticks out), and anything that scrolls inside
the page is a deliberate region (focusable, labelled). The header is one
row with its menu closed, and the menu opens from the keyboard. At 1280 px
the header is the usual single row. Screenshots of the header, the
dashboard, the manage page and the staff tables land in test-artifacts/.

The pages and the site behind them are shared with the other cross-app
journeys: tests/browser/pages.py and conftest.py.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.browser import pages
from tests.support.browser import ARTIFACTS, screenshot, sign_in, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 800}
DESKTOP = {"width": 1280, "height": 900}
# One row of header: the brand with its strapline is about 80 px high.
ONE_ROW = 90


def _problems(page, paths: dict[str, str]) -> list[str]:
    """Visit each page; say what is wrong with each at the current width."""
    problems = []
    for name, path in paths.items():
        problems += pages.fit_problems(page, name, path)
        header = page.locator(".site-header").bounding_box()["height"]
        if header >= ONE_ROW:
            problems.append(f"{name} {path}: header {header:.0f} px high with the menu closed")
    return problems


def _assert_fits(page, paths: dict[str, str]) -> None:
    page.set_viewport_size(PHONE)
    problems = _problems(page, paths)
    assert not problems, "pages that do not fit a 375-px phone:\n" + "\n".join(problems)


def _header_shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    width = page.viewport_size["width"]
    page.screenshot(path=ARTIFACTS / f"{name}.png", clip={"x": 0, "y": 0, "width": width, "height": 520})


def _both(page, name: str) -> None:
    page.set_viewport_size(DESKTOP)
    screenshot(page, f"layout-{name}-1280")
    page.set_viewport_size(PHONE)
    screenshot(page, f"layout-{name}-375")


# --- Pages --------------------------------------------------------------------


def test_public_pages_fit_a_phone(page, site):
    _assert_fits(page, pages.visitor_pages(site))


def test_member_pages_fit_a_phone(page, site, member, password):
    sign_in(page, member.email, password)
    _assert_fits(page, pages.member_pages(site))
    page.goto(reverse("dashboard"))
    _both(page, "dashboard-member")


def test_primary_contact_pages_fit_a_phone(page, site, primary_contact, password):
    slug = site["org"].slug
    sign_in(page, primary_contact.email, password)
    _assert_fits(page, pages.primary_contact_pages(site))
    page.goto(reverse("members:manage", args=[slug]))
    _both(page, "manage")


def test_applicant_pages_fit_a_phone(page, site, applicant, password):
    sign_in(page, applicant.email, password)
    _assert_fits(page, pages.applicant_pages(site))
    page.goto(reverse("dashboard"))
    page.get_by_role("heading", name="Your applications").wait_for()
    _both(page, "dashboard-applicant")


def test_staff_pages_fit_a_phone(page, site, staff_user, password):
    event = site["event"]
    sign_in(page, staff_user.email, password, totp_secret=staff_user.totp_secret)
    _assert_fits(page, pages.staff_pages(site))

    # Record tables reflow: each cell is captioned with its column's name.
    page.goto(reverse("staff:events:registrants", args=[event.pk]))
    caption = page.evaluate(
        """() => getComputedStyle(document.querySelector('td[data-label="Which permitting issue matters most?"]'),
                                  '::before').content"""
    )
    assert caption == '"Which permitting issue matters most?"'
    _both(page, "staff-registrants")

    # A comparison table scrolls sideways inside a named region, with a hint.
    page.set_viewport_size(PHONE)
    page.goto(reverse("staff:events:list"))
    region = page.get_by_role("region", name="Attendance by kind, table")
    assert region.get_attribute("tabindex") == "0"
    assert page.get_by_text("Scroll the table sideways").is_visible()
    region.focus()
    page.keyboard.press("ArrowRight")
    assert wait_until(page, "document.activeElement.scrollLeft > 0")
    _both(page, "staff-events")
    page.set_viewport_size(DESKTOP)
    assert not page.get_by_text("Scroll the table sideways").is_visible()  # the table fits: no hint


# --- The header ---------------------------------------------------------------


def _focused(page) -> dict:
    return page.evaluate(
        """() => { const el = document.activeElement, style = getComputedStyle(el);
          return {tag: el.tagName, text: el.innerText.trim(), outline: style.outlineStyle, outlineWidth: style.outlineWidth}; }"""
    )


@pytest.mark.parametrize("persona", ["visitor", "member"])
def test_phone_header_is_one_row_and_its_menu_works_from_the_keyboard(page, site, member, password, persona):
    if persona == "member":
        sign_in(page, member.email, password)
    page.set_viewport_size(PHONE)
    page.goto(reverse("events:list"))
    menu = page.locator("details.site-menu")
    main_nav = page.get_by_role("navigation", name="Main")
    account_link = "My account" if persona == "member" else "Sign in"

    assert page.locator(".site-header").bounding_box()["height"] < ONE_ROW
    assert not main_nav.get_by_role("link", name="Events").is_visible()
    _header_shot(page, f"layout-header-375-closed-{persona}")

    page.keyboard.press("Tab")
    assert _focused(page)["text"] == "Skip to main content"
    page.keyboard.press("Tab")
    assert "CMA USA" in _focused(page)["text"]  # the brand, home
    page.keyboard.press("Tab")
    toggle = _focused(page)
    assert toggle["tag"] == "SUMMARY" and toggle["text"].startswith("Menu")
    assert toggle["outline"] == "solid" and toggle["outlineWidth"] == "3px", toggle

    page.keyboard.press("Enter")
    assert menu.evaluate("details => details.open")
    for name in ["Members", "Events", "Working groups", "Petitions"]:
        assert main_nav.get_by_role("link", name=name).is_visible(), name
    assert page.get_by_role("navigation", name="Account").get_by_role("link", name=account_link).is_visible()
    panel = page.locator(".site-menu-panel").bounding_box()
    assert panel["x"] >= 0 and panel["x"] + panel["width"] <= PHONE["width"]
    _header_shot(page, f"layout-header-375-open-{persona}")
    page.keyboard.press("Tab")
    assert _focused(page)["text"] == "Members"

    page.keyboard.press("Shift+Tab")
    page.keyboard.press(" ")
    assert not menu.evaluate("details => details.open")
    assert not main_nav.get_by_role("link", name="Events").is_visible()


def test_desktop_header_is_one_row_with_every_link_showing(page, site, staff_user, password):
    sign_in(page, staff_user.email, password, totp_secret=staff_user.totp_secret)
    page.set_viewport_size(DESKTOP)
    page.goto(reverse("staff:index"))

    assert not page.locator(".site-menu-toggle").is_visible()
    header = page.locator(".site-header").bounding_box()
    assert header["height"] < ONE_ROW
    items = page.locator(".site-header nav a, .site-header nav button")
    boxes = [items.nth(i).bounding_box() for i in range(items.count())]
    assert len(boxes) == 10  # seven sections, notifications, my account, sign out
    middles = [box["y"] + box["height"] / 2 for box in boxes]
    assert max(middles) - min(middles) < 4, middles
    assert all(box["x"] + box["width"] <= DESKTOP["width"] for box in boxes)
    _header_shot(page, "layout-header-1280-staff")

    page.keyboard.press("Tab")
    assert _focused(page)["text"] == "Skip to main content"
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert _focused(page)["text"] == "Members"  # straight into the navigation: no Menu button on the way
