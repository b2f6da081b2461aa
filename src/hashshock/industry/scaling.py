"""Scaling a template fleet to a class member's size, and the members' sizes.

A member of ``n`` of a class is the template ``factor`` times as large: whole machines and
parts, money amounts in proportion, ratios unchanged (:func:`scaled_fleet_mapping`); the
members' sizes are the stratified quantiles of the class's lognormal ``machines_each``
(:func:`member_sizes`).
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import Any

from hashshock.inputs.fleet import Fleet
from hashshock.inputs.industry import Operator


def _scaled(value: float, factor: float) -> int:
    return round(value * factor)


def scale_finance(finance: dict[str, Any], factor: float) -> dict[str, Any]:
    """Amounts scale with the fleet (cash, principals, liquidity floors, hashrate
    commitments, pledges, budgets); ratios (DSCR, LTV, rates) do not. Only the blocks
    ``finance`` gives are written (an empty one added would read as given: a member's
    finance block replacing a template's said its loans were kept)."""
    out = dict(finance)
    if "cash_usd" in out:
        out["cash_usd"] = out["cash_usd"] * factor
    if "loans" in out:
        out["loans"] = [{**loan, "principal_usd": loan["principal_usd"] * factor}
                        for loan in out["loans"]]  # fmt: skip
    if "covenants" in out:
        covenants = []
        for cov in out["covenants"]:
            cov = dict(cov)
            if cov["type"] == "min_liquidity":
                cov["value"] = cov["value"] * factor
            if cov["type"] == "hashrate_commitment":
                cov["quarters"] = [{**q, "min_ths": q["min_ths"] * factor}
                                   for q in cov["quarters"]]  # fmt: skip
            covenants.append(cov)
        out["covenants"] = covenants
    if "btc_pledges" in out:
        out["btc_pledges"] = [
            {**p, "btc": p["btc"] * factor, "obligation_usd": p["obligation_usd"] * factor}
            for p in out["btc_pledges"]
        ]
    replacement = dict(out.get("replacement", {}))
    if replacement.get("budget_usd") is not None:
        replacement["budget_usd"] = replacement["budget_usd"] * factor
        out["replacement"] = replacement
    return out


def scaled_fleet_mapping(fleet: Fleet, factor: float) -> dict[str, Any]:
    """The fleet ``factor`` times as large, as a mapping for :func:`fleet_from_mapping`.

    Counts (cohorts, broken machines, spares and their targets, orders) are rounded to whole
    machines and parts; cohorts and orders that round to 0 are dropped; technicians are
    rounded and at least 1; money amounts scale (:func:`scale_finance`).
    """
    data = fleet.model_dump(mode="json", exclude_unset=True)  # its CSV's cohorts in cohorts
    cohorts = []
    for cohort in fleet.cohorts:
        item = cohort.model_dump(mode="json", exclude_unset=True)
        item["count"] = _scaled(cohort.count, factor)
        if cohort.degraded is not None:
            item["degraded"] = {
                "dead_hashboards": _scaled(cohort.degraded.dead_hashboards, factor),
                "machines_down": {k: _scaled(v, factor)
                                  for k, v in cohort.degraded.machines_down.items()},
            }  # fmt: skip
        if item["count"] > 0:
            cohorts.append(item)
    data["cohorts"] = cohorts
    for stock in data.get("spares", []):
        for key in ("on_hand", "target"):
            if stock.get(key) is not None:
                stock[key] = _scaled(stock[key], factor)
    for site in data.get("sites", []):
        if site.get("technicians") is not None:
            site["technicians"] = max(1, _scaled(site["technicians"], factor))
    orders = [{**o, "count": _scaled(o["count"], factor)} for o in data.get("orders", [])]
    data["orders"] = [o for o in orders if o["count"] > 0]
    if data.get("finance") is not None:
        data["finance"] = scale_finance(data["finance"], factor)
    return data


def member_sizes(operator: Operator) -> list[int]:
    """Machines of each simulated member of a class (stratified lognormal quantiles)."""
    each = operator.machines_each
    assert each is not None
    n = operator.simulated_members
    if each.cv == 0:
        raw = [1.0] * n
    else:
        sigma = math.sqrt(math.log1p(each.cv**2))
        normal = NormalDist()
        raw = [math.exp(sigma * normal.inv_cdf((j + 0.5) / n)) for j in range(n)]
    mean_size = operator.mean_machines
    assert mean_size is not None
    scale = mean_size / (sum(raw) / n)
    # Members hold one machine at least. The smallest quantiles of a wide class, raised to
    # one, would add machines nobody asked for (mean 1, cv 5 made 300 machines 488): the
    # others shrink in proportion (the shape of the tail kept) until the class holds its
    # size, those that fall below half a machine raised to one in turn.
    ones: set[int] = set()
    factor = 1.0  # a class none of whose members falls below half a machine: as drawn
    low = {j for j in range(n) if raw[j] * scale < 0.5}
    while low:
        ones |= low
        rest = [j for j in range(n) if j not in ones]
        room = max(n, round(mean_size * n)) - len(ones)
        factor = min(1.0, room / sum(raw[j] * scale for j in rest)) if rest else 1.0
        low = {j for j in rest if raw[j] * scale * factor < 0.5}
    return [1 if j in ones else max(1, round(raw[j] * scale * factor)) for j in range(n)]
