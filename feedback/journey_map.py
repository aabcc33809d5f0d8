"""The journey map's figures: scores, sentiment, emotions and themes per stage x touchpoint.

Every figure is an SQL GROUP BY: over the rollups (running totals per day x questionnaire
version x stage x touchpoint x language, kept by `surveys.rollups`) when the filters are
among their keys, so the cost does not grow with the answers; over the answers the filters
select otherwise (a segment is metadata, not a rollup key). Python only adds up the
grouped rows into stage and journey totals and turns counts into figures with
`feedback.metrics`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, fields
from datetime import datetime
from types import EllipsisType

from sqlalchemy import (
    Select,
    and_,
    case,
    distinct,
    func,
    select,
    true,
)
from sqlalchemy.orm import Session

from surveys.models import (
    CELL_MEASURES,
    WHOLE_STAGE,
    Answer,
    AnswerTheme,
    CellRollup,
    CountRollup,
    Journey,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    QuestionRollup,
    Response,
    ResponseRollup,
    RollupState,
    TextAnalysis,
)

from .filters import Filters
from .metrics import Effort, Figure, ScoreCounts, nps_from_counts, proportion

SCORE_TYPES = ("nps", "csat", "ces")
TOP_THEMES = 3
# Recent responses read to list the metadata keys a segment filter can use.
SEGMENT_SAMPLE = 5000

CellKey = tuple[int, int | None]


# --- figures ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Delta:
    """The change since the previous period; None where either side has no figure."""

    n: int
    nps: float | None
    csat: float | None
    ces: float | None
    sentiment: float | None

    def to_dict(self) -> dict:
        return {
            "n": self.n,
            "nps": self.nps,
            "csat": self.csat,
            "ces": self.ces,
            "sentiment": self.sentiment,
        }


@dataclass
class Cell:
    """The figures of one stage x touchpoint (touchpoint None: the stage as a whole)."""

    stage_id: int
    touchpoint_id: int | None
    n: int
    enough: bool
    nps: Figure
    csat: Figure
    ces: Effort
    sentiment: float | None
    sentiment_n: int
    emotions_picked: dict[str, int]
    emotions_inferred: dict[str, int]
    themes: list[tuple[str, int]]
    delta: Delta | None = None

    @property
    def empty(self) -> bool:
        return self.n == 0

    def to_dict(self, stage_key: str | None = None, touchpoint_key: str | None = None) -> dict:
        return {
            "stage": stage_key,
            "touchpoint": touchpoint_key,
            "n": self.n,
            "enough": self.enough,
            "nps": self.nps.to_dict(),
            "csat": self.csat.to_dict(),
            "ces": {"mean": self.ces.mean, "easy": self.ces.easy.to_dict(), "n": self.ces.n},
            "sentiment": {"mean": self.sentiment, "n": self.sentiment_n},
            "emotions": {"picked": self.emotions_picked, "inferred": self.emotions_inferred},
            "themes": [{"key": key, "count": count} for key, count in self.themes],
            "delta": self.delta.to_dict() if self.delta else None,
        }


@dataclass
class StageColumn:
    """One stage of the map: its total and its cells by touchpoint id (None: whole stage)."""

    id: int
    key: str
    name_en: str
    name_fr: str
    total: Cell
    cells: dict[int | None, Cell]

    def name(self, language: str) -> str:
        return self.name_fr if language == "fr" else self.name_en


@dataclass
class JourneyMap:
    journey_id: int
    filters: Filters
    min_n: int
    stages: list[StageColumn]
    # Rows of the map: (id, key, name_en) of touchpoints with answers, in journey order.
    touchpoints: list[tuple[int, str, str]]
    total: Cell
    compared: bool = False
    # Where the figures were read: "rollups" or "answers".
    source: str = "answers"

    def cell(self, stage_id: int, touchpoint_id: int | None) -> Cell | None:
        stage = next((s for s in self.stages if s.id == stage_id), None)
        return stage.cells.get(touchpoint_id) if stage else None

    @property
    def has_whole_stage_answers(self) -> bool:
        return any(None in s.cells for s in self.stages)

    def curve(self, language: str = "en") -> list[CurvePoint]:
        """The emotion curve read off the stage totals, stages named in `language`."""
        return [_curve_point(s.key, s.name(language), s.total) for s in self.stages]

    def to_dict(self) -> dict:
        """The JSON shape of the map: stages, touchpoints and cells with their figures."""
        touchpoint_keys = {tp_id: key for tp_id, key, _name in self.touchpoints}
        return {
            "journey": self.journey_id,
            "filters": self.filters.to_query(),
            "min_n": self.min_n,
            "compared": self.compared,
            "total": self.total.to_dict(),
            "stages": [
                {
                    "id": s.id,
                    "key": s.key,
                    "name": {"en": s.name_en, "fr": s.name_fr},
                    "total": s.total.to_dict(s.key),
                }
                for s in self.stages
            ],
            "touchpoints": [
                {"id": tp_id, "key": key, "name": name} for tp_id, key, name in self.touchpoints
            ],
            "cells": [
                cell.to_dict(s.key, touchpoint_keys.get(tp_id))
                for s in self.stages
                for tp_id, cell in s.cells.items()
            ],
        }


@dataclass
class _Counts(ScoreCounts):
    """What a cell adds up: the score counts and sums, and its emotions and themes."""

    picked: Counter = field(default_factory=Counter)
    inferred: Counter = field(default_factory=Counter)
    themes: Counter = field(default_factory=Counter)

    def add(self, other: _Counts) -> None:
        super().add(other)
        self.picked.update(other.picked)
        self.inferred.update(other.inferred)
        self.themes.update(other.themes)


def _most_common(counts: Counter) -> list[tuple[str, int]]:
    # Ties by name: the databases return groups in no set order, and the page must not flicker.
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def _cell(stage_id: int, touchpoint_id: int | None, n: int, c: _Counts, min_n: int) -> Cell:
    ces_mean = c.ces_sum / c.ces_n if c.ces_n else None
    return Cell(
        stage_id=stage_id,
        touchpoint_id=touchpoint_id,
        n=n,
        enough=n >= min_n,
        nps=nps_from_counts(c.promoters, c.passives, c.detractors, min_n),
        csat=proportion(c.csat_top, c.csat_n, min_n),
        ces=Effort(ces_mean, proportion(c.ces_easy, c.ces_n, min_n), c.ces_n, c.ces_n >= min_n),
        sentiment=c.polarity_sum / c.polarity_n if c.polarity_n else None,
        sentiment_n=c.polarity_n,
        emotions_picked=dict(_most_common(c.picked)),
        emotions_inferred=dict(_most_common(c.inferred)),
        themes=_most_common(c.themes)[:TOP_THEMES],
    )


# --- queries ----------------------------------------------------------------------------


def _answers(query: Select, filters: Filters, stage_ids: list[int]) -> Select:
    """Restrict a query over answers to the journey's stages and the filtered responses."""
    query = query.join(Response, Response.id == Answer.response_id)
    return filters.apply(query.where(Answer.stage_id.in_(stage_ids)))


