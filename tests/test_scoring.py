"""Scoring free text: inline with the response, then `analyze` for what is unscored or stale."""

from __future__ import annotations

import pytest
from builders import a_live_questionnaire, answer_as_a_new_customer, count_responses
from sqlalchemy import select

from surveys import rollups, scoring
from surveys.models import Answer, AnswerTheme, Response, TextAnalysis, Theme

pytestmark = pytest.mark.skipif(
    not scoring.analysis_available(), reason="the text analysis is not installed"
)

LATE = "Colis arrivé avec 10 jours de retard, inadmissible"
PARKING = "Impossible de se garer, le parking du magasin est toujours plein, horrible"
PRAISE = "Très bon accueil, merci beaucoup !"


def a_delivery_survey(db_session):
    return a_live_questionnaire(db_session, "csat", "retention", touchpoint_key="delivery")


def why_question(questionnaire):
    return next(q for q in questionnaire.current_version.questions if q.key == "why")


def answers_stored_without_analysis(db_session, questionnaire, texts, language="fr"):
    """Answers written straight into the database, as an import or an old version would."""
    question = why_question(questionnaire)
    answers = []
    for text in texts:
        response = Response(
            questionnaire_id=questionnaire.id,
            version_id=questionnaire.current_version.id,
            language=language,
        )
        answer = Answer(
            question_id=question.id,
            stage_id=questionnaire.stage_id,
            touchpoint_id=questionnaire.touchpoint_id,
            text=text,
        )
        response.answers.append(answer)
        db_session.add(response)
        db_session.flush()
        # What `store_response(score=False)` leaves: counted in the rollups, not scored.
        with rollups.updating(db_session, [response.id], new=True):
            answers.append(answer)
    db_session.commit()
    return answers


def theme_rows(db_session):
    db_session.expire_all()
    return sorted(
        db_session.execute(
            select(
                AnswerTheme.answer_id,
                AnswerTheme.theme_key,
                AnswerTheme.source,
                AnswerTheme.stage_id,
                AnswerTheme.touchpoint_id,
            )
        ).all()
    )


def analyses(db_session):
    db_session.expire_all()
    return db_session.scalars(select(TextAnalysis).order_by(TextAnalysis.answer_id)).all()


def a_parking_theme(db_session):
    db_session.add(
        Theme(
            key="store_parking",
            label={"en": "Store parking", "fr": "Parking du magasin"},
            keywords={"en": ["parking lot"], "fr": ["garer", "stationnement", "parking*"]},
        )
    )
    db_session.commit()


# Inline, with the response


def test_a_response_with_free_text_is_scored_with_its_stage_and_touchpoint(app, db_session):
    questionnaire = a_delivery_survey(db_session)
    reply = answer_as_a_new_customer(app, questionnaire, {"q_csat": "1", "q_why": LATE}, lang="fr")
    assert reply.status_code == 303, reply.get_data(as_text=True)

    answer = db_session.scalars(select(Answer).where(Answer.text.is_not(None))).one()
    analysis = db_session.scalars(select(TextAnalysis)).one()
    assert analysis.answer_id == answer.id
    assert (analysis.language, analysis.label) == ("fr", "negative")
    assert analysis.polarity < 0
    assert analysis.themes == ["late_delivery"]
    assert (analysis.stage_id, analysis.touchpoint_id) == (
        questionnaire.stage_id,
        questionnaire.touchpoint_id,
    )
    assert questionnaire.touchpoint_id is not None
    assert theme_rows(db_session) == [
        (answer.id, "late_delivery", "auto", answer.stage_id, answer.touchpoint_id)
    ]
    codebook = scoring.current_codebook(db_session)
    assert analysis.analyzer_version == scoring.analyzer_version(codebook)
    assert analysis.analyzer_version.startswith(f"{scoring.ANALYZER_VERSION}+")


def test_a_response_whose_scoring_fails_is_not_stored(app, db_session, monkeypatch):
    questionnaire = a_delivery_survey(db_session)

    def broken(*_args, **_kwargs):
        raise RuntimeError("the analyzer broke")

    monkeypatch.setattr(scoring, "analyze", broken)
    with pytest.raises(RuntimeError):
        answer_as_a_new_customer(app, questionnaire, {"q_csat": "2", "q_why": LATE}, lang="fr")
    assert count_responses(db_session) == 0
    assert db_session.scalars(select(TextAnalysis)).all() == []


def test_a_response_without_text_gets_no_analysis(app, db_session):
    questionnaire = a_delivery_survey(db_session)
    answer_as_a_new_customer(app, questionnaire, {"q_csat": "5"}, lang="fr")
    assert count_responses(db_session) == 1
    assert analyses(db_session) == []


# The codebook's fingerprint


def test_the_version_names_the_analyzer_and_the_codebook(db_session):
    before = scoring.analyzer_version(scoring.current_codebook(db_session))
    assert before == scoring.analyzer_version(scoring.current_codebook(db_session))
    assert len(before) <= 40  # the column's width

    a_parking_theme(db_session)
    after = scoring.analyzer_version(scoring.current_codebook(db_session))
    assert after != before and after.startswith(f"{scoring.ANALYZER_VERSION}+")

    # Renaming or describing a theme does not change what the analyzer finds.
    theme = db_session.scalars(select(Theme)).one()
    theme.label = {"en": "Parking", "fr": "Stationnement"}
    theme.description = "Customers cannot park near the store."
    db_session.commit()
    assert scoring.analyzer_version(scoring.current_codebook(db_session)) == after


