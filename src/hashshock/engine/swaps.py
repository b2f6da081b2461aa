"""Swaps: each pool's and site's demand, the greedy allocation of spares and then
technician-days, and the swaps done.

Swaps take each pool's spares, then each site's technician-days, in job order:
stopped machines before dead boards, then cohort order (``docs/model.md``, *Swaps*).
A swapped machine (or board slot) is away for the part's swap days
(``state.machine_swaps``, ``state.board_swaps``); :mod:`hashshock.engine.failures`
brings it back.
"""

from __future__ import annotations

from hashshock.engine.arrays import N_PARTS, Cohorts, Fleet, Record, Scratch, State, SwapJobs
from hashshock.engine.jit import compiled
from hashshock.engine.rings import arrival, row

# What a pool's jobs get in the swaps (see :func:`grant_swaps`).
FULL, ORDERED, EMPTY = 0, 1, 2


@compiled(inline=True)
def pool_demand(p: int, fleet: Fleet, state: State, scratch: Scratch) -> None:
    """``scratch.demand_pool[p, j]``: the boards and machines on path ``p`` waiting for
    a spare from pool ``j``."""
    waiting, dead_run = state.cohorts.waiting, state.cohorts.dead_run
    cohort_pool, demand_pool = fleet.cohort_pool, scratch.demand_pool
    demand_pool[p, :] = 0
    for c in range(dead_run.shape[1]):
        demand_pool[p, cohort_pool[c, 0]] += dead_run[p, c]
        for k in range(3):
            demand_pool[p, cohort_pool[c, k + 1]] += waiting[p, c, k]


@compiled(inline=True)
def site_demand(p: int, fleet: Fleet, state: State, scratch: Scratch) -> None:
    """``scratch.demand_site[p, s]``: the demand on site ``s``'s pools with spares on
    hand, which bounds what its technicians can be asked to do today (for
    :func:`grant_swaps`).

    Summed per pool, not per cohort: every pool belongs to one site and serves only
    that site's cohorts (pools are keyed by site; the engine checks it). Summed per
    cohort inside the failures loop, the same bound cost 4–5 % of the whole-US step.
    A run of pools of one site is summed in a register and stored once: adding into
    ``demand_site`` pool by pool chained every addition through memory.
    """
    on_hand, demand_pool = state.pools.on_hand, scratch.demand_pool
    pool_site, demand_site = fleet.pool_site, scratch.demand_site
    demand_site[p, :] = 0
    site = -1
    total = 0
    for j in range(demand_pool.shape[1]):
        if pool_site[j] != site:
            if site >= 0:
                demand_site[p, site] += total
            site = pool_site[j]
            total = 0
        if on_hand[p, j] > 0:
            total += demand_pool[p, j]
    if site >= 0:
        demand_site[p, site] += total


@compiled(inline=True)
def _demand(counts: Cohorts, p: int, job: int) -> int:
    c, part = job // N_PARTS, job % N_PARTS
    return int(counts.dead_run[p, c]) if part == 0 else int(counts.waiting[p, c, part - 1])


@compiled(inline=True)
def grant_swaps(p: int, fleet: Fleet, state: State, scratch: Scratch) -> bool:
    """Decide the greedy swaps on path ``p`` (:func:`apply_swaps` does them).

    Swaps take each pool's spares, then each site's technician-days, in job order:
    ``jobs.pool_jobs[pool_ptr[j]:pool_ptr[j+1]]`` lists pool ``j``'s jobs in priority
    order (stopped machines before dead boards, then cohort order); likewise per site
    (``fleet.jobs``). A job gets ``min(demand, what its group has left)``. Where a
    group's capacity covers its demand every job gets its demand, so the ordered passes
    run only for groups that may be short. ``scratch.demand_pool`` [P, J] and
    ``scratch.demand_site`` [P, S] are upper bounds of the demand before the swaps (from
    :func:`pool_demand` and :func:`site_demand`); ``demand_site`` is scratch.

    On return ``scratch.pool_state[p, j]`` says what pool ``j``'s jobs get: their demand
    (``FULL``), nothing (``EMPTY``) or ``scratch.granted[p, job]`` (``ORDERED``).
    Returns true when some site may be short; then ``granted[p, job]`` holds every
    job's grant.
    """
    jobs, counts, on_hand = fleet.jobs, state.cohorts, state.pools.on_hand
    demand_pool, demand_site = scratch.demand_pool, scratch.demand_site
    granted = scratch.granted
    n_pools = jobs.pool_ptr.shape[0] - 1
    n_sites = jobs.site_ptr.shape[0] - 1
    pool_state = scratch.pool_state[p]
    pool_state[:] = FULL
    for j in range(n_pools):
        if demand_pool[p, j] <= on_hand[p, j]:
            continue
        if on_hand[p, j] <= 0:
            pool_state[j] = EMPTY
            continue
        pool_state[j] = ORDERED
        left = on_hand[p, j]
        for idx in range(jobs.pool_ptr[j], jobs.pool_ptr[j + 1]):
            job = jobs.pool_jobs[idx]
            want = _demand(counts, p, job)
            give = min(want, max(left, 0))
            granted[p, job] = give
            left -= give
            demand_site[p, jobs.job_site[job]] -= want - give  # still a bound
    # Sites: the exact demand after the pools' grants matters only where the bound
    # exceeds the technician-days; then ``granted`` holds every job's grant.
    all_granted = False
    for s in range(n_sites):
        if demand_site[p, s] > jobs.site_capacity[s]:
            all_granted = True
    if all_granted:
        _limit_by_site(p, counts, jobs, scratch)
    return all_granted


