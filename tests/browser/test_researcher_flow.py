"""A researcher builds, previews and publishes a questionnaire; a customer answers it."""

from __future__ import annotations

import re

import pytest
from builders import PASSWORD, a_user
from sqlalchemy import select

from surveys.models import Journey, Questionnaire, Response

from .conftest import VIEWPORTS
from .pages import expect, fits_the_screen

pytestmark = pytest.mark.browser

CSAT_PROMPT = "Êtes-vous satisfait·e de « Code promo » ?"
WHY = "Paiement simple, mais le code promo a été refusé deux fois."


def questions_shown(page) -> list[tuple[str, int]]:
    """Each question of the survey form: its legend and how many fields it offers."""
    return page.evaluate(
        """() => [...document.querySelectorAll('form.survey-form fieldset')].map(f => [
             f.querySelector('legend').innerText.replace(/\\s+/g, ' ').trim(),
             f.querySelectorAll('input:not([type=hidden]), textarea, select').length])"""
    )


def test_researcher_publishes_a_questionnaire_and_reads_the_answer(
    server_url, db_session, contexts, screenshot
):
    a_user(db_session, "lea@example.com", "researcher")
    page = contexts.new(locale="en-GB").new_page()

    # Log in.
    page.goto(f"{server_url}/login")
    page.get_by_label("Email").fill("lea@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()

    # A journey from the five-stage template.
    page.get_by_role("link", name="New journey").first.click()
    page.get_by_label("Name").fill("Boutique en ligne")
    page.get_by_label("Start from").select_option("five-stage")
    page.get_by_role("button", name="Create the journey").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Boutique en ligne")
    stages = page.locator("ol.stages > li h3")
    expect(stages).to_have_count(5)
    expect(stages.nth(2)).to_contain_text("Purchase")
    fits_the_screen(page)

    # A touchpoint of the purchase stage.
    add = page.locator("section", has=page.get_by_role("heading", name="Add a touchpoint"))
    add.get_by_label("Name (English)").fill("Promo code")
    add.get_by_label("Name (French)").fill("Code promo")
    add.get_by_label("Channel").select_option("digital")
    add.get_by_label("Purchase").check()
    add.get_by_role("button", name="Add the touchpoint").click()
    expect(page.get_by_role("row", name=re.compile("Promo code"))).to_contain_text("Purchase")

    # A CSAT questionnaire for the purchase stage, from the stage template.
    page.get_by_role("link", name="New questionnaire").click()
    page.get_by_label("Stage", exact=True).select_option(label="Purchase")
    page.get_by_label("Touchpoint", exact=True).select_option(label="Promo code")
    page.get_by_label("Kind", exact=True).select_option("csat")
    expect(page.get_by_label("Start from the stage template")).to_be_checked()
    page.get_by_role("button", name="Create the draft").click()
    expect(page.locator(".badge")).to_have_text("draft")
    expect(page.locator("ol.questions > li")).to_have_count(4)  # with "What went wrong?"
    expect(page.locator("ol.questions")).to_contain_text(CSAT_PROMPT)
    fits_the_screen(page)

    # The preview shows what customers will see, in each of the questionnaire's languages.
    page.get_by_role("link", name="Preview").click()
    expect(page.get_by_role("note")).to_contain_text("Preview")
    page.get_by_role("navigation", name="Language").get_by_role("link", name="Français").click()
    expect(page.get_by_role("note")).to_contain_text("Aperçu")
    preview = questions_shown(page)
    # The three questions, and "What went wrong?" (shown when the CSAT is 1 or 2).
    assert [fields for _, fields in preview] == [5, 1, 8, 1]
    assert preview[0][0].startswith(CSAT_PROMPT)
    page.go_back()
    page.go_back()

    # Publish, then read the public link from the page.
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".badge")).to_have_text("live")
    public_link = page.get_by_label("Public link").input_value()
    assert re.fullmatch(re.escape(server_url) + r"/s/[A-Za-z0-9_-]+", public_link)
    screenshot(page, "-published")

    # A customer opens it on a phone, in a fresh browser, and answers in French.
    customer = contexts.new(
        locale="fr-FR", viewport=VIEWPORTS["phone"], is_mobile=True, has_touch=True
    ).new_page()
    customer.goto(public_link)
    expect(customer.get_by_role("heading", level=1)).to_contain_text("Votre satisfaction")
    assert questions_shown(customer) == preview
    customer.get_by_role("radio", name="4", exact=True).tap()
    customer.get_by_label("Quelle est la principale raison").fill(WHY)
    customer.get_by_role("radio", name="Surpris·e").tap()
    customer.get_by_role("button", name="Envoyer mes réponses").tap()
    expect(customer.get_by_role("heading", level=1)).to_have_text("Merci !")

    # The researcher sees it in the questionnaire's responses.
    page.reload()
    page.get_by_role("link", name="Responses").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Responses (1)")
    row = page.locator("table.responses tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("fr")
    expect(row).to_contain_text(WHY)
    fits_the_screen(page)

    db_session.expire_all()
    journey = db_session.scalar(select(Journey).where(Journey.name == "Boutique en ligne"))
    questionnaire = db_session.scalar(
        select(Questionnaire).where(Questionnaire.journey_id == journey.id)
    )
    assert (questionnaire.kind, questionnaire.status) == ("csat", "live")
    assert questionnaire.stage.key == "purchase"
    assert questionnaire.touchpoint.name_fr == "Code promo"
    assert public_link.endswith(f"/s/{questionnaire.slug}")
    (response,) = db_session.scalars(
        select(Response).where(Response.questionnaire_id == questionnaire.id)
    ).all()
    assert response.language == "fr"
    stored = {a.question.key: (a.number, a.choice, a.text) for a in response.answers}
    assert stored == {
        "csat": (4, None, None),
        "why": (None, None, WHY),
        "emotion": (None, "surprise", None),
    }
    assert all(a.touchpoint_id == questionnaire.touchpoint_id for a in response.answers)
    screenshot(page)
