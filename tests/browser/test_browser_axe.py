"""Journey: every main page, as each persona, checked by axe-core against
WCAG 2.0, 2.1 and 2.2 at levels A and AA.

The pages are the phone-layout test's (tests/browser/pages.py). axe-core
comes bundled in axe-playwright-python (pinned in requirements-dev.txt), so
nothing is fetched at test time. Zero violations is the pass line: a failure
lists each one as page, rule, impact, element and what is wrong with it.
Pages are checked on a desktop and on a phone (the header menu, the record
tables and the touch targets differ), and in the dark colour scheme.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from tests.browser import pages
from tests.support.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# The bundled axe-core (4.12) still calls this WCAG rule experimental and
# skips it; axe-core 4.14 runs it by default, so it runs here too. (Tables'
# captions and header scopes are checked in test_browser_structure.py.)
GRADUATED_RULES = ["label-content-name-mismatch"]
OPTIONS = {
    "runOnly": {"type": "tag", "values": WCAG_TAGS},
    "rules": {rule: {"enabled": True} for rule in GRADUATED_RULES},
    "resultTypes": ["violations"],
}
PHONE = {"width": 375, "height": 800}
DESKTOP = {"width": 1280, "height": 900}

AXE = Axe()


def axe_violations(page, name: str, path: str, *, options: dict = OPTIONS) -> list[str]:
    """Load a page and run axe-core on it; one line per element in violation."""
    response = page.goto(path)
    if response.status != 200:
        return [f"{name} {path}: HTTP {response.status}"]
    results = AXE.run(page, options=options).response
    lines = []
    for violation in results["violations"]:
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            why = " ".join(node.get("failureSummary", "").split("\n")[1:]).strip()
            lines.append(f"{name} {path}: {violation['id']} ({violation['impact']}) at {target}: {why}")
    return lines


def _check(page, paths: dict[str, str]) -> list[str]:
    problems = []
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        for name, path in paths.items():
            problems += [f"[{size['width']} px] {line}" for line in axe_violations(page, name, path)]
    return problems


@pytest.mark.parametrize("persona", list(pages.PAGES))
def test_every_page_meets_wcag_22_aa_for_each_persona(page, site, password, persona):
    pages.sign_in_as(page, site, persona, password)
    problems = _check(page, pages.PAGES[persona](site))
    assert not problems, f"{len(problems)} WCAG 2.2 A/AA violations as {persona}:\n" + "\n".join(problems)


def test_dark_colour_scheme_keeps_contrast(page, site):
    """Someone whose system asks for dark pages still gets readable ones."""
    page.emulate_media(color_scheme="dark")
    options = {"runOnly": {"type": "rule", "values": ["color-contrast", "link-in-text-block"]}}
    problems = []
    for name, path in pages.visitor_pages(site).items():
        problems += axe_violations(page, name, path, options=options)
        if name in ("home", "accessibility"):
            screenshot(page, f"a11y-dark-{name}")
    assert not problems, "contrast problems in the dark colour scheme:\n" + "\n".join(problems)


def test_the_steps_between_pages_meet_wcag_22_aa(page, site, password, mailoutbox):
    """Pages met on the way rather than linked: the authenticator step of a
    staff sign-in, and the "check your email" pages after signing up and
    asking for a password reset (each says how long its link or code lasts)."""
    staff = site["people"]["staff"]
    problems = []
    page.goto(reverse("account_login"))
    page.locator("#id_login").fill(staff.email)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="Sign In").click()
    page.get_by_text("to enter it; after that, sign in again").wait_for()
    problems += axe_violations(page, "authenticator step", page.url)
    page.context.clear_cookies()

    page.goto(reverse("account_reset_password"))
    page.locator("#id_email").fill(staff.email)
    page.get_by_role("button", name="Reset My Password").click()
    page.get_by_text("The link works for").wait_for()
    problems += axe_violations(page, "password reset sent", page.url)

    page.goto(reverse("account_signup"))
    page.locator("#id_name").fill("Noor Haddad")
    page.locator("#id_email").fill("noor@helios.example")
    page.locator("#id_password1").fill("Gallium-and-germanium-2026")
    page.locator("#id_password2").fill("Gallium-and-germanium-2026")
    page.get_by_role("button", name="Sign Up").click()
    page.get_by_text("The link works for").wait_for()
    problems += axe_violations(page, "verification sent", page.url)

    assert not problems, "WCAG 2.2 A/AA violations:\n" + "\n".join(problems)
