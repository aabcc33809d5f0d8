"""The journey map's follow-up figures per cell: open cases, and the share closed in time.

One GROUP BY over the journey's cases per map, never a query per cell. "Closed in time":
resolved or won't fix on or before the due date, over the cases whose fate is known: closed,
or still open past their due date (a case open and not yet due is neither).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from ..models import CLOSED_STATUSES, FollowUpCase


@dataclass
class CaseFigures:
    open: int = 0
    closed_in_time: int = 0
    judged: int = 0  # closed, or open past due

    @property
    def share_in_time(self) -> float | None:
        return self.closed_in_time / self.judged if self.judged else None

    def add(self, other: CaseFigures) -> None:
        self.open += other.open
        self.closed_in_time += other.closed_in_time
        self.judged += other.judged


def cell_key(stage_id: int, touchpoint: int | str | None) -> str:
    """The key of a cell as the map's links name it: touchpoint id, "none" (whole stage) or
    "" (the stage's total)."""
    return f"{stage_id}:{'' if touchpoint is None else touchpoint}"


def map_case_figures(
    session: Session,
    journey_id: int,
    now: datetime,
    date_from: date | None = None,
    date_to: date | None = None,
) -> dict[str, CaseFigures]:
    """Per cell (`cell_key`), with each stage's total: the cases opened in the period."""
    closed = FollowUpCase.status.in_(CLOSED_STATUSES)
    query = select(
        FollowUpCase.stage_id,
        FollowUpCase.touchpoint_id,
        func.sum(case((closed, 0), else_=1)),
        func.sum(case((and_(closed, FollowUpCase.closed_at <= FollowUpCase.due_at), 1), else_=0)),
        func.sum(case((or_(closed, FollowUpCase.due_at < now), 1), else_=0)),
    ).where(FollowUpCase.journey_id == journey_id)
    if date_from is not None:
        query = query.where(FollowUpCase.opened_at >= datetime.combine(date_from, time(), UTC))
    if date_to is not None:
        end = datetime.combine(date_to + timedelta(days=1), time(), UTC)
        query = query.where(FollowUpCase.opened_at < end)
    query = query.group_by(FollowUpCase.stage_id, FollowUpCase.touchpoint_id)
    found: dict[str, CaseFigures] = {}
    for stage_id, touchpoint_id, n_open, in_time, judged in session.execute(query):
        figures = CaseFigures(int(n_open or 0), int(in_time or 0), int(judged or 0))
        found[cell_key(stage_id, "none" if touchpoint_id is None else touchpoint_id)] = figures
        found.setdefault(cell_key(stage_id, None), CaseFigures()).add(figures)
    return found