def score_columns() -> list:
    """Per group of answers: responses, then NPS, CSAT and CES counts by question type.

    Shared with the rollups (`surveys.rollups`), so both count the same way.
    """

    def count_if(*conditions) -> object:
        return func.sum(case((and_(*conditions), 1), else_=0))

    nps, csat, ces = (Question.type == t for t in SCORE_TYPES)
    score = Answer.number
    return [
        func.count(distinct(Answer.response_id)),
        count_if(nps, score >= 9),
        count_if(nps, score >= 7, score < 9),
        count_if(nps, score < 7),
        count_if(csat, score >= 4),
        count_if(csat, score.is_not(None)),
        func.sum(case((ces, score))),
        count_if(ces, score >= 5),
        count_if(ces, score.is_not(None)),
    ]


def _score_rows(session: Session, filters: Filters, stage_ids: list[int]) -> list:
    """Per cell: responses, and NPS, CSAT and CES counts by the question's type."""
    query = (
        select(Answer.stage_id, Answer.touchpoint_id, *score_columns())
        .select_from(Answer)
        .join(Question, Question.id == Answer.question_id)
        .group_by(Answer.stage_id, Answer.touchpoint_id)
    )
    return session.execute(_answers(query, filters, stage_ids)).all()


def _picked_rows(session: Session, filters: Filters, stage_ids: list[int]) -> list:
    """Per cell and emotion: how many respondents picked it in an emotion question."""
    query = (
        select(Answer.stage_id, Answer.touchpoint_id, Answer.choice, func.count())
        .select_from(Answer)
        .join(Question, Question.id == Answer.question_id)
        .where(Question.type == "emotion", Answer.choice.is_not(None))
        .group_by(Answer.stage_id, Answer.touchpoint_id, Answer.choice)
    )
    return session.execute(_answers(query, filters, stage_ids)).all()


