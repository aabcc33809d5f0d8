"""Anonymous questionnaires: their answers keep no invitation metadata, customer reference or
link to the invitation, on the page and through the API, while an invitation is still answered
once and a replayed form still stores one response."""

from __future__ import annotations

import hashlib
import json
import threading
from datetime import timedelta

import pytest
from builders import (
    a_draft_questionnaire,
    a_journey,
    a_live_questionnaire,
    a_user,
    an_interview_guide,
    an_invitation,
    answer_as_a_new_customer,
    count_responses,
    csrf_token_from,
    submission_key,
    survey_url,
)
from sqlalchemy import select
from sqlalchemy.orm.attributes import set_committed_value
from test_concurrency import THREADS, post_all_at_once
from test_customer_rights import as_admin
from test_privacy import a_response, map_total, settings_form, settings_url

from surveys import privacy
from surveys.api_tokens import issue_token
from surveys.db import new_session
from surveys.design_service import add_question, publish
from surveys.exchange import export_questionnaire, import_questionnaire
from surveys.models import Invitation, Questionnaire, Response, utcnow
from surveys.question_types import AnswerValue
from surveys.submissions import (
    AlreadyAnswered,
    claim_invitation,
    response_origin,
    store_response,
)

ENGLISH = {"Accept-Language": "en"}
SENTENCE = (
    "Your answers are anonymous: no name, email, order reference, address or browser details "
    "are kept with them."
)
REF = "C-1042"


# Answered in one step whatever the score (one page, no follow-up rule), so the page stores
# through `store_response`; the steps of longer questionnaires are the partial responses'.
ONE_STEP = [
    {
        "key": "csat",
        "type": "csat",
        "required": True,
        "prompt": {"en": "How satisfied are you?", "fr": "Êtes-vous satisfait·e ?"},
    },
    {"key": "why", "type": "long_text", "prompt": {"en": "Why?", "fr": "Pourquoi ?"}},
]


def a_one_step_questionnaire(session, stage_key="purchase", journey=None, anonymous=False):
    questionnaire = a_draft_questionnaire(session, "custom", stage_key, journey=journey)
    for spec in ONE_STEP:
        add_question(session, questionnaire, spec)
    publish(questionnaire)
    if anonymous:
        questionnaire.anonymous = True
        questionnaire.anonymous_since = utcnow()
    session.commit()
    return questionnaire


def an_anonymous_questionnaire(session, stage_key="purchase", journey=None):
    return a_one_step_questionnaire(session, stage_key, journey, anonymous=True)


def an_identifying_invitation(session, questionnaire, **fields):
    return an_invitation(
        session,
        questionnaire,
        customer_ref=REF,
        email="ana@example.com",
        meta={"order_id": "A-981", "channel": "web"},
        **fields,
    )


def stored(session, questionnaire) -> list[Response]:
    session.expire_all()
    return list(
        session.scalars(
            select(Response).where(Response.questionnaire_id == questionnaire.id).order_by("id")
        )
    )


def assert_anonymous(response: Response) -> None:
    assert response.meta == {}
    assert response.invitation_id is None
    assert REF not in json.dumps(response.meta)


@pytest.fixture
def api_headers(db_session):
    user = a_user(db_session, "crm@example.com", "researcher")
    _token, raw = issue_token(db_session, user, ["responses:write"], "CRM")
    return {"Authorization": f"Bearer {raw}"}


def api_post(client, questionnaire, body, headers, key="order-1"):
    return client.post(
        f"/api/v1/questionnaires/{questionnaire.id}/responses",
        json=body,
        headers={**headers, "Idempotency-Key": key},
    )


# --- the service -----------------------------------------------------------------------------


