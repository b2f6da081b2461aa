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
import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hashshock.engine.output import EngineOutput
from hashshock.finance.cashflow import CashFlows, compute_cashflows, part_unit_value_usd
from hashshock.finance.covenants import CovenantResult, evaluate_covenants, margin_calls
from hashshock.finance.donor_value import donors_value
from hashshock.finance.moneyplan import MoneyPlan
from hashshock.finance.steering import MarketLike
from hashshock.inputs.catalog import PART_TYPES, STOP_PARTS
from hashshock.market import MarketConfig, network_shock_multiplier, simulate_market
from hashshock.market.simulate import MarketDraws, MarketPaths, market_draws, with_supply_cut
from hashshock.plan.draws import EventDraws
from hashshock.plan.kinds import kinds_tagged
from hashshock.plan.model import Plan
from hashshock.streams import RandomTree


def supply_cut(
    plan: Plan, paths: int, seed: int, vendor: str = "bitmain", first_path: int = 0
) -> NDArray[np.bool_]:
    """[P, T]: days on which the scenario cuts the vendor's new supply on each path (paths
    ``first_path`` … on)."""
    if vendor not in plan.vendor_names:
        return np.zeros((paths, plan.horizon_days), dtype=bool)
    draws = EventDraws.realise(plan.events, paths, RandomTree(seed), first_path)
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
    spares_value_usd: NDArray[np.float64]  # [P] spares on the shelves at the end, at cost
    donors_value_usd: NDArray[np.float64]  # [P] whole donors at the end, at the used index
    missing_parts_usd: NDArray[np.float64]  # [P] what machines waiting at the end lack, USD
    cash_given: bool = True  # MoneyPlan.cash_given

    @property
    def machines_value_usd(self) -> NDArray[np.float64]:
        """[P] the machines installed on the last day at the used-ASIC index, USD (the LTV
        covenant's collateral)."""
        return np.asarray(self.flows.collateral_usd[:, -1], dtype=np.float64)

    @property
    def owned_end_usd(self) -> NDArray[np.float64]:
        """[P] what the fleet owns on the last day, USD: cash, the spares at cost, the
        machines and whole donors at the used-ASIC index, less what its waiting machines
        lack — as ``hashshock strategies`` values a fleet (docs/decisions.md, *Net benefit*). Cash
        alone reads a shock that cancels orders as a saving: the balance is not paid,
        and the machines never come."""
        return np.asarray(
            self.flows.cash_usd[:, -1] + self.spares_value_usd + self.machines_value_usd
            + self.donors_value_usd - self.missing_parts_usd, dtype=np.float64,
        )  # fmt: skip


def spares_value(money: MoneyPlan, plan: Plan, out: EngineOutput) -> NDArray[np.float64]:
    """[P] the spares on the shelves on the last day at :func:`part_unit_value_usd`, USD:
    stock a run draws down is spent as surely as cash (a shock that empties the shelves
    is not a saving), and stock a strategy buys is still owned at the end."""
    on_hand = out.spares_on_hand[:, -1, :].astype(np.float64)
    return np.asarray(on_hand @ part_unit_value_usd(money, plan), dtype=np.float64)


def missing_parts_value(
    money: MoneyPlan, plan: Plan, out: EngineOutput, collateral_usd: NDArray[np.float64]
) -> NDArray[np.float64]:
    """[P] what the machines waiting on the last day lack, USD, so that what a fleet owns
    counts each part once (docs/decisions.md, net benefit). At each pool j, of the
    machines (boards) waiting for a spare W_j:

    * as many as its shelf holds, min(W_j, S_j) — spares waiting for a technician's
      hands, on the shelf at :func:`part_unit_value_usd` — at that value: machine and
      spare together are a whole machine;
    * the rest, lacking from the shelf too, at that value but at most the share of a
      machine's used value the part stands for — the whole machine for a fan, PSU or
      control board (it stops), 1/b̄ of it for a hashboard (it runs on its other
      boards) — so that a machine waiting for a part nobody has is never worth less than
      nothing. A machine's used value is the fleet's mean on the last day,
      ``collateral_usd`` [P] (installed machines at the used-ASIC index) over the
      machines installed."""
    unit = part_unit_value_usd(money, plan)[plan.pool_part]  # [J]
    waiting = out.pool_waiting_end.astype(np.float64)
    on_shelf = np.minimum(waiting, out.pool_on_hand_end)
    installed = np.maximum(out.machines_installed[:, -1], 1).astype(np.float64)
    machine_usd = collateral_usd / installed  # [P]
    stands_for = np.array([1.0 if PART_TYPES[k] in STOP_PARTS else 1.0 / plan.boards_per_machine
                           for k in plan.pool_part])  # fmt: skip
    worth = np.minimum(unit[None, :], stands_for[None, :] * machine_usd[:, None])
    lacking = on_shelf * unit[None, :] + (waiting - on_shelf) * worth
    return np.asarray(lacking.sum(axis=1), dtype=np.float64)