def _text_rows(session: Session, filters: Filters, stage_ids: list[int]) -> list:
    """Per cell and inferred emotion: analysed answers and the sum of their polarity."""
    query = (
        select(
            TextAnalysis.stage_id,
            TextAnalysis.touchpoint_id,
            TextAnalysis.emotion,
            func.count(),
            func.sum(TextAnalysis.polarity),
        )
        .select_from(TextAnalysis)
        .join(Answer, Answer.id == TextAnalysis.answer_id)
        .group_by(TextAnalysis.stage_id, TextAnalysis.touchpoint_id, TextAnalysis.emotion)
    )
    return session.execute(_answers(query, filters, stage_ids)).all()


def _theme_rows(session: Session, filters: Filters, stage_ids: list[int]) -> list:
    """Per cell and theme: the answers carrying it (auto and coded count once)."""
    query = (
        select(
            AnswerTheme.stage_id,
            AnswerTheme.touchpoint_id,
            AnswerTheme.theme_key,
            func.count(distinct(AnswerTheme.answer_id)),
        )
        .select_from(AnswerTheme)
        .join(Answer, Answer.id == AnswerTheme.answer_id)
        .group_by(AnswerTheme.stage_id, AnswerTheme.touchpoint_id, AnswerTheme.theme_key)
    )
    return session.execute(_answers(query, filters, stage_ids)).all()


def _answer_respondents(session: Session, filters: Filters, journey: Journey) -> tuple[dict, int]:
    """Responses per stage and in the journey, counted on the responses alone.

    A response answers one questionnaire and its answers carry that questionnaire's stage
    (fixed at write time, and a questionnaire never changes stage), so this equals the
    distinct responses behind each stage's answers without reading the answers.
    """
    per_stage = dict(
        session.execute(
            filters.apply(
                select(Questionnaire.stage_id, func.count(Response.id))
                .select_from(Response)
                .join(Questionnaire, Questionnaire.id == Response.questionnaire_id)
                .where(Questionnaire.journey_id == journey.id)
                .group_by(Questionnaire.stage_id)
            )
        ).all()
    )
    return per_stage, sum(per_stage.values())


