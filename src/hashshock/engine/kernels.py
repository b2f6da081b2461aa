"""Compiled kernels of the daily step, one loop over paths each (``numba.prange``).

Every kernel works on one path's row of the state at a time, so paths run on
separate threads without sharing anything; random numbers come from per-cell
counter-based streams (:mod:`hashshock.engine.random`), so results do not depend
on the number of threads. The rules are those of ``docs/model.md``; the Python
driver (:mod:`hashshock.engine.core`) decides what each kernel is given.

Part axis: 0 hashboard, 1 fan, 2 PSU, 3 control board. A *job* is ``c·4 + part``:
the machines of cohort ``c`` waiting for a stop part, or its dead hashboards.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np
from numpy.typing import NDArray

from hashshock.engine.random import stream, table_sample, uniform

I64 = NDArray[np.int64]
I32 = NDArray[np.int32]
F64 = NDArray[np.float64]
B1 = NDArray[np.bool_]

N_PARTS = 4


@nb.njit(cache=True, inline="always")
def _arrival(day: int, delay: int) -> int:
    """Arrival day of something sent on ``day``: today's arrivals are already in, so at
    least tomorrow."""
    return day + max(delay, 1)


@nb.njit(cache=True, inline="always")
def _dead_boards_taken(
    base: np.uint64, i: int, machines: int, boards: int, slots: int, dead: int
) -> tuple[int, int]:
    """Dead boards among ``machines`` machines drawn from ``slots`` board slots holding ``dead``.

    Sequential draws without replacement: exactly hypergeometric. Returns (taken, i).
    """
    taken = 0
    for _ in range(machines * boards):
        if dead - taken <= 0 or slots <= 0:
            break
        if uniform(base, i) * slots <= dead - taken:
            taken += 1
        i += 1
        slots -= 1
    return taken, i


@nb.njit(parallel=True, cache=True)
def cohort_day(
    day: int,
    key: np.uint64,
    running: I64, waiting: I64, dead_run: I64, dead_stop: I64, clock: F64, on: B1,
    boards: I64, stop_rate: F64, board_rate: F64, cohort_pool: I64,
    scrap_share: F64, in_house_given_rest: F64,
    ms_ring: I32, ms_transit: I64, bs_ring: I32, bs_transit: I64,
    routed: I64, failures: I64, scrapped: I64, demand_pool: I64,
) -> None:  # fmt: skip
    """Swap returns, then failures, of every cohort on every path, for ``day``.

    Failures are the per-machine competing-risk process with hazard constant over
    the day: stop part ``k`` of a running machine at ``stop_rate[c, k]`` per day
    (all its slots together), each working hashboard at ``board_rate[c]``. The
    superposed process is sampled exactly by the time change: an event occurs when
    the cumulative intensity of the cohort crosses an Exp(1) threshold; the
    threshold left over at the end of the day carries to the next (``clock``), so a
    cohort-day without failures costs a subtraction. Each broken part is routed at
    once to scrap, in-house or vendor repair: ``routed`` [3, P, J] counts them.
    ``demand_pool`` [P, J] gets each pool's demand after the failures (for the swaps).
    """
    paths, cohorts = running.shape
    ms_slot = day % ms_ring.shape[0]
    bs_slot = day % bs_ring.shape[0]
    for p in nb.prange(paths):
        demand_pool[p, :] = 0
        for c in range(cohorts):
            base = np.uint64(0)  # the cell's stream, derived only when something happens
            seeded = False
            i = 0
            board_count = boards[c]
            back_boards = bs_ring[bs_slot, p, c]
            if back_boards:
                bs_ring[bs_slot, p, c] = 0
                bs_transit[p, c] -= back_boards
            back = ms_ring[ms_slot, p, c]
            if back:
                ms_ring[ms_slot, p, c] = 0
                ms_transit[p, c] -= back
                stopped = waiting[p, c, 0] + waiting[p, c, 1] + waiting[p, c, 2]
                stopped += ms_transit[p, c] + back
                if dead_stop[p, c]:
                    base, seeded = stream(key, p, c), True
                    moved, i = _dead_boards_taken(
                        base, i, back, board_count, board_count * stopped, dead_stop[p, c]
                    )
                    dead_stop[p, c] -= moved
                    dead_run[p, c] += moved
                running[p, c] += back
            if on[p, c]:  # switched off: neither hashes nor fails
                i = _fail(
                    p, c, base, seeded, i, key, running, waiting, dead_run, dead_stop, clock,
                    board_count, stop_rate, board_rate, cohort_pool, scrap_share,
                    in_house_given_rest, bs_transit, routed, failures, scrapped,
                )  # fmt: skip
            demand_pool[p, cohort_pool[c, 0]] += dead_run[p, c]
            for k in range(3):
                demand_pool[p, cohort_pool[c, k + 1]] += waiting[p, c, k]


@nb.njit(cache=True, inline="always")
def _fail(
    p: int, c: int, base: np.uint64, seeded: bool, i: int, key: np.uint64,
    running: I64, waiting: I64, dead_run: I64, dead_stop: I64, clock: F64,
    board_count: int, stop_rate: F64, board_rate: F64, cohort_pool: I64,
    scrap_share: F64, in_house_given_rest: F64, bs_transit: I64,
    routed: I64, failures: I64, scrapped: I64,
) -> int:  # fmt: skip
    """One cohort's failures on one path for the day (see :func:`cohort_day`)."""
    threshold = clock[p, c]
    t_left = 1.0
    n_run = running[p, c]
    dead = dead_run[p, c]
    swapping = bs_transit[p, c]
    rate0, rate1, rate2 = stop_rate[c, 0], stop_rate[c, 1], stop_rate[c, 2]
    r_board = board_rate[c]
    r0 = n_run * rate0
    r1 = r0 + n_run * rate1
    r_stop = r1 + n_run * rate2
    total = r_stop + max(board_count * n_run - dead - swapping, 0) * r_board
    while total > 0.0 and total * t_left > threshold:
        t_left -= threshold / total
        if not seeded:
            base, seeded = stream(key, p, c), True
        pick = uniform(base, i) * total
        i += 1
        # Branch-free: which interval the pick falls in says the part (0–2 stop
        # parts, 3 a board); where it falls inside says the route.
        slot = int(pick >= r0) + int(pick >= r1) + int(pick >= r_stop)
        low = (slot == 1) * r0 + (slot == 2) * r1 + (slot == 3) * r_stop
        high = (slot == 0) * r0 + (slot == 1) * r1 + (slot == 2) * r_stop
        high += (slot == 3) * total
        part = (slot + 1) % N_PARTS
        stops = int(slot < 3)
        if stops and dead:
            moved, i = _dead_boards_taken(base, i, 1, board_count, board_count * n_run, dead)
            dead -= moved
            dead_stop[p, c] += moved
        waiting[p, c, min(slot, 2)] += stops
        n_run -= stops
        dead += 1 - stops
        r0 = n_run * rate0
        r1 = r0 + n_run * rate1
        r_stop = r1 + n_run * rate2
        total = r_stop + max(board_count * n_run - dead - swapping, 0) * r_board
        failures[p, part] += 1
        pool = cohort_pool[c, part]
        cut_scrap = low + scrap_share[pool] * (high - low)
        cut_in_house = cut_scrap + in_house_given_rest[pool] * (high - cut_scrap)
        route = int(pick >= cut_scrap) + int(pick >= cut_in_house)
        routed[route, p, pool] += 1
        scrapped[p, part] += int(route == 0)
        threshold = -math.log(uniform(base, i))
        i += 1
    else:
        threshold -= total * t_left
    running[p, c] = n_run
    dead_run[p, c] = dead
    clock[p, c] = threshold
    return i


