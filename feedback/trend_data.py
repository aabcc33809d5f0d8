"""The per-day counts behind the scores over time, read the way the journey map reads.

From the rollups (one row per day x stage x touchpoint, summed over versions, languages
and shards) when they answer the filters (`feedback.journey_map.reads_rollups`: period,
language, questionnaire); from the answers otherwise (a segment, unfinished responses,
or a report that leaves interview notes out). Both give UTC days per row and leave the
bucketing to `feedback.trends`, in Python: SQLite and PostgreSQL truncate dates
differently, and days x stages x touchpoints is a small result.

Nothing here needs a request: the PDF report, built by a worker or the command line,
reads the same function.
"""

from __future__ import annotations

from collections.abc import Hashable
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from feedback.filters import Filters
from feedback.journey_map import reads_rollups, rollup_criteria, score_columns
from feedback.trends import ScoreCounts, Trends, trends
from surveys.models import (
    CELL_MEASURES,
    WHOLE_STAGE,
    Answer,
    CellRollup,
    Journey,
    Question,
    Response,
    TextAnalysis,
)
from surveys.rollups import as_date, utc_day

Row = tuple[date, int, int | None, ScoreCounts]  # day, stage id, touchpoint id (None: whole stage)


def _rollup_rows(session: Session, filters: Filters, stage_ids: list[int]) -> list[Row]:
    cells = CellRollup
    query = (
        select(
            cells.day,
            cells.stage_id,
            cells.touchpoint_id,
            *(func.sum(cells.__table__.c[m]) for m in CELL_MEASURES[1:]),
        )
        .where(cells.stage_id.in_(stage_ids), *rollup_criteria(cells, filters))
        .group_by(cells.day, cells.stage_id, cells.touchpoint_id)
        .having(func.sum(cells.responses) > 0)
    )
    found = []
    for day, stage_id, tp_id, *measures in session.execute(query):
        prom, pas, det, top, csat_n, ces_sum, easy, ces_n, polarity, polarity_n, sq = measures
        counts = ScoreCounts(
            int(prom), int(pas), int(det), int(top), int(csat_n), float(ces_sum), int(easy),
            int(ces_n), float(polarity), int(polarity_n), float(sq),
        )  # fmt: skip
        found.append((as_date(day), stage_id, None if tp_id == WHOLE_STAGE else tp_id, counts))
    return found


def _answer_rows(
    session: Session, filters: Filters, stage_ids: list[int], customers_only: bool
) -> list[Row]:
    day = utc_day(session, Response.submitted_at)
    where = [Answer.stage_id.in_(stage_ids), *filters.criteria()]
    if customers_only:
        where.append(Response.channel != "interview")
    per_cell: dict[tuple, ScoreCounts] = {}
    scores = (
        select(day, Answer.stage_id, Answer.touchpoint_id, *score_columns()[1:])
        .select_from(Answer)
        .join(Response, Response.id == Answer.response_id)
        .join(Question, Question.id == Answer.question_id)
        .where(*where)
        .group_by(day, Answer.stage_id, Answer.touchpoint_id)
    )
    for when, stage_id, tp_id, prom, pas, det, top, csat_n, ces_sum, easy, ces_n in session.execute(
        scores
    ):
        c = per_cell.setdefault((as_date(when), stage_id, tp_id), ScoreCounts())
        c.promoters, c.passives, c.detractors = prom or 0, pas or 0, det or 0
        c.csat_top, c.csat_n = top or 0, csat_n or 0
        c.ces_sum, c.ces_easy, c.ces_n = float(ces_sum or 0), easy or 0, ces_n or 0
    texts = (
        select(
            day,
            TextAnalysis.stage_id,
            TextAnalysis.touchpoint_id,
            func.count(),
            func.sum(TextAnalysis.polarity),
            func.sum(TextAnalysis.polarity * TextAnalysis.polarity),
        )  # fmt: skip
        .select_from(TextAnalysis)
        .join(Answer, Answer.id == TextAnalysis.answer_id)
        .join(Response, Response.id == Answer.response_id)
        .where(*where)
        .group_by(day, TextAnalysis.stage_id, TextAnalysis.touchpoint_id)
    )
    for when, stage_id, tp_id, n, polarity, squares in session.execute(texts):
        c = per_cell.setdefault((as_date(when), stage_id, tp_id), ScoreCounts())
        c.polarity_n += n
        c.polarity_sum += float(polarity or 0)
        c.polarity_sq_sum += float(squares or 0)
    return [(when, s, tp, c) for (when, s, tp), c in per_cell.items()]


def journey_trends(
    session: Session,
    journey: Journey,
    filters: Filters,
    grain: str,
    by: str = "stage",
    min_n: int = 30,
    stage_ids: list[int] | None = None,
    use_rollups: bool = True,
    customers_only: bool = False,
) -> Trends:
    """The series of each stage (`by="stage"`: key the stage id) or of each stage x
    touchpoint with answers (`by="touchpoint"`: key (stage id, touchpoint id or None)),
    in journey order, over the filters' period (or the days with answers).

    `customers_only` leaves interview notes out, as the pain-point report counts; the
    rollups cannot tell them apart, so it reads the answers.
    """
    ids = [s.id for s in journey.stages if stage_ids is None or s.id in stage_ids]
    rollups = use_rollups and not customers_only and reads_rollups(session, filters)
    rows: list[Row] = []
    if ids:
        if rollups:
            rows = _rollup_rows(session, filters, ids)
        else:
            rows = _answer_rows(session, filters, ids, customers_only)
    stage_order = {sid: i for i, sid in enumerate(ids)}
    keyed: list[tuple[date, Hashable, ScoreCounts]]
    if by == "stage":
        keyed = [(day, stage_id, c) for day, stage_id, _tp, c in rows]
        keys: list[Hashable] = list(ids)
    else:
        keyed = [(day, (stage_id, tp_id), c) for day, stage_id, tp_id, c in rows]
        tp_order = {t.id: i for i, t in enumerate(journey.touchpoints)}
        present = {key for _day, key, _c in keyed}
        keys = sorted(
            present,
            key=lambda k: (stage_order.get(k[0], 0), k[1] is None, tp_order.get(k[1], 0)),
        )
    result = trends(
        keyed, grain, min_n, keys=keys, first=filters.date_from, last=filters.date_to, by=by
    )
    result.source = "rollups" if rollups else "answers"
    return result
