"""Money for one scenario's run: its market paths, the engine's money inputs, cash flows,
covenants and margin calls.

Compared scenarios see the same BTC price paths (common random numbers). A scenario's
market differs from baseline's only where the scenario changes it: used-ASIC prices
jump while new supply from a vendor is cut (events tagged ``cuts_supply`` in
:mod:`hashshock.plan.kinds`, drawn on each path from the same streams as the engine's,
:mod:`hashshock.plan.draws`), and — for a ``network_wide`` scenario — network hashrate
grows more slowly, in proportion to the hashrate this fleet loses against baseline (a
proxy for the network's vendor-dependent US fleet,
:func:`hashshock.market.network_shock_multiplier`, with the market's ``us_share`` and
``vendor_share``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hashshock.engine.output import EngineOutput
from hashshock.finance.cashflow import CashFlows, compute_cashflows
from hashshock.finance.covenants import CovenantResult, evaluate_covenants, margin_calls
from hashshock.finance.moneyplan import MoneyPlan
from hashshock.finance.steering import MarketLike
from hashshock.market import MarketConfig, network_shock_multiplier, simulate_market
from hashshock.plan.draws import EventDraws
from hashshock.plan.kinds import kinds_tagged
from hashshock.plan.model import Plan
from hashshock.streams import RandomTree


def supply_cut(plan: Plan, paths: int, seed: int, vendor: str = "bitmain") -> NDArray[np.bool_]:
    """[P, T]: days on which the scenario cuts the vendor's new supply on each path."""
    if vendor not in plan.vendor_names:
        return np.zeros((paths, plan.horizon_days), dtype=bool)
    draws = EventDraws.realise(plan.events, paths, RandomTree(seed))
    return draws.kinds_active(
        kinds_tagged("cuts_supply"), plan.vendor_names.index(vendor), plan.horizon_days
    )


@dataclass
class Money:
    """The money side of one scenario's run."""

    market: MarketLike
    flows: CashFlows
    covenants: list[CovenantResult]
    margin_calls: dict[str, Any]


def scenario_market(
    config: MarketConfig, plan: Plan, paths: int, seed: int,
    lost_share: NDArray[np.float64] | None = None,
) -> MarketLike:  # fmt: skip
    cut = supply_cut(plan, paths, seed)
    network = config.network
    multiplier = (
        None
        if lost_share is None
        else network_shock_multiplier(
            lost_share, us_share=network.us_share, vendor_share=network.vendor_share
        )
    )
    return simulate_market(
        config, plan.start_date, plan.horizon_days, paths, seed,
        hashrate_multiplier=multiplier, supply_cut=cut if cut.any() else None,
    )  # fmt: skip


def with_price_factor(market: MarketLike, factor: float) -> MarketLike:
    """The same market with BTC prices (and so hashprice and used prices) scaled by ``factor``.

    Used prices follow hashprice in proportion here (a price shock on top of the
    market model); BTC earned per TH is unchanged.
    """
    if factor == 1.0:
        return market
    return dataclasses.replace(
        market,  # type: ignore[type-var]
        btc_price_usd=market.btc_price_usd * factor,
        hashprice_usd_per_ph_day=market.hashprice_usd_per_ph_day * factor,
        used_price_usd_per_th={k: v * factor for k, v in market.used_price_usd_per_th.items()},
    )


def money_for(money: MoneyPlan, plan: Plan, out: EngineOutput, market: MarketLike) -> Money:
    flows = compute_cashflows(money, plan, out, market)
    return Money(
        market=market,
        flows=flows,
        covenants=evaluate_covenants(money.covenants, flows, out.hashrate_ths),
        margin_calls=margin_calls(money.pledges, market.btc_price_usd),
    )


def lost_share(out: EngineOutput, baseline: EngineOutput) -> NDArray[np.float64]:
    """[P, T] share of baseline hashrate this fleet has lost on each path and day."""
    ratio = np.divide(
        out.hashrate_ths, baseline.hashrate_ths,
        out=np.ones_like(out.hashrate_ths), where=baseline.hashrate_ths > 0,
    )  # fmt: skip
    return np.clip(1.0 - ratio, 0.0, 1.0)
