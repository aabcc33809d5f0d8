"""A CX lead with an English browser switches Parcours to French from the top bar.

The switch is on every staff page, reached with the keyboard, remembered from page to page and
across a new login; the map's figures are then written the French way. At phone size each
choice is a 44 px target and the bar fits the screen. axe-core checks the French pages.
"""

from __future__ import annotations

import re

import pytest
from builders import a_user

from .accessibility import axe_source, violations
from .pages import expect, fits_the_screen, focused, log_in
from .test_cx_lead_flow import a_journey_with_answers

pytestmark = pytest.mark.browser

FRENCH_DECIMAL = re.compile(r"\d,\d")


def test_the_switch_turns_every_page_french_and_is_remembered(
    server_url, db_session, contexts, screenshot, viewport
):
    journey = a_journey_with_answers(db_session)
    a_user(db_session, "chloe@example.com", "cx_lead")
    browser = contexts.new(locale="en-GB", bypass_csp=True)
    page = browser.new_page()
    log_in(page, server_url, "chloe@example.com")
    page.goto(f"{server_url}/journeys/{journey.id}/map?from=2025-04-01&to=2025-04-30&min_n=3")
    expect(page.get_by_role("heading", level=1)).to_have_text("Journey map")
    switch = page.get_by_role("navigation", name="Language")
    expect(switch.locator("[aria-current=true]")).to_have_text("English")

    # With the keyboard only: Tab to "Français", Enter.
    page.locator("body").focus()
    for _ in range(30):
        page.keyboard.press("Tab")
        if focused(page, ".language-switch a[hreflang=fr]"):
            break
    else:
        raise AssertionError("the French switch never receives the focus with Tab")
    page.keyboard.press("Enter")

    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Carte du parcours")
    current = page.get_by_role("navigation", name="Langue").locator("[aria-current=true]")
    expect(current).to_have_text("Français")
    # The filters survived the switch, and the figures read the French way.
    assert "from=2025-04-01" in page.url and "min_n=3" in page.url
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
    figures = page.locator("table.jm-grid").inner_text()
    assert FRENCH_DECIMAL.search(figures), figures[:400]
    assert "%" not in figures or "\u00a0%" in figures, "a French percentage has its space"
    fits_the_screen(page)
    screenshot(page, "-map-fr")

    # Remembered: the next page, without any ?lang=, is French too.
    page.get_by_role("link", name="Points de douleur et rapport").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Points de douleur")

    # At phone size, each choice of the switch is a 44 px tap target.
    if viewport == "phone":
        for box in switch_boxes(page):
            assert box["height"] >= 44, f"a language choice is {box['height']} px tall"

    # No serious accessibility violation on the French pages.
    source = axe_source()
    if source is not None:
        assert violations(page, source) == []
        page.go_back()
        assert violations(page, source) == []

    # Still French after logging out and in again (the choice is the browser's).
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.get_by_label("E-mail").fill("chloe@example.com")

    # And back to English with one click.
    page.get_by_role("navigation", name="Langue").get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="Log in")).to_be_visible()


def switch_boxes(page) -> list[dict]:
    return page.evaluate(
        """() => [...document.querySelectorAll('.language-switch a, .language-switch span')]
             .map(e => e.getBoundingClientRect().toJSON())"""
    )
