"""The money part of the JSON contract (``finance``, daily hashprice and cash)."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hashshock.analysis import bands
from hashshock.finance.scenario_money import Money


def _band(values: NDArray[np.float64], digits: int = 0) -> dict[str, float]:
    p5, p50, p95 = np.percentile(values, [5, 50, 95])
    return {"p5": round(float(p5), digits), "p50": round(float(p50), digits),
            "p95": round(float(p95), digits)}  # fmt: skip


def tested_covenants(covenants: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The JSON's ``finance.covenants`` the run's horizon tested (the others have no breach
    share: ``probability_breach`` is null)."""
    return {name: c for name, c in covenants.items() if c.get("probability_breach") is not None}


def below_zero(cash_usd: NDArray[np.float64]) -> dict[str, Any]:
    """How often cash [P, T] goes below $0 — as a covenant's breach reads: the share of
    paths, its 95 % interval, and the median first day over the paths it does (the day a
    fleet without a liquidity covenant cannot pay its costs, which nothing else said)."""
    from hashshock.finance.covenants import wilson_interval

    under = cash_usd < 0
    hit = under.any(axis=1)
    lo, hi = wilson_interval(int(hit.sum()), int(hit.size))
    first = under.argmax(axis=1)[hit]
    return {"probability": round(float(hit.mean()), 4),
            "probability_ci95": [round(lo, 4), round(hi, 4)],
            "day_p50_first": int(np.median(first)) if first.size else None}  # fmt: skip


def daily_money(money: Money) -> dict[str, Any]:
    return {
        "hashprice_usd_per_ph_day": bands(money.market.hashprice_usd_per_ph_day, 3),
        "cash_usd": bands(money.flows.cash_usd, 0),
        "btc_price_usd": bands(money.market.btc_price_usd, 0),
    }


def finance_summary(money: Money, baseline: Money | None) -> dict[str, Any]:
    flows = money.flows
    totals = flows.totals()
    out: dict[str, Any] = {
        "revenue_usd": _band(totals["revenue_usd"]),
        "revenue_btc": _band(totals["revenue_btc"], 4),
        "ebitda_usd": _band(totals["ebitda_usd"]),
        "cash_usd_start": round(flows.cash_start_usd, 0),
        "cash_usd_end": _band(flows.cash_usd[:, -1]),
        "cash_usd_min": _band(flows.lowest_cash_usd()),
        # (None when the fleet gives no cash: counted from $0, its cash below $0 read as a
        # 31 % chance of running out for a farm that never said what it holds)
        "cash_below_zero": below_zero(flows.cash_usd) if money.cash_given else None,
        "spares_value_usd_end": _band(money.spares_value_usd),
        "machines_value_usd_end": _band(money.machines_value_usd),
        "donors_value_usd_end": _band(money.donors_value_usd),
        "owned_usd_end": _band(money.owned_end_usd),
        # Deposits returned on cancelled orders: cash in that is neither revenue nor a cost.
        "refunds_usd": _band(totals["refunds_usd"]),
        "costs_usd_p50": {
            name.removesuffix("_usd"): round(float(np.median(totals[name])), 0)
            for name in flows.OUTFLOWS
        },
        "covenants": {c.name: c.summary() for c in money.covenants},
        "margin_calls": copy.deepcopy(money.margin_calls),  # the caller's, not the run's
    }
    if baseline is not None:
        base = baseline.flows.totals()
        revenue_gap = base["revenue_usd"] - totals["revenue_usd"]
        cash_gap = baseline.flows.cash_usd[:, -1] - flows.cash_usd[:, -1]
        drawn = baseline.spares_value_usd - money.spares_value_usd
        out["vs_baseline"] = {
            "revenue_at_risk_usd": _band(revenue_gap),
            "cash_at_risk_usd": _band(cash_gap),
            "spares_drawn_usd": _band(drawn),
            "cash_and_spares_at_risk_usd": _band(cash_gap + drawn),
            "owned_at_risk_usd": _band(baseline.owned_end_usd - money.owned_end_usd),
            # what the scenario did not spend, cost by cost (a single run's notes say
            # where its cash went without baseline's whole result beside it)
            "costs_saved_usd_p50": {
                name.removesuffix("_usd"): round(float(np.median(base[name] - totals[name])), 0)
                for name in flows.OUTFLOWS
            },
            "hashprice_change_p50": round(float(np.median(
                money.market.hashprice_usd_per_ph_day[:, -1]
                - baseline.market.hashprice_usd_per_ph_day[:, -1])), 4),
        }  # fmt: skip
    return out


def network_effect(network: Money, local: Money) -> dict[str, Any]:
    """How much a network-wide shock cushions hashprice and revenue versus a local one."""
    hp_net = network.market.hashprice_usd_per_ph_day
    hp_loc = local.market.hashprice_usd_per_ph_day
    rev_net = network.flows.total("revenue_usd")
    rev_loc = local.flows.total("revenue_usd")
    return {
        "hashprice_usd_per_ph_day_end_p50": {
            "local": round(float(np.median(hp_loc[:, -1])), 3),
            "network_wide": round(float(np.median(hp_net[:, -1])), 3),
        },
        "revenue_usd_p50": {
            "local": round(float(np.median(rev_loc)), 0),
            "network_wide": round(float(np.median(rev_net)), 0),
        },
        "revenue_cushion_usd": _band(rev_net - rev_loc),
    }
