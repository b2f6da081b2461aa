"""Cannibalisation (docs/model.md, *Cannibalisation*): donor machines held at a site,
one object per machine with the working parts it still holds. Before the day's swaps,
a pool whose shelf holds fewer parts than its machines (or boards) waiting takes the
difference, one part at a time, from the donors of its site and family that still hold
a part of its type, first donor first; each part taken goes on the shelf and is gone
from its donor for good."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from tests.reference.entities import Part

if TYPE_CHECKING:
    from tests.reference.sim import PathSimulation


class Donor:
    """One donor machine: the working parts it holds, per part type."""

    def __init__(self, parts: tuple[int, int, int, int]) -> None:
        self.parts = list(parts)


class DonorStore:
    """The donor machines of every site."""

    def __init__(self, sim: PathSimulation) -> None:
        self.sim = sim
        plan = sim.plan
        #: by_pool[j]: the donors whose parts fit pool j (its site and family).
        self.by_pool: list[list[Donor]] = [[] for _ in range(plan.n_pools)]
        for donor in plan.donors:
            machines = [Donor(donor.parts) for _ in range(donor.machines)]
            for j in range(plan.n_pools):
                if plan.pool_site[j] == donor.site and plan.pool_family[j] == donor.family:
                    self.by_pool[j] += machines
        self.taken = np.zeros((sim.horizon, 4), np.int32)

    def before_swaps(self, day: int) -> None:
        sim = self.sim
        waiting = sim.pool_backorders()
        for pool in sim.pools:
            short = int(waiting[pool.index]) - pool.on_hand
            for donor in self.by_pool[pool.index]:
                while short > 0 and donor.parts[pool.part] > 0:
                    donor.parts[pool.part] -= 1
                    pool.shelf.items.append(Part(pool.index))
                    self.taken[day, pool.part] += 1
                    short -= 1
