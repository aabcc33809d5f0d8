"""Keeping the journey map's rollups in step with the answers.

Every change to what a response contributes (stored, scored again, edited, erased) runs
inside `updating`: it takes the responses' current contribution off before the change and
adds the new one after, both computed by the GROUP BY queries that `rebuild` runs over
all answers, so the incremental and the from-scratch figures agree by construction.
Increments are upserts (`ON CONFLICT DO UPDATE SET n = n + excluded.n`): concurrent
transactions add up instead of overwriting each other, and rows are written in key order
so two of them never wait on each other in opposite orders.
"""

from __future__ import annotations

import math
import secrets
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date

from sqlalchemy import Date, cast, delete, distinct, func, select, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from feedback.journey_map import score_columns
from feedback.pain_points import NEGATIVITY

from .models import (
    CELL_MEASURES,
    SHARDS,
    WHOLE_STAGE,
    Answer,
    AnswerTheme,
    CellRollup,
    CountRollup,
    Question,
    QuestionRollup,
    Response,
    ResponseRollup,
    RollupState,
    TextAnalysis,
    aware,
)

# Responses per statement: PostgreSQL takes more parameters, SQLite 32,766 since 3.32.
CHUNK = 1000

# (day, version_id, stage_id, touchpoint_id, language)
CellKey = tuple[date, int, int, int, str]


@dataclass
class Contribution:
    """What some responses add to the rollups, by rollup row."""

    cells: dict[CellKey, dict[str, float]] = field(default_factory=dict)
    # (cell, kind, key): [answers, sum of their negativity (kind "pain" only)]
    counts: dict[tuple[CellKey, str, str], list] = field(default_factory=dict)
    # (day, version_id, language, status): responses of every status, for the drop-off
    responses: dict[tuple[date, int, str, str], int] = field(default_factory=dict)
    # (day, question_id, version_id, language, status): responses that answered it
    questions: dict[tuple[date, int, int, str, str], int] = field(default_factory=dict)

    def cell(self, key: CellKey) -> dict[str, float]:
        return self.cells.setdefault(key, dict.fromkeys(CELL_MEASURES, 0))


# --- computing contributions ------------------------------------------------------------


