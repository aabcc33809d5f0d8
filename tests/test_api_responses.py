"""POST /api/v1/questionnaires/{id}/responses: one service with the survey page, stored once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from builders import (
    a_live_questionnaire,
    a_live_questionnaire_with_every_type,
    a_user,
    an_interview_guide,
    an_invitation,
    answer_as_a_new_customer,
    count_responses,
    survey_url,
)
from sqlalchemy import select

from surveys.api_tokens import issue_token
from surveys.models import Response, TextAnalysis, utcnow


@pytest.fixture
def headers(db_session):
    user = a_user(db_session, "crm@example.com", "researcher")
    _token, raw = issue_token(db_session, user, ["responses:write"], "CRM")
    return {"Authorization": f"Bearer {raw}"}


def post(client, questionnaire_id, body, headers, key="order-1001"):
    extra = {"Idempotency-Key": key} if key else {}
    return client.post(
        f"/api/v1/questionnaires/{questionnaire_id}/responses",
        json=body,
        headers={**headers, **extra},
    )


def test_a_response_is_stored_validated_and_scored_like_a_web_answer(client, db_session, headers):
    questionnaire = a_live_questionnaire(db_session, "csat")
    body = {
        "language": "fr",
        "answers": {"csat": 2, "why": "La livraison a pris 12 jours, inadmissible."},
        "metadata": {"channel": "crm", "order_id": 1001},
    }
    reply = post(client, questionnaire.id, body, headers)
    assert reply.status_code == 201, reply.json
    assert reply.json["answers"] == body["answers"]
    assert reply.json["channel"] == "api"
    assert reply.json["metadata"] == {"channel": "crm", "order_id": "1001"}
    stored = db_session.get(Response, reply.json["id"])
    assert [a.number for a in stored.answers if a.number is not None] == [2]
    analysis = db_session.scalar(select(TextAnalysis))
    assert analysis.language == "fr" and analysis.label == "negative"
    assert "late_delivery" in analysis.themes


def test_the_same_key_and_body_again_returns_the_first_response(client, db_session, headers):
    questionnaire = a_live_questionnaire(db_session, "csat")
    body = {"language": "en", "answers": {"csat": 5}}
    first = post(client, questionnaire.id, body, headers)
    again = post(client, questionnaire.id, body, headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json == first.json
    assert count_responses(db_session) == 1


def test_the_same_key_with_another_body_is_a_conflict(client, db_session, headers):
    questionnaire = a_live_questionnaire(db_session, "csat")
    post(client, questionnaire.id, {"language": "en", "answers": {"csat": 5}}, headers)
    reply = post(client, questionnaire.id, {"language": "en", "answers": {"csat": 1}}, headers)
    assert reply.status_code == 409
    assert reply.json["error"]["code"] == "idempotency_key_reused"
    assert count_responses(db_session) == 1


def test_keys_belong_to_their_user(client, db_session, headers):
    questionnaire = a_live_questionnaire(db_session, "csat")
    other = a_user(db_session, "shop@example.com", "researcher")
    _t, raw = issue_token(db_session, other, ["responses:write"])
    body = {"language": "en", "answers": {"csat": 5}}
    assert post(client, questionnaire.id, body, headers).status_code == 201
    other_reply = post(client, questionnaire.id, body, {"Authorization": f"Bearer {raw}"})
    assert other_reply.status_code == 201
    assert count_responses(db_session) == 2


def test_twenty_parallel_sends_of_one_submission_store_one_response(app, db_session, headers):
    questionnaire = a_live_questionnaire(db_session, "nps", "advocacy")
    body = {"language": "en", "answers": {"nps": 9, "why": "Quick and friendly"}}
    threads_count = 20
    start = threading.Barrier(threads_count)
    replies: list = []

    def send() -> None:
        client = app.test_client()
        start.wait()
        replies.append(post(client, questionnaire.id, body, headers, key="same-key"))

    threads = [threading.Thread(target=send) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert [r.status_code for r in replies] == [201] * threads_count
    assert len({r.json["id"] for r in replies}) == 1
    assert count_responses(db_session) == 1


def test_bad_answers_are_refused_with_a_message_per_field_and_nothing_stored(
    client, db_session, headers
):
    questionnaire = a_live_questionnaire_with_every_type(db_session, required=True)
    body = {
        "language": "en",
        "answers": {
            "nps": 11,
            "csat": "five",
            "channel": ["a", "b"],
            "extras": ["nope"],
            "ghost": 3,
            "city": "x" * 301,
        },
    }
    # The API speaks English (docs/api.md), even to a French client.
    reply = post(client, questionnaire.id, body, {**headers, "Accept-Language": "fr"})
    assert reply.status_code == 422
    fields = reply.json["error"]["fields"]
    assert fields["answers.nps"] == "Please choose a value on the scale."
    assert fields["answers.csat"] == "Please choose a number on the scale."
    assert fields["answers.ghost"] == "No question has this key."
    assert fields["answers.channel"] == "Please give one answer only."
    assert fields["answers.extras"] == "Please choose one of the options."
    assert fields["answers.city"] == "This answer is too long: 300 characters at most."
    assert fields["answers.felt"] == "Please answer this question."
    assert count_responses(db_session) == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"language": "de", "answers": {"csat": 4}}, "language"),
        ({"language": "en", "answers": {}}, "answers.csat"),
        ({"language": "en", "answers": {"csat": True}}, "answers.csat"),
        ({"language": "en", "answers": {"csat": 4}, "metadata": {"1bad": "x"}}, "metadata.1bad"),
        ({"language": "en", "answers": {"csat": 4}, "submitted_at": "2999-01-01T00:00:00Z"},
         "submitted_at"),
        ({"language": "en", "answers": {"csat": 4}, "extra": 1}, "extra"),
    ],
)  # fmt: skip
def test_invalid_bodies_get_422_with_the_field(client, db_session, headers, body, field):
    questionnaire = a_live_questionnaire(db_session, "csat")
    reply = post(client, questionnaire.id, body, headers)
    assert reply.status_code == 422
    assert field in reply.json["error"]["fields"], reply.json
    assert count_responses(db_session) == 0


def test_an_idempotency_key_is_required(client, db_session, headers):
    questionnaire = a_live_questionnaire(db_session, "csat")
    reply = post(client, questionnaire.id, {"language": "en", "answers": {"csat": 4}}, headers, "")
    assert reply.status_code == 400
    assert reply.json["error"]["code"] == "idempotency_key_required"


def test_history_keeps_its_submission_date(client, db_session, headers):
    questionnaire = a_live_questionnaire(db_session, "csat")
    when = (utcnow() - timedelta(days=40)).replace(microsecond=0)
    body = {"language": "en", "answers": {"csat": 4}, "submitted_at": when.isoformat()}
    reply = post(client, questionnaire.id, body, headers)
    assert reply.status_code == 201
    stored = db_session.get(Response, reply.json["id"])
    assert stored.submitted_at.replace(tzinfo=None) == when.replace(tzinfo=None)


@pytest.mark.parametrize("state", ["draft", "closed", "interview", "missing"])
def test_only_live_survey_questionnaires_take_responses(client, db_session, headers, state):
    if state == "interview":
        target = an_interview_guide(db_session).id
    elif state == "missing":
        target = 999999
    else:
        questionnaire = a_live_questionnaire(db_session, "csat")
        questionnaire.status = state
        db_session.commit()
        target = questionnaire.id
    reply = post(client, target, {"language": "en", "answers": {"csat": 4}}, headers)
    assert reply.status_code == (404 if state == "missing" else 409)
    assert count_responses(db_session) == 0


def test_an_invitation_answered_through_the_api_cannot_be_answered_again(
    app, client, db_session, headers
):
    questionnaire = a_live_questionnaire(db_session, "csat")
    invitation = an_invitation(db_session, questionnaire, meta={"segment": "b2b"})
    body = {"language": "en", "answers": {"csat": 4}, "invitation_token": invitation.token}
    first = post(client, questionnaire.id, body, headers)
    assert first.status_code == 201
    assert first.json["metadata"] == {"segment": "b2b", "customer_ref": "C-1001"}
    assert first.json["invitation_id"] == invitation.id
    # Another key through the API: already answered.
    second = post(client, questionnaire.id, body, headers, key="order-1001-retry")
    assert second.status_code == 409
    assert second.json["error"]["code"] == "already_answered"
    # And through the page.
    page = app.test_client().get(
        survey_url(questionnaire, t=invitation.token), headers={"Accept-Language": "en"}
    )
    assert "Already answered" in page.get_data(as_text=True)
    assert count_responses(db_session) == 1


def test_an_invitation_answered_on_the_page_is_refused_by_the_api(app, client, db_session, headers):
    questionnaire = a_live_questionnaire(db_session, "csat")
    invitation = an_invitation(db_session, questionnaire)
    page = answer_as_a_new_customer(app, questionnaire, {"q_csat": "5"}, t=invitation.token)
    assert page.status_code == 303
    body = {"language": "en", "answers": {"csat": 4}, "invitation_token": invitation.token}
    reply = post(client, questionnaire.id, body, headers)
    assert reply.status_code == 409
    assert count_responses(db_session) == 1


@pytest.mark.parametrize("problem", ["unknown", "other_questionnaire", "expired"])
def test_bad_invitation_tokens_are_refused(client, db_session, headers, problem):
    questionnaire = a_live_questionnaire(db_session, "csat")
    token = "no-such-token"
    if problem == "other_questionnaire":
        other = a_live_questionnaire(db_session, "nps", "advocacy")
        token = an_invitation(db_session, other).token
    elif problem == "expired":
        token = an_invitation(db_session, questionnaire, expires_in=timedelta(days=-1)).token
    body = {"language": "en", "answers": {"csat": 4}, "invitation_token": token}
    reply = post(client, questionnaire.id, body, headers)
    assert reply.status_code == 422
    assert "invitation_token" in reply.json["error"]["fields"]
    assert count_responses(db_session) == 0
