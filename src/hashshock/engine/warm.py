"""Pipelines started in their steady state: the parts a running fleet has in repair and
on order on day 0, placed in the delay rings before the first day.

The means come with the plan (:mod:`hashshock.plan.warm`: Palm's theorem, m(d) parts of
a pool arriving on day d by each route, independent Poisson counts). A pool that
reorders holds ``plan.warm.parts`` on their way (the rounded mean: its inventory
position is its base-stock level S, :func:`hashshock.engine.supply.reorder`, so given
the shelf and S left to its default that is the exact count); given that total,
independent Poisson counts are multinomial with probabilities in proportion to their
means, so each of those parts draws its route and arrival day from the means'
cumulative shares. A pool that does not reorder holds a Poisson count of the mean. Each
(path, pool) draws from its own stream, so a path's pipelines do not depend on the
number of paths or threads (blocks of paths run on the engine's threads). A lot from
the vendor (repaired parts coming back across a border, spares on order) reaching the
border on or after day 0 may be held there by a customs event
(:mod:`hashshock.engine.customs`): each day's arrivals of a pool and route count as one
lot, decided on its own border day.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from hashshock.engine.arrays import Fleet, Holds, Record, Ring, Rules
from hashshock.engine.customs import book_hold, customs_cell
from hashshock.engine.jit import F64, I64, U64, compiled
from hashshock.engine.kernel_random import path_stream, stream, uniform
from hashshock.engine.threads import _pool, path_blocks
from hashshock.plan.kinds import kinds_tagged
from hashshock.plan.model import Plan
from hashshock.streams import RandomTree

#: Routes in the order of :class:`hashshock.plan.model.WarmPipelines`.
IN_HOUSE, VENDOR, ORDERS = 0, 1, 2
#: Largest mean drawn by one inversion (exp(−500) is a normal float); a larger mean is a
#: sum of such draws (a sum of Poisson counts is Poisson).
CHUNK_MEAN = 500.0


@compiled(inline=True)
def poisson(base: np.uint64, mean: float) -> int:
    """A Poisson(``mean``) count by inversion from the stream ``base``'s uniforms."""
    count = 0
    index = 0
    left = mean
    while left > 0.0:
        chunk = min(left, CHUNK_MEAN)
        left -= chunk
        u = uniform(base, index)
        index += 1
        term = math.exp(-chunk)
        cumulative = term
        k = 0
        while u > cumulative and term > 0.0:  # past the last representable term: stop
            k += 1
            term *= chunk / k
            cumulative += term
        count += k
    return count


@compiled(nogil=True)
def fill_pipelines(
    block: tuple[int, int], key: np.uint64, customs_keys: U64, shares: F64, parts: I64,
    border_offset: I64, repairs: Ring, orders: Ring, repair_holds: Holds, parts_holds: Holds,
    storage_share: F64, horizon: int, record: Record, first_path: int, counts: I64,
    drawn: bool,
) -> None:  # fmt: skip
    """Draw the pipelines on day 0 of the paths ``block`` (first, last): ``shares`` [J, 3·D]
    the cumulative shares of the cells (route, arrival day d) in route-major order (the
    last: the mean on its way), ``parts`` [J] the parts each pool's pipelines hold
    (``drawn``: a Poisson count of the mean instead); ``border_offset`` [3, J] the days from
    the border to the shelf (−1: the route crosses no border); ``customs_keys`` [2, D] the
    vendor's and the orders' customs streams by arrival day; ``storage_share`` [J] a held
    part's storage, per machine's; ``counts`` [3·D] scratch."""
    pools, cells = shares.shape
    days = cells // 3
    for p in range(block[0], block[1]):
        run_path = p + first_path
        for j in range(pools):
            total = poisson(stream(key, run_path, pools + j), shares[j, -1]) if drawn else parts[j]
            if total <= 0:
                continue
            counts[:] = 0
            base = stream(key, run_path, j)
            for unit in range(total):
                counts[np.searchsorted(shares[j], uniform(base, unit) * shares[j, -1])] += 1
            for cell in range(cells):
                count = counts[cell]
                if count == 0:
                    continue
                route, d = cell // days, cell % days
                ring = orders if route == ORDERS else repairs
                holds = parts_holds if route == ORDERS else repair_holds
                arrive = d
                offset = border_offset[route, j]
                border = d - offset
                if holds.hits.shape[0] > 0 and offset >= 0 and border >= 0:
                    customs_base = path_stream(customs_keys[route - VENDOR, d], run_path)
                    held, extra = customs_cell(customs_base, p, j, border, holds)
                    if held:
                        book_hold(p, border, extra, count, storage_share[j], horizon, record)
                        arrive += extra
                ring.in_transit[p, j] += count
                if arrive < horizon:
                    ring.by_day[p, arrive % ring.by_day.shape[1], j] += count


