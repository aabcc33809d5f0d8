"""Background work without Redis: every job runs inline, where it is asked for.

The worker path (RQ on the machine's Redis) is in test_jobs_worker.py; a worker killed in
the middle of a job in test_jobs_killed.py.
"""

from __future__ import annotations

import pytest
from builders import a_live_questionnaire, answer_as_a_new_customer
from sqlalchemy import func, select

from surveys import jobs, scoring
from surveys.jobs.scoring_jobs import rescore, score_response
from surveys.models import Answer, AnswerTheme, Response, TextAnalysis, Theme
from surveys.submissions import store_response

pytestmark = pytest.mark.skipif(
    not scoring.analysis_available(), reason="the text analysis is not installed"
)

LATE = "La livraison a pris 12 jours et le colis est arrivé abîmé, inadmissible."
RUDE = "The support agent was rude and my refund is still not there after a month."


def stored_unscored(db_session, questionnaire, text: str, language: str = "fr") -> Response:
    """A response stored as the pages store it when a worker is to score it."""
    values = scoring_values(questionnaire, text)
    response, new = store_response(db_session, questionnaire, values, language, score=False)
    assert new
    return response


def scoring_values(questionnaire, text: str) -> dict:
    from surveys.question_types import parse_form

    questions = questionnaire.current_version.questions
    return parse_form(questions, {"q_csat": ["1"], "q_why": [text]}).values


def analyses_of(db_session, response_id: int) -> list[TextAnalysis]:
    db_session.expire_all()
    return db_session.scalars(
        select(TextAnalysis)
        .join(Answer, Answer.id == TextAnalysis.answer_id)
        .where(Answer.response_id == response_id)
    ).all()


def themes_of(db_session, response_id: int) -> list[tuple[int, str, str]]:
    db_session.expire_all()
    rows = db_session.execute(
        select(AnswerTheme.answer_id, AnswerTheme.theme_key, AnswerTheme.source)
        .join(Answer, Answer.id == AnswerTheme.answer_id)
        .where(Answer.response_id == response_id)
        .order_by(AnswerTheme.answer_id, AnswerTheme.theme_key)
    )
    return [tuple(row) for row in rows]


def test_without_redis_enqueue_runs_the_job_at_once_and_gives_its_result(app):
    calls = []
    with app.app_context():
        assert not jobs.background_enabled()
        outcome = jobs.enqueue(calls.append, "now")
    assert calls == ["now"] and not outcome.queued and outcome.result is None


def test_without_redis_the_survey_page_scores_in_its_own_transaction(app, db_session):
    questionnaire = a_live_questionnaire(db_session, "csat", "purchase")
    reply = answer_as_a_new_customer(app, questionnaire, {"q_csat": "1", "q_why": LATE})
    assert reply.status_code == 303
    response = db_session.scalar(select(Response))
    (analysis,) = analyses_of(db_session, response.id)
    assert analysis.label == "negative" and "late_delivery" in analysis.themes


def test_score_response_scores_what_was_left_unscored(app, db_session):
    questionnaire = a_live_questionnaire(db_session, "csat", "purchase")
    response = stored_unscored(db_session, questionnaire, LATE)
    assert analyses_of(db_session, response.id) == []
    with app.app_context():
        assert score_response(response.id) == 1
    (analysis,) = analyses_of(db_session, response.id)
    assert analysis.language == "fr" and analysis.label == "negative"
    assert {"late_delivery", "damaged_package"} <= set(analysis.themes)
    assert {key for _, key, _ in themes_of(db_session, response.id)} == set(analysis.themes)


def test_score_response_twice_leaves_one_analysis_and_the_same_themes(app, db_session):
    questionnaire = a_live_questionnaire(db_session, "csat", "purchase")
    response = stored_unscored(db_session, questionnaire, LATE)
    with app.app_context():
        assert score_response(response.id) == 1
        first = [(a.id, a.analyzer_version) for a in analyses_of(db_session, response.id)]
        themes = themes_of(db_session, response.id)
        assert score_response(response.id) == 0  # nothing stale: nothing touched
    assert [(a.id, a.analyzer_version) for a in analyses_of(db_session, response.id)] == first
    assert themes_of(db_session, response.id) == themes and themes
    assert db_session.scalar(select(func.count(TextAnalysis.id))) == 1


def test_score_response_rescores_a_stale_analysis_in_place(app, db_session):
    questionnaire = a_live_questionnaire(db_session, "csat", "purchase")
    response = stored_unscored(db_session, questionnaire, LATE)
    with app.app_context():
        score_response(response.id)
        (before,) = [(a.id, a.analyzer_version) for a in analyses_of(db_session, response.id)]
        db_session.add(Theme(key="twelve_days", label={"en": "Twelve days"},
                             keywords={"fr": ["12 jours"]}))  # fmt: skip
        db_session.commit()
        assert score_response(response.id) == 1
    (after,) = analyses_of(db_session, response.id)
    assert after.id == before[0] and after.analyzer_version != before[1]
    assert "twelve_days" in after.themes
    keys = [key for _, key, _ in themes_of(db_session, response.id)]
    assert sorted(keys) == sorted(set(after.themes)) and len(keys) == len(set(keys))


def test_score_response_of_a_deleted_response_does_nothing(app):
    with app.app_context():
        assert score_response(10**6) == 0


def test_the_rescore_job_scores_every_unscored_answer_in_batches(app, db_session):
    questionnaire = a_live_questionnaire(db_session, "csat", "purchase")
    responses = [stored_unscored(db_session, questionnaire, t, "en") for t in (RUDE, RUDE, LATE)]
    with app.app_context():
        assert rescore() == 3
        assert rescore() == 0
    for response in responses:
        assert len(analyses_of(db_session, response.id)) == 1


def test_without_redis_the_themes_page_rescores_inline(app, client, forms, auth, db_session):
    questionnaire = a_live_questionnaire(db_session, "csat", "purchase")
    response = stored_unscored(db_session, questionnaire, RUDE, "en")
    auth.login()
    reply = forms.post("/themes/rescore", page_url="/themes", follow_redirects=True)
    assert "Re-scored 1 answers with the current codebook." in reply.get_data(as_text=True)
    assert len(analyses_of(db_session, response.id)) == 1


def test_without_redis_the_report_is_a_direct_download(app, client, auth, db_session):
    questionnaire = a_live_questionnaire(db_session, "csat", "purchase")
    auth.login()
    page = client.get(f"/journeys/{questionnaire.journey_id}/pain-points").get_data(as_text=True)
    assert f'href="/journeys/{questionnaire.journey_id}/report.xlsx"' in page
    assert "/reports" not in page


def test_without_redis_the_jobs_commands_say_there_is_no_queue(runner):
    result = runner.invoke(args=["jobs", "failed"])
    assert result.exit_code != 0 and "REDIS_URL is not set" in result.output


def test_without_redis_the_jobs_page_says_jobs_run_inline(client, auth):
    auth.login("admin@example.com", "admin")
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert "REDIS_URL is not set" in page
