"""The closed form: METRIC/VARI-METRIC backorders and Sherbrooke's marginal analysis.

No published METRIC example with all its inputs and optimum could be found to cite
(docs/decisions.md says so); the marginal analysis is held instead to exhaustive search,
and the backorders to their definition Σ_{x>s} (x − s) P(X = x).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from hashshock.decide.closed_form import (
    PoolInputs,
    expected_backorders,
    marginal_analysis,
    pipeline_tail,
)


def _ebo_by_definition(pmf: np.ndarray, stock: int) -> float:
    x = np.arange(pmf.size)
    return float(np.sum(np.maximum(x - stock, 0) * pmf))


@pytest.mark.parametrize("mean", [0.3, 2.0, 7.5])
@pytest.mark.parametrize("stock", [0, 1, 3, 10])
def test_backorders_are_the_expected_shortfall_of_the_pipeline(mean: float, stock: int) -> None:
    x = np.arange(400)
    assert expected_backorders(mean, stock) == pytest.approx(
        _ebo_by_definition(stats.poisson.pmf(x, mean), stock), abs=1e-9
    )
    # VARI-METRIC: negative binomial of the same mean, variance 2.5 x mean.
    r, p = mean / 1.5, 1 / 2.5
    assert expected_backorders(mean, stock, 2.5) == pytest.approx(
        _ebo_by_definition(stats.nbinom.pmf(x, r, p), stock), abs=1e-9
    )
    # More variance, more backorders at the same stock (for stock above the mean).
    if stock > mean:
        assert expected_backorders(mean, stock, 2.5) > expected_backorders(mean, stock)


def test_negative_binomial_tends_to_poisson() -> None:
    assert pipeline_tail(3.0, 1.000001, 12) == pytest.approx(pipeline_tail(3.0, 1.0, 12), abs=1e-5)


def _inputs(means: list[float], costs: list[float], weights: list[float],
            current: list[int] | None = None) -> PoolInputs:  # fmt: skip
    n = len(means)
    return PoolInputs(
        pipeline_mean=np.array(means), variance_to_mean=np.ones(n),
        unit_cost_usd=np.array(costs), weight=np.array(weights),
        current=np.array(current or [0] * n, dtype=np.int64), machines=50.0,
    )  # fmt: skip


@pytest.mark.parametrize("current", [[0, 0, 0], [2, 0, 1]])
def test_marginal_analysis_matches_exhaustive_search(current: list[int]) -> None:
    """Every point of the curve: no stock of equal or lower cost has a higher availability,
    and the cheapest stock reaching each target is the curve's (within one unit's cost)."""
    inputs = _inputs([1.2, 3.0, 0.6], [600.0, 25.0, 220.0], [1 / 3, 1.0, 1.0], current)
    curve = marginal_analysis(inputs)
    grid = [
        s
        for s in itertools.product(range(9), range(12), range(7))
        if all(a >= b for a, b in zip(s, current, strict=True))
    ]  # today's stock is kept
    every = [(inputs.cost(np.array(s)), inputs.availability(np.array(s))) for s in grid]
    for k in range(0, 24):
        cost, availability = curve.cost_usd[k], curve.availability[k]
        assert inputs.availability(curve.stock_at(k)) == pytest.approx(availability, abs=1e-12)
        best = max(a for c, a in every if c <= cost + 1e-9)
        assert availability >= best - 1e-12, (k, cost, availability, best)


@settings(max_examples=40, deadline=None)
@given(
    means=st.lists(st.floats(0.01, 30.0), min_size=1, max_size=5),
    costs=st.lists(st.floats(1.0, 1000.0), min_size=5, max_size=5),
    current=st.lists(st.integers(0, 5), min_size=5, max_size=5),
)
def test_frontier_is_monotone(means: list[float], costs: list[float], current: list[int]) -> None:
    n = len(means)
    curve = marginal_analysis(_inputs(means, costs[:n], [1.0] * n, current[:n]))
    assert np.all(np.diff(curve.cost_usd) >= 0)
    assert np.all(np.diff(curve.availability) >= -1e-15)
    # Gain per dollar never rises along the curve once units cost money.
    paid = np.diff(curve.cost_usd) > 0
    ratio = np.diff(curve.availability)[paid] / np.diff(curve.cost_usd)[paid]
    assert np.all(np.diff(ratio) <= 1e-15)
    assert curve.availability[-1] == pytest.approx(1.0, abs=1e-6)
    points = curve.points()
    assert [c for c, _ in points] == sorted(c for c, _ in points)
