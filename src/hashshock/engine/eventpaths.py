"""Scenario events realised on every path: whether, when, and for how long.

Events in one group share the uniforms that decide occurrence, start and
duration, so they happen together; the uniforms are keyed by group name, so
the same group in two scenarios happens on the same paths (common random numbers).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

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

    def pool_mask(
        self, kind: str, day: int, pool_vendor: IntArray, pool_part: IntArray
    ) -> BoolArray:
        """[P, J]: an event of ``kind`` acting on each pool's vendor and part is active."""
        mask = np.zeros((self.occurs.shape[1], len(pool_vendor)), dtype=bool)
        for e in self.indices(kind):
            event = self.events[e]
            hits = event.vendor_mask[pool_vendor] & event.part_mask[pool_part]
            if hits.any():
                mask |= self.active(e, day)[:, None] & hits[None, :]
        return mask

    def pool_extra_days(
        self,
        kind: str,
        day: int,
        pool_vendor: IntArray,
        pool_part: IntArray | None = None,
        shipment: str | None = None,
    ) -> IntArray:
        """[P, J]: extra days from active events of ``kind`` (summed) for each pool."""
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

    def customs_holds(
        self,
        rng: np.random.Generator,
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
        (e.g. something ships) are considered. Returns (held, extra_days).
        """
        held = np.zeros(border_day.shape, dtype=bool)
        extra = np.zeros(border_day.shape, dtype=np.int64)
        events = [e for e in self.indices("customs_hold")
                  if shipment in self.events[e].shipments]  # fmt: skip
        if not events:
            return held, extra
        paths, cols = (
            np.nonzero(lots) if lots is not None else np.indices(border_day.shape).reshape(2, -1)
        )
        if paths.size == 0:
            return held, extra
        days = border_day[paths, cols]
        origin_of_col = np.array(lot_origin)
        for e in events:
            event = self.events[e]
            hits = event.vendor_mask[lot_vendor[cols]]
            if event.origins is not None:
                hits &= np.isin(origin_of_col[cols], event.origins)
            hits &= (
                self.occurs[e, paths] & (self.start[e, paths] <= days) & (days < self.end[e, paths])
            )
            n_candidates = int(hits.sum())
            if not n_candidates:
                continue
            this = rng.random(n_candidates) < event.params["hold_probability"]
            n_held = int(this.sum())
            if not n_held:
                continue
            p_held, c_held = paths[hits][this], cols[hits][this]
            held[p_held, c_held] = True
            extra[p_held, c_held] = np.maximum(
                extra[p_held, c_held], event.dists["hold_days"].sample(rng, n_held)
            )
        return held, extra
