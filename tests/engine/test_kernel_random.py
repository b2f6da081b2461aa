"""The kernels' random numbers (:mod:`hashshock.engine.kernel_random`): per-cell
streams, the ziggurat's exponential gaps, delay draws by inverse-CDF tables, and the
per-day keys, each against an independent oracle."""

from __future__ import annotations

import numba
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.random import SeedSequence
from scipy import stats

from hashshock.dists import Empirical, LogNormal, Triangular, Uniform
from hashshock.engine.kernel_random import DelayTables, exponential, stream, uniform
from hashshock.engine.supply import lot_delay
from hashshock.streams import CONCERNS, RandomTree


@numba.njit(cache=True)
def _lot_delays(key: np.uint64, n: int, tables: DelayTables) -> np.ndarray:
    out = np.empty(n, np.int64)
    for w in range(n):
        out[w] = lot_delay(key, 0, w, tables, 0)
    return out


def _draw_lots(dist: object, n: int) -> np.ndarray:
    return _lot_delays(np.uint64(7), n, DelayTables.of([dist]))  # type: ignore[list-item]


@pytest.mark.parametrize(
    "dist", [Uniform(3, 10), Triangular(30, 60, 180), LogNormal(60, 0.5), Empirical([1, 5, 9])]
)
def test_kernel_delay_draws_match_the_distribution_objects(dist: object) -> None:
    draws = _draw_lots(dist, 200_000)
    mean, var = dist.mean, dist.variance  # type: ignore[attr-defined]
    assert abs(draws.mean() - mean) < 5 * np.sqrt(var / draws.size)
    assert draws.var() == pytest.approx(var, rel=0.03)
    assert set(np.unique(draws)) <= set(dist.support)  # type: ignore[attr-defined]


@numba.njit(cache=True)
def _uniforms(key: np.uint64, cells: int, per_cell: int) -> np.ndarray:
    out = np.empty((cells, per_cell))
    for c in range(cells):
        base = stream(key, 0, c)
        for i in range(per_cell):
            out[c, i] = uniform(base, i)
    return out


def test_cell_streams_are_uniform_and_uncorrelated() -> None:
    u = _uniforms(np.uint64(3), 2000, 100)
    assert np.all((u > 0) & (u <= 1))
    n = u.size
    assert abs(u.mean() - 0.5) < 5 * np.sqrt(1 / 12 / n)
    assert u.var() == pytest.approx(1 / 12, rel=0.01)
    # Neighbouring cells and successive draws: correlation within 5 standard errors of 0.
    for a, b in ((u[:-1].ravel(), u[1:].ravel()), (u[:, :-1].ravel(), u[:, 1:].ravel())):
        assert abs(np.corrcoef(a, b)[0, 1]) < 5 / np.sqrt(a.size)


@numba.njit(cache=True)
def _exponentials(key: np.uint64, n: int) -> np.ndarray:
    base = stream(key, 0, 0)
    out = np.empty(n)
    for k in range(n):
        out[k] = exponential(base, 2 * k + 1, (1 << 41) + 64 * k)
    return out


def test_ziggurat_draws_are_exponential() -> None:
    """Exp(1) moments, and the share beyond the base layer's edge (the tail branch) and
    inside the top layers (the wedges), each within 5 standard errors."""
    n = 2_000_000
    x = _exponentials(np.uint64(11), n)
    assert np.all(x >= 0)
    assert abs(x.mean() - 1.0) < 5 * np.sqrt(1.0 / n)
    assert abs(x.var() - 1.0) < 5 * np.sqrt(8.0 / n)  # Exp(1): 4th central moment 9
    for edge in (0.05, 0.5, 2.0, 7.697117470131487, 9.0):
        p = np.exp(-edge)
        assert abs((x > edge).mean() - p) < 5 * np.sqrt(p * (1 - p) / n) + 1 / n
    assert stats.kstest(x, "expon").pvalue > 1e-4


@settings(max_examples=50, deadline=None)
@given(
    st.integers(0, 2**63 - 1),
    st.sampled_from(["cohorts", "items", "customs", "lots", "orders"]),
    st.integers(0, 10**7),
    st.integers(1, 40),
)
def test_kernel_keys_are_splitmix64_of_the_concerns_root(
    seed: int, concern: str, first: int, count: int
) -> None:
    """Keys for a run, drawn at once, against splitmix64 written out in Python integers
    (Steele, Lea & Flood 2014: the counter steps by γ, the output is the mixer)."""
    mask = (1 << 64) - 1
    root = SeedSequence(entropy=seed, spawn_key=(CONCERNS[concern],))
    base = int(root.generate_state(1, np.uint64)[0])

    def splitmix64(n: int) -> int:
        z = (base + n * 0x9E3779B97F4A7C15) & mask
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
        return z ^ (z >> 31)

    tree = RandomTree(seed)
    expected = [splitmix64(first + i + 1) for i in range(count)]
    assert [int(k) for k in tree.keys(concern, first, count)] == expected
    assert int(tree.key(concern, first)) == expected[0]


def test_kept_kernel_keys_are_handed_out_as_copies() -> None:
    """Runs of one seed share the kept keys: changing the array one run got changes no
    other run's."""
    first = RandomTree(11).keys("cohorts", 0, 30)
    expected = first.copy()
    first[:] = 0
    np.testing.assert_array_equal(RandomTree(11).keys("cohorts", 0, 30), expected)
