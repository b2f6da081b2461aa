"""Repairs: broken parts start their repairs, in-house or at the vendor, or wait in a
backlog while a scenario event holds them back.

The failures pass routes each broken part at once (scrap, in-house or vendor repair:
``scratch.routed``, :mod:`hashshock.engine.failures`); here the day's routed parts and
the backlogs start. In-house repair waits while it needs vendor components the
vendor will not ship (a stopped parts supply); the vendor's repair centre takes
nothing while closed; a turnaround change adds days; the return leg may be held at
customs (:mod:`hashshock.engine.customs`). Each part draws its own repair time and
joins ``state.repairs`` (:mod:`hashshock.engine.rings`) — except at a site with a repair
bench, where the in-house repairs queue for its technicians (:mod:`hashshock.engine.bench`).
"""

from __future__ import annotations

from hashshock.engine.arrays import (
    CLOSED,
    STOP,
    TURNAROUND,
    Fleet,
    Keys,
    Record,
    Rules,
    Scratch,
    State,
)
from hashshock.engine.bench import join_bench
from hashshock.engine.customs import book_hold, customs_cell
from hashshock.engine.eventpaths import hold_back, pool_amounts
from hashshock.engine.jit import compiled
from hashshock.engine.kernel_random import path_stream
from hashshock.engine.rings import add_items


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
    pools = state.pools
    stop = pool_amounts(p, day, rules, rules.supply_stop, amounts[STOP])
    closing = pool_amounts(p, day, rules, rules.centre_closed, amounts[CLOSED])
    slow = pool_amounts(p, day, rules, rules.turnaround, amounts[TURNAROUND])
    customs = holds.hits.shape[0] > 0
    customs_base = path_stream(keys.customs_repairs[day], p + keys.first_path)
    benches = fleet.bench.servers.shape[0] > 0
    queued = False
    for j in range(fleet.pool_part.shape[0]):
        fresh_in, fresh_out = routed[0, p, j], routed[1, p, j]
        waiting_in, waiting_out = pools.in_house_backlog[p, j], pools.vendor_backlog[p, j]
        if not (fresh_in or fresh_out or waiting_in or waiting_out):
            continue
        routed[0, p, j] = 0
        routed[1, p, j] = 0
        part = fleet.pool_part[j]
        # In-house repair waits while it needs vendor components the vendor will not ship.
        stopped = stop and fleet.needs_vendor_parts[j] and amounts[STOP, p, j] > 0
        start = hold_back(p, j, stopped, fresh_in, pools.in_house_backlog)
        if start and benches and fleet.bench.servers[fleet.pool_site[j]] > 0:
            # The site's repair bench serves them (bench.join_bench, after this pass).
            record.repairs_in_house[p, day, part] += start
            scratch.bench_queue[p, j] += start
            queued = True
        elif start:
            add_items(
                state.repairs, day, fleet.horizon, keys.items[2 * day], p, j, start, 0,
                fleet.in_house_days, record.repairs_in_house, part, keys.first_path,
            )  # fmt: skip
        # The vendor repair centre takes nothing while closed; the backlog goes when it reopens.
        closed = closing and amounts[CLOSED, p, j] > 0
        send = hold_back(p, j, closed, fresh_out, pools.vendor_backlog)
        if not send:
            continue
        delay = fleet.vendor_base[j] + (amounts[TURNAROUND, p, j] if slow else 0)
        if customs and fleet.crosses_border[j]:
            # Held lots reach the border after the vendor's turnaround (taken at its mean).
            border = day + delay - fleet.return_clearance[j] + fleet.turnaround_days[j]
            held, extra = customs_cell(customs_base, p, j, border, holds)
            if held:
                book_hold(p, border, extra, send, fleet.storage_share[part], fleet.horizon,
                          record)  # fmt: skip
                delay += extra
        add_items(
            state.repairs, day, fleet.horizon, keys.items[2 * day + 1], p, j, send, delay,
            fleet.vendor_days, record.repairs_vendor, part, keys.first_path,
        )  # fmt: skip
    if queued:
        join_bench(p, day, fleet, state, scratch, record, keys)
