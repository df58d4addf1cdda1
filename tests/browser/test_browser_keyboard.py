"""Journey: the home page, a petition, an event's registration and the
membership application, with nothing but the Tab key.

On each: the first Tab stop is "Skip to main content", and Enter on it moves
the focus to the main content (the next Tab lands on its first control).
Then Tab goes through the whole page and back to the start: every control a
person could use is reached (a group of radio buttons counts once), every
stop is on screen with a focus outline of at least 2 px, and nothing holds
the focus (no trap).
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.support.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Tag every control a keyboard user should be able to reach; return their names.
TABBABLE = """() => {
  const selector = 'a[href], button, input, select, textarea, summary, iframe, [tabindex], [contenteditable="true"]';
  // Rendered, not hidden, not in a closed disclosure (the header menu's
  // content counts where wide screens show it as a row), not inert.
  const shown = (el) => el.checkVisibility({visibilityProperty: true, contentVisibilityAuto: true})
    && !el.closest('[inert]');
  const names = {};
  let n = 0;
  for (const el of document.querySelectorAll(selector)) {
    if (el.disabled || el.getAttribute('tabindex') === '-1' || el.type === 'hidden' || !shown(el)) continue;
    // A group of radio buttons is one Tab stop: tag the group, not each button.
    const key = el.type === 'radio' ? `radio:${el.form ? el.form.id || '' : ''}:${el.name}` : `el:${n++}`;
    for (const r of el.type === 'radio' ? document.querySelectorAll(`input[type=radio][name="${CSS.escape(el.name)}"]`) : [el]) {
      r.dataset.kb = key;
    }
    names[key] = (el.getAttribute('aria-label') || el.innerText || el.value || el.name || el.tagName).trim().slice(0, 50);
  }
  return names;
}"""

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  return {
    key: el.dataset.kb || '',
    id: el.id,
    name: (el.getAttribute('aria-label') || el.innerText || el.value || el.tagName).trim().slice(0, 50),
    outline: style.outlineStyle === 'none' ? 0 : parseFloat(style.outlineWidth),
    onScreen: box.bottom > 0 && box.top < innerHeight && box.right > 0 && box.left < innerWidth,
  };
}"""

LIMIT = 400  # Tab presses before we call it a trap


def _skip_link_works(page) -> None:
    page.keyboard.press("Tab")
    first = page.evaluate(FOCUSED)
    assert first and first["name"] == "Skip to main content", first
    assert first["onScreen"] and first["outline"] >= 2, first
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    inside = page.evaluate("document.activeElement.closest('main') !== null && document.activeElement.id !== 'main'")
    assert inside, "after the skip link, Tab goes somewhere outside the main content"


def _tab_through(page) -> tuple[dict[str, str], list[dict]]:
    expected = page.evaluate(TABBABLE)
    stops: list[dict] = []
    page.evaluate("document.activeElement.blur()")
    for _ in range(LIMIT):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None or (stops and focused["name"] == "Skip to main content"):
            break  # past the last control, back to the browser (or round to the start)
        stops.append(focused)
    else:
        raise AssertionError(f"still tabbing after {LIMIT} stops: the focus is trapped near {stops[-3:]}")
    return expected, stops


def _assert_keyboard_usable(page, path: str) -> None:
    page.goto(path)
    _skip_link_works(page)
    page.goto(path)
    expected, stops = _tab_through(page)
    reached = {stop["key"] for stop in stops}
    missing = [name for key, name in expected.items() if key not in reached]
    assert not missing, f"{path}: never reached with Tab: {missing}"
    hidden = [stop["name"] for stop in stops if not stop["onScreen"]]
    assert not hidden, f"{path}: focused off screen: {hidden}"
    unmarked = [stop["name"] for stop in stops if stop["outline"] < 2]
    assert not unmarked, f"{path}: no visible focus outline on {unmarked}"


def test_the_home_page_from_the_keyboard(page, live_server, site_segments):
    _assert_keyboard_usable(page, reverse("home"))


def test_a_petition_from_the_keyboard(page, live_server):
    petition = factories.PetitionFactory()
    factories.FAQItemFactory.create_batch(2, petition=petition)
    factories.ResourceFactory(petition=petition)
    factories.EndorsementFactory(petition=petition)
    _assert_keyboard_usable(page, petition.get_absolute_url())


def test_registering_for_an_event_from_the_keyboard(page, live_server, member, password):
    start = timezone.now() + datetime.timedelta(days=8)
    event = factories.EventFactory(
        max_seats_per_registration=3, starts_at=start, ends_at=start + datetime.timedelta(hours=2)
    )
    factories.RegistrationQuestionFactory(event=event, label="Which permitting issue matters most?")
    sign_in(page, member.email, password)
    _assert_keyboard_usable(page, reverse("events:detail", args=[event.slug]))


def test_the_membership_application_from_the_keyboard(page, live_server, user, password):
    factories.CharterVersionFactory()
    sign_in(page, user.email, password)
    _assert_keyboard_usable(page, reverse("members:apply"))


@pytest.fixture
def site_segments(db):
    """The home page lists the supply-chain segments (rows the migrations create)."""
    from members.models import Segment

    assert Segment.objects.exists()
