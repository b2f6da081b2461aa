"""The driver's steps between the compiled phases, on days that need them.

Remote disabling (a share of the vendor's running machines stops for the event's
window) and the money-driven policies of :mod:`hashshock.engine.policies`
(repair-or-replace, grey-market spares, replacement and donor machines) act on all paths
at once with numpy, between the phases of :mod:`hashshock.engine.step`. They are
mixed into :class:`~hashshock.engine.core.Simulation`, whose state they change in
place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from hashshock.engine import step
from hashshock.engine.arrays import STOP, Scratch
from hashshock.engine.disable import draw_disabled
from hashshock.engine.donors import dead_on_arrival
from hashshock.plan.kinds import kinds_tagged

if TYPE_CHECKING:
    from hashshock.engine.allocate import GroupSum
    from hashshock.engine.eventpaths import EventPaths
    from hashshock.engine.output import EngineOutput
    from hashshock.engine.policies import EconomyInputs
    from hashshock.engine.rings import Pipeline
    from hashshock.plan.model import Plan
    from hashshock.streams import RandomTree

IntArray = NDArray[np.int64]
#: Keys of the donors' concern from which replacement machines draw their dead on arrival
#: (the donors' own keys are their days, below it).
REPLACEMENT_KEYS = 10_000_000


class Hooks:
    """Steps of :class:`~hashshock.engine.core.Simulation` that run between phases."""

    plan: Plan
    economy: EconomyInputs
    rng: RandomTree
    events: EventPaths
    out: EngineOutput
    scratch: Scratch
    pool_to_part: GroupSum
    boards: IntArray
    installed: IntArray
    running: IntArray
    dead_run: IntArray
    disabled: IntArray
    disabled_dead: IntArray
    order_backlog: IntArray
    scrapped: IntArray
    replenishments: Pipeline
    repairs: Pipeline
    transfers: Pipeline
    bought: Pipeline
    donors_coming: Pipeline
    donor_arrival_days: set[int]
    waiting: IntArray
    on_hand: IntArray
    donor_parts: IntArray
    budget_left: NDArray[np.float64]
    start_nameplate: float
    P: int
    J: int
    T: int
    first_path: int  # the run's number of this block's path 0

    def _phase(self, phase: int, day: int) -> None:
        raise NotImplementedError

    def _arrive_bought(self, day: int) -> None:
        """Replacement machines bought earlier are delivered."""
        if self.plan.replacement_cohort < 0:
            return
        arrived = self.bought.pop(day)[:, 0]
        c = self.plan.replacement_cohort
        self.installed[:, c] += arrived
        self.running[:, c] += arrived

    def _arrive_donors(self, day: int) -> None:
        """Donor machines bought earlier arrive with their parts (C4)."""
        policy = self.economy.donors
        if policy is None:
            return
        arrived = self.donors_coming.pop(day)  # [P, G]
        if arrived.any():
            self.donor_parts += arrived @ policy.parts

    def _end_disable(self, day: int) -> None:
        """Machines disabled by an event that ends today run again."""
        for i, e in enumerate(self.events.indices(kinds_tagged("disable"))):
            ending = self.events.occurs[e] & (self.events.end[e] == day)
            if ending.any():
                self.running[ending] += self.disabled[i][ending]
                self.dead_run[ending] += self.disabled_dead[i][ending]
                self.disabled[i][ending] = 0
                self.disabled_dead[i][ending] = 0

    def _remote_disable(self, day: int, returning: IntArray | None = None) -> None:
        """Disable ``share`` of the vendor's running machines when an event starts.

        With ``returning`` [P, C] (machines back from a swap today), the events already
        under way disable the same share of those machines too.
        """
        for i, e in enumerate(self.events.indices(kinds_tagged("disable"))):
            if returning is None:
                hit = self.events.occurs[e] & (self.events.start[e] == day)
                hit &= self.events.end[e] > day
                pool = self.running
            else:
                hit = self.events.active(e, day)
                pool = returning
            if not hit.any():
                continue
            event = self.events.events[e]
            share = np.asarray(
                event.params["share"] * event.vendor_mask[self.plan.cohort_vendor], np.float64
            )
            # Each path's own streams: its draws do not depend on the other paths.
            key = day * 64 + i + (32 if returning is not None else 0)
            n, moved = np.empty_like(pool), np.empty_like(pool)
            draw_disabled(self.rng.key("disable", key), self.rng.key("disable_boards", key),
                          self.first_path, hit, np.ascontiguousarray(pool), share, self.boards,
                          self.running, self.dead_run, n, moved)  # fmt: skip
            self.running -= n
            self.dead_run -= moved
            self.disabled[i] += n
            self.disabled_dead[i] += moved

    def _repair_or_replace(self, day: int) -> None:
        """Scrap the broken parts not worth repairing (reordering replaces them)."""
        policy = self.economy.repair_or_replace
        if policy is None:
            return
        in_house, vendor = self.scratch.routed[0], self.scratch.routed[1]
        keep_in = policy.worth_repairing(day, policy.in_house_cost)
        keep_out = policy.worth_repairing(day, policy.vendor_cost)
        scrap = np.where(keep_in, 0, in_house) + np.where(keep_out, 0, vendor)
        in_house[~keep_in] = 0
        vendor[~keep_out] = 0
        self.scrapped += self.pool_to_part(scrap)

    def _grey_market(self, day: int) -> None:
        """While the vendor ships nothing, buy the order (and any backlog) grey instead."""
        grey = self.economy.grey_market
        if grey is None:
            return
        self._phase(step.SUPPLY_STOP, day)
        stop = self.scratch.amounts[STOP] > 0
        if not stop.any():
            return
        worth = grey.worth_buying(day)  # parts dearer than a used machine wait for the vendor
        if worth is not None:
            stop = stop & worth
        order, backlog = self.scratch.order, self.order_backlog
        buy = np.where(stop, order + backlog, 0)
        backlog[stop] = 0
        order[stop] = 0
        if not buy.any():
            return
        # each path's own stream: a path's parts dead on arrival do not depend on which
        # other paths buy grey that day, nor on the blocks a run is cut into
        dead = np.zeros((self.P, self.J), np.int64)
        bought = np.ascontiguousarray(buy, dtype=np.int64)
        dead_on_arrival(self.rng.key("supply", day), self.first_path, bought, grey.doa_share,
                        dead)  # fmt: skip
        good = buy - dead
        self.replenishments.add(day, grey.lead_days, good)
        self.scrapped += self.pool_to_part(buy - good)  # dead on arrival
        self.out.parts_shipped_grey[:, day] = self.pool_to_part(buy)
        if self.economy.grey_unit_cost is not None:
            self.out.grey_spend[:, day] = buy @ self.economy.grey_unit_cost

    def _buying(self, day: int) -> NDArray[np.bool_]:
        """[P] the paths on which the fleet still buys machines on ``day`` (none after its
        ``buying_stops`` day)."""
        stops = self.economy.buying_stops
        if stops is None:
            return np.ones(self.P, dtype=np.bool_)
        return np.asarray((stops < 0) | (day <= stops))

    def _buy_replacements(self, day: int) -> None:
        """Buy machines while hashrate is below target × starting nameplate and budget lasts."""
        policy = self.economy.replacement
        if policy is None or self.plan.replacement_cohort < 0:
            return
        c = self.plan.replacement_cohort
        ths = float(self.plan.cohort_ths_per_machine[c])
        coming = self.bought.in_transit[:, 0] * ths
        target = policy.target_share_of_nameplate * self.start_nameplate
        gap = target - self.out.hashrate_ths[:, day] - coming
        cost = policy.unit_cost[:, day]
        affordable = np.floor(np.divide(self.budget_left, cost, out=np.zeros(self.P),
                                        where=cost > 0))  # fmt: skip
        n = np.minimum(np.ceil(np.maximum(gap, 0.0) / ths), affordable).astype(np.int64)
        n[~self._buying(day)] = 0
        if not n.any():
            return
        # each path's own stream (the donors' concern, keys past their days): a path's
        # machines dead on arrival do not depend on which other paths buy that day
        dead = np.zeros((self.P, 1), np.int64)
        dead_on_arrival(self.rng.key("donors", REPLACEMENT_KEYS + day), self.first_path,
                        np.ascontiguousarray(n[:, None]), policy.doa_share, dead)  # fmt: skip
        good = n - dead[:, 0]
        self.budget_left -= n * cost
        self.out.machines_bought[:, day] = n
        self.out.replacement_spend[:, day] = n * cost
        self.bought.add(day, policy.lead_days, good[:, None])

    def _buy_donors(self, day: int) -> None:
        """On a review day, buy donors where the parts coming cannot cover the machines
        and boards waiting (C4, :class:`~hashshock.engine.policies.DonorBuying`)."""
        policy = self.economy.donors
        # none bought that would arrive after the horizon: its parts would serve days not
        # simulated, its price would be paid within it
        if policy is None or day % policy.review_days or day + policy.lead_days >= self.T:
            return
        pools = self.plan.cohort_pool  # [C, 4]: boards, then the stop parts
        demand = np.zeros((self.P, self.J), np.int64)
        np.add.at(demand.T, pools[:, 0], self.dead_run.T)
        for k in range(3):
            np.add.at(demand.T, pools[:, k + 1], self.waiting[:, :, k].T)
        coming = (self.on_hand + self.repairs.in_transit + self.replenishments.in_transit
                  + self.transfers.in_transit + self.donor_parts
                  + self.donors_coming.in_transit @ policy.parts)  # fmt: skip
        short = np.maximum(demand - coming, 0).astype(np.float64)
        holds = policy.parts > 0  # [G, J]
        per_donor = np.where(holds[None], short[:, None, :] / np.maximum(policy.parts, 1), 0.0)
        wanted = np.ceil(policy.share * per_donor.max(axis=2) - 1e-9)  # [P, G]
        wanted[~self._buying(day)] = 0.0
        cost = np.ascontiguousarray(policy.unit_cost[:, :, day].T)  # [P, G]
        n = np.zeros(wanted.shape, np.int64)
        for g in range(wanted.shape[1]):  # group by group, from what the budget has left
            affordable = np.floor(np.divide(self.budget_left, cost[:, g], out=np.zeros(self.P),
                                            where=cost[:, g] > 0))  # fmt: skip
            n[:, g] = np.minimum(np.maximum(wanted[:, g], 0.0), affordable)
            self.budget_left -= n[:, g] * cost[:, g]
        if not n.any():
            return
        dead = np.zeros_like(n)
        dead_on_arrival(self.rng.key("donors", day), self.first_path, n, policy.doa_share, dead)
        good = n - dead
        self.out.donors_bought[:, day] = n.sum(axis=1)
        self.out.donors_bought_ths[:, day] = n @ policy.ths_each
        self.out.donor_spend[:, day] = (n * cost).sum(axis=1)
        self.donors_coming.add(day, policy.lead_days, good)
        if good.any():
            self.donor_arrival_days.add(day + policy.lead_days)
