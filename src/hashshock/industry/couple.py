"""Scenario by scenario, after every member's engine has run: replacement orders on the
vendors' spare capacity (:mod:`hashshock.industry.spot`), then the network, used market
and distress sales settled together (:mod:`hashshock.industry.distress`); each member's
run gets its money and its TH/s after any deliveries and sales."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from hashshock.analysis.checkpoints import CHECKPOINT_DAYS
from hashshock.finance.moneyplan import MoneyPlan
from hashshock.finance.scenario_money import supply_cut
from hashshock.finance.steering import MarketLike
from hashshock.industry.distress import Seller, Settled, settle
from hashshock.industry.network import SharedNetwork, shared_network
from hashshock.industry.queues import LineFlows
from hashshock.industry.room import Room
from hashshock.industry.simulate import (
    IndustryInputs,
    MemberRun,
    reference_plan,
    us_hashrate,
)
from hashshock.industry.spot import OrderEconomics, ReplacementEconomics, Spot, replace
from hashshock.industry.used import Purchases, clear, tier_mix
from hashshock.inputs.industry import Industry
from hashshock.market.simulate import MarketPaths
from hashshock.plan.model import Plan

FloatArray = NDArray[np.float64]


def spot_for(
    inputs: IndustryInputs,
    runs: list[list[MemberRun]],
    lines: list[list[LineFlows]] | None,
    markets: Sequence[MarketLike] | None = None,
) -> list[Spot | None]:
    """Per scenario the members' replacement orders (``None`` under baseline, or without
    ``replacement`` or vendor lines); ``markets``: per scenario the market the engines were
    steered by (its hashprice decides the payback rule, when the file sets one)."""
    industry = inputs.loaded.industry
    out: list[Spot | None] = [None] * len(inputs.to_run)
    if industry.replacement is None or lines is None:
        return out
    members = inputs.loaded.members
    weights = [m.weight for m in members]
    each = [m.loaded.nameplate_ths / max(m.loaded.machines, 1) for m in members]
    # Members without money buy nothing: they have no cash to pay with.
    base = [r[0].waiting_machines if r[0].fixed is not None else None for r in runs]
    for k in range(1, len(inputs.to_run)):
        waiting = [r[k].waiting_machines if r[k].fixed is not None else None for r in runs]
        cash = [r[k].spendable_usd for r in runs]
        economics = None
        if industry.replacement.max_payback_days is not None and markets is not None:
            days = lines[k][0].capacity.shape[1]  # review days within the horizon
            reviews = np.arange(0, days, industry.replacement.review_days)
            economics = [None if w is None else _order_economics(
                industry, inputs.members[i].plans[k], inputs.members[i].money[k], markets[k],
                reviews) for i, w in enumerate(waiting)]  # fmt: skip
        out[k] = replace(industry, weights, each, waiting, base, lines[k], cash, economics)
    return out


def _order_economics(industry: Industry, plan: Plan, money: MoneyPlan, market: MarketLike,
                     reviews: NDArray[np.int64]) -> OrderEconomics:  # fmt: skip
    """A member's orders on the review days ``reviews``, on the ``market`` its engine was
    steered by: a new and a used replacement's margin, and the used one's price (its
    tiers' mix, as its used purchases are priced)."""
    hashprice = market.hashprice_usd_per_ph_day[:, reviews]
    return OrderEconomics(
        ReplacementEconomics.new(industry, plan, money).margin(hashprice),
        ReplacementEconomics.used(plan, money).margin(hashprice),
        tier_mix(money.collateral_tier_share, market.used_price_usd_per_th,
                 (slice(None), reviews)),
    )  # fmt: skip


def settle_scenario(
    inputs: IndustryInputs, prices: MarketPaths, runs: list[MemberRun], k: int, paths: int,
    seed: int, spot: Spot | None = None, first_path: int = 0,
    base_runs: list[MemberRun] | None = None, steered_by: MarketLike | None = None,
) -> Settled:  # fmt: skip
    """Scenario ``k``'s network, used market and distress sales settled together
    (:func:`hashshock.industry.distress.settle`); every member's run gets its money and
    its TH/s after any sales. ``first_path``: these are the run's paths ``first_path`` …
    (``prices`` and the runs are theirs). ``base_runs``: baseline's runs of the members,
    whose machines waiting for parts bound where the replacements mine
    (:class:`~hashshock.industry.room.Room`), on the days the hashprice of the market
    the engines were ``steered_by`` (default ``prices``) covers their power."""
    steering = prices if steered_by is None else steered_by
    weights = [m.weight for m in inputs.loaded.members]
    industry = inputs.loaded.industry
    rest = industry.rest_of_world
    selling = [i for i, r in enumerate(runs) if r.fixed is not None]
    others = np.zeros_like(runs[0].delivered_ths)  # members without money: as their engines
    for i, run in enumerate(runs):
        if i not in selling:
            others += weights[i] * run.delivered_ths
    grown = [(w, r.growth) for w, r in zip(weights, runs, strict=True)]
    cancelled = [(w, g.cancelled) for w, g in grown if g is not None]
    moved = np.zeros_like(others)
    if cancelled:
        moved = rest.takes_cancelled_us_orders * us_hashrate(
            [w for w, _ in cancelled], [c for _, c in cancelled]
        )
    cut = supply_cut(reference_plan(inputs, k), paths, seed, first_path=first_path)

    def network_for(us_selling: FloatArray, abroad: FloatArray) -> SharedNetwork:
        return shared_network(inputs.market, prices, us_selling + others, rest, seed,
                              cut if cut.any() else None, moved + abroad, first_path)  # fmt: skip

    sellers = []
    for i in selling:
        fixed = runs[i].fixed
        assert fixed is not None
        seller = Seller(inputs.members[i], k, weights[i], fixed, runs[i].bought_ths,
                        runs[i].open_orders, engine_used=runs[i].engine_used)  # fmt: skip
        if spot is not None:
            seller.spot_ths, seller.spot_paid_usd = spot.delivered_ths[i], spot.paid_usd[i]
            bought = spot.used_ths[i]
            seller.used = None if bought is None else Purchases(spot.review_days, bought)
            waiting = runs[i].waiting_machines
            base = None if base_runs is None else base_runs[i].waiting_machines
            if waiting is not None and base is not None:
                member = inputs.loaded.members[i].loaded
                prepared = inputs.members[i]
                plan, money = prepared.plans[k], prepared.money[k]
                seller.room = Room.of(waiting, base, member.nameplate_ths / max(member.machines, 1),
                                      steering.hashprice_usd_per_ph_day,
                                      ReplacementEconomics.new(industry, plan, money),
                                      ReplacementEconomics.used(plan, money))  # fmt: skip
        sellers.append(seller)
    if not sellers:  # nobody has money: the network alone
        zero = np.zeros_like(others)
        network = network_for(zero, zero)
        return Settled(network, clear(zero, zero, industry.used_market), [], [], 1, settled=True)
    settled = settle(industry, sellers, network_for)
    for i, outcome in zip(selling, settled.outcomes, strict=True):
        run = runs[i]
        for point, day in CHECKPOINT_DAYS.items():
            if point in run.delivered_at:
                engine = run.delivered_ths[:, day]
                scale = np.divide(outcome.hashrate_ths[:, day], engine,
                                  out=np.ones_like(engine), where=engine > 0)  # fmt: skip
                run.delivered_at[point] = run.delivered_at[point] * scale
                run.nameplate_at[point] = run.nameplate_at[point] * scale
        if run.engine_used is not None:  # the donors at the price the market settled
            run.donor_spend_usd = outcome.donors_usd
        run.fixed = run.bought_ths = run.open_orders = run.engine_used = None
        run.hashrate_ths = outcome.hashrate_ths
        run.cash_usd = outcome.cash_usd
        run.cash_end_usd = outcome.cash_usd[:, -1].copy()
        run.revenue_usd = outcome.revenue_usd
        run.covenant_days = outcome.covenant_days
        run.cash_out_day = outcome.cash_out_day
        run.collateral_at_break = outcome.collateral_at_break
    return settled