def start_warm(
    plan: Plan, rng: RandomTree, rules: Rules, fleet: Fleet, repairs: Ring, orders: Ring,
    record: Record, first_path: int,
) -> None:  # fmt: skip
    """Fill ``repairs`` and ``orders`` with ``plan.warm``'s pipelines (nothing when the
    plan's pipelines start empty)."""
    warm = plan.warm
    if warm is None:
        return
    means = np.stack([warm.in_house, warm.vendor, warm.orders], axis=1)  # [J, 3, D]
    cumulative = np.cumsum(means.reshape(plan.n_pools, -1), axis=1)
    days = means.shape[2]
    _check_rings(plan, means, repairs, orders)
    clearance = plan.vendor_clearance_days[plan.pool_vendor].astype(np.int64)
    border_offset = np.stack([
        np.full(plan.n_pools, -1, np.int64),
        np.where(plan.pool_crosses_border, clearance, -1),  # as repairs.start_repairs
        clearance,  # every spares lot passes customs (supply.ship)
    ])  # fmt: skip
    # key 0 the parts; keys 1 … the vendor's, 100,001 … the orders' customs by day
    customs_keys = np.stack([rng.keys("warm", 1, days), rng.keys("warm", 100_001, days)])
    args = (
        rng.keys("warm", 0, 1)[0], customs_keys, np.ascontiguousarray(cumulative),
        np.where(cumulative[:, -1] > 0, warm.parts, 0).astype(np.int64), border_offset,
        repairs, orders, rules.repair_holds, rules.parts_holds,
        np.ascontiguousarray(fleet.storage_share[plan.pool_part]), fleet.horizon, record,
        first_path,
    )  # fmt: skip
    # Blocks of paths on the engine's threads: each path writes only its own rows.
    threads = numba.get_num_threads()
    blocks = path_blocks(repairs.in_transit.shape[0], threads)
    if threads <= 1 or len(blocks) == 1:
        for block in blocks:
            fill_pipelines(block, *args, np.zeros(3 * days, np.int64), not plan.replenish)
        return
    futures = [_pool(threads).submit(fill_pipelines, block, *args,
                                     np.zeros(3 * days, np.int64), not plan.replenish)
               for block in blocks]  # fmt: skip
    for future in futures:
        future.result()


def _check_rings(plan: Plan, means: F64, repairs: Ring, orders: Ring) -> None:
    """Refuse pipelines that arrive later than the rings hold (they would land on the
    wrong day): ``plan.warm`` computed for other delays than the plan's, e.g. a plan
    changed after it was compiled without :func:`hashshock.plan.warm.warm_start` again."""
    holds = [ev.dists["hold_days"].max_days for ev in plan.events
             if ev.kind in kinds_tagged("customs")]  # fmt: skip
    held = max(holds, default=0)
    for ring, routes in ((repairs, means[:, :ORDERS]), (orders, means[:, ORDERS:])):
        on_way = np.flatnonzero(routes.sum(axis=(0, 1)) > 0)
        last = int(on_way[-1]) + held if on_way.size else 0
        if ring.by_day.shape[1] <= min(last, plan.horizon_days - 1):
            raise ValueError(
                "plan.warm: parts arrive on day "
                f"{last}, past the delays the plan's rings hold ({ring.by_day.shape[1]} days)"
                " — fix: compute the pipelines again (hashshock.plan.warm.warm_start) after"
                " changing the plan's delays"
            )
