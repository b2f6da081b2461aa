"""Lateral transshipment: the operator's sites send spares to a site that has run out.

``docs/model.md``, *Lateral transshipment*, states the rule (T1–T3). After the day's
swaps, a pool with nothing on the shelf and machines (or boards) still waiting asks
for what is not already on its way (T1); the pools of its part type and family at the
other sites, in site order, give what they hold beyond their own waiting demand (T2);
the parts arrive after the fleet's transfer days, counted as on order meanwhile (T3).
No random numbers: the rule is deterministic given the day's state.
"""

from __future__ import annotations

import numpy as np

from hashshock.engine.arrays import Fleet, Record, Scratch, State, Transfers
from hashshock.engine.jit import compiled
from hashshock.engine.rings import add_lot
from hashshock.plan.model import Plan


@compiled(inline=True)
def transship(
    p: int, day: int, fleet: Fleet, state: State, scratch: Scratch, record: Record
) -> None:
    """Spares sent today on path ``p`` (after the swaps: ``scratch.demand_pool`` holds each
    pool's unmet demand). Pool ``j`` asks for r_j = unmet_j − in transfer to j when its
    shelf is empty (T1); donor ``d`` gives min(r_j left, on hand_d − unmet_d) (T2), so a
    donor never gives what its own waiting machines need and never asks in turn."""
    on_hand, unmet = state.pools.on_hand, scratch.demand_pool
    moving = state.transfers.in_transit
    transfers = fleet.transfers
    for j in range(on_hand.shape[1]):
        if on_hand[p, j] > 0:
            continue
        want = unmet[p, j] - moving[p, j]
        for idx in range(transfers.donor_ptr[j], transfers.donor_ptr[j + 1]):
            if want <= 0:
                break
            d = transfers.donors[idx]
            give = min(on_hand[p, d] - unmet[p, d], want)
            if give <= 0:
                continue
            on_hand[p, d] -= give
            add_lot(state.transfers, day, fleet.horizon, p, j, give, transfers.days)
            record.transferred[p, day, fleet.pool_part[j]] += give
            want -= give


def transfer_tables(plan: Plan) -> Transfers:
    """Each pool's donors (its part type and family at the other sites, in site order),
    or none when the fleet does not transship."""
    pools = len(plan.pool_site)
    ptr = np.zeros(pools + 1, np.int64)
    donors: list[int] = []
    if plan.transfer_days >= 0:
        by_site = sorted(range(pools), key=lambda j: int(plan.pool_site[j]))
        for j in range(pools):
            donors += [
                d for d in by_site
                if plan.pool_site[d] != plan.pool_site[j] and plan.pool_part[d] == plan.pool_part[j]
                and plan.pool_family[d] == plan.pool_family[j]
            ]  # fmt: skip
            ptr[j + 1] = len(donors)
    return Transfers(plan.transfer_days, ptr, np.array(donors, np.int64))
