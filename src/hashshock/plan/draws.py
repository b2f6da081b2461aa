"""The plan's events drawn on every path: whether, when, and for how long.

Events in one group share the uniforms that decide occurrence, start and duration,
so they happen together; the uniforms are keyed by group name, so the same group in
two scenarios happens on the same paths (common random numbers), and path *i* takes
its own three uniforms whatever the number of paths. The engine acts on these draws
(:class:`hashshock.engine.eventpaths.EventPaths`) and so does the money layer (the
days new supply is cut), from the same streams.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Self

import numpy as np
from numpy.typing import NDArray

from hashshock.plan.model import EventPlan
from hashshock.streams import RandomTree

IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

#: End day used for events that last past the horizon.
NEVER = np.iinfo(np.int64).max // 4


@dataclass
class EventDraws:
    """Per event: ``occurs`` [E, P], ``start`` [E, P] and ``end`` [E, P] (exclusive) days,
    on the run's paths ``first_path`` … ``first_path + P − 1``."""

    events: tuple[EventPlan, ...]
    occurs: BoolArray
    start: IntArray
    end: IntArray
    first_path: int = 0

    @classmethod
    def realise(
        cls, events: tuple[EventPlan, ...], paths: int, rng: RandomTree, first_path: int = 0
    ) -> Self:
        """The events on paths ``first_path`` … ``first_path + paths − 1``."""
        occurs = np.zeros((len(events), paths), dtype=bool)
        start = np.zeros((len(events), paths), dtype=np.int64)
        end = np.full((len(events), paths), NEVER, dtype=np.int64)
        uniforms: dict[str, np.ndarray] = {}
        for e, event in enumerate(events):
            if event.group not in uniforms:
                uniforms[event.group] = rng.per_path("events", event.group, paths, 3, first_path)
            u_occ, u_start, u_dur = uniforms[event.group]
            occurs[e] = u_occ < event.probability
            start[e] = event.start.quantile(u_start)
            if event.end_day is not None:
                end[e] = event.end_day
            elif event.duration is not None:
                end[e] = event.end_of(start[e], event.duration.quantile(u_dur))
        return cls(events, occurs, start, end, first_path)

    def indices(self, kinds: str | tuple[str, ...]) -> list[int]:
        """The events of ``kinds`` (one kind or several, e.g. ``kinds_tagged(tag)``)."""
        wanted = (kinds,) if isinstance(kinds, str) else kinds
        return [e for e, ev in enumerate(self.events) if ev.kind in wanted]

    def any_active(self, kinds: str | tuple[str, ...], day: int) -> bool:
        """Is any event of ``kinds`` active on ``day`` on some path? (Lets the caller skip
        work.)"""
        return any(bool(self.active(e, day).any()) for e in self.indices(kinds))

    def days_touched(self, kinds: str | tuple[str, ...], horizon: int) -> BoolArray:
        """[horizon]: days from the start to the end day (inclusive) of an event of
        ``kinds`` on some path: the days the driver must handle it."""
        touched = np.zeros(horizon + 1, np.int64)
        for e in self.indices(kinds):
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

    def kinds_active(
        self, kinds: tuple[str, ...], vendor_mask_index: int, horizon: int
    ) -> BoolArray:
        """[P, horizon]: days on which an event of one of ``kinds`` hitting vendor
        ``vendor_mask_index`` is active on each path."""
        paths = self.occurs.shape[1]
        out = np.zeros((paths, horizon), dtype=bool)
        days = np.broadcast_to(np.arange(horizon), (paths, horizon))
        for e, event in enumerate(self.events):
            if event.kind in kinds and event.vendor_mask[vendor_mask_index]:
                out |= self.active(e, days)
        return out
