"""Repair loop, spare-part replenishment and machine orders (docs/model.md).

* Repair loop: every failed part is routed the day it fails — scrapped with
  probability *s*, repaired in-house with probability *i*, otherwise sent to the
  vendor (out-transit + turnaround + extra + return transit, then clearance and any
  customs hold if the route crosses a border). Each part draws its own delay. A
  closed repair centre keeps vendor-bound parts in a backlog; a parts-supply stop
  keeps in-house repairs that need vendor components in a backlog; both are released
  on the first day the blocking events are over. At a site with a repair bench the
  in-house repairs queue for its technicians (:mod:`tests.reference.bench`).
* Replenishment: base stock, daily review, one lot per pool and day; while the
  vendor ships nothing the orders wait and leave as one lot when it ships again.
* Machine orders: one lot due on ``due_date``; disruption, extra lead time and
  customs decided on the due day / at the border.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

import simpy
from tests.reference import timing
from tests.reference.bench import RepairBench
from tests.reference.entities import Lot, Part, Pool, State

if TYPE_CHECKING:
    from tests.reference.sim import PathSimulation

Process = Generator[simpy.Event, object, None]

#: Part axis index of the hashboard (PART_TYPES order).
HASHBOARD = 0


class RepairShop:
    """Routes failed parts every day and runs one process per part in repair."""

    def __init__(self, sim: PathSimulation) -> None:
        self.sim = sim
        benches = enumerate(sim.plan.site_bench)
        self.benches = {s: RepairBench(b, sim.rng) for s, b in benches if b is not None}
        self._to_bench: dict[int, list[tuple[Pool, Part]]] = {}

    def daily(self) -> Process:
        env = self.sim.env
        for day in range(self.sim.horizon):
            yield timing.until(env, day, timing.ROUTING)
            for pool in self.sim.pools:
                self._route(pool, day)
            for site, items in self._to_bench.items():
                for admitted in self.benches[site].admit(day, list(items)):
                    pool, part = admitted.item
                    env.process(self._back_from_bench(pool, part, admitted.back_day))
            self._to_bench = {}

    def _route(self, pool: Pool, day: int) -> None:
        sim = self.sim
        route = sim.plan.routes[pool.part]
        supply_stopped = bool(sim.scenario.active("parts_supply_stop", pool.vendor, pool.part))
        centre_closed = bool(sim.scenario.active("repair_centre_closed", pool.vendor, pool.part))
        to_vendor: list[Part] = []
        if not centre_closed:
            to_vendor, pool.vendor_backlog = pool.vendor_backlog, []
        if not supply_stopped:
            for part in pool.in_house_backlog:
                self._start_in_house(pool, part)
            pool.in_house_backlog = []
        for part in pool.failed_today:
            u = sim.rng.random()
            if u < route.scrap_share:
                sim.scrapped[pool.part] += 1
            elif u < route.scrap_share + route.in_house_share:
                if route.in_house_needs_vendor_parts and supply_stopped:
                    pool.in_house_backlog.append(part)
                else:
                    self._start_in_house(pool, part)
            elif centre_closed:
                pool.vendor_backlog.append(part)
            else:
                to_vendor.append(part)
        pool.failed_today = []
        if to_vendor:
            origin = sim.plan.vendor_parts_origin[pool.vendor]
            lot = Lot(sim, "repairs", pool.vendor, origin, pool.site)
            extra = sim.scenario.extra_days("repair_turnaround_change", pool.vendor,
                                            part=pool.part)  # fmt: skip
            mean_return = None
            if sim.repair_holds_at_mean_return:
                transit = int(sim.plan.vendor_transit_days[pool.vendor])
                turnaround = sim.plan.routes[pool.part].vendor_turnaround_days.mean + extra
                mean_return = day + 2 * transit + round(turnaround)
            for part in to_vendor:
                pool.vendor_pipeline += 1
                sim.env.process(self._vendor_repair(pool, part, lot, day, extra, mean_return))

    def _start_in_house(self, pool: Pool, part: Part) -> None:
        pool.in_house += 1
        if pool.site in self.benches:
            self._to_bench.setdefault(pool.site, []).append((pool, part))
        else:
            self.sim.env.process(self._in_house_repair(pool, part))

    def _back_from_bench(self, pool: Pool, part: Part, day: int) -> Process:
        yield timing.until(self.sim.env, day, timing.ARRIVALS)
        pool.in_house -= 1
        yield pool.shelf.put(part)

    def _in_house_repair(self, pool: Pool, part: Part) -> Process:
        sim = self.sim
        days = int(sim.plan.routes[pool.part].in_house_days.sample(sim.rng, 1)[0])
        yield timing.until(sim.env, timing.today(sim.env) + days, timing.ARRIVALS)
        pool.in_house -= 1
        yield pool.shelf.put(part)

    def _vendor_repair(
        self, pool: Pool, part: Part, lot: Lot, sent: int, extra: int, mean_return: int | None
    ) -> Process:
        """One part's vendor round trip; ``mean_return``: decide customs on that day."""
        sim = self.sim
        route = sim.plan.routes[pool.part]
        transit = int(sim.plan.vendor_transit_days[pool.vendor])
        turnaround = max(0, int(route.vendor_turnaround_days.sample(sim.rng, 1)[0]) + extra)
        border = sent + transit + turnaround + transit
        yield timing.until(sim.env, border, timing.ARRIVALS)
        if pool.crosses_border:
            hold = lot.hold_days(mean_return)
            if hold:
                yield from sim.held_at_customs(1, hold, recorded_day=mean_return)
            clearance = int(sim.plan.vendor_clearance_days[pool.vendor])
            yield timing.until(sim.env, timing.today(sim.env) + clearance, timing.ARRIVALS)
        pool.vendor_pipeline -= 1
        yield pool.shelf.put(part)


