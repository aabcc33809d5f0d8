"""The journey map's rollups agree with a computation from the answers, whatever happens."""

from __future__ import annotations

import math
import random
import threading
from dataclasses import asdict
from datetime import date, timedelta

import pytest
from builders import a_journey, a_live_questionnaire
from sqlalchemy import select, update

from feedback.filters import Filters
from feedback.journey_map import drop_off, journey_map
from feedback.pain_points import pain_points
from surveys import rollups, scoring
from surveys.db import new_session
from surveys.design_service import add_question, editable_version, publish
from surveys.models import (
    Answer,
    CellRollup,
    Questionnaire,
    Response,
    RollupState,
    Theme,
    utcnow,
)
from surveys.question_types import EMOTIONS, AnswerValue
from surveys.submissions import store_response

TEXTS = (
    "The parcel arrived late and the box was damaged.",
    "Livraison rapide, très contente du service !",
    "Le site est lent et le paiement a échoué deux fois.",
    "Checkout was easy and the staff were friendly.",
    "I waited 40 minutes on the phone for support, awful.",
    "Produit conforme, rien à redire.",
    "",
)
SCALES = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}


def close(a, b, path="map") -> None:
    """Compare two map dictionaries; sums added in another order may differ by rounding."""
    if isinstance(a, dict):
        assert a.keys() == b.keys(), path
        for key in a:
            close(a[key], b[key], f"{path}.{key}")
    elif isinstance(a, list):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            close(x, y, f"{path}[{i}]")
    elif isinstance(a, float) and isinstance(b, float):
        assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9), f"{path}: {a} != {b}"
    else:
        assert a == b, f"{path}: {a!r} != {b!r}"


def assert_rollups_agree(session, journey) -> None:
    assert rollups.differences(session) == []
    today = utcnow().date()
    periods = [
        Filters(),
        Filters(language="fr"),
        Filters(date_from=today - timedelta(days=6), date_to=today),
        Filters(date_from=today - timedelta(days=2), date_to=today - timedelta(days=1)),
    ]
    for questionnaire in journey_questionnaires(session, journey):
        periods.append(Filters(questionnaire_id=questionnaire.id, language="en"))
    for filters in periods:
        from_rollups = journey_map(session, journey, filters, min_n=3)
        from_answers = journey_map(session, journey, filters, min_n=3, use_rollups=False)
        assert (from_rollups.source, from_answers.source) == ("rollups", "answers")
        close(from_rollups.to_dict(), from_answers.to_dict(), f"map {filters.to_query()}")
        assert drop_off(session, journey, filters) == drop_off(
            session, journey, filters, use_rollups=False
        )
        close(
            [asdict(row) for row in pain_points(session, journey, filters)],
            [asdict(row) for row in pain_points(session, journey, filters, use_rollups=False)],
            f"pain points {filters.to_query()}",
        )


def journey_questionnaires(session, journey) -> list[Questionnaire]:
    query = select(Questionnaire).where(Questionnaire.journey_id == journey.id)
    return list(session.scalars(query.order_by(Questionnaire.id)))


def random_values(rng: random.Random, questionnaire) -> dict[str, AnswerValue]:
    values = {}
    for question in questionnaire.current_version.questions:
        if question.type in SCALES and rng.random() < 0.95:
            low, high = SCALES[question.type]
            values[question.key] = AnswerValue(number=rng.randint(low, high))
        elif question.type == "emotion" and rng.random() < 0.7:
            values[question.key] = AnswerValue(choice=rng.choice(EMOTIONS))
        elif question.type == "long_text":
            text = rng.choice(TEXTS)
            if text:
                values[question.key] = AnswerValue(text=text)
    return values


def live_questionnaires(session, journey) -> list[Questionnaire]:
    """CSAT at checkout, NPS for the whole advocacy stage, CES on the website."""
    places = (
        ("csat", "purchase", "checkout"),
        ("nps", "advocacy", None),
        ("ces", "consideration", "website"),
    )
    return [
        a_live_questionnaire(session, kind, stage, touchpoint_key=touchpoint, journey=journey)
        for kind, stage, touchpoint in places
    ]