def test_the_origin_of_an_anonymous_response_is_empty_whatever_is_passed(db_session):
    linked = a_live_questionnaire(db_session, "csat")
    anonymous = an_anonymous_questionnaire(db_session, "advocacy")
    invitation = an_identifying_invitation(db_session, anonymous)
    meta = {"interviewee": "Ana", "ip": "203.0.113.9", "user_agent": "Mozilla/5.0"}
    assert response_origin(anonymous, invitation, meta) == ({}, None)
    assert response_origin(anonymous, None, meta) == ({}, None)
    # Linked: the invitation's metadata, the caller's on top, and the customer reference.
    other = an_identifying_invitation(db_session, linked)
    origin = response_origin(linked, other, {"channel": "crm"})
    assert origin.meta == {"order_id": "A-981", "channel": "crm", "customer_ref": REF}
    assert origin.invitation is other


def test_an_invitation_is_claimed_once(app, db_session):
    questionnaire = an_anonymous_questionnaire(db_session)
    invitation = an_identifying_invitation(db_session, questionnaire)
    claim_invitation(db_session, invitation)
    db_session.commit()
    assert invitation.used_at is not None
    with new_session(app) as other:
        again = other.get(Invitation, invitation.id)
        set_committed_value(again, "used_at", None)  # out of date: the row decides
        with pytest.raises(AlreadyAnswered):
            claim_invitation(other, again)
        other.rollback()


def test_an_anonymous_interview_keeps_no_interviewee(auth, forms, db_session):
    auth.login()
    guide = an_interview_guide(db_session)
    guide.anonymous = True
    db_session.commit()
    url = f"/questionnaires/{guide.id}/interviews/new"
    page = forms.client.get(url).get_data(as_text=True)
    assert 'name="interviewee"' not in page
    assert "Anonymous questionnaire: no interviewee reference is kept with the notes." in page
    question = guide.current_version.questions[0]
    response = forms.post(
        url,
        {
            "interviewee": "Ana Martin",
            "language": guide.languages[0],
            f"q_{question.key}": "She waited two weeks for the parcel.",
            "submission_key": submission_key(),
        },
    )
    assert response.status_code == 302
    (interview,) = stored(db_session, guide)
    assert interview.meta == {} and interview.channel == "interview"


# --- the customer's page ---------------------------------------------------------------------


def test_the_page_says_the_answers_are_anonymous(client, db_session):
    linked = a_one_step_questionnaire(db_session)
    anonymous = an_anonymous_questionnaire(db_session, "advocacy")
    page = client.get(survey_url(anonymous), headers=ENGLISH).get_data(as_text=True)
    aside = page[page.index('<aside class="privacy"') :]
    assert SENTENCE in aside
    assert SENTENCE not in client.get(survey_url(linked), headers=ENGLISH).get_data(as_text=True)
    french = client.get(survey_url(anonymous), headers={"Accept-Language": "fr"})
    assert "Vos réponses sont anonymes" in french.get_data(as_text=True)


def test_an_anonymous_answer_from_an_invitation_link_keeps_nothing_of_the_customer(app, db_session):
    questionnaire = an_anonymous_questionnaire(db_session)
    invitation = an_identifying_invitation(db_session, questionnaire)
    url = survey_url(questionnaire, t=invitation.token)
    browser = app.test_client()
    page = browser.get(url, headers=ENGLISH)
    assert SENTENCE in page.get_data(as_text=True)
    data = {
        "csrf_token": csrf_token_from(page.get_data(as_text=True)),
        "submission_key": submission_key(),
        "q_csat": "2",
        "q_why": "Late again.",
    }
    sent = browser.post(
        url, data=data, headers={**ENGLISH, "User-Agent": "Mozilla/5.0 (Ana's phone)"},
        environ_base={"REMOTE_ADDR": "203.0.113.9"},
    )  # fmt: skip
    assert sent.status_code == 303
    (response,) = stored(db_session, questionnaire)
    assert_anonymous(response)
    assert [a.number for a in response.answers if a.number is not None] == [2]
    everything = json.dumps([response.meta, response.request_hash, response.submission_key])
    for trace in ("203.0.113.9", "Mozilla", REF, "ana@example.com", "A-981", invitation.token):
        assert trace not in everything
    assert db_session.get(Invitation, invitation.id).used_at is not None

    # The same link again, opened or sent from another browser: already answered.
    again = app.test_client().get(url, headers=ENGLISH)
    assert "Already answered" in again.get_data(as_text=True)
    again_data = {**data, "submission_key": submission_key(), "q_csat": "5"}
    resent = browser.post(url, data=again_data, headers=ENGLISH)
    assert "Already answered" in resent.get_data(as_text=True)
    assert count_responses(db_session, questionnaire) == 1