def _answer_cell_counts(
    session: Session, filters: Filters, stage_ids: list[int]
) -> tuple[dict, dict]:
    """Responses and counts per cell, from the grouped rows of every query."""
    counts: dict[CellKey, _Counts] = {}
    responses: dict[CellKey, int] = {}

    def at(stage_id: int, touchpoint_id: int | None) -> _Counts:
        return counts.setdefault((stage_id, touchpoint_id), _Counts())

    # One column per emotion in the score pass was measured slower in SQLite than this
    # second, narrower GROUP BY: each CASE is evaluated on every answer.
    for row in _score_rows(session, filters, stage_ids):
        stage_id, tp_id, n, prom, pas, det, top, csat_n, ces_sum, easy, ces_n = row
        responses[(stage_id, tp_id)] = n
        c = at(stage_id, tp_id)
        c.promoters, c.passives, c.detractors = prom or 0, pas or 0, det or 0
        c.csat_top, c.csat_n = top or 0, csat_n or 0
        c.ces_sum, c.ces_easy, c.ces_n = float(ces_sum or 0), easy or 0, ces_n or 0
    for stage_id, tp_id, emotion, n in _picked_rows(session, filters, stage_ids):
        at(stage_id, tp_id).picked[emotion] += n
    for stage_id, tp_id, emotion, n, polarity in _text_rows(session, filters, stage_ids):
        c = at(stage_id, tp_id)
        c.polarity_n += n
        c.polarity_sum += float(polarity or 0)
        if emotion:
            c.inferred[emotion] += n
    for stage_id, tp_id, theme, n in _theme_rows(session, filters, stage_ids):
        at(stage_id, tp_id).themes[theme] += n
    return counts, responses


# --- the same counts from the rollups ---------------------------------------------------

# The filters the rollups' dimensions can answer; any other (a segment) reads the answers.
ROLLUP_FILTERS = frozenset({"date_from", "date_to", "language", "questionnaire_id"})


def reads_rollups(session: Session, filters: Filters) -> bool:
    """Whether the rollups answer these filters: built, and no filter beyond their keys."""
    for name in (f.name for f in fields(filters)):
        if name not in ROLLUP_FILTERS and getattr(filters, name):
            return False
    return session.scalar(select(RollupState.id).limit(1)) is not None


def rollup_criteria(model, filters: Filters) -> list:
    found = []
    if filters.date_from:
        found.append(model.day >= filters.date_from)
    if filters.date_to:
        found.append(model.day <= filters.date_to)
    if filters.language:
        found.append(model.language == filters.language)
    if filters.questionnaire_id:
        versions = select(QuestionnaireVersion.id).where(
            QuestionnaireVersion.questionnaire_id == filters.questionnaire_id
        )
        found.append(model.version_id.in_(versions))
    return found


def _rollup_cell_counts(
    session: Session, filters: Filters, stage_ids: list[int]
) -> tuple[dict, dict]:
    """What `_answer_cell_counts` gives, summed from the rollups' rows."""
    counts: dict[CellKey, _Counts] = {}
    responses: dict[CellKey, int] = {}
    cells, rolled = CellRollup, CountRollup

    def place(stage_id: int, touchpoint_id: int) -> CellKey:
        return stage_id, None if touchpoint_id == WHOLE_STAGE else touchpoint_id

    query = (
        select(
            cells.stage_id,
            cells.touchpoint_id,
            *(func.sum(cells.__table__.c[m]) for m in CELL_MEASURES),
        )
        .where(cells.stage_id.in_(stage_ids), *rollup_criteria(cells, filters))
        .group_by(cells.stage_id, cells.touchpoint_id)
        # A cell whose answers were all erased keeps zero rows: it is not in the map.
        .having(func.sum(cells.responses) > 0)
    )
    for row in session.execute(query):
        key = place(row[0], row[1])
        n, prom, pas, det, top, csat_n, ces_sum, easy, ces_n, polarity, polarity_n, _sq = row[2:]
        responses[key] = int(n)
        counts[key] = _Counts(
            promoters=int(prom),
            passives=int(pas),
            detractors=int(det),
            csat_top=int(top),
            csat_n=int(csat_n),
            ces_sum=float(ces_sum),
            ces_easy=int(easy),
            ces_n=int(ces_n),
            polarity_sum=float(polarity),
            polarity_n=int(polarity_n),
        )
    query = (
        select(rolled.stage_id, rolled.touchpoint_id, rolled.kind, rolled.key, func.sum(rolled.n))
        .where(rolled.stage_id.in_(stage_ids), *rollup_criteria(rolled, filters))
        .where(rolled.kind.in_(("picked", "inferred", "theme")))
        .group_by(rolled.stage_id, rolled.touchpoint_id, rolled.kind, rolled.key)
        .having(func.sum(rolled.n) > 0)
    )
    for stage_id, touchpoint_id, kind, key, n in session.execute(query):
        c = counts.get(place(stage_id, touchpoint_id))
        if c is not None:
            {"picked": c.picked, "inferred": c.inferred, "theme": c.themes}[kind][key] += int(n)
    return counts, responses


