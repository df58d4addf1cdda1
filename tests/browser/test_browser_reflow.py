"""Journey: every main page, as each persona, at 320 CSS px wide and at 200 %
zoom (a 1280 x 900 window zoomed to 200 % lays pages out in 640 x 450 CSS
px), and with the system asking for less motion.

WCAG 1.4.10 (reflow): nothing needs scrolling in two directions and nothing
is cut off. The page never scrolls sideways (the failure names the element
that sticks out); anything that scrolls sideways inside it is a named,
focusable region (a wide comparison table); no text is clipped by a box too
small for it. WCAG 2.3.3: with prefers-reduced-motion nothing moves.
Screenshots of a few pages land in test-artifacts/.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.browser import pages
from tests.support.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARROWEST = {"width": 320, "height": 640}
ZOOMED_200 = {"width": 640, "height": 450}

# Text that a box too small for it cuts off (overflow hidden or clip), apart
# from what is hidden on purpose: visually hidden text (a 1-px box, such as
# record tables' column headers on narrow screens) and the honeypot. Form
# controls (a list box, a text area) scroll their own content.
CLIPPED = """() => {
  const clipped = [];
  for (const el of document.body.querySelectorAll(':not(select, textarea, input)')) {
    const style = getComputedStyle(el);
    if (!['hidden', 'clip'].includes(style.overflowX) && !['hidden', 'clip'].includes(style.overflowY)) continue;
    if (el.closest('.visually-hidden, .honeypot, [aria-hidden="true"]') || !el.getClientRects().length) continue;
    const box = el.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1) continue;
    if (!(el.innerText || '').trim()) continue;
    if (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1) {
      clipped.push(`${el.tagName.toLowerCase()}.${[...el.classList].join('.')} "${el.innerText.trim().slice(0, 40)}"`);
    }
  }
  return clipped;
}"""


def _reflow_problems(page, paths: dict[str, str], size: dict[str, int], label: str) -> list[str]:
    page.set_viewport_size(size)
    problems = []
    for name, path in paths.items():
        found = pages.fit_problems(page, name, path)
        if not found or not found[0].endswith(("HTTP 404", "HTTP 500")):
            found += [f"{name} {path}: text cut off: {el}" for el in page.evaluate(CLIPPED)]
        problems += [f"[{label}] {line}" for line in found]
    return problems


@pytest.mark.parametrize("persona", list(pages.PAGES))
def test_every_page_reflows_at_320_px_and_at_200_percent_zoom(page, site, password, persona):
    pages.sign_in_as(page, site, persona, password)
    paths = pages.PAGES[persona](site)
    problems = _reflow_problems(page, paths, NARROWEST, "320 px")
    problems += _reflow_problems(page, paths, ZOOMED_200, "200 %")
    assert not problems, f"pages that do not reflow as {persona}:\n" + "\n".join(problems)

    shots = {"visitor": "petition", "member": "event", "staff": "registrants", "applicant": "application form"}
    if persona in shots:
        for size, label in ((NARROWEST, "320"), (ZOOMED_200, "zoom200")):
            page.set_viewport_size(size)
            page.goto(paths[shots[persona]])
            screenshot(page, f"a11y-reflow-{persona}-{label}")


MOTION = """() => {
  const moving = [];
  for (const el of document.querySelectorAll('*')) {
    for (const pseudo of [null, '::before', '::after']) {
      const style = getComputedStyle(el, pseudo);
      const seconds = (list) => Math.max(...list.split(',').map((d) => parseFloat(d) * (d.trim().endsWith('ms') ? 0.001 : 1)));
      const animated = style.animationName !== 'none' && seconds(style.animationDuration) > 0;
      if (animated || seconds(style.transitionDuration) > 0) moving.push(`${el.tagName.toLowerCase()}${pseudo || ''}.${[...el.classList].join('.')}`);
    }
  }
  return {moving, scroll: getComputedStyle(document.documentElement).scrollBehavior,
          button: getComputedStyle(document.querySelector('.button')).transitionDuration};
}"""


def test_nothing_moves_for_people_who_ask_for_less_motion(page, site):
    paths = [reverse("home"), reverse("petitions:detail", args=[site["petition"].slug])]

    page.emulate_media(reduced_motion="no-preference")
    page.goto(paths[0])
    assert set(page.evaluate(MOTION)["button"].split(", ")) == {"0.15s"}  # others get a short fade on hover

    page.emulate_media(reduced_motion="reduce")
    for path in paths:
        page.goto(path)
        motion = page.evaluate(MOTION)
        assert motion["moving"] == [], f"{path}: still moving with prefers-reduced-motion: {motion['moving'][:10]}"
        assert motion["scroll"] == "auto"
