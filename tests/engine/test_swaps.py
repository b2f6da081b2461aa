"""The compiled swaps (:mod:`hashshock.engine.swaps`) against the numpy greedy oracle,
and the technicians' bound summed per pool against the sum per cohort."""

from __future__ import annotations

import functools
from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.engine.helpers import plan_for
from tests.oracles import GroupedGreedy
from tests.reference.fleets import two_site_fleet

from hashshock.engine import simulate
from hashshock.engine.allocate import job_lists
from hashshock.engine.arrays import Ring, SwapJobs
from hashshock.engine.core import Simulation
from hashshock.engine.swaps import apply_swaps, grant_swaps, site_demand


@functools.cache
def _template() -> Simulation:
    """A small simulation whose named tuples the tests fill with their own arrays (the
    arrays a kernel does not touch stay as they are)."""
    return Simulation(plan_for(horizon=10), 1, seed=0)


def _swap_once(
    cohort_pool: np.ndarray, cohort_site: np.ndarray, waiting: np.ndarray,
    dead_run: np.ndarray, on_hand: np.ndarray, capacity: np.ndarray, slack: int = 0,
) -> np.ndarray:  # fmt: skip
    """Run the swap kernels for one path and day; return swaps done per job [C·4].

    ``slack`` is added to the demand bounds the kernels get: bounds, not exact sums.
    """
    cohorts, n_pools, n_sites = len(cohort_pool), len(on_hand), len(capacity)
    pool_ptr, pool_jobs, site_ptr, site_jobs, job_pool, job_site = job_lists(
        cohort_pool, cohort_site, n_pools, n_sites
    )
    jobs = SwapJobs(
        pool_ptr=pool_ptr, pool_jobs=pool_jobs, site_ptr=site_ptr, site_jobs=site_jobs,
        job_pool=job_pool, job_site=job_site, site_capacity=capacity,
    )  # fmt: skip
    waiting, dead_run, on_hand = waiting[None].copy(), dead_run[None].copy(), on_hand[None].copy()
    before_wait, before_dead = waiting.copy(), dead_run.copy()
    demand_pool = np.zeros((1, n_pools), np.int64)
    demand_site = np.zeros((1, n_sites), np.int64)
    for c in range(cohorts):
        # As the failures pass leaves them: site demand counts pools with spares only.
        wanted = np.concatenate([dead_run[0, c : c + 1], waiting[0, c]])
        for part in range(4):
            demand_pool[0, cohort_pool[c, part]] += wanted[part]
            demand_site[0, cohort_site[c]] += wanted[part] * (on_hand[0, cohort_pool[c, part]] > 0)
    demand_pool += slack
    demand_site += slack
    template = _template()
    fleet = template.fleet._replace(horizon=10, jobs=jobs, swap_days=np.ones(4, np.int64))

    def ring() -> Ring:
        return Ring(np.zeros((1, 3, cohorts), np.int32), np.zeros((1, cohorts), np.int64))

    state = template.state._replace(
        cohorts=template.state.cohorts._replace(waiting=waiting, dead_run=dead_run),
        pools=template.state.pools._replace(on_hand=on_hand),
        machine_swaps=ring(), board_swaps=ring(),
    )  # fmt: skip
    scratch = template.scratch._replace(
        demand_pool=demand_pool, demand_site=demand_site,
        granted=np.zeros((1, cohorts * 4), np.int64), pool_state=np.zeros((1, n_pools), np.int8),
    )  # fmt: skip
    record = template.record._replace(
        swaps_done=np.zeros((1, 4), np.int64), swaps_daily=np.zeros((1, 1, 4), np.int32)
    )
    all_granted = grant_swaps(0, fleet, state, scratch)
    apply_swaps(0, 0, all_granted, fleet, state, scratch, record)
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
    assert record.swaps_done[0].tolist() == [int(done[k::4].sum()) for k in range(4)]
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
    template = _template()
    site_demand(
        0,
        template.fleet._replace(pool_site=pool_site),
        template.state._replace(pools=template.state.pools._replace(on_hand=on_hand)),
        template.scratch._replace(demand_pool=demand_pool, demand_site=demand_site),
    )
    assert demand_site[0].tolist() == per_cohort.tolist()


def test_a_plan_whose_cohorts_draw_on_another_sites_pools_is_refused() -> None:
    plan = plan_for(two_site_fleet())
    foreign = plan.pool_site.copy()
    foreign[plan.cohort_pool[0, 0]] = (plan.cohort_site[0] + 1) % len(plan.site_names)
    with pytest.raises(ValueError, match="spare pools must be at the cohort's site"):
        simulate(replace(plan, pool_site=foreign), 2, seed=1)
