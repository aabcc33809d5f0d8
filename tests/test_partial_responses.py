"""Questionnaires in pages and follow-up questions: each step is kept, resumed, completed once."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from builders import (
    a_questionnaire_in_pages,
    an_invitation,
    count_responses,
    csrf_token_from,
    submission_key,
    survey_url,
)
from sqlalchemy import select

from feedback.filters import Filters
from feedback.journey_map import drop_off, journey_map
from surveys import rollups
from surveys.models import Response, utcnow


class Customer:
    """One browser: opens the questionnaire's page and sends what it shows."""

    def __init__(self, app, questionnaire, **params):
        self.browser = app.test_client()
        self.browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        self.url = survey_url(questionnaire, **params)
        self.page = ""

    def open(self):
        reply = self.browser.get(self.url)
        self.page = reply.get_data(as_text=True)
        return reply

    def fields(self, page=None) -> set[str]:
        """The questions the page shows (not hidden)."""
        page = page or self.page
        shown = re.findall(r'<fieldset class="question[^"]*" id="q_(\w+)-group"([^>]*)>', page)
        return {key for key, attrs in shown if not re.search(r"\shidden(\s|$)", attrs)}

    def send(self, answers: dict, *, script=False, key=None, page=None):
        page = page or self.page
        data = {
            "csrf_token": csrf_token_from(page),
            "submission_key": key or re.search(r'name="submission_key" value="(\w+)"', page)[1],
            "step_keys": re.search(r'name="step_keys" value="([\w,]*)"', page)[1],
            "script": "1" if script else "",
            **answers,
        }
        return self.browser.post(self.url, data=data)


def stored(session, questionnaire) -> list[Response]:
    session.expire_all()
    return session.scalars(
        select(Response).where(Response.questionnaire_id == questionnaire.id)
    ).all()


def keys_answered(response: Response) -> dict[str, object]:
    keys = {q.id: q.key for q in response.version.questions}
    return {keys[a.question_id]: a.number or a.choice or a.text for a in response.answers}


def test_each_page_is_saved_as_a_partial_response_and_the_last_completes_it(app, db_session):
    questionnaire = a_questionnaire_in_pages(db_session)
    customer = Customer(app, questionnaire)
    customer.open()
    assert "Page 1 of 2" in customer.page
    assert customer.fields() == {"nps"}  # the follow-ups wait for the score
    reply = customer.send({"q_nps": "10", "q_quote": "yes"}, script=True)
    assert reply.status_code == 303 and reply.location.endswith(customer.url)

    (response,) = stored(db_session, questionnaire)
    assert response.status == "partial" and response.page_reached == 1
    assert keys_answered(response) == {"nps": 10, "quote": "yes"}
    assert rollups.differences(db_session) == []

    customer.open()
    assert "Page 2 of 2" in customer.page and customer.fields() == {"csat", "why"}
    reply = customer.send({"q_csat": "4", "q_why": "Quick"})
    assert reply.status_code == 303 and "/thanks" in reply.location
    (response,) = stored(db_session, questionnaire)
    assert response.status == "complete"
    assert keys_answered(response) == {"nps": 10, "quote": "yes", "csat": 4, "why": "Quick"}
    assert rollups.differences(db_session) == []
    # Coming back says it was answered; nothing new is started.
    customer.open()
    assert "Already answered" in customer.page
    assert count_responses(db_session, questionnaire) == 1


def test_an_invitation_link_resumes_on_another_device(app, db_session):
    questionnaire = a_questionnaire_in_pages(db_session)
    invitation = an_invitation(db_session, questionnaire, customer_ref="C-7")
    phone = Customer(app, questionnaire, t=invitation.token)
    phone.open()
    phone.send({"q_nps": "8"}, script=True)

    laptop = Customer(app, questionnaire, t=invitation.token)
    laptop.open()
    assert laptop.fields() == {"csat", "why"}
    laptop.send({"q_csat": "5"})
    (response,) = stored(db_session, questionnaire)
    assert response.status == "complete" and response.invitation_id == invitation.id
    assert response.meta["customer_ref"] == "C-7"
    db_session.refresh(invitation)
    assert invitation.used_at is not None
    phone.open()
    assert "Already answered" in phone.page


def test_the_same_browser_resumes_a_public_link_and_another_starts_afresh(app, db_session):
    questionnaire = a_questionnaire_in_pages(db_session)
    first = Customer(app, questionnaire)
    first.open()
    first.send({"q_nps": "9"}, script=True)
    first.open()
    assert first.fields() == {"csat", "why"}  # after a phone call, the same page comes back

    other = Customer(app, questionnaire)
    other.open()
    assert other.fields() == {"nps"}
    other.send({"q_nps": "7"}, script=True)
    assert [r.status for r in stored(db_session, questionnaire)] == ["partial", "partial"]


