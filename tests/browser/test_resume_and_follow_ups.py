"""A questionnaire in two pages, resumed where it was left, and follow-up questions.

The questionnaire is `builders.a_questionnaire_in_pages`: page 1 asks the NPS, "fix" for a
score of 0-6 and "quote" for 9-10; page 2 the CSAT and an optional "why". With JavaScript a
follow-up appears in place; without it, it is asked on the next step. English browsers, so
the words checked are the msgids themselves.
"""

from __future__ import annotations

import pytest
from builders import a_questionnaire_in_pages, an_invitation, count_responses
from sqlalchemy import select

from surveys.models import Invitation, Response

from .accessibility import violations
from .pages import expect, fits_the_screen, focused, tab_to
from .test_customer_flows import answers_by_key, the_response

pytestmark = pytest.mark.browser

LOCALE = "en-GB"
FIX = "The parcel came a week late and nobody answered the phone."
WHY = "Quick refund once I reached someone."


def progress(page):
    return page.locator("#survey-progress")


def group(page, key: str):
    """A question's fieldset, found by id: a hidden follow-up has no role to look it up by."""
    return page.locator(f"#q_{key}-group")


def radio(page, name: str):
    return page.get_by_role("radio", name=name, exact=True)


def responses_of(db_session, questionnaire) -> list[Response]:
    db_session.expire_all()
    return db_session.scalars(
        select(Response).where(Response.questionnaire_id == questionnaire.id)
    ).all()


def expect_page_two(page) -> None:
    """Page 2 as a customer who gave a score of 7 or more (or whose follow-up was seen)."""
    expect(progress(page)).to_have_text("Page 2 of 2")
    expect(group(page, "csat")).to_be_visible()
    expect(group(page, "why")).to_be_visible()
    for key in ("nps", "fix", "quote"):
        expect(group(page, key)).to_have_count(0)


# 1. Resumed where it was left


@pytest.mark.parametrize("viewport", ["phone"])
def test_an_invitation_resumes_on_page_two_on_another_device(
    server_url, db_session, contexts, screenshot
):
    questionnaire = a_questionnaire_in_pages(db_session)
    invitation = an_invitation(db_session, questionnaire, customer_ref="C-42")
    link = f"{server_url}/s/{questionnaire.slug}?t={invitation.token}"
    phone = contexts.new(locale=LOCALE)
    page = phone.new_page()

    # Page 1 with the keyboard: 10 on the scale, then the follow-up it brings.
    page.goto(link)
    expect(progress(page)).to_have_text("Page 1 of 2")
    tab_to(page, "input[name=q_nps]")
    page.keyboard.press("Space")
    for _ in range(10):
        page.keyboard.press("ArrowRight")
    expect(radio(page, "10")).to_be_checked()
    expect(group(page, "quote")).to_be_visible()
    expect(group(page, "fix")).to_be_hidden()
    page.keyboard.press("Tab")  # from the scale straight into the follow-up shown in place
    assert focused(page, "input[name=q_quote]"), "Tab from the scale skips the follow-up"
    page.keyboard.press("Space")
    expect(radio(page, "Yes")).to_be_checked()
    tab_to(page, "button[type=submit]")
    expect(page.locator("button[type=submit]")).to_have_text("Next")
    page.keyboard.press("Enter")

    expect_page_two(page)
    (partial,) = responses_of(db_session, questionnaire)
    assert partial.status == "partial" and answers_by_key(partial) == {"nps": 10, "quote": "yes"}

    # The tab is closed; the same link opened later on another device.
    phone.close()
    page = contexts.new(locale=LOCALE).new_page()
    page.goto(link)
    expect_page_two(page)
    radio(page, "4").check()
    page.get_by_role("textbox", name="Question why").fill(WHY)
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you!")

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Already answered")
    expect(page.locator("form.survey-form")).to_have_count(0)
    response = the_response(db_session, questionnaire)
    assert response.status == "complete" and response.invitation_id == invitation.id
    assert answers_by_key(response) == {"nps": 10, "quote": "yes", "csat": 4, "why": WHY}
    assert db_session.get(Invitation, invitation.id).used_at is not None
    screenshot(page)


@pytest.mark.parametrize("viewport", ["phone"])
def test_the_same_browser_resumes_a_public_link_after_leaving_it(
    server_url, db_session, contexts, screenshot
):
    questionnaire = a_questionnaire_in_pages(db_session)
    link = f"{server_url}/s/{questionnaire.slug}"
    page = contexts.new(locale=LOCALE).new_page()

    page.goto(link)
    radio(page, "8").check()  # no follow-up for a passive
    page.get_by_role("button", name="Next").click()
    expect_page_two(page)

    page.goto("about:blank")  # off to something else, then back by the same link
    page.goto(link)
    expect_page_two(page)
    # Another browser has no cookie of it: it starts on page 1.
    other = contexts.new(locale=LOCALE).new_page()
    other.goto(link)
    expect(progress(other)).to_have_text("Page 1 of 2")

    radio(page, "5").check()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you!")
    response = the_response(db_session, questionnaire)
    assert response.status == "complete"
    assert answers_by_key(response) == {"nps": 8, "csat": 5}
    screenshot(page)


# 2. A follow-up in place, with JavaScript