@nb.njit(parallel=True, cache=True)
def init_clock(key: np.uint64, clock: F64) -> None:
    """Fill ``clock`` [P, C] with independent Exp(1) thresholds."""
    paths, cohorts = clock.shape
    for p in nb.prange(paths):
        for c in range(cohorts):
            clock[p, c] = -math.log(uniform(stream(key, p, c), 0))


@nb.njit(cache=True, inline="always")
def _demand(waiting: I64, dead_run: I64, p: int, job: int) -> int:
    c, part = job // N_PARTS, job % N_PARTS
    return int(dead_run[p, c]) if part == 0 else int(waiting[p, c, part - 1])


@nb.njit(parallel=True, cache=True)
def swaps_day(
    day: int, horizon: int,
    waiting: I64, dead_run: I64, on_hand: I64, demand_pool: I64,
    pool_ptr: I64, pool_jobs: I64, site_ptr: I64, site_jobs: I64, job_pool: I64,
    job_site: I64, site_capacity: I64, swap_days: I64, granted: I64,
    ms_ring: I32, ms_transit: I64, bs_ring: I32, bs_transit: I64,
    swaps_done: I64, swaps_daily: I32,
) -> None:  # fmt: skip
    """Greedy swaps: each pool's spares, then each site's technician-days, in job order.

    ``pool_jobs[pool_ptr[j]:pool_ptr[j+1]]`` lists pool ``j``'s jobs in priority order
    (stopped machines before dead boards, then cohort order); likewise per site.
    A job gets ``min(demand, what its group has left)``. Where a group's capacity
    covers all its demand every job gets its demand, so the ordered pass runs only
    for groups that are short. ``demand_pool`` [P, J] is each pool's demand (from
    :func:`cohort_day`); ``granted`` [P, jobs] is scratch space.
    """
    paths, cohorts = dead_run.shape
    n_pools = pool_ptr.shape[0] - 1
    n_sites = site_ptr.shape[0] - 1
    for p in nb.prange(paths):
        # Pools: an ordered pass only where demand exceeds spares on hand.
        short = np.zeros(n_pools, np.bool_)
        for j in range(n_pools):
            if demand_pool[p, j] <= on_hand[p, j]:
                continue
            short[j] = True
            left = on_hand[p, j]
            for idx in range(pool_ptr[j], pool_ptr[j + 1]):
                job = pool_jobs[idx]
                give = min(_demand(waiting, dead_run, p, job), max(left, 0))
                granted[p, job] = give
                left -= give
        # ``granted`` is valid where a job has demand; elsewhere it is stale and unused.
        site_demand = np.zeros(n_sites, np.int64)
        for c in range(cohorts):
            for part in range(N_PARTS):
                job = c * N_PARTS + part
                d = _demand(waiting, dead_run, p, job)
                if d:
                    if not short[job_pool[job]]:
                        granted[p, job] = d
                    site_demand[job_site[job]] += granted[p, job]
        for s in range(n_sites):
            if site_demand[s] <= site_capacity[s]:
                continue
            left = site_capacity[s]
            for idx in range(site_ptr[s], site_ptr[s + 1]):
                job = site_jobs[idx]
                if _demand(waiting, dead_run, p, job):
                    done = min(granted[p, job], left)
                    granted[p, job] = done
                    left -= done
        for c in range(cohorts):
            for part in range(N_PARTS):
                job = c * N_PARTS + part
                if not _demand(waiting, dead_run, p, job):
                    continue
                done = granted[p, job]
                if done <= 0:
                    continue
                on_hand[p, job_pool[job]] -= done
                arrive = _arrival(day, swap_days[part])
                if part == 0:
                    dead_run[p, c] -= done
                    bs_transit[p, c] += done
                    if arrive < horizon:
                        bs_ring[arrive % bs_ring.shape[0], p, c] += done
                else:
                    waiting[p, c, part - 1] -= done
                    ms_transit[p, c] += done
                    if arrive < horizon:
                        ms_ring[arrive % ms_ring.shape[0], p, c] += done
                swaps_done[p, part] += done
                swaps_daily[p, part] += done


