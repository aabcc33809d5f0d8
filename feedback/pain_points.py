"""Pain points: a theme at a stage x touchpoint, with its figures and its follow-up.

Figures are computed in SQL over the answers the filters select, summed from the rollups
(`surveys.rollups`) when the filters are among their keys (interview notes are left out:
they are evidence, not a sample). For one theme at one cell:

- frequency  = customer answers carrying the theme (an answer counts once, whether the
  analyzer found the theme or a researcher coded it);
- share      = frequency / text answers of the cell;
- negativity = mean of max(0, -polarity) over those answers, in [0, 1];
- severity   = frequency x negativity, i.e. the total negativity the theme accounts for:
  ten mildly negative answers (-0.3) weigh 3.0, as much as three furious ones (-1.0);
- trend      = the share against the same filters over the previous period of the same
  length (compared as shares, so a busier period alone does not look worse).

The follow-up (owner, status, note, evidence) lives in `PainPoint`, created on first edit.
A resolved pain point whose theme comes back in answers submitted after `resolved_at` gets
`reopened_at` set and is shown as "came back".
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.orm import Session

from feedback.filters import Filters
from feedback.journey_map import reads_rollups, rollup_criteria
from surveys.models import (
    PAIN_POINT_STATUSES,
    WHOLE_STAGE,
    Answer,
    AnswerTheme,
    CountRollup,
    Journey,
    PainPoint,
    PainPointEvidence,
    Questionnaire,
    Response,
    Stage,
    TextAnalysis,
    aware,
    utcnow,
)

QUOTES = 3
THEME_KEY = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
OWNER_MAX, NOTE_MAX = 200, 5000
Cell = tuple[int, int | None, str]  # stage id, touchpoint id (None: whole stage), theme key


class PainPointError(ValueError):
    """A follow-up edit or an evidence that cannot be stored, with a message for its author."""


@dataclass(frozen=True)
class Quote:
    answer_id: int
    text: str
    polarity: float | None
    language: str
    submitted_at: datetime
    response_id: int = 0
    interviewee: str = ""


@dataclass
class FollowUp:
    id: int
    status: str
    owner: str
    note: str
    resolved_at: datetime | None
    reopened_at: datetime | None
    evidence: list[Quote] = field(default_factory=list)

    @property
    def came_back(self) -> bool:
        """Answers carried the theme again after it was marked resolved."""
        return bool(
            self.reopened_at
            and self.resolved_at
            and aware(self.reopened_at) > aware(self.resolved_at)
        )


@dataclass
class PainPointRow:
    stage_id: int
    stage_key: str
    stage_name: str
    touchpoint_id: int | None
    touchpoint_key: str | None
    touchpoint_name: str | None
    theme_key: str
    theme_label: str
    frequency: int
    cell_answers: int
    negativity: float
    previous_frequency: int | None = None
    previous_share: float | None = None
    quotes: list[Quote] = field(default_factory=list)
    follow_up: FollowUp | None = None

    @property
    def share(self) -> float:
        return self.frequency / self.cell_answers if self.cell_answers else 0.0

    @property
    def severity(self) -> float:
        return self.frequency * self.negativity

    @property
    def trend(self) -> str | None:
        """new | up | down | flat against the previous period, None when it is unbounded."""
        if self.previous_share is None:
            return None
        if not self.previous_frequency:
            return "new" if self.frequency else "flat"
        if self.share > self.previous_share:
            return "up"
        return "down" if self.share < self.previous_share else "flat"

    @property
    def share_change(self) -> float | None:
        return None if self.previous_share is None else self.share - self.previous_share

    @property
    def status(self) -> str:
        return self.follow_up.status if self.follow_up else "open"

    @property
    def anchor(self) -> str:
        return f"pp-{self.stage_id}-{self.touchpoint_id or 0}-{self.theme_key}"


def pain_points(
    session: Session,
    journey: Journey,
    filters: Filters,
    limit: int | None = None,
    language: str = "en",
    use_rollups: bool = True,
) -> list[PainPointRow]:
    """The journey's pain points for `filters`, most severe first, with quotes and follow-up.

    Flags resolved pain points that came back (sets `reopened_at`; the caller commits).
    """
    rollups = use_rollups and reads_rollups(session, filters)
    figures = _figures(session, journey.id, filters, rollups)
    cells = _cell_totals(session, journey.id, filters, rollups)
    tracked = {
        (p.stage_id, p.touchpoint_id, p.theme_key): p
        for p in session.scalars(select(PainPoint).where(PainPoint.journey_id == journey.id))
    }
    flag_returns(session, list(tracked.values()))
    labels = theme_labels(session, language)
    rows = [
        _row(journey, key, figures.get(key, (0, 0.0)), cells, labels, language)
        for key in dict.fromkeys([*figures, *tracked])
    ]
    rows.sort(key=_rank(journey))
    rows = rows[:limit] if limit is not None else rows
    _add_trend(session, journey.id, filters, rows, rollups)
    _add_quotes(session, filters, rows)
    _add_follow_up(session, tracked, rows)
    return rows


def _journey_stage_ids(journey_id: int) -> Select:
    return select(Stage.id).where(Stage.journey_id == journey_id)


def _themed(journey_id: int, filters: Filters):
    """One row per (customer answer, theme, cell) selected by the filters."""
    query = (
        select(
            AnswerTheme.answer_id,
            AnswerTheme.theme_key,
            AnswerTheme.stage_id,
            AnswerTheme.touchpoint_id,
            Response.id.label("response_id"),
            Response.language,
            Response.submitted_at,
        )
        .join(Answer, Answer.id == AnswerTheme.answer_id)
        .join(Response, Response.id == Answer.response_id)
        .where(AnswerTheme.stage_id.in_(_journey_stage_ids(journey_id)))
        .where(Response.channel != "interview")
        .distinct()
    )
    return filters.apply(query).subquery()


# max(0, -polarity); an answer not scored yet counts as 0. Shared with the rollups.
NEGATIVITY = case((TextAnalysis.polarity < 0, -TextAnalysis.polarity), else_=0.0)


def _rollup_sums(session: Session, journey_id: int, filters: Filters, kind: str) -> list:
    rolled = CountRollup
    return session.execute(
        select(
            rolled.stage_id,
            rolled.touchpoint_id,
            rolled.key,
            func.sum(rolled.n),
            func.sum(rolled.negativity_sum),
        )
        .where(rolled.kind == kind, rolled.stage_id.in_(_journey_stage_ids(journey_id)))
        .where(*rollup_criteria(rolled, filters))
        .group_by(rolled.stage_id, rolled.touchpoint_id, rolled.key)
        .having(func.sum(rolled.n) > 0)
    ).all()


def _touchpoint(rolled_id: int) -> int | None:
    return None if rolled_id == WHOLE_STAGE else rolled_id


def _figures(
    session: Session, journey_id: int, filters: Filters, rollups: bool
) -> dict[Cell, tuple]:
    """(frequency, mean negativity) per cell and theme."""
    if rollups:
        return {
            (s, _touchpoint(tp), k): (int(n), float(negativity) / int(n))
            for s, tp, k, n, negativity in _rollup_sums(session, journey_id, filters, "pain")
        }
    t = _themed(journey_id, filters)
    query = (
        select(
            t.c.stage_id,
            t.c.touchpoint_id,
            t.c.theme_key,
            func.count(),
            func.avg(NEGATIVITY),
        )
        .select_from(t)
        .outerjoin(TextAnalysis, TextAnalysis.answer_id == t.c.answer_id)
        .group_by(t.c.stage_id, t.c.touchpoint_id, t.c.theme_key)
    )
    return {(s, tp, k): (n, float(neg or 0.0)) for s, tp, k, n, neg in session.execute(query)}


def _cell_totals(session: Session, journey_id: int, filters: Filters, rollups: bool) -> dict:
    """Text answers per stage x touchpoint: the denominator of the share."""
    if rollups:
        return {
            (s, _touchpoint(tp)): int(n)
            for s, tp, _key, n, _neg in _rollup_sums(session, journey_id, filters, "texts")
        }
    query = (
        select(Answer.stage_id, Answer.touchpoint_id, func.count())
        .join(Response, Response.id == Answer.response_id)
        .where(Answer.stage_id.in_(_journey_stage_ids(journey_id)))
        .where(Answer.text.is_not(None), Answer.text != "", Response.channel != "interview")
        .group_by(Answer.stage_id, Answer.touchpoint_id)
    )
    return {(s, tp): n for s, tp, n in session.execute(filters.apply(query))}


def _row(journey: Journey, key: Cell, figure: tuple, cells: dict, labels: dict, language: str):
    stage_id, touchpoint_id, theme = key
    stage = next(s for s in journey.stages if s.id == stage_id)
    touchpoint = next((t for t in journey.touchpoints if t.id == touchpoint_id), None)
    frequency, negativity = figure
    return PainPointRow(
        stage_id=stage_id,
        stage_key=stage.key,
        stage_name=stage.name(language),
        touchpoint_id=touchpoint_id,
        touchpoint_key=touchpoint.key if touchpoint else None,
        touchpoint_name=touchpoint.name(language) if touchpoint else None,
        theme_key=theme,
        theme_label=theme_label(theme, labels),
        frequency=frequency,
        cell_answers=cells.get((stage_id, touchpoint_id), 0),
        negativity=negativity,
    )


def _rank(journey: Journey):
    stages = {s.id: s.position for s in journey.stages}
    touchpoints = {t.id: t.position for t in journey.touchpoints}
    # Rounded: equal severities summed in another order (rollups or answers) may differ in
    # their last bits, and must still tie and fall to the next keys.
    return lambda r: (
        -round(r.severity, 9),
        -r.frequency,
        stages.get(r.stage_id, 0),
        touchpoints.get(r.touchpoint_id, -1),
        r.theme_key,
    )


def theme_labels(session: Session, language: str = "en") -> dict[str, str]:
    """Labels of the codebook in force (researchers' themes merged over the default)."""
    from surveys import scoring

    if not scoring.analysis_available():  # pragma: no cover - optional part
        return {}
    return {
        theme.key: theme.label.get(language) or theme.label.get("en") or theme.key
        for theme in scoring.current_codebook(session)
    }


def theme_label(key: str, labels: dict[str, str]) -> str:
    """The codebook's label of a theme, or its key made readable (a theme since removed)."""
    return labels.get(key) or key.replace("_", " ").capitalize()


def _add_trend(session: Session, journey_id: int, filters: Filters, rows, rollups: bool) -> None:
    previous = filters.previous_period()
    if previous is None:
        return
    figures = _figures(session, journey_id, previous, rollups)
    cells = _cell_totals(session, journey_id, previous, rollups)
    for row in rows:
        frequency = figures.get((row.stage_id, row.touchpoint_id, row.theme_key), (0, 0.0))[0]
        total = cells.get((row.stage_id, row.touchpoint_id), 0)
        row.previous_frequency = frequency
        row.previous_share = frequency / total if total else 0.0


def _add_quotes(session: Session, filters: Filters, rows) -> None:
    """Up to QUOTES texts per pain point, most negative first (then most recent).

    One query per pain point that walks `ix_answer_themes_quotes` from the most negative
    answer and stops after a few, so its cost does not grow with the answers.
    """
    criteria = filters.criteria()
    for row in rows:
        theme = AnswerTheme
        touchpoint = (
            theme.touchpoint_id.is_(None)
            if row.touchpoint_id is None
            else theme.touchpoint_id == row.touchpoint_id
        )
        query = (
            select(
                theme.answer_id,
                Answer.text,
                theme.polarity,
                Response.language,
                Response.submitted_at,
                Response.id,
            )
            .join(Answer, Answer.id == theme.answer_id)
            .join(Response, Response.id == Answer.response_id)
            .where(theme.stage_id == row.stage_id, touchpoint, theme.theme_key == row.theme_key)
            .where(theme.polarity.is_not(None), Answer.text.is_not(None))
            .where(Response.channel != "interview", *criteria)
            .order_by(theme.polarity, Response.submitted_at.desc(), theme.answer_id.desc())
            .limit(2 * QUOTES)  # an answer whose theme was both found and coded comes twice
        )
        for answer_id, text, polarity, language, submitted_at, response_id in session.execute(
            query
        ):
            if len(row.quotes) < QUOTES and all(q.answer_id != answer_id for q in row.quotes):
                row.quotes.append(
                    Quote(answer_id, text, polarity, language, submitted_at, response_id)
                )


def _add_follow_up(session: Session, tracked: dict[Cell, PainPoint], rows) -> None:
    evidence = evidence_by_pain_point(session, [p.id for p in tracked.values()])
    for row in rows:
        pain_point = tracked.get((row.stage_id, row.touchpoint_id, row.theme_key))
        if pain_point is not None:
            row.follow_up = FollowUp(
                pain_point.id,
                pain_point.status,
                pain_point.owner,
                pain_point.note,
                pain_point.resolved_at,
                pain_point.reopened_at,
                evidence.get(pain_point.id, []),
            )


def evidence_by_pain_point(session: Session, ids: Sequence[int]) -> dict[int, list[Quote]]:
    """The answers attached by hand to each pain point, oldest attachment first."""
    if not ids:
        return {}
    query = (
        select(PainPointEvidence.pain_point_id, Answer, Response)
        .join(Answer, Answer.id == PainPointEvidence.answer_id)
        .join(Response, Response.id == Answer.response_id)
        .where(PainPointEvidence.pain_point_id.in_(ids))
        .order_by(PainPointEvidence.created_at, Answer.id)
    )
    found: dict[int, list[Quote]] = defaultdict(list)
    for pain_point_id, answer, response in session.execute(query):
        found[pain_point_id].append(_note(answer, response))
    return dict(found)


def _note(answer: Answer, response: Response) -> Quote:
    polarity = answer.analysis.polarity if answer.analysis else None
    return Quote(
        answer.id,
        answer.text or "",
        polarity,
        response.language,
        response.submitted_at,
        response.id,
        str((response.meta or {}).get("interviewee", "")),
    )


# --- came back --------------------------------------------------------------------------


def flag_returns(session: Session, tracked: Sequence[PainPoint]) -> None:
    """Set `reopened_at` on resolved pain points whose theme is in answers since resolved."""
    for pain_point in tracked:
        if pain_point.status != "resolved" or pain_point.resolved_at is None:
            continue
        since = aware(pain_point.resolved_at)
        if pain_point.reopened_at and aware(pain_point.reopened_at) > since:
            continue  # already flagged for this resolution
        first = session.scalar(
            select(func.min(Response.submitted_at))
            .select_from(AnswerTheme)
            .join(Answer, Answer.id == AnswerTheme.answer_id)
            .join(Response, Response.id == Answer.response_id)
            .where(
                _same_cell(pain_point),
                Response.status == "complete",
                Response.channel != "interview",
                Response.submitted_at > since,
            )
        )
        if first is not None:
            pain_point.reopened_at = aware(first)


def _same_cell(pain_point: PainPoint):
    touchpoint = (
        AnswerTheme.touchpoint_id.is_(None)
        if pain_point.touchpoint_id is None
        else AnswerTheme.touchpoint_id == pain_point.touchpoint_id
    )
    return and_(
        AnswerTheme.stage_id == pain_point.stage_id,
        touchpoint,
        AnswerTheme.theme_key == pain_point.theme_key,
    )


# --- follow-up and evidence -------------------------------------------------------------


def follow_up_for(
    session: Session, journey: Journey, stage_id: int, touchpoint_id: int | None, theme: str
) -> PainPoint:
    """The stored follow-up of a pain point, created (not committed) on first use.

    The unique constraint cannot see a NULL touchpoint, so the lookup is done here.
    """
    if not any(s.id == stage_id for s in journey.stages):
        raise PainPointError("This stage is not part of the journey.")
    if touchpoint_id is not None and not any(t.id == touchpoint_id for t in journey.touchpoints):
        raise PainPointError("This touchpoint is not part of the journey.")
    if not THEME_KEY.match(theme or ""):
        raise PainPointError("Unknown theme.")
    touchpoint = (
        PainPoint.touchpoint_id.is_(None)
        if touchpoint_id is None
        else PainPoint.touchpoint_id == touchpoint_id
    )
    found = session.scalar(
        select(PainPoint).where(
            PainPoint.journey_id == journey.id,
            PainPoint.stage_id == stage_id,
            touchpoint,
            PainPoint.theme_key == theme,
        )
    )
    if found is None:
        found = PainPoint(
            journey_id=journey.id,
            stage_id=stage_id,
            touchpoint_id=touchpoint_id,
            theme_key=theme,
            status="open",
            owner="",
            note="",
        )
        session.add(found)
    return found


def update_follow_up(pain_point: PainPoint, owner: str, status: str, note: str) -> None:
    """Set owner, status and note; checked before anything changes."""
    owner, note = (owner or "").strip(), (note or "").strip()
    if status not in PAIN_POINT_STATUSES:
        raise PainPointError("Status must be open, in progress or resolved.")
    if len(owner) > OWNER_MAX:
        raise PainPointError(f"The owner must fit in {OWNER_MAX} characters.")
    if len(note) > NOTE_MAX:
        raise PainPointError(f"The note must fit in {NOTE_MAX} characters.")
    now = utcnow()
    if status == "resolved" and pain_point.status != "resolved":
        pain_point.resolved_at = now
    elif status != "resolved":
        pain_point.resolved_at = None
    pain_point.owner, pain_point.status, pain_point.note = owner, status, note
    pain_point.updated_at = now


def interview_notes(session: Session, journey_id: int, limit: int = 200) -> list[Quote]:
    """Text answers of the journey's interviews, newest first: what can be attached."""
    query = (
        select(Answer, Response)
        .join(Response, Response.id == Answer.response_id)
        .join(Questionnaire, Questionnaire.id == Response.questionnaire_id)
        .where(Questionnaire.journey_id == journey_id, Questionnaire.kind == "interview")
        .where(Answer.text.is_not(None), Answer.text != "")
        .order_by(Response.submitted_at.desc(), Answer.id)
        .limit(limit)
    )
    return [_note(answer, response) for answer, response in session.execute(query)]


def attach_evidence(
    session: Session, pain_point: PainPoint, answer_id: int, user_id: int | None
) -> bool:
    """Attach an interview note of the same journey; False when it was attached already."""
    answer = session.get(Answer, answer_id)
    questionnaire = answer.response.questionnaire if answer else None
    if (
        answer is None
        or not answer.text
        or questionnaire.journey_id != pain_point.journey_id
        or questionnaire.kind != "interview"
    ):
        raise PainPointError("Choose an interview note of this journey.")
    if pain_point.id is not None and session.get(PainPointEvidence, (pain_point.id, answer_id)):
        return False
    pain_point.evidence.append(PainPointEvidence(answer_id=answer_id, added_by_id=user_id))
    return True