@compiled()
def _limit_by_site(p: int, counts: Cohorts, jobs: SwapJobs, scratch: Scratch) -> None:
    """Cap one path's grants by each short site's technician-days, in job order.

    On return ``scratch.granted[p, job]`` is the grant of every job with demand;
    ``scratch.demand_site[p]`` is scratch.
    """
    granted, pool_state = scratch.granted, scratch.pool_state[p]
    site_demand = scratch.demand_site[p]
    n_sites = jobs.site_ptr.shape[0] - 1
    site_demand[:] = 0
    for job in range(granted.shape[1]):
        d = _demand(counts, p, job)
        if d:
            rule = pool_state[jobs.job_pool[job]]
            if rule != ORDERED:
                granted[p, job] = d if rule == FULL else 0
            site_demand[jobs.job_site[job]] += granted[p, job]
    for s in range(n_sites):
        if site_demand[s] <= jobs.site_capacity[s]:
            continue
        left = jobs.site_capacity[s]
        for idx in range(jobs.site_ptr[s], jobs.site_ptr[s + 1]):
            job = jobs.site_jobs[idx]
            if _demand(counts, p, job):
                done = min(granted[p, job], left)
                granted[p, job] = done
                left -= done


@compiled(inline=True)
def apply_swaps(
    p: int, day: int, all_granted: bool, fleet: Fleet, state: State, scratch: Scratch,
    record: Record,
) -> None:  # fmt: skip
    """Do the swaps :func:`grant_swaps` decided: spares leave the shelf, the machines
    (or boards) go away for ``fleet.swap_days[part]`` days. ``scratch.demand_pool``
    [P, J] is left holding each pool's unmet demand."""
    waiting, dead_run = state.cohorts.waiting, state.cohorts.dead_run
    on_hand, demand_pool = state.pools.on_hand, scratch.demand_pool
    job_pool, swap_days, granted = fleet.jobs.job_pool, fleet.swap_days, scratch.granted
    ms_ring, ms_transit = state.machine_swaps.by_day, state.machine_swaps.in_transit
    bs_ring, bs_transit = state.board_swaps.by_day, state.board_swaps.in_transit
    swaps_done, swaps_daily = record.swaps_done, record.swaps_daily
    horizon = fleet.horizon
    pool_state = scratch.pool_state[p]
    demand_pool[p, :] = 0
    ms_today, bs_today = day % ms_ring.shape[1], day % bs_ring.shape[1]
    for c in range(dead_run.shape[1]):
        if dead_run[p, c] + waiting[p, c, 0] + waiting[p, c, 1] + waiting[p, c, 2] == 0:
            continue  # nothing waits: on a large fleet, most cohorts on most days
        for part in range(N_PARTS):
            job = c * N_PARTS + part
            d = _demand(state.cohorts, p, job)
            if d <= 0:
                continue
            rule = pool_state[job_pool[job]]
            if all_granted or rule == ORDERED:
                done = granted[p, job]
            elif rule == FULL:
                done = d
            else:
                done = 0
            demand_pool[p, job_pool[job]] += d - done
            if done <= 0:
                continue
            on_hand[p, job_pool[job]] -= done
            arrive = arrival(day, swap_days[part])
            if part == 0:
                dead_run[p, c] -= done
                bs_transit[p, c] += done
                if arrive < horizon:
                    bs_ring[p, row(bs_today, arrive - day, bs_ring.shape[1]), c] += done
            else:
                waiting[p, c, part - 1] -= done
                ms_transit[p, c] += done
                if arrive < horizon:
                    ms_ring[p, row(ms_today, arrive - day, ms_ring.shape[1]), c] += done
            swaps_done[p, part] += done
            swaps_daily[p, day, part] += done


@compiled(inline=True)
def swap(p: int, day: int, fleet: Fleet, state: State, scratch: Scratch, record: Record) -> None:
    """The day's swaps on path ``p``: each site's demand bound, the grants, the swaps."""
    site_demand(p, fleet, state, scratch)
    all_granted = grant_swaps(p, fleet, state, scratch)
    apply_swaps(p, day, all_granted, fleet, state, scratch, record)
