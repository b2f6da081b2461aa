"""A member's open machine orders in an industry run: the planned growth that is
cancelled or late, by path and day (docs/industry.md, "Outputs")."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from hashshock.engine.output import EngineOutput
from hashshock.prepare import Prepared

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass
class OrderedGrowth:
    """A member's open machine orders, kept per order rather than per day (a [P, T] array
    per member is the industry's memory): nameplate TH/s [O], due day [O], cancelled
    [O, P] and arrival day [O, P] (−1: never) over ``days``. :attr:`cancelled` and
    :attr:`late` are the [P, T] nameplate TH/s by day."""

    ths: FloatArray
    due_day: IntArray
    gone: NDArray[np.bool_]
    arrival_day: IntArray
    days: int

    @property
    def cancelled(self) -> FloatArray:
        """[P, T]: orders cancelled on or before the day (counted from their due day)."""
        out = np.zeros((self.gone.shape[1], self.days))
        for ths, due, gone in zip(self.ths, self.due_day, self.gone, strict=True):
            if 0 <= due < self.days:
                out[gone, due:] += ths
        return out

    @property
    def late(self) -> FloatArray:
        """[P, T]: orders due on or before the day, not cancelled, not yet delivered."""
        day = np.arange(self.days)
        out = np.zeros((self.gone.shape[1], self.days))
        for ths, due, gone, arrival in zip(self.ths, self.due_day, self.gone, self.arrival_day,
                                           strict=True):  # fmt: skip
            until = np.where(arrival >= 0, arrival, self.days)[:, None]
            out += ths * ((day >= due) & (day < until) & ~gone[:, None])
        return out


def ordered_growth(
    member: Prepared, k: int, out: EngineOutput, twins: frozenset[int] = frozenset()
) -> OrderedGrowth | None:
    """:class:`OrderedGrowth` of member ``member`` under scenario ``k`` (its engine run
    ``out``); ``None`` without orders. Twins (orders placed again with another vendor,
    :mod:`hashshock.industry.orders`) are not planned growth and are left out."""
    orders = member.loaded.fleet.orders
    kept = [o for o in range(len(orders)) if o not in twins]
    if not kept:
        return None
    plan = member.plans[k]
    each = np.array([member.loaded.model_of(orders[o].model).hashrate_ths for o in kept])
    return OrderedGrowth(
        plan.order_count[kept] * each, plan.order_due_day[kept].astype(np.int64),
        out.order_cancelled[kept].copy(), out.order_arrival_day[kept].copy(),
        out.hashrate_ths.shape[1],
    )  # fmt: skip
