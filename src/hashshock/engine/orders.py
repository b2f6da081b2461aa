"""New-machine orders: on which day each order arrives on each path, if at all, and
the customs storage of the orders held at the border."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from hashshock.engine.eventpaths import EventPaths
from hashshock.engine.output import EngineOutput
from hashshock.plan.draws import EventDraws
from hashshock.plan.kinds import kinds_tagged
from hashshock.plan.model import Plan
from hashshock.streams import RandomTree

IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

NOT_ARRIVING = -1


@dataclass
class OrderPaths:
    """``arrival_day`` [O, P] (−1: cancelled), customs hold ``[hold_start, hold_end)`` [O, P]."""

    arrival_day: IntArray
    hold_start: IntArray
    hold_end: IntArray
    cancelled: NDArray[np.bool_]

    @classmethod
    def realise(
        cls, plan: Plan, events: EventPaths, paths: int, rng: RandomTree,
        ship_day: IntArray | None = None,
    ) -> OrderPaths:  # fmt: skip
        """Each order's path: disrupted (delayed or cancelled), shipped, perhaps held at
        customs. ``ship_day`` [O, P] (−1: never ships) replaces the first two steps — an
        industry's vendor queues decide it (:mod:`hashshock.industry.vendors`)."""
        if ship_day is None:
            join_day, cancelled = order_demand(plan, events, paths, rng)
            ship_day = own_ship_day(plan, events, join_day)
        else:
            cancelled = ship_day < 0
        n_orders = len(plan.order_count)
        arrival = np.full((n_orders, paths), NOT_ARRIVING, dtype=np.int64)
        hold_start = np.zeros((n_orders, paths), dtype=np.int64)
        hold_end = np.zeros((n_orders, paths), dtype=np.int64)
        for o in range(n_orders):
            vendor = int(plan.order_vendor[o])
            day = ship_day[o]
            held, extra = events.customs_holds(
                rng.key("orders", o),
                day[:, None],
                np.array([vendor]),
                (plan.vendor_machines_origin[vendor],),
                (plan.site_countries[int(plan.cohort_site[plan.order_cohort[o]])],),
                "machines",
            )
            hold_start[o] = np.where(held[:, 0], day, 0)
            hold_end[o] = np.where(held[:, 0], day + extra[:, 0], 0)
            arrival[o] = np.where(cancelled[o], NOT_ARRIVING, day + extra[:, 0])
        return cls(arrival, hold_start, hold_end, cancelled)

    def first_hold_day(self, horizon: int) -> IntArray:
        """[P]: first day within ``horizon`` days an order reached customs and was held
        (−1: never)."""
        if self.hold_start.size == 0:
            return np.full(self.hold_start.shape[1], -1, dtype=np.int64)
        held = (self.hold_end > self.hold_start) & ~self.cancelled & (self.hold_start < horizon)
        days = np.where(held, self.hold_start, np.iinfo(np.int64).max)
        first = days.min(axis=0)
        return np.where(first == np.iinfo(np.int64).max, -1, first)

    def book_storage(self, counts: IntArray, horizon: int, out: EngineOutput) -> None:
        """Ordered machines (``counts`` [O]) held at the border count as customs storage
        too: each hold's start and end go into ``out.storage_unit_days`` as the kernels'
        lots do (:func:`hashshock.engine.customs.book_hold`), and the machine-days held
        inside the ``horizon`` into ``out.customs_held_unit_days``."""
        paths = np.arange(self.hold_start.shape[1])
        for o, count in enumerate(counts):
            start, end = self.hold_start[o], np.minimum(self.hold_end[o], horizon)
            held = (end > start) & (start < horizon) & ~self.cancelled[o]
            if not held.any():
                continue
            p = paths[held]
            np.add.at(out.storage_unit_days, (p, start[held]), count)
            closing = held & (end < horizon)
            np.add.at(out.storage_unit_days, (paths[closing], end[closing]), -count)
            out.customs_held_unit_days[held] += count * (end[held] - start[held])

    def held_on(self, day: int, counts: IntArray) -> IntArray:
        """[P]: machines sitting at customs on ``day``."""
        held = (self.hold_start <= day) & (day < self.hold_end) & ~self.cancelled
        return np.asarray((held * counts[:, None]).sum(axis=0), dtype=np.int64)


def lead_extra_at(events: EventDraws, day: IntArray, vendor: int) -> IntArray:
    """Extra lead days from ``lead_time_change`` events on ``vendor``'s machines active on
    each path's ``day`` (``day``: [P] or [P, T])."""
    extra = np.zeros_like(day)
    for e in events.indices(kinds_tagged("machine_lead")):
        event = events.events[e]
        if event.vendor_mask[vendor] and "machines" in event.shipments:
            extra += np.where(events.active(e, day), int(event.params["extra_days"]), 0)
    return extra


def order_demand(
    plan: Plan, events: EventPaths, paths: int, rng: RandomTree
) -> tuple[IntArray, BoolArray]:
    """Each order's day [O, P] once the scenario's ``order_disruption`` events have
    delayed it (from its due day), and whether they cancelled it [O, P]: the day an
    order asks its vendor to ship."""
    n_orders = len(plan.order_count)
    join_day = np.zeros((n_orders, paths), dtype=np.int64)
    cancelled = np.zeros((n_orders, paths), dtype=bool)
    for o in range(n_orders):
        vendor = int(plan.order_vendor[o])
        day = np.full(paths, int(plan.order_due_day[o]), dtype=np.int64)
        for e in events.indices(kinds_tagged("order_disruption")):
            event = events.events[e]
            if not event.vendor_mask[vendor]:
                continue
            act = events.active(e, day)
            u_cancel, u_delay, u_days = rng.per_path(
                "orders", f"order-{o}/{event.group}/{event.name}", paths, 3, events.first_path
            )
            delay = event.dists["delay_days"].quantile(u_days)
            cancelled[o] |= act & (u_cancel < event.params["cancel_probability"])
            day = day + np.where(act & (u_delay < event.params["delay_probability"]), delay, 0)
        join_day[o] = day
    return join_day, cancelled


def own_ship_day(plan: Plan, events: EventPaths, join_day: IntArray) -> IntArray:
    """[O, P]: the day each order ships with no queue — its ``join_day`` plus the extra
    lead days of ``lead_time_change`` events on machines active then."""
    ship_day = join_day.copy()
    for o, vendor in enumerate(plan.order_vendor):
        ship_day[o] += lead_extra_at(events, join_day[o], int(vendor))
    return ship_day


@dataclass
class OrderDemand:
    """Each order's day it asks to ship [O, P] (its due day after disruptions), whether
    a disruption cancelled it [O, P], and the day it ships with no queue [O, P]."""

    join_day: IntArray
    cancelled: BoolArray
    own_ship_day: IntArray


def demand_paths(plan: Plan, paths: int, seed: int, events_seed: int | None = None) -> OrderDemand:
    """The orders of ``plan`` before shipping, with the random numbers
    :func:`hashshock.engine.simulate` would use for the same seeds."""
    rng = RandomTree(seed)
    events_rng = rng if events_seed is None else RandomTree(events_seed)
    events = EventPaths.realise(plan.events, paths, events_rng)
    join_day, cancelled = order_demand(plan, events, paths, rng)
    return OrderDemand(join_day, cancelled, own_ship_day(plan, events, join_day))