@pytest.fixture
def journey(db_session):
    journey = a_journey(db_session)
    live_questionnaires(db_session, journey)
    return journey


def submit(session, rng, questionnaire, days_ago: int | None = None) -> Response:
    """A response stored the way customers' are: scored now, or (one in five) by a job later."""
    days_ago = rng.randint(0, 9) if days_ago is None else days_ago
    moment = utcnow() - timedelta(days=days_ago, hours=rng.randint(0, 23))
    response, new = store_response(
        session,
        questionnaire,
        random_values(rng, questionnaire),
        rng.choice(("fr", "en")),
        submitted_at=moment,
        channel=rng.choice(("web", "web", "email", "interview")),
        score=rng.random() > 0.2,
    )
    assert new
    return response


def partial(session, rng, questionnaire) -> Response:
    """A response left after its first answers, stored the way `store_response` counts."""
    response = Response(
        questionnaire_id=questionnaire.id,
        version_id=questionnaire.current_version.id,
        language=rng.choice(("fr", "en")),
        status="partial",
        submitted_at=utcnow() - timedelta(days=rng.randint(0, 9)),
    )
    first = questionnaire.current_version.questions[0]
    low, high = SCALES.get(first.type, (1, 5))
    response.answers.append(
        Answer(question_id=first.id, stage_id=questionnaire.stage_id, number=rng.randint(low, high))
    )
    session.add(response)
    session.flush()
    with rollups.updating(session, [response.id], new=True):
        pass
    session.commit()
    return response


@pytest.mark.parametrize("seed", range(6))
def test_rollups_agree_with_the_answers_after_random_changes(db_session, seed):
    """Submissions, edits, erasures, a new questionnaire version and re-scoring, at random."""
    rng = random.Random(seed)
    journey = a_journey(db_session)
    questionnaires = live_questionnaires(db_session, journey)
    for _ in range(40):
        roll = rng.random()
        stored = db_session.scalars(select(Response.id)).all()
        if roll < 0.55 or not stored:
            submit(db_session, rng, rng.choice(questionnaires))
        elif roll < 0.6:  # a partial response: out of the scores, in the drop-off
            partial(db_session, rng, rng.choice(questionnaires))
        elif roll < 0.7:  # an edit: a score and a picked emotion change
            answer = db_session.scalars(
                select(Answer).where(Answer.response_id == rng.choice(stored)).order_by(Answer.id)
            ).first()
            with rollups.updating(db_session, [answer.response_id]):
                if answer.number is not None:
                    answer.number = max(0, answer.number - 1)
                elif answer.choice is not None:
                    answer.choice = rng.choice(EMOTIONS)
            db_session.commit()
        elif roll < 0.82:
            erased = rng.sample(stored, k=min(len(stored), rng.randint(1, 3)))
            assert rollups.erase_responses(db_session, erased) == len(erased)
            db_session.commit()
        elif roll < 0.9:  # a new version once the old one has answers
            questionnaire = rng.choice(questionnaires)
            version = editable_version(db_session, questionnaire)
            add_question(
                db_session,
                questionnaire,
                {"type": "long_text", "key": f"more{version.number}{rng.randint(0, 999)}",
                 "prompt": {"en": "Anything else?", "fr": "Autre chose ?"}},
            )  # fmt: skip
            publish(questionnaire)
            db_session.commit()
        else:  # the codebook changes: stale answers are scored again
            db_session.add(
                Theme(
                    key=f"theme{rng.randint(0, 10**6)}",
                    label={"en": "Parcel"},
                    keywords={"en": ["parcel", "box"], "fr": ["livraison"]},
                )
            )
            db_session.commit()
            scoring.rescore(db_session)
    db_session.expire_all()
    assert_rollups_agree(db_session, journey)