# flask analyze


def test_analyze_scores_unscored_answers(runner, db_session):
    questionnaire = a_delivery_survey(db_session)
    answers = answers_stored_without_analysis(db_session, questionnaire, [LATE, PARKING, PRAISE])

    result = runner.invoke(args=["analyze"])
    assert result.exit_code == 0, result.output
    assert "Scored 3 answers" in result.output
    assert "Scoring answers" in result.output  # the progress bar

    rows = analyses(db_session)
    assert [a.answer_id for a in rows] == [a.id for a in answers]
    assert [a.label for a in rows] == ["negative", "negative", "positive"]
    assert rows[0].themes == ["late_delivery"] and rows[1].themes == []
    assert theme_rows(db_session) == [
        (
            answers[0].id,
            "late_delivery",
            "auto",
            questionnaire.stage_id,
            questionnaire.touchpoint_id,
        )
    ]


def test_analyze_is_idempotent_and_all_rescores_everything(runner, db_session):
    questionnaire = a_delivery_survey(db_session)
    answers_stored_without_analysis(db_session, questionnaire, [LATE, PARKING, PRAISE])
    assert runner.invoke(args=["analyze"]).exit_code == 0
    first = [(a.id, a.answer_id, a.analyzer_version, a.themes) for a in analyses(db_session)]
    themes = theme_rows(db_session)

    again = runner.invoke(args=["analyze"])
    assert again.exit_code == 0 and "Scored 0 answers" in again.output
    assert [
        (a.id, a.answer_id, a.analyzer_version, a.themes) for a in analyses(db_session)
    ] == first
    assert theme_rows(db_session) == themes

    everything = runner.invoke(args=["analyze", "--all"])
    assert everything.exit_code == 0 and "Scored 3 answers" in everything.output
    # Still one analysis per answer (updated in place), the same theme rows.
    assert [
        (a.id, a.answer_id, a.analyzer_version, a.themes) for a in analyses(db_session)
    ] == first
    assert theme_rows(db_session) == themes


def test_analyze_rescores_answers_of_an_older_analyzer(runner, db_session):
    questionnaire = a_delivery_survey(db_session)
    answers_stored_without_analysis(db_session, questionnaire, [LATE, PRAISE])
    assert runner.invoke(args=["analyze"]).exit_code == 0
    old = analyses(db_session)[0]
    old.analyzer_version = "2020.1.0"
    db_session.commit()

    result = runner.invoke(args=["analyze"])
    assert "Scored 1 answers" in result.output
    current = scoring.analyzer_version(scoring.current_codebook(db_session))
    assert {a.analyzer_version for a in analyses(db_session)} == {current}


def test_after_a_new_theme_plain_analyze_rescores_the_stale_answers(runner, db_session):
    questionnaire = a_delivery_survey(db_session)
    late, parking, praise = answers_stored_without_analysis(
        db_session, questionnaire, [LATE, PARKING, PRAISE]
    )
    assert runner.invoke(args=["analyze"]).exit_code == 0
    a_parking_theme(db_session)
    assert scoring.count_to_score(db_session, False) == 3

    result = runner.invoke(args=["analyze"])
    assert result.exit_code == 0 and "Scored 3 answers" in result.output
    by_answer = {a.answer_id: a for a in analyses(db_session)}
    assert by_answer[parking.id].themes == ["store_parking"]
    assert by_answer[late.id].themes == ["late_delivery"]
    assert by_answer[praise.id].themes == []
    assert (
        parking.id,
        "store_parking",
        "auto",
        questionnaire.stage_id,
        questionnaire.touchpoint_id,
    ) in (theme_rows(db_session))
    assert scoring.count_to_score(db_session, False) == 0


def test_rescoring_keeps_the_themes_a_researcher_coded(runner, db_session):
    questionnaire = a_delivery_survey(db_session)
    (answer,) = answers_stored_without_analysis(db_session, questionnaire, [PRAISE])
    db_session.add(
        AnswerTheme(
            answer_id=answer.id,
            theme_key="rude_staff",
            source="coded",
            stage_id=answer.stage_id,
            touchpoint_id=answer.touchpoint_id,
        )
    )
    db_session.commit()
    assert runner.invoke(args=["analyze", "--all"]).exit_code == 0
    assert [(key, source) for _, key, source, *_ in theme_rows(db_session)] == [
        ("rude_staff", "coded")
    ]


def test_a_scored_answer_shows_its_analysis_on_the_response_pages(app, client, auth, db_session):
    questionnaire = a_delivery_survey(db_session)
    answer_as_a_new_customer(app, questionnaire, {"q_csat": "1", "q_why": LATE}, lang="fr")
    response = db_session.scalars(select(Response)).one()
    auth.login()
    for url in (f"/responses/{response.id}", f"/questionnaires/{questionnaire.id}/responses"):
        page = client.get(url).get_data(as_text=True)
        assert "sentiment-negative" in page and "negative (-" in page
        assert "late delivery" in page
        assert ">fr<" in page  # the language the analysis read
