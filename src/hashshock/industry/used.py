"""The US used-ASIC market of an industry: machines offered and wanted clear through a
dealers' stock, the price responds to the imbalance, the grey market fills what the
stock cannot (docs/industry.md, "Used and grey markets").

Per path and day, in TH/s: O(t) offered (machines distressed operators sell), W(t) wanted
(replacement machines the operators buy). The dealers' stock I holds what was offered
and not yet bought:

    traded(t) = min(W(t), I(t−1) + O(t)),   I(t) = I(t−1) + O(t) − traded(t),
    grey(t) = W(t) − traded(t)   (wants the stock cannot meet: grey imports)

so machines bought = machines sold + grey imports, every day. The price of every tier
is the market's curve (docs/market.md, "Used-ASIC prices": hashprice, drift, the
supply-cut premium) times

    m(t) = clip(exp(η · (W̄(t) − Ō(t)) / D), m_min, 1 + premium)

with W̄, Ō the wanted and offered TH/s of the last ``window_days`` days, D the market's
normal turnover in that window and η its sensitivity: selling a window's turnover more
than is wanted lowers prices by the factor e^−η. The price never rises above the grey
market's premium (imports come in instead) nor falls below ``m_min``.

Operators' replacement machines bought on the used market (:func:`received`,
:func:`paid_usd`): each day's purchase is met from the dealers' stock in the share
traded(t) / W(t) of that day, arriving after the used-machines channel's lead less its
dead-on-arrival share and paid at the cleared price, and the rest by grey imports,
arriving after the grey channel's lead less the grey dead-on-arrival share and paid at
the grey price, the curve × (1 + premium) (data/channels.csv).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hashshock.finance.data import channels
from hashshock.inputs.industry import UsedMarket
from hashshock.running import cumsum_rows

FloatArray = NDArray[np.float64]


@dataclass
class UsedFlows:
    """The used market on every path and day [P, T], TH/s (a day) and the price factor."""

    offered: FloatArray
    wanted: FloatArray
    traded: FloatArray
    grey: FloatArray
    stock: FloatArray
    price_factor: FloatArray


def trailing_sum(flow: FloatArray, window: int) -> FloatArray:
    """[P, T]: Σ of ``flow`` over the ``window`` days up to and including each day."""
    total = cumsum_rows(flow)
    out = total.copy()
    out[:, window:] -= total[:, :-window]
    return out


def clear(offered: FloatArray, wanted: FloatArray, market: UsedMarket) -> UsedFlows:
    """Clear ``offered`` against ``wanted`` [P, T] (module docstring)."""
    paths, days = offered.shape
    traded = np.zeros((paths, days))
    stock = np.zeros((paths, days))
    held = np.zeros(paths)
    for day in range(days):
        available = held + offered[:, day]
        traded[:, day] = np.minimum(wanted[:, day], available)
        held = available - traded[:, day]
        stock[:, day] = held
    grey = wanted - traded
    depth = market.turnover_ehs_per_window * 1e6
    excess = trailing_sum(wanted, market.window_days) - trailing_sum(offered, market.window_days)
    factor = np.clip(np.exp(market.sensitivity * excess / depth), market.floor_factor,
                     1.0 + grey_premium(market))  # fmt: skip
    return UsedFlows(offered, wanted, traded, grey, stock, factor)


def traded_share(used: UsedFlows) -> FloatArray:
    """[P, T]: the share of each day's wants met from the dealers' stock (1 where nothing
    is wanted)."""
    return np.divide(used.traded, used.wanted, out=np.ones_like(used.wanted),
                     where=used.wanted > 0)  # fmt: skip


@dataclass
class Purchases:
    """TH/s bought on the used market [P, R] on each of the days ``days`` [R] (a buyer's
    review days: kept by those days, not as a [P, T] array of mostly zeros)."""

    days: NDArray[np.int64]
    ths: FloatArray

    def on(self, rows: NDArray[np.int64]) -> Purchases:
        """The purchases of paths ``rows`` only."""
        return Purchases(self.days, self.ths[rows])


def grey_premium(market: UsedMarket) -> float:
    """The industry file's grey premium, else data/channels.csv grey-parts' (its price
    factor less 1): one figure for the fleets' grey parts and the industry's imports."""
    if market.grey_premium is not None:
        return market.grey_premium
    return channels()["grey-parts"].price_factor - 1.0


def grey_doa_share(market: UsedMarket) -> float:
    """The industry file's grey dead-on-arrival share, else data/channels.csv
    grey-parts'."""
    if market.grey_doa_share is not None:
        return market.grey_doa_share
    return channels()["grey-parts"].doa_share


