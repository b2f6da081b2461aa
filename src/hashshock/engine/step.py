"""The daily step as compiled phases on one path, and the kernels that run them.

A day on one path is five phases, in this order (``docs/model.md`` states the rules):

1. :func:`arrivals` — repaired and ordered parts reach the shelf, ordered machines
   are delivered;
2. :func:`failures` — machines are switched on or off (the hashprice rule, if
   any), swap returns come back, parts fail and are routed (scrap, in-house,
   vendor);
3. :func:`route_and_swap` — broken parts start their repairs (held back by a
   stopped parts supply or a closed repair centre, or at customs), then spares and
   technicians are allocated and the day's cohort figures recorded;
4. :func:`reorder` — each pool orders up to its base-stock level;
5. :func:`ship_and_record` — the vendor ships (or holds back) the orders, lots may
   be held at customs, and the day's pool figures are recorded.

:func:`run_days` runs a block of paths through a span of days, path by path, so a
path's state stays in the core's cache for the whole span and there is one kernel
call per span, not one per step and day; blocks of paths run on threads (the
kernels release the GIL). :func:`run_phase` runs one phase of one day on a block of
paths, for days when the driver must act between phases
(policies priced in money, remote disabling: :mod:`hashshock.engine.core`). Both call
the same phase functions with the same random streams, so the two give the same
numbers bit for bit.

The arrays travel in five named tuples: :class:`Fleet` (fixed for the run),
:class:`Rules` (scenario events realised per path), :class:`State`,
:class:`Scratch` and :class:`Record` (what the run reports), plus :class:`Keys`
(one random key per concern and day).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from hashshock.engine.jit import B1, F64, I8, I32, I64, U64, compiled
from hashshock.engine.kernel_random import DelayTables, path_stream
from hashshock.engine.kernels import (
    add_items,
    add_lot,
    apply_swaps,
    cohort_figures,
    cohort_path,
    customs_cell,
    grant_swaps,
    lot_delay,
    pool_demand_path,
    pool_record_path,
    pop_path,
    reorder_path,
    site_demand_path,
)

# Phases for :func:`run_phase`.
ARRIVALS, FAILURES, ROUTE_AND_SWAP, REORDER, SUPPLY_STOP, SHIP_AND_RECORD = range(6)
# Rows of ``Scratch.amounts``: the pool rules' amounts today.
STOP, CLOSED, TURNAROUND, LEAD = range(4)


class PoolRule(NamedTuple):
    """Events acting on pools: row ``r`` is event ``event[r]``; while it is active on a
    path, pool ``j`` gets ``amount[r, j]`` (1 for a stop, extra days for a delay)."""

    event: I64  # [R]
    amount: I64  # [R, J]


class Holds(NamedTuple):
    """Customs-hold events that may hold one kind of shipment (rows: events)."""

    hits: B1  # [E, W] event may hold column w's lots
    occurs: B1  # [E, P]
    start: I64  # [E, P]
    end: I64  # [E, P] exclusive
    probability: F64  # [E]
    days: DelayTables  # [E, ·] hold lengths


class Rules(NamedTuple):
    """Scenario events on every path: ``occurs``/``start``/``end`` [E, P] and the rules."""

    occurs: B1
    start: I64
    end: I64
    supply_stop: PoolRule  # vendor stops shipping the pool's parts
    centre_closed: PoolRule  # vendor repair centre takes nothing
    turnaround: PoolRule  # extra vendor repair days
    lead: PoolRule  # extra lead days of spares
    repair_holds: Holds  # return leg of vendor repairs
    parts_holds: Holds  # spares shipped


class Fleet(NamedTuple):
    """Everything fixed for the run: cohorts [C], pools [J], sites [S], orders [O]."""

    horizon: int
    boards: I64
    stop_rate: F64  # [T, C, 3] daily failure intensity per machine, per stop part
    board_rate: F64  # [T, C] per working board
    cohort_pool: I64  # [C, 4]
    cohort_site: I64
    scrap_share: F64  # [4] per part
    in_house_given_rest: F64  # [4] per part
    pool_ptr: I64
    pool_jobs: I64
    site_ptr: I64
    site_jobs: I64
    job_pool: I64
    job_site: I64
    pool_site: I64  # [J]
    site_capacity: I64  # [S] swaps a day
    swap_days: I64  # [4]
    ths_per_board: F64  # [T, C] mean TH/s a working board delivers (realisation included)
    ths_per_machine: F64  # [C] nameplate
    power_w: F64  # [C] mean draw of a running machine (downtime included)
    mwh_cost: F64  # [C] price of one running machine-day's energy, or [0] when not priced
    hashprice: F64  # [P, T], or [P, 0] when no switch-off rule applies
    breakeven: F64  # [C] or [0]: switch off below this hashprice
    curtail_below: F64  # [S] or [0]: curtail the site below this hashprice (nan: never)
    pool_part: I64
    pool_vendor: I64
    pool_target: I64  # base-stock level
    replenish: bool
    needs_vendor_parts: B1  # [J] in-house repair needs vendor components
    vendor_base: I64  # [J] both transit legs plus clearance if crossing the border
    return_clearance: I64  # [J] clearance of the return leg (0 if not crossing)
    turnaround_days: I64  # [J] vendor turnaround rounded (when a held lot reaches customs)
    crosses_border: B1  # [J]
    pool_transit: I64
    pool_clearance: I64
    pool_unit_cost: F64  # [J, T], or [J, 0] when not priced
    in_house_days: DelayTables  # by part
    vendor_days: DelayTables  # by part
    lead_days: DelayTables  # by vendor
    order_arrival: I64  # [O, P] −1: cancelled
    order_cohort: I64  # [O]
    order_count: I64  # [O]
    order_hold_start: I64  # [O, P]
    order_hold_end: I64  # [O, P]
    order_cancelled: B1  # [O, P]


class State(NamedTuple):
    """Counts per path: cohorts [P, C], pools [P, J], pipelines' rings [P, L, W]."""

    installed: I64
    running: I64
    waiting: I64  # [P, C, 3] stopped, by stop part
    dead_run: I64  # dead boards in running machines
    dead_stop: I64  # dead boards in stopped machines
    clock: F64  # failure thresholds left
    on: B1  # machines allowed to run today
    on_hand: I64
    vendor_backlog: I64
    in_house_backlog: I64
    order_backlog: I64
    repairs_ring: I32
    repairs_transit: I64
    orders_ring: I32
    orders_transit: I64
    machine_swaps_ring: I32
    machine_swaps_transit: I64
    board_swaps_ring: I32
    board_swaps_transit: I64
    disabled: I64  # [n_remote_disable, P, C]


