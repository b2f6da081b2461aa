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
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from hashshock.inputs.industry import UsedMarket

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
    total = np.cumsum(flow, axis=1)
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
                     1.0 + market.grey_premium)  # fmt: skip
    return UsedFlows(offered, wanted, traded, grey, stock, factor)
