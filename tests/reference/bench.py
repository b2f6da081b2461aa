"""A site's finite in-house repair bench (docs/model.md, *Repair bench*), in SimPy.

The bench is a ``simpy.Resource(capacity=k)`` in an environment of its own whose clock is
continuous days since day 0 (bench time). The parts repaired in-house at the site on day
*d* arrive at times *d* + *u*, *u* uniform on the day, first come first served; each
holds a technician for a service time drawn from the bench's distribution (whole days
from a ``DayDistribution``, or exponential) and is back on its pool's shelf at the
arrivals of day max(⌊finish⌋, *d* + 1).

Why an environment of its own: that return day comes *before* the finish in continuous
time (day ⌊finish⌋ begins before the finish), so a part's return must be known when its
service starts, not when it ends. Every day the bench environment runs until the last
of the day's parts has started service. First come first served makes that enough: a
part's start depends only on the parts that arrived before it. A part arriving at a
bench time the environment has already passed (it ran on to start an earlier part
that waited) finds every technician busy until at least then, so requesting at once
gives the same start; its wait is counted from its own arrival time.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

import numpy as np
import simpy

from hashshock.dists import Exponential
from hashshock.plan.model import BenchPlan


@dataclass
class Admitted:
    """A part that entered the bench: where it returns and the day it is back."""

    item: Any
    back_day: int


class RepairBench:
    """One site's bench: ``technicians`` servers and the service-time distribution."""

    def __init__(self, plan: BenchPlan, rng: np.random.Generator) -> None:
        self.plan = plan
        self.rng = rng
        self.env = simpy.Environment()
        self.technicians = simpy.Resource(self.env, capacity=plan.technicians)
        self.served = 0
        self.waited = 0
        self.days_waited = 0.0

    def _service(self) -> float:
        service = self.plan.service
        if isinstance(service, Exponential):
            return float(self.rng.exponential(service.mean))
        return float(service.sample(self.rng, 1)[0])

    def admit(self, day: int, items: list[Any]) -> list[Admitted]:
        """The parts starting in-house repair at the site on ``day``, in any order: their
        arrival times on the day, sorted, are dealt to them in a random order (they are
        exchangeable); returns each part's return day, once all have started service."""
        times = np.sort(day + self.rng.random(len(items)))
        order = self.rng.permutation(len(items))
        admitted: list[Admitted] = []
        started = []
        for t, i in zip(times, order, strict=True):
            event = self.env.event()
            started.append(event)
            self.env.process(self._part(float(t), items[int(i)], day, event, admitted))
        self.env.run(until=simpy.AllOf(self.env, started))
        return admitted

    def _part(
        self, arrival: float, item: Any, day: int, started: simpy.Event,
        admitted: list[Admitted],
    ) -> Generator[simpy.Event, object, None]:  # fmt: skip
        yield self.env.timeout(max(0.0, arrival - self.env.now))
        with self.technicians.request() as request:
            yield request
            start = max(self.env.now, arrival)
            service = self._service()
            self.served += 1
            self.waited += int(start > arrival)
            self.days_waited += start - arrival
            admitted.append(Admitted(item, max(math.floor(start + service), day + 1)))
            started.succeed()
            yield self.env.timeout(service)
