"""Races a browser runs: the same form or invitation sent from several threads at once."""

from __future__ import annotations

import threading

from builders import (
    a_live_questionnaire,
    an_invitation,
    count_responses,
    csrf_token_from,
    submission_key,
    survey_url,
)

THREADS = 8


def post_all_at_once(app, url: str, data_for) -> list[int]:
    """Open the page in THREADS browsers, then send all the forms together."""
    browsers = [app.test_client() for _ in range(THREADS)]
    tokens = [csrf_token_from(b.get(url).get_data(as_text=True)) for b in browsers]
    start = threading.Barrier(THREADS)
    statuses: list[int] = []

    def send(index: int) -> None:
        start.wait()
        data = {**data_for(index), "csrf_token": tokens[index]}
        statuses.append(browsers[index].post(url, data=data).status_code)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


def test_same_submission_key_from_many_threads_stores_one_response(app, db_session):
    questionnaire = a_live_questionnaire(db_session, "csat")
    key = submission_key()
    statuses = post_all_at_once(
        app,
        f"/s/{questionnaire.slug}",
        lambda _: {"q_csat": "4", "q_why": "Fast and clear", "submission_key": key},
    )
    assert statuses == [303] * THREADS
    assert count_responses(db_session) == 1


def test_same_invitation_from_many_threads_stores_one_response(app, db_session):
    questionnaire = a_live_questionnaire(db_session, "nps", "advocacy")
    invitation = an_invitation(db_session, questionnaire)
    statuses = post_all_at_once(
        app,
        survey_url(questionnaire, t=invitation.token),
        lambda i: {"q_nps": str(i), "submission_key": submission_key(), "script": "1"},
    )
    assert sorted(statuses) == [200] * (THREADS - 1) + [303]
    assert count_responses(db_session) == 1
