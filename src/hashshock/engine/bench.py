"""The in-house repair bench: a site's in-house repairs queue for its k technicians.

``docs/model.md``, *Repair bench*, states the rules (B1–B4). Each day the in-house repairs
that start at a site with a bench (``scratch.bench_queue``, filled by
:func:`hashshock.engine.repairs.start_repairs`) arrive at continuous times spread
uniformly over the day, in order (B1); each is served first come, first served by the
technician free first (B2), for a service time drawn from the bench's distribution
(B3), and returns to its pool's shelf on the day its service ends (B4). A technician's
next free time is kept per path and site (``state.bench_free``, in days since day 0), so
the waiting is exact in continuous time: with Poisson arrivals and exponential service
the bench is the M/M/k queue of Erlang C (:mod:`hashshock.decide.queueing`).

Random numbers: one counter-based stream per path, site and day (key ``keys.bench``),
draws ``3i``, ``3i + 1``, ``3i + 2`` for the day's ``i``-th arrival (its time, its pool,
its service), the ziggurat's rare extra draws from :data:`_EXP_RETRIES`.
"""

from __future__ import annotations

import math

import numpy as np

from hashshock.dists import Exponential, Fixed
from hashshock.engine.arrays import Bench, Fleet, Keys, Record, Scratch, State
from hashshock.engine.jit import F64, compiled
from hashshock.engine.kernel_random import (
    DelayTables,
    cell_stream,
    exponential,
    path_stream,
    table_sample,
    uniform,
)
from hashshock.engine.rings import arrival as return_day
from hashshock.plan.model import Plan

_EXP_RETRIES = 1 << 41
# Columns of ``record.bench_waits``.
SERVED, WAITED, DAYS_WAITED = range(3)


@compiled(inline=True)
def next_arrival(previous: float, left: int, u: float) -> float:
    """(B1) The smallest of ``left`` independent uniforms on (``previous``, 1), by inversion
    of P(min > x) = ((1 − x)/(1 − previous))^left with ``u`` ∈ (0, 1]:
    previous + (1 − previous)(1 − u^{1/left}). Given it, the others are again independent
    uniforms above it, so calling this with ``left`` = n, n − 1, … 1 gives the order
    statistics of n uniforms on the day, smallest first."""
    shrink: float = u ** (1.0 / left)
    return previous + (1.0 - previous) * (1.0 - shrink)


@compiled(inline=True)
def serve(free: F64, p: int, s: int, k: int, arrival: float, service: float) -> float:
    """(B2) First come, first served by ``k`` technicians: the part starts at
    max(arrival, the earliest time a technician of bench ``s`` is free, ``free[p, s, :k]``),
    and that technician is then free at start + ``service``. Returns the start (days)."""
    first = 0
    for m in range(1, k):
        if free[p, s, m] < free[p, s, first]:
            first = m
    start: float = max(arrival, free[p, s, first])
    free[p, s, first] = start + service
    return start


@compiled(inline=True)
def service_days(bench: Bench, s: int, base: np.uint64, i: int) -> float:
    """(B3) A service time of bench ``s`` (days) from draw ``i`` of ``base``: mean × Exp(1)
    for an exponential bench, else the whole-day distribution by inversion."""
    mean: float = bench.exponential_mean[s]
    if mean > 0:
        return mean * exponential(base, i, _EXP_RETRIES + 64 * i)
    return float(table_sample(bench.days, s, uniform(base, i)))


@compiled(inline=True)
def join_bench(
    p: int, day: int, fleet: Fleet, state: State, scratch: Scratch, record: Record, keys: Keys
) -> None:
    """Today's in-house repairs at sites with a bench (``scratch.bench_queue[p]``, zeroed
    here) queue and are served (B1–B4); each joins ``state.repairs`` on the day its
    service ends. Parts are taken in order of arrival, each from a pool drawn in
    proportion to the parts still to come from it (a uniformly random interleaving of the
    pools' parts, which are exchangeable in time)."""
    bench, queue = fleet.bench, scratch.bench_queue
    by_day, in_transit = state.repairs.by_day, state.repairs.in_transit
    waits = record.bench_waits
    path_base = path_stream(keys.bench[day], p + keys.first_path)
    for s in range(bench.servers.shape[0]):
        k = bench.servers[s]
        first, last = bench.pool_ptr[s], bench.pool_ptr[s + 1]
        n = 0
        for q in range(first, last):
            n += queue[p, bench.pools[q]]
        if k == 0 or n == 0:
            continue
        base = cell_stream(path_base, s)
        at = 0.0
        for i in range(n):
            left = n - i
            at = next_arrival(at, left, uniform(base, 3 * i))
            pick = uniform(base, 3 * i + 1) * left
            q = first
            seen = queue[p, bench.pools[q]]
            while seen < pick and q < last - 1:
                q += 1
                seen += queue[p, bench.pools[q]]
            j = bench.pools[q]
            queue[p, j] -= 1
            arrived = day + at
            service = service_days(bench, s, base, 3 * i + 2)
            start = serve(state.bench_free, p, s, k, arrived, service)
            waits[p, s, SERVED] += 1.0
            if start > arrived:
                waits[p, s, WAITED] += 1.0
            waits[p, s, DAYS_WAITED] += start - arrived
            # (B4) Back on the day the service ends (at least tomorrow, as every delay).
            back = return_day(day, math.floor(start + service) - day)
            in_transit[p, j] += 1
            if back < fleet.horizon:
                by_day[p, back % by_day.shape[1], j] += 1


def bench_shape(plan: Plan) -> tuple[int, int]:
    """(sites, most technicians of a bench) of ``state.bench_free`` per path: (0, 0) when
    no site has a bench."""
    servers = [b.technicians for b in plan.site_bench if b is not None]
    return (len(plan.site_bench), max(servers)) if servers else (0, 0)


def bench_tables(plan: Plan) -> Bench:
    """The plan's benches as the kernels take them (empty arrays when there are none)."""
    benches = plan.site_bench
    servers = np.array([0 if b is None else b.technicians for b in benches], np.int64)
    mean = np.array(
        [b.service.mean if b is not None and isinstance(b.service, Exponential) else 0.0
         for b in benches], np.float64,
    )  # fmt: skip
    days = DelayTables.of([
        b.service if b is not None and not isinstance(b.service, Exponential) else Fixed(0)
        for b in benches
    ])  # fmt: skip
    pool_site = plan.pool_site if benches else plan.pool_site[:0]
    pools = np.argsort(pool_site, kind="stable").astype(np.int64)
    pool_ptr = np.searchsorted(pool_site[pools], np.arange(len(benches) + 1)).astype(np.int64)
    return Bench(servers, mean, days, pool_ptr, pools)