def _rollup_respondents(session: Session, filters: Filters, journey: Journey) -> tuple[dict, int]:
    """What `_answer_respondents` gives, summed from the rollups' rows."""
    per_stage = {
        stage_id: int(n)
        for stage_id, n in session.execute(
            select(Questionnaire.stage_id, func.sum(ResponseRollup.n))
            .select_from(ResponseRollup)
            .join(QuestionnaireVersion, QuestionnaireVersion.id == ResponseRollup.version_id)
            .join(Questionnaire, Questionnaire.id == QuestionnaireVersion.questionnaire_id)
            .where(Questionnaire.journey_id == journey.id, ResponseRollup.status == "complete")
            .where(*rollup_criteria(ResponseRollup, filters))
            .group_by(Questionnaire.stage_id)
        )
        if n
    }
    return per_stage, sum(per_stage.values())


def _cell_counts(
    session: Session, filters: Filters, stage_ids: list[int], rollups: bool
) -> tuple[dict, dict]:
    if not stage_ids:
        return {}, {}
    if rollups:
        return _rollup_cell_counts(session, filters, stage_ids)
    return _answer_cell_counts(session, filters, stage_ids)


# --- the map ----------------------------------------------------------------------------


def journey_map(
    session: Session,
    journey: Journey,
    filters: Filters,
    min_n: int = 30,
    use_rollups: bool = True,
) -> JourneyMap:
    """The map's figures per stage x touchpoint, stage and journey; with deltas when the
    filters set a period (compared with the period of the same length just before).

    Read from the rollups when they can answer the filters, else from the answers
    (`use_rollups=False` forces the answers: the rollups' tests compare both).
    """
    rollups = reads_rollups(session, filters) if use_rollups else False
    result = _journey_map(session, journey, filters, min_n, rollups)
    previous_filters = filters.previous_period()
    if previous_filters is not None:
        previous = _journey_map(session, journey, previous_filters, min_n, rollups)
        _attach_deltas(result, previous)
    return result


def _journey_map(
    session: Session, journey: Journey, filters: Filters, min_n: int, rollups: bool
) -> JourneyMap:
    stage_ids = [s.id for s in journey.stages]
    counts, responses = _cell_counts(session, filters, stage_ids, rollups)
    respondents = _rollup_respondents if rollups else _answer_respondents
    per_stage, total_n = respondents(session, filters, journey) if stage_ids else ({}, 0)
    journey_counts = _Counts()
    columns = []
    for stage in journey.stages:
        stage_counts = _Counts()
        cells = {}
        for (stage_id, tp_id), c in counts.items():
            if stage_id == stage.id:
                cells[tp_id] = _cell(stage.id, tp_id, responses.get((stage_id, tp_id), 0), c, min_n)
                stage_counts.add(c)
        journey_counts.add(stage_counts)
        total = _cell(stage.id, None, per_stage.get(stage.id, 0), stage_counts, min_n)
        columns.append(StageColumn(stage.id, stage.key, stage.name_en, stage.name_fr, total, cells))
    used = {tp_id for stage_id, tp_id in counts}
    rows = [(tp.id, tp.key, tp.name_en) for tp in journey.touchpoints if tp.id in used]
    total = _cell(0, None, total_n, journey_counts, min_n)
    source = "rollups" if rollups else "answers"
    return JourneyMap(journey.id, filters, min_n, columns, rows, total, source=source)


def _difference(now: float | None, before: float | None) -> float | None:
    return None if now is None or before is None else now - before


