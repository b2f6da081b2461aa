"""What the fleet's donor machines are worth on the last day (docs/finance.md, *Donors
are owned, too*).

A donor machine held whole — bought used and never stripped, or set aside and never
stripped — is a used machine: it is worth the used-ASIC index of its tier × its TH/s,
like the installed machines the LTV covenant values. Once a part is taken it is a
carcass, valued at nothing. The engine counts the parts left in each pool's donors, not
machine by machine, so the whole donors of a (site, family) are taken to be as many as
its parts allow, parts having been taken from as few donors as possible:

    whole_g = min over part types k held (left_{g,k} // parts_{g,k}),
    value = Σ_g whole_g × TH/s_g × used price of tier_g on the last day.

Each group is valued as one model: the first the site holds as donors, else the one it
buys (the family's with the fewest TH/s there).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from hashshock.engine.output import EngineOutput
from hashshock.inputs.load import LoadedFleet
from hashshock.market.hashprice import efficiency_tier
from hashshock.plan.model import DonorPlan, Plan

if TYPE_CHECKING:  # the steering module compiles money plans, which hold a DonorValue
    from hashshock.finance.steering import MarketLike

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class DonorValue:
    """The donors' groups, one per (site, family) with donors held or bought: its pool of
    each part type ``pools[g, k]`` (−1: none), the parts one donor holds ``parts[g, k]``,
    and its model's TH/s ``machine_ths[g]`` and efficiency tier ``tiers[g]``."""

    pools: IntArray  # [G, 4]
    parts: IntArray  # [G, 4]
    machine_ths: FloatArray  # [G]
    tiers: tuple[str, ...]  # [G]


def donor_value(loaded: LoadedFleet, plan: Plan, bought: tuple[DonorPlan, ...]
                ) -> DonorValue | None:  # fmt: skip
    """The groups of the donors ``plan`` holds and of those the fleet may buy
    (``bought``, one machine a group); ``None`` when it has neither."""
    first: dict[tuple[int, str], DonorPlan] = {}
    for donor in (*plan.donors, *bought):
        first.setdefault((donor.site, donor.family), donor)
    if not first:
        return None
    pools, parts, ths, tiers = [], [], [], []
    for (site, family), donor in first.items():
        here = [-1] * 4
        for j in range(plan.n_pools):
            if plan.pool_site[j] == site and plan.pool_family[j] == family:
                here[int(plan.pool_part[j])] = j
        spec = loaded.model_of(donor.model)
        pools.append(here)
        parts.append(donor.parts)
        ths.append(spec.hashrate_ths)
        tiers.append(efficiency_tier(spec.efficiency_j_per_th))
    return DonorValue(np.array(pools, np.int64), np.array(parts, np.int64),
                      np.array(ths, np.float64), tuple(tiers))  # fmt: skip


def whole_donors(spec: DonorValue, parts_left: IntArray) -> IntArray:
    """[P, G]: the whole donors of each group, of the parts left in the pools' donors
    ``parts_left`` [P, J] (module docstring)."""
    whole = np.zeros((parts_left.shape[0], len(spec.tiers)), np.int64)
    for g in range(len(spec.tiers)):
        held = [(j, n) for j, n in zip(spec.pools[g], spec.parts[g], strict=True)
                if n > 0 and j >= 0]  # fmt: skip
        if held:
            whole[:, g] = np.min([parts_left[:, j] // n for j, n in held], axis=0)
    return whole


def donors_value(spec: DonorValue | None, out: EngineOutput, market: MarketLike) -> FloatArray:
    """[P] the whole donors on the last day at the used-ASIC index, USD (module docstring);
    zeros without donors."""
    value = np.zeros(out.paths)
    if spec is None:
        return value
    whole = whole_donors(spec, out.donor_parts_left)
    for g, tier in enumerate(spec.tiers):
        value += whole[:, g] * spec.machine_ths[g] * market.used_price_usd_per_th[tier][:, -1]
    return value
