"""The money that steers the engine: the per-path arrays of its money-driven policies.

The engine knows nothing of money (:mod:`hashshock.engine.policies`); this module turns a
compiled :class:`~hashshock.finance.moneyplan.MoneyPlan` and the market paths into the
plain arrays it takes — hashprice and break-even thresholds (switch-off, curtailment),
spares' unit costs, the grey market, the repair-or-replace rule, replacement and donor
buying.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from hashshock.engine.policies import (
    DonorBuying,
    EconomyInputs,
    RepairOrReplace,
    ReplacementPolicy,
)
from hashshock.finance.moneyplan import MoneyPlan
from hashshock.market.hashprice import TIERS

FloatArray = NDArray[np.float64]


class MarketLike(Protocol):
    """What the money layer needs from market paths (all [P, T])."""

    btc_price_usd: FloatArray
    btc_per_th_day: FloatArray
    hashprice_usd_per_ph_day: FloatArray
    used_price_usd_per_th: Mapping[str, FloatArray]


@dataclass
class MarketRows:
    """A market's paths ``rows`` only: what the money layer needs, as :class:`MarketLike`."""

    btc_price_usd: FloatArray
    btc_per_th_day: FloatArray
    hashprice_usd_per_ph_day: FloatArray
    used_price_usd_per_th: Mapping[str, FloatArray]

    @classmethod
    def of(cls, market: MarketLike, rows: NDArray[np.int64]) -> MarketRows:
        used = {tier: price[rows] for tier, price in market.used_price_usd_per_th.items()}
        return cls(market.btc_price_usd[rows], market.btc_per_th_day[rows],
                   market.hashprice_usd_per_ph_day[rows], used)  # fmt: skip


def build_economy(money: MoneyPlan, market: MarketLike) -> EconomyInputs:
    """Per-path inputs for the engine's money-driven policies and spend totals."""
    repair = money.repair_rule
    rule = None
    grey = money.grey_market
    # [tiers, P, T], stacked only for a policy that reads them (17 MB at 1,000 paths × 365)
    used_prices = (np.stack([market.used_price_usd_per_th[t] for t in TIERS])
                   if repair is not None or grey is not None else None)  # fmt: skip
    if repair is not None:
        assert used_prices is not None
        rule = RepairOrReplace(
            threshold_share=repair.threshold_share,
            in_house_cost=repair.in_house_cost,
            vendor_cost=repair.vendor_cost,
            new_part_cost=money.pool_unit_cost,
            tier_weight=repair.tier_weight,
            machine_ths=repair.machine_ths,
            used_price_per_th=used_prices,
            donor_alternative=repair.donor_alternative,
        )
    spec = money.replacement
    replacement = None
    if spec is not None:
        paths, days = market.hashprice_usd_per_ph_day.shape
        if spec.used_tier is not None:
            unit_cost = market.used_price_usd_per_th[spec.used_tier] * (
                spec.machine_ths * spec.price_factor
            )
        else:
            assert spec.new_unit_usd is not None
            unit_cost = np.broadcast_to(spec.new_unit_usd, (paths, days)).copy()
        replacement = ReplacementPolicy(
            cohort=spec.cohort,
            target_share_of_nameplate=spec.target,
            lead_days=spec.lead_days,
            doa_share=spec.doa_share,
            unit_cost=np.asarray(unit_cost, dtype=np.float64),
            budget=np.full(paths, spec.budget_usd),
        )
    donors = None
    buying = money.donors
    if buying is not None:
        paths = market.hashprice_usd_per_ph_day.shape[0]
        unit_cost = np.stack(
            [
                market.used_price_usd_per_th[tier] * (ths * buying.price_factor)
                for tier, ths in zip(buying.tiers, buying.machine_ths, strict=True)
            ]
        )
        donors = DonorBuying(
            review_days=buying.review_days, share=buying.share, lead_days=buying.lead_days,
            doa_share=buying.doa_share, parts=buying.parts, unit_cost=unit_cost,
            budget=np.full(paths, buying.budget_usd), ths_each=buying.machine_ths,
        )  # fmt: skip
    if grey is not None and grey.tier_weight is not None:  # the used prices of these paths
        grey = dataclasses.replace(grey, used_price_per_th=used_prices)
    return EconomyInputs(
        hashprice_usd_per_ph_day=market.hashprice_usd_per_ph_day,
        cohort_breakeven_hashprice=money.cohort_breakeven_hashprice,
        site_curtail_below=money.site_curtail_below,
        grey_market=grey,
        replacement=replacement,
        donors=donors,
        repair_or_replace=rule,
        cohort_power_price=money.cohort_power_price,
        pool_unit_cost=money.pool_unit_cost,
        grey_unit_cost=money.grey_unit_cost,
    )
