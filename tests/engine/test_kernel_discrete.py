"""Binomial and hypergeometric variates by inversion from the mode
(:mod:`hashshock.engine.kernel_discrete`) against scipy's probability mass functions.

Inversion maps each outcome k to an interval of uniforms as long as its probability, so
on an even grid of N uniforms k is hit N·P(k) times within one (plus the rounding of
the probabilities, far below one at these N): a deterministic test of the whole
distribution, tails included, with no sampling noise to allow for."""

from __future__ import annotations

import numba
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from hashshock.engine.kernel_discrete import binomial, hypergeometric

GRID = 100_000


@numba.njit(cache=True)
def _binomial_grid(trials: int, p: float, n: int) -> np.ndarray:
    out = np.empty(n, np.int64)
    for i in range(n):
        out[i] = binomial((i + 0.5) / n, trials, p)
    return out


@numba.njit(cache=True)
def _hypergeometric_grid(good: int, total: int, sample: int, n: int) -> np.ndarray:
    out = np.empty(n, np.int64)
    for i in range(n):
        out[i] = hypergeometric((i + 0.5) / n, good, total, sample)
    return out


def _assert_grid_matches(draws: np.ndarray, support: np.ndarray, pmf: np.ndarray) -> None:
    assert draws.min() >= support[0] and draws.max() <= support[-1]
    counts = np.bincount(draws - support[0], minlength=support.size)
    np.testing.assert_array_less(np.abs(counts - GRID * pmf), 2.0)


@pytest.mark.parametrize("trials, p", [
    (1, 0.5), (10, 0.01), (10, 0.99), (50, 0.7), (1_000, 0.7), (100_000, 0.3), (7, 0.5),
])  # fmt: skip
def test_binomial_outcomes_have_their_probabilities(trials: int, p: float) -> None:
    support = np.arange(trials + 1)
    draws = _binomial_grid(trials, p, GRID)
    _assert_grid_matches(draws, support, stats.binom.pmf(support, trials, p))


@pytest.mark.parametrize("good, total, sample", [
    (5, 10, 10), (2, 3_000, 2_100), (300, 3_000, 2_100), (50, 60, 30), (1, 2, 1),
    (40, 120_000, 84_000), (9, 12, 5),
])  # fmt: skip
def test_hypergeometric_outcomes_have_their_probabilities(
    good: int, total: int, sample: int
) -> None:
    support = np.arange(max(0, sample - (total - good)), min(sample, good) + 1)
    draws = _hypergeometric_grid(good, total, sample, GRID)
    _assert_grid_matches(draws, support, stats.hypergeom.pmf(support, total, good, sample))


def test_degenerate_cases_need_no_draw() -> None:
    assert binomial(0.3, 0, 0.5) == 0
    assert binomial(0.3, 12, 0.0) == 0
    assert binomial(0.3, 12, 1.0) == 12
    assert hypergeometric(0.3, 0, 10, 4) == 0
    assert hypergeometric(0.3, 6, 10, 0) == 0
    assert hypergeometric(0.3, 10, 10, 4) == 4  # every item good
    assert hypergeometric(0.3, 6, 10, 10) == 6  # every item drawn


@settings(max_examples=200, deadline=None)
@given(
    trials=st.integers(0, 10**6), p=st.floats(0.0, 1.0),
    u=st.floats(0.0, 1.0, exclude_min=True),
)  # fmt: skip
def test_binomial_stays_in_its_support(trials: int, p: float, u: float) -> None:
    assert 0 <= binomial(u, trials, p) <= trials


@settings(max_examples=200, deadline=None)
@given(
    total=st.integers(0, 10**6), good_share=st.floats(0.0, 1.0),
    sample_share=st.floats(0.0, 1.0), u=st.floats(0.0, 1.0, exclude_min=True),
)  # fmt: skip
def test_hypergeometric_stays_in_its_support(
    total: int, good_share: float, sample_share: float, u: float
) -> None:
    good, sample = int(total * good_share), int(total * sample_share)
    k = hypergeometric(u, good, total, sample)
    assert max(0, sample - (total - good)) <= k <= min(sample, good)
