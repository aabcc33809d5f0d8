"""Scores over time: NPS, CSAT, CES and sentiment by ISO week or calendar month.

Pure functions on per-day counts and sums (the measures of the rollups, or the same
GROUP BY over the answers): no database, no Flask. Days are UTC days, so buckets are
UTC weeks (Monday to Sunday, ISO) and UTC calendar months.

Each bucket of each line carries its value, n and margin of error, computed by
`feedback.metrics` exactly as the journey map computes a cell. A bucket with fewer
answers than the map's minimum is a gap: no value, and the reason ("not enough
answers", or "no answers" when there are none). Every bucket from the first to the last
is listed, so a chart breaks its line at a missing week instead of joining across it.

What each metric plots:

- NPS: % promoters - % detractors, with the trinomial margin (`nps_from_counts`);
- CSAT: the top-2-box share in %, with its Wilson interval (`proportion`);
- CES: the share of 5-7 ("easy") in %, with its Wilson interval; the mean effort (1-7)
  travels beside it in `Point.mean`, as the map shows both;
- sentiment: the mean polarity in [-1, 1], with the normal interval of a mean (1.96 standard
  errors, from the sum of the squared polarities), clipped to [-1, 1].
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from .metrics import Figure, ScoreCounts, nps_from_counts, proportion

GRAINS = ("week", "month")
BY = ("stage", "touchpoint")
METRICS = ("nps", "csat", "ces", "sentiment")
NOT_ENOUGH = "not enough answers"
NO_ANSWERS = "no answers"
# A bounded period up to this many days is read by week when no grain is asked for.
WEEKLY_UP_TO_DAYS = 92
# A bounded period is shown whole (empty buckets at its ends too) up to this many weeks.
MAX_BUCKETS = 520
# The y range of each metric on a chart.
RANGES = {
    "nps": (-100.0, 100.0),
    "csat": (0.0, 100.0),
    "ces": (0.0, 100.0),
    "sentiment": (-1.0, 1.0),
}


@dataclass(frozen=True)
class Bucket:
    """A week or month: its first and last day (inclusive), clipped to the period read."""

    start: date
    end: date
    label: str  # "2026-W05" or "2026-01": stable, for files and the API

    def to_dict(self) -> dict:
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "label": self.label}


@dataclass(frozen=True)
class Point:
    """One metric in one bucket: a value with its margin, or a gap with its reason."""

    value: float | None
    n: int
    low: float | None = None
    high: float | None = None
    margin: float | None = None
    mean: float | None = None  # CES only: the mean effort on 1-7
    gap: str | None = None  # NOT_ENOUGH or NO_ANSWERS when there is no value

    def to_dict(self) -> dict:
        found = {
            "value": self.value,
            "n": self.n,
            "low": self.low,
            "high": self.high,
            "margin": self.margin,
            "gap": self.gap,
        }
        if self.mean is not None:
            found["mean"] = self.mean
        return found


@dataclass
class Line:
    """The series of one stage (touchpoint None) or stage x touchpoint (WHOLE: the answers
    about the stage with no touchpoint), one point per bucket for each metric."""

    key: Hashable
    points: dict[str, list[Point]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for metric in METRICS:  # no buckets, no points: every metric still has its list
            self.points.setdefault(metric, [])

    def answered(self, metric: str) -> bool:
        return any(p.n for p in self.points.get(metric, []))


@dataclass
class Trends:
    grain: str
    by: str
    min_n: int
    buckets: list[Bucket]
    lines: list[Line]
    source: str = "answers"  # where the counts were read: "rollups" or "answers"

    def metrics(self) -> list[str]:
        """The metrics some line has answers for, in the usual order."""
        return [m for m in METRICS if any(line.answered(m) for line in self.lines)]

    def gaps(self, metric: str) -> int:
        """Buckets without a figure in the lines that have some answers for `metric`."""
        return sum(
            1 for line in self.lines if line.answered(metric) for p in line.points[metric] if p.gap
        )


# --- buckets ----------------------------------------------------------------------------


def bucket_start(day: date, grain: str) -> date:
    """The Monday of the ISO week, or the first of the month, holding `day`."""
    if grain == "week":
        return day - timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    raise ValueError(f"unknown grain: {grain}")


def bucket_after(start: date, grain: str) -> date:
    if grain == "week":
        return start + timedelta(days=7)
    return date(start.year + start.month // 12, start.month % 12 + 1, 1)


def bucket_label(start: date, grain: str) -> str:
    if grain == "week":
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{start.year}-{start.month:02d}"


def buckets(first: date, last: date, grain: str) -> list[Bucket]:
    """Every bucket from the one holding `first` to the one holding `last`, each clipped
    to [first, last]."""
    found = []
    start = bucket_start(first, grain)
    while start <= last:
        after = bucket_after(start, grain)
        found.append(
            Bucket(
                max(start, first), min(after - timedelta(days=1), last), bucket_label(start, grain)
            )
        )
        start = after
    return found


def default_grain(first: date | None, last: date | None) -> str:
    """Weeks for a period of up to three months, months otherwise (or when unbounded)."""
    if first and last and (last - first).days + 1 <= WEEKLY_UP_TO_DAYS:
        return "week"
    return "month"


# --- figures ----------------------------------------------------------------------------


def _from_figure(figure: Figure, min_n: int, mean: float | None = None) -> Point:
    if figure.n == 0:
        return Point(None, 0, gap=NO_ANSWERS)
    if figure.n < min_n:
        return Point(None, figure.n, gap=NOT_ENOUGH)
    return Point(figure.value, figure.n, figure.low, figure.high, figure.margin, mean)


def point(counts: ScoreCounts, metric: str, min_n: int) -> Point:
    """One metric of a bucket's counts, as the map computes it."""
    if metric == "nps":
        return _from_figure(
            nps_from_counts(counts.promoters, counts.passives, counts.detractors, min_n), min_n
        )
    if metric == "csat":
        return _from_figure(proportion(counts.csat_top, counts.csat_n, min_n), min_n)
    if metric == "ces":
        mean = counts.ces_sum / counts.ces_n if counts.ces_n else None
        return _from_figure(proportion(counts.ces_easy, counts.ces_n, min_n), min_n, mean)
    if metric == "sentiment":
        n = counts.polarity_n
        if n == 0:
            return Point(None, 0, gap=NO_ANSWERS)
        if n < min_n:
            return Point(None, n, gap=NOT_ENOUGH)
        return sentiment_point(counts.polarity_sum, counts.polarity_sq_sum, n)
    raise ValueError(f"unknown metric: {metric}")