def test_the_map_reads_the_rollups_unless_a_segment_is_asked(db_session, journey):
    rng = random.Random(1)
    questionnaire = journey_questionnaires(db_session, journey)[0]
    for _ in range(5):
        submit(db_session, rng, questionnaire)
    assert journey_map(db_session, journey, Filters()).source == "rollups"
    segment = Filters(segment=(("channel", "email"),))
    assert journey_map(db_session, journey, segment).source == "answers"


def test_until_built_the_map_reads_the_answers_and_init_db_builds_them(app, db_session, journey):
    rng = random.Random(2)
    questionnaire = journey_questionnaires(db_session, journey)[0]
    for _ in range(4):
        submit(db_session, rng, questionnaire)
    expected = journey_map(db_session, journey, Filters()).to_dict()
    # As after upgrading a database that had answers before the rollups existed.
    db_session.query(RollupState).delete()
    db_session.query(CellRollup).delete()
    db_session.commit()
    assert journey_map(db_session, journey, Filters()).source == "answers"

    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert "rollups built" in result.output
    db_session.expire_all()
    rebuilt = journey_map(db_session, journey, Filters())
    assert rebuilt.source == "rollups"
    close(rebuilt.to_dict(), expected)
    again = app.test_cli_runner().invoke(args=["init-db"])
    assert "rollups built" not in again.output


def test_check_finds_a_drift_and_rebuild_mends_it(app, db_session, journey):
    rng = random.Random(3)
    questionnaire = journey_questionnaires(db_session, journey)[0]
    for _ in range(6):
        submit(db_session, rng, questionnaire)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["rebuild-rollups", "--check"]).exit_code == 0
    db_session.execute(update(CellRollup).values(responses=CellRollup.responses + 1))
    db_session.commit()

    drifted = runner.invoke(args=["rebuild-rollups", "--check"])
    assert drifted.exit_code == 1
    assert "responses: stored" in drifted.output
    assert "differ from the answers" in drifted.output

    rebuilt = runner.invoke(args=["rebuild-rollups"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "6 responses" in rebuilt.output
    assert runner.invoke(args=["rebuild-rollups", "--check"]).exit_code == 0
    db_session.expire_all()
    assert_rollups_agree(db_session, journey)


def test_a_failed_change_adds_nothing(db_session, journey):
    rng = random.Random(4)
    questionnaire = journey_questionnaires(db_session, journey)[0]
    response = submit(db_session, rng, questionnaire)
    with pytest.raises(RuntimeError), rollups.updating(db_session, [response.id]):
        raise RuntimeError("the edit failed")
    db_session.rollback()
    assert rollups.differences(db_session) == []


def test_concurrent_submissions_on_one_cell_all_count(app, db_session, journey):
    """Upserts add up: no submission overwrites another's increment of the same row."""
    questionnaire_id = journey_questionnaires(db_session, journey)[0].id
    errors = []

    def customer(seed: int) -> None:
        try:
            with new_session(app) as session:
                questionnaire = session.get(Questionnaire, questionnaire_id)
                submit(session, random.Random(seed), questionnaire, days_ago=0)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=customer, args=(seed,)) for seed in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    db_session.expire_all()
    assert rollups.differences(db_session) == []
    the_map = journey_map(db_session, journey, Filters(), min_n=1)
    assert the_map.source == "rollups"
    assert the_map.total.n == 12


def test_rollup_days_are_utc_days(db_session, journey):
    questionnaire = journey_questionnaires(db_session, journey)[0]
    late = utcnow().replace(hour=23, minute=59, second=30) - timedelta(days=3)
    store_response(
        db_session,
        questionnaire,
        {"csat": AnswerValue(number=5)},
        "en",
        submitted_at=late,
    )
    day: date = late.date()
    assert db_session.scalar(select(CellRollup.day)) == day
    one_day = journey_map(db_session, journey, Filters(date_from=day, date_to=day), min_n=1)
    assert one_day.total.n == 1
    next_day = day + timedelta(days=1)
    after = journey_map(db_session, journey, Filters(date_from=next_day, date_to=next_day))
    assert after.total.n == 0