def test_without_javascript_a_follow_up_that_applies_comes_on_the_next_page(app, db_session):
    questionnaire = a_questionnaire_in_pages(db_session)
    customer = Customer(app, questionnaire)
    customer.open()
    # The script never ran: "fix" stayed hidden, so its emptiness is no error.
    assert customer.send({"q_nps": "3"}).status_code == 303
    customer.open()
    assert customer.fields() == {"fix", "csat", "why"}
    reply = customer.send({"q_csat": "2"})
    assert reply.status_code == 422  # "fix" applies and is required: asked, not skipped
    assert "Please answer this question." in reply.get_data(as_text=True)
    assert 'value="2" checked' in reply.get_data(as_text=True)  # what they chose is kept
    customer.send({"q_fix": "Delivery times", "q_csat": "2"}, page=reply.get_data(as_text=True))
    (response,) = stored(db_session, questionnaire)
    assert response.status == "complete"
    assert keys_answered(response) == {"nps": 3, "fix": "Delivery times", "csat": 2}


def test_with_javascript_a_required_follow_up_is_asked_on_the_same_page(app, db_session):
    questionnaire = a_questionnaire_in_pages(db_session)
    customer = Customer(app, questionnaire)
    customer.open()
    reply = customer.send({"q_nps": "2"}, script=True)
    assert reply.status_code == 422
    page = reply.get_data(as_text=True)
    assert "fix" in customer.fields(page) and "quote" not in customer.fields(page)
    assert count_responses(db_session, questionnaire) == 0
    assert (
        customer.send({"q_nps": "2", "q_fix": "Price"}, script=True, page=page).status_code == 303
    )
    customer.open()
    assert customer.fields() == {"csat", "why"}  # the follow-up was seen: not asked again


def test_a_hidden_follow_up_s_stale_answer_is_not_stored(app, db_session):
    questionnaire = a_questionnaire_in_pages(db_session, pages=1)
    customer = Customer(app, questionnaire)
    customer.open()
    # The customer first chose 3, typed why, then changed their score to 10.
    reply = customer.send({"q_nps": "10", "q_fix": "Typed before", "q_quote": "no"}, script=True)
    assert "/thanks" in reply.location
    (response,) = stored(db_session, questionnaire)
    assert response.status == "complete"
    assert keys_answered(response) == {"nps": 10, "quote": "no"}


def test_a_one_page_questionnaire_without_javascript_asks_its_follow_up_then_completes(
    app, db_session
):
    questionnaire = a_questionnaire_in_pages(db_session, pages=1)
    customer = Customer(app, questionnaire)
    customer.open()
    assert "Page 1 of" not in customer.page
    customer.send({"q_nps": "4"})
    (response,) = stored(db_session, questionnaire)
    assert response.status == "partial"  # never complete while the follow-up is owed
    customer.open()
    assert customer.fields() == {"fix"}
    assert "/thanks" in customer.send({"q_fix": "Too slow"}).location
    (response,) = stored(db_session, questionnaire)
    assert response.status == "complete" and keys_answered(response)["fix"] == "Too slow"


def test_partial_responses_count_in_the_drop_off_not_in_scores(app, db_session):
    questionnaire = a_questionnaire_in_pages(db_session)
    for score in ("8", "7"):
        customer = Customer(app, questionnaire)
        customer.open()
        customer.send({"q_nps": score}, script=True)
    customer.open()
    customer.send({"q_csat": "5"})
    for use_rollups in (True, False):
        (found,) = drop_off(db_session, questionnaire.journey, Filters(), use_rollups=use_rollups)
        reached = {q.key: q.answered for q in found.questions}
        assert (found.started, found.completed) == (2, 1)
        assert reached["nps"] == 2 and reached["csat"] == 1
    complete = select(Response).where(*Filters().criteria())
    assert len(db_session.scalars(complete).all()) == 1


def test_a_page_sent_again_from_a_stale_tab_changes_nothing(app, db_session):
    questionnaire = a_questionnaire_in_pages(db_session)
    customer = Customer(app, questionnaire)
    customer.open()
    first_page = customer.page
    customer.send({"q_nps": "9"}, script=True)
    again = customer.send({"q_nps": "1", "q_fix": "x"}, script=True, page=first_page)
    assert again.status_code == 303 and again.location.endswith(customer.url)
    (response,) = stored(db_session, questionnaire)
    assert keys_answered(response) == {"nps": 9}
    customer.open()  # page 2, saying why it is not the page just sent
    assert customer.fields() == {"csat", "why"}
    assert "already been sent from another window" in customer.page
    customer.open()
    assert "already been sent" not in customer.page  # said once


def test_the_first_page_sent_twice_at_once_stores_one_response(app, db_session):
    questionnaire = a_questionnaire_in_pages(db_session)
    tab = Customer(app, questionnaire)
    tab.open()
    key = submission_key()
    other = Customer(app, questionnaire)  # a second browser replaying the same form
    for browser in (tab, other):
        browser.send({"q_nps": "9"}, script=True, key=key, page=tab.page)
    assert count_responses(db_session, questionnaire) == 1


