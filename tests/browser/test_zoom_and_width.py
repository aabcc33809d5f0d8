"""Readable at 200% zoom, the journey map on a laptop, tap targets on a phone.

The issue asks for "readable at 200% zoom, visible focus rings, tap targets at least 44 px.
The journey map readable on a laptop screen without horizontal scrolling for five stages."

- 200% zoom: a 1280x800 laptop screen zoomed to 200% shows a 640x400 CSS-pixel viewport
  drawn with two device pixels per CSS pixel; that is the context used here (viewport
  640x400, device_scale_factor 2), so the media queries see what a zoomed browser sees.
  Each user's main pages fit the width, no text in the main content is cut off or spills
  out of its box (wide tables and code examples scroll inside themselves, and take the
  keyboard focus to do so), and the first link or button of the content shows a focus ring.
- The demo journey's map (five stages) on 1366x768 and 1280x800 laptops: no sideways
  scrolling, and the map's grid and each of its cells hold their content.
- On a phone (375x667): choice labels, buttons and text fields are at least 44 px tall on
  the survey page (its scale points are checked by test_customer_flows.py), the
  invitations page and the API tokens page.

The demo data (from test_accessibility.py's `demo` fixture) fill the pages. What is
measured is the rendered page, the same on both databases: this runs on SQLite only.
"""

from __future__ import annotations

import pytest

from . import test_accessibility
from .conftest import VIEWPORTS
from .pages import expect, fits_the_screen, log_in

pytestmark = pytest.mark.browser

demo = test_accessibility.demo  # the demo journey, its accounts and two invitations

ZOOMED = {"viewport": {"width": 640, "height": 400}, "device_scale_factor": 2}
LAPTOPS = [{"width": 1366, "height": 768}, {"width": 1280, "height": 800}]


@pytest.fixture(autouse=True)
def _sqlite_only(database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("layout is measured once, on SQLite: the rendered pages are the same")


# What is measured on a page

CUT_OFF_TEXT = """() => {
  // An element whose text is hidden from sight on purpose (visually-hidden, clipped).
  const hidden = e => {
    for (let a = e; a; a = a.parentElement) {
      const style = getComputedStyle(a);
      if (style.clip !== 'auto' || style.display === 'none') return true;
    }
    return false;
  };
  const main = document.querySelector('main');
  return [main, ...main.querySelectorAll('*')]
    .filter(e => e.textContent.trim())
    .filter(e => !e.closest('.table, pre'))  // they scroll themselves, with keyboard focus
    .filter(e => e.scrollWidth > e.clientWidth + 1)
    .filter(e => !hidden(e))
    .map(e => `<${e.localName} class="${e.className}"> ${e.scrollWidth} px of text in `
              + `${e.clientWidth} px: ${e.textContent.trim().replace(/\\s+/g, ' ').slice(0, 60)}`);
}"""

FOCUS = """() => {
  const e = document.activeElement;
  const style = getComputedStyle(e);
  return {
    inMain: !!e.closest('main'),
    control: e.matches('a[href], button'),
    html: e.outerHTML.slice(0, 80),
    style: style.outlineStyle,
    width: parseFloat(style.outlineWidth),
  };
}"""


def cut_off_text(page) -> list[str]:
    return page.evaluate(CUT_OFF_TEXT)


def focus_ring_problem(page, limit: int = 40) -> str | None:
    """Tab from the top of the page to the content's first link or button: is it ringed?"""
    if page.locator("main").locator("a[href], button").count() == 0:
        return None  # nothing to focus in this page's content (the thank-you page)
    page.evaluate("() => document.activeElement?.blur()")
    for _ in range(limit):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS)
        if focus["inMain"] and focus["control"]:
            if focus["style"] == "none" or focus["width"] < 2:
                ring = f"{focus['style']} {focus['width']} px"
                return f"no visible focus ring on {focus['html']}: {ring}"
            return None
    return f"Tab never reaches a link or button of the content in {limit} presses"


def zoomed_problems(page, url: str, screenshot, name: str) -> list[str]:
    if url:
        page.goto(url)
    problems = [f"{name}: {line}" for line in cut_off_text(page)]
    try:
        fits_the_screen(page)
    except AssertionError as error:
        problems.append(f"{name}: {error}")
    ring = focus_ring_problem(page)
    if ring:
        problems.append(f"{name}: {ring}")
    if problems:
        screenshot(page, "-" + name)
    return problems


def small_tap_targets(page, selector: str) -> list[str]:
    """Visible elements of `selector` less than 44 px tall."""
    return page.evaluate(
        """s => [...document.querySelectorAll(s)]
          .map(e => [e, e.getBoundingClientRect()])
          .filter(([e, box]) => box.width > 1 && box.height > 1
                                && getComputedStyle(e).visibility !== 'hidden')
          .filter(([e, box]) => box.height < 44)
          .map(([e, box]) => `${Math.round(box.height)} px: ${e.outerHTML.slice(0, 80)}`)""",
        selector,
    )


# 1. 200% zoom


