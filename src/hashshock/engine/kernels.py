"""Compiled rules of the daily step, each on one path's row of the state.

Every function here takes a path index ``p`` and touches only that path's rows,
so :mod:`hashshock.engine.step` can run paths on separate threads and run each
path through many days in a row; random numbers come from per-cell
counter-based streams (:mod:`hashshock.engine.kernel_random`), so results do not depend
on the number of threads. The rules are those of ``docs/model.md``. The few
kernels over all paths at the end serve the Python driver's rare steps.

Part axis: 0 hashboard, 1 fan, 2 PSU, 3 control board. A *job* is ``c·4 + part``:
the machines of cohort ``c`` waiting for a stop part, or its dead hashboards.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

from hashshock.engine.jit import B1, F64, I8, I32, I64, compiled
from hashshock.engine.kernel_random import (
    cell_stream,
    exponential,
    path_stream,
    stream,
    table_sample,
    uniform,
)

N_PARTS = 4
# Where in a cohort's daily stream (2**44 draws) the draws of each kind start: failure
# candidates take 0, 1, 2, … (a pick and a gap each), the ziggurat's rare extra draws
# 64 a candidate from _EXP_RETRIES; dead boards moved by failures and returns their own.
_EXP_RETRIES = 1 << 41
_BOARD_DRAWS = 1 << 42
_RETURN_DRAWS = 1 << 43
# What a pool's jobs get in the swaps (see :func:`grant_swaps`).
FULL, ORDERED, EMPTY = 0, 1, 2


@compiled(inline=True)
def _arrival(day: int, delay: int) -> int:
    """Arrival day of something sent on ``day``: today's arrivals are already in, so at
    least tomorrow."""
    return day + max(delay, 1)


@compiled(inline=True)
def _row(today: int, ahead: int, length: int) -> int:
    """Ring row of the day ``ahead`` days after the day whose row is ``today``:
    ``(day + ahead) % length`` without a division, for 0 ≤ ``ahead`` < ``length`` (what
    lands within the horizon always is: see :class:`~hashshock.engine.pipeline.Pipeline`)."""
    row = today + ahead
    return row - length if row >= length else row


@compiled(inline=True)
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


@compiled(inline=True)
def cohort_path(
    p: int,
    day: int,
    key: np.uint64,
    installed: I64, running: I64, waiting: I64, dead_run: I64, dead_stop: I64, clock: F64,
    on: B1,
    boards: I64, stop_rate: F64, board_rate: F64, cohort_pool: I64,
    scrap_share: F64, in_house_given_rest: F64,
    ms_ring: I32, ms_transit: I64, bs_ring: I32, bs_transit: I64,
    routed: I64, failures: I64, scrapped: I64,
) -> int:  # fmt: skip
    """Swap returns, then failures, of every cohort on path ``p``, for ``day``.

    Failures are the per-machine competing-risk process with hazard constant over
    the day: stop part ``k`` of a running machine at ``stop_rate[c, k]`` per day
    (all its slots together), each working hashboard at ``board_rate[c]``. The
    superposed process is sampled exactly (``docs/model.md``, *Failures*): candidates
    arrive where the cohort's cumulative intensity at the day's starting level crosses
    Exp(1) thresholds and are thinned to the current intensity (:func:`_fail`); the
    threshold left over at the end of the day carries to the next (``clock``), so a
    cohort-day without failures costs a subtraction, and a cohort with no machines yet
    (its order not delivered) a load. Each broken part is routed at
    once to scrap, in-house or vendor repair: ``routed`` [2, P, J] counts those going
    to repair, in-house and vendor (zeroed by whoever starts the repairs, so a day
    without failures need not touch it).

    Returns the machines and boards waiting for a spare, or −1 if some part failed
    (:func:`pool_demand_path` says at which pools they wait).
    """
    cohorts = running.shape[1]
    ms_slot = day % ms_ring.shape[1]
    bs_slot = day % bs_ring.shape[1]
    path_base = path_stream(key, p)
    failed = 0
    wanted = 0
    for c in range(cohorts):
        if installed[p, c] == 0:  # nothing to return, fail or wait: the clock stands
            continue
        base = cell_stream(path_base, c)
        board_count = boards[c]
        # Counts are loaded once and stored once: the arrays may alias as far as the
        # compiler knows, so each store would make it load every other count again.
        # Returns are unconditional arithmetic: whether anything comes back is a
        # coin flip the branch predictor would lose.
        swapping = bs_transit[p, c] - bs_ring[p, bs_slot, c]
        bs_ring[p, bs_slot, c] = 0
        bs_transit[p, c] = swapping
        back = ms_ring[p, ms_slot, c]
        ms_ring[p, ms_slot, c] = 0
        away = ms_transit[p, c] - back
        ms_transit[p, c] = away
        n_run = running[p, c] + back
        dead = dead_run[p, c]
        if back and dead_stop[p, c]:
            stopped = waiting[p, c, 0] + waiting[p, c, 1] + waiting[p, c, 2] + away + back
            slots = board_count * stopped
            moved, _ = _dead_boards_taken(
                base, _RETURN_DRAWS, back, board_count, slots, dead_stop[p, c]
            )
            dead_stop[p, c] -= moved
            dead += moved
        if on[p, c]:  # switched off: neither hashes nor fails
            n_failed, n_run, dead = _fail(
                p, c, base, n_run, dead, swapping, waiting, dead_stop, clock,
                board_count, stop_rate, board_rate, cohort_pool, scrap_share,
                in_house_given_rest, routed, failures, scrapped,
            )  # fmt: skip
            failed += n_failed
        running[p, c] = n_run
        dead_run[p, c] = dead
        wanted += dead + waiting[p, c, 0] + waiting[p, c, 1] + waiting[p, c, 2]
    return -1 if failed else wanted


@compiled(inline=True)
def pool_demand_path(
    p: int, waiting: I64, dead_run: I64, cohort_pool: I64, demand_pool: I64
) -> None:
    """``demand_pool[p, j]``: the boards and machines on path ``p`` waiting for a spare
    from pool ``j``."""
    demand_pool[p, :] = 0
    for c in range(dead_run.shape[1]):
        demand_pool[p, cohort_pool[c, 0]] += dead_run[p, c]
        for k in range(3):
            demand_pool[p, cohort_pool[c, k + 1]] += waiting[p, c, k]


@compiled(inline=True)
def site_demand_path(
    p: int, on_hand: I64, demand_pool: I64, pool_site: I64, demand_site: I64
) -> None:
    """``demand_site[p, s]``: the demand on site ``s``'s pools with spares on hand, which
    bounds what its technicians can be asked to do today (for :func:`grant_swaps`).

    Summed per pool, not per cohort: every pool belongs to one site and serves only
    that site's cohorts (pools are keyed by site; the engine checks it). Summed per
    cohort inside the failures loop, the same bound cost 4–5 % of the whole-US step.
    A run of pools of one site is summed in a register and stored once: adding into
    ``demand_site`` pool by pool chained every addition through memory.
    """
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
def _fail(
    p: int, c: int, base: np.uint64, n_run: int, dead: int, swapping: int,
    waiting: I64, dead_stop: I64, clock: F64,
    board_count: int, stop_rate: F64, board_rate: F64, cohort_pool: I64,
    scrap_share: F64, in_house_given_rest: F64,
    routed: I64, failures: I64, scrapped: I64,
) -> tuple[int, int, int]:  # fmt: skip
    """One cohort's failures on one path for the day (see :func:`cohort_path`), from
    ``n_run`` machines running with ``dead`` dead boards and ``swapping`` board slots
    empty while their boards are swapped; returns (parts failed, machines running,
    dead boards in them).

    Candidates arrive at the day's starting intensity ``total0`` (an upper bound: the
    intensity only falls during the day); each is a failure with probability
    intensity now / ``total0``, which thins them to the exact process. A candidate's
    arrival and its uniform pick do not depend on the state, only the accept test and
    the part do: the loop carries no division and little else.
    """
    threshold = clock[p, c]
    rate0, rate1, rate2 = stop_rate[c, 0], stop_rate[c, 1], stop_rate[c, 2]
    r_board = board_rate[c]
    r0 = n_run * rate0
    r1 = r0 + n_run * rate1
    r_stop = r1 + n_run * rate2
    total = r_stop + max(board_count * n_run - dead - swapping, 0) * r_board
    total0 = total
    if threshold >= total0:  # no candidate today (also when nothing can fail)
        clock[p, c] = threshold - total0
        return 0, n_run, dead
    failed = 0
    at = threshold  # where the current candidate falls on the day's intensity clock
    k = 0
    j = _BOARD_DRAWS
    while True:
        pick = uniform(base, 2 * k) * total0
        if pick < total:
            # Branch-free: which interval the pick falls in says the part (0–2 stop
            # parts, 3 a board); where it falls inside says the route.
            slot = int(pick >= r0) + int(pick >= r1) + int(pick >= r_stop)
            low = (slot == 1) * r0 + (slot == 2) * r1 + (slot == 3) * r_stop
            high = (slot == 0) * r0 + (slot == 1) * r1 + (slot == 2) * r_stop
            high += (slot == 3) * total
            part = (slot + 1) % N_PARTS
            stops = int(slot < 3)
            if stops and dead:
                moved, j = _dead_boards_taken(base, j, 1, board_count, board_count * n_run, dead)
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
            failed += 1
            cut_scrap = low + scrap_share[part] * (high - low)
            cut_in_house = cut_scrap + in_house_given_rest[part] * (high - cut_scrap)
            route = int(pick >= cut_scrap) + int(pick >= cut_in_house)
            # Branch-free: a scrapped part adds 0 to the in-house count.
            routed[max(route - 1, 0), p, cohort_pool[c, part]] += int(route > 0)
            scrapped[p, part] += int(route == 0)
        at += exponential(base, 2 * k + 1, _EXP_RETRIES + 64 * k)
        k += 1
        if at >= total0:
            break
    clock[p, c] = at - total0
    return failed, n_run, dead


@nb.njit(cache=True)
def init_clock(key: np.uint64, clock: F64) -> None:
    """Fill ``clock`` [P, C] with independent Exp(1) thresholds (serial: see the
    driver's kernels below)."""
    paths, cohorts = clock.shape
    for p in range(paths):
        for c in range(cohorts):
            clock[p, c] = -math.log(uniform(stream(key, p, c), 0))


@compiled(inline=True)
def _demand(waiting: I64, dead_run: I64, p: int, job: int) -> int:
    c, part = job // N_PARTS, job % N_PARTS
    return int(dead_run[p, c]) if part == 0 else int(waiting[p, c, part - 1])


@compiled(inline=True)
def grant_swaps(
    p: int, waiting: I64, dead_run: I64, on_hand: I64, demand_pool: I64, demand_site: I64,
    pool_ptr: I64, pool_jobs: I64, site_ptr: I64, site_jobs: I64, job_pool: I64,
    job_site: I64, site_capacity: I64, granted: I64, pool_state: I8,
) -> bool:  # fmt: skip
    """Decide the greedy swaps on path ``p`` (:func:`apply_swaps` does them).

    Swaps take each pool's spares, then each site's technician-days, in job order:
    ``pool_jobs[pool_ptr[j]:pool_ptr[j+1]]`` lists pool ``j``'s jobs in priority order
    (stopped machines before dead boards, then cohort order); likewise per site. A job
    gets ``min(demand, what its group has left)``. Where a group's capacity covers its
    demand every job gets its demand, so the ordered passes run only for groups that
    may be short. ``demand_pool`` [P, J] and ``demand_site`` [P, S] are upper bounds of
    the demand before the swaps (from :func:`pool_demand_path` and :func:`site_demand_path`);
    ``demand_site`` is scratch.

    On return ``pool_state[p, j]`` says what pool ``j``'s jobs get: their demand
    (``FULL``), nothing (``EMPTY``) or ``granted[p, job]`` (``ORDERED``). Returns true
    when some site may be short; then ``granted[p, job]`` holds every job's grant.
    """
    n_pools = pool_ptr.shape[0] - 1
    n_sites = site_ptr.shape[0] - 1
    state = pool_state[p]
    state[:] = FULL
    for j in range(n_pools):
        if demand_pool[p, j] <= on_hand[p, j]:
            continue
        if on_hand[p, j] <= 0:
            state[j] = EMPTY
            continue
        state[j] = ORDERED
        left = on_hand[p, j]
        for idx in range(pool_ptr[j], pool_ptr[j + 1]):
            job = pool_jobs[idx]
            want = _demand(waiting, dead_run, p, job)
            give = min(want, max(left, 0))
            granted[p, job] = give
            left -= give
            demand_site[p, job_site[job]] -= want - give  # still a bound
    # Sites: the exact demand after the pools' grants matters only where the bound
    # exceeds the technician-days; then ``granted`` holds every job's grant.
    all_granted = False
    for s in range(n_sites):
        if demand_site[p, s] > site_capacity[s]:
            all_granted = True
    if all_granted:
        _limit_by_site(p, waiting, dead_run, state, site_ptr, site_jobs, job_pool,
                       job_site, site_capacity, granted, demand_site[p])  # fmt: skip
    return all_granted


@compiled(inline=True)
def apply_swaps(
    p: int, day: int, horizon: int, all_granted: bool, waiting: I64, dead_run: I64,
    on_hand: I64, demand_pool: I64, job_pool: I64, swap_days: I64, granted: I64,
    pool_state: I8, ms_ring: I32, ms_transit: I64, bs_ring: I32, bs_transit: I64,
    swaps_done: I64, swaps_daily: I32,
) -> None:  # fmt: skip
    """Do the swaps :func:`grant_swaps` decided: spares leave the shelf, the machines
    (or boards) go away for ``swap_days[part]`` days. ``demand_pool`` [P, J] is left
    holding each pool's unmet demand."""
    state = pool_state[p]
    demand_pool[p, :] = 0
    ms_today, bs_today = day % ms_ring.shape[1], day % bs_ring.shape[1]
    for c in range(dead_run.shape[1]):
        if dead_run[p, c] + waiting[p, c, 0] + waiting[p, c, 1] + waiting[p, c, 2] == 0:
            continue  # nothing waits: on a large fleet, most cohorts on most days
        for part in range(N_PARTS):
            job = c * N_PARTS + part
            d = _demand(waiting, dead_run, p, job)
            if d <= 0:
                continue
            rule = state[job_pool[job]]
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
            arrive = _arrival(day, swap_days[part])
            if part == 0:
                dead_run[p, c] -= done
                bs_transit[p, c] += done
                if arrive < horizon:
                    bs_ring[p, _row(bs_today, arrive - day, bs_ring.shape[1]), c] += done
            else:
                waiting[p, c, part - 1] -= done
                ms_transit[p, c] += done
                if arrive < horizon:
                    ms_ring[p, _row(ms_today, arrive - day, ms_ring.shape[1]), c] += done
            swaps_done[p, part] += done
            swaps_daily[p, day, part] += done


@compiled(inline=True)
def cohort_figures(
    p: int, day: int, installed: I64, running: I64, waiting: I64, dead_run: I64,
    ms_transit: I64, bs_transit: I64, on: B1, boards: I64,
    ths_per_board: F64, ths_per_machine: F64, power_w: F64, mwh_cost: F64,
    hashrate: F64, nameplate: F64, machines_installed: I64, power_mw: F64, power_cost: F64,
    machines_down: I32,
) -> None:  # fmt: skip
    """Path ``p``'s fleet figures for ``day`` into column ``day`` of the [P, T] series;
    ``machines_down[p, day]`` gets the machines waiting for a part (0) and those away
    for a swap (1). ``ths_per_board`` [T, C] is what a working board delivers that day
    (degradation and downtime included, :mod:`hashshock.plan.realisation`);
    ``power_w`` [C] what a running machine draws on average; ``mwh_cost`` [C], or [0]
    when power is not priced (then ``power_cost`` is left as it is)."""
    priced = mwh_cost.shape[0] > 0
    ths = 0.0
    plate = 0.0
    watts = 0.0
    cost = 0.0
    count = 0
    waits = 0
    swapping = 0
    for c in range(installed.shape[1]):
        plate += installed[p, c] * ths_per_machine[c]
        count += installed[p, c]
        swapping += ms_transit[p, c]
        waits += waiting[p, c, 0] + waiting[p, c, 1] + waiting[p, c, 2]
        if on[p, c]:
            up = boards[c] * running[p, c] - dead_run[p, c] - bs_transit[p, c]
            ths += max(up, 0) * ths_per_board[day, c]
            watts += running[p, c] * power_w[c]
            if priced:
                cost += running[p, c] * mwh_cost[c]
    hashrate[p, day] = ths
    nameplate[p, day] = plate
    machines_installed[p, day] = count
    power_mw[p, day] = watts / 1e6
    if priced:  # else the series stays zero, and its memory untouched
        power_cost[p, day] = cost
    machines_down[p, day, 0] = waits
    machines_down[p, day, 1] = swapping


@compiled()
def _limit_by_site(
    p: int, waiting: I64, dead_run: I64, state: I8, site_ptr: I64, site_jobs: I64,
    job_pool: I64, job_site: I64, site_capacity: I64, granted: I64, site_demand: I64,
) -> None:  # fmt: skip
    """Cap one path's grants by each short site's technician-days, in job order.

    On return ``granted[p, job]`` is the grant of every job with demand;
    ``site_demand`` [S] is scratch.
    """
    n_sites = site_ptr.shape[0] - 1
    site_demand[:] = 0
    for job in range(granted.shape[1]):
        d = _demand(waiting, dead_run, p, job)
        if d:
            rule = state[job_pool[job]]
            if rule != ORDERED:
                granted[p, job] = d if rule == FULL else 0
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


@compiled(inline=True)
def reorder_path(
    p: int, target: I64, on_hand: I64, in_repair: I64, in_house_backlog: I64, on_order: I64,
    order_backlog: I64, demand_pool: I64, pool_part: I64, order: I64, ordered: I64,
) -> int:  # fmt: skip
    """Order each pool up to its base-stock level: target − inventory position, if
    positive. Returns the parts ordered in all."""
    total = 0
    for j in range(on_hand.shape[1]):
        position = (
            on_hand[p, j] + in_repair[p, j] + in_house_backlog[p, j] + on_order[p, j]
            + order_backlog[p, j] - demand_pool[p, j]
        )  # fmt: skip
        short = max(target[j] - position, 0)
        order[p, j] = short
        ordered[p, pool_part[j]] += short
        total += short
    return total


@compiled(inline=True)
def pool_record_path(
    p: int, day: int, on_hand: I64, demand_pool: I64, in_repair: I64, in_house_backlog: I64,
    vendor_backlog: I64, on_order: I64, order_backlog: I64, pool_part: I64,
    spares: I32, backorders: I32, repairing: I32, ordering: I32, first_stockout: I64,
) -> int:  # fmt: skip
    """Pool figures summed per part into ``[p, day]`` of the [P, T, 4] series; the first
    day a part's pool is out while needed.

    Parts in repair are those in the pipeline and both backlogs; parts on order those
    in the pipeline and the order backlog. Returns the unmet demand if all of it waits
    at empty pools, else −1 (a pool with spares has demand left: swaps may follow).
    """
    unmet = 0
    at_spares = 0
    for j in range(on_hand.shape[1]):
        k = pool_part[j]
        spares[p, day, k] += on_hand[p, j]
        backorders[p, day, k] += demand_pool[p, j]
        repairing[p, day, k] += in_repair[p, j] + in_house_backlog[p, j] + vendor_backlog[p, j]
        ordering[p, day, k] += on_order[p, j] + order_backlog[p, j]
        unmet += demand_pool[p, j]
        at_spares |= demand_pool[p, j] * on_hand[p, j]
        if on_hand[p, j] == 0 and demand_pool[p, j] > 0 and first_stockout[p, k] < 0:
            first_stockout[p, k] = day
    return -1 if at_spares else unmet


@compiled(inline=True)
def pop_path(ring: I32, in_transit: I64, day: int, p: int, target: I64) -> bool:
    """Move what arrives on ``day`` from path ``p``'s ring row onto ``target[p]``;
    returns whether anything arrived."""
    slot = day % ring.shape[1]
    any_arrived = 0
    for w in range(in_transit.shape[1]):
        arrived = ring[p, slot, w]
        any_arrived |= arrived
        if arrived:
            ring[p, slot, w] = 0
            in_transit[p, w] -= arrived
            target[p, w] += arrived
    return any_arrived != 0


@compiled(inline=True)
def add_lot(
    ring: I32, in_transit: I64, day: int, horizon: int, p: int, w: int, q: int, delay: int
) -> None:
    """Lot ``q`` of column ``w`` arrives after ``delay`` days (past the horizon: never)."""
    in_transit[p, w] += q
    arrive = _arrival(day, delay)
    if arrive < horizon:
        ring[p, arrive % ring.shape[1], w] += q


@compiled(inline=True)
def add_lots_path(
    ring: I32, in_transit: I64, day: int, horizon: int, p: int, quantity: I64, delay: I64
) -> None:
    """Lot ``quantity[p, w]`` arrives after ``delay[p, w]`` days (past the horizon: never)."""
    for w in range(quantity.shape[1]):
        if quantity[p, w]:
            add_lot(ring, in_transit, day, horizon, p, w, quantity[p, w], delay[p, w])


@compiled(inline=True)
def add_items(
    ring: I32, in_transit: I64, day: int, horizon: int, key: np.uint64, p: int, w: int,
    q: int, base_delay: int, values: I64, cdf: F64, n_values: int, per_part: I32, part: int,
) -> None:  # fmt: skip
    """Each of ``q`` units of column ``w`` arrives after ``base_delay`` plus its own draw
    from the delay table ``values``/``cdf`` (one uniform per unit, so any delay
    distribution is exact). ``per_part[p, day, part]`` counts the units."""
    in_transit[p, w] += q
    per_part[p, day, part] += q
    if n_values == 1:
        arrive = _arrival(day, base_delay + values[0])
        if arrive < horizon:
            ring[p, arrive % ring.shape[1], w] += q
        return
    base = stream(key, p, w)  # only for the few cells that draw
    today = day % ring.shape[1]
    for i in range(q):
        delay = table_sample(values, cdf, n_values, uniform(base, i))
        arrive = _arrival(day, base_delay + delay)
        if arrive < horizon:
            ring[p, _row(today, arrive - day, ring.shape[1]), w] += 1


@compiled(inline=True)
def lot_delay(key: np.uint64, p: int, w: int, values: I64, cdf: F64, n_values: int) -> int:
    """The delay of column ``w``'s lot on path ``p``: one draw from its delay table."""
    return table_sample(values, cdf, n_values, uniform(stream(key, p, w), 0))


@compiled(inline=True)
def customs_cell(
    path_base: np.uint64, p: int, w: int, day: int, hits: B1, occurs: B1, start: I64,
    end: I64, probability: F64, values: I64, cdf: F64, length: I64,
) -> tuple[bool, int]:  # fmt: skip
    """Customs decision on column ``w``'s lot of path ``p`` reaching the border on ``day``
    (``path_base`` from :func:`path_stream`): (held, extra days).

    Event ``e`` (row of ``hits`` [E, W], ``occurs``/``start``/``end`` [E, P]) can hold
    the lot if it may hold column ``w`` and is active on ``day``; it then holds it
    with ``probability[e]`` for a draw from its row of the delay tables. A lot held by
    several events waits for the longest.
    """
    base = cell_stream(path_base, w)
    held = False
    extra = 0
    for e in range(hits.shape[0]):
        if not (hits[e, w] and occurs[e, p] and start[e, p] <= day < end[e, p]):
            continue
        if uniform(base, 2 * e) <= probability[e]:
            held = True
            days = table_sample(values[e], cdf[e], length[e], uniform(base, 2 * e + 1))
            extra = max(extra, days)
    return held, extra


@compiled(inline=True)
def customs_path(
    key: np.uint64, p: int, border_day: I64, lots: I64, hits: B1,
    occurs: B1, start: I64, end: I64, probability: F64,
    values: I64, cdf: F64, length: I64, held: B1, extra: I64,
) -> None:  # fmt: skip
    """:func:`customs_cell` for each of path ``p``'s lots [P, W] that exist (``lots > 0``)."""
    path_base = path_stream(key, p)
    for w in range(border_day.shape[1]):
        held[p, w] = False
        extra[p, w] = 0
        if lots[p, w] > 0:
            held[p, w], extra[p, w] = customs_cell(
                path_base, p, w, border_day[p, w], hits, occurs, start, end, probability,
                values, cdf, length,
            )  # fmt: skip


# --- kernels over all paths, for the driver's rare steps ---------------------------
# Serial on purpose: numba's parallel loops run on an OpenMP pool whose threads spin
# for milliseconds after each loop, taking a core from the engine's own threads as
# the next span starts (a 1,000-path run of the reference fleet: 25–31 ms with them,
# 23 ms without). The work here is a pass over [paths, width], small beside a span.


@nb.njit(cache=True)
def pop_into(ring: I32, in_transit: I64, day: int, target: I64) -> None:
    """Move what arrives on ``day`` from the ring [P, L, W] onto ``target`` [P, W]."""
    for p in range(in_transit.shape[0]):
        pop_path(ring, in_transit, day, p, target)


@nb.njit(cache=True)
def add_lots(ring: I32, in_transit: I64, day: int, horizon: int, quantity: I64, delay: I64) -> None:
    """Lot ``quantity[p, w]`` arrives after ``delay[p, w]`` days (past the horizon: never)."""
    for p in range(quantity.shape[0]):
        add_lots_path(ring, in_transit, day, horizon, p, quantity, delay)


@nb.njit(cache=True)
def customs_holds(
    key: np.uint64, border_day: I64, lots: I64, hits: B1,
    occurs: B1, start: I64, end: I64, probability: F64,
    values: I64, cdf: F64, length: I64, held: B1, extra: I64,
) -> None:  # fmt: skip
    """:func:`customs_path` on every path."""
    for p in range(border_day.shape[0]):
        customs_path(
            key, p, border_day, lots, hits, occurs, start, end, probability, values, cdf,
            length, held, extra,
        )  # fmt: skip