class Replenishment:
    """Base-stock ordering per pool and the spare-part shipments."""

    def __init__(self, sim: PathSimulation) -> None:
        self.sim = sim

    def daily(self) -> Process:
        sim = self.sim
        for day in range(sim.horizon):
            yield timing.until(sim.env, day, timing.REPLENISH)
            backorders = sim.pool_backorders()
            for pool in sim.pools:
                if sim.plan.replenish:
                    position = pool.on_hand + pool.in_house + len(pool.in_house_backlog)
                    position += pool.vendor_pipeline + pool.on_order + pool.in_transfer
                    position -= int(backorders[pool.index])
                    quantity = pool.target - position
                    if quantity > 0:
                        pool.on_order += quantity
                        pool.order_backlog += quantity
                        sim.ordered[pool.part] += quantity
                stopped = sim.scenario.active("parts_supply_stop", pool.vendor, pool.part)
                if pool.order_backlog and not stopped:
                    sim.env.process(self._shipment(pool, pool.order_backlog, day))
                    pool.order_backlog = 0

    def _shipment(self, pool: Pool, quantity: int, shipped: int) -> Process:
        sim = self.sim
        vendor = pool.vendor
        lead = int(sim.plan.vendor_parts_lead[vendor].sample(sim.rng, 1)[0])
        lead += sim.scenario.extra_days("lead_time_change", vendor, shipment="parts")
        border = shipped + max(0, lead) + int(sim.plan.vendor_transit_days[vendor])
        yield timing.until(sim.env, border, timing.ARRIVALS)
        lot = Lot(sim, "parts", vendor, sim.plan.vendor_parts_origin[vendor], pool.site)
        hold = lot.hold_days()
        if hold:
            yield from sim.held_at_customs(quantity, hold)
        clearance = int(sim.plan.vendor_clearance_days[vendor])
        yield timing.until(sim.env, timing.today(sim.env) + clearance, timing.ARRIVALS)
        pool.on_order -= quantity
        for _ in range(quantity):
            yield pool.shelf.put(Part(pool.index))


class MachineOrders:
    """One process per open machine order (docs/model.md "Machine orders")."""

    def __init__(self, sim: PathSimulation) -> None:
        self.sim = sim

    def start(self) -> None:
        plan = self.sim.plan
        for order in range(len(plan.order_cohort)):
            self.sim.env.process(self._order(order))

    def _order(self, order: int) -> Process:
        sim = self.sim
        plan = sim.plan
        vendor = int(plan.order_vendor[order])
        machines = sim.order_machines[order]
        due = max(0, int(plan.order_due_day[order]))
        yield timing.until(sim.env, due, timing.ARRIVALS)
        delay = 0
        for window in sim.scenario.active("order_disruption", vendor):
            params = window.event.params
            if sim.rng.random() < params["cancel_probability"]:
                for machine in machines:
                    machine.state = State.CANCELLED
                sim.order_cancelled[order] = True
                return
            if sim.rng.random() < params["delay_probability"]:
                delay += int(window.event.dists["delay_days"].sample(sim.rng, 1)[0])
        delay += sim.scenario.extra_days("lead_time_change", vendor, shipment="machines")
        yield timing.until(sim.env, due + max(0, delay), timing.ARRIVALS)
        site = int(plan.cohort_site[plan.order_cohort[order]])
        lot = Lot(sim, "machines", vendor, plan.vendor_machines_origin[vendor], site)
        hold = lot.hold_days()
        if hold:
            for machine in machines:
                machine.state = State.HELD
            yield from sim.held_at_customs(len(machines), hold)
        sim.order_arrival_day[order] = timing.today(sim.env)
        for machine in machines:
            machine.start_running()
