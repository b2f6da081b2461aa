"""A fleet's pipelines in their steady state on day 0 (``docs/model.md``, *Day 0*).

A fleet that has been running has parts in repair and spares on order. With λ parts of
a pool failing a day, a share of them taking a route whose delay D (whole days, at least
one: a part sent today arrives tomorrow at the earliest) has the distribution of that
route, the parts sent on day −k (k ≥ 1) still on their way at the start of day 0 are
those with max(D, 1) ≥ k, and they arrive on day max(D, 1) − k. Summed over k, the parts
arriving on day d ≥ 0 have the mean

    m(d) = λ_route · P(max(D, 1) > d),                                    (Palm)

and in all λ_route · E[max(D, 1)] are on their way (Little's law). By Palm's theorem
(an M/G/∞ pipeline) the counts by arrival day are independent Poisson variables of
these means; the engine draws them (:mod:`hashshock.engine.warm`).

The routes are a pool's own (``RoutePlan``): in-house repair (share *i*, its
``in_house_days``), the vendor's repair centre (share 1 − *s* − *i*, two transit legs,
the return leg's clearance when it crosses a border, and the turnaround) and, for the
scrapped share *s*, the spares reordered to replace them (base stock replaces what is
scrapped, one lot a day: the vendor's parts lead, transit and clearance). λ is the
pool's failures on day 0: its running machines' parts at their day-0 hazard (ages
before day 0 are taken at day 0's hazard). Pipelines that run before day 0 run in
normal times: no event holds them back or adds lead time; customs holds that start on
or after day 0 may still hold the lots reaching the border then (the engine decides).
At a site with a repair bench the parts in in-house repair are those within the bench's
service time (the queue's wait left out: a congested bench holds more), and they come
back from the repair ring while the bench starts idle.

A pool that reorders holds the pipelines' mean, rounded, on its way (its inventory
position is its base-stock level S: given the file's shelf and S left to its default,
that is the exact count); one that does not reorder a Poisson count of that mean. The
base-stock level a file leaves out becomes the shelf plus those parts, so that the
shelf stays near what the file states instead of settling lower by the pipelines.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from hashshock.dists import MAX_DELAY_DAYS, DayDistribution, ServiceTime
from hashshock.plan.model import Plan, WarmPipelines

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

HASHBOARD = 0


def day0_failures(plan: Plan) -> FloatArray:
    """[J] λ: each pool's expected failures a day on day 0 (the daily intensities
    −log(1 − h) of the running machines' working parts, as the engine's failures)."""
    hazard = np.clip(plan.hazard[:, :, 0], 0.0, 1.0 - 1e-12)  # [C, 4]
    rate = -np.log1p(-hazard)
    running = plan.cohort_initial - plan.cohort_initial_down.sum(axis=1)
    slots = np.empty_like(rate)
    slots[:, HASHBOARD] = running * plan.cohort_boards - plan.cohort_initial_dead_boards
    slots[:, 1:] = running[:, None] * plan.cohort_stop_parts
    flow = np.clip(slots, 0, None) * rate
    return np.bincount(
        plan.cohort_pool.ravel(), weights=flow.ravel(), minlength=plan.n_pools
    ).astype(np.float64)


def arriving(flow: float, base_days: int, delay: DayDistribution, days: int) -> FloatArray:
    """[days] m(d) = flow · P(max(base_days + D, 1) > d) for d = 0 … days − 1: the mean
    parts arriving on day d of those sent before day 0 (module docstring)."""
    sent_delay = np.maximum(base_days + delay.values, 1)
    d = np.arange(days)
    survival = (delay.pmf[None, :] * (sent_delay[None, :] > d[:, None])).sum(axis=1)
    return np.asarray(flow * survival, dtype=np.float64)


def bench_days(service: ServiceTime) -> DayDistribution:
    """A repair bench's service time as whole days (an exponential one: P(⌈X⌉ = d) =
    e^{−(d−1)/m} − e^{−d/m}, to its 99.99th percentile)."""
    if isinstance(service, DayDistribution):
        return service
    mean = service.mean
    last = max(1, min(MAX_DELAY_DAYS, math.ceil(-mean * math.log(1e-4))))
    d = np.arange(1, last + 1)
    weights = np.exp(-(d - 1) / mean) - np.exp(-d / mean)
    return DayDistribution(tuple(int(x) for x in d), tuple(float(w) for w in weights))


def in_house_days(plan: Plan, pool: int) -> DayDistribution:
    """How long a part of ``pool`` is in in-house repair: its route's ``in_house_days``,
    or at a site with a repair bench the bench's service (the queue's wait left out)."""
    bench = plan.site_bench[plan.pool_site[pool]] if plan.site_bench else None
    route = plan.routes[plan.pool_part[pool]]
    return route.in_house_days if bench is None else bench_days(bench.service)


def steady_pipelines(plan: Plan) -> WarmPipelines:
    """Each pool's pipelines at the start of day 0, as mean parts by arrival day."""
    failures = day0_failures(plan)
    transit = plan.vendor_transit_days[plan.pool_vendor]
    clearance = plan.vendor_clearance_days[plan.pool_vendor]
    longest = 1 + max(
        [in_house_days(plan, j).max_days for j in range(plan.n_pools)]
        + [max(r.in_house_days.max_days, 2 * int(transit.max(initial=0))
             + int(clearance.max(initial=0)) + r.vendor_turnaround_days.max_days)
         for r in plan.routes]
        + [d.max_days + int(transit.max(initial=0)) + int(clearance.max(initial=0))
           for d in plan.vendor_parts_lead]
    )  # fmt: skip
    in_house = np.zeros((plan.n_pools, longest))
    vendor = np.zeros_like(in_house)
    orders = np.zeros_like(in_house)
    for j in range(plan.n_pools):
        route = plan.routes[plan.pool_part[j]]
        flow = failures[j]
        vendor_share = max(0.0, 1.0 - route.scrap_share - route.in_house_share)
        in_house[j] = arriving(flow * route.in_house_share, 0, in_house_days(plan, j), longest)
        back_clearance = int(clearance[j]) if plan.pool_crosses_border[j] else 0
        vendor[j] = arriving(flow * vendor_share, 2 * int(transit[j]) + back_clearance,
                             route.vendor_turnaround_days, longest)  # fmt: skip
        if plan.replenish:
            lead = plan.vendor_parts_lead[plan.pool_vendor[j]]
            orders[j] = arriving(flow * route.scrap_share, int(transit[j]) + int(clearance[j]),
                                 lead, longest)  # fmt: skip
    parts = np.rint(in_house.sum(axis=1) + vendor.sum(axis=1) + orders.sum(axis=1))
    for table in (in_house, vendor, orders):
        table.setflags(write=False)
    return WarmPipelines(in_house=in_house, vendor=vendor, orders=orders,
                         parts=parts.astype(np.int64))  # fmt: skip


def warm_start(plan: Plan, target_given: BoolArray) -> Plan:
    """``plan`` starting with its pipelines in their steady state; each pool whose
    base-stock level the file leaves out (``target_given`` false) reorders up to its
    shelf plus the parts on their way (the pipelines' rounded mean), so that its shelf
    stays near ``on_hand``. A level the file gives is kept: what it lacks of the shelf
    and the parts on their way is ordered on day 0, as any shortfall."""
    warm = steady_pipelines(plan)
    target = np.where(target_given, plan.pool_target, plan.pool_on_hand + warm.parts)
    return replace(plan, warm=warm, pool_target=target.astype(np.int64))
