"""With the database away, every page answers 503 (try again), never 500; a survey sent
meanwhile comes back with every field it sent, ready to send again as it is.

tests/load/test_database_outage.py does the same with a real PostgreSQL server stopped under
gunicorn; here every statement fails, which runs on SQLite too.
"""

from __future__ import annotations

import pytest
from builders import a_live_questionnaire, a_user, count_responses, csrf_token_from

from surveys.api_tokens import issue_token


def test_a_survey_sent_while_the_database_is_away_keeps_every_field(
    client, db_session, database_away
):
    questionnaire = a_live_questionnaire(db_session)
    url = f"/s/{questionnaire.slug}?lang=en"
    page = client.get(url).get_data(as_text=True)
    sent = {
        "csrf_token": csrf_token_from(page),
        "submission_key": "ab" * 16,
        "lang": "en",
        "q_csat": "2",
        "q_why": 'The "express" parcel took <b>9 days</b>',
        "q_emotion": "anger",
    }
    back = database_away()
    reply = client.post(url, data=sent)
    assert reply.status_code == 503
    assert reply.headers["Retry-After"] == "30"
    assert reply.headers["Cache-Control"] == "no-store"
    page = reply.get_data(as_text=True)
    assert "please send them again" in page
    assert f'action="{url}"' in page
    assert 'value="The &#34;express&#34; parcel took &lt;b&gt;9 days&lt;/b&gt;"' in page
    for name, value in sent.items():
        if name != "q_why":
            assert f'name="{name}" value="{value}"' in page
    assert "<b>" not in page

    back()  # the page's own form, sent again, stores the answers once
    assert client.post(url, data=sent).status_code == 303
    assert count_responses(db_session, questionnaire) == 1


@pytest.mark.parametrize("path", ["/s/{slug}?lang=fr", "/s/{slug}/thanks", "/home", "/login"])
def test_a_page_asked_for_while_the_database_is_away_says_to_try_again(
    client, db_session, database_away, auth, path
):
    questionnaire = a_live_questionnaire(db_session)
    auth.login()  # a logged-in user too: the page must not ask the database who they are
    database_away()
    reply = client.get(path.format(slug=questionnaire.slug))
    assert reply.status_code == 503
    assert reply.headers["Retry-After"] == "30"
    page = reply.get_data(as_text=True)
    assert "try again in a minute" in page or "réessayer dans une minute" in page


def test_the_api_answers_503_in_its_own_shape(app, client, db_session, database_away):
    user = a_user(db_session, "api@example.com", "admin")
    _token, raw = issue_token(db_session, user, ["responses:write"], "test")
    database_away()
    reply = client.post(
        "/api/v1/questionnaires/1/responses",
        json={"language": "en", "answers": {"csat": 4}},
        headers={"Authorization": f"Bearer {raw}", "Idempotency-Key": "k-1"},
    )
    assert reply.status_code == 503
    assert reply.headers["Retry-After"] == "30"
    assert reply.get_json()["error"]["code"] == "unavailable"
