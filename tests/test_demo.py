"""The demo data: built once, answered like real customers would, varied, and quick to load."""

from __future__ import annotations

import random
import stat
import statistics
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from surveys import scoring
from surveys.demo import (
    DEMO_JOURNEY_NAME,
    DEMO_USERS,
    LOGINS_FILE,
    demo_logins,
    seed_demo_data,
)
from surveys.demo_composer import compose_text
from surveys.models import (
    Answer,
    AnswerTheme,
    Journey,
    Question,
    Questionnaire,
    Response,
    TextAnalysis,
    User,
)
from surveys.question_rules import matches
from surveys.question_types import EMOTIONS, scale_of

N = 300


@pytest.fixture
def instance(app, tmp_path):
    """A private instance folder, so the demo logins never land in the project's own."""
    app.instance_path = str(tmp_path)
    return tmp_path


def seed_demo(app, runner, responses: int = N, seed: int = 7):
    result = runner.invoke(args=["seed-demo", "--responses", str(responses), "--seed", str(seed)])
    assert result.exit_code == 0, result.output
    return result


def web_responses(session) -> list[Response]:
    return list(session.scalars(select(Response).where(Response.channel == "web")))


def as_utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def test_seeding_twice_adds_responses_but_no_second_journey_or_account(
    app, runner, instance, db_session
):
    seed_demo(app, runner)
    seed_demo(app, runner)

    journeys = db_session.scalars(select(Journey).where(Journey.name == DEMO_JOURNEY_NAME)).all()
    assert len(journeys) == 1
    questionnaires = db_session.scalars(
        select(Questionnaire).where(Questionnaire.journey_id == journeys[0].id)
    ).all()
    kinds = sorted((q.stage.key, q.kind, q.status) for q in questionnaires)
    assert kinds == [
        ("advocacy", "nps", "live"),
        ("awareness", "csat", "live"),
        ("consideration", "ces", "live"),
        ("purchase", "csat", "live"),
        ("purchase", "interview", "draft"),
        ("retention", "csat", "live"),
    ]
    for email, role in DEMO_USERS:
        users = db_session.scalars(select(User).where(User.email == email)).all()
        assert [u.role for u in users] == [role]
    assert len(web_responses(db_session)) == 2 * N
    interviews = db_session.scalar(select(func.count()).where(Response.channel == "interview"))
    assert 3 <= interviews <= 4


def test_every_response_answers_its_questionnaire_where_it_happened(db_session, tmp_path):
    seed_demo_data(
        db_session, responses=N, seed=1, echo=lambda _: None, instance_path=str(tmp_path)
    )

    responses = web_responses(db_session)
    assert len(responses) == N
    answered: set[int] = set()
    per_questionnaire = {}
    for response in responses:
        questionnaire = response.questionnaire
        per_questionnaire[questionnaire.stage.key] = (
            per_questionnaire.get(questionnaire.stage.key, 0) + 1
        )
        assert questionnaire.status == "live"
        assert response.version_id == questionnaire.current_version.id
        questions = {q.id: q for q in questionnaire.current_version.questions}
        by_question = {a.question_id: a for a in response.answers}
        assert set(by_question) <= set(questions)
        for question in questions.values():
            if question.required:
                assert question.id in by_question, question.key
        for answer in response.answers:
            question = questions[answer.question_id]
            assert answer.stage_id == questionnaire.stage_id
            assert answer.touchpoint_id == (question.touchpoint_id or questionnaire.touchpoint_id)
            scale = scale_of(question.type, question.settings)
            if scale:
                assert scale[0] <= answer.number <= scale[1]
            elif question.type == "emotion":
                assert answer.choice in EMOTIONS
            elif question.type == "single_choice":  # "May we quote you?"
                assert answer.choice in {o["value"] for o in question.options}
            else:
                assert answer.text and answer.text.strip()
        # A follow-up is answered only when the earlier answer its rule reads matches.
        given = {questions[a.question_id].key: a for a in response.answers}
        for answer in response.answers:
            assert matches(questions[answer.question_id].show_if, given)
        answered |= set(by_question)
    # Across the responses every question of every live questionnaire gets answers.
    live_questions = db_session.scalars(
        select(Question.id)
        .join(Question.version)
        .join(Questionnaire)
        .where(Questionnaire.status == "live")
    ).all()
    assert set(live_questions) <= answered
    # Most answers come after an order: purchase and retention hear the most.
    assert per_questionnaire["retention"] > per_questionnaire["awareness"]
    assert per_questionnaire["purchase"] > per_questionnaire["consideration"]


def test_responses_mix_french_and_english_over_ninety_days(db_session, tmp_path):
    seed_demo_data(
        db_session, responses=N, seed=2, echo=lambda _: None, instance_path=str(tmp_path)
    )

    responses = web_responses(db_session)
    french = sum(r.language == "fr" for r in responses) / len(responses)
    assert 0.45 <= french <= 0.65
    assert {r.language for r in responses} == {"fr", "en"}

    dates = [as_utc(r.submitted_at) for r in responses]
    now = datetime.now(UTC)
    assert max(dates) <= now
    assert min(dates) >= now - timedelta(days=90, minutes=5)
    assert max(dates) - min(dates) > timedelta(days=80)

    for response in responses:
        assert response.meta["channel"] in {"email", "qr", "sms"}
        assert response.meta["customer_type"] in {"B2C", "B2B"}
        assert len(response.meta["country"]) == 2
        if response.questionnaire.stage.key in {"purchase", "retention", "advocacy"}:
            assert response.meta["order_id"]
    assert {r.meta["country"] for r in responses} >= {"FR", "GB"}