def utc_day(session: Session, moment):
    """The UTC day of a stored moment, as the map's date filters count days."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.timezone("UTC", moment), Date)
    return func.date(moment)  # SQLite keeps UTC text; date() reads its first ten characters


def as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _touchpoint(column):
    return func.coalesce(column, WHOLE_STAGE)


def contribution(session: Session, response_ids: Sequence[int] | None = None) -> Contribution:
    """The rollup rows of the given complete responses (all of them when None)."""
    found = Contribution()
    if response_ids is None:
        _add_contribution(session, found, None)
    else:
        ids = sorted(set(response_ids))
        for start in range(0, len(ids), CHUNK):
            _add_contribution(session, found, ids[start : start + CHUNK])
    return found


def _add_contribution(session: Session, found: Contribution, ids: list[int] | None) -> None:
    day = utc_day(session, Response.submitted_at)
    where = [Response.status == "complete"]
    if ids is not None:
        where.append(Response.id.in_(ids))

    def dims(stage, touchpoint):
        return (day, Response.version_id, stage, _touchpoint(touchpoint), Response.language)

    def key_of(row) -> CellKey:
        return (as_date(row[0]), row[1], row[2], row[3], row[4])

    answer_dims = dims(Answer.stage_id, Answer.touchpoint_id)
    scores = (
        select(*answer_dims, *score_columns())
        .select_from(Answer)
        .join(Response, Response.id == Answer.response_id)
        .join(Question, Question.id == Answer.question_id)
        .where(*where)
        .group_by(*answer_dims)
    )
    score_measures = CELL_MEASURES[:9]
    for row in session.execute(scores):
        cell = found.cell(key_of(row))
        for name, value in zip(score_measures, row[5:], strict=True):
            cell[name] += value or 0

    text_dims = dims(TextAnalysis.stage_id, TextAnalysis.touchpoint_id)
    texts = (
        select(
            *text_dims,
            TextAnalysis.emotion,
            func.count(),
            func.sum(TextAnalysis.polarity),
            func.sum(TextAnalysis.polarity * TextAnalysis.polarity),
        )
        .select_from(TextAnalysis)
        .join(Answer, Answer.id == TextAnalysis.answer_id)
        .join(Response, Response.id == Answer.response_id)
        .where(*where)
        .group_by(*text_dims, TextAnalysis.emotion)
    )
    for row in session.execute(texts):
        key, emotion, n, polarity, squares = key_of(row), row[5], row[6], row[7], row[8]
        cell = found.cell(key)
        cell["polarity_n"] += n
        cell["polarity_sum"] += float(polarity or 0)
        cell["polarity_sq_sum"] += float(squares or 0)
        if emotion:
            _count(found, key, "inferred", emotion, n)

    picked = (
        select(*answer_dims, Answer.choice, func.count())
        .select_from(Answer)
        .join(Response, Response.id == Answer.response_id)
        .join(Question, Question.id == Answer.question_id)
        .where(*where, Question.type == "emotion", Answer.choice.is_not(None))
        .group_by(*answer_dims, Answer.choice)
    )
    for row in session.execute(picked):
        _count(found, key_of(row), "picked", row[5], row[6])

    theme_dims = dims(AnswerTheme.stage_id, AnswerTheme.touchpoint_id)
    themes = (
        select(*theme_dims, AnswerTheme.theme_key, func.count(distinct(AnswerTheme.answer_id)))
        .select_from(AnswerTheme)
        .join(Answer, Answer.id == AnswerTheme.answer_id)
        .join(Response, Response.id == Answer.response_id)
        .where(*where)
        .group_by(*theme_dims, AnswerTheme.theme_key)
    )
    for row in session.execute(themes):
        _count(found, key_of(row), "theme", row[5], row[6])

    # The pain points' figures: customers' answers only (interview notes are evidence).
    customers = [*where, Response.channel != "interview"]
    themed = select(
        AnswerTheme.answer_id,
        AnswerTheme.theme_key,
        AnswerTheme.stage_id,
        AnswerTheme.touchpoint_id,
    ).distinct()  # a theme both found and coded counts once
    if ids is not None:
        themed = themed.join(Answer, Answer.id == AnswerTheme.answer_id).where(
            Answer.response_id.in_(ids)
        )
    themed = themed.subquery()
    pain_dims = dims(themed.c.stage_id, themed.c.touchpoint_id)
    pains = (
        select(*pain_dims, themed.c.theme_key, func.count(), func.sum(NEGATIVITY))
        .select_from(themed)
        .join(Answer, Answer.id == themed.c.answer_id)
        .join(Response, Response.id == Answer.response_id)
        .outerjoin(TextAnalysis, TextAnalysis.answer_id == themed.c.answer_id)
        .where(*customers)
        .group_by(*pain_dims, themed.c.theme_key)
    )
    for row in session.execute(pains):
        _count(found, key_of(row), "pain", row[5], row[6], float(row[7] or 0))
    texts = (
        select(*answer_dims, func.count())
        .select_from(Answer)
        .join(Response, Response.id == Answer.response_id)
        .where(*customers, Answer.text.is_not(None), Answer.text != "")
        .group_by(*answer_dims)
    )
    for row in session.execute(texts):
        _count(found, key_of(row), "texts", "", row[5])

    # Responses and the questions they reached count whatever their status (drop-off).
    any_status = [] if ids is None else [Response.id.in_(ids)]
    response_dims = (day, Response.version_id, Response.language, Response.status)
    responses = select(*response_dims, func.count()).where(*any_status).group_by(*response_dims)
    for row in session.execute(responses):
        key = (as_date(row[0]), row[1], row[2], row[3])
        found.responses[key] = found.responses.get(key, 0) + row[4]
    question_dims = (day, Answer.question_id, *response_dims[1:])
    reached = (
        select(*question_dims, func.count(distinct(Answer.response_id)))
        .select_from(Answer)
        .join(Response, Response.id == Answer.response_id)
        .where(*any_status)
        .group_by(*question_dims)
    )
    for row in session.execute(reached):
        key = (as_date(row[0]), row[1], row[2], row[3], row[4])
        found.questions[key] = found.questions.get(key, 0) + row[5]


def _count(
    found: Contribution, key: CellKey, kind: str, name: str, n: int, negativity: float = 0.0
) -> None:
    total = found.counts.setdefault((key, kind, name), [0, 0.0])
    total[0] += n
    total[1] += negativity


# --- writing them -----------------------------------------------------------------------

_DIMENSIONS = ("day", "version_id", "stage_id", "touchpoint_id", "language")
_RESPONSE_KEY = ("day", "version_id", "language", "status")
_QUESTION_KEY = ("day", "question_id", "version_id", "language", "status")


def _upsert(session: Session, model, rows: list[dict], measures: Iterable[str]) -> None:
    if not rows:
        return
    if session.get_bind().dialect.name == "postgresql":
        statement = postgresql_insert(model)
    else:
        statement = sqlite_insert(model)
    table = model.__table__
    statement = statement.on_conflict_do_update(
        index_elements=[column.name for column in table.primary_key],
        set_={name: table.c[name] + statement.excluded[name] for name in measures},
    )
    session.execute(statement, rows)


def apply(session: Session, found: Contribution, sign: int, shard: int | None = None) -> None:
    """Add (sign 1) or take off (sign -1) a contribution, row by row in key order, on one
    shard (at random unless given): a shard's row may go below zero, their sum cannot."""
    shard = secrets.randbelow(SHARDS) if shard is None else shard
    cells = [
        {
            **dict(zip(_DIMENSIONS, key, strict=True)),
            "shard": shard,
            **{m: v * sign for m, v in values.items()},
        }
        for key, values in sorted(found.cells.items())
    ]
    counts = [
        {
            **dict(zip(_DIMENSIONS, key, strict=True)),
            "shard": shard,
            "kind": kind,
            "key": name,
            "n": n * sign,
            "negativity_sum": negativity * sign,
        }
        for (key, kind, name), (n, negativity) in sorted(found.counts.items())
    ]
    responses = [
        {**dict(zip(_RESPONSE_KEY, key, strict=True)), "shard": shard, "n": n * sign}
        for key, n in sorted(found.responses.items())
    ]
    questions = [
        {**dict(zip(_QUESTION_KEY, key, strict=True)), "shard": shard, "n": n * sign}
        for key, n in sorted(found.questions.items())
    ]
    _upsert(session, CellRollup, cells, CELL_MEASURES)
    _upsert(session, CountRollup, counts, ("n", "negativity_sum"))
    _upsert(session, ResponseRollup, responses, ("n",))
    _upsert(session, QuestionRollup, questions, ("n",))