@nb.njit(parallel=True, cache=True)
def cohort_record(
    installed: I64, running: I64, waiting: I64, dead_run: I64, on: B1,
    ms_transit: I64, bs_transit: I64, boards: I64, cohort_pool: I64,
    ths_per_board: F64, ths_per_machine: F64, power_w: F64, mwh_cost: F64,
    hashrate: F64, nameplate: F64, machines_installed: I64, power_mw: F64, power_cost: F64,
    waiting_total: I32, swapping_total: I32, demand_pool: I64,
) -> None:  # fmt: skip
    """The day's cohort figures summed per path, and each pool's unmet demand [P, J]."""
    paths, cohorts = running.shape
    for p in nb.prange(paths):
        ths = 0.0
        plate = 0.0
        watts = 0.0
        cost = 0.0
        count = 0
        waits = 0
        swapping = 0
        demand_pool[p, :] = 0
        for c in range(cohorts):
            plate += installed[p, c] * ths_per_machine[c]
            count += installed[p, c]
            swapping += ms_transit[p, c]
            demand_pool[p, cohort_pool[c, 0]] += dead_run[p, c]
            for k in range(3):
                waits += waiting[p, c, k]
                demand_pool[p, cohort_pool[c, k + 1]] += waiting[p, c, k]
            if on[p, c]:
                up = boards[c] * running[p, c] - dead_run[p, c] - bs_transit[p, c]
                ths += max(up, 0) * ths_per_board[c]
                watts += running[p, c] * power_w[c]
                cost += running[p, c] * mwh_cost[c]
        hashrate[p] = ths
        nameplate[p] = plate
        machines_installed[p] = count
        power_mw[p] = watts / 1e6
        power_cost[p] = cost
        waiting_total[p] = waits
        swapping_total[p] = swapping


@nb.njit(parallel=True, cache=True)
def reorder(
    target: I64, on_hand: I64, in_repair: I64, in_house_backlog: I64, on_order: I64,
    order_backlog: I64, demand_pool: I64, pool_part: I64, order: I64, ordered: I64,
) -> None:  # fmt: skip
    """Order each pool up to its base-stock level: target − inventory position, if positive."""
    paths, pools = on_hand.shape
    for p in nb.prange(paths):
        for j in range(pools):
            position = (
                on_hand[p, j] + in_repair[p, j] + in_house_backlog[p, j] + on_order[p, j]
                + order_backlog[p, j] - demand_pool[p, j]
            )  # fmt: skip
            short = max(target[j] - position, 0)
            order[p, j] = short
            ordered[p, pool_part[j]] += short