def _delta(now: Cell, before: Cell | None) -> Delta:
    if before is None:
        return Delta(now.n, None, None, None, None)
    return Delta(
        n=now.n - before.n,
        nps=_difference(now.nps.value, before.nps.value),
        csat=_difference(now.csat.value, before.csat.value),
        ces=_difference(now.ces.mean, before.ces.mean),
        sentiment=_difference(now.sentiment, before.sentiment),
    )


def _attach_deltas(current: JourneyMap, previous: JourneyMap) -> None:
    current.compared = True
    current.total.delta = _delta(current.total, previous.total)
    before_stages = {s.id: s for s in previous.stages}
    for stage in current.stages:
        before = before_stages.get(stage.id)
        stage.total.delta = _delta(stage.total, before.total if before else None)
        for tp_id, cell in stage.cells.items():
            cell.delta = _delta(cell, before.cells.get(tp_id) if before else None)


# --- the emotion curve ------------------------------------------------------------------


@dataclass(frozen=True)
class CurvePoint:
    """Mean sentiment of a stage and the emotion most often picked and inferred there."""

    stage_key: str
    stage_name: str
    sentiment: float | None
    n: int
    picked: str | None
    inferred: str | None


def _dominant(counts: dict[str, int]) -> str | None:
    # Ties go to the alphabetically first emotion so the curve does not flicker.
    return min(counts, key=lambda e: (-counts[e], e)) if counts else None


def _curve_point(key: str, name: str, total: Cell) -> CurvePoint:
    return CurvePoint(
        key,
        name,
        total.sentiment,
        total.sentiment_n,
        _dominant(total.emotions_picked),
        _dominant(total.emotions_inferred),
    )


def emotion_curve(
    session: Session, journey: Journey, filters: Filters, language: str = "en"
) -> list[CurvePoint]:
    """Mean sentiment and dominant emotions per stage, in stage order, named in `language`."""
    stage_ids = [s.id for s in journey.stages]
    counts, _responses = _cell_counts(session, filters, stage_ids, reads_rollups(session, filters))
    per_stage: dict[int, _Counts] = {s: _Counts() for s in stage_ids}
    for (stage_id, _tp), c in counts.items():
        per_stage[stage_id].add(c)
    return [
        _curve_point(s.key, s.name(language), _cell(s.id, None, 0, per_stage[s.id], 1))
        for s in journey.stages
    ]


# --- drill-down -------------------------------------------------------------------------


@dataclass(frozen=True)
class Quote:
    """A text answer with what the drill-down shows next to it."""

    answer_id: int
    response_id: int
    text: str
    score: float | None
    score_type: str | None
    language: str
    label: str | None
    polarity: float | None
    picked: str | None
    inferred: str | None
    themes: list[str]
    submitted_at: datetime
    stage_id: int
    touchpoint_id: int | None


