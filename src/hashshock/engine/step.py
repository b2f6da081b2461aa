"""The day's order of phases on one path, and the two ways to run them.

A day on one path is five phases, in this order (``docs/model.md`` states the rules):

1. arrivals — repaired and ordered parts reach the shelf, ordered machines are
   delivered (:func:`hashshock.engine.supply.arrivals`);
2. failures — machines are switched on or off (the hashprice rule, if any), swap
   returns come back, parts fail and are routed (scrap, in-house, vendor:
   :mod:`hashshock.engine.failures`); then each pool's demand;
3. :func:`route_and_swap` — broken parts start their repairs (held back by a stopped
   parts supply or a closed repair centre, or at customs:
   :mod:`hashshock.engine.repairs`), short shelves take parts from donor machines
   (:mod:`hashshock.engine.donors`), then spares and technicians are allocated
   (:mod:`hashshock.engine.swaps`), spares sent to sites that ran out
   (:mod:`hashshock.engine.transfers`) and the day's cohort figures recorded;
4. reorder — each pool orders up to its base-stock level
   (:func:`hashshock.engine.supply.reorder`);
5. :func:`ship_and_record` — the vendor ships (or holds back) the orders, lots may be
   held at customs, and the day's pool figures are recorded.

:func:`run_days` runs a block of paths through a span of days, path by path, so a
path's state stays in the core's cache for the whole span and there is one kernel
call per span, not one per step and day; blocks of paths run on threads (the
kernels release the GIL). :func:`run_phase` runs one phase of one day on a block of
paths, for days when the driver must act between phases
(policies priced in money, remote disabling: :mod:`hashshock.engine.core`). Both call
the same phase functions with the same random streams, so the two give the same
numbers bit for bit.

The kernels take the run's arrays in named tuples (:mod:`hashshock.engine.arrays`)
and are inlined into :func:`run_days` and :func:`run_phase`.
"""

from __future__ import annotations

from hashshock.engine.arrays import STOP, Fleet, Keys, Record, Rules, Scratch, State
from hashshock.engine.donors import strip_donors
from hashshock.engine.eventpaths import pool_amounts, turning
from hashshock.engine.failures import cohort_failures
from hashshock.engine.figures import cohort_figures, pool_figures, pool_figures_as_yesterday
from hashshock.engine.jit import compiled
from hashshock.engine.repairs import start_repairs
from hashshock.engine.supply import arrivals, reorder, ship
from hashshock.engine.swaps import pool_demand, swap
from hashshock.engine.transfers import transship

# Phases for :func:`run_phase`.
ARRIVALS, FAILURES, ROUTE_AND_SWAP, REORDER, SUPPLY_STOP, SHIP_AND_RECORD = range(6)


@compiled(inline=True)
def route_and_swap(
    p: int, day: int, fleet: Fleet, rules: Rules, state: State, scratch: Scratch,
    record: Record, keys: Keys,
) -> None:  # fmt: skip
    """Broken parts start their repairs; then parts taken from donor machines where a
    shelf is short (cannibalisation, if the fleet holds donors), the swaps, spares sent to
    sites that ran out (lateral transshipment, if the fleet does it) and the cohort
    figures."""
    start_repairs(p, day, fleet, rules, state, scratch, record, keys)
    if fleet.cannibalise:
        strip_donors(p, day, fleet, state, scratch, record)
    swap(p, day, fleet, state, scratch, record)
    if fleet.transfers.days >= 0:
        transship(p, day, fleet, state, scratch, record)
    cohort_figures(p, day, fleet, state, record)


@compiled(inline=True)
def ship_and_record(
    p: int, day: int, fleet: Fleet, rules: Rules, state: State, scratch: Scratch,
    record: Record, keys: Keys,
) -> int:  # fmt: skip
    """The vendor ships the orders, then the pool figures; returns the unmet demand if
    all of it waits at empty pools, else −1 (:func:`pool_figures`)."""
    ship(p, day, fleet, rules, state, scratch, record, keys)
    return pool_figures(p, day, fleet, state, scratch, record)


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
                or turning(rules, p, day)
            ):  # fmt: skip
                pool_demand(p, fleet, state, scratch)
                route_and_swap(p, day, fleet, rules, state, scratch, record, keys)
                reorder(p, fleet, state, scratch, record)
                settled = ship_and_record(p, day, fleet, rules, state, scratch, record, keys)
            else:
                still_pools(p, day, arrived, fleet, state, scratch, record)


@compiled(inline=True)
def still_pools(
    p: int, day: int, arrived: bool, fleet: Fleet, state: State, scratch: Scratch,
    record: Record,
) -> None:  # fmt: skip
    """The rest of a day on which the pools stand still, in place of
    :func:`route_and_swap`, :func:`~hashshock.engine.supply.reorder` and
    :func:`ship_and_record`: no part failed, the demand is yesterday's unmet demand,
    all of it at empty pools, and no scenario event starts or ends (a backlog held back
    yesterday is held back today); if parts ``arrived``, nothing waits for a spare. The
    day before ran on the same path in the same call.

    Then no repair starts, no swap is possible, no part is taken from a donor (a pool
    left empty with demand after yesterday's swaps took all its donors had: they give up
    to the shortfall, and a shelf they filled is not empty), no spare moves between sites
    (the pools that could give gave yesterday, or had nothing to give) and nothing ships:
    each pool's
    inventory position is where yesterday's order left it, at or above its target (an
    arrival moves parts from the pipeline to the shelf). If nothing arrived the pools'
    figures are yesterday's, else they are summed again. On a small fleet this is
    most days. ``tests/engine/test_step.py`` checks the shortcut against the
    phase-by-phase route, which never takes it.
    """
    cohort_figures(p, day, fleet, state, record)
    if arrived:
        pool_figures(p, day, fleet, state, scratch, record)
    else:
        pool_figures_as_yesterday(p, day, fleet, state, record)


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
            cohort_failures(p, day, fleet, state, scratch, record, keys)
            pool_demand(p, fleet, state, scratch)
        elif phase == ROUTE_AND_SWAP:
            route_and_swap(p, day, fleet, rules, state, scratch, record, keys)
        elif phase == REORDER:
            reorder(p, fleet, state, scratch, record)
        elif phase == SUPPLY_STOP:
            if not pool_amounts(p, day, rules, rules.supply_stop, scratch.amounts[STOP]):
                scratch.amounts[STOP, p, :] = 0
        else:
            ship_and_record(p, day, fleet, rules, state, scratch, record, keys)