def test_a_detractor_s_follow_up_appears_in_place(
    server_url, db_session, contexts, viewport, screenshot
):
    questionnaire = a_questionnaire_in_pages(db_session)
    page = contexts.new(locale=LOCALE).new_page()
    page.goto(f"{server_url}/s/{questionnaire.slug}")
    fix, quote = group(page, "fix"), group(page, "quote")
    fix_text = page.locator("textarea[name=q_fix]")
    expect(fix).to_be_hidden()
    expect(quote).to_be_hidden()

    radio(page, "3").check()
    expect(fix).to_be_visible()
    expect(quote).to_be_hidden()
    expect(page.get_by_role("group", name="Question fix")).to_be_visible()
    page.keyboard.press("Tab")  # the revealed question comes next in the tab order
    assert focused(page, "textarea[name=q_fix]"), "Tab from the scale misses the follow-up"
    fix_text.fill("Late")

    # A promoter's question instead; then back to 3, where the text typed is still there.
    radio(page, "10").check()
    expect(fix).to_be_hidden()
    expect(quote).to_be_visible()
    radio(page, "Yes").check()
    radio(page, "3").check()
    expect(fix).to_be_visible()
    expect(quote).to_be_hidden()
    expect(fix_text).to_have_value("Late")
    fix_text.fill(FIX)
    fits_the_screen(page)
    screenshot(page, "-follow-up")

    page.get_by_role("button", name="Next").click()
    expect_page_two(page)  # the follow-up was answered in place: not asked again
    (response,) = responses_of(db_session, questionnaire)
    assert response.status == "partial"
    # The quote chosen while the score was 10 was hidden when sent: not stored.
    assert answers_by_key(response) == {"nps": 3, "fix": FIX}
    screenshot(page)


# 3. The same without JavaScript: the follow-up comes on the next step


def test_without_javascript_the_follow_up_is_asked_on_the_next_step(
    server_url, db_session, contexts, screenshot
):
    questionnaire = a_questionnaire_in_pages(db_session)
    page = contexts.new(locale=LOCALE, java_script_enabled=False).new_page()
    page.goto(f"{server_url}/s/{questionnaire.slug}")
    expect(progress(page)).to_have_text("Page 1 of 2")
    expect(group(page, "fix")).to_be_hidden()
    expect(group(page, "quote")).to_be_hidden()

    radio(page, "3").check()
    expect(group(page, "fix")).to_be_hidden()  # no script to show it here
    page.get_by_role("button", name="Next").click()

    # The next step asks the follow-up first, then page 2's own questions.
    expect(progress(page)).to_have_text("Page 2 of 2")
    keys = page.locator("fieldset.question").evaluate_all("els => els.map(e => e.id)")
    assert keys == ["q_fix-group", "q_csat-group", "q_why-group"]
    for key in ("fix", "csat", "why"):
        expect(group(page, key)).to_be_visible()
    (partial,) = responses_of(db_session, questionnaire)
    assert partial.status == "partial" and answers_by_key(partial) == {"nps": 3}

    page.get_by_role("textbox", name="Question fix").fill(FIX)
    radio(page, "2").check()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you!")
    response = the_response(db_session, questionnaire)
    assert response.status == "complete"
    assert answers_by_key(response) == {"nps": 3, "fix": FIX, "csat": 2}
    assert count_responses(db_session, questionnaire) == 1
    screenshot(page)


# 4. axe-core on each step, and on the follow-up revealed


def test_the_steps_and_a_revealed_follow_up_have_no_serious_violations(
    server_url, db_session, contexts, axe, screenshot
):
    questionnaire = a_questionnaire_in_pages(db_session)
    link = f"{server_url}/s/{questionnaire.slug}"
    page = contexts.new(locale=LOCALE, bypass_csp=True).new_page()  # axe is an inline script
    problems: list[str] = []

    def check(where: str) -> None:
        problems.extend(f"{where}: {line}" for line in violations(page, axe))

    page.goto(link)
    check("page 1")
    radio(page, "3").check()
    expect(group(page, "fix")).to_be_visible()
    check("page 1, follow-up revealed")
    page.get_by_role("button", name="Next").click()  # the follow-up is required: an error
    expect(group(page, "fix").locator(".error")).to_be_visible()
    check("page 1, follow-up missing")
    radio(page, "8").check()  # the follow-up no longer applies, nor does its error
    expect(page.locator('.error-summary a[href="#q_fix-legend"]')).to_be_hidden()
    radio(page, "3").check()
    expect(page.locator('.error-summary a[href="#q_fix-legend"]')).to_be_visible()
    page.locator("textarea[name=q_fix]").fill(FIX)
    page.get_by_role("button", name="Next").click()
    expect_page_two(page)
    check("page 2")
    screenshot(page)

    # Page 2 with the follow-up carried over, as without JavaScript: the page's script is
    # refused rather than all script, which axe itself needs.
    page = contexts.new(locale=LOCALE, bypass_csp=True).new_page()
    page.route("**/follow-ups.js", lambda route: route.abort())
    page.goto(link)
    radio(page, "1").check()
    page.get_by_role("button", name="Next").click()
    expect(group(page, "fix")).to_be_visible()
    check("page 2 without JavaScript, follow-up carried over")
    assert problems == [], "\n".join(problems)