def sentiment_point(total: float, squares: float, n: int) -> Point:
    """The mean polarity of `n` answers with its 95% margin (none for a single answer)."""
    mean = total / n
    if n < 2:
        return Point(mean, n)
    variance = max(0.0, (squares - n * mean * mean) / (n - 1))  # rounding can dip below 0
    margin = 1.96 * math.sqrt(variance / n)
    return Point(mean, n, max(-1.0, mean - margin), min(1.0, mean + margin), margin)


def trends(
    rows: Iterable[tuple[date, Hashable, ScoreCounts]],
    grain: str,
    min_n: int,
    keys: Iterable[Hashable] | None = None,
    first: date | None = None,
    last: date | None = None,
    by: str = "stage",
) -> Trends:
    """The series of each key from per-day rows (day, key, counts).

    `keys` orders the lines (and keeps a key without answers as a line of gaps); without
    it, lines come in the order of their first row. The buckets run from `first` (or the
    first day with answers) to `last` (or the last such day).
    """
    if grain not in GRAINS:
        raise ValueError(f"unknown grain: {grain}")
    per_bucket: dict[tuple[Hashable, date], ScoreCounts] = {}
    order: list[Hashable] = list(keys) if keys is not None else []
    known = set(order)
    days: list[date] = []
    for day, key, counts in rows:
        if key not in known:
            if keys is not None:
                continue  # a key the caller did not ask for
            order.append(key)
            known.add(key)
        if (first and day < first) or (last and day > last):
            continue
        days.append(day)
        per_bucket.setdefault((key, bucket_start(day, grain)), ScoreCounts()).add(counts)
    if not days:
        return Trends(grain, by, min_n, [], [Line(key) for key in order])
    # The period asked for, each open end at the (whole) bucket of the first or last
    # answer; a period far wider than the answers (1900 to 2999) is cut to them.
    start = bucket_start(min(days), grain)
    end = bucket_after(bucket_start(max(days), grain), grain) - timedelta(days=1)
    if first and last and (last - first).days <= MAX_BUCKETS * 7:
        found = buckets(first, last, grain)
    else:
        found = buckets(max(start, first or start), min(end, last or end), grain)
    lines = []
    for key in order:
        line = Line(key)
        empty = ScoreCounts()
        for metric in METRICS:
            line.points[metric] = [
                point(per_bucket.get((key, bucket_start(b.start, grain)), empty), metric, min_n)
                for b in found
            ]
        lines.append(line)
    return Trends(grain, by, min_n, found, lines)