@pytest.mark.parametrize("viewport", ["desktop"])
def test_every_user_reads_the_main_pages_at_200_percent_zoom(
    server_url, contexts, demo, screenshot
):
    journey, survey, invitation, _answered, _response = demo
    problems: list[str] = []

    customer = contexts.new(locale="en-GB", **ZOOMED).new_page()
    link = f"{server_url}/s/{survey.slug}?t={invitation.token}"
    problems += zoomed_problems(customer, link, screenshot, "survey")
    customer.get_by_role("button", name="Send my answers").click()  # the score is missing
    expect(customer.get_by_role("alert")).to_be_visible()
    problems += zoomed_problems(customer, "", screenshot, "survey-errors")
    problems += zoomed_problems(
        customer, f"{server_url}/s/{survey.slug}/thanks", screenshot, "thanks"
    )

    researcher = contexts.new(locale="en-GB", **ZOOMED).new_page()
    log_in(researcher, server_url, "researcher@parcours.demo")
    for name, path in (
        ("home", "/home"),
        ("journey", f"/journeys/{journey.id}"),
        ("questionnaire", f"/questionnaires/{survey.id}"),
        ("invitations", f"/questionnaires/{survey.id}/invitations"),
        ("tokens", "/account/tokens"),
    ):
        problems += zoomed_problems(researcher, server_url + path, screenshot, name)

    cx_lead = contexts.new(locale="en-GB", **ZOOMED).new_page()
    log_in(cx_lead, server_url, "cx@parcours.demo")
    for name, path in (
        ("map", f"/journeys/{journey.id}/map"),
        ("pain-points", f"/journeys/{journey.id}/pain-points"),
    ):
        problems += zoomed_problems(cx_lead, server_url + path, screenshot, name)

    assert problems == [], "\n".join(problems)


# 2. The journey map on a laptop

MAP_GRID = """() => {
  const grid = document.querySelector('.jm-grid');
  const box = grid.parentElement;
  const cells = [...grid.querySelectorAll('th, td')];
  return {
    stages: grid.querySelectorAll('thead th').length - 1,
    right: grid.getBoundingClientRect().right,
    boxRight: box.getBoundingClientRect().right,
    width: grid.scrollWidth,
    boxWidth: box.clientWidth,
    overflowing: cells.filter(c => c.scrollWidth > c.clientWidth + 1)
      .map(c => `${c.scrollWidth} px in ${c.clientWidth}: ${c.textContent.trim().slice(0, 50)}`),
    smallest: Math.min(...cells.map(c => parseFloat(getComputedStyle(c).fontSize))),
  };
}"""


@pytest.mark.parametrize("viewport", ["desktop"])
def test_five_stage_map_fits_a_laptop_screen(server_url, contexts, demo, screenshot):
    journey = demo[0]
    assert len(journey.stages) == 5
    problems: list[str] = []
    for size in LAPTOPS:
        page = contexts.new(locale="en-GB", viewport=size).new_page()
        log_in(page, server_url, "cx@parcours.demo")
        page.goto(f"{server_url}/journeys/{journey.id}/map")
        where = f"{size['width']}x{size['height']}"
        try:
            fits_the_screen(page)
        except AssertionError as error:
            problems.append(f"{where}: {error}")
        grid = page.evaluate(MAP_GRID)
        assert grid["stages"] == 5, f"{where}: {grid['stages']} stage columns"
        if grid["right"] > grid["boxRight"] + 1 or grid["width"] > grid["boxWidth"] + 1:
            problems.append(f"{where}: the map is {grid['width']} px wide in {grid['boxWidth']} px")
        problems += [f"{where}: a cell overflows, {line}" for line in grid["overflowing"]]
        if grid["smallest"] < 12:
            problems.append(f"{where}: map text in {grid['smallest']} px")
        screenshot(page, "-" + where)
    assert problems == [], "\n".join(problems)


# 3. Tap targets on a phone

CONTROLS = (
    "label.choice, label.check, button, .button, select, textarea, "
    "input:is([type=text], [type=email], [type=password], [type=number], [type=date], :not([type]))"
)


@pytest.mark.parametrize("viewport", ["phone"])
def test_tap_targets_are_44_px_tall_on_a_phone(server_url, contexts, demo, screenshot):
    journey, survey, invitation, _answered, _response = demo
    problems: list[str] = []
    phone = {"viewport": VIEWPORTS["phone"], "is_mobile": True, "has_touch": True}

    customer = contexts.new(locale="en-GB", **phone).new_page()
    customer.goto(f"{server_url}/s/{survey.slug}?t={invitation.token}")
    expect(customer.locator("form.survey-form")).to_be_visible()
    problems += [f"survey: {line}" for line in small_tap_targets(customer, CONTROLS)]

    page = contexts.new(locale="en-GB", **phone).new_page()
    log_in(page, server_url, "researcher@parcours.demo")
    page.goto(f"{server_url}/questionnaires/{survey.id}/invitations")
    expect(page.locator("table.invitations input.inv-link")).not_to_have_count(0)
    problems += [f"invitations: {line}" for line in small_tap_targets(page, CONTROLS)]

    # A token made first, so that the page also shows it and its Revoke button.
    page.goto(f"{server_url}/account/tokens")
    page.get_by_label("What is it for?").fill("Shop CRM")
    page.locator("label.check").first.click()
    page.get_by_role("button", name="Make the token").click()
    expect(page.get_by_label("Token", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Revoke Shop CRM")).to_be_visible()
    problems += [f"tokens: {line}" for line in small_tap_targets(page, CONTROLS)]

    if problems:
        screenshot(page)
    assert problems == [], "\n".join(problems)
