"""A customer answers in a real Chromium, on a phone and on a desktop screen."""

from __future__ import annotations

import re

import pytest
from builders import a_live_questionnaire, an_invitation, count_responses
from sqlalchemy import select

from surveys.models import Invitation, Response

from .pages import expect, fits_the_screen, focused, tab_to

pytestmark = pytest.mark.browser

NPS_PROMPT = {
    "fr": "Quelle est la probabilité que vous nous recommandiez à un ami ou un collègue ?",
    "en": "How likely are you to recommend us to a friend or colleague?",
}
WORDS = {
    "fr": {
        "title": "Nous recommanderiez-vous ?",
        "thanks": "Merci !",
        "already": "Déjà répondu",
        "required": "Merci de répondre à cette question.",
        "submit": "Envoyer mes réponses",
        "ends": ("Pas du tout probable", "Extrêmement probable"),
        "why": "Livraison rapide, conseils clairs en magasin.",
    },
    "en": {
        "title": "Would you recommend us?",
        "thanks": "Thank you!",
        "already": "Already answered",
        "required": "Please answer this question.",
        "submit": "Send my answers",
        "ends": ("Not at all likely", "Extremely likely"),
        "why": "Fast delivery, clear advice in the shop.",
    },
}


def focused_value(page) -> str:
    return page.evaluate("() => document.activeElement.value")


def has_focus_ring(page) -> bool:
    """The focused radio's visible box (its label's span, or the radio itself) is outlined."""
    return page.evaluate(
        """() => {
          const el = document.activeElement;
          const box = el.matches('.scale-point input') ? el.nextElementSibling : el;
          return getComputedStyle(box).outlineStyle !== 'none';
        }"""
    )


def the_response(db_session, questionnaire) -> Response:
    db_session.expire_all()
    responses = db_session.scalars(
        select(Response).where(Response.questionnaire_id == questionnaire.id)
    ).all()
    assert len(responses) == 1, f"{len(responses)} responses stored, expected one"
    return responses[0]


def answers_by_key(response: Response) -> dict:
    found = {}
    for answer in response.answers:
        if answer.number is not None:
            found[answer.question.key] = answer.number
        elif answer.choice is not None:
            found[answer.question.key] = answer.choice
        else:
            found[answer.question.key] = (answer.text or "").replace("\r\n", "\n")
    return found


# 1. Keyboard only, from an invitation link


@pytest.mark.parametrize("language", ["fr", "en"])
def test_invited_customer_answers_with_the_keyboard_only(
    language, server_url, db_session, contexts, screenshot
):
    words = WORDS[language]
    questionnaire = a_live_questionnaire(db_session, "nps", "advocacy")
    invitation = an_invitation(db_session, questionnaire, customer_ref="C-77")
    link = f"{server_url}/s/{questionnaire.slug}?t={invitation.token}"
    page = contexts.new(locale="fr-FR" if language == "fr" else "en-US").new_page()

    page.goto(link)
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.get_by_role("heading", level=1)).to_have_text(words["title"])

    # Into the scale: the first point has the focus, visibly, and nothing is chosen yet.
    tab_to(page, "input[name=q_nps]")
    assert focused_value(page) == "0"
    assert has_focus_ring(page), "the focused scale point shows no focus ring"
    expect(page.locator("input[name=q_nps]:checked")).to_have_count(0)
    page.keyboard.press("Space")
    expect(page.get_by_role("radio", name="0", exact=True)).to_be_checked()
    for _ in range(9):
        page.keyboard.press("ArrowRight")
    assert focused_value(page) == "9"
    expect(page.get_by_role("radio", name="9", exact=True)).to_be_checked()
    expect(page.locator("input[name=q_nps]:checked")).to_have_count(1)

    # Tab leaves the radio group for the text box.
    page.keyboard.press("Tab")
    assert focused(page, "textarea[name=q_why]"), "Tab from the scale does not reach the text"
    page.keyboard.type(words["why"])
    expect(page.locator("textarea[name=q_why]")).to_have_value(words["why"])

    page.keyboard.press("Tab")
    assert focused(page, "input[name=q_emotion]")
    page.keyboard.press("ArrowDown")  # joy -> trust
    assert focused_value(page) == "trust"
    assert has_focus_ring(page)

    tab_to(page, "button[type=submit]")
    expect(page.locator("button[type=submit]")).to_have_text(words["submit"])
    page.keyboard.press("Enter" if language == "fr" else "Space")

    expect(page.get_by_role("heading", level=1)).to_have_text(words["thanks"])
    response = the_response(db_session, questionnaire)
    assert response.language == language
    assert response.invitation_id == invitation.id
    assert answers_by_key(response) == {"nps": 9, "why": words["why"], "emotion": "trust"}
    assert db_session.get(Invitation, invitation.id).used_at is not None

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text(words["already"])
    expect(page.locator("form.survey-form")).to_have_count(0)
    assert count_responses(db_session, questionnaire) == 1
    screenshot(page)


# 2. Without JavaScript


def test_questionnaire_works_without_javascript(server_url, db_session, contexts, screenshot):
    questionnaire = a_live_questionnaire(db_session, "nps", "advocacy")
    link = f"{server_url}/s/{questionnaire.slug}"
    page = contexts.new(java_script_enabled=False).new_page()

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text(WORDS["fr"]["title"])
    page.get_by_role("radio", name="10", exact=True).click()
    page.get_by_label("Quelle est la principale raison").fill("Rien à redire.")
    page.get_by_role("radio", name="Content·e").click()
    page.get_by_role("button", name=WORDS["fr"]["submit"]).click()

    # A promoter's follow-up could not appear in place: it is asked on the next step, and
    # the answers already sent are kept (a partial response) until the last step.
    expect(page.get_by_role("group", name="Pouvons-nous citer votre réponse ?")).to_be_visible()
    assert the_response(db_session, questionnaire).status == "partial"
    page.get_by_role("button", name=WORDS["fr"]["submit"]).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(WORDS["fr"]["thanks"])
    response = the_response(db_session, questionnaire)
    assert response.language == "fr" and response.status == "complete"
    assert answers_by_key(response) == {"nps": 10, "why": "Rien à redire.", "emotion": "joy"}

    page.goto(link)  # the same browser, no invitation: remembered by its cookie
    expect(page.get_by_role("heading", level=1)).to_have_text(WORDS["fr"]["already"])
    assert count_responses(db_session, questionnaire) == 1
    screenshot(page)


