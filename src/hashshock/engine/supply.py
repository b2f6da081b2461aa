"""Supply: parts and machines arriving, each pool's reorder up to its base-stock level,
and the vendor's shipments (held back while its parts supply is stopped, each lot
with its own lead time and perhaps a customs hold)."""

from __future__ import annotations

import numpy as np

from hashshock.engine.arrays import LEAD, STOP, Fleet, Keys, Record, Rules, Scratch, State
from hashshock.engine.customs import book_hold, customs_cell
from hashshock.engine.eventpaths import hold_back, pool_amounts
from hashshock.engine.jit import compiled
from hashshock.engine.kernel_random import DelayTables, path_stream, stream, table_sample, uniform
from hashshock.engine.rings import add_lot, pop


@compiled(inline=True)
def arrivals(p: int, day: int, fleet: Fleet, state: State) -> bool:
    """Parts back from repair and spares delivered reach the shelf; ordered machines
    arrive. Returns whether any part reached a shelf."""
    on_hand = state.pools.on_hand
    repaired = pop(state.repairs, day, p, on_hand)
    delivered = pop(state.orders, day, p, on_hand)
    moved = pop(state.transfers, day, p, on_hand)
    counts = state.cohorts
    for o in range(fleet.order_cohort.shape[0]):
        if fleet.order_arrival[o, p] == day:
            c = fleet.order_cohort[o]
            counts.installed[p, c] += fleet.order_count[o]
            counts.running[p, c] += fleet.order_count[o]
    return repaired or delivered or moved


@compiled(inline=True)
def reorder(p: int, fleet: Fleet, state: State, scratch: Scratch, record: Record) -> int:
    """Order each pool up to its base-stock level: target − inventory position (spares on
    their way from another site count as on order), if
    positive, into ``scratch.order`` (none when the fleet does not replenish). Returns
    the parts ordered in all."""
    order = scratch.order
    if not fleet.replenish:
        order[p, :] = 0
        return 0
    pools, demand_pool = state.pools, scratch.demand_pool
    on_hand, in_repair, on_order = pools.on_hand, state.repairs.in_transit, state.orders.in_transit
    moving = state.transfers.in_transit  # spares coming from another site
    target, pool_part, ordered = fleet.pool_target, fleet.pool_part, record.ordered
    total = 0
    for j in range(on_hand.shape[1]):
        position = (
            on_hand[p, j] + in_repair[p, j] + pools.in_house_backlog[p, j] + on_order[p, j]
            + pools.order_backlog[p, j] + moving[p, j] - demand_pool[p, j]
        )  # fmt: skip
        short = max(target[j] - position, 0)
        order[p, j] = short
        ordered[p, pool_part[j]] += short
        total += short
    return total


@compiled(inline=True)
def lot_delay(key: np.uint64, p: int, w: int, delays: DelayTables, table: int) -> int:
    """The delay of column ``w``'s lot on path ``p`` (the run's number): one draw from
    ``delays`` row ``table``."""
    return table_sample(delays, table, uniform(stream(key, p, w), 0))


@compiled(inline=True)
def ship(
    p: int, day: int, fleet: Fleet, rules: Rules, state: State, scratch: Scratch,
    record: Record, keys: Keys,
) -> None:  # fmt: skip
    """The vendor ships the orders (held back while its parts supply is stopped); each
    lot draws its lead time and may be held at customs.

    One pass over the pools, skipping those with no order and no backlog.
    """
    holds, lead, amounts = rules.parts_holds, fleet.lead_days, scratch.amounts
    order_backlog = state.pools.order_backlog
    stop = pool_amounts(p, day, rules, rules.supply_stop, amounts[STOP])
    late = pool_amounts(p, day, rules, rules.lead, amounts[LEAD])
    customs = holds.hits.shape[0] > 0
    customs_base = path_stream(keys.customs_parts[day], p + keys.first_path)
    priced = fleet.pool_unit_cost.shape[1] > 0
    spend = 0.0
    for j in range(fleet.pool_part.shape[0]):
        order = scratch.order[p, j]
        if not (order or order_backlog[p, j]):
            continue
        stopped = stop and amounts[STOP, p, j] > 0
        shipped = hold_back(p, j, stopped, order, order_backlog)
        if not shipped:
            continue
        record.parts_shipped[p, day, fleet.pool_part[j]] += shipped
        if priced:
            spend += shipped * fleet.pool_unit_cost[j, day]
        delay = lot_delay(keys.lots[day], p + keys.first_path, j, lead, fleet.pool_vendor[j])
        extra_lead = amounts[LEAD, p, j] if late else 0
        delay = max(delay + extra_lead, 0) + fleet.pool_transit[j]
        if customs:
            held, extra = customs_cell(customs_base, p, j, day + delay, holds)
            if held:
                share = fleet.storage_share[fleet.pool_part[j]]
                book_hold(p, day + delay, extra, shipped, share, fleet.horizon, record)
                delay += extra
        delay += fleet.pool_clearance[j]
        add_lot(state.orders, day, fleet.horizon, p, j, shipped, delay)
    if priced:  # else the series stays zero, and its memory untouched
        record.parts_spend[p, day] = spend
