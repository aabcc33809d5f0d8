"""What every pain-point report shows, computed once in SQL for one journey and filters."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from feedback import metrics
from feedback.filters import Filters
from feedback.pain_points import PainPointRow, Quote, pain_points
from feedback.pii import redact_text
from feedback.trend_data import journey_trends
from feedback.trends import Trends, default_grain
from surveys.models import Answer, Journey, Question, Response, Stage, TextAnalysis, utcnow

from .language import ENGLISH, ReportLanguage

SCORE_TYPES = ("nps", "csat", "ces")


@dataclass(frozen=True)
class Place:
    """A stage (touchpoint None) or a stage x touchpoint, with its mean sentiment."""

    stage: str
    touchpoint: str | None
    n: int
    sentiment: float | None


@dataclass
class StageScores:
    stage: str
    nps: metrics.Figure | None = None
    csat: metrics.Figure | None = None
    ces: metrics.Effort | None = None


@dataclass
class Report:
    journey: Journey
    filters: Filters
    min_n: int
    generated_at: datetime
    totals: dict[str, int]
    pain_points: list[PainPointRow]
    stages: list[str] = field(default_factory=list)  # stage names in journey order
    touchpoints: list[str] = field(default_factory=list)
    cells: list[Place] = field(default_factory=list)  # the heatmap
    curve: list[Place] = field(default_factory=list)  # one per stage, in order
    scores: list[StageScores] = field(default_factory=list)
    # Scores over time per stage (customers' answers), by week or month; names in order.
    trends: Trends | None = None
    trend_names: list[str] = field(default_factory=list)
    # Who reads it: its words, stage and touchpoint names, figures and dates.
    lang: ReportLanguage = ENGLISH

    @property
    def period(self) -> str:
        lang, start, end = self.lang, self.filters.date_from, self.filters.date_to
        if start and end:
            return lang.gettext("%(start)s to %(end)s", start=lang.day(start), end=lang.day(end))
        if start:
            return lang.gettext("%(start)s to today", start=lang.day(start))
        if end:
            return lang.gettext("the start to %(end)s", end=lang.day(end))
        return lang.gettext("the start to today")

    @property
    def filter_text(self) -> str:
        """The filters other than the period, as one readable line."""
        lang, parts = self.lang, []
        if self.filters.language:
            parts.append(lang.gettext("language %(code)s", code=self.filters.language))
        if self.filters.questionnaire_id:
            parts.append(lang.gettext("questionnaire #%(id)s", id=self.filters.questionnaire_id))
        parts += [f"{key} = {value}" for key, value in self.filters.segment]
        return ", ".join(parts) or lang.gettext("none")

    def total_label(self, key: str) -> str:
        """The name of one of `totals` (a heading, no count)."""
        names = {
            "responses": self.lang.gettext("Complete responses"),
            "answers": self.lang.gettext("Answers"),
            "text answers": self.lang.gettext("Text answers"),
        }
        return names.get(key, key)

    def total_text(self, key: str) -> str:
        """One of `totals` with its count, e.g. "1,204 responses"."""
        lang, n = self.lang, self.totals.get(key, 0)
        if key == "responses":
            return lang.ngettext("%(num)s complete response", "%(num)s complete responses", n)
        if key == "answers":
            return lang.ngettext("%(num)s answer", "%(num)s answers", n)
        if key == "text answers":
            return lang.ngettext("%(num)s text answer", "%(num)s text answers", n)
        return f"{lang.number(n)} {key}"


def trend_word(lang: ReportLanguage, trend: str) -> str:
    """A pain point's trend (new | up | down | flat) as its reader says it."""
    words = {
        "up": lang.gettext("rising"),
        "down": lang.gettext("falling"),
        "flat": lang.gettext("stable"),
        "new": lang.gettext("new this period"),
    }
    return words.get(trend, trend)


def status_name(lang: ReportLanguage, status: str) -> str:
    """A pain point's follow-up status (open | in_progress | resolved) as its reader says it."""
    names = {
        "open": lang.gettext("open"),
        "in_progress": lang.gettext("in progress"),
        "resolved": lang.gettext("resolved"),
    }
    return names.get(status, status.replace("_", " "))


def build_report(
    session: Session,
    journey: Journey,
    filters: Filters,
    min_n: int = 30,
    limit=None,
    lang: ReportLanguage = ENGLISH,
    raw: bool = False,
) -> Report:
    """Pain points, totals, the sentiment heatmap, the stage curve and the stage scores,
    named in `lang` (stage, touchpoint and theme names included). The customers' words
    (quotes, interview notes kept as evidence) are redacted unless `raw`."""
    stage_names = {s.id: s.name(lang.code) for s in journey.stages}
    touchpoint_names = {t.id: t.name(lang.code) for t in journey.touchpoints}
    report = Report(
        journey=journey,
        filters=filters,
        min_n=min_n,
        generated_at=utcnow(),
        totals=totals(session, journey, filters),
        pain_points=pain_points(session, journey, filters, limit=limit, language=lang.code),
        stages=list(stage_names.values()),
        lang=lang,
    )
    if not raw:
        redact_quotes(report.pain_points)
    sentiment = _sentiment(session, journey, filters)
    used = {tp for _, tp in sentiment if tp is not None}
    report.touchpoints = [name for tid, name in touchpoint_names.items() if tid in used]
    for (stage_id, tp_id), (n, mean) in sentiment.items():
        name = touchpoint_names.get(tp_id) if tp_id is not None else None
        report.cells.append(Place(stage_names[stage_id], name, n, mean))
    report.curve = _curve(sentiment, stage_names)
    report.scores = _scores(session, journey, filters, stage_names, min_n)
    report.trends = _trends(session, journey, filters, min_n)
    report.trend_names = [stage_names.get(line.key, "?") for line in report.trends.lines]
    return report


