"""The compiled kernels against independent oracles: numpy greedy allocation, the
distribution objects' own moments, the binomial law of one day's failures, and the
randomness contract (any thread count gives the same numbers)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numba
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.random import SeedSequence
from scipy import stats
from tests.engine_helpers import plan_for, with_constant_hazard
from tests.oracles import GroupedGreedy
from tests.reference.fleets import two_site_fleet

from hashshock.dists import Empirical, LogNormal, Triangular, Uniform
from hashshock.engine import kernels, simulate
from hashshock.engine.allocate import job_lists
from hashshock.engine.kernel_random import DelayTables, exponential, stream, uniform
from hashshock.engine.pipeline import Pipeline
from hashshock.streams import CONCERNS, RandomTree


def _swap_once(
    cohort_pool: np.ndarray, cohort_site: np.ndarray, waiting: np.ndarray,
    dead_run: np.ndarray, on_hand: np.ndarray, capacity: np.ndarray, slack: int = 0,
) -> np.ndarray:  # fmt: skip
    """Run the swap kernel for one path and day; return swaps done per job [C·4].

    ``slack`` is added to the demand bounds the kernel gets: bounds, not exact sums.
    """
    cohorts, n_pools, n_sites = len(cohort_pool), len(on_hand), len(capacity)
    pool_ptr, pool_jobs, site_ptr, site_jobs, job_pool, job_site = job_lists(
        cohort_pool, cohort_site, n_pools, n_sites
    )
    waiting, dead_run, on_hand = waiting[None].copy(), dead_run[None].copy(), on_hand[None].copy()
    before_wait, before_dead = waiting.copy(), dead_run.copy()
    demand_pool = np.zeros((1, n_pools), np.int64)
    demand_site = np.zeros((1, n_sites), np.int64)
    for c in range(cohorts):
        # As the failures kernel leaves them: site demand counts pools with spares only.
        wanted = np.concatenate([dead_run[0, c : c + 1], waiting[0, c]])
        for part in range(4):
            demand_pool[0, cohort_pool[c, part]] += wanted[part]
            demand_site[0, cohort_site[c]] += wanted[part] * (on_hand[0, cohort_pool[c, part]] > 0)
    demand_pool += slack
    demand_site += slack
    rings = [np.zeros((3, 1, cohorts), np.int32) for _ in range(2)]
    transit = [np.zeros((1, cohorts), np.int64) for _ in range(2)]
    granted = np.zeros((1, cohorts * 4), np.int64)
    pool_state = np.zeros((1, n_pools), np.int8)
    all_granted = kernels.grant_swaps(
        0, waiting, dead_run, on_hand, demand_pool, demand_site, pool_ptr, pool_jobs,
        site_ptr, site_jobs, job_pool, job_site, capacity, granted, pool_state,
    )  # fmt: skip
    kernels.apply_swaps(
        0, 0, 10, all_granted, waiting, dead_run, on_hand, demand_pool, job_pool,
        np.ones(4, np.int64), granted, pool_state, rings[0], transit[0], rings[1], transit[1],
        np.zeros((1, 4), np.int64), np.zeros((1, 1, 4), np.int32),
    )  # fmt: skip
    unmet = np.zeros(n_pools, np.int64)
    for c in range(cohorts):
        unmet[cohort_pool[c, 0]] += dead_run[0, c]
        for k in range(3):
            unmet[cohort_pool[c, k + 1]] += waiting[0, c, k]
    assert demand_pool[0].tolist() == unmet.tolist()  # left holding the unmet demand
    done = np.zeros(cohorts * 4, np.int64)
    done[0::4] = before_dead[0] - dead_run[0]
    for k in range(3):
        done[k + 1 :: 4] = before_wait[0, :, k] - waiting[0, :, k]
    return done


@settings(max_examples=150, deadline=None)
@given(
    st.integers(1, 5).flatmap(
        lambda cohorts: st.tuples(
            st.lists(st.integers(0, 3), min_size=4 * cohorts, max_size=4 * cohorts),
            st.lists(st.integers(0, 1), min_size=cohorts, max_size=cohorts),
            st.lists(st.integers(0, 6), min_size=4 * cohorts, max_size=4 * cohorts),
            st.lists(st.integers(0, 12), min_size=4, max_size=4),
            st.lists(st.integers(0, 15), min_size=2, max_size=2),
            st.integers(0, 3),
        )
    )
)
def test_swap_kernel_matches_the_numpy_greedy_oracle(
    case: tuple[list[int], list[int], list[int], list[int], list[int], int],
) -> None:
    pools, sites, demand, on_hand, capacity, slack = case
    cohorts = len(sites)
    cohort_pool = np.array(pools, np.int64).reshape(cohorts, 4)
    cohort_site = np.array(sites, np.int64)
    demand_arr = np.array(demand, np.int64).reshape(cohorts, 4)
    done = _swap_once(
        cohort_pool, cohort_site, demand_arr[:, 1:], demand_arr[:, 0],
        np.array(on_hand, np.int64), np.array(capacity, np.int64), slack,
    )  # fmt: skip
    # Oracle: the documented rule with the numpy greedy — stop jobs first, cohort order.
    order = [c * 4 + k for c in range(cohorts) for k in (1, 2, 3)] + [c * 4 for c in range(cohorts)]
    jobs = np.array(order)
    priority = (jobs % 4 == 0).astype(np.int64)
    wanted = demand_arr.reshape(-1)[jobs][None, :]
    by_pool = GroupedGreedy(cohort_pool.reshape(-1)[jobs], priority)
    with_spare = by_pool.allocate(wanted, np.array(on_hand, np.int64)[None, :])
    by_site = GroupedGreedy(np.repeat(cohort_site, 4)[jobs], priority)
    expected = by_site.allocate(with_spare, np.array(capacity, np.int64)[None, :])[0]
    assert done[jobs].tolist() == expected.tolist()


@settings(max_examples=100, deadline=None)
@given(
    st.integers(1, 4).flatmap(
        lambda sites: st.tuples(
            st.just(sites),
            st.lists(st.integers(0, sites - 1), min_size=1, max_size=8),  # cohort sites
            st.integers(1, 2),  # families per site: pools are (site, part, family)
            st.randoms(use_true_random=False),
        )
    )
)
def test_site_demand_summed_per_pool_equals_the_sum_per_cohort(
    case: tuple[int, list[int], int, Any],
) -> None:
    """The technicians' bound, summed over a site's stocked pools, is the per-cohort sum
    of each cohort's demand on its stocked pools (pools are keyed by site)."""
    n_sites, sites, families, rnd = case
    cohort_site = np.array(sites, np.int64)
    family = np.array([rnd.randrange(families) for _ in sites])
    pool_of = {}  # (site, part, family) -> pool index, as the plan keys them
    cohort_pool = np.zeros((len(sites), 4), np.int64)
    for c, site in enumerate(sites):
        for part in range(4):
            cohort_pool[c, part] = pool_of.setdefault((site, part, family[c]), len(pool_of))
    pool_site = np.array([key[0] for key in pool_of], np.int64)
    demand = np.array([[rnd.randrange(5) for _ in range(4)] for _ in sites], np.int64)
    on_hand = np.array([[rnd.randrange(3) for _ in pool_of]], np.int64)
    demand_pool = np.zeros((1, len(pool_of)), np.int64)
    np.add.at(demand_pool[0], cohort_pool.reshape(-1), demand.reshape(-1))
    per_cohort = np.zeros(n_sites, np.int64)
    for c in range(len(sites)):
        for part in range(4):
            per_cohort[cohort_site[c]] += demand[c, part] * (on_hand[0, cohort_pool[c, part]] > 0)
    demand_site = np.full((1, n_sites), -7, np.int64)  # scratch: overwritten
    kernels.site_demand_path(0, on_hand, demand_pool, pool_site, demand_site)
    assert demand_site[0].tolist() == per_cohort.tolist()


