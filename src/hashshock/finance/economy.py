"""Compile the money that steers the engine: power prices, unit costs, policies, budgets."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from hashshock.engine.economy import (
    EconomyInputs,
    GreyMarket,
    RepairOrReplace,
    ReplacementPolicy,
)
from hashshock.finance.data import (
    channels,
    finance_defaults,
    machine_prices,
    part_costs,
    tariff_table,
)
from hashshock.inputs.catalog import PART_TYPES
from hashshock.inputs.finance import Finance
from hashshock.inputs.load import LoadedFleet
from hashshock.market.hashprice import TIERS, efficiency_tier
from hashshock.plan.model import Plan

FloatArray = NDArray[np.float64]


class MarketLike(Protocol):
    """What the money layer needs from market paths (all [P, T])."""

    btc_price_usd: FloatArray
    btc_per_th_day: FloatArray
    hashprice_usd_per_ph_day: FloatArray
    used_price_usd_per_th: dict[str, FloatArray]


tier_of = efficiency_tier


def run_dates(start: date, horizon_days: int) -> list[date]:
    return [start + timedelta(days=d) for d in range(horizon_days)]


def finance_of(loaded: LoadedFleet) -> Finance:
    return loaded.fleet.finance or Finance()


def site_power_prices(loaded: LoadedFleet) -> FloatArray:
    """[S] USD/MWh per site (the fleet file's or the documented default)."""
    default = finance_defaults()["power_usd_per_mwh"]
    return np.array(
        [s.power_usd_per_mwh if s.power_usd_per_mwh is not None else default
         for s in loaded.fleet.sites]
    )  # fmt: skip


def part_cost_table(fin: Finance) -> dict[str, dict[str, float]]:
    """Per part type: new, in-house, vendor repair, shipping per leg, swap labour (USD)."""
    table: dict[str, dict[str, float]] = {}
    for part in PART_TYPES:
        base = part_costs()[part]
        table[part] = {
            "new": fin.part_costs.new_part_usd.get(part, base.new_part_usd),
            "in_house": fin.part_costs.in_house_repair_usd.get(part, base.in_house_repair_usd),
            "vendor": fin.part_costs.vendor_repair_usd.get(part, base.vendor_repair_usd),
            "shipping": base.shipping_usd_per_leg,
            "labour": base.swap_labour_usd,
        }
    return table


def tariff_pct(origin: str, days: list[date], extra: list[tuple[str, date, float]]) -> FloatArray:
    return tariff_table().with_overrides(extra).rate_pct(origin, days)


def scenario_tariffs(plan: Plan) -> list[tuple[str, date, float]]:
    """Tariff changes of the scenario as (origin, start date, rate %) rows (fixed start)."""
    rows = []
    for event in plan.events:
        if event.kind != "tariff_change":
            continue
        start = plan.start_date + timedelta(days=int(event.start.quantile(np.array([0.5]))[0]))
        for origin in event.origins or ("*",):
            rows.append((origin, start, event.params["rate_pct"]))
    return rows


def build_economy(loaded: LoadedFleet, plan: Plan, market: MarketLike) -> EconomyInputs:
    """Per-path inputs for the engine's money-driven policies and spend totals."""
    fin = finance_of(loaded)
    days = run_dates(plan.start_date, plan.horizon_days)
    extra_tariffs = scenario_tariffs(plan)
    site_price = site_power_prices(loaded)
    cohort_price = site_price[plan.cohort_site]
    breakeven = None
    if fin.switch_off_unprofitable:
        j_per_th = plan.cohort_power_w / plan.cohort_ths_per_machine
        # Revenue = ths/1000 × hashprice; power = W·24/1e6 MWh × price  ⇒  break-even hashprice.
        breakeven = j_per_th * 24.0 * cohort_price / 1000.0
    curtail = np.array(
        [np.nan if s.curtail_below_hashprice_usd_per_ph_day is None
         else s.curtail_below_hashprice_usd_per_ph_day for s in loaded.fleet.sites]
    )  # fmt: skip
    costs = part_cost_table(fin)
    origin_rate = {
        origin: tariff_pct(origin, days, extra_tariffs) / 100.0
        for origin in set(plan.vendor_parts_origin) | set(plan.vendor_machines_origin)
    }
    pool_unit_cost = np.empty((plan.n_pools, plan.horizon_days))
    grey_unit_cost = np.empty(plan.n_pools)
    grey_channel = channels()["grey-parts"]
    for j in range(plan.n_pools):
        part = PART_TYPES[int(plan.pool_part[j])]
        origin = plan.vendor_parts_origin[int(plan.pool_vendor[j])]
        new = costs[part]["new"]
        pool_unit_cost[j] = new * (1.0 + origin_rate[origin]) + costs[part]["shipping"]
        grey_unit_cost[j] = new * grey_channel.price_factor + costs[part]["shipping"]
    grey = (
        GreyMarket(grey_channel.lead_time_days, grey_channel.doa_share)
        if fin.replacement.grey_market_parts
        else None
    )
    repair_rule = None
    if fin.repair_or_replace:
        repair_rule = _repair_or_replace(plan, market, fin, costs, pool_unit_cost)
    replacement = None
    if fin.replacement.availability_target is not None and plan.replacement_cohort >= 0:
        replacement = _replacement(loaded, plan, market, fin, days, origin_rate)
    return EconomyInputs(
        hashprice_usd_per_ph_day=market.hashprice_usd_per_ph_day,
        cohort_breakeven_hashprice=breakeven,
        site_curtail_below=curtail if not np.all(np.isnan(curtail)) else None,
        grey_market=grey,
        replacement=replacement,
        repair_or_replace=repair_rule,
        cohort_power_price=cohort_price,
        pool_unit_cost=pool_unit_cost,
        grey_unit_cost=grey_unit_cost,
    )


def _replacement(
    loaded: LoadedFleet, plan: Plan, market: MarketLike, fin: Finance, days: list[date],
    origin_rate: dict[str, FloatArray],
) -> ReplacementPolicy:  # fmt: skip
    c = plan.replacement_cohort
    model = plan.cohort_models[c]
    ths = float(plan.cohort_ths_per_machine[c])
    channel = channels()[fin.replacement.channel]
    paths = market.hashprice_usd_per_ph_day.shape[0]
    if fin.replacement.channel == "used-machines":
        tier = tier_of(float(plan.cohort_power_w[c]) / ths)
        unit_cost = market.used_price_usd_per_th[tier] * ths * channel.price_factor
    else:
        vendor = plan.vendor_names[int(plan.cohort_vendor[c])]
        origin = plan.vendor_machines_origin[plan.vendor_names.index(vendor)]
        rate = origin_rate.get(origin)
        if rate is None:
            rate = tariff_pct(origin, days, []) / 100.0
        per_unit = machine_prices()[model] * ths * (1.0 + rate)
        unit_cost = np.broadcast_to(per_unit, (paths, len(days))).copy()
    budget = fin.replacement.budget_usd
    if budget is None:
        floor = max((c.value or 0.0 for c in fin.covenants if c.type == "min_liquidity"),
                    default=0.0)  # fmt: skip
        budget = max(0.0, fin.cash_usd - floor)
    return ReplacementPolicy(
        cohort=c,
        target_share_of_nameplate=float(fin.replacement.availability_target or 0.0),
        lead_days=channel.lead_time_days,
        doa_share=channel.doa_share,
        unit_cost=np.asarray(unit_cost, dtype=np.float64),
        budget=np.full(paths, budget),
    )


def _repair_or_replace(
    plan: Plan, market: MarketLike, fin: Finance, costs: dict[str, dict[str, float]],
    new_part_cost: FloatArray,
) -> RepairOrReplace:  # fmt: skip
    """Per pool: repair costs, and the tiers of the machines a donor would come from."""
    J = plan.n_pools
    tier_weight = np.zeros((J, len(TIERS)))
    ths_sum = np.zeros(J)
    machines = np.zeros(J)
    for c in range(plan.n_cohorts):
        n = float(plan.cohort_initial[c]) or float(plan.order_count[plan.order_cohort == c].sum())
        ths = float(plan.cohort_ths_per_machine[c])
        tier = TIERS.index(efficiency_tier(float(plan.cohort_power_w[c]) / ths))
        for j in set(int(x) for x in plan.cohort_pool[c]):
            tier_weight[j, tier] += n * ths
            ths_sum[j] += n * ths
            machines[j] += n
    tier_weight = np.divide(tier_weight, ths_sum[:, None], out=np.zeros_like(tier_weight),
                            where=ths_sum[:, None] > 0)  # fmt: skip
    parts = [PART_TYPES[int(k)] for k in plan.pool_part]
    return RepairOrReplace(
        threshold_share=fin.repair_threshold_share,
        in_house_cost=np.array([costs[p]["in_house"] for p in parts]),
        vendor_cost=np.array([costs[p]["vendor"] + 2 * costs[p]["shipping"] for p in parts]),
        new_part_cost=new_part_cost,
        tier_weight=tier_weight,
        machine_ths=np.divide(ths_sum, machines, out=np.zeros(J), where=machines > 0),
        used_price_per_th=np.stack([market.used_price_usd_per_th[t] for t in TIERS]),
    )
