"""Journey: forms sent empty, with every field wrong, and refused by the server
(a petition that closed, an event with fewer seats than asked for).

Each time an error summary appears at the top and takes the focus; each of
its errors links to its field, and the link moves the focus there; each
field in error is marked invalid and described by its message, which starts
with a word (not only a colour). Screenshots land in test-artifacts/.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.support.browser import expect_console_error, screenshot, sign_in, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The focused summary, and for each of its links the field it leads to: does
# it exist, is it marked invalid, and what do its descriptions say?
SUMMARY = """() => {
  const summary = document.activeElement.closest('[data-error-summary]');
  if (!summary) return {focused: document.activeElement.outerHTML.slice(0, 120)};
  const described = (el) => {
    const holder = el.getAttribute('aria-describedby') ? el : el.closest('fieldset[aria-describedby]');
    if (!holder) return '';
    return holder.getAttribute('aria-describedby').split(/\\s+/)
      .map((id) => (document.getElementById(id) || {}).textContent || `(no #${id})`).join(' | ');
  };
  return {
    focused: 'summary',
    text: summary.innerText,
    role: summary.getAttribute('role'),
    links: [...summary.querySelectorAll('a')].map((a) => {
      const field = document.getElementById(decodeURIComponent(a.hash.slice(1)));
      return {
        text: a.innerText,
        hash: a.hash,
        exists: !!field,
        invalid: field ? field.getAttribute('aria-invalid') : null,
        described: field ? described(field) : '',
      };
    }),
  };
}"""


def focused_summary(page) -> dict:
    """The error summary the focus landed on once the page loaded."""
    page.wait_for_load_state("load")
    # If it never lands, the assertion below says what has the focus instead.
    wait_until(page, "document.activeElement.closest('[data-error-summary]') !== null", timeout=3)
    summary = page.evaluate(SUMMARY)
    assert summary["focused"] == "summary", f"focus is not on an error summary but on {summary['focused']}"
    assert summary["role"] == "alert"
    return summary


def assert_each_error_leads_to_its_field(page, summary: dict) -> None:
    assert summary["links"], summary
    for link in summary["links"]:
        assert link["exists"], f"{link['text']}: no field {link['hash']}"
        assert link["invalid"] == "true", link
        message = re.split(r"(?<=[:?.]) ", link["text"], maxsplit=1)[1]
        assert message in link["described"], f"{link['text']}: the field is described by {link['described']!r}"
        assert "Error:" in link["described"], link
    # Following a link moves the focus to its field.
    links = page.locator("[data-error-summary]").first.locator("a")
    for n, link in enumerate(summary["links"]):
        links.nth(n).click()
        assert page.evaluate("'#' + document.activeElement.id") == link["hash"], link["text"]


def test_a_report_sent_empty_says_what_is_missing(page, live_server):
    page.goto(reverse("accessibility"))
    page.get_by_role("button", name="Send the report").click()

    summary = focused_summary(page)
    assert summary["text"].startswith("There are 3 problems")
    assert [link["text"] for link in summary["links"]] == [
        "Your name: This field is required.",
        "Your email address: This field is required.",
        "What went wrong? This field is required.",
    ]
    screenshot(page, "a11y-errors-empty-report")
    assert_each_error_leads_to_its_field(page, summary)


def test_a_sign_up_with_every_field_wrong_lists_each_problem(page, live_server):
    factories.UserFactory(email="taken@helios.example")
    page.goto(reverse("account_signup"))
    page.locator("#id_name").fill("   ")
    page.locator("#id_email").fill("not an address")
    page.locator("#id_password1").fill("abc")
    page.locator("#id_password2").fill("xyz")
    page.get_by_role("button", name="Sign Up").click()

    summary = focused_summary(page)
    fields = [link["hash"] for link in summary["links"]]
    assert {"#id_name", "#id_email"} <= set(fields), summary
    assert any(field in fields for field in ("#id_password1", "#id_password2")), summary
    screenshot(page, "a11y-errors-signup")
    assert_each_error_leads_to_its_field(page, summary)


def test_an_application_submitted_empty_links_every_missing_answer(page, live_server, user, password):
    factories.CharterVersionFactory()
    sign_in(page, user.email, password)
    page.goto(reverse("members:apply"))
    page.get_by_role("button", name="Submit application").click()

    summary = focused_summary(page)
    missing = {link["hash"] for link in summary["links"]}
    # Every answer the submission needs, groups of options included (their first option).
    for field in ("#id_org_name", "#id_description", "#id_hq_city", "#id_segments_0", "#id_tier_0"):
        assert field in missing, summary
    assert "#id_accept_charter" in missing
    page.set_viewport_size({"width": 375, "height": 800})
    screenshot(page, "a11y-errors-application-375")
    page.set_viewport_size({"width": 1280, "height": 900})
    assert_each_error_leads_to_its_field(page, summary)


def test_a_petition_closed_while_signing_says_so_where_the_focus_lands(page, live_server):
    from petitions.models import Petition

    petition = factories.PetitionFactory()
    page.goto(petition.get_absolute_url())
    sign_card = page.locator("#sign")
    sign_card.locator("input[name=name]").fill("Late Signer")
    sign_card.locator("input[name=email]").fill("late@lakeshore.example")
    sign_card.locator("input[name=zip_code]").fill("48201")
    sign_card.locator("select[name=state]").select_option("MI")
    Petition.objects.filter(pk=petition.pk).update(status=Petition.Status.CLOSED, closed_at=timezone.now())
    expect_console_error(page, r"status of 400 \(Bad Request\)")
    sign_card.get_by_role("button", name="Sign the petition").click()

    summary = focused_summary(page)
    assert "no longer takes signatures" in summary["text"]
    screenshot(page, "a11y-errors-petition-closed")


def test_an_event_with_fewer_seats_than_asked_for_says_so_where_the_focus_lands(page, live_server, member, password):
    from events.models import Event

    start = timezone.now() + datetime.timedelta(days=5)
    event = factories.EventFactory(
        capacity=4, max_seats_per_registration=4, starts_at=start, ends_at=start + datetime.timedelta(hours=1)
    )
    sign_in(page, member.email, password)
    page.goto(reverse("events:detail", args=[event.slug]))
    page.locator("#register").get_by_label(re.compile(r"^Seats")).fill("3")
    Event.objects.filter(pk=event.pk).update(capacity=2)  # staff shrink the room meanwhile
    page.locator("#register").get_by_role("button", name=re.compile("Register|waitlist")).click()

    summary = focused_summary(page)
    assert re.search(r"2 seats|seats? (left|in all)|at most 2|less than or equal to 2", summary["text"]), summary
    screenshot(page, "a11y-errors-event-seats")
    if summary["links"]:  # shown on the form: the link leads to the seats
        assert_each_error_leads_to_its_field(page, summary)
