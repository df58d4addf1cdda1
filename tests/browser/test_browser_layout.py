"""Journey: a newcomer on a 375-px phone, then on a desktop.

Every main page, for a visitor, a member, a primary contact, an applicant
and staff, at 375 x 800: the page never scrolls sideways (the failure names
the page and the element that sticks out), and anything that scrolls inside
the page is a deliberate region (focusable, labelled). The header is one
row with its menu closed, and the menu opens from the keyboard. At 1280 px
the header is the usual single row. Screenshots of the header, the
dashboard, the manage page and the staff tables land in test-artifacts/.

Long names and addresses on purpose: they are what pushes a phone layout
sideways.
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import Registration
from notifications.models import Notification
from petitions.models import Endorsement
from tests import factories
from tests.support.browser import ARTIFACTS, screenshot, sign_in
from tests.workinggroups import files
from workinggroups import services as group_services
from workinggroups.models import GroupMembership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 800}
DESKTOP = {"width": 1280, "height": 900}
# One row of header: the brand with its strapline is about 80 px high.
ONE_ROW = 90

LONG_ORG = "Appalachian Critical Minerals Processing and Refining Cooperative"
LONG_EMAIL = "procurement.and.compliance@appalachian-critical-minerals-cooperative.example"


@pytest.fixture
def site(settings, tmp_path, member, primary_contact, applicant, staff_user, django_capture_on_commit_callbacks):
    """A small association: an organization with people, events with
    registrants, a working group with a document and requests, a petition
    with endorsements to moderate, a charter, notifications."""
    settings.MEDIA_ROOT = tmp_path / "media"
    factories.CharterVersionFactory()

    org = primary_contact.organization_roles.get().organization
    org.name, org.legal_name = LONG_ORG, f"{LONG_ORG}, Inc."
    org.save()
    for name, email in [("Kim Nguyen-Castellanos", LONG_EMAIL), ("Sam Ortiz", "sam.ortiz@acmprc.example")]:
        factories.OrganizationMemberFactory(organization=org, user=factories.UserFactory(name=name, email=email))

    start = (timezone.now() + datetime.timedelta(days=10)).replace(hour=18, minute=0, second=0, microsecond=0)
    event = factories.EventFactory(
        title="Members' Briefing: Gallium and Germanium Export Controls and the Supply Chain",
        slug="gallium-germanium-briefing",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        capacity=3,
    )
    question = factories.RegistrationQuestionFactory(event=event, label="Which permitting issue matters most?")
    factories.RegistrationFactory(
        event=event, user=member, answers=[{"question_id": question.pk, "answer": "Processing capacity"}]
    )
    factories.RegistrationFactory(event=event, user=factories.UserFactory(email=LONG_EMAIL.replace("@", ".2@")))
    factories.RegistrationFactory(event=event, user=factories.UserFactory(), status=Registration.Status.WAITLISTED)
    past = factories.EventFactory(
        kind="workshop",
        starts_at=timezone.now() - datetime.timedelta(days=20),
        ends_at=timezone.now() - datetime.timedelta(days=20, hours=-3),
    )
    factories.RegistrationFactory(event=past, user=member, attended_at=past.ends_at)

    group = factories.WorkingGroupFactory(name="Trade Policy and International Agreements Working Group")
    factories.group_member(group, role=GroupMembership.Role.CHAIR)
    factories.group_member(group, user=member)
    factories.GroupMembershipFactory(
        group=group, status=GroupMembership.Status.REQUESTED, joined_at=None, message="We process cobalt in Ohio."
    )
    with django_capture_on_commit_callbacks(execute=True):
        document = group_services.document_create(
            actor=member,
            group=group,
            title="Draft comments on USTR-2026-03868 (plurilateral critical minerals agreement)",
            upload=group_services.check_upload(_pdf("cma-ustr-comments-on-the-plurilateral-agreement-v2.pdf")),
            tags=["USTR-2026-03868", "draft"],
        )

    petition = factories.PetitionFactory(
        title="Critical Minerals Agreements Must Prioritize Labor, Environmental and Human Rights"
    )
    factories.FAQItemFactory(petition=petition)
    factories.ResourceFactory(petition=petition)
    factories.SignatureFactory.create_batch(3, petition=petition, show_name=True)
    factories.EndorsementFactory(petition=petition, organization_name=LONG_ORG, scope="national", state="")
    pending = factories.EndorsementFactory(
        petition=petition,
        organization_name="Great Lakes Environmental Justice and Mining Accountability Coalition",
        contact_email=LONG_EMAIL,
        status=Endorsement.Status.PENDING,
        moderated_at=None,
    )

    Notification.objects.create(
        user=member, category="events", title=f"You're registered for {event.title}", dedupe_key="layout:1"
    )
    return {
        "org": org,
        "event": event,
        "group": group,
        "document": document,
        "petition": petition,
        "pending": pending,
        "application": applicant.applications.get(),
    }


def _pdf(name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, files.pdf(), content_type="application/pdf")


# --- What "fits" means --------------------------------------------------------

FIT = """() => {
  const width = window.innerWidth;
  const describe = (el) => {
    const parts = [];
    for (let a = el; a && a !== document.body && parts.length < 4; a = a.parentElement) {
      parts.unshift(a.tagName.toLowerCase() + (a.id ? '#' + a.id : '') +
        (typeof a.className === 'string' && a.className.trim() ? '.' + a.className.trim().split(/\\s+/).join('.') : ''));
    }
    const r = el.getBoundingClientRect();
    return `${parts.join(' > ')} (${Math.round(r.left)}..${Math.round(r.right)} px) "${(el.innerText || '').trim().slice(0, 50)}"`;
  };
  // Inside something that scrolls or clips sideways, an element cannot push the page.
  const contained = (el) => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== 'visible') return true;
    }
    return false;
  };
  let widest = null;
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (!r.width || r.right <= width + 1 || contained(el)) continue;
    if (!widest || r.right > widest.getBoundingClientRect().right + 0.5) widest = el;
  }
  // Whatever scrolls sideways inside the page must be a region people can
  // find and scroll: focusable, with a name.
  const unlabelled = [];
  for (const el of document.querySelectorAll('main *')) {
    const style = getComputedStyle(el);
    if (!['auto', 'scroll'].includes(style.overflowX) || el.scrollWidth <= el.clientWidth + 1) continue;
    const labelledBy = el.getAttribute('aria-labelledby');
    const named = el.getAttribute('aria-label') || (labelledBy && document.getElementById(labelledBy)?.innerText.trim());
    if (el.getAttribute('tabindex') !== '0' || el.getAttribute('role') !== 'region' || !named) unlabelled.push(describe(el));
  }
  return {
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: width,
    widest: widest ? describe(widest) : 'nothing past the edge: look for margins or transforms',
    unlabelled,
  };
}"""


def _problems(page, pages: dict[str, str]) -> list[str]:
    """Visit each page; say what is wrong with each at the current width."""
    problems = []
    for name, path in pages.items():
        response = page.goto(path)
        if response.status != 200:
            problems.append(f"{name} {path}: HTTP {response.status}")
            continue
        fit = page.evaluate(FIT)
        if fit["scrollWidth"] > fit["innerWidth"]:
            problems.append(
                f"{name} {path}: {fit['scrollWidth']} px wide at {fit['innerWidth']} px; widest: {fit['widest']}"
            )
        problems += [f"{name} {path}: scrolls sideways without a label or focus: {el}" for el in fit["unlabelled"]]
        header = page.locator(".site-header").bounding_box()["height"]
        if header >= ONE_ROW:
            problems.append(f"{name} {path}: header {header:.0f} px high with the menu closed")
    return problems


def _assert_fits(page, pages: dict[str, str]) -> None:
    page.set_viewport_size(PHONE)
    problems = _problems(page, pages)
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
    _assert_fits(
        page,
        {
            "home": reverse("home"),
            "directory": reverse("members:directory"),
            "organization": reverse("members:organization", args=[site["org"].slug]),
            "events": reverse("events:list"),
            "event": reverse("events:detail", args=[site["event"].slug]),
            "month": reverse("events:month") + f"?month={site['event'].starts_at:%Y-%m}",
            "groups": reverse("workinggroups:list"),
            "group": reverse("workinggroups:detail", args=[site["group"].slug]),
            "petitions": reverse("petitions:list"),
            "petition": reverse("petitions:detail", args=[site["petition"].slug]),
            "charter": reverse("members:charter"),
            "sign in": reverse("account_login"),
            "sign up": reverse("account_signup"),
        },
    )


def test_member_pages_fit_a_phone(page, site, member, password):
    group, document = site["group"], site["document"]
    sign_in(page, member.email, password)
    _assert_fits(
        page,
        {
            "dashboard": reverse("dashboard"),
            "profile": reverse("profile_edit"),
            "notifications": reverse("notifications:list"),
            "my events": reverse("events:mine"),
            "event": reverse("events:detail", args=[site["event"].slug]),
            "my groups": reverse("workinggroups:mine"),
            "group": reverse("workinggroups:detail", args=[group.slug]),
            "documents": reverse("workinggroups:documents", args=[group.slug]),
            "document": reverse("workinggroups:document", args=[group.slug, document.pk]),
            "group members": reverse("workinggroups:members", args=[group.slug]),
            "directory": reverse("members:member_directory"),
        },
    )
    page.goto(reverse("dashboard"))
    _both(page, "dashboard-member")


def test_primary_contact_pages_fit_a_phone(page, site, primary_contact, password):
    slug = site["org"].slug
    sign_in(page, primary_contact.email, password)
    _assert_fits(
        page,
        {
            "dashboard": reverse("dashboard"),
            "manage": reverse("members:manage", args=[slug]),
            "edit": reverse("members:edit", args=[slug]),
            "organization": reverse("members:organization", args=[slug]),
        },
    )
    page.goto(reverse("members:manage", args=[slug]))
    _both(page, "manage")


def test_applicant_pages_fit_a_phone(page, site, applicant, password):
    sign_in(page, applicant.email, password)
    _assert_fits(
        page,
        {
            "dashboard with applications": reverse("dashboard"),
            "application": reverse("members:application", args=[site["application"].pk]),
            "application form": reverse("members:apply"),
        },
    )
    page.goto(reverse("dashboard"))
    page.get_by_role("heading", name="Your applications").wait_for()
    _both(page, "dashboard-applicant")


def test_staff_pages_fit_a_phone(page, site, staff_user, password):
    event, petition, group = site["event"], site["petition"], site["group"]
    sign_in(page, staff_user.email, password, totp_secret=staff_user.totp_secret)
    _assert_fits(
        page,
        {
            "staff home": reverse("staff:index"),
            "application queue": reverse("staff:members:applications"),
            "application": reverse("staff:members:application", args=[site["application"].pk]),
            "memberships": reverse("staff:members:memberships"),
            "membership": reverse("staff:members:membership", args=[site["org"].current_membership.pk]),
            "events": reverse("staff:events:list"),
            "new event": reverse("staff:events:create"),
            "event": reverse("staff:events:detail", args=[event.pk]),
            "registrants": reverse("staff:events:registrants", args=[event.pk]),
            "check-in": reverse("staff:events:check_in", args=[event.pk]),
            "petitions": reverse("staff:petitions:list"),
            "petition": reverse("staff:petitions:detail", args=[petition.pk]),
            "new petition": reverse("staff:petitions:create"),
            "moderation": reverse("staff:petitions:moderation"),
            "endorsement": reverse("staff:petitions:endorsement", args=[site["pending"].pk]),
            "groups": reverse("staff:workinggroups:index"),
            "join requests": reverse("staff:workinggroups:requests"),
            "group": reverse("staff:workinggroups:group_edit", args=[group.slug]),
            "new group": reverse("staff:workinggroups:group_new"),
        },
    )

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
    page.wait_for_function("document.activeElement.scrollLeft > 0")
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
    assert len(boxes) == 8  # five sections, notifications, my account, sign out
    middles = [box["y"] + box["height"] / 2 for box in boxes]
    assert max(middles) - min(middles) < 4, middles
    assert all(box["x"] + box["width"] <= DESKTOP["width"] for box in boxes)
    _header_shot(page, "layout-header-1280-staff")

    page.keyboard.press("Tab")
    assert _focused(page)["text"] == "Skip to main content"
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert _focused(page)["text"] == "Members"  # straight into the navigation: no Menu button on the way
