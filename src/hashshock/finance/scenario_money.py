"""Money for one scenario: market paths, engine economy, cash flows, covenants.

Compared scenarios see the same BTC price paths (common random numbers). A
scenario's market differs from baseline's only where the scenario changes it:
used-ASIC prices jump while new Bitmain supply is cut, and — for a
``network_wide`` scenario — network hashrate grows more slowly, in proportion to
the hashrate this fleet loses against baseline (a proxy for the network's
Bitmain-dependent US fleet, ``hashshock.market.network_shock_multiplier``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hashshock.engine.economy import EconomyInputs
from hashshock.engine.eventpaths import EventPaths
from hashshock.engine.output import EngineOutput
from hashshock.finance.cashflow import CashFlows, compute_cashflows
from hashshock.finance.covenants import CovenantResult, evaluate_covenants, margin_calls
from hashshock.finance.economy import MarketLike, build_economy, finance_of
from hashshock.inputs.load import LoadedFleet
from hashshock.market import MarketConfig, network_shock_multiplier, simulate_market
from hashshock.plan.model import Plan
from hashshock.streams import RandomTree

#: Events that cut new supply of a vendor's machines (used prices jump while active).
SUPPLY_CUT_KINDS = ("parts_supply_stop", "order_disruption")


def supply_cut(plan: Plan, paths: int, seed: int, vendor: str = "bitmain") -> NDArray[np.bool_]:
    """[P, T]: days on which the scenario cuts the vendor's new supply on each path."""
    events = EventPaths.realise(plan.events, paths, RandomTree(seed))
    cut = np.zeros((paths, plan.horizon_days), dtype=bool)
    if vendor not in plan.vendor_names:
        return cut
    v = plan.vendor_names.index(vendor)
    days = np.broadcast_to(np.arange(plan.horizon_days), (paths, plan.horizon_days))
    for e, event in enumerate(plan.events):
        if event.kind in SUPPLY_CUT_KINDS and event.vendor_mask[v]:
            cut |= events.active(e, days)
    return cut


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
        else network_shock_multiplier(lost_share, network.us_share, network.vendor_share)
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


def economy_for(loaded: LoadedFleet, plan: Plan, market: MarketLike) -> EconomyInputs:
    return build_economy(loaded, plan, market)


def money_for(loaded: LoadedFleet, plan: Plan, out: EngineOutput, market: MarketLike) -> Money:
    fin = finance_of(loaded)
    flows = compute_cashflows(loaded, plan, out, market)
    return Money(
        market=market,
        flows=flows,
        covenants=evaluate_covenants(fin, flows, out.hashrate_ths, plan.start_date),
        margin_calls=margin_calls(fin, market.btc_price_usd, plan.start_date),
    )


def lost_share(out: EngineOutput, baseline: EngineOutput) -> NDArray[np.float64]:
    """[P, T] share of baseline hashrate this fleet has lost on each path and day."""
    ratio = np.divide(
        out.hashrate_ths, baseline.hashrate_ths,
        out=np.ones_like(out.hashrate_ths), where=baseline.hashrate_ths > 0,
    )  # fmt: skip
    return np.clip(1.0 - ratio, 0.0, 1.0)
