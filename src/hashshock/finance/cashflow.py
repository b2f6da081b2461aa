"""Daily cash flows on every path (USD), from engine output and market paths.

``cash[t] = cash₀ + Σ_{s≤t} (revenue − power − repairs − parts − storage −
overhead − capex + refunds − debt service)[s]`` — the conservation identity the
tests check. EBITDA is revenue less operating costs (power, repairs, parts used,
customs storage, overhead); machine purchases and debt service are below it.

Spare parts are expensed as they are used, not as they are bought: parts used on day t
= parts bought on day t − the change in the value of the spares on the shelves (at
:func:`part_unit_value_usd`) from day t−1 (the fleet's starting stock before day 0) to
day t. A fleet living off its shelves therefore pays for the stock it draws down in its
EBITDA (and its DSCR), and stock bought and kept is not an expense until it is used.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import NDArray

from hashshock.engine.output import EngineOutput
from hashshock.finance.loans import LoanSchedule
from hashshock.finance.moneyplan import MoneyPlan
from hashshock.finance.steering import MarketLike
from hashshock.inputs.catalog import PART_TYPES
from hashshock.plan.model import Plan
from hashshock.running import cumsum_rows

FloatArray = NDArray[np.float64]


@dataclass
class CashFlows:
    """[P, T] arrays in USD (``revenue_btc`` in BTC); outflows are positive numbers."""

    revenue_btc: FloatArray
    revenue_usd: FloatArray
    power_usd: FloatArray
    repairs_usd: FloatArray
    parts_usd: FloatArray  # bought (cash)
    parts_used_usd: FloatArray  # used (EBITDA): bought − the shelves' change in value
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

    #: The flows that depend on the engine's run alone, not on the market.
    MARKET_FREE = ("power_usd", "repairs_usd", "parts_usd", "parts_used_usd", "storage_usd",
                   "overhead_usd", "capex_usd", "refunds_usd", "debt_service_usd")  # fmt: skip
    #: EBITDA's costs.
    OPERATING = ("power_usd", "repairs_usd", "parts_used_usd", "storage_usd", "overhead_usd")

    def operating_costs_usd(self) -> FloatArray:
        """[P, T] EBITDA's costs: power, repairs, parts used, storage, overhead."""
        return operating_costs_usd(self.market_free())

    def market_free(self) -> dict[str, FloatArray]:
        """The flows of :attr:`MARKET_FREE` by name."""
        return {name: getattr(self, name) for name in self.MARKET_FREE}

    def lowest_cash_usd(self) -> FloatArray:
        """[P] the lowest cash over the horizon from the start: the cash before day 0's
        flows counts, so a fleet whose cash only grows has its starting cash as lowest."""
        return np.asarray(np.minimum(self.cash_usd.min(axis=1), self.cash_start_usd))

    def net_usd(self) -> FloatArray:
        """Net cash flow per day: inflows minus every outflow."""
        return net_usd(self.revenue_usd, self.market_free())

    def totals(self) -> dict[str, FloatArray]:
        """[P] sums over the run of each [P, T] flow."""
        return {
            f.name: self.total(f.name)
            for f in fields(self)
            if f.name not in {"cash_usd", "collateral_usd", "loans", "cash_start_usd"}
        }

    def total(self, name: str) -> FloatArray:
        """[P] sum over the run of the flow ``name``, summed once (read-only: a run's
        summary and its comparisons read the same sums)."""
        sums: dict[str, FloatArray] = self.__dict__.setdefault("_sums", {})
        if name not in sums:
            found = getattr(self, name).sum(axis=1)
            found.flags.writeable = False
            sums[name] = found
        return sums[name]


def compute_cashflows(
    money: MoneyPlan, plan: Plan, out: EngineOutput, market: MarketLike,
    same_run: CashFlows | None = None,
) -> CashFlows:  # fmt: skip
    """The daily flows of one run (``out``) on its market paths, from the compiled money.

    ``same_run``: the flows of this run (same money, plan and ``out``) on another market;
    its market-free flows (:attr:`CashFlows.MARKET_FREE`) are taken as they are.
    """
    free = market_free(money, plan, out) if same_run is None else same_run.market_free()
    revenue_usd = revenue_of(out.hashrate_ths, market)
    ebitda = revenue_usd - free["power_usd"]
    for name in CashFlows.OPERATING[1:]:
        ebitda -= free[name]
    flows = CashFlows(
        revenue_btc=out.hashrate_ths * market.btc_per_th_day, revenue_usd=revenue_usd,
        ebitda_usd=ebitda, cash_usd=np.empty(0),
        collateral_usd=collateral_usd(installed_tier_shares(money, plan, out),
                                      out.nameplate_ths, market),
        loans=money.loans,
        cash_start_usd=money.cash_start_usd, **free,
    )  # fmt: skip
    flows.cash_usd = running_cash_usd(revenue_usd, free, money.cash_start_usd)
    return flows