class Scratch(NamedTuple):
    """Per-path working rows, overwritten each day."""

    routed: I64  # [2, P, J] broken parts to repair: in-house, vendor
    demand_pool: I64
    demand_site: I64
    order: I64
    granted: I64  # [P, C·4]
    pool_state: I8
    amounts: I64  # [4, P, J] event amounts by rule: STOP, CLOSED, TURNAROUND, LEAD


class Record(NamedTuple):
    """What the run reports: totals [P, ·] and daily series [P, T] or [P, T, 4]."""

    failures: I64
    scrapped: I64
    swaps_done: I64
    ordered: I64
    first_stockout: I64
    first_customs: I64  # [P]
    held_unit_days: F64  # [P]
    hashrate: F64
    nameplate: F64
    installed: I64
    power: F64
    power_cost: F64
    machines_down: I32
    swaps_daily: I32
    repairs_in_house: I32
    repairs_vendor: I32
    parts_shipped: I32
    spares: I32
    backorders: I32
    in_repair: I32
    on_order: I32
    storage_unit_days: F64
    parts_spend: F64


class Keys(NamedTuple):
    """Random keys by day (:meth:`hashshock.streams.RandomTree.key`)."""

    cohorts: U64  # [T]
    items: U64  # [2T]: in-house, vendor
    customs_repairs: U64  # [T]
    customs_parts: U64  # [T]
    lots: U64  # [T]


@compiled(inline=True)
def _active(rules: Rules, e: int, p: int, day: int) -> bool:
    return bool(rules.occurs[e, p]) and rules.start[e, p] <= day < rules.end[e, p]


@compiled(inline=True)
def pool_amounts(p: int, day: int, rules: Rules, rule: PoolRule, out: I64) -> bool:
    """Whether any of ``rule``'s events is active today on path ``p``; if so, ``out[p, j]``
    gets the Σ of their amounts for pool ``j`` (else ``out[p]`` is left as it was: most
    days no event is active, and the pools need not be visited)."""
    active = False
    for r in range(rule.event.shape[0]):
        if _active(rules, rule.event[r], p, day):
            if not active:
                out[p, :] = 0
                active = True
            for j in range(out.shape[1]):
                out[p, j] += rule.amount[r, j]
    return active