@dataclass(frozen=True)
class QuotePage:
    quotes: list[Quote]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def drill_down(
    session: Session,
    journey: Journey,
    filters: Filters,
    stage_id: int | None = None,
    touchpoint_id: int | None | EllipsisType = ...,
    theme: str | None = None,
    page: int = 1,
    per_page: int = 25,
) -> QuotePage:
    """The text answers behind a cell or a theme, newest first, one page at a time.

    `touchpoint_id=...` means any touchpoint; None means answers about the whole stage.
    """
    stage_ids = [s.id for s in journey.stages]
    query = select(Answer.id).select_from(Answer).where(Answer.text.is_not(None))
    if stage_id is not None:
        query = query.where(Answer.stage_id == stage_id)
    if touchpoint_id is None:
        query = query.where(Answer.touchpoint_id.is_(None))
    elif touchpoint_id is not ...:
        query = query.where(Answer.touchpoint_id == touchpoint_id)
    if theme:
        query = query.where(
            Answer.id.in_(select(AnswerTheme.answer_id).where(AnswerTheme.theme_key == theme))
        )
    query = _answers(query, filters, stage_ids)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = max(1, page)
    rows = session.execute(
        query.with_only_columns(Answer, Response, TextAnalysis)
        .outerjoin(TextAnalysis, TextAnalysis.answer_id == Answer.id)
        .order_by(Response.submitted_at.desc(), Answer.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return QuotePage(_quotes(session, rows), total, page, per_page)


def _quotes(session: Session, rows: list) -> list[Quote]:
    """Quotes with their response's score and picked emotion, and their themes, in 2 queries."""
    response_ids = [response.id for _a, response, _t in rows]
    answer_ids = [answer.id for answer, _r, _t in rows]
    scores: dict[int, tuple[str, float | None]] = {}
    picked: dict[int, str] = {}
    if response_ids:
        for response_id, qtype, number, choice in session.execute(
            select(Answer.response_id, Question.type, Answer.number, Answer.choice)
            .join(Question, Question.id == Answer.question_id)
            .where(
                Answer.response_id.in_(response_ids),
                Question.type.in_((*SCORE_TYPES, "emotion")),
            )
            .order_by(Answer.id)
        ):
            if qtype == "emotion":
                picked.setdefault(response_id, choice)
            else:
                scores.setdefault(response_id, (qtype, number))
    themes: dict[int, list[str]] = {}
    for answer_id, key in session.execute(
        select(AnswerTheme.answer_id, AnswerTheme.theme_key)
        .where(AnswerTheme.answer_id.in_(answer_ids))
        .distinct()
        .order_by(AnswerTheme.answer_id, AnswerTheme.theme_key)
    ):
        themes.setdefault(answer_id, []).append(key)
    quotes = []
    for answer, response, analysis in rows:
        score_type, score = scores.get(response.id, (None, None))
        quotes.append(
            Quote(
                answer_id=answer.id,
                response_id=response.id,
                text=answer.text or "",
                score=score,
                score_type=score_type,
                language=response.language,
                label=analysis.label if analysis else None,
                polarity=analysis.polarity if analysis else None,
                picked=picked.get(response.id),
                inferred=analysis.emotion if analysis else None,
                themes=themes.get(answer.id, []),
                submitted_at=response.submitted_at,
                stage_id=answer.stage_id,
                touchpoint_id=answer.touchpoint_id,
            )
        )
    return quotes


# --- drop-off ---------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionReach:
    key: str
    prompt: str
    answered: int
    page: int = 1


@dataclass(frozen=True)
class DropOff:
    """Started and completed responses of a questionnaire, and how far respondents went."""

    questionnaire_id: int
    title: str
    started: int
    completed: int
    questions: list[QuestionReach]

    @property
    def completion(self) -> float | None:
        return self.completed / self.started * 100 if self.started else None

    @property
    def pages(self) -> list[tuple[int, int]]:
        """(page, respondents who reached it) of a questionnaire in several pages: the count
        of its most answered question (every page sent has its required answers)."""
        reach: dict[int, int] = {}
        for question in self.questions:
            reach[question.page] = max(reach.get(question.page, 0), question.answered)
        return sorted(reach.items()) if len(reach) > 1 else []


def _answer_reach(session: Session, filters: Filters, ids: list[int]) -> tuple[list, list]:
    """Responses per questionnaire and status, and per question key and type, from the answers."""
    criteria = filters.criteria(statuses=("complete", "partial"))
    statuses = session.execute(
        select(Response.questionnaire_id, Response.status, func.count())
        .where(Response.questionnaire_id.in_(ids), *criteria)
        .group_by(Response.questionnaire_id, Response.status)
    ).all()
    # Per question key and type, across versions: a new version keeps the keys of the old
    # one, but a question retyped under its key (a CSAT become a CES) is another question.
    reached = session.execute(
        select(
            Response.questionnaire_id,
            Question.key,
            Question.type,
            func.count(distinct(Answer.response_id)),
        )
        .select_from(Answer)
        .join(Response, Response.id == Answer.response_id)
        .join(Question, Question.id == Answer.question_id)
        .where(Response.questionnaire_id.in_(ids), *criteria)
        .group_by(Response.questionnaire_id, Question.key, Question.type)
    ).all()
    return statuses, reached


def _rollup_reach(session: Session, filters: Filters, ids: list[int]) -> tuple[list, list]:
    """What `_answer_reach` gives, summed from the rollups' rows."""
    version = QuestionnaireVersion
    responses, questions = ResponseRollup, QuestionRollup
    statuses = session.execute(
        select(version.questionnaire_id, responses.status, func.sum(responses.n))
        .join(version, version.id == responses.version_id)
        .where(version.questionnaire_id.in_(ids), responses.status.in_(("complete", "partial")))
        .where(*rollup_criteria(responses, filters))
        .group_by(version.questionnaire_id, responses.status)
    ).all()
    reached = session.execute(
        select(version.questionnaire_id, Question.key, Question.type, func.sum(questions.n))
        .join(version, version.id == questions.version_id)
        .join(Question, Question.id == questions.question_id)
        .where(version.questionnaire_id.in_(ids), questions.status.in_(("complete", "partial")))
        .where(*rollup_criteria(questions, filters))
        .group_by(version.questionnaire_id, Question.key, Question.type)
    ).all()
    return (
        [(q_id, status, int(n)) for q_id, status, n in statuses],
        [(q_id, key, qtype, int(n)) for q_id, key, qtype, n in reached],
    )


def drop_off(
    session: Session,
    journey: Journey,
    filters: Filters,
    use_rollups: bool = True,
    language: str = "en",
) -> list[DropOff]:
    """Per questionnaire of the journey: responses started vs completed, answers per question
    (titles and prompts in `language`)."""
    questionnaires = session.scalars(
        select(Questionnaire)
        .where(Questionnaire.journey_id == journey.id)
        .order_by(Questionnaire.stage_id, Questionnaire.id)
    ).all()
    if not questionnaires:
        return []
    ids = [q.id for q in questionnaires]
    if use_rollups and reads_rollups(session, filters):
        statuses, reached = _rollup_reach(session, filters, ids)
    else:
        statuses, reached = _answer_reach(session, filters, ids)
    started: Counter = Counter()
    completed: Counter = Counter()
    for questionnaire_id, status, n in statuses:
        started[questionnaire_id] += n
        if status == "complete":
            completed[questionnaire_id] += n
    answered = {(q_id, key, qtype): n for q_id, key, qtype, n in reached}
    return [
        DropOff(
            q.id,
            q.title_in(language),
            started[q.id],
            completed[q.id],
            [
                QuestionReach(
                    question.key,
                    question.prompt_in(language),
                    answered.get((q.id, question.key, question.type), 0),
                    question.page or 1,
                )
                for question in q.current_version.questions
            ]
            if q.versions
            else [],
        )
        for q in questionnaires
        if not q.is_interview
    ]


# --- segments ---------------------------------------------------------------------------


def segment_keys(session: Session, journey: Journey, sample: int = SEGMENT_SAMPLE) -> list[str]:
    """Metadata keys present in the journey's recent responses, for the segment filter."""
    recent = (
        select(Response.meta.label("meta"))
        .join(Questionnaire, Questionnaire.id == Response.questionnaire_id)
        .where(Questionnaire.journey_id == journey.id)
        .order_by(Response.id.desc())
        .limit(sample)
        .subquery()
    )
    # Each database lists the keys of a JSON object with its own table-valued function.
    if session.get_bind().dialect.name == "postgresql":
        # json_object_keys fails on anything but an object: skip a null or a list.
        recent = select(recent).where(func.json_typeof(recent.c.meta) == "object").subquery()
        keys = (
            func.json_object_keys(recent.c.meta).table_valued("value").render_derived(name="keys")
        )
        column = keys.c.value
    else:
        keys = func.json_each(recent.c.meta).table_valued("key", name="keys")
        column = keys.c.key
    query = select(column).select_from(recent).join(keys, true()).distinct().order_by(column)
    return [key for key in session.scalars(query) if key]
