"""NPS, CSAT and CES with their intervals (contract: `feedback.metrics`).

Pure functions on counts or score lists; every result carries its n, and a figure
computed from fewer answers than `min_n` says so instead of looking precise.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, fields

Z95 = 1.96


@dataclass(frozen=True)
class Figure:
    """A metric with its 95% interval and the number of answers behind it."""

    value: float | None
    n: int
    low: float | None = None
    high: float | None = None
    margin: float | None = None
    enough: bool = True

    def to_dict(self) -> dict:
        return {
            "value": self.value,
            "n": self.n,
            "low": self.low,
            "high": self.high,
            "margin": self.margin,
            "enough": self.enough,
        }


def nps_from_counts(promoters: int, passives: int, detractors: int, min_n: int = 1) -> Figure:
    """NPS = %promoters - %detractors in [-100, 100], margin from the trinomial variance."""
    n = promoters + passives + detractors
    if n == 0:
        return Figure(None, 0, enough=False)
    p, d = promoters / n, detractors / n
    variance = (p + d - (p - d) ** 2) / n
    margin = Z95 * math.sqrt(max(variance, 0.0)) * 100
    value = (p - d) * 100
    return Figure(
        value, n, max(value - margin, -100.0), min(value + margin, 100.0), margin, enough=n >= min_n
    )


def nps(scores: Iterable[float], min_n: int = 1) -> Figure:
    """NPS of 0-10 scores: promoters 9-10, passives 7-8, detractors 0-6."""
    promoters = passives = detractors = 0
    for score in scores:
        if score >= 9:
            promoters += 1
        elif score >= 7:
            passives += 1
        else:
            detractors += 1
    return nps_from_counts(promoters, passives, detractors, min_n)


def wilson_interval(successes: int, n: int) -> tuple[float, float]:
    """Wilson 95% score interval of a proportion, in [0, 1]."""
    if n == 0:
        return (0.0, 1.0)
    p = successes / n
    denominator = 1 + Z95**2 / n
    centre = (p + Z95**2 / (2 * n)) / denominator
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n)) / denominator
    return (max(centre - half, 0.0), min(centre + half, 1.0))


def proportion(successes: int, n: int, min_n: int = 1) -> Figure:
    """A percentage with its Wilson interval, in percent."""
    if n == 0:
        return Figure(None, 0, enough=False)
    low, high = wilson_interval(successes, n)
    value = successes / n * 100
    return Figure(
        value,
        n,
        low * 100,
        high * 100,
        max(value - low * 100, high * 100 - value),
        enough=n >= min_n,
    )


def csat(scores: Iterable[float], min_n: int = 1) -> Figure:
    """CSAT on 1-5: the share of 4 and 5 (top-2-box), with a Wilson interval."""
    values = list(scores)
    return proportion(sum(1 for s in values if s >= 4), len(values), min_n)


@dataclass(frozen=True)
class Effort:
    """CES on 1-7: the mean and the share of 5-7 (agreement that it was easy)."""

    mean: float | None
    easy: Figure
    n: int
    enough: bool


def ces(scores: Iterable[float], min_n: int = 1) -> Effort:
    values = list(scores)
    n = len(values)
    if n == 0:
        return Effort(None, Figure(None, 0, enough=False), 0, False)
    return Effort(
        sum(values) / n, proportion(sum(1 for s in values if s >= 5), n, min_n), n, n >= min_n
    )


@dataclass
class ScoreCounts:
    """The counts and sums every score figure is made of: a map cell, a week of a trend."""

    promoters: int = 0
    passives: int = 0
    detractors: int = 0
    csat_top: int = 0
    csat_n: int = 0
    ces_sum: float = 0.0
    ces_easy: int = 0
    ces_n: int = 0
    polarity_sum: float = 0.0
    polarity_n: int = 0
    polarity_sq_sum: float = 0.0

    def add(self, other: ScoreCounts) -> None:
        for f in fields(ScoreCounts):  # a subclass adds its own fields itself
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def n(self, metric: str) -> int:
        if metric == "nps":
            return self.promoters + self.passives + self.detractors
        return {"csat": self.csat_n, "ces": self.ces_n, "sentiment": self.polarity_n}[metric]