@compiled(inline=True)
def _hold_back(p: int, j: int, blocked: bool, incoming: int, backlog: I64) -> int:
    """What pool ``j`` sends today: nothing while ``blocked`` (``incoming`` joins the
    ``backlog``), else the backlog with today's ``incoming``."""
    if blocked:
        backlog[p, j] += incoming
        return 0
    send: int = incoming + backlog[p, j]
    backlog[p, j] = 0
    return send


@compiled(inline=True)
def arrivals(p: int, day: int, fleet: Fleet, state: State) -> bool:
    """Parts back from repair and spares delivered reach the shelf; ordered machines
    arrive. Returns whether any part reached a shelf."""
    repaired = pop_path(state.repairs_ring, state.repairs_transit, day, p, state.on_hand)
    delivered = pop_path(state.orders_ring, state.orders_transit, day, p, state.on_hand)
    for o in range(fleet.order_cohort.shape[0]):
        if fleet.order_arrival[o, p] == day:
            c = fleet.order_cohort[o]
            state.installed[p, c] += fleet.order_count[o]
            state.running[p, c] += fleet.order_count[o]
    return repaired or delivered


@compiled(inline=True)
def _switch(p: int, day: int, fleet: Fleet, on: B1) -> None:
    """Machines run unless the hashprice is below their break-even or their site's
    curtailment threshold."""
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
    """Switch-off rule, swap returns, failures and their routes (:func:`cohort_path`);
    returns the machines and boards waiting for a spare, or −1 if some part failed."""
    if fleet.hashprice.shape[1] > 0:
        _switch(p, day, fleet, state.on)
    return cohort_path(
        p, day, keys.cohorts[day], state.installed, state.running, state.waiting, state.dead_run,
        state.dead_stop, state.clock, state.on, fleet.boards, fleet.stop_rate[day],
        fleet.board_rate[day], fleet.cohort_pool, fleet.scrap_share,
        fleet.in_house_given_rest, state.machine_swaps_ring, state.machine_swaps_transit,
        state.board_swaps_ring, state.board_swaps_transit, scratch.routed, record.failures,
        record.scrapped,
    )  # fmt: skip


@compiled(inline=True)
def pool_demand(p: int, fleet: Fleet, state: State, scratch: Scratch) -> None:
    """Each pool's demand (``scratch.demand_pool``) after the day's failures."""
    pool_demand_path(p, state.waiting, state.dead_run, fleet.cohort_pool, scratch.demand_pool)


@compiled(inline=True)
def failures(
    p: int, day: int, fleet: Fleet, state: State, scratch: Scratch, record: Record, keys: Keys
) -> None:
    """:func:`cohort_failures`, then each pool's demand."""
    cohort_failures(p, day, fleet, state, scratch, record, keys)
    pool_demand(p, fleet, state, scratch)


@compiled(inline=True)
def _customs(
    p: int, j: int, path_base: np.uint64, border_day: int, holds: Holds
) -> tuple[bool, int]:
    """Customs decision on pool ``j``'s lot reaching the border on ``border_day``:
    (held, extra days) (:func:`customs_cell`)."""
    return customs_cell(
        path_base, p, j, border_day, holds.hits, holds.occurs, holds.start, holds.end,
        holds.probability, holds.days.values, holds.days.cdf, holds.days.length,
    )  # fmt: skip


@compiled(inline=True)
def _book_hold(p: int, border: int, extra: int, units: int, horizon: int, record: Record) -> None:
    """Book a lot of ``units`` held at the border from day ``border`` for ``extra`` days:
    the days it is held inside the horizon count as storage (``storage_unit_days`` holds
    the day-to-day changes until :func:`hashshock.engine.core` sums them), and the hold
    is the customs stage's first day if it is the earliest. A hold that starts after the
    horizon books nothing."""
    if border >= horizon:
        return
    if record.first_customs[p] < 0 or border < record.first_customs[p]:
        record.first_customs[p] = border
    end = min(border + extra, horizon)
    record.held_unit_days[p] += units * (end - border)
    record.storage_unit_days[p, border] += units
    if end < horizon:
        record.storage_unit_days[p, end] -= units