@nb.njit(parallel=True, cache=True)
def pool_record(
    day: int, on_hand: I64, demand_pool: I64, in_repair: I64, on_order: I64, pool_part: I64,
    spares: I32, backorders: I32, repairing: I32, ordering: I32, first_stockout: I64,
) -> None:  # fmt: skip
    """Pool figures summed per part [P, 4]; the first day a part's pool is out while needed."""
    paths, pools = on_hand.shape
    for p in nb.prange(paths):
        out = np.zeros(N_PARTS, np.bool_)
        for j in range(pools):
            k = pool_part[j]
            spares[p, k] += on_hand[p, j]
            backorders[p, k] += demand_pool[p, j]
            repairing[p, k] += in_repair[p, j]
            ordering[p, k] += on_order[p, j]
            if on_hand[p, j] == 0 and demand_pool[p, j] > 0:
                out[k] = True
        for k in range(N_PARTS):
            if out[k] and first_stockout[p, k] < 0:
                first_stockout[p, k] = day


@nb.njit(parallel=True, cache=True)
def sum_by_part(quantity: I64, pool_part: I64, out: I32) -> None:
    """``out[p, part] += Σ_j quantity[p, j]`` over the pools of each part."""
    paths, pools = quantity.shape
    for p in nb.prange(paths):
        for j in range(pools):
            out[p, pool_part[j]] += quantity[p, j]


@nb.njit(parallel=True, cache=True)
def pop_into(ring: I32, in_transit: I64, day: int, target: I64) -> None:
    """Move what arrives on ``day`` from the ring [L, P, W] onto ``target`` [P, W]."""
    slot = day % ring.shape[0]
    paths, width = in_transit.shape
    for p in nb.prange(paths):
        for w in range(width):
            arrived = ring[slot, p, w]
            if arrived:
                ring[slot, p, w] = 0
                in_transit[p, w] -= arrived
                target[p, w] += arrived


@nb.njit(parallel=True, cache=True)
def add_lots(ring: I32, in_transit: I64, day: int, horizon: int, quantity: I64, delay: I64) -> None:
    """Lot ``quantity[p, w]`` arrives after ``delay[p, w]`` days (past the horizon: never)."""
    paths, width = quantity.shape
    for p in nb.prange(paths):
        for w in range(width):
            q = quantity[p, w]
            if q:
                in_transit[p, w] += q
                arrive = _arrival(day, delay[p, w])
                if arrive < horizon:
                    ring[arrive % ring.shape[0], p, w] += q


@nb.njit(parallel=True, cache=True)
def add_items(
    ring: I32, in_transit: I64, day: int, horizon: int, key: np.uint64,
    quantity: I64, base_delay: I64, col_dist: I64,
    values: I64, cdf: F64, length: I64, per_part: I32, col_part: I64,
) -> None:  # fmt: skip
    """Each unit of ``quantity[p, w]`` arrives after ``base_delay[p, w]`` plus its own draw.

    Column ``w`` draws from distribution ``col_dist[w]`` of the tables (one uniform per
    unit, so any delay distribution is exact). ``per_part[p, col_part[w]]`` counts units.
    """
    paths, width = quantity.shape
    for p in nb.prange(paths):
        for w in range(width):
            q = quantity[p, w]
            if not q:
                continue
            in_transit[p, w] += q
            per_part[p, col_part[w]] += q
            d = col_dist[w]
            n_values = length[d]
            if n_values == 1:
                arrive = _arrival(day, base_delay[p, w] + values[d, 0])
                if arrive < horizon:
                    ring[arrive % ring.shape[0], p, w] += q
                continue
            base = stream(key, p, w)
            for i in range(q):
                delay = table_sample(values[d], cdf[d], n_values, uniform(base, i))
                arrive = _arrival(day, base_delay[p, w] + delay)
                if arrive < horizon:
                    ring[arrive % ring.shape[0], p, w] += 1


@nb.njit(parallel=True, cache=True)
def sample_lots(
    key: np.uint64, quantity: I64, col_dist: I64, values: I64, cdf: F64, length: I64, out: I64
) -> None:
    """One delay per lot where ``quantity > 0`` (0 elsewhere), from column ``w``'s table."""
    paths, width = quantity.shape
    for p in nb.prange(paths):
        for w in range(width):
            if quantity[p, w] <= 0:
                out[p, w] = 0
                continue
            d = col_dist[w]
            out[p, w] = table_sample(values[d], cdf[d], length[d], uniform(stream(key, p, w), 0))
