"""Scenario events as SimPy processes (docs/model.md "Events and randomness").

Each event happens on a path with its ``probability``, starts on a day drawn from
``start`` and lasts ``duration`` days, until ``end_day`` (exclusive) or the horizon.
Events of one ``group`` share the three uniforms for occurrence, start and duration.
An event's process raises its *active* flag at the start (phase ``EVENTS``) and lowers
it at the end; the rest of the model asks :meth:`ScenarioState.active` what applies
now and registers hooks for the start and end (remote disable).
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass

import numpy as np
import simpy
from tests.reference import timing

from hashshock.plan import EventPlan, Plan


@dataclass
class EventWindow:
    """One event on one path: whether it happens and its days ``[start, end)``."""

    index: int
    event: EventPlan
    occurs: bool
    start: int
    end: int  # exclusive; timing.NEVER if it lasts to the horizon


Hook = Callable[[EventWindow], None]


class ScenarioState:
    """The events of one path: draws, processes and "what is active now" queries."""

    def __init__(self, env: simpy.Environment, plan: Plan, rng: np.random.Generator) -> None:
        self.env = env
        self.plan = plan
        uniforms: dict[str, np.ndarray] = {}
        self.windows: list[EventWindow] = []
        for index, event in enumerate(plan.events):
            if event.group not in uniforms:
                uniforms[event.group] = rng.random(3)
            u_occur, u_start, u_duration = uniforms[event.group]
            start = int(event.start.quantile(np.array([u_start]))[0])
            if event.end_day is not None:
                end = int(event.end_day)
            elif event.duration is not None:
                end = start + int(event.duration.quantile(np.array([u_duration]))[0])
            else:
                end = timing.NEVER
            occurs = bool(u_occur < event.probability) and end > start
            self.windows.append(EventWindow(index, event, occurs, start, end))
        self._active = [False] * len(self.windows)
        self.on_start: dict[str, list[Hook]] = {}
        self.on_end: dict[str, list[Hook]] = {}

    def start(self) -> None:
        """Start one process per event that happens on this path."""
        for window in self.windows:
            if window.occurs:
                self.env.process(self._lifetime(window))

    def _lifetime(self, window: EventWindow) -> Generator[simpy.Event, object, None]:
        yield timing.until(self.env, window.start, timing.EVENTS)
        self._active[window.index] = True
        for hook in self.on_start.get(window.event.kind, []):
            hook(window)
        if window.end >= timing.NEVER:
            return
        yield timing.until(self.env, window.end, timing.EVENTS)
        self._active[window.index] = False
        for hook in self.on_end.get(window.event.kind, []):
            hook(window)

    def active(
        self,
        kind: str,
        vendor: int,
        part: int | None = None,
        shipment: str | None = None,
        origin: str | None = None,
        day: int | None = None,
        bound: str | None = None,
    ) -> list[EventWindow]:
        """Active events of ``kind`` that hit ``vendor`` (and part, shipment, origin).

        ``day``: the events that will be active on that day instead of now (read from
        the drawn windows; only the engine-approximation option uses this).
        """
        hits = []
        for window in self.windows:
            event = window.event
            if day is None:
                active = self._active[window.index]
            else:
                active = window.occurs and window.start <= day < window.end
            if not active or event.kind != kind:
                continue
            if not event.vendor_mask[vendor]:
                continue
            if part is not None and not event.part_mask[part]:
                continue
            if shipment is not None and event.shipments and shipment not in event.shipments:
                continue
            if origin is not None and event.origins is not None and origin not in event.origins:
                continue
            if (
                bound is not None
                and event.destinations is not None
                and (bound not in event.destinations)
            ):
                continue
            hits.append(window)
        return hits

    def extra_days(self, kind: str, vendor: int, **match: object) -> int:
        """Sum of ``extra_days`` of the active events of ``kind`` that match."""
        windows = self.active(kind, vendor, **match)  # type: ignore[arg-type]
        return sum(int(w.event.params["extra_days"]) for w in windows)