def test_answers_sent_for_a_later_page_first_are_refused(app, db_session):
    questionnaire = a_questionnaire_in_pages(db_session)
    customer = Customer(app, questionnaire)
    customer.open()
    reply = customer.browser.post(
        customer.url,
        data={
            "csrf_token": csrf_token_from(customer.page),
            "submission_key": submission_key(),
            "q_csat": "5",
        },
    )
    assert reply.status_code == 422  # the NPS of page 1 is required first
    assert count_responses(db_session, questionnaire) == 0


@pytest.mark.parametrize("by_invitation", [False, True])
def test_an_unfinished_response_left_too_long_is_closed(app, db_session, by_invitation):
    questionnaire = a_questionnaire_in_pages(db_session, partial_timeout_hours=24)
    params = {}
    if by_invitation:
        params["t"] = an_invitation(db_session, questionnaire).token
    customer = Customer(app, questionnaire, **params)
    customer.open()
    customer.send({"q_nps": "9"}, script=True)
    (response,) = stored(db_session, questionnaire)
    response.updated_at = utcnow() - timedelta(hours=25)
    db_session.commit()
    reply = customer.open()
    if by_invitation:
        assert reply.status_code == 410 and "expired" in customer.page
    else:
        assert customer.fields() == {"nps"}  # starts again; the old one stays unfinished
    assert [r.status for r in stored(db_session, questionnaire)] == ["partial"]


def test_an_expired_form_on_page_two_comes_back_on_page_two_with_the_answers(app, db_session):
    questionnaire = a_questionnaire_in_pages(db_session)
    customer = Customer(app, questionnaire)
    customer.open()
    customer.send({"q_nps": "9"}, script=True)
    customer.open()
    reply = customer.browser.post(
        customer.url,
        data={"csrf_token": "expired", "q_csat": "4", "q_why": "Kept", "step_keys": "csat,why"},
    )
    page = reply.get_data(as_text=True)
    assert reply.status_code == 400
    assert customer.fields(page) == {"csat", "why"}
    assert 'value="4" checked' in page and ">Kept</textarea>" in page


def test_unfinished_answers_count_in_the_scores_only_when_asked(app, db_session, client, auth):
    questionnaire = a_questionnaire_in_pages(db_session)
    finished = Customer(app, questionnaire)
    finished.open()
    finished.send({"q_nps": "10", "q_quote": "yes"}, script=True)
    finished.open()
    finished.send({"q_csat": "5"})
    left = Customer(app, questionnaire)
    left.open()
    left.send({"q_nps": "0", "q_fix": "Everything"}, script=True)

    journey = questionnaire.journey
    complete_only = journey_map(db_session, journey, Filters(), min_n=1)
    with_partial = journey_map(db_session, journey, Filters(include_partial=True), min_n=1)
    assert complete_only.total.nps.n == 1 and complete_only.total.nps.value == 100.0
    assert with_partial.total.nps.n == 2 and with_partial.total.nps.value == 0.0
    assert Filters.from_query({"partial": "1"}).include_partial
    assert Filters(include_partial=True).to_query() == {"partial": "1"}

    auth.login_as_cx_lead()
    page = client.get(f"/journeys/{journey.id}/map?partial=1&lang=en")
    assert page.status_code == 200
    assert 'name="partial" value="1" checked' in page.get_data(as_text=True)
    refused = client.get(f"/journeys/{journey.id}/map?partial=maybe&lang=en")
    assert refused.status_code == 400 and "must be 1 or 0" in refused.get_data(as_text=True)


def test_the_drop_off_says_how_many_reached_each_page(app, db_session):
    questionnaire = a_questionnaire_in_pages(db_session)
    for score in ("9", "8", "10"):
        customer = Customer(app, questionnaire)
        customer.open()
        customer.send({"q_nps": score, "q_quote": "yes"}, script=True)
    customer.open()
    customer.send({"q_csat": "3"})
    (found,) = drop_off(db_session, questionnaire.journey, Filters())
    assert found.pages == [(1, 3), (2, 1)]
    assert (found.started, found.completed) == (3, 1)


def test_an_expired_form_for_an_invitation_answered_meanwhile_says_it_was_answered(app, db_session):
    questionnaire = a_questionnaire_in_pages(db_session, pages=1)
    invitation = an_invitation(db_session, questionnaire)
    phone = Customer(app, questionnaire, t=invitation.token)
    phone.open()
    laptop = Customer(app, questionnaire, t=invitation.token)
    laptop.open()
    laptop.send({"q_nps": "9"}, script=True)
    reply = phone.browser.post(phone.url, data={"csrf_token": "expired", "q_nps": "3"})
    assert reply.status_code == 200 and "Already answered" in reply.get_data(as_text=True)
    assert count_responses(db_session, questionnaire) == 1
