"""Scores over time, the pure part: buckets, gaps and margins against hand-computed figures."""

from __future__ import annotations

from datetime import date

import pytest

from feedback.trends import (
    NO_ANSWERS,
    NOT_ENOUGH,
    ScoreCounts,
    bucket_label,
    bucket_start,
    buckets,
    default_grain,
    point,
    trends,
)


def nps_counts(promoters, passives, detractors):
    return ScoreCounts(promoters=promoters, passives=passives, detractors=detractors)


def test_iso_weeks_start_on_monday_and_cross_the_new_year():
    # 1 January 2026 is a Thursday: ISO week 1 runs from Monday 29 December 2025.
    assert bucket_start(date(2026, 1, 4), "week") == date(2025, 12, 29)
    assert bucket_label(date(2025, 12, 29), "week") == "2026-W01"
    assert bucket_start(date(2026, 1, 5), "week") == date(2026, 1, 5)
    assert bucket_label(date(2026, 1, 5), "week") == "2026-W02"
    assert bucket_start(date(2026, 12, 31), "month") == date(2026, 12, 1)
    assert bucket_label(date(2026, 12, 1), "month") == "2026-12"


def test_buckets_are_clipped_to_the_period_and_months_roll_over_the_year():
    found = buckets(date(2025, 12, 10), date(2026, 2, 3), "month")
    assert [(b.start, b.end, b.label) for b in found] == [
        (date(2025, 12, 10), date(2025, 12, 31), "2025-12"),
        (date(2026, 1, 1), date(2026, 1, 31), "2026-01"),
        (date(2026, 2, 1), date(2026, 2, 3), "2026-02"),
    ]
    weeks = buckets(date(2026, 1, 1), date(2026, 1, 12), "week")
    assert [(b.start, b.end) for b in weeks] == [
        (date(2026, 1, 1), date(2026, 1, 4)),
        (date(2026, 1, 5), date(2026, 1, 11)),
        (date(2026, 1, 12), date(2026, 1, 12)),
    ]


def test_nps_point_has_the_trinomial_margin():
    # 3 promoters, 1 passive, 1 detractor: NPS 40; variance (0.6 + 0.2 - 0.4^2) / 5 = 0.128,
    # margin 1.96 x sqrt(0.128) x 100 = 70.12.
    p = point(nps_counts(3, 1, 1), "nps", min_n=5)
    assert p.value == pytest.approx(40.0) and p.n == 5 and p.gap is None
    assert p.margin == pytest.approx(70.123, abs=1e-3)
    assert p.low == pytest.approx(-30.123, abs=1e-3) and p.high == 100.0


def test_csat_and_ces_points_have_the_wilson_interval():
    # 4 of 5 satisfied: 80%; Wilson 95% (z = 1.96): 37.55% to 96.38%.
    p = point(ScoreCounts(csat_top=4, csat_n=5), "csat", min_n=1)
    assert p.value == pytest.approx(80.0)
    assert p.low == pytest.approx(37.55, abs=0.01) and p.high == pytest.approx(96.38, abs=0.01)
    assert p.margin == pytest.approx(80 - 37.55, abs=0.01)
    # CES: 5 answers summing 26, 4 of them 5-7: 80% easy, mean 5.2.
    ces = point(ScoreCounts(ces_sum=26.0, ces_easy=4, ces_n=5), "ces", min_n=1)
    assert ces.value == pytest.approx(80.0) and ces.mean == pytest.approx(5.2)
    assert ces.low == pytest.approx(37.55, abs=0.01)


def test_sentiment_point_is_the_mean_with_the_margin_of_a_mean():
    # Polarities -0.5, -0.5, 0, 0, -0.25, -0.25: mean -0.25, squares 0.625, sample variance
    # (0.625 - 6 x 0.0625) / 5 = 0.05, margin 1.96 x sqrt(0.05 / 6) = 0.1789.
    p = point(
        ScoreCounts(polarity_sum=-1.5, polarity_sq_sum=0.625, polarity_n=6), "sentiment", min_n=3
    )
    assert p.value == pytest.approx(-0.25) and p.n == 6
    assert p.margin == pytest.approx(0.178923, abs=1e-6)
    assert p.low == pytest.approx(-0.428923, abs=1e-6)
    assert p.high == pytest.approx(-0.071077, abs=1e-6)


def test_sentiment_margin_stays_within_the_scale_and_needs_two_answers():
    # Two answers of -1 and -0.8: mean -0.9, variance 0.02, margin 1.96 x 0.1 = 0.196; the
    # band's low end (-1.096) is cut at -1.
    wide = point(ScoreCounts(polarity_sum=-1.8, polarity_sq_sum=1.64, polarity_n=2), "sentiment", 1)
    assert wide.margin == pytest.approx(0.196)
    assert wide.low == -1.0 and wide.high == pytest.approx(-0.704)
    alone = point(ScoreCounts(polarity_sum=0.4, polarity_sq_sum=0.16, polarity_n=1), "sentiment", 1)
    assert alone.value == pytest.approx(0.4) and alone.margin is None


