"""What the browser tests check on any page."""

from __future__ import annotations


def expect(*args, **kwargs):
    """Playwright's `expect`, imported late so the suite collects without playwright."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(*args, **kwargs)


def fits_the_screen(page) -> None:
    """No sideways scrolling of the whole page (wide tables scroll inside themselves)."""
    width, screen, widest = page.evaluate(
        """() => {
          const root = document.documentElement;
          const over = [...document.body.querySelectorAll('*')]
            .filter(e => e.getBoundingClientRect().right > root.clientWidth + 1)
            .filter(e => !e.parentElement.closest('.table'));
          const last = over[0];
          return [root.scrollWidth, root.clientWidth, last ? last.outerHTML.slice(0, 120) : ''];
        }"""
    )
    assert width <= screen, f"{page.url} is {width} px wide on a {screen} px screen: {widest}"
