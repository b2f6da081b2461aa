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

from hashshock.engine import kernels

if TYPE_CHECKING:
    from hashshock.engine.allocate import GroupSum
    from hashshock.engine.economy import EconomyInputs
    from hashshock.engine.eventpaths import EventPaths
    from hashshock.engine.output import EngineOutput
    from hashshock.engine.pipeline import Pipeline
    from hashshock.engine.random import DelayTables
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
    every_pool: NDArray[np.bool_]
    pool_origin: tuple[str, ...]
    pool_transit: IntArray
    pool_clearance: IntArray
    turnaround_mean: NDArray[np.float64]
    scrapped: IntArray
    broken_in_house: IntArray
    broken_vendor: IntArray
    no_delay: IntArray
    vendor_base: IntArray
    in_house_tables: DelayTables
    vendor_tables: DelayTables
    in_house_backlog: IntArray
    vendor_backlog: IntArray
    first_customs: IntArray
    held_unit_days: NDArray[np.float64]
    _today: int

    def _route(self, day: int) -> None:
        """Send the day's broken parts (already split by the cohort kernel) on their way."""
        plan = self.plan
        scrap_extra = None
        in_house, vendor = self.broken_in_house, self.broken_vendor
        policy = self.economy.repair_or_replace
        if policy is not None:
            # Scrap what is not worth repairing (it is replaced by reordering instead).
            keep_in = policy.worth_repairing(day, policy.in_house_cost)
            keep_out = policy.worth_repairing(day, policy.vendor_cost)
            scrap_extra = np.where(keep_in, 0, in_house) + np.where(keep_out, 0, vendor)
            in_house = np.where(keep_in, in_house, 0)
            vendor = np.where(keep_out, vendor, 0)
            self.scrapped += self.pool_to_part(scrap_extra)
        start_in_house = in_house
        if self.events.any_active("parts_supply_stop", day) or self.in_house_backlog.any():
            # In-house repair waits while it needs vendor components the vendor will not ship.
            supply_stop = self.events.pool_mask(
                "parts_supply_stop", day, plan.pool_vendor, plan.pool_part
            )
            start_in_house = np.empty_like(in_house)
            kernels.hold_back(
                supply_stop, self.needs_vendor_parts, np.ascontiguousarray(in_house),
                self.in_house_backlog, start_in_house,
            )  # fmt: skip
        self.repairs.add_items(
            day, np.ascontiguousarray(start_in_house), self.no_delay, self.in_house_tables,
            plan.pool_part, self.rng.key("items", 2 * day), self.out.repairs_in_house[:, day],
            plan.pool_part,
        )  # fmt: skip
        send = vendor
        if self.events.any_active("repair_centre_closed", day) or self.vendor_backlog.any():
            # The vendor repair centre takes nothing while closed; the backlog goes when it reopens.
            closed = self.events.pool_mask(
                "repair_centre_closed", day, plan.pool_vendor, plan.pool_part
            )
            send = np.empty_like(vendor)
            kernels.hold_back(
                closed, self.every_pool, np.ascontiguousarray(vendor), self.vendor_backlog, send
            )
        if not send.any():
            return
        base = self.vendor_base
        if self.events.any_active("repair_turnaround_change", day):
            extra = self.events.pool_extra_days(
                "repair_turnaround_change", day, plan.pool_vendor, plan.pool_part
            )
            base = base + extra
        if self.events.holds_possible("repairs"):
            crossing = np.broadcast_to(plan.pool_crosses_border, send.shape) & (send > 0)
            # Held lots reach the border after the vendor's turnaround (taken at its mean).
            without_clearance = base - np.where(plan.pool_crosses_border, self.pool_clearance, 0)
            border_day = day + without_clearance + np.rint(self.turnaround_mean).astype(np.int64)
            held, hold_days = self.events.customs_holds(
                self.rng.key("customs", day), border_day, plan.pool_vendor,
                self.pool_origin, "repairs",
                lots=crossing,
            )  # fmt: skip
            held &= crossing
            self._note_holds(held, border_day, send, hold_days)
            base = base + np.where(held, hold_days, 0)
        self.repairs.add_items(
            day, np.ascontiguousarray(send), np.ascontiguousarray(base), self.vendor_tables,
            plan.pool_part, self.rng.key("items", 2 * day + 1), self.out.repairs_vendor[:, day],
            plan.pool_part,
        )  # fmt: skip

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