def revenue_of(hashrate_ths: FloatArray, market: MarketLike) -> FloatArray:
    """[P, T] USD mined a day by ``hashrate_ths`` [P, T] delivered at the market's hashprice."""
    revenue_usd = hashrate_ths / 1000.0
    revenue_usd *= market.hashprice_usd_per_ph_day
    return revenue_usd


def net_usd(revenue_usd: FloatArray, free: Mapping[str, FloatArray]) -> FloatArray:
    """[P, T] net cash flow a day: revenue and refunds less every outflow of the
    market-free flows ``free`` (:attr:`CashFlows.MARKET_FREE` by name)."""
    out = revenue_usd + free["refunds_usd"]
    for name in CashFlows.OUTFLOWS:
        out -= free[name]
    return out


def running_cash_usd(revenue_usd: FloatArray, free: Mapping[str, FloatArray],
                     cash_start_usd: float) -> FloatArray:  # fmt: skip
    """[P, T] cash at the end of each day: the start plus the running sum of
    :func:`net_usd`."""
    cash = net_usd(revenue_usd, free)
    cumsum_rows(cash, out=cash)
    cash += cash_start_usd
    return cash


def operating_costs_usd(free: Mapping[str, FloatArray]) -> FloatArray:
    """[P, T] EBITDA's costs (:attr:`CashFlows.OPERATING`) of the market-free flows."""
    total = np.zeros_like(free["power_usd"])
    for name in CashFlows.OPERATING:
        total += free[name]
    return total


def market_free(money: MoneyPlan, plan: Plan, out: EngineOutput) -> dict[str, FloatArray]:
    """:attr:`CashFlows.MARKET_FREE` of the run ``out``, [P, T] USD."""
    P, T = out.hashrate_ths.shape
    costs = money.costs
    repairs = out.repairs_in_house @ costs.in_house
    repairs += out.repairs_vendor @ costs.vendor_all_in
    repairs += out.swaps_daily @ costs.labour
    capex, refunds = _orders(money, plan, out)
    capex += out.replacement_spend + out.donor_spend
    debt = np.broadcast_to(sum((s.debt_service for s in money.loans), np.zeros(T)), (P, T))
    parts = out.parts_spend + out.grey_spend
    if plan.transfer_days >= 0:  # spares sent between sites (lateral transshipment)
        parts += plan.transfer_cost_usd * out.parts_transferred.sum(axis=2)
    return {
        "power_usd": out.power_cost,
        "repairs_usd": repairs,
        "parts_usd": parts,
        "parts_used_usd": parts - shelf_change_usd(money, plan, out),
        "storage_usd": out.storage_unit_days * money.storage_fee_usd_per_unit_day,
        "overhead_usd": np.asarray(
            out.machines_installed * money.overhead_usd_per_machine_day, dtype=np.float64
        ),
        "capex_usd": capex,
        "refunds_usd": refunds,
        "debt_service_usd": np.asarray(debt, dtype=np.float64),
    }


def part_unit_value_usd(money: MoneyPlan, plan: Plan) -> NDArray[np.float64]:
    """[4] what one spare of each part type is worth on the shelf, USD: its day-0 landed
    cost (new part, duty, shipping), the mean over the fleet's pools of that part (pools
    differ by their vendor's duty only); 0 for a part the fleet has no pool of."""
    value = np.zeros(len(PART_TYPES))
    parts = plan.pool_part.astype(np.int64)
    for k in range(len(PART_TYPES)):
        mine = parts == k
        if mine.any():
            value[k] = float(money.pool_unit_cost[mine, 0].mean())
    return value


