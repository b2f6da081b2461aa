"""The run's arrays as the compiled kernels take them: named tuples, never loose arrays.

A kernel reads ``state.cohorts.running`` or ``fleet.pool_part`` by name, so two
arrays of one type cannot be passed in each other's place. numba passes a named tuple
of arrays whole (and, the kernels being inlined into their phase, at no cost).

- :class:`Fleet`: everything fixed for the run (cohorts [C], pools [J], sites [S],
  orders [O], the swap jobs, the delay tables and the repair benches);
- :class:`Rules`: the scenario's events realised per path, as tables of what each
  event does to which pool (:class:`PoolRule`) and which lots it may hold at customs
  (:class:`Holds`);
- :class:`State`: the counts per path: :class:`Cohorts`, :class:`Pools`, four
  delay :class:`Ring` s and the repair benches' technicians;
- :class:`Scratch`: per-path working rows, overwritten each day;
- :class:`Record`: what the run reports (:class:`~hashshock.engine.output.EngineOutput`);
- :class:`Keys`: one random key per concern and day.

Part axis: 0 hashboard, 1 fan, 2 PSU, 3 control board. A *job* is ``c·4 + part``: the
machines of cohort ``c`` waiting for a stop part, or its dead hashboards.
"""

from __future__ import annotations

from typing import NamedTuple

from hashshock.engine.jit import B1, F64, I8, I32, I64, U64
from hashshock.engine.kernel_random import DelayTables

N_PARTS = 4
# Rows of ``Scratch.amounts``: the pool rules' amounts today.
STOP, CLOSED, TURNAROUND, LEAD = range(4)


class Ring(NamedTuple):
    """A delay ring, path-major: ``by_day[p, day % L, w]`` is what arrives on ``day``
    in column ``w`` of path ``p`` [P, L, W]; ``in_transit`` [P, W] is all of it, also
    what arrives on or after the horizon (never delivered). int32 halves the largest
    arrays at scale; counts stay far below 2**31."""

    by_day: I32
    in_transit: I64


class Lots(NamedTuple):
    """Lots [P, W] sent on one day by the driver: how many units, after how many days."""

    quantity: I64
    delay: I64


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


class HoldDecisions(NamedTuple):
    """Customs decisions on lots [P, W]: held or not, and for how many extra days."""

    held: B1
    extra: I64


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


class SwapJobs(NamedTuple):
    """The swap allocation's jobs in priority order (:func:`~hashshock.engine.allocate.
    job_lists`): pool ``j``'s are ``pool_jobs[pool_ptr[j]:pool_ptr[j + 1]]``, likewise
    per site; and each site's technician-days."""

    pool_ptr: I64  # [J + 1]
    pool_jobs: I64
    site_ptr: I64  # [S + 1]
    site_jobs: I64
    job_pool: I64  # [C·4]
    job_site: I64  # [C·4]
    site_capacity: I64  # [S] swaps a day


class Bench(NamedTuple):
    """The sites' in-house repair benches (:mod:`hashshock.engine.bench`); every array is
    empty (``servers`` [0]) when no site has one."""

    servers: I64  # [S] technicians at the site's bench, 0: no bench (repairs never queue)
    exponential_mean: F64  # [S] mean days of an exponential service; 0: drawn from ``days``
    days: DelayTables  # [S] whole-day service distributions
    pool_ptr: I64  # [S + 1] site s's pools are ``pools[pool_ptr[s]:pool_ptr[s + 1]]``
    pools: I64  # [J] pools by site


class Transfers(NamedTuple):
    """Lateral transshipment (:mod:`hashshock.engine.transfers`): pool ``j``'s donors, in
    site order, are ``donors[donor_ptr[j]:donor_ptr[j + 1]]`` (the pools of its part type
    and family at the other sites); ``days`` −1 when the fleet does not transship."""

    days: int
    donor_ptr: I64  # [J + 1]
    donors: I64


class Fleet(NamedTuple):
    """Everything fixed for the run: cohorts [C], pools [J], sites [S], orders [O]."""

    horizon: int
    boards: I64
    stop_rate: F64  # [T, C, 3] daily failure intensity per machine, per stop part
    board_rate: F64  # [T, C] per working board
    cohort_pool: I64  # [C, 4]
    cohort_site: I64
    scrap_share: F64  # [4] per part
    storage_share: F64  # [4] per part: a held part's customs storage, per machine's
    in_house_given_rest: F64  # [4] per part
    jobs: SwapJobs
    pool_site: I64  # [J]
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
    bench: Bench
    transfers: Transfers
    cannibalise: bool  # some site holds donor machines (:mod:`hashshock.engine.donors`)


class Cohorts(NamedTuple):
    """Counts per path and cohort [P, C]."""

    installed: I64
    running: I64
    waiting: I64  # [P, C, 3] stopped, by stop part
    dead_run: I64  # dead boards in running machines
    dead_stop: I64  # dead boards in stopped machines
    clock: F64  # failure thresholds left
    on: B1  # machines allowed to run today


class Pools(NamedTuple):
    """Counts per path and spare pool [P, J]."""

    on_hand: I64
    vendor_backlog: I64  # held back: the vendor's repair centre is closed
    in_house_backlog: I64  # held back: in-house repair waits for vendor components
    order_backlog: I64  # held back: the vendor's parts supply is stopped
    donor_parts: I64  # parts still in the site's donor machines ([P, 0]: no donors)


class State(NamedTuple):
    """Counts per path: cohorts, pools, five delay rings, remote-disabled machines, and
    when the repair benches' technicians are next free."""

    cohorts: Cohorts
    pools: Pools
    repairs: Ring  # [P, L, J] parts back from repair
    orders: Ring  # [P, L, J] spares ordered
    machine_swaps: Ring  # [P, L, C] machines away for a swap
    board_swaps: Ring  # [P, L, C] board slots empty while their board is swapped
    transfers: Ring  # [P, L, J] spares on their way from another site (L = 1: none)
    disabled: I64  # [n_remote_disable, P, C]
    bench_free: F64  # [P, S, K] day each bench technician is next free ([P, 0, 0]: no bench)


class Scratch(NamedTuple):
    """Per-path working rows, overwritten each day."""

    routed: I64  # [2, P, J] broken parts to repair: in-house, vendor
    demand_pool: I64
    demand_site: I64
    order: I64
    granted: I64  # [P, C·4]
    pool_state: I8
    amounts: I64  # [4, P, J] event amounts by rule: STOP, CLOSED, TURNAROUND, LEAD
    bench_queue: I64  # [P, J] in-house repairs starting today at a bench ([P, 0]: no bench)


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
    bench_waits: F64  # [P, S, 3] per bench: parts served, parts that waited, days waited
    transferred: I32  # [P, T, 4] spares sent from one site to another
    from_donors: I32  # [P, T, 4] parts taken from donor machines


class Keys(NamedTuple):
    """Random keys by day (:meth:`hashshock.streams.RandomTree.key`)."""

    cohorts: U64  # [T]
    items: U64  # [2T]: in-house, vendor
    customs_repairs: U64  # [T]
    customs_parts: U64  # [T]
    lots: U64  # [T]
    bench: U64  # [T]
    first_path: int  # the run's number of path 0 here: streams are keyed by it
