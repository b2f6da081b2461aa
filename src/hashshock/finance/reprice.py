"""A run's cash flows priced again on another market, without running the engine again.

Of the daily flows (:mod:`hashshock.finance.cashflow`) only revenue and the collateral's
mark depend on the market; costs, purchases, refunds and debt service depend on the
engine's run alone. :class:`FixedFlows` keeps those in two sums, and :func:`reprice`
puts the market back:

    revenue = TH/s / 1000 · hashprice,   EBITDA = revenue − costs,
    cash[t] = cash₀ + Σ_{s≤t} (revenue + other)[s],   collateral = TH/s installed · used price

with costs = power + repairs + parts used + storage + overhead and other = refunds −
capex − debt service − (parts bought − parts used). An industry prices every member on
the network they share this way (:mod:`hashshock.industry.simulate`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from hashshock.finance.cashflow import collateral_usd, operating_costs_usd
from hashshock.finance.loans import LoanSchedule
from hashshock.finance.moneyplan import MoneyPlan
from hashshock.finance.steering import MarketLike
from hashshock.running import cumsum_rows

FloatArray = NDArray[np.float64]


@dataclass
class FixedFlows:
    """What a run's cash flows owe to the engine alone, [P, T] USD: ``costs_usd`` (EBITDA's
    costs) and ``other_usd`` (refunds − capex − debt service); and the TH/s delivered and
    installed they are priced on."""

    costs_usd: FloatArray
    other_usd: FloatArray
    hashrate_ths: FloatArray
    nameplate_ths: FloatArray
    cash_start_usd: float
    tier_share: dict[str, float]
    loans: tuple[LoanSchedule, ...]

    @classmethod
    def of(
        cls, free: Mapping[str, FloatArray], money: MoneyPlan, hashrate_ths: FloatArray,
        nameplate_ths: FloatArray,
    ) -> FixedFlows:  # fmt: skip
        """The fixed flows of a run (its market-free flows ``free`` by name,
        :func:`~hashshock.finance.cashflow.market_free`) that delivered ``hashrate_ths``
        with ``nameplate_ths`` installed."""
        costs = operating_costs_usd(free)
        other = free["refunds_usd"] - free["capex_usd"] - free["debt_service_usd"]
        other -= free["parts_usd"] - free["parts_used_usd"]  # bought for the shelves
        return cls(costs, other, hashrate_ths, nameplate_ths, money.cash_start_usd,
                   dict(money.collateral_tier_share), money.loans)  # fmt: skip

    def on(self, rows: NDArray[np.int64]) -> FixedFlows:
        """The flows of paths ``rows`` only (copies)."""
        return dataclasses.replace(
            self, costs_usd=self.costs_usd[rows], other_usd=self.other_usd[rows],
            hashrate_ths=self.hashrate_ths[rows], nameplate_ths=self.nameplate_ths[rows],
        )  # fmt: skip


@dataclass
class Repriced:
    """Flows on the new market, [P, T] USD: what covenants and results read."""

    revenue_usd: FloatArray
    ebitda_usd: FloatArray
    cash_usd: FloatArray
    collateral_usd: FloatArray
    loans: tuple[LoanSchedule, ...]
    hashrate_ths: FloatArray  # the TH/s priced (hashrate covenants read it)


def reprice(fixed: FixedFlows, market: MarketLike) -> Repriced:
    """``fixed`` priced on ``market`` (module docstring)."""
    revenue = fixed.hashrate_ths / 1000.0 * market.hashprice_usd_per_ph_day
    net = revenue - fixed.costs_usd + fixed.other_usd
    cash = fixed.cash_start_usd + cumsum_rows(net, out=net)
    return Repriced(
        revenue_usd=revenue,
        ebitda_usd=revenue - fixed.costs_usd,
        cash_usd=cash,
        collateral_usd=collateral_usd(fixed.tier_share, fixed.nameplate_ths, market),
        loans=fixed.loans,
        hashrate_ths=fixed.hashrate_ths,
    )
