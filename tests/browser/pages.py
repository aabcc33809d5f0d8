"""What the browser tests do and check on any page."""

from __future__ import annotations

from builders import PASSWORD


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


def log_in(page, server_url: str, email: str) -> None:
    page.goto(f"{server_url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def focused(page, selector: str) -> bool:
    return page.evaluate("s => !!document.activeElement?.matches(s)", selector)


def tab_to(page, selector: str, limit: int = 40) -> None:
    """Press Tab until the focus is on `selector`, as a keyboard user does."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused(page, selector):
            return
    raise AssertionError(f"{selector} never receives the focus with Tab")
