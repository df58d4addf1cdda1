"""Journey: every main page, as each persona, read by someone who navigates by
structure (a screen reader's headings, landmarks and tables lists).

What axe-core does not check, checked here on the same pages
(tests/browser/pages.py):

- the title says where you are first ("Upcoming events · CMA USA");
- one h1, and headings that never skip a level going down;
- the landmarks: one banner, one main, one contentinfo, and every nav named
  (and no two alike);
- every table has a caption and every header cell a scope.
"""

from __future__ import annotations

import pytest
from django.conf import settings

from tests.browser import pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STRUCTURE = """(siteName) => {
  const problems = [];
  const visible = (el) => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length)
    || el.closest('.visually-hidden, details:not([open])') !== null;
  const text = (el) => (el.textContent || '').replace(/\\s+/g, ' ').trim();

  const title = document.title.trim();
  const where = title.split(' · ')[0].trim();
  if (!where || where === siteName || !title.endsWith(' · ' + siteName)) {
    problems.push(`title "${title}" does not start with the page's own name`);
  }

  const headings = [...document.querySelectorAll('h1, h2, h3, h4, h5, h6, [role="heading"]')]
    .filter((h) => visible(h) && !h.closest('[hidden], [aria-hidden="true"]'));
  const h1s = headings.filter((h) => h.tagName === 'H1' || h.getAttribute('aria-level') === '1');
  if (h1s.length !== 1) problems.push(`${h1s.length} h1 elements: ${h1s.map(text).join(' | ')}`);
  let previous = 0;
  for (const h of headings) {
    const level = h.getAttribute('aria-level') ? +h.getAttribute('aria-level') : +h.tagName[1];
    if (level > previous + 1) problems.push(`heading h${level} "${text(h).slice(0, 60)}" follows h${previous}`);
    previous = level;
  }

  const top = (selector) => [...document.querySelectorAll(selector)]
    .filter((el) => !el.parentElement.closest('article, aside, main, nav, section'));
  if (top('header').length !== 1) problems.push(`${top('header').length} page headers`);
  if (document.querySelectorAll('main').length !== 1) problems.push(`${document.querySelectorAll('main').length} main elements`);
  if (top('footer').length !== 1) problems.push(`${top('footer').length} page footers`);
  const navNames = [];
  for (const nav of document.querySelectorAll('nav, [role="navigation"]')) {
    const by = nav.getAttribute('aria-labelledby');
    const name = (nav.getAttribute('aria-label') || (by && text(document.getElementById(by) || document.body)) || '').trim();
    if (!name) problems.push(`a nav without a name: ${nav.outerHTML.slice(0, 80)}`);
    else if (navNames.includes(name)) problems.push(`two navs named "${name}"`);
    navNames.push(name);
  }

  for (const table of document.querySelectorAll('main table')) {
    const caption = table.querySelector(':scope > caption');
    if (!caption || !text(caption)) problems.push(`a table without a caption: ${text(table).slice(0, 60)}`);
    for (const th of table.querySelectorAll('th')) {
      if (!['col', 'row', 'colgroup', 'rowgroup'].includes(th.getAttribute('scope'))) {
        problems.push(`header cell "${text(th).slice(0, 40)}" without a scope (table "${caption ? text(caption) : ''}")`);
      }
    }
  }
  return problems;
}"""


def structure_problems(page, name: str, path: str) -> list[str]:
    response = page.goto(path)
    if response.status != 200:
        return [f"{name} {path}: HTTP {response.status}"]
    return [f"{name} {path}: {problem}" for problem in page.evaluate(STRUCTURE, settings.SITE_NAME)]


@pytest.mark.parametrize("persona", list(pages.PAGES))
def test_every_page_has_a_title_one_h1_ordered_headings_named_landmarks_and_captioned_tables(
    page, site, password, persona
):
    pages.sign_in_as(page, site, persona, password)
    problems = []
    for name, path in pages.PAGES[persona](site).items():
        problems += structure_problems(page, name, path)
    assert not problems, f"structure problems as {persona}:\n" + "\n".join(problems)
