"""Customs holds on lots: which lots reaching the border are held, for how long, and
the storage they are booked for.

A lot of column ``w`` (a pool's repairs or spares, or a machine order) reaching the
border on a day when a ``customs_hold`` event that may hold it is active is held
with the event's probability, for a draw from its hold lengths (``docs/model.md``).
Repairs and shipments decide their lots in their passes (:mod:`hashshock.engine.
repairs`, :mod:`hashshock.engine.supply`); machine orders are decided before the run
(:func:`customs_holds`, :mod:`hashshock.engine.orders`).
"""

from __future__ import annotations

import numpy as np

from hashshock.engine.arrays import HoldDecisions, Holds, Record
from hashshock.engine.jit import I64, compiled
from hashshock.engine.kernel_random import cell_stream, path_stream, table_sample, uniform


@compiled(inline=True)
def customs_cell(path_base: np.uint64, p: int, w: int, day: int, holds: Holds) -> tuple[bool, int]:
    """Customs decision on column ``w``'s lot of path ``p`` reaching the border on ``day``
    (``path_base`` from :func:`path_stream`): (held, extra days).

    Event ``e`` (row of ``holds.hits`` [E, W], ``occurs``/``start``/``end`` [E, P]) can
    hold the lot if it may hold column ``w`` and is active on ``day``; it then holds it
    with ``probability[e]`` for a draw from its row of the delay tables. A lot held by
    several events waits for the longest.
    """
    hits, occurs, start, end = holds.hits, holds.occurs, holds.start, holds.end
    tables = holds.days
    base = cell_stream(path_base, w)
    held = False
    extra = 0
    for e in range(hits.shape[0]):
        if not (hits[e, w] and occurs[e, p] and start[e, p] <= day < end[e, p]):
            continue
        if uniform(base, 2 * e) <= holds.probability[e]:
            held = True
            days = table_sample(tables, e, uniform(base, 2 * e + 1))
            extra = max(extra, days)
    return held, extra


@compiled(inline=True)
def book_hold(
    p: int, border: int, extra: int, units: int, storage_share: float, horizon: int,
    record: Record,
) -> None:  # fmt: skip
    """Book a lot of ``units`` parts held at the border from day ``border`` for ``extra``
    days: the days it is held inside the horizon count as storage, each part as
    ``storage_share`` of a machine (``storage_unit_days``, in machine-days, holds the
    day-to-day changes until :func:`hashshock.engine.core` sums them; machine orders book
    theirs in :mod:`hashshock.engine.orders`), and the hold is the customs stage's first
    day if it is the earliest. A hold that starts after the horizon books nothing."""
    if border >= horizon:
        return
    if record.first_customs[p] < 0 or border < record.first_customs[p]:
        record.first_customs[p] = border
    end = min(border + extra, horizon)
    record.held_unit_days[p] += units * (end - border)
    record.storage_unit_days[p, border] += units * storage_share
    if end < horizon:
        record.storage_unit_days[p, end] -= units * storage_share


@compiled()
def customs_holds(
    key: np.uint64, border_day: I64, holds: Holds, out: HoldDecisions, first_path: int
) -> None:
    """:func:`customs_cell` for every lot [P, W] reaching the border on ``border_day``,
    into ``out``; row p draws from the run's path ``first_path + p`` (a kernel over all
    paths, serial: see :mod:`hashshock.engine.rings`)."""
    for p in range(border_day.shape[0]):
        path_base = path_stream(key, p + first_path)
        for w in range(border_day.shape[1]):
            out.held[p, w], out.extra[p, w] = customs_cell(path_base, p, w, border_day[p, w], holds)