def test_below_the_minimum_is_a_gap_with_its_reason():
    thin = point(nps_counts(2, 0, 0), "nps", min_n=3)
    assert thin.value is None and thin.n == 2 and thin.gap == NOT_ENOUGH and thin.margin is None
    none = point(ScoreCounts(), "csat", min_n=3)
    assert none.value is None and none.n == 0 and none.gap == NO_ANSWERS


def test_days_add_up_into_their_week_and_missing_weeks_are_gaps():
    rows = [
        (date(2026, 1, 5), "a", nps_counts(1, 0, 0)),  # Monday, W02
        (date(2026, 1, 11), "a", nps_counts(0, 0, 1)),  # Sunday, W02 still
        (date(2026, 1, 26), "a", nps_counts(2, 0, 0)),  # W05: W03 and W04 have nothing
        (date(2026, 1, 7), "b", ScoreCounts(csat_top=1, csat_n=2)),
    ]
    found = trends(rows, "week", min_n=2)
    assert [b.label for b in found.buckets] == ["2026-W02", "2026-W03", "2026-W04", "2026-W05"]
    assert found.buckets[0].start == date(2026, 1, 5) and found.buckets[-1].end == date(2026, 2, 1)
    a, b = found.lines
    assert a.key == "a" and b.key == "b"
    nps = a.points["nps"]
    assert nps[0].value == pytest.approx(0.0) and nps[0].n == 2  # 1 promoter, 1 detractor
    assert [p.gap for p in nps] == [None, NO_ANSWERS, NO_ANSWERS, None]
    assert nps[3].value == pytest.approx(100.0)
    assert [p.value for p in b.points["csat"]] == [pytest.approx(50.0), None, None, None]
    assert found.metrics() == ["nps", "csat"]
    assert found.gaps("nps") == 2  # a's two empty weeks; b, with no NPS at all, has no line


def test_months_and_a_month_without_enough_answers():
    rows = [
        (date(2026, 1, 31), 1, ScoreCounts(polarity_sum=0.9, polarity_n=3)),
        (date(2026, 2, 1), 1, ScoreCounts(polarity_sum=0.2, polarity_n=1)),
        (date(2026, 3, 15), 1, ScoreCounts(polarity_sum=-0.6, polarity_n=3)),
    ]
    found = trends(rows, "month", min_n=3)
    assert [b.label for b in found.buckets] == ["2026-01", "2026-02", "2026-03"]
    points = found.lines[0].points["sentiment"]
    assert points[0].value == pytest.approx(0.3) and points[2].value == pytest.approx(-0.2)
    assert points[1].value is None and points[1].gap == NOT_ENOUGH and points[1].n == 1


def test_the_period_bounds_the_buckets_and_keys_order_the_lines():
    rows = [
        (date(2026, 1, 2), 2, nps_counts(1, 0, 0)),
        (date(2026, 1, 20), 2, nps_counts(1, 0, 0)),
        (date(2026, 3, 1), 2, nps_counts(1, 0, 0)),  # after the period: left out
    ]
    found = trends(rows, "month", 1, keys=[1, 2], first=date(2026, 1, 10), last=date(2026, 2, 5))
    assert [(b.start, b.end) for b in found.buckets] == [
        (date(2026, 1, 10), date(2026, 1, 31)),
        (date(2026, 2, 1), date(2026, 2, 5)),
    ]
    empty, line = found.lines
    assert empty.key == 1 and not empty.answered("nps")
    assert [p.n for p in line.points["nps"]] == [1, 0]  # the 2 January answer is before


def test_no_answers_gives_no_buckets():
    found = trends([], "week", 30, keys=[1])
    assert found.buckets == [] and found.metrics() == [] and found.lines[0].key == 1
    assert found.lines[0].points == {"nps": [], "csat": [], "ces": [], "sentiment": []}


def test_default_grain_is_weeks_for_three_months_at_most():
    assert default_grain(date(2026, 1, 1), date(2026, 4, 1)) == "week"  # 91 days
    assert default_grain(date(2026, 1, 1), date(2026, 6, 1)) == "month"
    assert default_grain(None, date(2026, 1, 1)) == "month"


def test_unknown_grain_and_metric_are_refused():
    with pytest.raises(ValueError):
        trends([], "year", 1)
    with pytest.raises(ValueError):
        point(ScoreCounts(), "effort", 1)
