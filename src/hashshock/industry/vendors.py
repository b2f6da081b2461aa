"""Vendor lines as queues: each line ships at most its capacity, orders wait their turn,
and the lead time an operator sees emerges from the queue (docs/industry.md, "Vendor
queues").

A line has a capacity c(p, t) in TH/s of machines per day on path p and day t (0 before
it starts; less while the vendor it takes components from is cut). Its cumulative
capacity is

    K(p, t) = Σ_{s < t} c(p, s),     K at a time x inside day d: K(d) + (x − d) · c(p, d).

Orders are served first come, first served (ties by their place in the input): order i
of work a_i (TH/s, times the ``weight`` of like orders it stands for) joining at x_i
starts production when the line has finished everything before it,

    S_i = max(K(x_i), F_{i−1}),    F_i = S_i + w_i · a_i     (in units of capacity),

and is done when K reaches R_i = S_i + (w_i + 1)/2 · a_i — the mean completion of its
w_i like orders made one after another (R_i = F_i for one order). It ships on the day
in which that happens: the first day d with K(d + 1) ≥ R_i. A line never makes more
than its capacity on any day, and with constant capacity c the wait S_i/c − x_i is the
waiting time of a single-server queue with service times w_i · a_i / c: the fluid lead
time for steady orders below capacity, Pollaczek–Khinchine's mean for Poisson orders
(tests/industry/test_vendor_queue.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from hashshock.running import cumsum_rows

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass
class QueueResult:
    """One line's queue on every path.

    ``start`` and ``done`` [P, N]: when each order's production starts and when it is
    done (days, continuous); ``ship_day`` [P, N]: the day it ships (−1: it never joined;
    ≥ the horizon: not within it); ``made`` [P, T]: TH/s made each day (≤ capacity);
    ``backlog`` [P, T]: TH/s ordered and not yet made at the start of each day.
    """

    start: FloatArray
    done: FloatArray
    ship_day: IntArray
    made: FloatArray
    backlog: FloatArray

    def lead_days(self, capacity: FloatArray, later: FloatArray | None = None,
                  ahead: FloatArray | None = None) -> FloatArray:  # fmt: skip
        """[P, T]: the wait an order joining at the start of each day would see before
        production starts — the backlog worked off at the line's capacity (the virtual
        waiting time; past the horizon as :func:`wait_for` says)."""
        return wait_for(self.backlog, capacity, later, ahead)


def cumulative(capacity: FloatArray) -> FloatArray:
    """K [P, T + 1]: capacity made before each day (K[:, 0] = 0)."""
    paths, days = capacity.shape
    out = np.zeros((paths, days + 1))
    cumsum_rows(capacity, out=out[:, 1:])
    return out


def at_time(made_before: FloatArray, capacity: FloatArray, when: FloatArray) -> FloatArray:
    """K(x) at times ``when`` [P] or [P, N] (days, continuous, clipped to the horizon)."""
    days = capacity.shape[1]
    day = np.clip(np.floor(when).astype(np.int64), 0, days - 1)
    within = np.clip(when - day, 0.0, 1.0)
    rows = np.arange(capacity.shape[0]).reshape((-1,) + (1,) * (when.ndim - 1))
    return np.where(
        when >= days, made_before[rows, -1], made_before[rows, day] + within * capacity[rows, day]
    )


def time_of(
    made_before: FloatArray, capacity: FloatArray, level: FloatArray, begin: bool = False
) -> FloatArray:
    """Inverse of K, [P, N]: the time K reaches ``level`` (``begin``: the time it first
    exceeds it — when work at that level starts, after any days without capacity);
    ``inf`` past the horizon."""
    paths, days = capacity.shape
    out = np.full(level.shape, np.inf)
    side: Literal["left", "right"] = "right" if begin else "left"
    for p in range(paths):
        day = np.searchsorted(made_before[p, 1:], level[p], side=side)
        inside = day < days
        d = day[inside]
        # K rises through the level inside day d, so the day's capacity is positive
        # unless the level sits exactly at K(d) (then the time is d itself).
        rate = capacity[p, d]
        share = (level[p, inside] - made_before[p, d]) / np.where(rate > 0, rate, 1.0)
        out[p, inside] = d + np.clip(share, 0.0, 1.0)
    return out


def serve(
    capacity: FloatArray, join: FloatArray, work: FloatArray, weight: FloatArray
) -> QueueResult:
    """Serve orders on one line, first come first served.

    ``capacity`` [P, T], TH/s a day; ``join`` [P, N] days (continuous; NaN: the order does
    not join on that path); ``work`` [N] (or [P, N], path by path) TH/s of one order;
    ``weight`` [N] like orders it stands for. Ties in ``join`` keep the input order.
    """
    paths, days = capacity.shape
    n_orders = join.shape[1]
    made_before = cumulative(capacity)
    joined = ~np.isnan(join)
    join_at = np.where(joined, join, np.inf)
    # Each path's orders by joining time; orders that do not join go last.
    order = np.argsort(join_at, axis=1, kind="stable")
    each = np.broadcast_to(work, (paths, n_orders))
    size = each * weight
    # In queue order, order n starts at level B_n = max(A_n, F_{n−1}) and the line is
    # done with it at F_n = B_n + s_n (F_0 = 0; A: the level when it joins, s: its
    # size). Unrolled (Lindley's recursion): B_n = S_{n−1} + max(0, max_{k≤n} A_k −
    # S_{k−1}) with S the running sum of sizes. Orders that do not join add nothing.
    here = np.take_along_axis(joined, order, axis=1)
    when = np.where(here, np.take_along_axis(join, order, axis=1), 0.0)
    arrive = np.where(here, at_time(made_before, capacity, when), 0.0)
    sizes = np.where(here, np.take_along_axis(size, order, axis=1), 0.0)
    before = np.cumsum(sizes, axis=1) - sizes  # S_{n−1}
    begin = before + np.maximum(np.maximum.accumulate(arrive - before, axis=1), 0.0)
    start_level = np.empty((paths, n_orders))
    np.put_along_axis(start_level, order, begin, axis=1)
    done_level = start_level + (weight + 1) / 2 * each
    start = np.where(joined, time_of(made_before, capacity, start_level, begin=True), np.nan)
    done = np.where(joined, time_of(made_before, capacity, done_level), np.nan)
    first_day = np.floor(np.where(joined, join, 0.0))
    ship = np.where(np.isfinite(done), np.maximum(np.ceil(done) - 1, first_day), days)
    ship_day = np.where(joined, ship, -1).astype(np.int64)
    made_by = _made_by(made_before, start_level, size, joined, order)
    ordered = _ordered_by(join_at, size, days)
    # ordered and made are sums in different orders: a line done with every order would
    # show −1e-15 TH/s still to make, and quote a wait from just below its capacity's level
    backlog = np.maximum(ordered - made_by[:, :-1], 0.0)
    return QueueResult(start, done, ship_day, np.diff(made_by, axis=1), backlog)


def _made_by(
    made_before: FloatArray, start_level: FloatArray, size: FloatArray,
    joined: NDArray[np.bool_], order: IntArray,
) -> FloatArray:  # fmt: skip
    """[P, T + 1]: TH/s made before each day. Orders occupy disjoint stretches
    [S_i, S_i + size_i] of the capacity level, in queue order; what is made by level L
    is the part of those stretches below L."""
    paths = made_before.shape[0]
    out = np.zeros_like(made_before)
    for p in range(paths):
        served = order[p][joined[p, order[p]]]
        if served.size == 0:
            continue
        begins = start_level[p, served]
        sizes = size[p, served]
        before = np.concatenate(([0.0], np.cumsum(sizes)[:-1]))
        level = made_before[p]
        k = np.searchsorted(begins, level, side="right") - 1
        inside = k >= 0
        kk = np.maximum(k, 0)
        partial = np.clip(level - begins[kk], 0.0, sizes[kk])
        out[p] = np.where(inside, before[kk] + partial, 0.0)
    return out


def _ordered_by(join_at: FloatArray, size: FloatArray, days: int) -> FloatArray:
    """[P, T]: TH/s of orders that joined before each day starts (at time ≤ d, so an
    order joining at the start of day d is waiting on day d)."""
    paths, n_orders = join_at.shape
    out = np.zeros((paths, days + 1))
    # joins at time x count from day ⌈x⌉; orders that never join (inf) fall off the end
    day = np.clip(np.ceil(join_at), 0, days).astype(np.int64)
    rows = np.repeat(np.arange(paths), n_orders)
    np.add.at(out, (rows, day.ravel()), size.ravel())
    return cumsum_rows(out, out=out)[:, :-1]


def wait_for(backlog: FloatArray, capacity: FloatArray, later: FloatArray | None = None,
             ahead: FloatArray | None = None) -> FloatArray:  # fmt: skip
    """[P, T]: days from the start of each day until the line starts on an order joining
    then: its ``backlog`` made at the line's capacity. Work left at the end of the
    horizon — behind ``ahead`` [P], work that goes first then — is made at ``later``
    [P, E], the line's capacity on the days after the horizon (a line that starts or
    ramps up later keeps its schedule), or without it at the last day's capacity for ever
    (the line as it stands, a fluid extrapolation): a late order's wait does not shrink
    because the horizon ends. ``inf`` where that capacity never makes it."""
    made_before = cumulative(capacity)
    level = made_before[:, :-1] + backlog
    ready = time_of(made_before, capacity, level, begin=True)
    days = capacity.shape[1]
    left = level - made_before[:, -1:]
    if ahead is not None:
        left = left + ahead[:, None]
    beyond = np.isinf(ready)
    if later is None:
        last = capacity[:, -1:]
        after = days + left / np.where(last > 0, last, 1.0)
        ready = np.where(beyond & (last > 0), after, ready)
    else:
        after = days + time_of(cumulative(later), later, np.maximum(left, 0.0), begin=True)
        ready = np.where(beyond, after, ready)
    return ready - np.arange(days)[None, :]
