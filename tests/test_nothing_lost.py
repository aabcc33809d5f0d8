"""A customer's answers survive an expired page, a failing database and the back button."""

from __future__ import annotations

import re
import time

import pytest
from builders import (
    a_live_questionnaire_with_every_type,
    count_responses,
    csrf_token_from,
)
from itsdangerous.timed import TimestampSigner
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from test_respond import EVERY_ANSWER, is_checked


def open_page(client, url):
    page = client.get(url).get_data(as_text=True)
    key = re.search(r'name="submission_key" value="([0-9a-f]{32})"', page)[1]
    return csrf_token_from(page), key


def kept_every_answer(page: str) -> bool:
    return (
        is_checked(page, "q_nps", "9")
        and is_checked(page, "q_extras", "care")
        and 'value="Nantes"' in page
        and "The parcel came" in page
    )


def test_a_page_left_open_past_the_csrf_limit_keeps_the_answers(app, client, db_session):
    """The token expires by the clock (itsdangerous's), not by turning CSRF off."""
    questionnaire = a_live_questionnaire_with_every_type(db_session)
    url = f"/s/{questionnaire.slug}?lang=en"
    token, key = open_page(client, url)
    later = int(time.time()) + app.config["WTF_CSRF_TIME_LIMIT"] + 60
    with pytest.MonkeyPatch.context() as clock:
        # An hour later: the token of the page is too old, the one it gives back is fresh.
        clock.setattr(TimestampSigner, "get_timestamp", lambda _self: later)
        reply = client.post(url, data={**EVERY_ANSWER, "csrf_token": token, "submission_key": key})
        assert reply.status_code == 400
        page = reply.get_data(as_text=True)
        assert "Your page had expired. We kept your answers: please send them again." in page
        assert kept_every_answer(page)
        assert f'name="submission_key" value="{key}"' in page
        assert count_responses(db_session) == 0
        fresh = csrf_token_from(page)
        again = client.post(url, data={**EVERY_ANSWER, "csrf_token": fresh, "submission_key": key})
        assert again.status_code == 303
    assert count_responses(db_session) == 1


@pytest.fixture
def failing_inserts(app):
    """The database refuses to store responses, as when its server went away."""
    engine = app.extensions["parcours.db"].kw["bind"]

    def refuse(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO RESPONSES"):
            raise OperationalError(statement, parameters, Exception("server closed the connection"))

    event.listen(engine, "before_cursor_execute", refuse)
    yield lambda: event.remove(engine, "before_cursor_execute", refuse)
    if event.contains(engine, "before_cursor_execute", refuse):
        event.remove(engine, "before_cursor_execute", refuse)


def test_a_failing_database_gives_a_503_that_keeps_every_answer(
    client, db_session, failing_inserts
):
    questionnaire = a_live_questionnaire_with_every_type(db_session)
    url = f"/s/{questionnaire.slug}?lang=en"
    token, key = open_page(client, url)
    data = {**EVERY_ANSWER, "csrf_token": token, "submission_key": key}
    reply = client.post(url, data=data)
    assert reply.status_code == 503
    assert reply.headers["Retry-After"] == "30"
    page = reply.get_data(as_text=True)
    assert "We could not save your answers just now." in page
    assert kept_every_answer(page)
    assert f'name="submission_key" value="{key}"' in page
    assert count_responses(db_session) == 0

    failing_inserts()  # the database is back; the app recovers without a restart
    again = client.post(url, data={**data, "csrf_token": csrf_token_from(page)})
    assert again.status_code == 303
    twice = client.post(url, data={**data, "csrf_token": csrf_token_from(page)})
    assert twice.status_code in (200, 303)
    assert count_responses(db_session) == 1


def test_the_back_button_after_sending_does_not_show_an_empty_survey(client, db_session):
    questionnaire = a_live_questionnaire_with_every_type(db_session)
    url = f"/s/{questionnaire.slug}?lang=en"
    first = client.get(url)
    assert first.headers["Cache-Control"] == "no-store"  # the back button asks again
    token, key = open_page(client, url)
    sent = client.post(url, data={**EVERY_ANSWER, "csrf_token": token, "submission_key": key})
    assert sent.status_code == 303
    back = client.get(url)
    page = back.get_data(as_text=True)
    assert "Already answered" in page and "Thank you" in page
    assert 'name="q_nps"' not in page