def test_a_plan_whose_cohorts_draw_on_another_sites_pools_is_refused() -> None:
    plan = plan_for(two_site_fleet())
    foreign = plan.pool_site.copy()
    foreign[plan.cohort_pool[0, 0]] = (plan.cohort_site[0] + 1) % len(plan.site_names)
    with pytest.raises(ValueError, match="spare pools must be at the cohort's site"):
        simulate(replace(plan, pool_site=foreign), 2, seed=1)


@numba.njit(cache=True)
def _lot_delays(
    key: np.uint64, n: int, values: np.ndarray, cdf: np.ndarray, length: int
) -> np.ndarray:
    out = np.empty(n, np.int64)
    for w in range(n):
        out[w] = kernels.lot_delay(key, 0, w, values, cdf, length)
    return out


def _draw_lots(dist: object, n: int) -> np.ndarray:
    tables = DelayTables.of([dist])  # type: ignore[list-item]
    return _lot_delays(np.uint64(7), n, tables.values[0], tables.cdf[0], int(tables.length[0]))


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


def test_one_day_of_failures_is_binomial() -> None:
    """Day 0 with constant hazard: stops ~ Binomial(n, 1 − Π(1 − h)^{slots}) per cohort."""
    hazard = [0.0, 2e-3, 1e-3, 5e-4]
    plan = with_constant_hazard(plan_for(horizon=1), hazard)
    paths = 20_000
    out = simulate(plan, paths, seed=2)
    machines = plan.cohort_initial - plan.cohort_initial_down.sum(axis=1)
    q_run = np.prod((1.0 - np.array(hazard[1:])) ** plan.cohort_stop_parts, axis=1)
    n, p = machines, 1.0 - q_run
    mean, var = float((n * p).sum()), float((n * p * (1 - p)).sum())
    stops = out.failures[:, 1:].sum(axis=1).astype(float)
    assert abs(stops.mean() - mean) < 5 * np.sqrt(var / paths)
    # Dispersion of a sum of binomials: var/mean = 1 − p (not Poisson's 1).
    assert stops.var(ddof=1) == pytest.approx(var, rel=5 * np.sqrt(2 / paths))


