"""Pipelines in their steady state on day 0 (``pipelines_at_start: steady``), by living
through the days before it.

Independent of the engine's closed form (``hashshock.plan.warm``): each path simulates
the history a running fleet has behind it. On every day −H … −1 each pool's parts fail
(Poisson, at day 0's rate: the running machines' working parts at their day-0
intensity), each failed part takes its route (scrap, in-house, vendor) and its own
delay as during the run (:mod:`tests.reference.logistics`), and the day's scrapped
parts are reordered that day as one lot. What has not reached the shelf by the start of
day 0 is in the pipelines. A pool that reorders has ``plan.warm.parts`` on their way
today (the count the fleet's shelf and base-stock level S imply: S − on_hand, its
inventory position being S), so its history is drawn again until its pipelines hold
that many — rejection sampling, the exact conditional; which routes and days they are
on is what the history says. A pool that does not reorder keeps its first history.

The parts on their way then run as the run's own: a vendor repair or a spares lot
reaching the border on day 0 or later meets the customs holds active then.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from tests.reference import timing
from tests.reference.entities import Lot, Part, Pool

from hashshock.plan import Plan

if TYPE_CHECKING:
    from tests.reference.logistics import Process
    from tests.reference.sim import PathSimulation

HASHBOARD = 0
#: Histories drawn for one pool before giving up (a test fleet needs a few dozen).
MAX_TRIES = 100_000


@dataclass
class History:
    """One pool's parts still on their way at the start of day 0."""

    in_house: list[int]  # arrival day of each part
    vendor: list[tuple[int, int]]  # (day sent, border day) of each part
    orders: list[tuple[int, int]]  # (border day, parts) of each lot

    @property
    def parts(self) -> int:
        return len(self.in_house) + len(self.vendor) + sum(q for _, q in self.orders)


def day0_rates(plan: Plan) -> np.ndarray:
    """[J] each pool's failures a day on day 0, from the running machines' working parts."""
    rates = np.zeros(plan.n_pools)
    for c in range(plan.n_cohorts):
        running = int(plan.cohort_initial[c] - plan.cohort_initial_down[c].sum())
        slots = [running * int(plan.cohort_boards[c]) - int(plan.cohort_initial_dead_boards[c])]
        slots += [running * int(n) for n in plan.cohort_stop_parts[c]]
        for k, n in enumerate(slots):
            h = min(float(plan.hazard[c, k, 0]), 1 - 1e-12)
            rates[plan.cohort_pool[c, k]] += max(n, 0) * -np.log1p(-h)
    return rates


def _history(sim: PathSimulation, pool: Pool, rate: float, days: int) -> History:
    plan, rng = sim.plan, sim.rng
    route = plan.routes[pool.part]
    transit = int(plan.vendor_transit_days[pool.vendor])
    clearance = int(plan.vendor_clearance_days[pool.vendor])
    back = clearance if pool.crosses_border else 0
    history = History([], [], [])
    for sent in range(-days, 0):
        failed = int(rng.poisson(rate))
        u = rng.random(failed)
        scrapped = int((u < route.scrap_share).sum())
        in_house = int(((u >= route.scrap_share)
                        & (u < route.scrap_share + route.in_house_share)).sum())  # fmt: skip
        for delay in route.in_house_days.sample(rng, in_house):
            if sent + max(int(delay), 1) >= 0:
                history.in_house.append(sent + max(int(delay), 1))
        for turnaround in route.vendor_turnaround_days.sample(rng, failed - scrapped - in_house):
            border = sent + 2 * transit + int(turnaround)
            if border + back >= 0:
                history.vendor.append((sent, border))
        if scrapped and plan.replenish:
            lead = int(plan.vendor_parts_lead[pool.vendor].sample(rng, 1)[0])
            border = sent + max(0, lead) + transit
            if border + clearance >= 0:
                history.orders.append((border, scrapped))
    return history


def start_warm(sim: PathSimulation) -> None:
    """Put each pool's parts on their way on day 0 (nothing when the plan's pipelines
    start empty)."""
    plan = sim.plan
    if plan.warm is None:
        return
    longest = 1 + max(
        [max(r.in_house_days.max_days, r.vendor_turnaround_days.max_days) for r in plan.routes]
        + [d.max_days for d in plan.vendor_parts_lead]
    ) + 2 * int(plan.vendor_transit_days.max()) + int(plan.vendor_clearance_days.max())  # fmt: skip
    rates = day0_rates(plan)
    for pool in sim.pools:
        wanted = int(plan.warm.parts[pool.index])  # the count on their way today
        for _ in range(MAX_TRIES):
            history = _history(sim, pool, float(rates[pool.index]), longest)
            if not plan.replenish or history.parts == wanted:
                break
        else:
            raise RuntimeError(f"pool {pool.index}: no history holds {wanted} parts")
        _launch(sim, pool, history)


def _launch(sim: PathSimulation, pool: Pool, history: History) -> None:
    env = sim.env
    for arrival in history.in_house:
        pool.in_house += 1
        env.process(_in_house(sim, pool, arrival))
    lots: dict[int, Lot] = {}  # a day's vendor repairs travel as one lot
    origin = sim.plan.vendor_parts_origin[pool.vendor]
    for sent, border in history.vendor:
        lot = lots.setdefault(sent, Lot(sim, "repairs", pool.vendor, origin, pool.site))
        pool.vendor_pipeline += 1
        env.process(_vendor(sim, pool, lot, border))
    for border, quantity in history.orders:
        pool.on_order += quantity
        env.process(_order(sim, pool, border, quantity))


def _in_house(sim: PathSimulation, pool: Pool, arrival: int) -> Process:
    yield timing.until(sim.env, arrival, timing.ARRIVALS)
    pool.in_house -= 1
    yield pool.shelf.put(Part(pool.index))


def _vendor(sim: PathSimulation, pool: Pool, lot: Lot, border: int) -> Process:
    """As :meth:`tests.reference.logistics.RepairShop._vendor_repair` from the border."""
    if pool.crosses_border:
        clearance = int(sim.plan.vendor_clearance_days[pool.vendor])
        if border >= 0:
            yield timing.until(sim.env, border, timing.ARRIVALS)
            hold = lot.hold_days()
            if hold:
                yield from sim.held_at_customs(1, hold)
        cleared = timing.today(sim.env) if border >= 0 else border  # held: later
        yield timing.until(sim.env, cleared + clearance, timing.ARRIVALS)
    else:
        yield timing.until(sim.env, border, timing.ARRIVALS)
    pool.vendor_pipeline -= 1
    yield pool.shelf.put(Part(pool.index))


def _order(sim: PathSimulation, pool: Pool, border: int, quantity: int) -> Process:
    """As :meth:`tests.reference.logistics.Replenishment._shipment` from the border."""
    if border >= 0:
        yield timing.until(sim.env, border, timing.ARRIVALS)
        origin = sim.plan.vendor_parts_origin[pool.vendor]
        lot = Lot(sim, "parts", pool.vendor, origin, pool.site)
        hold = lot.hold_days()
        if hold:
            yield from sim.held_at_customs(quantity, hold)
    clearance = int(sim.plan.vendor_clearance_days[pool.vendor])
    cleared = timing.today(sim.env) if border >= 0 else border  # held: later
    yield timing.until(sim.env, cleared + clearance, timing.ARRIVALS)
    pool.on_order -= quantity
    for _ in range(quantity):
        yield pool.shelf.put(Part(pool.index))