def test_the_same_anonymous_form_sent_twice_stores_one_response(app, db_session):
    """A form copied to a second browser (its own cookies and CSRF token, the same submission
    key) on the public link: the second send reads the first response back."""
    questionnaire = an_anonymous_questionnaire(db_session)
    url = survey_url(questionnaire)
    key = submission_key()
    statuses = []
    for browser in (app.test_client(), app.test_client()):
        token = csrf_token_from(browser.get(url).get_data(as_text=True))
        data = {"csrf_token": token, "submission_key": key, "q_csat": "4"}
        statuses.append(browser.post(url, data=data).status_code)
    assert statuses == [303, 303]
    (response,) = stored(db_session, questionnaire)
    assert_anonymous(response)


def test_one_anonymous_invitation_sent_from_many_browsers_at_once_stores_one(app, db_session):
    questionnaire = an_anonymous_questionnaire(db_session, "advocacy")
    invitation = an_identifying_invitation(db_session, questionnaire)
    statuses = post_all_at_once(
        app,
        survey_url(questionnaire, t=invitation.token),
        lambda i: {"q_csat": str(i % 5 + 1), "submission_key": submission_key()},
    )
    assert sorted(statuses) == [200] * (THREADS - 1) + [303]
    (response,) = stored(db_session, questionnaire)
    assert_anonymous(response)


def test_one_anonymous_form_replayed_from_many_browsers_at_once_stores_one(app, db_session):
    questionnaire = an_anonymous_questionnaire(db_session)
    invitation = an_identifying_invitation(db_session, questionnaire)
    key = submission_key()
    statuses = post_all_at_once(
        app,
        survey_url(questionnaire, t=invitation.token),
        lambda _: {"q_csat": "4", "submission_key": key},
    )
    # The first stores; a replay that lost the race reads it back (303) or, once the
    # invitation shows answered before the page is even parsed, says so (200).
    assert all(status in (200, 303) for status in statuses) and 303 in statuses
    assert count_responses(db_session, questionnaire) == 1


