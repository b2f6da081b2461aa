"""Daily cash flows on every path (USD), from engine output and market paths.

``cash[t] = cash₀ + Σ_{s≤t} (revenue − power − repairs − parts − storage −
overhead − capex + refunds − debt service)[s]`` — the conservation identity the
tests check. EBITDA is revenue less operating costs (power, repairs, parts,
customs storage, overhead); machine purchases and debt service are below it.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date

import numpy as np
from numpy.typing import NDArray

from hashshock.engine.output import EngineOutput
from hashshock.finance.data import finance_defaults, machine_prices
from hashshock.finance.economy import (
    MarketLike,
    finance_of,
    part_cost_table,
    run_dates,
    scenario_tariffs,
    tariff_pct,
    tier_of,
)
from hashshock.finance.loans import LoanSchedule, schedule
from hashshock.inputs.catalog import PART_TYPES
from hashshock.inputs.load import LoadedFleet
from hashshock.plan.model import Plan

FloatArray = NDArray[np.float64]


@dataclass
class CashFlows:
    """[P, T] arrays in USD (``revenue_btc`` in BTC); outflows are positive numbers."""

    revenue_btc: FloatArray
    revenue_usd: FloatArray
    power_usd: FloatArray
    repairs_usd: FloatArray
    parts_usd: FloatArray
    storage_usd: FloatArray
    overhead_usd: FloatArray
    capex_usd: FloatArray
    refunds_usd: FloatArray
    debt_service_usd: FloatArray
    ebitda_usd: FloatArray
    cash_usd: FloatArray
    collateral_usd: FloatArray
    loans: tuple[LoanSchedule, ...]
    cash_start_usd: float

    OUTFLOWS = ("power_usd", "repairs_usd", "parts_usd", "storage_usd", "overhead_usd",
                "capex_usd", "debt_service_usd")  # fmt: skip

    def net_usd(self) -> FloatArray:
        """Net cash flow per day: inflows minus every outflow."""
        out = self.revenue_usd + self.refunds_usd
        for name in self.OUTFLOWS:
            out = out - getattr(self, name)
        return np.asarray(out)

    def totals(self) -> dict[str, FloatArray]:
        """[P] sums over the run of each [P, T] flow."""
        return {
            f.name: getattr(self, f.name).sum(axis=1)
            for f in fields(self)
            if f.name not in {"cash_usd", "collateral_usd", "loans", "cash_start_usd"}
        }


def compute_cashflows(
    loaded: LoadedFleet, plan: Plan, out: EngineOutput, market: MarketLike
) -> CashFlows:
    fin = finance_of(loaded)
    P, T = out.hashrate_ths.shape
    days = run_dates(plan.start_date, T)
    revenue_btc = out.hashrate_ths * market.btc_per_th_day
    revenue_usd = out.hashrate_ths / 1000.0 * market.hashprice_usd_per_ph_day
    costs = part_cost_table(fin)
    repairs = np.zeros((P, T))
    for k, part in enumerate(PART_TYPES):
        c = costs[part]
        repairs += out.repairs_in_house[:, :, k] * c["in_house"]
        repairs += out.repairs_vendor[:, :, k] * (c["vendor"] + 2 * c["shipping"])
        repairs += out.swaps_daily[:, :, k] * c["labour"]
    fee = max(
        (e.params["storage_fee_usd_per_unit_day"] for e in plan.events if e.kind == "customs_hold"),
        default=0.0,
    )
    storage = out.storage_unit_days * fee
    overhead_rate = (
        fin.overhead_usd_per_machine_day
        if fin.overhead_usd_per_machine_day is not None
        else finance_defaults()["overhead_usd_per_machine_day"]
    )
    overhead = np.asarray(out.machines_installed * overhead_rate, dtype=np.float64)
    capex, refunds = _orders(plan, out, fin.order_deposit_share, fin.order_refund_share, days)
    capex = capex + out.replacement_spend
    loans = tuple(schedule(loan, plan.start_date, T) for loan in fin.loans)
    debt = np.broadcast_to(sum((s.debt_service for s in loans), np.zeros(T)), (P, T))
    parts = out.parts_spend + out.grey_spend
    ebitda = revenue_usd - out.power_cost - repairs - parts - storage - overhead
    flows = CashFlows(
        revenue_btc=revenue_btc, revenue_usd=revenue_usd, power_usd=out.power_cost,
        repairs_usd=repairs, parts_usd=parts, storage_usd=storage, overhead_usd=overhead,
        capex_usd=capex, refunds_usd=refunds, debt_service_usd=np.asarray(debt, dtype=np.float64),
        ebitda_usd=ebitda, cash_usd=np.zeros((P, T)),
        collateral_usd=_collateral(plan, out, market), loans=loans, cash_start_usd=fin.cash_usd,
    )  # fmt: skip
    flows.cash_usd = fin.cash_usd + np.cumsum(flows.net_usd(), axis=1)
    return flows


def _orders(
    plan: Plan, out: EngineOutput, deposit_share: float | None, refund_share: float | None,
    days: list[date],
) -> tuple[FloatArray, FloatArray]:  # fmt: skip
    """Balance paid on delivery; part of the deposit refunded on cancellation (due day)."""
    P, T = out.hashrate_ths.shape
    defaults = finance_defaults()
    deposit = deposit_share if deposit_share is not None else defaults["order_deposit_share"]
    refund = refund_share if refund_share is not None else defaults["order_refund_share"]
    capex = np.zeros((P, T))
    refunds = np.zeros((P, T))
    paths = np.arange(P)
    for o in range(len(plan.order_count)):
        c = int(plan.order_cohort[o])
        vendor = int(plan.order_vendor[o])
        origin = plan.vendor_machines_origin[vendor]
        due = int(plan.order_due_day[o])
        rate = tariff_pct(origin, [days[min(max(due, 0), T - 1)]], scenario_tariffs(plan))[0]
        ths = float(plan.order_count[o]) * float(plan.cohort_ths_per_machine[c])
        value = ths * machine_prices()[plan.cohort_models[c]] * (1 + rate / 100.0)
        arrival = out.order_arrival_day[o]
        delivered = (arrival >= 0) & (arrival < T)
        capex[paths[delivered], arrival[delivered]] += (1.0 - deposit) * value
        if 0 <= due < T:
            refunds[paths[out.order_cancelled[o]], due] += refund * deposit * value
    return capex, refunds


def _collateral(plan: Plan, out: EngineOutput, market: MarketLike) -> FloatArray:
    """Installed TH/s marked to the used-ASIC index, weighted by the fleet's tiers."""
    weights: dict[str, float] = {}
    total = 0.0
    for c in range(plan.n_cohorts):
        ths = float(plan.cohort_ths_per_machine[c])
        n = float(plan.cohort_initial[c]) or float(plan.order_count[plan.order_cohort == c].sum())
        tier = tier_of(float(plan.cohort_power_w[c]) / ths)
        weights[tier] = weights.get(tier, 0.0) + n * ths
        total += n * ths
    price = sum(
        (w / total) * market.used_price_usd_per_th[tier] for tier, w in weights.items()
    ) if total > 0 else np.zeros_like(out.nameplate_ths)  # fmt: skip
    return np.asarray(out.nameplate_ths * price, dtype=np.float64)
