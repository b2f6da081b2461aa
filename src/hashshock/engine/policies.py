"""Inputs that let money steer the physical simulation (all optional).

The engine does not know what money is: it receives plain per-path arrays —
hashprice, break-even thresholds, unit costs and budgets — compiled by the
finance layer, and applies three documented policies:

* **switch-off / curtailment** — a cohort's machines are off on a day when the
  hashprice is below its break-even (revenue < power cost), or when its site is
  curtailed below a hashprice threshold; off machines neither hash nor fail;
* **grey-market spares** — while a vendor's parts supply is stopped, spares
  orders go to the grey market instead of waiting (longer lead, dead on arrival
  share, no customs hold by the vendor's events);
* **replacement machines** — while delivered hashrate is below
  ``target × starting nameplate`` and the budget lasts, buy machines
  (``unit_cost`` each) into a replacement cohort; they arrive after a lead time,
  less the dead-on-arrival share;
* **donor machines** — every ``review_days``, where the spares on a pool's shelf, in
  repair and on their way cannot cover the machines (boards) waiting for them, buy used
  machines of the pool's family for their parts while the budget lasts; they arrive
  after a lead time, less the dead-on-arrival share, as donors (docs/model.md,
  *Cannibalisation*, C4).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


def used_machine_usd(
    tier_weight: FloatArray, used_price_per_th: FloatArray, machine_ths: FloatArray, day: int
) -> FloatArray:
    """[P, J] USD: a whole used machine of each pool's machines on ``day`` — its mean TH/s
    (``machine_ths`` [J]) at the used prices of its machines' tiers (``tier_weight``
    [J, tiers], shares of TH/s; ``used_price_per_th`` [tiers, P, T], USD/TH)."""
    used = np.einsum("jk,kp->pj", tier_weight, used_price_per_th[:, :, day])
    return np.asarray(used * machine_ths[None, :])


@dataclass(frozen=True)
class GreyMarket:
    """Grey-market spares: lead time (days) and the share dead on arrival; with a part's
    price (``part_cost`` [J], USD) and its pool's machines (``tier_weight``,
    ``machine_ths``, ``used_price_per_th`` as :func:`used_machine_usd` takes them), only
    parts cheaper than a whole used machine of their pool are bought grey (a hashboard at
    $1,057 went into an S19j Pro worth $250: the machine, a donor, is the cheaper spare)."""

    lead_days: int
    doa_share: float
    part_cost: FloatArray | None = None
    tier_weight: FloatArray | None = None
    machine_ths: FloatArray | None = None
    used_price_per_th: FloatArray | None = None

    def worth_buying(self, day: int) -> NDArray[np.bool_] | None:
        """[P, J]: a grey part costs no more than a used machine of its pool today; None
        when prices are not known (every part is bought)."""
        if (self.part_cost is None or self.tier_weight is None or self.machine_ths is None
                or self.used_price_per_th is None):  # fmt: skip
            return None
        machine = used_machine_usd(self.tier_weight, self.used_price_per_th, self.machine_ths,
                                   day)  # fmt: skip
        return np.asarray(self.part_cost[None, :] <= machine)


@dataclass(frozen=True)
class ReplacementPolicy:
    cohort: int  # index of the (initially empty) replacement cohort
    target_share_of_nameplate: float
    lead_days: int
    doa_share: float
    unit_cost: FloatArray  # [P, T] cost of one machine on that day
    budget: FloatArray  # [P] most the policy may spend over the run


@dataclass(frozen=True)
class DonorBuying:
    """Used machines bought for their parts (docs/model.md, *Cannibalisation*, C4).

    Donor group ``g`` is one machine of a family at a site: ``parts[g, j]`` the parts it
    holds in pool ``j`` (its site's pools of its family, :func:`~hashshock.engine.donors.
    donor_parts`). Every ``review_days`` (days 0, R, 2R, …) each group buys
    ⌈``share`` × max_j short_j / parts[g, j]⌉ donors, short_j the machines and boards
    waiting for pool j beyond what its shelf, its repairs, its spares on their way and its
    donors (held and bought) will give, at ``unit_cost`` [G, P, T] USD each while
    ``budget`` [P] lasts (shared with :class:`ReplacementPolicy` when both are on).
    """

    review_days: int
    share: float
    lead_days: int
    doa_share: float
    parts: NDArray[np.int64]  # [G, J]
    unit_cost: FloatArray  # [G, P, T]
    budget: FloatArray  # [P]
    ths_each: FloatArray  # [G] nameplate TH/s of one donor of each group (what is bought)

    def __post_init__(self) -> None:
        # bought at the end of a day, donors arrive on a later one
        if self.lead_days < 1 or self.review_days < 1:
            raise ValueError("donor buying: lead_days and review_days must be at least 1")


@dataclass(frozen=True)
class RepairOrReplace:
    """Repair a broken part only if its cost ≤ ``threshold_share`` × replacement value.

    Replacement value of a part in pool *j* on path *p*, day *t* is
    ``min(new_part_cost[j, t], Σ_tier tier_weight[j, tier] · used_value[tier, p, t])`` —
    a new part, or a whole used machine of the pool's family (a donor), whichever is
    cheaper — when the fleet has donors to take parts from (``donor_alternative``); else
    the new part its reorder buys. Parts not worth repairing are scrapped (and replaced
    by reordering).
    """

    threshold_share: float
    in_house_cost: FloatArray  # [J] all-in cost of an in-house repair
    vendor_cost: FloatArray  # [J] vendor fee plus shipping both ways
    new_part_cost: FloatArray  # [J, T]
    tier_weight: FloatArray  # [J, n_tiers] share of the pool's machines' TH/s per tier
    machine_ths: FloatArray  # [J] mean TH/s of a machine using the pool
    used_price_per_th: FloatArray  # [n_tiers, P, T]
    donor_alternative: bool = True

    def worth_repairing(self, day: int, cost: FloatArray) -> NDArray[np.bool_]:
        """[P, J]: repairing at ``cost`` [J] beats replacing on each path today."""
        value = np.broadcast_to(self.new_part_cost[None, :, day],
                                (self.used_price_per_th.shape[1], len(cost)))  # fmt: skip
        if self.donor_alternative:
            machine = used_machine_usd(self.tier_weight, self.used_price_per_th,
                                       self.machine_ths, day)  # fmt: skip
            value = np.minimum(value, machine)
        return np.asarray(cost[None, :] <= self.threshold_share * value)


@dataclass(frozen=True)
class EconomyInputs:
    """Everything optional; ``None`` switches a policy off."""

    hashprice_usd_per_ph_day: FloatArray | None = None  # [P, T]
    cohort_breakeven_hashprice: FloatArray | None = None  # [C]; inf = never switch off
    site_curtail_below: FloatArray | None = None  # [S]; nan = never curtail
    grey_market: GreyMarket | None = None
    replacement: ReplacementPolicy | None = None
    donors: DonorBuying | None = None
    repair_or_replace: RepairOrReplace | None = None
    # Per-unit weights the engine sums into daily totals without interpreting them:
    cohort_power_price: FloatArray | None = None  # [C] price per MWh drawn
    pool_unit_cost: FloatArray | None = None  # [J, T] cost of one spare shipped by the vendor
    grey_unit_cost: FloatArray | None = None  # [J] cost of one grey-market spare
    # [P] the day after which the fleet buys no machine, replacement or donor (−1: never):
    # an operator that broke (its industry's settlement, docs/industry.md "Distress")
    buying_stops: NDArray[np.int64] | None = None
