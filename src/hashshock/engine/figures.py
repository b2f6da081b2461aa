"""The day's figures on one path: the fleet's (hashrate, nameplate, power, machines
down) and the pools' (spares, backorders, in repair, on order), into column ``day`` of
the run's series (:class:`~hashshock.engine.arrays.Record`)."""

from __future__ import annotations

from hashshock.engine.arrays import Fleet, Record, Scratch, State
from hashshock.engine.jit import compiled


@compiled(inline=True)
def cohort_figures(p: int, day: int, fleet: Fleet, state: State, record: Record) -> None:
    """Path ``p``'s fleet figures for ``day`` into column ``day`` of the [P, T] series;
    ``record.machines_down[p, day]`` gets the machines waiting for a spare (0; those
    whose spare is on the shelf :func:`pool_figures` moves to 4), those away for a
    swap (1) and the running machines of cohorts switched off for the day (5).
    ``fleet.ths_per_board`` [T, C] is what a working board delivers that day
    (degradation and downtime included, :mod:`hashshock.plan.realisation`);
    ``fleet.power_w`` [C] what a running machine draws on average; ``fleet.mwh_cost``
    [C], or [0] when power is not priced (then ``record.power_cost`` is left as it is)."""
    counts = state.cohorts
    installed, running, waiting = counts.installed, counts.running, counts.waiting
    dead_run, on = counts.dead_run, counts.on
    ms_transit, bs_transit = state.machine_swaps.in_transit, state.board_swaps.in_transit
    boards, ths_per_board, ths_per_machine = (
        fleet.boards,
        fleet.ths_per_board,
        fleet.ths_per_machine,
    )
    power_w, mwh_cost = fleet.power_w, fleet.mwh_cost
    priced = mwh_cost.shape[0] > 0
    ths = 0.0
    plate = 0.0
    watts = 0.0
    cost = 0.0
    count = 0
    waits = 0
    swapping = 0
    switched_off = 0
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
        else:
            switched_off += running[p, c]
    record.hashrate[p, day] = ths
    record.nameplate[p, day] = plate
    record.installed[p, day] = count
    record.power[p, day] = watts / 1e6
    if priced:  # else the series stays zero, and its memory untouched
        record.power_cost[p, day] = cost
    record.machines_down[p, day, 0] = waits
    record.machines_down[p, day, 1] = swapping
    record.machines_down[p, day, 5] = switched_off


@compiled(inline=True)
def pool_figures(
    p: int, day: int, fleet: Fleet, state: State, scratch: Scratch, record: Record
) -> int:
    """Pool figures summed per part into ``[p, day]`` of the [P, T, 4] series; the first
    day a part's pool is out while needed; then :func:`machines_away`.

    Parts in repair are those in the pipeline and both backlogs; parts on order those
    in the pipeline and the order backlog, and spares on their way from another site
    (lateral transshipment). A stopped machine whose pool still holds a spare after the
    day's swaps waits for a technician, not a part: as many of a stop part's waiting
    machines as its shelf holds spares move from ``machines_down[p, day, 0]`` to
    ``[p, day, 4]`` (:func:`cohort_figures` has run). Returns the unmet demand if all of
    it waits at empty pools, else −1 (a pool with spares has demand left: swaps may
    follow).
    """
    pools, demand_pool, pool_part = state.pools, scratch.demand_pool, fleet.pool_part
    on_hand, in_repair, on_order = pools.on_hand, state.repairs.in_transit, state.orders.in_transit
    moving = state.transfers.in_transit
    spares, backorders = record.spares, record.backorders
    repairing, ordering, first_stockout = record.in_repair, record.on_order, record.first_stockout
    unmet = 0
    at_spares = 0
    for_hands = 0
    for j in range(on_hand.shape[1]):
        k = pool_part[j]
        if k > 0:  # a stop part: its demand is machines (a hashboard's is boards)
            for_hands += min(on_hand[p, j], demand_pool[p, j])
        spares[p, day, k] += on_hand[p, j]
        backorders[p, day, k] += demand_pool[p, j]
        repairing[p, day, k] += (
            in_repair[p, j] + pools.in_house_backlog[p, j] + pools.vendor_backlog[p, j]
        )
        ordering[p, day, k] += on_order[p, j] + pools.order_backlog[p, j] + moving[p, j]
        unmet += demand_pool[p, j]
        at_spares |= demand_pool[p, j] * on_hand[p, j]
        if on_hand[p, j] == 0 and demand_pool[p, j] > 0 and first_stockout[p, k] < 0:
            first_stockout[p, k] = day
    record.machines_down[p, day, 0] -= for_hands
    record.machines_down[p, day, 4] = for_hands
    machines_away(p, day, fleet, state, record)
    return -1 if at_spares else unmet


@compiled(inline=True)
def pool_figures_as_yesterday(p: int, day: int, fleet: Fleet, state: State, record: Record) -> None:
    """Yesterday's pool figures again (nothing moved at any pool: what waits, waits at
    empty shelves, so not for a technician), then :func:`machines_away`."""
    for k in range(record.spares.shape[2]):
        record.spares[p, day, k] = record.spares[p, day - 1, k]
        record.backorders[p, day, k] = record.backorders[p, day - 1, k]
        record.in_repair[p, day, k] = record.in_repair[p, day - 1, k]
        record.on_order[p, day, k] = record.on_order[p, day - 1, k]
    record.machines_down[p, day, 4] = 0
    machines_away(p, day, fleet, state, record)


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
