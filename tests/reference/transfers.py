"""Lateral transshipment (docs/model.md, *Lateral transshipment*): after the day's swaps,
a pool with an empty shelf and machines (or boards) still waiting asks for what is not
already on its way; the pools of its part type and family at the other sites, in site
order, give what they hold beyond their own waiting machines; the parts leave the
donor's shelf at once and reach the receiver's at the arrivals of the day
``max(transfer_days, 1)`` later, counted as on order meanwhile."""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

import numpy as np
import simpy
from tests.reference import timing
from tests.reference.entities import Part, Pool

if TYPE_CHECKING:
    from tests.reference.sim import PathSimulation


class Transshipment:
    """The operator's sites sending each other spares."""

    def __init__(self, sim: PathSimulation) -> None:
        self.sim = sim
        plan = sim.plan
        pools = range(plan.n_pools)
        by_site = sorted(pools, key=lambda j: int(plan.pool_site[j]))
        self.donors = [
            [d for d in by_site
             if plan.pool_site[d] != plan.pool_site[j] and plan.pool_part[d] == plan.pool_part[j]
             and plan.pool_family[d] == plan.pool_family[j]]
            for j in pools
        ]  # fmt: skip
        self.sent = np.zeros((sim.horizon, 4), np.int32)

    def after_swaps(self, day: int) -> None:
        sim = self.sim
        waiting = sim.pool_backorders()  # what the swaps left waiting, per pool
        for pool in sim.pools:
            if pool.on_hand > 0:
                continue
            want = int(waiting[pool.index]) - pool.in_transfer
            for d in self.donors[pool.index]:
                if want <= 0:
                    break
                donor = sim.pools[d]
                give = min(donor.on_hand - int(waiting[d]), want)
                if give <= 0:
                    continue
                parts = [donor.shelf.items.pop() for _ in range(give)]
                pool.in_transfer += give
                self.sent[day, pool.part] += give
                want -= give
                arrive = day + max(sim.plan.transfer_days, 1)
                sim.env.process(self._arrive(pool, parts, arrive))

    def _arrive(
        self, pool: Pool, parts: list[Part], day: int
    ) -> Generator[simpy.Event, object, None]:
        yield timing.until(self.sim.env, day, timing.ARRIVALS)
        pool.in_transfer -= len(parts)
        for part in parts:
            yield pool.shelf.put(part)
