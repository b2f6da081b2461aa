"""Scenario events realised on every path: whether, when, and for how long.

Events in one group share the uniforms that decide occurrence, start and
duration, so they happen together; the uniforms are keyed by group name, so
the same group in two scenarios happens on the same paths (common random numbers).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from hashshock.engine import kernels
from hashshock.engine.kernel_random import DelayTables
from hashshock.engine.step import Holds, PoolRule
from hashshock.plan.model import EventPlan
from hashshock.streams import RandomTree

IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

#: End day used for events that last past the horizon.
NEVER = np.iinfo(np.int64).max // 4


@dataclass
class EventPaths:
    """Per event: ``occurs`` [E, P], ``start`` [E, P] and ``end`` [E, P] (exclusive) days."""

    events: tuple[EventPlan, ...]
    occurs: BoolArray
    start: IntArray
    end: IntArray

    @classmethod
    def realise(cls, events: tuple[EventPlan, ...], paths: int, rng: RandomTree) -> EventPaths:
        occurs = np.zeros((len(events), paths), dtype=bool)
        start = np.zeros((len(events), paths), dtype=np.int64)
        end = np.full((len(events), paths), NEVER, dtype=np.int64)
        uniforms: dict[str, np.ndarray] = {}
        for e, event in enumerate(events):
            if event.group not in uniforms:
                uniforms[event.group] = rng.per_path("events", event.group, paths, 3)
            u_occ, u_start, u_dur = uniforms[event.group]
            occurs[e] = u_occ < event.probability
            start[e] = event.start.quantile(u_start)
            if event.end_day is not None:
                end[e] = event.end_day
            elif event.duration is not None:
                end[e] = start[e] + event.duration.quantile(u_dur)
        return cls(events, occurs, start, end)

    def indices(self, kind: str) -> list[int]:
        return [e for e, ev in enumerate(self.events) if ev.kind == kind]

    def any_active(self, kind: str, day: int) -> bool:
        """Is any event of ``kind`` active on ``day`` on some path? (Lets the caller skip work.)"""
        return any(bool(self.active(e, day).any()) for e in self.indices(kind))

    def days_touched(self, kind: str, horizon: int) -> BoolArray:
        """[horizon]: days from the start to the end day (inclusive) of an event of
        ``kind`` on some path: the days the driver must handle it."""
        touched = np.zeros(horizon + 1, np.int64)
        for e in self.indices(kind):
            on = self.occurs[e]
            first = np.clip(self.start[e][on], 0, horizon)
            last = np.clip(self.end[e][on], -1, horizon - 1) + 1
            keep = first < last
            np.add.at(touched, first[keep], 1)
            np.add.at(touched, last[keep], -1)
        return np.cumsum(touched[:horizon]) > 0

    def active(self, e: int, day: int | IntArray) -> BoolArray:
        """Is event ``e`` active on ``day`` (scalar, or an array whose first axis is paths)?"""
        day_arr = np.asarray(day)
        shape = (-1,) + (1,) * max(0, day_arr.ndim - 1)
        occurs = self.occurs[e].reshape(shape)
        start = self.start[e].reshape(shape)
        end = self.end[e].reshape(shape)
        return np.asarray(occurs & (start <= day_arr) & (day_arr < end))

    def pool_rule(
        self,
        kind: str,
        pool_vendor: IntArray,
        pool_part: IntArray | None = None,
        shipment: str | None = None,
    ) -> PoolRule:
        """Events of ``kind`` acting on each pool's vendor (and part, if given), and on
        ``shipment`` if given: amount 1 for stops, ``extra_days`` for delays."""
        rows, amounts = [], []
        for e in self.indices(kind):
            event = self.events[e]
            if shipment is not None and event.shipments and shipment not in event.shipments:
                continue
            hits = event.vendor_mask[pool_vendor]
            if pool_part is not None:
                hits = hits & event.part_mask[pool_part]
            if hits.any():
                rows.append(e)
                amounts.append(hits * int(event.params.get("extra_days", 1)))
        amount = np.array(amounts, np.int64).reshape(len(rows), len(pool_vendor))
        return PoolRule(np.array(rows, np.int64), amount)

    def holds(self, shipment: str, lot_vendor: IntArray, lot_origin: tuple[str, ...]) -> Holds:
        """The ``customs_hold`` events that may hold ``shipment`` lots of each column
        (vendor ``lot_vendor[w]``, origin ``lot_origin[w]``); no rows when none can
        happen on any path."""
        events = [e for e in self.indices("customs_hold")
                  if shipment in self.events[e].shipments]  # fmt: skip
        if not any(bool(self.occurs[e].any()) for e in events):
            events = []
        origin_of_col = np.array(lot_origin)
        hits = np.zeros((len(events), len(lot_vendor)), dtype=bool)
        for row, e in enumerate(events):
            event = self.events[e]
            hits[row] = event.vendor_mask[lot_vendor]
            if event.origins is not None:
                hits[row] &= np.isin(origin_of_col, event.origins)
        paths = self.occurs.shape[1]
        return Holds(
            hits,
            self.occurs[events].reshape(len(events), paths),
            self.start[events].reshape(len(events), paths),
            self.end[events].reshape(len(events), paths),
            np.array([self.events[e].params["hold_probability"] for e in events], np.float64),
            DelayTables.of([self.events[e].dists["hold_days"] for e in events]),
        )

    def customs_holds(
        self,
        key: np.uint64,
        border_day: IntArray,
        lot_vendor: IntArray,
        lot_origin: tuple[str, ...],
        shipment: str,
    ) -> tuple[BoolArray, IntArray]:
        """Decide holds for lots [P, W] reaching the border on ``border_day`` [P, W].

        Each active, matching ``customs_hold`` event holds a lot with its
        ``hold_probability`` and adds a draw from its ``hold_days``; a lot held
        by several events waits for the longest. Random numbers come from the kernel
        streams under ``key`` (one per lot). Returns (held, extra_days).
        """
        held = np.zeros(border_day.shape, dtype=bool)
        extra = np.zeros(border_day.shape, dtype=np.int64)
        rules = self.holds(shipment, lot_vendor, lot_origin)
        if len(rules.probability) == 0:
            return held, extra
        kernels.customs_holds(
            key, np.ascontiguousarray(border_day, dtype=np.int64),
            np.ones(border_day.shape, np.int64), rules.hits, rules.occurs, rules.start,
            rules.end, rules.probability, rules.days.values, rules.days.cdf,
            rules.days.length, held, extra,
        )  # fmt: skip
        return held, extra