# 3. A mistake, shown where it is and fixed


def test_missing_score_is_shown_next_to_it_and_nothing_typed_is_lost(
    server_url, db_session, contexts, viewport, screenshot
):
    questionnaire = a_live_questionnaire(db_session, "nps", "advocacy")
    page = contexts.new().new_page()
    long_text = (
        "Commande passée le lundi, colis annoncé pour le mercredi, arrivé le lundi suivant "
        "sans aucun suivi entre-temps.\nLe service client a répondu au bout de trois jours. "
    ) * 6

    page.goto(f"{server_url}/s/{questionnaire.slug}")
    why = page.locator("textarea[name=q_why]")
    why.fill(long_text)
    page.get_by_role("radio", name="Déçu·e").check()
    page.get_by_role("button", name=WORDS["fr"]["submit"]).click()

    # The page comes back: summary at the top, error inside the question's fieldset.
    summary = page.get_by_role("alert")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text(NPS_PROMPT["fr"])
    group = page.get_by_role("group", name=re.compile("probabilité"))
    error = group.locator(".error")
    expect(error).to_have_text(WORDS["fr"]["required"])
    expect(error).to_be_visible()
    expect(group).to_have_accessible_description(re.compile(WORDS["fr"]["required"]))
    assert summary.bounding_box()["y"] < group.bounding_box()["y"]
    # The summary's link leads to the question.
    summary.get_by_role("link", name=NPS_PROMPT["fr"]).click()
    assert page.url.endswith("#q_nps-legend")

    # Everything typed is still there; nothing was stored.
    expect(why).to_have_value(long_text)
    expect(page.get_by_role("radio", name="Déçu·e")).to_be_checked()
    assert count_responses(db_session, questionnaire) == 0
    fits_the_screen(page)
    screenshot(page, "-error")

    # Fixed and sent once.
    page.get_by_role("radio", name="3", exact=True).check()
    page.get_by_role("button", name=WORDS["fr"]["submit"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(WORDS["fr"]["thanks"])
    response = the_response(db_session, questionnaire)
    assert answers_by_key(response) == {"nps": 3, "why": long_text.strip(), "emotion": "sadness"}
    screenshot(page)


# 5. What a person sees on the scale


def test_nps_scale_is_readable_named_and_fits_a_phone(
    server_url, db_session, contexts, viewport, screenshot
):
    questionnaire = a_live_questionnaire(db_session, "nps", "advocacy")
    page = contexts.new().new_page()
    page.goto(f"{server_url}/s/{questionnaire.slug}")
    width = page.viewport_size["width"]

    group = page.get_by_role("group", name=re.compile("probabilité"))
    radios = group.get_by_role("radio")
    expect(radios).to_have_count(11)
    for value in range(11):
        expect(group.get_by_role("radio", name=str(value), exact=True)).to_be_visible()
    for label in WORDS["fr"]["ends"]:
        end = group.locator(".scale-ends span", has_text=label)
        expect(end).to_be_visible()
        box = end.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, f"{label!r} is cut off"

    # Every field of the form has an accessible name: the scale, why, the emotions and the
    # button; the follow-ups (a text for 0-6, three choices for 9-10) wait hidden.
    controls = "form.survey-form :is(input:not([type=hidden]), textarea, select, button)"
    fields = page.locator(f"{controls} >> visible=true")
    assert fields.count() == 11 + 1 + 8 + 1
    assert page.locator(controls).count() == 11 + 1 + 8 + 1 + 1 + 3
    for index in range(fields.count()):
        expect(fields.nth(index)).to_have_accessible_name(re.compile(r"\S"))
    page.get_by_role("radio", name="3", exact=True).check()  # a detractor: asked what to fix
    expect(page.get_by_role("textbox", name=re.compile("corriger en priorité"))).to_be_visible()
    snapshot = page.locator("form.survey-form").aria_snapshot()
    assert 'radio "0"' in snapshot and 'radio "10"' in snapshot
    assert 'textbox "Quelle est la principale raison de votre réponse ?"' in snapshot

    # Tap targets of the scale: at least 44 px tall, and the whole box takes the tap.
    for index in range(11):
        point = group.locator("label.scale-point").nth(index)
        box = point.bounding_box()
        assert box["height"] >= 44, f"scale point {index} is {box['height']} px tall"
        assert box["width"] >= 24, f"scale point {index} is {box['width']} px wide"
    group.locator("label.scale-point").nth(7).click(position={"x": 3, "y": 3})
    expect(group.get_by_role("radio", name="7", exact=True)).to_be_checked()

    # The emotion radios keep their size next to long labels.
    sizes = {
        round(page.locator("input[name=q_emotion]").nth(i).bounding_box()["width"])
        for i in range(8)
    }
    assert len(sizes) == 1, f"emotion radios of different widths: {sizes}"

    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    if viewport == "desktop":  # one row of 11 on a wide screen
        tops = {
            round(group.locator("label.scale-point").nth(i).bounding_box()["y"]) for i in range(11)
        }
        assert len(tops) == 1
    screenshot(page)