def test_the_service_stores_one_of_many_simultaneous_claims(app, db_session):
    """Below the page: threads with their own sessions race on one invitation, half of them
    replaying one submission key. One response; a replay gets it back, the others are told."""
    questionnaire = an_anonymous_questionnaire(db_session)
    invitation = an_identifying_invitation(db_session, questionnaire)
    shared_key = submission_key()
    start = threading.Barrier(THREADS)
    outcomes: dict[int, str] = {}

    def send(index: int) -> None:
        with new_session(app) as session:
            mine = session.get(Questionnaire, questionnaire.id)
            _ = mine.current_version.questions
            link = session.get(Invitation, invitation.id)
            key = shared_key if index % 2 else submission_key()
            start.wait()
            try:
                _response, new = store_response(
                    session,
                    mine,
                    {"csat": AnswerValue(number=3)},
                    "en",
                    invitation=link,
                    submission_key=key,
                    meta={"ip": "203.0.113.9"},
                )
                outcomes[index] = "new" if new else "replayed"
            except AlreadyAnswered:
                outcomes[index] = "already"

    threads = [threading.Thread(target=send, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(outcomes) == THREADS
    (winner,) = [i for i, outcome in outcomes.items() if outcome == "new"]
    (response,) = stored(db_session, questionnaire)
    assert_anonymous(response)
    # The holders of the stored form's key get it back; everyone else hears it was answered.
    for index, outcome in outcomes.items():
        if index != winner:
            same_form = index % 2 and winner % 2
            assert outcome == ("replayed" if same_form else "already"), (index, winner)


# --- the API ---------------------------------------------------------------------------------


def test_an_anonymous_response_through_the_api_keeps_no_metadata(
    app, client, db_session, api_headers
):
    questionnaire = an_anonymous_questionnaire(db_session)
    invitation = an_identifying_invitation(db_session, questionnaire)
    body = {
        "language": "en",
        "answers": {"csat": 4},
        "metadata": {"order_id": "A-981", "ip": "203.0.113.9"},
        "invitation_token": invitation.token,
    }
    reply = api_post(client, questionnaire, body, api_headers)
    assert reply.status_code == 201, reply.json
    assert reply.json["metadata"] == {} and reply.json["invitation_id"] is None
    (response,) = stored(db_session, questionnaire)
    assert_anonymous(response)
    assert db_session.get(Invitation, invitation.id).used_at is not None
    # The stored body hash cannot be matched against the invitations' tokens.
    with_token = hashlib.sha256(
        json.dumps([questionnaire.id, {**body, "submitted_at": None}], sort_keys=True).encode()
    ).hexdigest()
    assert response.request_hash != with_token

    # A retry with the same key and body: the first result. Another key: already answered.
    retry = api_post(client, questionnaire, body, api_headers)
    assert retry.status_code == 201 and retry.json["id"] == reply.json["id"]
    other = api_post(client, questionnaire, body, api_headers, key="order-2")
    assert other.status_code == 409 and other.json["error"]["code"] == "already_answered"
    changed = api_post(client, questionnaire, {**body, "answers": {"csat": 1}}, api_headers)
    assert changed.status_code == 409
    assert changed.json["error"]["code"] == "idempotency_key_reused"
    # And on the page.
    page = app.test_client().get(survey_url(questionnaire, t=invitation.token), headers=ENGLISH)
    assert "Already answered" in page.get_data(as_text=True)
    assert count_responses(db_session, questionnaire) == 1


def test_a_retry_still_matches_after_the_questionnaire_turned_anonymous(
    client, db_session, api_headers
):
    questionnaire = a_live_questionnaire(db_session, "csat")
    body = {"language": "en", "answers": {"csat": 4}, "metadata": {"channel": "crm"}}
    first = api_post(client, questionnaire, body, api_headers)
    assert first.status_code == 201 and first.json["metadata"] == {"channel": "crm"}
    questionnaire.anonymous = True
    db_session.commit()
    retry = api_post(client, questionnaire, body, api_headers)
    assert retry.status_code == 201 and retry.json["id"] == first.json["id"]
    assert count_responses(db_session, questionnaire) == 1


def test_parallel_api_sends_of_one_anonymous_invitation_store_one(app, db_session, api_headers):
    questionnaire = an_anonymous_questionnaire(db_session)
    invitation = an_identifying_invitation(db_session, questionnaire)
    start = threading.Barrier(THREADS)
    statuses: list[int] = []

    def send(index: int) -> None:
        body = {"language": "en", "answers": {"csat": 3}, "invitation_token": invitation.token}
        client = app.test_client()
        start.wait()
        statuses.append(
            api_post(client, questionnaire, body, api_headers, f"k-{index}").status_code
        )

    threads = [threading.Thread(target=send, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(statuses) == [201] + [409] * (THREADS - 1)
    (response,) = stored(db_session, questionnaire)
    assert_anonymous(response)


# --- switching a questionnaire to anonymous ------------------------------------------------------


def test_switching_to_anonymous_applies_to_new_answers_only(app, auth, forms, db_session):
    auth.login()
    questionnaire = a_one_step_questionnaire(db_session)
    before = an_identifying_invitation(db_session, questionnaire)
    assert (
        answer_as_a_new_customer(app, questionnaire, {"q_csat": "5"}, t=before.token).status_code
        == 303
    )
    (old,) = stored(db_session, questionnaire)
    assert old.meta["customer_ref"] == REF and old.invitation_id == before.id

    page = forms.client.get(settings_url(questionnaire)).get_data(as_text=True)
    assert "Anonymous answers" in page
    assert "the 1 answer already stored keeps what it has" in page
    saved = forms.post(
        settings_url(questionnaire),
        settings_form(questionnaire, anonymous="y"),
        follow_redirects=True,
    )
    said = saved.get_data(as_text=True)
    assert "Answers are anonymous from now on. This applies to new answers only" in said
    assert "the 1 answer already stored keeps its metadata and customer reference" in said
    db_session.expire_all()
    questionnaire = db_session.get(Questionnaire, questionnaire.id)
    assert questionnaire.anonymous is True
    since = questionnaire.anonymous_since
    assert since is not None and abs(utcnow() - since.replace(tzinfo=utcnow().tzinfo)) < timedelta(
        minutes=5
    )
    assert "Anonymous since" in forms.client.get(settings_url(questionnaire)).get_data(as_text=True)

    after = an_identifying_invitation(db_session, questionnaire)
    assert (
        answer_as_a_new_customer(app, questionnaire, {"q_csat": "2"}, t=after.token).status_code
        == 303
    )
    old, new = stored(db_session, questionnaire)
    assert old.meta == {"order_id": "A-981", "channel": "web", "customer_ref": REF}
    assert old.invitation_id == before.id
    assert_anonymous(new)

    # Saving again without a change keeps the moment it became anonymous.
    forms.post(settings_url(questionnaire), settings_form(questionnaire, anonymous="y"))
    db_session.expire_all()
    assert db_session.get(Questionnaire, questionnaire.id).anonymous_since == since

    # Switched off: new answers only, said too; those stored while anonymous stay so.
    off = forms.post(
        settings_url(questionnaire), settings_form(questionnaire), follow_redirects=True
    )
    assert "Answers are no longer anonymous. This applies to new answers only" in off.get_data(
        as_text=True
    )
    db_session.expire_all()
    questionnaire = db_session.get(Questionnaire, questionnaire.id)
    assert (questionnaire.anonymous, questionnaire.anonymous_since) == (False, None)
    assert_anonymous(stored(db_session, questionnaire)[1])


def test_switching_a_questionnaire_without_answers_says_it_plainly(auth, forms, db_session):
    auth.login()
    questionnaire = a_live_questionnaire(db_session, "csat")
    page = forms.client.get(settings_url(questionnaire)).get_data(as_text=True)
    assert "already stored" not in page
    saved = forms.post(
        settings_url(questionnaire),
        settings_form(questionnaire, anonymous="y"),
        follow_redirects=True,
    )
    assert "Answers are anonymous from now on." in saved.get_data(as_text=True)
    assert "new answers only" not in saved.get_data(as_text=True)


def test_the_unfinished_answers_timeout_is_saved(auth, forms, db_session):
    auth.login()
    questionnaire = a_live_questionnaire(db_session, "csat")
    page = forms.client.get(settings_url(questionnaire)).get_data(as_text=True)
    assert "Close unfinished answers after (hours)" in page
    assert 'id="partial_timeout_hours"' in page and 'value="72"' in page
    forms.post(
        settings_url(questionnaire), settings_form(questionnaire, partial_timeout_hours="24")
    )
    db_session.expire_all()
    assert db_session.get(Questionnaire, questionnaire.id).partial_timeout_hours == 24
    # Emptied: the default again.
    forms.post(settings_url(questionnaire), settings_form(questionnaire, partial_timeout_hours=""))
    db_session.expire_all()
    assert db_session.get(Questionnaire, questionnaire.id).partial_timeout_hours == 72


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("0", "Between 1 and 2160 hours."),
        ("2161", "Between 1 and 2160 hours."),
        ("-3", "Between 1 and 2160 hours."),
        ("soon", "Not a valid integer value."),
        ("1.5", "Not a valid integer value."),
    ],
)
def test_a_bad_timeout_is_refused_by_its_field_with_everything_kept(
    auth, forms, db_session, typed, message
):
    auth.login()
    questionnaire = a_live_questionnaire(db_session, "csat")
    response = forms.post(
        settings_url(questionnaire),
        settings_form(
            questionnaire, title_en="A new title", anonymous="y", partial_timeout_hours=typed
        ),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    field = page[page.index('id="partial_timeout_hours"') :]
    assert message in field[: field.index("</div>")]
    assert f'value="{typed}"' in page and 'value="A new title"' in page
    assert "checked" in page[page.index('id="anonymous"') - 80 : page.index('id="anonymous"') + 80]
    db_session.expire_all()
    saved = db_session.get(Questionnaire, questionnaire.id)
    assert (saved.anonymous, saved.partial_timeout_hours) == (False, 72)
    assert saved.title_in("en") != "A new title"


def test_the_settings_speak_french(auth, forms, db_session):
    auth.login()
    questionnaire = a_live_questionnaire(db_session, "csat")
    page = forms.client.get(settings_url(questionnaire) + "?lang=fr").get_data(as_text=True)
    assert "Réponses anonymes" in page
    response = forms.post(
        settings_url(questionnaire), settings_form(questionnaire, partial_timeout_hours="0")
    )
    assert response.status_code == 422
    assert "Entre 1 et 2160 heures." in response.get_data(as_text=True)


# --- the customer's rights ---------------------------------------------------------------------


def test_anonymous_answers_never_match_a_customer_reference(app, auth, forms, db_session):
    journey = a_journey(db_session)
    linked = a_one_step_questionnaire(db_session, journey=journey)
    anonymous = an_anonymous_questionnaire(db_session, "advocacy", journey=journey)
    mine = a_response(db_session, linked, invitation=an_identifying_invitation(db_session, linked))
    invitation = an_identifying_invitation(db_session, anonymous)
    kept = a_response(db_session, anonymous, invitation=invitation, meta={"customer_ref": REF})
    assert_anonymous(kept)
    total = map_total(db_session, journey)

    data = privacy.customer_data(db_session, REF)
    assert [r.id for r in data.responses] == [mine.id]
    assert [i.id for i in data.answered_anonymously()] == [invitation.id]

    as_admin(auth)
    page = forms.post("/admin/customers", {"ref": REF}).get_data(as_text=True)
    assert "1 response" in page
    assert (
        "1 invitation was answered on an anonymous questionnaire: those answers are kept "
        "without this reference"
    ) in page
    download = forms.post("/admin/customers/export", {"ref": REF}, page_url="/admin/customers")
    document = json.loads(download.get_data(as_text=True))
    assert [r["id"] for r in document["responses"]] == [mine.id]
    answered = {i["id"]: i["answered_anonymously"] for i in document["invitations"]}
    assert answered == {mine.invitation_id: False, invitation.id: True}

    done = forms.post(
        "/admin/customers/erase", {"ref": REF, "confirm": REF}, page_url="/admin/customers"
    )
    assert done.status_code == 303
    db_session.expire_all()
    assert [r.id for r in stored(db_session, anonymous)] == [kept.id]  # nothing leads to it
    assert db_session.get(Invitation, invitation.id).customer_ref == ""
    assert map_total(db_session, journey) == total - 1


# --- the exchange format -------------------------------------------------------------------------


def test_anonymity_is_a_setting_of_the_install_not_of_the_exchanged_questionnaire(db_session):
    journey = a_journey(db_session)
    linked = a_one_step_questionnaire(db_session, journey=journey)
    anonymous = an_anonymous_questionnaire(db_session, journey=journey)
    exported = export_questionnaire(anonymous)
    assert exported == export_questionnaire(linked)
    imported = import_questionnaire(db_session, journey, exported).questionnaire
    db_session.commit()
    assert imported.anonymous is False and imported.status == "draft"
    assert export_questionnaire(imported) == exported