def _trends(session: Session, journey: Journey, filters: Filters, min_n: int) -> Trends:
    """Each stage's scores by week (a period of up to three months) or month, from the
    customers' answers as every figure of the report (interview notes left out)."""
    # Imported here: `surveys.insight` is the pages' package, loaded by the app already.

    grain = default_grain(filters.date_from, filters.date_to)
    return journey_trends(session, journey, filters, grain, "stage", min_n, customers_only=True)


def redact_quotes(rows: list[PainPointRow]) -> None:
    """Emails, phone numbers, IBANs and card numbers out of the rows' quotes and evidence."""
    for row in rows:
        row.quotes = [_redacted(q) for q in row.quotes]
        if row.follow_up is not None:
            row.follow_up.evidence = [_redacted(q) for q in row.follow_up.evidence]


def _redacted(quote: Quote) -> Quote:
    return replace(quote, text=redact_text(quote.text) or "")


def _customer_answers(journey: Journey, filters: Filters, *columns):
    query = (
        select(*columns)
        .join(Response, Response.id == Answer.response_id)
        .where(Answer.stage_id.in_(select(Stage.id).where(Stage.journey_id == journey.id)))
        .where(Response.channel != "interview")
    )
    return filters.apply(query)


def totals(session: Session, journey: Journey, filters: Filters) -> dict[str, int]:
    """Responses, answers and text answers the report reads."""
    row = session.execute(
        _customer_answers(
            journey,
            filters,
            func.count(func.distinct(Answer.response_id)),
            func.count(Answer.id),
            func.count(Answer.text),
        )
    ).one()
    return {"responses": row[0], "answers": row[1], "text answers": row[2]}


def _sentiment(session: Session, journey: Journey, filters: Filters) -> dict:
    """(n, mean polarity) of scored text answers per stage x touchpoint."""
    query = _customer_answers(
        journey,
        filters,
        Answer.stage_id,
        Answer.touchpoint_id,
        func.count(),
        func.avg(TextAnalysis.polarity),
    ).join(TextAnalysis, TextAnalysis.answer_id == Answer.id)
    query = query.group_by(Answer.stage_id, Answer.touchpoint_id)
    return {(s, tp): (n, float(mean)) for s, tp, n, mean in session.execute(query)}


def _curve(sentiment: dict, stage_names: dict[int, str]) -> list[Place]:
    """Mean sentiment per stage, weighted by the answers of each of its cells."""
    sums: dict[int, list[float]] = defaultdict(lambda: [0, 0.0])
    for (stage_id, _), (n, mean) in sentiment.items():
        sums[stage_id][0] += n
        sums[stage_id][1] += n * mean
    return [
        Place(name, None, int(sums[sid][0]), sums[sid][1] / sums[sid][0] if sums[sid][0] else None)
        for sid, name in stage_names.items()
    ]


def _scores(session, journey, filters, stage_names, min_n) -> list[StageScores]:
    """NPS, CSAT and CES per stage, from counts of each score value."""
    query = _customer_answers(
        journey, filters, Answer.stage_id, Question.type, Answer.number, func.count()
    ).join(Question, Question.id == Answer.question_id)
    query = query.where(Question.type.in_(SCORE_TYPES), Answer.number.is_not(None))
    counts: dict[tuple[int, str], list[tuple[float, int]]] = defaultdict(list)
    for stage_id, qtype, number, n in session.execute(
        query.group_by(Answer.stage_id, Question.type, Answer.number)
    ):
        counts[(stage_id, qtype)].append((float(number), n))
    scores = []
    for stage_id, name in stage_names.items():
        found = StageScores(name)
        if values := counts.get((stage_id, "nps")):
            promoters = sum(n for v, n in values if v >= 9)
            passives = sum(n for v, n in values if 7 <= v < 9)
            detractors = sum(n for v, n in values if v < 7)
            found.nps = metrics.nps_from_counts(promoters, passives, detractors, min_n)
        if values := counts.get((stage_id, "csat")):
            total = sum(n for _, n in values)
            found.csat = metrics.proportion(sum(n for v, n in values if v >= 4), total, min_n)
        if values := counts.get((stage_id, "ces")):
            total = sum(n for _, n in values)
            easy = metrics.proportion(sum(n for v, n in values if v >= 5), total, min_n)
            mean = sum(v * n for v, n in values) / total
            found.ces = metrics.Effort(mean, easy, total, total >= min_n)
        scores.append(found)
    return scores
