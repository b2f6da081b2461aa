"""Scenario events realised on every path: whether, when, and for how long.

Events in one group share the uniforms that decide occurrence, start and
duration, so they happen together; the uniforms are keyed by group name, so
the same group in two scenarios happens on the same paths (common random numbers).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hashshock.engine import kernels
from hashshock.engine.random import DelayTables
from hashshock.engine.rng import RandomTree
from hashshock.plan.model import EventPlan

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
    # Pool masks by query: (which events were active on which paths, the mask).
    _memo: dict[tuple[object, ...], tuple[bytes, NDArray[np.generic]]] = field(
        default_factory=dict, repr=False, compare=False
    )
    _rules: dict[tuple[object, ...], tuple[BoolArray, NDArray[np.float64], DelayTables]] = field(
        default_factory=dict, repr=False, compare=False
    )

    @classmethod
    def realise(cls, events: tuple[EventPlan, ...], paths: int, rng: RandomTree) -> EventPaths:
        occurs = np.zeros((len(events), paths), dtype=bool)
        start = np.zeros((len(events), paths), dtype=np.int64)
        end = np.full((len(events), paths), NEVER, dtype=np.int64)
        uniforms: dict[str, np.ndarray] = {}
        for e, event in enumerate(events):
            if event.group not in uniforms:
                uniforms[event.group] = rng.named("events", event.group).random((3, paths))
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

    def holds_possible(self, shipment: str) -> bool:
        """Can any ``customs_hold`` event hold shipments of this kind on some path?"""
        return any(
            shipment in self.events[e].shipments and bool(self.occurs[e].any())
            for e in self.indices("customs_hold")
        )

    def active(self, e: int, day: int | IntArray) -> BoolArray:
        """Is event ``e`` active on ``day`` (scalar, or an array whose first axis is paths)?"""
        day_arr = np.asarray(day)
        shape = (-1,) + (1,) * max(0, day_arr.ndim - 1)
        occurs = self.occurs[e].reshape(shape)
        start = self.start[e].reshape(shape)
        end = self.end[e].reshape(shape)
        return np.asarray(occurs & (start <= day_arr) & (day_arr < end))

    def _remembered(
        self, query: tuple[object, ...], kind: str, day: int, build: Callable[[], NDArray[Any]]
    ) -> NDArray[Any]:
        """``build()``, or the array it gave last time for ``query`` if the events of
        ``kind`` are active on the same paths as then (masks change only when an event
        starts or ends). The array is read-only: callers share it."""
        state = np.array([self.active(e, day) for e in self.indices(kind)]).tobytes()
        cached = self._memo.get(query)
        if cached is not None and cached[0] == state:
            return cached[1]
        array = build()
        array.flags.writeable = False
        self._memo[query] = (state, array)
        return array

    def pool_mask(
        self, kind: str, day: int, pool_vendor: IntArray, pool_part: IntArray
    ) -> BoolArray:
        """[P, J]: an event of ``kind`` acting on each pool's vendor and part is active."""

        def build() -> BoolArray:
            mask = np.zeros((self.occurs.shape[1], len(pool_vendor)), dtype=bool)
            for e in self.indices(kind):
                event = self.events[e]
                hits = event.vendor_mask[pool_vendor] & event.part_mask[pool_part]
                if hits.any():
                    mask |= self.active(e, day)[:, None] & hits[None, :]
            return mask

        query = ("mask", kind, pool_vendor.tobytes(), pool_part.tobytes())
        return self._remembered(query, kind, day, build)

    def pool_extra_days(
        self,
        kind: str,
        day: int,
        pool_vendor: IntArray,
        pool_part: IntArray | None = None,
        shipment: str | None = None,
    ) -> IntArray:
        """[P, J]: extra days from active events of ``kind`` (summed) for each pool."""

        def build() -> IntArray:
            extra = np.zeros((self.occurs.shape[1], len(pool_vendor)), dtype=np.int64)
            for e in self.indices(kind):
                event = self.events[e]
                if shipment is not None and event.shipments and shipment not in event.shipments:
                    continue
                hits = event.vendor_mask[pool_vendor]
                if pool_part is not None:
                    hits = hits & event.part_mask[pool_part]
                if hits.any():
                    act = self.active(e, day)[:, None] & hits[None, :]
                    extra += np.where(act, int(event.params["extra_days"]), 0)
            return extra

        parts = None if pool_part is None else pool_part.tobytes()
        query = ("extra", kind, pool_vendor.tobytes(), parts, shipment)
        return self._remembered(query, kind, day, build)

    def customs_holds(
        self,
        key: np.uint64,
        border_day: IntArray,
        lot_vendor: IntArray,
        lot_origin: tuple[str, ...],
        shipment: str,
        lots: BoolArray | None = None,
    ) -> tuple[BoolArray, IntArray]:
        """Decide holds for lots [P, W] reaching the border on ``border_day`` [P, W].

        Each active, matching ``customs_hold`` event holds a lot with its
        ``hold_probability`` and adds a draw from its ``hold_days``; a lot held
        by several events waits for the longest. Only lots where ``lots`` is true
        (e.g. something ships) are considered. Random numbers come from the kernel
        streams under ``key`` (one per lot). Returns (held, extra_days).
        """
        held = np.zeros(border_day.shape, dtype=bool)
        extra = np.zeros(border_day.shape, dtype=np.int64)
        events = [e for e in self.indices("customs_hold")
                  if shipment in self.events[e].shipments]  # fmt: skip
        if not events:
            return held, extra
        hits, probability, tables = self._hold_rules(events, lot_vendor, lot_origin)
        kernels.customs_holds(
            key, np.ascontiguousarray(border_day, dtype=np.int64),
            np.ascontiguousarray(np.ones(border_day.shape, bool) if lots is None else lots),
            hits, self.occurs[events], self.start[events], self.end[events], probability,
            tables.values, tables.cdf, tables.length, held, extra,
        )  # fmt: skip
        return held, extra

    def _hold_rules(
        self, events: list[int], lot_vendor: IntArray, lot_origin: tuple[str, ...]
    ) -> tuple[BoolArray, NDArray[np.float64], DelayTables]:
        """Which of ``events`` may hold each column's lots [E, W], their hold
        probabilities and hold-day tables (the same every day: computed once)."""
        query = (tuple(events), lot_vendor.tobytes(), lot_origin)
        if query not in self._rules:
            origin_of_col = np.array(lot_origin)
            hits = np.zeros((len(events), len(lot_vendor)), dtype=bool)
            for row, e in enumerate(events):
                event = self.events[e]
                hits[row] = event.vendor_mask[lot_vendor]
                if event.origins is not None:
                    hits[row] &= np.isin(origin_of_col, event.origins)
            probability = np.array([self.events[e].params["hold_probability"] for e in events])
            tables = DelayTables.of([self.events[e].dists["hold_days"] for e in events])
            self._rules[query] = (hits, probability, tables)
        return self._rules[query]