def write_lock(session: Session) -> None:
    """SQLite: start the transaction with the write lock (PostgreSQL locks rows instead), so
    responses read here cannot be changed or erased by another process before this
    transaction writes: two erasures of the same responses would take their contribution
    off twice. A transaction that has written already holds the lock."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return
    if not connection.connection.driver_connection.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


@contextmanager
def updating(session: Session, response_ids: Iterable[int], *, new: bool = False) -> Iterator[None]:
    """Keep the rollups right while the body changes these responses (or their answers).

    Enter before touching them: their contribution is taken off first (unless `new`: not
    counted yet), and the new one added once the body is done. On an error nothing is
    added: the caller rolls the transaction back. Nested use for the same responses is
    a no-op, so `store_response` and the `score_answers` it calls count once.
    """
    busy: set[int] = session.info.setdefault("rollups_updating", set())
    ids = sorted(set(response_ids) - busy)
    if not ids:
        yield
        return
    busy.update(ids)
    try:
        if not new:
            # Two transactions changing the same response one after the other, never both
            # taking off the same old contribution.
            write_lock(session)
            session.execute(
                select(Response.id)
                .where(Response.id.in_(ids))
                .order_by(Response.id)
                .with_for_update()
            )
            apply(session, contribution(session, ids), -1)
        yield
        session.flush()
        apply(session, contribution(session, ids), 1)
    finally:
        busy.difference_update(ids)


@contextmanager
def adding(session: Session, response: Response) -> Iterator[None]:
    """Count a response being stored (flushed, not yet counted) once the body is done.

    The busiest path: its contribution is read off the objects in hand instead of
    queried. `tests/test_rollups.py` holds it equal to `contribution()`.
    """
    busy: set[int] = session.info.setdefault("rollups_updating", set())
    busy.add(response.id)
    try:
        yield
        apply(session, new_contribution(response), 1)
    finally:
        busy.discard(response.id)


def new_contribution(response: Response) -> Contribution:
    """What `contribution()` finds for a response just stored and scored in this session."""
    found = Contribution()
    day = aware(response.submitted_at).astimezone(UTC).date()
    version, language, status = response.version_id, response.language, response.status
    types = {q.id: q.type for q in response.version.questions}
    found.responses[(day, version, language, status)] = 1
    for question_id in {a.question_id for a in response.answers}:
        found.questions[(day, question_id, version, language, status)] = 1
    if status != "complete":
        return found
    customer = response.channel != "interview"
    for answer in response.answers:
        key = (day, version, answer.stage_id, answer.touchpoint_id or WHOLE_STAGE, language)
        cell = found.cell(key)
        cell["responses"] = 1  # responses with an answer in the cell: this one
        _add_score(cell, types.get(answer.question_id), answer.number)
        if types.get(answer.question_id) == "emotion" and answer.choice is not None:
            _count(found, key, "picked", answer.choice, 1)
        if customer and answer.text:
            _count(found, key, "texts", "", 1)
        # Set by `score_answers` in this transaction; never loaded (no query) otherwise.
        analysis = answer.__dict__.get("analysis")
        if analysis is None:
            continue
        cell["polarity_n"] += 1
        cell["polarity_sum"] += analysis.polarity
        cell["polarity_sq_sum"] += analysis.polarity**2
        if analysis.emotion:
            _count(found, key, "inferred", analysis.emotion, 1)
        for theme in dict.fromkeys(analysis.themes):
            _count(found, key, "theme", theme, 1)
            if customer:
                _count(found, key, "pain", theme, 1, max(0.0, -analysis.polarity))
    return found


def _add_score(cell: dict[str, float], question_type: str | None, score: float | None) -> None:
    """The counts of `feedback.journey_map.score_columns()` for one answer."""
    if score is None:
        return
    if question_type == "nps":
        name = "promoters" if score >= 9 else "passives" if score >= 7 else "detractors"
        cell[name] += 1
    elif question_type == "csat":
        cell["csat_n"] += 1
        cell["csat_top"] += score >= 4
    elif question_type == "ces":
        cell["ces_n"] += 1
        cell["ces_sum"] += score
        cell["ces_easy"] += score >= 5


def erase_responses(session: Session, response_ids: Iterable[int]) -> int:
    """Delete responses with their answers, analyses and themes; return how many went.

    The caller commits. Their invitations stay answered, so nobody is asked twice.
    """
    ids = sorted(set(response_ids))
    if not ids:
        return 0
    with updating(session, ids):
        responses = session.scalars(select(Response).where(Response.id.in_(ids))).all()
        for response in responses:
            session.delete(response)
    return len(responses)


# --- from scratch -----------------------------------------------------------------------


def built(session: Session) -> bool:
    """Whether the rollups were built on this database (the map reads answers until then)."""
    return session.scalar(select(RollupState.id).limit(1)) is not None


def rebuild(session: Session) -> Contribution:
    """Recompute every rollup from the answers, in the caller's transaction."""
    if session.get_bind().dialect.name == "postgresql":
        # Writers wait until this commits: an answer stored meanwhile is either seen by the
        # queries below or added on top of their result, never lost or counted twice.
        session.execute(
            text(
                "LOCK TABLE rollup_cells, rollup_counts, rollup_responses, rollup_questions "
                "IN EXCLUSIVE MODE"
            )
        )
    for model in (CellRollup, CountRollup, ResponseRollup, QuestionRollup, RollupState):
        session.execute(delete(model))
    found = contribution(session)
    apply(session, found, 1, shard=0)
    session.add(RollupState(id=1))
    session.flush()
    return found