@compiled(inline=True)
def start_repairs(
    p: int, day: int, fleet: Fleet, rules: Rules, state: State, scratch: Scratch,
    record: Record, keys: Keys,
) -> None:  # fmt: skip
    """Today's broken parts (``scratch.routed``) and the backlogs start their repairs.

    One pass over the pools: a pool with nothing broken and nothing held back is
    skipped at the cost of four loads (on a small fleet most pools, most days).
    """
    routed, holds, amounts = scratch.routed, rules.repair_holds, scratch.amounts
    stop = pool_amounts(p, day, rules, rules.supply_stop, amounts[STOP])
    closing = pool_amounts(p, day, rules, rules.centre_closed, amounts[CLOSED])
    slow = pool_amounts(p, day, rules, rules.turnaround, amounts[TURNAROUND])
    customs = holds.hits.shape[0] > 0
    customs_base = path_stream(keys.customs_repairs[day], p)
    in_house, vendor = fleet.in_house_days, fleet.vendor_days
    for j in range(fleet.pool_part.shape[0]):
        fresh_in, fresh_out = routed[0, p, j], routed[1, p, j]
        waiting_in, waiting_out = state.in_house_backlog[p, j], state.vendor_backlog[p, j]
        if not (fresh_in or fresh_out or waiting_in or waiting_out):
            continue
        routed[0, p, j] = 0
        routed[1, p, j] = 0
        part = fleet.pool_part[j]
        # In-house repair waits while it needs vendor components the vendor will not ship.
        stopped = stop and fleet.needs_vendor_parts[j] and amounts[STOP, p, j] > 0
        start = _hold_back(p, j, stopped, fresh_in, state.in_house_backlog)
        if start:
            add_items(
                state.repairs_ring, state.repairs_transit, day, fleet.horizon,
                keys.items[2 * day], p, j, start, 0, in_house.values[part], in_house.cdf[part],
                in_house.length[part], record.repairs_in_house, part,
            )  # fmt: skip
        # The vendor repair centre takes nothing while closed; the backlog goes when it reopens.
        closed = closing and amounts[CLOSED, p, j] > 0
        send = _hold_back(p, j, closed, fresh_out, state.vendor_backlog)
        if not send:
            continue
        delay = fleet.vendor_base[j] + (amounts[TURNAROUND, p, j] if slow else 0)
        if customs and fleet.crosses_border[j]:
            # Held lots reach the border after the vendor's turnaround (taken at its mean).
            border = day + delay - fleet.return_clearance[j] + fleet.turnaround_days[j]
            held, extra = _customs(p, j, customs_base, border, holds)
            if held:
                _book_hold(p, border, extra, send, fleet.horizon, record)
                delay += extra
        add_items(
            state.repairs_ring, state.repairs_transit, day, fleet.horizon, keys.items[2 * day + 1],
            p, j, send, delay, vendor.values[part], vendor.cdf[part], vendor.length[part],
            record.repairs_vendor, part,
        )  # fmt: skip


@compiled(inline=True)
def route_and_swap(
    p: int, day: int, fleet: Fleet, rules: Rules, state: State, scratch: Scratch,
    record: Record, keys: Keys,
) -> None:  # fmt: skip
    """Broken parts start their repairs; then the swaps and the cohort figures."""
    start_repairs(p, day, fleet, rules, state, scratch, record, keys)
    site_demand_path(p, state.on_hand, scratch.demand_pool, fleet.pool_site, scratch.demand_site)
    all_granted = grant_swaps(
        p, state.waiting, state.dead_run, state.on_hand, scratch.demand_pool,
        scratch.demand_site, fleet.pool_ptr, fleet.pool_jobs, fleet.site_ptr, fleet.site_jobs,
        fleet.job_pool, fleet.job_site, fleet.site_capacity, scratch.granted, scratch.pool_state,
    )  # fmt: skip
    apply_swaps(
        p, day, fleet.horizon, all_granted, state.waiting, state.dead_run, state.on_hand,
        scratch.demand_pool, fleet.job_pool, fleet.swap_days, scratch.granted,
        scratch.pool_state, state.machine_swaps_ring, state.machine_swaps_transit,
        state.board_swaps_ring, state.board_swaps_transit, record.swaps_done,
        record.swaps_daily,
    )  # fmt: skip
    fleet_figures(p, day, fleet, state, record)


@compiled(inline=True)
def fleet_figures(p: int, day: int, fleet: Fleet, state: State, record: Record) -> None:
    """The day's cohort figures (:func:`cohort_figures`)."""
    cohort_figures(
        p, day, state.installed, state.running, state.waiting, state.dead_run,
        state.machine_swaps_transit, state.board_swaps_transit, state.on, fleet.boards,
        fleet.ths_per_board, fleet.ths_per_machine, fleet.power_w, fleet.mwh_cost,
        record.hashrate, record.nameplate, record.installed, record.power, record.power_cost,
        record.machines_down,
    )  # fmt: skip