def test_results_do_not_depend_on_the_number_of_threads() -> None:
    plan = plan_for(horizon=120)
    threads = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = simulate(plan, 30, seed=4)
        numba.set_num_threads(max(2, threads) if numba.config.NUMBA_NUM_THREADS > 1 else 1)
        many = simulate(plan, 30, seed=4)
    finally:
        numba.set_num_threads(threads)
    assert np.array_equal(one.hashrate_ths, many.hashrate_ths)
    assert np.array_equal(one.spares_on_hand, many.spares_on_hand)
    assert np.array_equal(one.failures, many.failures)


def test_a_zero_day_delay_arrives_the_next_day() -> None:
    """Today's arrivals are already in, so a lot sent with no delay arrives tomorrow."""
    pipeline = Pipeline(length=5, paths=1, width=1, horizon=20)
    pipeline.add(3, 0, np.array([[4]], np.int64))
    arrivals = [int(pipeline.pop(day)[0, 0]) for day in range(4, 10)]
    assert arrivals == [4, 0, 0, 0, 0, 0]
    assert int(pipeline.in_transit.sum()) == 0


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


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 400), st.data())
def test_a_ring_row_ahead_is_the_day_modulo_the_length(length: int, data: st.DataObject) -> None:
    """``_row`` finds the row ``ahead`` days on without a division, for what lands
    within the ring's reach."""
    day = data.draw(st.integers(0, 10_000))
    ahead = data.draw(st.integers(0, length - 1))
    assert kernels._row(day % length, ahead, length) == (day + ahead) % length
