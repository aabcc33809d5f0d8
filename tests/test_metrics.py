"""The metric formulas, checked against figures computed by hand."""

import math

import pytest

from feedback.metrics import ces, csat, nps, nps_from_counts, wilson_interval


def test_nps_is_promoters_minus_detractors_with_trinomial_margin():
    # 5 promoters, 3 passives, 2 detractors: NPS = 50 - 20 = 30.
    figure = nps([10, 9, 9, 10, 9, 7, 8, 7, 3, 6])
    assert figure.value == pytest.approx(30.0)
    assert figure.n == 10
    # var = (0.5 + 0.2 - 0.3^2) / 10 = 0.061; moe = 1.96 * sqrt(0.061) * 100
    assert figure.margin == pytest.approx(1.96 * math.sqrt(0.061) * 100)


def test_nps_edges():
    assert nps([]).value is None and nps([]).n == 0 and not nps([]).enough
    assert nps([10] * 40).value == 100.0 and nps([10] * 40).margin == 0.0
    assert nps([0] * 40).value == -100.0
    assert nps_from_counts(0, 5, 0).value == 0.0


def test_nps_below_minimum_is_marked_not_enough():
    assert not nps([10, 9, 3], min_n=30).enough
    assert nps([10] * 30, min_n=30).enough


def test_csat_is_top_two_box_with_wilson_interval():
    figure = csat([5, 4, 3, 2, 5])
    assert figure.value == pytest.approx(60.0)
    low, high = wilson_interval(3, 5)
    assert figure.low == pytest.approx(low * 100) and figure.high == pytest.approx(high * 100)
    # Hand-computed Wilson interval for 3/5: about 23.1% to 88.2%.
    assert low == pytest.approx(0.2307, abs=1e-3) and high == pytest.approx(0.8824, abs=1e-3)


def test_csat_all_satisfied_keeps_an_interval_below_100():
    figure = csat([5] * 10)
    assert figure.value == 100.0 and figure.high == 100.0 and figure.low < 100.0


def test_ces_mean_and_share_of_easy():
    effort = ces([7, 6, 5, 2, 1])
    assert effort.mean == pytest.approx(4.2)
    assert effort.easy.value == pytest.approx(60.0)
    assert ces([]).mean is None and ces([]).n == 0