def test_free_texts_are_varied_and_written_in_the_response_language(db_session, tmp_path):
    seed_demo_data(
        db_session, responses=700, seed=3, echo=lambda _: None, instance_path=str(tmp_path)
    )

    rows = db_session.execute(
        select(Answer.text, Response.language)
        .join(Response)
        .where(Answer.text.is_not(None), Response.channel == "web")
        .order_by(Answer.id)
        .limit(500)
    ).all()
    assert len(rows) == 500
    texts = [text for text, _ in rows]
    assert len(set(texts)) >= 0.8 * len(texts)
    french = " ".join(text.lower() for text, language in rows if language == "fr")
    english = " ".join(text.lower() for text, language in rows if language == "en")
    for word in (" le ", " la ", " de ", " et "):
        assert word in french and word not in english
    for word in (" the ", " and ", " to "):
        assert word in english and word not in french


def test_a_seed_gives_the_same_responses_again(db_session, tmp_path):
    def summary_of(responses):
        return [
            (
                r.questionnaire_id,
                r.language,
                {k: v for k, v in r.meta.items()},
                [(a.question_id, a.number, a.choice, a.text) for a in r.answers],
            )
            for r in responses
        ]

    quiet = {"echo": lambda _: None, "instance_path": str(tmp_path)}
    seed_demo_data(db_session, responses=50, seed=11, **quiet)
    first = summary_of(sorted(web_responses(db_session), key=lambda r: r.id))
    seed_demo_data(db_session, responses=50, seed=11, **quiet)
    db_session.expire_all()
    both = sorted(web_responses(db_session), key=lambda r: r.id)
    assert summary_of(both[50:]) == first


def test_composed_texts_follow_the_band_and_theme():
    rng = random.Random(5)
    late = [compose_text(rng, "retention", "fr-eu", "negative", "late_delivery") for _ in range(40)]
    assert any("livr" in t.lower() or "colis" in t.lower() or "commande" in t.lower() for t in late)
    praise = [compose_text(rng, "purchase", "en-gb", "positive", None) for _ in range(40)]
    assert len(set(praise)) > 25
    assert all(t.strip() for t in late + praise)


@pytest.mark.skipif(not scoring.analysis_available(), reason="the text analysis is not installed")
def test_scores_follow_the_sentiment_of_the_text(db_session, tmp_path):
    summary = seed_demo_data(
        db_session, responses=N, seed=4, echo=lambda _: None, instance_path=str(tmp_path)
    )
    assert "Scored" in summary

    codebook = scoring.current_codebook(db_session)
    pairs = []
    for response in web_responses(db_session):
        score = next(a for a in response.answers if a.number is not None)
        low, high = scale_of(score.question.type, score.question.settings)
        for answer in response.answers:
            if answer.text:
                assert answer.analysis is not None
                assert answer.analysis.analyzer_version == scoring.analyzer_version(codebook)
                assert answer.analysis.stage_id == answer.stage_id
                pairs.append(((score.number - low) / (high - low), answer.analysis.polarity))
    assert len(pairs) > N / 2
    assert statistics.correlation(*zip(*pairs, strict=True)) > 0.5

    themes = db_session.execute(
        select(AnswerTheme.theme_key, AnswerTheme.stage_id, Answer.stage_id).join(
            Answer, Answer.id == AnswerTheme.answer_id
        )
    ).all()
    assert themes, "complaints name pain points the codebook knows"
    assert all(theme_stage == answer_stage for _, theme_stage, answer_stage in themes)


def test_without_the_text_analysis_responses_load_unscored(db_session, tmp_path, monkeypatch):
    monkeypatch.setattr(scoring, "analyze", None)
    summary = seed_demo_data(
        db_session, responses=50, seed=5, echo=lambda _: None, instance_path=str(tmp_path)
    )
    assert "not scored" in summary
    assert len(web_responses(db_session)) == 50
    assert db_session.scalar(select(func.count()).select_from(TextAnalysis)) == 0


def test_demo_logins_are_printed_kept_private_and_let_people_in(
    app, runner, instance, db_session, forms
):
    first = seed_demo(app, runner, responses=10)
    logins = demo_logins(str(instance))
    assert [(email, role) for email, _, role in logins] == list(DEMO_USERS)
    for email, password, _role in logins:
        assert email in first.output and password in first.output
        user = db_session.scalar(select(User).where(User.email == email))
        assert user.check_password(password)
    assert stat.S_IMODE((instance / LOGINS_FILE).stat().st_mode) == 0o600

    second = seed_demo(app, runner, responses=10)
    assert demo_logins(str(instance)) == logins
    assert all(password in second.output for _, password, _ in logins)

    email, password, _ = logins[0]
    response = forms.post("/login", {"email": email, "password": password})
    assert response.status_code == 302


def test_lost_login_file_gives_the_accounts_new_passwords(db_session, tmp_path):
    quiet = {"echo": lambda _: None, "instance_path": str(tmp_path)}
    seed_demo_data(db_session, responses=0, seed=1, **quiet)
    old = demo_logins(str(tmp_path))
    (tmp_path / LOGINS_FILE).unlink()

    seed_demo_data(db_session, responses=0, seed=1, **quiet)
    new = demo_logins(str(tmp_path))
    assert len(new) == len(DEMO_USERS)
    for (email, old_password, _), (_, new_password, _) in zip(old, new, strict=True):
        assert old_password != new_password
        user = db_session.scalar(select(User).where(User.email == email))
        db_session.refresh(user)
        assert user.check_password(new_password)


def test_no_login_file_means_no_logins(tmp_path):
    assert demo_logins(str(tmp_path)) == []
