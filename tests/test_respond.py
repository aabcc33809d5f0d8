"""The customer's page /s/<slug>: answer once, in their language, never lose an answer."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from builders import (
    a_draft_questionnaire,
    a_live_questionnaire,
    a_live_questionnaire_with_every_type,
    an_invitation,
    answer_as_a_new_customer,
    count_answers,
    count_responses,
    submission_key,
    survey_url,
)
from sqlalchemy import func, select

from surveys.design_service import close
from surveys.models import Invitation, Journey, Questionnaire, Response
from surveys.question_types import LONG_TEXT_MAX, SHORT_TEXT_MAX

EVERY_ANSWER = {
    "q_nps": "9",
    "q_csat": "4",
    "q_ces": "6",
    "q_rating": "3",
    "q_likert": "7",
    "q_channel": "store",
    "q_extras": ["care", "case"],
    "q_city": "Nantes",
    "q_story": "The parcel came\r\nearly.",
    "q_felt": "joy",
}


def inputs_and_labels(page: str):
    """Every visible input of the form, and whether a label or legend names it."""
    form = page[page.index('<form method="post"') : page.index("</form>")]
    fields = re.findall(r"<(input|textarea|select)\b([^>]*)>", form)
    return [(tag, attrs) for tag, attrs in fields if 'type="hidden"' not in attrs]


def is_checked(page: str, name: str, value: str) -> bool:
    return bool(re.search(rf'name="{name}"\s+value="{value}"\s+checked', page))


# The page


def test_page_works_without_javascript_and_on_a_phone(client, db_session):
    questionnaire = a_live_questionnaire(db_session, "csat")
    page = client.get(f"/s/{questionnaire.slug}").get_data(as_text=True)
    # Its one script (follow-up questions in place) is a file it can do without.
    assert re.findall(r"<script[^>]*>", page) == ['<script src="/static/js/follow-ups.js" defer>']
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in page
    assert '<form method="post"' in page and 'type="submit"' in page


def test_every_input_of_every_question_type_is_labelled(client, db_session):
    questionnaire = a_live_questionnaire_with_every_type(db_session)
    page = client.get(f"/s/{questionnaire.slug}?lang=en").get_data(as_text=True)
    for fieldset in re.findall(r"<fieldset.*?</fieldset>", page, re.S):
        legend = re.search(r"<legend[^>]*>\s*(\S.*?)</legend>", fieldset, re.S)
        assert legend, fieldset[:200]
        for _tag, attrs in re.findall(r"<(input|textarea)\b([^>]*)>", fieldset):
            if 'type="radio"' in attrs or 'type="checkbox"' in attrs:
                # Each choice sits inside its own <label> with visible text.
                assert re.search(
                    r"<label[^>]*>\s*<input[^>]*" + re.escape(attrs.strip()[:40]), fieldset
                ), attrs
            else:
                field_id = re.search(r'id="([^"]+)"', attrs).group(1)
                assert f'<label class="visually-hidden" for="{field_id}">' in fieldset
    assert len(inputs_and_labels(page)) == 11 + 5 + 7 + 4 + 7 + 2 + 3 + 1 + 1 + 8


def test_nps_is_an_eleven_point_radio_group_with_its_end_labels(client, db_session):
    questionnaire = a_live_questionnaire(db_session, "nps", "advocacy")
    page = client.get(f"/s/{questionnaire.slug}?lang=en").get_data(as_text=True)
    values = re.findall(r'type="radio" name="q_nps" value="(\d+)"', page)
    assert values == [str(n) for n in range(11)]
    assert "Not at all likely" in page and "Extremely likely" in page
    french = client.get(f"/s/{questionnaire.slug}?lang=fr").get_data(as_text=True)
    assert "Pas du tout probable" in french and "Extrêmement probable" in french


@pytest.mark.parametrize(
    "languages, url, headers, expected",
    [
        (["fr", "en"], "", {"Accept-Language": "en-GB,en;q=0.9"}, "en"),
        (["fr", "en"], "", {"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"}, "fr"),
        (["fr", "en"], "?lang=en", {"Accept-Language": "fr-FR"}, "en"),
        (["fr", "en"], "?lang=de", {"Accept-Language": "en"}, "en"),
        (["en", "fr"], "", {}, "en"),
        (["fr"], "?lang=en", {"Accept-Language": "en"}, "fr"),
    ],
)
def test_language_comes_from_the_questionnaire_then_the_link_then_the_browser(
    client, db_session, languages, url, headers, expected
):
    questionnaire = a_live_questionnaire(db_session, "csat")
    questionnaire.languages = languages
    db_session.commit()
    page = client.get(f"/s/{questionnaire.slug}{url}", headers=headers).get_data(as_text=True)
    assert f'<html lang="{expected}">' in page
    submit = {"en": "Send my answers", "fr": "Envoyer mes réponses"}[expected]
    assert submit in page


def test_answering_stores_the_response_and_shows_thanks(app, client, db_session):
    questionnaire = a_live_questionnaire_with_every_type(db_session)
    response = answer_as_a_new_customer(app, questionnaire, EVERY_ANSWER, lang="en")
    assert response.status_code == 303
    assert response.headers["Location"].startswith(f"/s/{questionnaire.slug}/thanks")
    thanks = client.get(response.headers["Location"])
    assert "Thank you!" in thanks.get_data(as_text=True)
    stored = db_session.scalars(select(Response)).one()
    assert (stored.language, stored.status, stored.channel) == ("en", "complete", "web")
    answers = {a.question.key: a for a in stored.answers}
    assert answers["nps"].number == 9 and answers["likert"].number == 7
    assert answers["channel"].choice == "store"
    assert answers["extras"].choices == ["case", "care"]
    assert answers["story"].text == "The parcel came\nearly."
    assert answers["felt"].choice == "joy"
    assert {a.stage_id for a in stored.answers} == {questionnaire.stage_id}


def test_answers_about_a_touchpoint_are_filed_under_it(app, db_session):
    questionnaire = a_live_questionnaire(db_session, "csat", "retention", touchpoint_key="delivery")
    answer_as_a_new_customer(app, questionnaire, {"q_csat": "2"})
    stored = db_session.scalars(select(Response)).one()
    assert stored.answers[0].touchpoint_id == questionnaire.touchpoint_id


def test_optional_questions_may_be_left_empty(app, db_session):
    questionnaire = a_live_questionnaire(db_session, "ces", "purchase")
    response = answer_as_a_new_customer(app, questionnaire, {"q_ces": "7", "q_why": "   "})
    assert response.status_code == 303
    assert count_answers(db_session) == 1


# Invalid input


def bad_answer_cases():
    limit_short, limit_long = SHORT_TEXT_MAX, LONG_TEXT_MAX
    yield "missing-required", {"q_nps": ""}, "nps", "Please answer this question."
    yield "nps-too-high", {"q_nps": "11"}, "nps", "Please choose a value on the scale."
    yield "csat-zero", {"q_csat": "0"}, "csat", "Please choose a value on the scale."
    yield "ces-eight", {"q_ces": "8"}, "ces", "Please choose a value on the scale."
    yield "rating-beyond-its-scale", {"q_rating": "5"}, "rating", "value on the scale"
    yield "negative", {"q_nps": "-1"}, "nps", "value on the scale"
    yield "fraction", {"q_csat": "4.5"}, "csat", "Please choose a number on the scale."
    yield "not-a-number", {"q_ces": "seven"}, "ces", "Please choose a number"
    yield "superscript-digit", {"q_nps": "²"}, "nps", "Please choose a number"
    yield "huge-number", {"q_nps": "1" * 400}, "nps", "Please choose a number"
    yield "unknown-choice", {"q_channel": "drone"}, "channel", "Please choose one of the options."
    yield "unknown-multi", {"q_extras": ["case", "x"]}, "extras", "choose one of the options"
    yield "unknown-emotion", {"q_felt": "bored"}, "felt", "choose one of the options"
    yield "repeated-score", {"q_nps": ["9", "10"]}, "nps", "Please give one answer only."
    yield "repeated-choice", {"q_channel": ["web", "store"]}, "channel", "one answer only"
    yield "repeated-text", {"q_city": ["Lyon", "Paris"]}, "city", "one answer only"
    yield "short-text-over", {"q_city": "x" * (limit_short + 1)}, "city", f"{limit_short} char"
    # Written the page's way: "5,000 characters" on an English page, "5 000" on a French one.
    yield "long-text-over", {"q_story": "y" * (limit_long + 1)}, "story", f"{limit_long:,} char"


@pytest.mark.parametrize(
    "change, key, message",
    [case[1:] for case in bad_answer_cases()],
    ids=[case[0] for case in bad_answer_cases()],
)
def test_invalid_answer_redisplays_the_page_with_the_error_and_stores_nothing(
    app, db_session, change, key, message
):
    questionnaire = a_live_questionnaire_with_every_type(db_session, required=True)
    answers = {**EVERY_ANSWER, **change}
    response = answer_as_a_new_customer(app, questionnaire, answers, lang="en")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    fieldset = re.search(rf'<fieldset[^>]*id="q_{key}-group".*?</fieldset>', page, re.S).group(0)
    assert 'class="error"' in fieldset and message in fieldset
    assert 'role="alert"' in page
    # Every other answer is still there.
    assert is_checked(page, "q_channel", "store") or key == "channel"
    assert 'value="Nantes"' in page or key == "city"
    assert "The parcel came" in page or key == "story"
    assert is_checked(page, "q_felt", "joy") or key == "felt"
    assert count_responses(db_session) == 0 and count_answers(db_session) == 0


def test_text_at_the_documented_limit_is_accepted(app, db_session):
    questionnaire = a_live_questionnaire_with_every_type(db_session)
    answers = {"q_city": "c" * SHORT_TEXT_MAX, "q_story": "s" * LONG_TEXT_MAX}
    assert answer_as_a_new_customer(app, questionnaire, answers).status_code == 303


def test_invalid_french_answer_is_explained_in_french(app, db_session):
    questionnaire = a_live_questionnaire(db_session, "nps", "advocacy")
    response = answer_as_a_new_customer(app, questionnaire, {"q_nps": "12"}, lang="fr")
    assert "Merci de choisir une valeur sur l" in response.get_data(as_text=True)


# Once only


def test_second_submit_of_same_form_stores_one_response(client, forms, db_session):
    questionnaire = a_live_questionnaire(db_session, "csat")
    url = f"/s/{questionnaire.slug}"
    data = {"q_csat": "5", "q_why": "Quick", "submission_key": submission_key()}
    token = forms.token(url)
    first = client.post(url, data={**data, "csrf_token": token})
    client.delete_cookie("session")  # a replay from another browser, same rendered form
    second = forms.post(url, data)
    assert (first.status_code, second.status_code) == (303, 303)
    assert count_responses(db_session) == 1 and count_answers(db_session) == 2


def test_back_button_after_answering_says_it_was_already_answered(client, forms, db_session):
    questionnaire = a_live_questionnaire(db_session, "csat")
    url = f"/s/{questionnaire.slug}?lang=en"
    token = forms.token(url)
    forms.post(url, {"q_csat": "4", "submission_key": submission_key()})
    again = client.get(url)
    assert "Already answered" in again.get_data(as_text=True)
    # The page kept in the history, sent again with another answer.
    data = {"csrf_token": token, "q_csat": "1", "submission_key": submission_key()}
    resend = client.post(url, data=data)
    assert "Already answered" in resend.get_data(as_text=True)
    assert count_responses(db_session) == 1


def test_forged_submission_key_is_ignored_not_trusted(app, db_session):
    questionnaire = a_live_questionnaire(db_session, "csat")
    for _ in range(2):
        answer_as_a_new_customer(app, questionnaire, {"q_csat": "3", "submission_key": "x' OR 1"})
    assert count_responses(db_session) == 2


# Invitations


def test_invitation_link_is_answered_once(app, client, forms, db_session):
    questionnaire = a_live_questionnaire(db_session, "nps", "advocacy")
    invitation = an_invitation(db_session, questionnaire)
    url = survey_url(questionnaire, t=invitation.token, lang="en")
    response = forms.post(url, {"q_nps": "10", "submission_key": submission_key(), "script": "1"})
    assert response.status_code == 303
    stored = db_session.scalars(select(Response)).one()
    assert stored.invitation_id == invitation.id and stored.status == "complete"
    assert stored.meta == {"order_id": "A-42", "customer_ref": "C-1001"}
    # From another browser, the same link says it was already answered.
    other = app.test_client()
    again = other.get(url)
    assert again.status_code == 200 and "Already answered" in again.get_data(as_text=True)
    assert 'name="q_nps"' not in again.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(Invitation, invitation.id).used_at is not None


def test_second_answer_to_an_invitation_from_an_open_page_stores_nothing(app, db_session):
    from builders import csrf_token_from

    questionnaire = a_live_questionnaire(db_session, "nps", "advocacy")
    invitation = an_invitation(db_session, questionnaire)
    url = survey_url(questionnaire, t=invitation.token, lang="en")
    phone, laptop = app.test_client(), app.test_client()
    tokens = [csrf_token_from(b.get(url).get_data(as_text=True)) for b in (phone, laptop)]
    for browser, token in zip((phone, laptop), tokens, strict=True):
        data = {"csrf_token": token, "q_nps": "8", "submission_key": submission_key()}
        browser.post(url, data=data)
    assert count_responses(db_session) == 1


def test_expired_invitation_gets_a_kind_410(client, db_session):
    questionnaire = a_live_questionnaire(db_session, "csat")
    invitation = an_invitation(db_session, questionnaire, expires_in=timedelta(days=-1))
    response = client.get(survey_url(questionnaire, t=invitation.token, lang="en"))
    assert response.status_code == 410
    assert "This link has expired" in response.get_data(as_text=True)


def test_invitation_not_yet_expired_is_accepted(client, db_session):
    questionnaire = a_live_questionnaire(db_session, "csat")
    invitation = an_invitation(db_session, questionnaire, expires_in=timedelta(days=7))
    assert client.get(survey_url(questionnaire, t=invitation.token)).status_code == 200


def test_posting_to_an_expired_invitation_stores_nothing(client, forms, db_session):
    questionnaire = a_live_questionnaire(db_session, "csat")
    invitation = an_invitation(db_session, questionnaire, expires_in=timedelta(days=-1))
    url = survey_url(questionnaire, t=invitation.token)
    response = forms.post(url, {"q_csat": "5"}, page_url=f"/s/{questionnaire.slug}")
    assert response.status_code == 410
    assert count_responses(db_session) == 0


@pytest.mark.parametrize("whose", ["another-questionnaire", "unknown", "oversized"])
def test_token_of_another_questionnaire_or_unknown_token_is_refused(
    client, forms, db_session, whose
):
    questionnaire = a_live_questionnaire(db_session, "csat")
    other = a_live_questionnaire(db_session, "nps", "advocacy", journey=questionnaire.journey)
    token = {
        "another-questionnaire": an_invitation(db_session, other).token,
        "unknown": "A" * 43,
        "oversized": "A" * 500,
    }[whose]
    url = survey_url(questionnaire, t=token, lang="en")
    response = client.get(url)
    assert response.status_code == 404
    assert "This link is not valid" in response.get_data(as_text=True)
    posted = forms.post(url, {"q_csat": "5"}, page_url=f"/s/{questionnaire.slug}")
    assert posted.status_code == 404
    assert count_responses(db_session) == 0


# Closed, draft, unknown


def test_closed_questionnaire_answers_410_with_a_kind_page(client, forms, db_session):
    questionnaire = a_live_questionnaire(db_session, "csat")
    url = f"/s/{questionnaire.slug}?lang=en"
    token = forms.token(url)
    close(db_session.get(Questionnaire, questionnaire.id))
    db_session.commit()
    response = client.get(url)
    assert response.status_code == 410
    assert "This questionnaire is closed" in response.get_data(as_text=True)
    posted = client.post(url, data={"csrf_token": token, "q_csat": "5"})
    assert posted.status_code == 410
    assert count_responses(db_session) == 0


@pytest.mark.parametrize("slug", ["draft", "nope", "x" * 300])
def test_draft_or_unknown_slug_is_a_404_page_in_the_site_style(client, db_session, slug):
    if slug == "draft":
        slug = a_draft_questionnaire(db_session, "csat").slug
    response = client.get(f"/s/{slug}")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Page not found" in page and "/static/css/parcours.css" in page


@pytest.mark.parametrize("slug", ["draft", "nope"])
def test_posting_to_a_draft_or_unknown_slug_without_a_token_is_a_404(client, db_session, slug):
    if slug == "draft":
        slug = a_draft_questionnaire(db_session, "csat").slug
    response = client.post(f"/s/{slug}", data={"q_csat": "5"})
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


# CSRF


@pytest.mark.parametrize("token", [None, "forged-token"])
def test_missing_or_wrong_csrf_token_keeps_every_answer_and_asks_to_send_again(
    client, db_session, token
):
    questionnaire = a_live_questionnaire_with_every_type(db_session)
    data = {**EVERY_ANSWER, "submission_key": submission_key()}
    if token:
        data["csrf_token"] = token
    response = client.post(f"/s/{questionnaire.slug}?lang=en", data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Your page had expired. We kept your answers: please send them again." in page
    assert is_checked(page, "q_nps", "9")
    assert is_checked(page, "q_extras", "care")
    assert 'value="Nantes"' in page and "The parcel came" in page
    assert count_responses(db_session) == 0
    # The page it gives back carries a fresh token: sending again works.
    resend = client.post(
        f"/s/{questionnaire.slug}?lang=en",
        data={**data, "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page)[1]},
    )
    assert resend.status_code == 303
    assert count_responses(db_session) == 1


def test_missing_csrf_token_on_an_invitation_keeps_the_invitation(client, db_session):
    questionnaire = a_live_questionnaire(db_session, "csat")
    invitation = an_invitation(db_session, questionnaire)
    response = client.post(
        survey_url(questionnaire, t=invitation.token), data={"q_csat": "2", "lang": "en"}
    )
    assert response.status_code == 400
    assert f"?t={invitation.token}" in response.get_data(as_text=True)


def test_answer_to_a_question_about_a_touchpoint_is_filed_under_that_touchpoint(app, db_session):
    from surveys.design_service import add_question

    questionnaire = a_live_questionnaire(db_session, "csat", "retention")
    packaging = questionnaire.journey.touchpoint_by_key("packaging")
    spec = {"key": "box", "type": "csat", "prompt": {"en": "The box?"}}
    add_question(db_session, questionnaire, {**spec, "touchpoint_id": packaging.id})
    db_session.commit()
    answer_as_a_new_customer(app, questionnaire, {"q_csat": "4", "q_box": "1"})
    stored = {a.question.key: a for a in db_session.scalars(select(Response)).one().answers}
    assert stored["box"].touchpoint_id == packaging.id
    assert stored["csat"].touchpoint_id is None


@pytest.mark.parametrize(
    "url",
    ["/s/ab%00cd", "/s/{slug}?t=ab%00cd", "/s/{slug}?lang=f%00r", "/login?next=/h%00ome"],
)
def test_nul_characters_in_a_link_are_refused_with_400(client, db_session, url):
    questionnaire = a_live_questionnaire(db_session)
    response = client.get(url.format(slug=questionnaire.slug))
    assert response.status_code == 400
    assert "Reload the page" in response.get_data(as_text=True)


def test_nul_characters_in_a_posted_form_store_nothing(client, auth, forms, db_session):
    auth.login()
    response = forms.post(
        "/journeys/new", {"name": "Shop\x00", "template": "five-stage"}, page_url="/journeys/new"
    )
    assert response.status_code == 400
    assert db_session.scalar(select(func.count(Journey.id))) == 0


def test_a_body_over_the_documented_limit_is_refused_with_413(client, db_session):
    questionnaire = a_live_questionnaire(db_session)
    response = client.post(f"/s/{questionnaire.slug}", data={"q_why": "x" * (1024 * 1024 + 1)})
    assert response.status_code == 413
    assert count_responses(db_session) == 0


@pytest.mark.parametrize(
    "url",
    ["/journeys/99999999999999999999999", "/stages/2147483648/edit", "/responses/2147483648"],
)
def test_an_id_beyond_the_database_range_is_a_404(client, auth, url):
    auth.login()
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("page", ["99999999999999999999", "-3", "two"])
def test_any_page_number_of_the_response_list_shows_a_page(client, auth, db_session, page):
    questionnaire = a_live_questionnaire(db_session)
    auth.login()
    response = client.get(f"/questionnaires/{questionnaire.id}/responses?page={page}")
    assert response.status_code == 200
