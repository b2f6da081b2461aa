"""Cannibalisation: parts taken from the donor machines a site holds (docs/model.md,
*Cannibalisation*, C1–C3).

A donor is a machine kept at a site for its parts, not mining. Its parts wait in
``state.pools.donor_parts`` [P, J], in the pools of its site and family; they are not
spares (not on the shelf, not in the base-stock position). Before the day's swaps, a
pool whose shelf holds fewer parts than its machines and boards wait for takes the
difference from its donors, as far as they have parts left; those parts go on the
shelf and the swaps use them as spares. A part taken is gone from its donor for good.
Stripping draws no random numbers; donors bought during the run (C4) may arrive dead
(:func:`dead_on_arrival`).
"""

from __future__ import annotations

import numpy as np

from hashshock.engine.arrays import Fleet, Record, Scratch, State
from hashshock.engine.jit import I64, compiled
from hashshock.engine.kernel_random import cell_stream, path_stream, uniform


@compiled(inline=True)
def strip_donors(
    p: int, day: int, fleet: Fleet, state: State, scratch: Scratch, record: Record
) -> None:
    """Parts taken from donors on path ``p`` before the swaps of ``day`` (C2):
    pool ``j`` takes min(demand_j − on hand_j, donor parts_j) when positive, with
    ``scratch.demand_pool`` holding each pool's demand (:func:`~hashshock.engine.swaps.
    pool_demand`); counted per part type in ``record.from_donors`` (parts)."""
    on_hand, donor_parts = state.pools.on_hand, state.pools.donor_parts
    demand = scratch.demand_pool
    for j in range(donor_parts.shape[1]):
        take = min(demand[p, j] - on_hand[p, j], donor_parts[p, j])
        if take <= 0:
            continue
        donor_parts[p, j] -= take
        on_hand[p, j] += take
        record.from_donors[p, day, fleet.pool_part[j]] += take


@compiled()
def dead_on_arrival(key: np.uint64, first_path: int, bought: I64, share: float,
                    dead: I64) -> None:  # fmt: skip
    """``dead[p, g]``: of the ``bought[p, g]`` donors bought on path ``first_path + p``
    (group ``g``), those dead on arrival, each with probability ``share`` (C4), drawn
    from the path's own stream under ``key``: a path's draws do not depend on which
    paths run together."""
    for p in range(bought.shape[0]):
        base = path_stream(key, first_path + p)
        for g in range(bought.shape[1]):
            cell = cell_stream(base, g)
            n = 0
            for i in range(bought[p, g]):
                if uniform(cell, i) <= share:
                    n += 1
            dead[p, g] = n
