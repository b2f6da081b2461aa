"""The closed form's inputs read from a compiled plan: per spare pool (site × part ×
family) its demand rate, mean resupply time, unit price and weight.

Equations (docs/decisions.md, "Closed form"):

* demand λ_j (parts/day) = mean over the horizon of Σ_c n_c(t)·m_{c,k}·(−ln(1 − h_{c,k}(t)))
  over the cohorts c drawing on pool j, where n_c(t) is the machines installed on day t
  (an order's from its due day), m_{c,k} the slots of part k per machine and h the
  plan's daily failure probability per slot (the engine's within-day rate);
* resupply T_j (days) = i·T_in + v·T_vendor + s·T_buy with the route's shares (in-house i,
  vendor v = 1 − i − s, scrap s) and T_in = E[in-house days], T_vendor = E[turnaround] +
  2·transit + clearance (if the route crosses a border), T_buy = E[lead time] + transit +
  clearance (a scrapped part is re-bought at once, base stock); without replenishment a
  scrapped part is gone for the horizon (T_buy = horizon);
* pipeline μ_j = λ_j·T_j (Palm's theorem); weight w_j = 1 for a part that stops the
  machine, 1/boards for a hashboard.

Only baseline's timings enter: the closed form knows nothing of a scenario's events.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from hashshock.decide.closed_form import PoolInputs
from hashshock.plan import Plan

HASHBOARD = 0  # index of the hashboard in PART_TYPES


@dataclass(frozen=True)
class PoolTable:
    """Names and closed-form numbers per pool: ``site``, ``part``, ``family`` (length J),
    demand ``demand_per_day`` λ (parts/day), ``resupply_days`` T, the
    :class:`PoolInputs`, and ``on_way`` [J] the parts on their way on day 0 (zero unless
    the fleet's pipelines start steady: a stock S is then a shelf of S − on_way)."""

    site: tuple[str, ...]
    part: tuple[str, ...]
    family: tuple[str, ...]
    demand_per_day: NDArray[np.float64]
    resupply_days: NDArray[np.float64]
    inputs: PoolInputs
    on_way: NDArray[np.int64]

    def label(self, j: int) -> str:
        return f"{self.site[j]}/{self.part[j]}/{self.family[j]}"


def installed_by_day(plan: Plan) -> NDArray[np.float64]:
    """[C, T] machines of each cohort installed on each day (orders from their due day)."""
    days = np.arange(plan.horizon_days)
    installed = np.repeat(plan.cohort_initial.astype(np.float64)[:, None], plan.horizon_days, 1)
    for cohort, count, due in zip(plan.order_cohort, plan.order_count, plan.order_due_day,
                                  strict=True):  # fmt: skip
        installed[cohort] = np.where(days >= due, float(count), 0.0)
    return installed


def demand_per_day(plan: Plan, days: tuple[int, int] | None = None) -> NDArray[np.float64]:
    """λ_j: mean parts failing per day in each pool over the horizon (or ``days``, a
    [first, last) range of days)."""
    first, last = days if days is not None else (0, plan.horizon_days)
    installed = installed_by_day(plan)[:, first:last]
    slots = np.concatenate([plan.cohort_boards[:, None], plan.cohort_stop_parts], axis=1)  # [C, 4]
    rate = -np.log1p(-np.clip(plan.hazard[:, :, first:last], 0.0, 1.0 - 1e-12))  # [C, 4, T]
    per_part = (installed[:, None, :] * slots[:, :, None] * rate).mean(axis=2)  # [C, 4]
    demand = np.zeros(plan.n_pools)
    np.add.at(demand, plan.cohort_pool.ravel(), per_part.ravel())
    return demand


def resupply_days(plan: Plan) -> NDArray[np.float64]:
    """T_j: mean days from a part's failure until it (or its replacement) is back on the
    shelf, over the route's mix of in-house repair, vendor repair and re-buying."""
    out = np.zeros(plan.n_pools)
    for j in range(plan.n_pools):
        route = plan.routes[int(plan.pool_part[j])]
        vendor = int(plan.pool_vendor[j])
        transit = float(plan.vendor_transit_days[vendor])
        clearance = float(plan.vendor_clearance_days[vendor])
        in_house = max(route.in_house_days.mean, 1.0)
        back = clearance if plan.pool_crosses_border[j] else 0.0
        at_vendor = route.vendor_turnaround_days.mean + 2 * transit + back
        buy = (plan.vendor_parts_lead[vendor].mean + transit + clearance if plan.replenish
               else float(plan.horizon_days))  # fmt: skip
        vendor_share = max(1.0 - route.in_house_share - route.scrap_share, 0.0)
        out[j] = (route.in_house_share * in_house + vendor_share * max(at_vendor, 1.0)
                  + route.scrap_share * max(buy, 1.0))  # fmt: skip
    return out


def machines(plan: Plan) -> float:
    """N: machines installed, averaged over the horizon."""
    return float(installed_by_day(plan).sum(axis=0).mean())


def pool_weights(plan: Plan) -> NDArray[np.float64]:
    """w_j: machine-equivalents lost per backorder (1/boards for hashboards)."""
    weight = np.ones(plan.n_pools)
    for j in np.flatnonzero(plan.pool_part == HASHBOARD):
        boards = plan.cohort_boards[(plan.cohort_pool[:, HASHBOARD] == j)]
        weight[j] = 1.0 / float(boards.mean()) if boards.size else 1.0
    return weight


def pool_table(plan: Plan, unit_cost_usd: NDArray[np.float64],
               current: NDArray[np.int64] | None = None) -> PoolTable:  # fmt: skip
    """The closed form's inputs for ``plan`` with prices ``unit_cost_usd`` [J] (USD a part
    delivered, duty included) and today's stock ``current`` (default the plan's: its
    shelf, and the parts on their way when its pipelines start steady)."""
    demand = demand_per_day(plan)
    resupply = resupply_days(plan)
    held = plan.parts_owned if current is None else current
    inputs = PoolInputs(
        pipeline_mean=demand * resupply,
        variance_to_mean=np.ones(plan.n_pools),
        unit_cost_usd=np.asarray(unit_cost_usd, dtype=np.float64),
        weight=pool_weights(plan),
        current=np.asarray(held, dtype=np.int64),
        machines=max(machines(plan), 1.0),
    )
    return PoolTable(
        site=tuple(plan.site_names[int(s)] for s in plan.pool_site),
        part=tuple(plan.part_names[int(k)] for k in plan.pool_part),
        family=plan.pool_family,
        demand_per_day=demand,
        resupply_days=resupply,
        inputs=inputs,
        on_way=plan.parts_owned - plan.pool_on_hand,
    )