def ensure_built(session: Session) -> bool:
    """Build the rollups once (a new or upgraded database); return whether it built them."""
    if built(session):
        return False
    rebuild(session)
    return True


def differences(session: Session, tolerance: float = 1e-6) -> list[str]:
    """Where the stored rollups differ from a computation from scratch (empty: they agree)."""
    expected = contribution(session)
    found: list[str] = []
    stored_cells: dict[CellKey, dict[str, float]] = {}
    for row in session.scalars(select(CellRollup)):
        key = (row.day, row.version_id, row.stage_id, row.touchpoint_id, row.language)
        summed = stored_cells.setdefault(key, dict.fromkeys(CELL_MEASURES, 0))
        for name in CELL_MEASURES:
            summed[name] += getattr(row, name)
    for key in sorted(set(stored_cells) | set(expected.cells)):
        have = stored_cells.get(key, dict.fromkeys(CELL_MEASURES, 0))
        want = expected.cells.get(key, dict.fromkeys(CELL_MEASURES, 0))
        for name in CELL_MEASURES:
            if not math.isclose(have[name], want[name], abs_tol=tolerance):
                found.append(f"cell {key} {name}: stored {have[name]}, answers {want[name]}")
    stored_counts: dict[tuple, list] = {}
    for row in session.scalars(select(CountRollup)):
        key = (row.day, row.version_id, row.stage_id, row.touchpoint_id, row.language)
        summed = stored_counts.setdefault((key, row.kind, row.key), [0, 0.0])
        summed[0] += row.n
        summed[1] += row.negativity_sum
    for key in sorted(set(stored_counts) | set(expected.counts)):
        (have, have_sum), (want, want_sum) = (
            stored_counts.get(key, [0, 0.0]),
            expected.counts.get(key, [0, 0.0]),
        )
        if have != want or not math.isclose(have_sum, want_sum, abs_tol=tolerance):
            found.append(f"count {key}: stored {have} ({have_sum}), answers {want} ({want_sum})")
    for model, expected_rows, key in (
        (ResponseRollup, expected.responses, _RESPONSE_KEY),
        (QuestionRollup, expected.questions, _QUESTION_KEY),
    ):
        stored: dict[tuple, int] = defaultdict(int)
        for row in session.scalars(select(model)):
            stored[tuple(getattr(row, name) for name in key)] += row.n
        for row_key in sorted(set(stored) | set(expected_rows)):
            have, want = stored.get(row_key, 0), expected_rows.get(row_key, 0)
            if have != want:
                found.append(f"{model.__tablename__} {row_key}: stored {have}, answers {want}")
    return found
