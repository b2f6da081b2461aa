"""The industry's machine orders beyond the fleets' own: planned growth as monthly orders,
and the orders placed again with other vendors when a scenario cancels them.

Both become ordinary orders of the member's fleet, so the engine installs them as it
installs any order. An order placed again is a **twin** of the order it replaces: one per
line that takes redirected orders, sized to the same nameplate times the line's share
of those lines' US capacity, and shipping only on the paths where the original was
cancelled and placed again (:mod:`hashshock.industry.vendors` decides when).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hashshock.inputs.catalog import Catalog
from hashshock.inputs.industry import Growth, Industry, VendorLine

#: Days between the monthly orders of planned growth.
MONTH_DAYS = 365 / 12


@dataclass(frozen=True)
class Twin:
    """Order ``order`` of a member's fleet stands in for order ``original`` on the line of
    ``vendor`` when the original is cancelled and placed again."""

    order: int
    original: int
    vendor: str


def growth_orders(
    growth: Growth, start: date, site: str, nameplate_ths: float, catalog: Catalog
) -> list[dict[str, Any]]:
    """The orders of ``growth`` for a fleet of ``nameplate_ths`` (TH/s) whose first site is
    ``site``, one every ``every_months`` months; orders that round to no machine are
    left out."""
    per_year_ths = (
        growth.ehs_per_year * 1e6
        if growth.ehs_per_year is not None
        else (growth.share_per_year or 0.0) * nameplate_ths
    )
    step = growth.every_months
    count = round(per_year_ths / 12 * step / catalog.get(growth.model).hashrate_ths)
    if count <= 0:
        return []
    out = []
    for month in range(0, growth.months, step):
        due = start + timedelta(days=growth.first_due_days + round(month * MONTH_DAYS))
        out.append({"model": growth.model, "count": count, "due_date": due.isoformat(),
                    "site": growth.site or site, "label": f"growth/{month + 1}"})  # fmt: skip
    return out


def sells_to_new_buyers(industry: Industry, line: VendorLine) -> bool:
    """Whether ``line`` is an alternative: it has a ``model`` to sell to redirected and
    replacement orders, and is not a line of the vendors orders move away from."""
    moving = industry.redirect.from_vendors if industry.redirect is not None else []
    return line.model is not None and line.vendor not in moving


def running_share(line: VendorLine, start: date, days: NDArray[np.int64]) -> NDArray[np.float64]:
    """Share of the line's capacity running on each of ``days`` (days from ``start``):
    0 before its ``start_date``, rising in a straight line to 1 on its ``full_date``."""
    day = np.asarray(days, dtype=np.float64)
    if line.start_date is None:
        return np.ones(day.shape)
    first = (line.start_date - start).days
    if line.full_date is None or line.full_date == line.start_date:
        return (day >= first).astype(np.float64)
    full = (line.full_date - start).days
    return np.clip((day - first + 1) / (full - first + 1), 0.0, 1.0)


def alternative_lines(industry: Industry, day: int | None = None
                      ) -> list[tuple[VendorLine, float]]:  # fmt: skip
    """The lines that sell to new buyers (:func:`sells_to_new_buyers`), each with its
    share of their US capacity running on ``day`` (days from the start; ``None``: their
    full capacity). On a day none of them runs yet, the lines that start first, by their
    full capacity: an order placed then goes where it will be made soonest."""
    lines = [line for line in industry.vendor_lines if sells_to_new_buyers(industry, line)]
    full = np.array([line.capacity_ehs_per_year * line.us_share for line in lines])
    if full.sum() <= 0:
        return []
    weights = full
    if day is not None:
        when = np.array([day], dtype=np.int64)
        running = full * [float(running_share(line, industry.start_date, when)[0])
                          for line in lines]  # fmt: skip
        if running.sum() > 0:
            weights = running
        else:
            starts = [line.start_date or industry.start_date for line in lines]
            first = min(s for s, w in zip(starts, full, strict=True) if w > 0)
            weights = np.where([s == first for s in starts], full, 0.0)
    return [(line, float(w / weights.sum())) for line, w in zip(lines, weights, strict=True)]


def with_twins(
    orders: list[dict[str, Any]], industry: Industry, catalog: Catalog
) -> tuple[list[dict[str, Any]], tuple[Twin, ...]]:
    """``orders`` followed by the twins of those whose vendor loses orders to others, split
    between the lines by the capacity running on the order's due date."""
    if not alternative_lines(industry) or industry.redirect is None:
        return orders, ()
    moving = industry.redirect.from_vendors
    out, twins = list(orders), []
    for o, order in enumerate(orders):
        spec = catalog.get(order["model"])
        if spec.vendor not in moving:
            continue
        due = date.fromisoformat(str(order["due_date"]))
        for line, share in alternative_lines(industry, (due - industry.start_date).days):
            assert line.model is not None
            ths = catalog.get(line.model).hashrate_ths
            count = round(order["count"] * spec.hashrate_ths / ths * share)
            if count <= 0:
                continue
            twins.append(Twin(len(out), o, line.vendor))
            label = order.get("label") or f"order-{o + 1}"
            out.append({**order, "model": line.model, "count": count,
                        "label": f"redirected/{line.name}/{label}"})  # fmt: skip
    return out, tuple(twins)