@compiled(inline=True)
def reorder(p: int, fleet: Fleet, state: State, scratch: Scratch, record: Record) -> int:
    """Each pool's order today (none when the fleet does not replenish); returns the
    parts ordered in all."""
    if not fleet.replenish:
        scratch.order[p, :] = 0
        return 0
    return reorder_path(
        p, fleet.pool_target, state.on_hand, state.repairs_transit, state.in_house_backlog,
        state.orders_transit, state.order_backlog, scratch.demand_pool, fleet.pool_part,
        scratch.order, record.ordered,
    )  # fmt: skip


@compiled(inline=True)
def ship_and_record(
    p: int, day: int, fleet: Fleet, rules: Rules, state: State, scratch: Scratch,
    record: Record, keys: Keys,
) -> int:  # fmt: skip
    """The vendor ships the orders (held back while its parts supply is stopped); each
    lot draws its lead time and may be held at customs. Then the pool figures; returns
    the unmet demand if all of it waits at empty pools, else −1
    (:func:`pool_record_path`).

    One pass over the pools, skipping those with no order and no backlog.
    """
    holds, lead, amounts = rules.parts_holds, fleet.lead_days, scratch.amounts
    stop = pool_amounts(p, day, rules, rules.supply_stop, amounts[STOP])
    late = pool_amounts(p, day, rules, rules.lead, amounts[LEAD])
    customs = holds.hits.shape[0] > 0
    customs_base = path_stream(keys.customs_parts[day], p)
    priced = fleet.pool_unit_cost.shape[1] > 0
    spend = 0.0
    for j in range(fleet.pool_part.shape[0]):
        order = scratch.order[p, j]
        if not (order or state.order_backlog[p, j]):
            continue
        stopped = stop and amounts[STOP, p, j] > 0
        ship = _hold_back(p, j, stopped, order, state.order_backlog)
        if not ship:
            continue
        record.parts_shipped[p, day, fleet.pool_part[j]] += ship
        if priced:
            spend += ship * fleet.pool_unit_cost[j, day]
        v = fleet.pool_vendor[j]
        delay = lot_delay(keys.lots[day], p, j, lead.values[v], lead.cdf[v], lead.length[v])
        extra_lead = amounts[LEAD, p, j] if late else 0
        delay = max(delay + extra_lead, 0) + fleet.pool_transit[j]
        if customs:
            held, extra = _customs(p, j, customs_base, day + delay, holds)
            if held:
                _book_hold(p, day + delay, extra, ship, fleet.horizon, record)
                delay += extra
        delay += fleet.pool_clearance[j]
        add_lot(state.orders_ring, state.orders_transit, day, fleet.horizon, p, j, ship, delay)
    if priced:  # else the series stays zero, and its memory untouched
        record.parts_spend[p, day] = spend
    return pool_figures(p, day, fleet, state, scratch, record)


@compiled(inline=True)
def pool_figures(
    p: int, day: int, fleet: Fleet, state: State, scratch: Scratch, record: Record
) -> int:
    """The day's pool figures and machines away; returns the unmet demand if all of it
    waits at empty pools, else −1 (:func:`pool_record_path`)."""
    settled = pool_record_path(
        p, day, state.on_hand, scratch.demand_pool, state.repairs_transit,
        state.in_house_backlog, state.vendor_backlog, state.orders_transit,
        state.order_backlog, fleet.pool_part, record.spares, record.backorders,
        record.in_repair, record.on_order, record.first_stockout,
    )  # fmt: skip
    machines_away(p, day, fleet, state, record)
    return settled


@compiled(inline=True)
def machines_away(p: int, day: int, fleet: Fleet, state: State, record: Record) -> None:
    """Machines down for the day held at customs (ordered ones) and remote-disabled."""
    at_customs = 0
    for o in range(fleet.order_count.shape[0]):
        if (
            fleet.order_hold_start[o, p] <= day < fleet.order_hold_end[o, p]
            and not fleet.order_cancelled[o, p]
        ):
            at_customs += fleet.order_count[o]
    disabled = 0
    for event in range(state.disabled.shape[0]):  # none without remote-disable events
        for c in range(state.disabled.shape[2]):
            disabled += state.disabled[event, p, c]
    record.machines_down[p, day, 2] = at_customs
    record.machines_down[p, day, 3] = disabled


