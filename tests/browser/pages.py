"""Every main page of the site, per persona: the one list the cross-app
browser journeys walk (the phone layout, axe-core, reflow and zoom).

Each function takes the `site` fixture (tests/browser/conftest.py) and
returns {name: path}; `sign_in_as` signs the persona in through the real
login page (and the authenticator step for staff).
"""

from __future__ import annotations

from django.urls import reverse

from tests.support.browser import sign_in


def visitor_pages(site) -> dict[str, str]:
    return {
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
        "accessibility": reverse("accessibility"),
        "unsubscribe": site["unsubscribe"],
        "insights": reverse("insights:index"),
        "insight": reverse("insights:detail", args=[site["post"].slug]),
        "members-only insight": reverse("insights:detail", args=[site["members_post"].slug]),
        "insights search": reverse("insights:index") + "?q=cobalt",
        "sign in": reverse("account_login"),
        "sign up": reverse("account_signup"),
        "password reset": reverse("account_reset_password"),
        "join": reverse("billing:join"),
        "minerals": reverse("minerals:index"),
        "mineral": reverse("minerals:detail", args=["lithium"]),
        "members by mineral": reverse("minerals:directory") + "?mineral=lithium",
    }


def member_pages(site) -> dict[str, str]:
    group, document = site["group"], site["document"]
    return {
        "dashboard": reverse("dashboard"),
        "profile": reverse("profile_edit"),
        "notifications": reverse("notifications:list"),
        "email preferences": reverse("notifications:preferences"),
        "announcements": reverse("communications:archive"),
        "announcement": reverse("communications:archive_detail", args=[site["message"].pk]),
        "my events": reverse("events:mine"),
        "event": reverse("events:detail", args=[site["event"].slug]),
        "my groups": reverse("workinggroups:mine"),
        "group": reverse("workinggroups:detail", args=[group.slug]),
        "documents": reverse("workinggroups:documents", args=[group.slug]),
        "document": reverse("workinggroups:document", args=[group.slug, document.pk]),
        "group members": reverse("workinggroups:members", args=[group.slug]),
        "directory": reverse("members:member_directory"),
        "two-factor authentication": reverse("mfa_index"),
        "members-only insight": reverse("insights:detail", args=[site["members_post"].slug]),
        "mineral coverage": reverse("minerals:coverage"),
        "mineral coverage cell": reverse("minerals:cell", args=["lithium", "processing"]),
        "pooled demand": reverse("minerals:demand"),
        "pooled-demand round": reverse("minerals:round", args=[_demand_round(site).pk]),
    }


def primary_contact_pages(site) -> dict[str, str]:
    slug = site["org"].slug
    return {
        "dashboard": reverse("dashboard"),
        "manage": reverse("members:manage", args=[slug]),
        "edit": reverse("members:edit", args=[slug]),
        "organization": reverse("members:organization", args=[slug]),
        "invoices": reverse("billing:organization_invoices", args=[slug]),
        "invoice": reverse("billing:invoice", args=[site["invoice"].pk]),
        "minerals and stages": reverse("minerals:organization", args=[slug]),
    }


def applicant_pages(site) -> dict[str, str]:
    return {
        "dashboard with applications": reverse("dashboard"),
        "application": reverse("members:application", args=[site["application"].pk]),
        "application form": reverse("members:apply"),
    }


def staff_pages(site) -> dict[str, str]:
    event, petition, group = site["event"], site["petition"], site["group"]
    return {
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
        "communications": reverse("staff:communications:list"),
        "new message": reverse("staff:communications:new"),
        "message": reverse("staff:communications:detail", args=[site["message"].pk]),
        "insights posts": reverse("staff:insights:list"),
        "new insights post": reverse("staff:insights:new"),
        "insights post": reverse("staff:insights:detail", args=[site["post"].pk]),
        "edit insights post": reverse("staff:insights:edit", args=[site["post"].pk]),
        "invoices (staff)": reverse("staff:billing:list"),
        "invoice (staff)": reverse("staff:billing:detail", args=[site["invoice"].pk]),
        "reports": reverse("staff:reports:index"),
        "report: revenue": reverse("staff:reports:report", args=["revenue"]),
        "report: attendance": reverse("staff:reports:report", args=["attendance"]),
        "report: renewals": reverse("staff:reports:report", args=["renewals"]),
        "minerals (staff)": reverse("staff:minerals:home"),
        "mineral (staff)": reverse("staff:minerals:edit", args=["lithium"]),
        "mineral entries": reverse("staff:minerals:entries"),
    }


def _demand_round(site):
    """The site's organization at lithium processing and an open lithium
    round it joined (made here, once, so the shared `site` fixture stays as
    it is for the other apps)."""
    import datetime

    from minerals.models import Declaration, DemandRound, Involvement, Mineral

    lithium = Mineral.objects.get(slug="lithium")
    Involvement.objects.get_or_create(
        organization=site["org"], mineral=lithium, stage="processing", defaults={"visibility": "public"}
    )
    round_, _ = DemandRound.objects.get_or_create(
        mineral=lithium, title="Lithium for batteries, 2027",
        defaults={"window_start": datetime.date(2027, 1, 1), "window_end": datetime.date(2027, 12, 31), "opened_by": site["people"]["staff"]},
    )  # fmt: skip
    Declaration.objects.get_or_create(
        round=round_, organization=site["org"],
        defaults={"quantity": 120, "form": "battery-grade lithium hydroxide", "declared_by": site["people"]["primary contact"]},
    )  # fmt: skip
    return round_


PAGES = {
    "visitor": visitor_pages,
    "member": member_pages,
    "primary contact": primary_contact_pages,
    "applicant": applicant_pages,
    "staff": staff_pages,
}


def sign_in_as(page, site, persona: str, password: str) -> None:
    """Sign `persona` in (a visitor stays signed out)."""
    if persona == "visitor":
        return
    person = site["people"][persona]
    sign_in(
        page, person.email, password, totp_secret=getattr(person, "totp_secret", None) if persona == "staff" else None
    )


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


def fit_problems(page, name: str, path: str) -> list[str]:
    """Visit one page; say what does not fit the current width: the page
    scrolling sideways (naming the element that sticks out), or something
    inside it scrolling sideways without being a named, focusable region."""
    response = page.goto(path)
    if response.status != 200:
        return [f"{name} {path}: HTTP {response.status}"]
    fit = page.evaluate(FIT)
    problems = []
    if fit["scrollWidth"] > fit["innerWidth"]:
        problems.append(
            f"{name} {path}: {fit['scrollWidth']} px wide at {fit['innerWidth']} px; widest: {fit['widest']}"
        )
    problems += [f"{name} {path}: scrolls sideways without a label or focus: {el}" for el in fit["unlabelled"]]
    return problems