def received(bought: Purchases, share: FloatArray, market: UsedMarket) -> FloatArray:
    """[P, T]: working TH/s arrived by each day of the TH/s ``bought``, ``share`` [P, T]
    of each day's from the dealers (:func:`traded_share`), the rest grey imports (module
    docstring)."""
    dealers, grey = channels()["used-machines"], channels()["grey-parts"]
    days = share.shape[1]
    arriving = np.zeros_like(share)
    from_dealers = share[:, bought.days]
    routes = ((from_dealers, dealers.lead_time_days, dealers.doa_share),
              (1.0 - from_dealers, grey.lead_time_days, grey_doa_share(market)))  # fmt: skip
    for part, lead, dead in routes:
        when = bought.days + lead
        within = when < days
        arriving[:, when[within]] += (bought.ths * part * (1.0 - dead))[:, within]
    return cumsum_rows(arriving, out=arriving)


def paid_factor(days: NDArray[np.int64], share: FloatArray, price_factor: FloatArray,
                market: UsedMarket) -> FloatArray:  # fmt: skip
    """[P, R]: the curve's multiple a buyer pays on the days ``days`` [R]: the cleared
    ``price_factor`` [P, T] for the ``share`` [P, T] from the dealers, 1 + premium for
    the grey imports."""
    from_dealers = share[:, days]
    return (from_dealers * price_factor[:, days]
            + (1.0 - from_dealers) * (1.0 + grey_premium(market)))  # fmt: skip


def paid_usd(bought: Purchases, share: FloatArray, price_factor: FloatArray,
             market: UsedMarket, curve_usd_per_th: FloatArray) -> FloatArray:  # fmt: skip
    """[P, T]: USD paid each day for the TH/s ``bought``, at ``curve_usd_per_th`` [P, R]
    on the days bought (the market's curve for the buyer's tiers) × :func:`paid_factor`."""
    paid = np.zeros_like(share)
    paid[:, bought.days] = bought.ths * curve_usd_per_th * paid_factor(
        bought.days, share, price_factor, market)  # fmt: skip
    return paid


def tier_mix(tier_share: Mapping[str, float], prices: Mapping[str, FloatArray],
             at: Any) -> FloatArray:  # fmt: skip
    """USD/TH of a fleet's mix of tiers: Σ share × ``prices[tier][at]``."""
    return np.asarray(sum(share * prices[tier][at] for tier, share in tier_share.items()))


@dataclass
class EnginePurchases:
    """Used machines a member's engine bought itself — replacements of the used market's
    and donors (docs/model.md, C4) — on the days ``days`` [R]: USD paid [P, R], of it for
    donors [P, R], and the price of the fleet's mix of tiers the engine paid at, USD/TH
    [P, R] (the market that steered it, without the used market's clearing)."""

    days: NDArray[np.int64]
    paid_usd: FloatArray
    donors_usd: FloatArray
    steered_usd_per_th: FloatArray

    @classmethod
    def of(cls, paid_usd: FloatArray, donors_usd: FloatArray, tier_share: Mapping[str, float],
           steering: Mapping[str, FloatArray]) -> EnginePurchases:  # fmt: skip
        """The engine's purchases from its [P, T] spend, kept on the days it bought."""
        days = np.nonzero(paid_usd.any(axis=0))[0]
        return cls(days, paid_usd[:, days], donors_usd[:, days],
                   tier_mix(tier_share, steering, (slice(None), days)))  # fmt: skip

    def on(self, rows: NDArray[np.int64]) -> EnginePurchases:
        """The purchases of paths ``rows`` only."""
        return EnginePurchases(self.days, self.paid_usd[rows], self.donors_usd[rows],
                               self.steered_usd_per_th[rows])  # fmt: skip

    def at_cleared(self, curve_usd_per_th: FloatArray, factor: FloatArray
                   ) -> tuple[FloatArray, FloatArray]:  # fmt: skip
        """The purchases at the price the market settled instead of the one that steered
        the engine — the curve of the fleet's tiers [P, R] × :func:`paid_factor` [P, R]
        on ``days``: USD paid beyond the engine's on each of ``days`` [P, R], and the
        donors' price over the horizon [P]."""
        ratio = np.divide(curve_usd_per_th * factor, self.steered_usd_per_th,
                          out=np.ones_like(factor), where=self.steered_usd_per_th > 0)  # fmt: skip
        return self.paid_usd * (ratio - 1.0), (self.donors_usd * ratio).sum(axis=1)
