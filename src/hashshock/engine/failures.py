"""Failures: the day's switch-off rule, swap returns, and the competing-risk failure
process of every cohort on one path, each broken part routed at once.

Failures are the per-machine competing-risk process with hazard constant over the
day (``docs/model.md``, *Failures*), sampled exactly per cohort by thinning; a stop
part that fails takes the machine's dead boards with it (hypergeometric draws), and
the part goes to scrap, in-house or vendor repair (``scratch.routed``, which
:mod:`hashshock.engine.repairs` starts). Random numbers come from per-cell
counter-based streams (:mod:`hashshock.engine.kernel_random`), so results do not
depend on the number of threads.
"""

from __future__ import annotations

import math

import numpy as np

from hashshock.engine.arrays import N_PARTS, Cohorts, Fleet, Keys, Record, Scratch, State
from hashshock.engine.jit import F64, compiled
from hashshock.engine.kernel_random import cell_stream, exponential, path_stream, stream, uniform

# Where in a cohort's daily stream (2**44 draws) the draws of each kind start: failure
# candidates take 0, 1, 2, … (a pick and a gap each), the ziggurat's rare extra draws
# 64 a candidate from _EXP_RETRIES; dead boards moved by failures and returns their own.
_EXP_RETRIES = 1 << 41
_BOARD_DRAWS = 1 << 42
_RETURN_DRAWS = 1 << 43


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
def _switch(p: int, day: int, fleet: Fleet, counts: Cohorts) -> None:
    """Machines run unless the hashprice is below their break-even or their site's
    curtailment threshold."""
    on = counts.on
    price = fleet.hashprice[p, day]
    for c in range(on.shape[1]):
        allowed = True
        if fleet.breakeven.shape[0] > 0:
            allowed = price >= fleet.breakeven[c]
        if fleet.curtail_below.shape[0] > 0:
            threshold = fleet.curtail_below[fleet.cohort_site[c]]
            if not math.isnan(threshold) and price < threshold:
                allowed = False
        on[p, c] = allowed


@compiled(inline=True)
def cohort_failures(
    p: int, day: int, fleet: Fleet, state: State, scratch: Scratch, record: Record, keys: Keys
) -> int:
    """Switch-off rule, swap returns, then failures, of every cohort on path ``p``, for
    ``day``.

    Failures are the per-machine competing-risk process with hazard constant over
    the day: stop part ``k`` of a running machine at ``fleet.stop_rate[day, c, k]`` per
    day (all its slots together), each working hashboard at ``fleet.board_rate[day,
    c]``. The superposed process is sampled exactly (``docs/model.md``, *Failures*):
    candidates arrive where the cohort's cumulative intensity at the day's starting
    level crosses Exp(1) thresholds and are thinned to the current intensity
    (:func:`_fail`); the threshold left over at the end of the day carries to the next
    (``clock``), so a cohort-day without failures costs a subtraction, and a cohort
    with no machines yet (its order not delivered) a load. Each broken part is routed
    at once to scrap, in-house or vendor repair: ``scratch.routed`` [2, P, J] counts
    those going to repair, in-house and vendor (zeroed by whoever starts the repairs,
    so a day without failures need not touch it).

    Returns the machines and boards waiting for a spare, or −1 if some part failed
    (:func:`~hashshock.engine.swaps.pool_demand` says at which pools they wait).
    """
    counts = state.cohorts
    if fleet.hashprice.shape[1] > 0:
        _switch(p, day, fleet, counts)
    installed, running, waiting = counts.installed, counts.running, counts.waiting
    dead_run, dead_stop, on = counts.dead_run, counts.dead_stop, counts.on
    ms_ring, ms_transit = state.machine_swaps.by_day, state.machine_swaps.in_transit
    bs_ring, bs_transit = state.board_swaps.by_day, state.board_swaps.in_transit
    boards = fleet.boards
    cohorts = running.shape[1]
    ms_slot = day % ms_ring.shape[1]
    bs_slot = day % bs_ring.shape[1]
    path_base = path_stream(keys.cohorts[day], p + keys.first_path)
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
                p, c, day, base, n_run, dead, swapping, board_count, fleet, counts, scratch,
                record,
            )  # fmt: skip
            failed += n_failed
        running[p, c] = n_run
        dead_run[p, c] = dead
        wanted += dead + waiting[p, c, 0] + waiting[p, c, 1] + waiting[p, c, 2]
    return -1 if failed else wanted


@compiled(inline=True)
def _fail(
    p: int, c: int, day: int, base: np.uint64, n_run: int, dead: int, swapping: int,
    board_count: int, fleet: Fleet, counts: Cohorts, scratch: Scratch, record: Record,
) -> tuple[int, int, int]:  # fmt: skip
    """One cohort's failures on one path for the day (see :func:`cohort_failures`), from
    ``n_run`` machines running with ``dead`` dead boards and ``swapping`` board slots
    empty while their boards are swapped; returns (parts failed, machines running,
    dead boards in them).

    Candidates arrive at the day's starting intensity ``total0`` (an upper bound: the
    intensity only falls during the day); each is a failure with probability
    intensity now / ``total0``, which thins them to the exact process. A candidate's
    arrival and its uniform pick do not depend on the state, only the accept test and
    the part do: the loop carries no division and little else.
    """
    waiting, dead_stop, clock = counts.waiting, counts.dead_stop, counts.clock
    cohort_pool, scrap_share = fleet.cohort_pool, fleet.scrap_share
    in_house_given_rest = fleet.in_house_given_rest
    routed, failures, scrapped = scratch.routed, record.failures, record.scrapped
    threshold = clock[p, c]
    stop_rate = fleet.stop_rate
    rate0, rate1, rate2 = stop_rate[day, c, 0], stop_rate[day, c, 1], stop_rate[day, c, 2]
    r_board = fleet.board_rate[day, c]
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


@compiled()
def init_clock(key: np.uint64, clock: F64, first_path: int) -> None:
    """Fill ``clock`` [P, C] with independent Exp(1) thresholds, row p from the streams of
    the run's path ``first_path + p`` (serial: see :mod:`hashshock.engine.rings`)."""
    paths, cohorts = clock.shape
    for p in range(paths):
        for c in range(cohorts):
            clock[p, c] = -math.log(uniform(stream(key, p + first_path, c), 0))