def shelf_change_usd(money: MoneyPlan, plan: Plan, out: EngineOutput) -> FloatArray:
    """[P, T] the change in the value of the spares on the shelves from the day before
    (the starting stock before day 0), at :func:`part_unit_value_usd`, USD."""
    unit = part_unit_value_usd(money, plan)
    # Part by part: the engine's [P, T, 4] counts are a strided view, which a whole-array
    # cast to float would copy slowly (~20 ms at 1,000 × 365).
    paths, days = out.hashrate_ths.shape
    value = np.zeros((paths, days))
    for k, price in enumerate(unit):
        if price:
            value += out.spares_on_hand[:, :, k] * price
    start = np.bincount(plan.pool_part.astype(np.int64), weights=plan.pool_on_hand,
                        minlength=len(unit)) @ unit  # fmt: skip
    change = np.diff(value, axis=1, prepend=np.full((paths, 1), start))
    return np.asarray(change, dtype=np.float64)


def _orders(money: MoneyPlan, plan: Plan, out: EngineOutput) -> tuple[FloatArray, FloatArray]:
    """Balance paid on delivery; part of the deposit refunded on cancellation (due day)."""
    P, T = out.hashrate_ths.shape
    capex = np.zeros((P, T))
    refunds = np.zeros((P, T))
    paths = np.arange(P)
    deposit, refund = money.deposit_share, money.refund_share
    for o, value in enumerate(money.order_value_usd):
        due = int(plan.order_due_day[o])
        arrival = out.order_arrival_day[o]
        delivered = (arrival >= 0) & (arrival < T)
        capex[paths[delivered], arrival[delivered]] += (1.0 - deposit) * value
        if 0 <= due < T:
            refunds[paths[out.order_cancelled[o]], due] += refund[o] * deposit * value
    return capex, refunds


def installed_tier_shares(money: MoneyPlan, plan: Plan, out: EngineOutput
                          ) -> dict[str, float | FloatArray]:  # fmt: skip
    """[P, T] share of each used-market tier in the TH/s installed by day: the machines
    installed at the start, and each order's from the day it arrives on that path — not
    before, nor when it is cancelled (machines on order are no collateral: an order due
    after the horizon priced a fleet of S19s as S21s, LTV 0.22 for 0.81) — and the
    replacement machines bought, in their own tier from the day they arrive (those dead
    on arrival in expectation: 556 used S19j Pro were marked as the S21 Pro fleet's, 17 %
    too much collateral). A fleet without orders or replacements has the same mix every
    day: its shares, as numbers."""
    spec = money.replacement
    replaced = spec is not None and spec.cohort >= 0 and bool(out.machines_bought.any())
    if not len(plan.order_count) and not replaced:
        return dict(money.collateral_tier_share)
    P, T = out.nameplate_ths.shape
    ths = plan.cohort_initial * plan.cohort_ths_per_machine
    installed = {tier: np.full((P, T), 0.0) for tier in dict.fromkeys(money.cohort_tier)}
    for c, tier in enumerate(money.cohort_tier):
        installed[tier] += float(ths[c])
    if replaced:
        assert spec is not None
        working = np.cumsum(out.machines_bought, axis=1) * (1.0 - spec.doa_share)
        arrived = np.zeros((P, T))
        if spec.lead_days < T:
            arrived[:, spec.lead_days :] = working[:, : T - spec.lead_days]
        installed[money.cohort_tier[spec.cohort]] += arrived * float(
            plan.cohort_ths_per_machine[spec.cohort])  # fmt: skip
    day = np.arange(T)
    for o in range(len(plan.order_count)):
        c = int(plan.order_cohort[o])
        arrival = out.order_arrival_day[o]
        arrived = (arrival >= 0)[:, None] & (day[None, :] >= arrival[:, None])
        installed[money.cohort_tier[c]] += arrived * float(
            plan.order_count[o] * plan.cohort_ths_per_machine[c])  # fmt: skip
    total = sum(installed.values())
    with np.errstate(invalid="ignore", divide="ignore"):
        return {tier: np.where(total > 0, part / total, 0.0) for tier, part in installed.items()}


def collateral_usd(
    tier_share: Mapping[str, float | FloatArray], nameplate_ths: FloatArray, market: MarketLike
) -> FloatArray:
    """Installed TH/s [P, T] marked to the used-ASIC index, weighted by the fleet's tiers
    (shares fixed, or [P, T] by day: :func:`installed_tier_shares`)."""
    price = np.zeros(np.shape(nameplate_ths))
    for tier, share in tier_share.items():
        price += share * market.used_price_usd_per_th[tier]
    price *= nameplate_ths
    return price