def _multiplier(
    config: MarketConfig, lost_share: NDArray[np.float64] | None
) -> NDArray[np.float64] | None:
    """The network hashrate multiplier of a network-wide scenario's ``lost_share``."""
    if lost_share is None:
        return None
    network = config.network
    return network_shock_multiplier(
        lost_share, us_share=network.us_share, vendor_share=network.vendor_share
    )


def market_supply_cut(plan: Plan, paths: int, seed: int) -> NDArray[np.bool_] | None:
    """[P, T]: the days a fleet's scenario cuts Bitmain's supply to the whole market, which
    moves used prices (None: never). Only a ``network_wide`` scenario moves the market: one
    fleet's order delayed a week read its machines 24 % dearer."""
    if not plan.network_wide:
        return None
    cut = supply_cut(plan, paths, seed)
    return cut if cut.any() else None


def scenario_market(
    config: MarketConfig, plan: Plan, paths: int, seed: int,
    lost_share: NDArray[np.float64] | None = None,
) -> MarketLike:  # fmt: skip
    """``plan``'s market; ``lost_share`` [P, T] (a network-wide scenario): the share of
    baseline hashrate its fleet lost, which slows the network's growth."""
    return simulate_market(
        config, plan.start_date, plan.horizon_days, paths, seed,
        hashrate_multiplier=_multiplier(config, lost_share),
        supply_cut=market_supply_cut(plan, paths, seed),
    )  # fmt: skip


class ScenarioMarkets:
    """:func:`scenario_market` for the scenarios of one call (same market, start,
    horizon, paths and seed), sharing the work: the draws (price, hashrate noise) and the
    network without a shock are simulated once; a scenario's market is that network with
    its supply cut (which moves used prices only), or the network mined again under a
    network-wide shock on the same draws. The markets are the same as one by one.
    """

    def __init__(
        self, config: MarketConfig, start_date: dt.date, horizon_days: int, paths: int, seed: int
    ) -> None:
        self.config = config
        self.start_date = start_date
        self.horizon_days = horizon_days
        self.paths = paths
        self.seed = seed

    @cached_property
    def draws(self) -> MarketDraws:
        return market_draws(self.config, self.start_date, self.horizon_days, self.paths, self.seed)

    @cached_property
    def unshocked(self) -> MarketPaths:
        """The market with no network shock and no supply cut."""
        return self._simulate(None, None)

    def _simulate(
        self, multiplier: NDArray[np.float64] | None, cut: NDArray[np.bool_] | None
    ) -> MarketPaths:
        return simulate_market(
            self.config, self.start_date, self.horizon_days, self.paths, self.seed,
            hashrate_multiplier=multiplier, supply_cut=cut, draws=self.draws,
        )  # fmt: skip

    def market(self, plan: Plan, lost_share: NDArray[np.float64] | None = None) -> MarketPaths:
        """:func:`scenario_market` of ``plan`` (and ``lost_share``)."""
        if (plan.start_date, plan.horizon_days) != (self.start_date, self.horizon_days):
            raise ValueError("the plan's start date and horizon are not these markets'")
        cut = market_supply_cut(plan, self.paths, self.seed)
        if lost_share is not None:
            return self._simulate(_multiplier(self.config, lost_share), cut)
        if cut is None:
            return self.unshocked
        return with_supply_cut(self.config, self.unshocked, cut)


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


def money_for(
    money: MoneyPlan, plan: Plan, out: EngineOutput, market: MarketLike,
    same_run: Money | None = None,
) -> Money:  # fmt: skip
    """The money of the run ``out`` on ``market``; ``same_run``: this run's money on another
    market, whose market-free flows are taken as they are (:func:`compute_cashflows`)."""
    other = None if same_run is None else same_run.flows
    flows = compute_cashflows(money, plan, out, market, other)
    return Money(
        market=market,
        flows=flows,
        covenants=evaluate_covenants(money.covenants, flows, out.hashrate_ths),
        margin_calls=margin_calls(
            money.pledges, market.btc_price_usd, out.order_cancelled, plan.order_due_day
        ),
        spares_value_usd=spares_value(money, plan, out),
        donors_value_usd=donors_value(money.donor_value, out, market),
        missing_parts_usd=missing_parts_value(money, plan, out, flows.collateral_usd[:, -1]),
        cash_given=money.cash_given,
    )


def lost_share(out: EngineOutput, baseline: EngineOutput) -> NDArray[np.float64]:
    """[P, T] share of baseline hashrate this fleet has lost on each path and day."""
    ratio = np.divide(
        out.hashrate_ths, baseline.hashrate_ths,
        out=np.ones_like(out.hashrate_ths), where=baseline.hashrate_ths > 0,
    )  # fmt: skip
    lost = np.subtract(1.0, ratio, out=ratio)
    return np.clip(lost, 0.0, 1.0, out=lost)