@compiled(nogil=True)
def run_days(
    paths: tuple[int, int], first: int, last: int, fleet: Fleet, rules: Rules, state: State,
    scratch: Scratch, record: Record, keys: Keys,
) -> None:  # fmt: skip
    """Run days ``first`` to ``last − 1`` on paths ``paths[0]`` to ``paths[1] − 1``,
    path by path (releases the GIL: blocks of paths run on threads). A day on which the
    pools stand still runs :func:`still_pools` after the failures, in place of the
    pool phases."""
    for p in range(paths[0], paths[1]):
        # Unmet demand at the end of yesterday if all of it waits at empty pools, else
        # −1; not known before the span's first day.
        settled = -1
        for day in range(first, last):
            arrived = arrivals(p, day, fleet, state)
            wanted = cohort_failures(p, day, fleet, state, scratch, record, keys)
            if (
                wanted < 0 or wanted != settled or (arrived and wanted > 0)
                or _turning(rules, p, day)
            ):  # fmt: skip
                pool_demand(p, fleet, state, scratch)
                route_and_swap(p, day, fleet, rules, state, scratch, record, keys)
                reorder(p, fleet, state, scratch, record)
                settled = ship_and_record(p, day, fleet, rules, state, scratch, record, keys)
            else:
                still_pools(p, day, arrived, fleet, state, scratch, record)


@compiled(inline=True)
def _turning(rules: Rules, p: int, day: int) -> bool:
    """Whether a scenario event starts or ends on ``day`` on path ``p``."""
    for e in range(rules.occurs.shape[0]):
        if rules.occurs[e, p] and (rules.start[e, p] == day or rules.end[e, p] == day):
            return True
    return False


@compiled(inline=True)
def still_pools(
    p: int, day: int, arrived: bool, fleet: Fleet, state: State, scratch: Scratch,
    record: Record,
) -> None:  # fmt: skip
    """The rest of a day on which the pools stand still, in place of
    :func:`route_and_swap`, :func:`reorder` and :func:`ship_and_record`: no part failed,
    the demand is yesterday's unmet demand, all of it at empty pools, and no scenario
    event starts or ends (a backlog held back yesterday is held back today); if parts
    ``arrived``, nothing waits for a spare. The day before ran on the same path in the
    same call.

    Then no repair starts, no swap is possible and nothing ships: each pool's
    inventory position is where yesterday's order left it, at or above its target (an
    arrival moves parts from the pipeline to the shelf). If nothing arrived the pools'
    figures are yesterday's, else they are summed again. On a small fleet this is
    most days. ``tests/test_step_modes.py`` checks the shortcut against the
    phase-by-phase route, which never takes it.
    """
    fleet_figures(p, day, fleet, state, record)
    if arrived:
        pool_figures(p, day, fleet, state, scratch, record)
        return
    for k in range(record.spares.shape[2]):
        record.spares[p, day, k] = record.spares[p, day - 1, k]
        record.backorders[p, day, k] = record.backorders[p, day - 1, k]
        record.in_repair[p, day, k] = record.in_repair[p, day - 1, k]
        record.on_order[p, day, k] = record.on_order[p, day - 1, k]
    machines_away(p, day, fleet, state, record)


@compiled(nogil=True)
def run_phase(
    paths: tuple[int, int], phase: int, day: int, fleet: Fleet, rules: Rules, state: State,
    scratch: Scratch, record: Record, keys: Keys,
) -> None:  # fmt: skip
    """Run one phase of ``day`` on paths ``paths[0]`` to ``paths[1] − 1`` (``SUPPLY_STOP``
    fills ``scratch.amounts[STOP]``: the pools whose parts supply is stopped are > 0)."""
    for p in range(paths[0], paths[1]):
        if phase == ARRIVALS:
            arrivals(p, day, fleet, state)
        elif phase == FAILURES:
            failures(p, day, fleet, state, scratch, record, keys)
        elif phase == ROUTE_AND_SWAP:
            route_and_swap(p, day, fleet, rules, state, scratch, record, keys)
        elif phase == REORDER:
            reorder(p, fleet, state, scratch, record)
        elif phase == SUPPLY_STOP:
            if not pool_amounts(p, day, rules, rules.supply_stop, scratch.amounts[STOP]):
                scratch.amounts[STOP, p, :] = 0
        else:
            ship_and_record(p, day, fleet, rules, state, scratch, record, keys)
