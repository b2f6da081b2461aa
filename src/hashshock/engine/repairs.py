"""The repair loop: broken parts to scrap, in-house repair or the vendor, with delays.

Split out of :mod:`hashshock.engine.core` (which it extends as a mixin): each
broken part draws its own repair time (so any delay distribution is exact and
Palm's theorem holds); closed repair centres and stopped vendor supply hold
parts back in backlogs; customs holds on the return leg are decided per lot.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from hashshock.engine.allocate import GroupSum
    from hashshock.engine.economy import EconomyInputs
    from hashshock.engine.eventpaths import EventPaths
    from hashshock.engine.output import EngineOutput
    from hashshock.engine.pipeline import Pipeline
    from hashshock.engine.rng import RandomTree
    from hashshock.plan.model import Plan

IntArray = NDArray[np.int64]


def _binomial(rng: np.random.Generator, n: IntArray, p: NDArray[np.float64]) -> IntArray:
    """Binomial draws only where ``n > 0`` (most pool-days see no failure)."""
    out = np.zeros_like(n)
    mask = n > 0
    if mask.any():
        out[mask] = rng.binomial(n[mask], np.broadcast_to(p, n.shape)[mask])
    return out


class RepairLoop:
    """Mixin holding the repair-loop steps of :class:`~hashshock.engine.core.Simulation`."""

    plan: Plan
    economy: EconomyInputs
    rng: RandomTree
    events: EventPaths
    out: EngineOutput
    repairs: Pipeline
    pool_to_part: GroupSum
    scrap_share: NDArray[np.float64]
    in_house_given_rest: NDArray[np.float64]
    needs_vendor_parts: NDArray[np.bool_]
    pool_transit: IntArray
    pool_clearance: IntArray
    turnaround_mean: NDArray[np.float64]
    scrapped: IntArray
    in_house_backlog: IntArray
    vendor_backlog: IntArray
    first_customs: IntArray
    held_unit_days: NDArray[np.float64]
    _today: int

    def _route(self, day: int, broken: IntArray) -> None:
        """Send broken parts [P, J] to scrap, in-house repair or the vendor."""
        plan = self.plan
        rng = self.rng.day("routing", day)
        scrap = _binomial(rng, broken, self.scrap_share)
        rest = broken - scrap
        in_house = _binomial(rng, rest, self.in_house_given_rest)
        vendor = rest - in_house
        policy = self.economy.repair_or_replace
        if policy is not None:
            # Scrap what is not worth repairing (it is replaced by reordering instead).
            keep_in = policy.worth_repairing(day, policy.in_house_cost)
            keep_out = policy.worth_repairing(day, policy.vendor_cost)
            scrap = scrap + np.where(keep_in, 0, in_house) + np.where(keep_out, 0, vendor)
            in_house = np.where(keep_in, in_house, 0)
            vendor = np.where(keep_out, vendor, 0)
        self.scrapped += self.pool_to_part(scrap)
        # In-house repair waits while it needs vendor components the vendor will not ship.
        supply_stop = self.events.pool_mask(
            "parts_supply_stop", day, plan.pool_vendor, plan.pool_part
        )
        blocked = supply_stop & self.needs_vendor_parts[None, :]
        self.in_house_backlog += np.where(blocked, in_house, 0)
        start_in_house = np.where(blocked, 0, in_house + self.in_house_backlog)
        self.in_house_backlog = np.where(blocked, self.in_house_backlog, 0)
        delay_rng = self.rng.day("repair_delay", day)
        self._dispatch_items(day, start_in_house, np.zeros_like(broken), "in_house", delay_rng)
        self.out.repairs_in_house[:, day] = self.pool_to_part(start_in_house)
        # The vendor repair centre takes nothing while closed; the backlog goes when it reopens.
        closed = self.events.pool_mask(
            "repair_centre_closed", day, plan.pool_vendor, plan.pool_part
        )
        self.vendor_backlog += np.where(closed, vendor, 0)
        send = np.where(closed, 0, vendor + self.vendor_backlog)
        self.vendor_backlog = np.where(closed, self.vendor_backlog, 0)
        self.out.repairs_vendor[:, day] = self.pool_to_part(send)
        if not send.any():
            return
        extra = self.events.pool_extra_days(
            "repair_turnaround_change", day, plan.pool_vendor, plan.pool_part
        )
        base = np.broadcast_to(2 * self.pool_transit, send.shape) + extra
        crossing = np.broadcast_to(plan.pool_crosses_border, send.shape) & (send > 0)
        if crossing.any():
            border_day = day + base + np.rint(self.turnaround_mean).astype(np.int64)
            held, hold_days = self.events.customs_holds(
                self.rng.day("customs", day), border_day, plan.pool_vendor,
                tuple(plan.vendor_parts_origin[v] for v in plan.pool_vendor), "repairs",
                lots=crossing,
            )  # fmt: skip
            held &= crossing
            self._note_holds(held, border_day, send, hold_days)
            base = base + np.where(crossing, self.pool_clearance + np.where(held, hold_days, 0), 0)
        self._dispatch_items(day, send, base, "vendor", delay_rng)

    def _dispatch_items(
        self, day: int, qty: IntArray, base_delay: IntArray, route: str,
        rng: np.random.Generator,
    ) -> None:  # fmt: skip
        """Put each part into the repair pipeline with its own random repair time."""
        if not qty.any():
            return
        paths, pools = np.nonzero(qty)
        counts = qty[paths, pools]
        item_path = np.repeat(paths, counts)
        item_pool = np.repeat(pools, counts)
        delays = np.repeat(base_delay[paths, pools], counts)
        item_part = self.plan.pool_part[item_pool]
        for k, r in enumerate(self.plan.routes):
            sel = item_part == k
            n = int(sel.sum())
            if n:
                dist = r.in_house_days if route == "in_house" else r.vendor_turnaround_days
                delays[sel] += dist.sample(rng, n)
        self.repairs.add_items(day, item_path, item_pool, delays)

    def _note_holds(
        self, held: NDArray[np.bool_], border_day: IntArray, qty: IntArray, hold_days: IntArray
    ) -> None:
        if not held.any():
            return
        first = np.where(held, border_day, np.iinfo(np.int64).max).min(axis=1)
        has = first < np.iinfo(np.int64).max
        current = np.where(self.first_customs < 0, np.iinfo(np.int64).max, self.first_customs)
        self.first_customs[:] = np.where(has, np.minimum(current, first), self.first_customs)
        unit_days = (np.where(held, qty * hold_days, 0)).sum(axis=1)
        self.held_unit_days += unit_days
        self.out.storage_unit_days[:, self._today] += unit_days
