"""Money by group and a lender's first view: revenue and cash at risk, defaults and losses.

A group's revenue and cash are the sums over its members (each counted ``weight`` times).
A portfolio loan (``portfolio.loans`` of the industry file) is a loan to the named
operator, or to *each* operator of a named class. A borrower **defaults** when it breaks
financially (first covenant breach or cash below zero, :mod:`hashshock.industry.ranking`)
on or before the loan's maturity and within the horizon; the loss is then
principal × (1 − ``recovery_share``). Per path, the portfolio loses the sum over its
loans and, for a class, over its members weighted; expected loss is the mean over
paths and the 95th-percentile loss its 95th percentile.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hashshock.industry.load import Member
from hashshock.industry.simulate import MemberRun
from hashshock.inputs.industry import PortfolioLoan

FloatArray = NDArray[np.float64]


def _band(values: FloatArray) -> dict[str, float]:
    q = np.percentile(values, [5, 50, 95])
    return {"p5": round(float(q[0])), "p50": round(float(q[1])), "p95": round(float(q[2]))}


def group_money(
    members: Sequence[Member], runs: Sequence[MemberRun], baseline: Sequence[MemberRun] | None
) -> dict[str, Any] | None:
    """Revenue and end cash of one group (USD, bands over paths) and, against baseline's
    runs on the same paths, revenue and cash at risk (baseline's minus this scenario's);
    ``None`` when a member has no finance block."""
    revenue, cash_end = _totals(members, runs)
    if revenue is None or cash_end is None:
        return None
    out: dict[str, Any] = {"revenue_usd": _band(revenue), "cash_end_usd": _band(cash_end)}
    if baseline is not None:
        base_revenue, base_cash = _totals(members, baseline)
        assert base_revenue is not None and base_cash is not None
        out["revenue_at_risk_usd"] = _band(base_revenue - revenue)
        out["cash_at_risk_usd"] = _band(base_cash - cash_end)
    return out


def _totals(
    members: Sequence[Member], runs: Sequence[MemberRun]
) -> tuple[FloatArray | None, FloatArray | None]:
    """[P] Σ weight × revenue over the horizon and Σ weight × cash on the last day."""
    paths = runs[0].hashrate_ths.shape[0]
    revenue, cash_end = np.zeros(paths), np.zeros(paths)
    for member, run in zip(members, runs, strict=True):
        if run.revenue_usd is None or run.cash_usd is None:
            return None, None
        revenue += member.weight * run.revenue_usd
        cash_end += member.weight * run.cash_usd[:, -1]
    return revenue, cash_end


def portfolio_losses(
    loans: Sequence[PortfolioLoan],
    members: Sequence[Member],
    runs: Sequence[MemberRun],
    start: date,
) -> dict[str, Any]:
    """Per loan: probability of default (for a class, the expected share of its operators
    that default) and expected loss; the portfolio's expected and 95th-percentile loss."""
    paths = runs[0].hashrate_ths.shape[0]
    portfolio = np.zeros(paths)
    rows = []
    for loan in loans:
        last_day = (loan.maturity_date - start).days
        mine = [(m, r) for m, r in zip(members, runs, strict=True) if m.group == loan.borrower]
        operators = sum(m.weight for m, _ in mine)
        defaulted = np.zeros(paths)
        for member, run in mine:
            day = run.break_day
            defaulted += member.weight * ((day >= 0) & (day <= last_day))
        loss = defaulted * loan.principal_usd * (1.0 - loan.recovery_share)
        portfolio += loss
        rows.append({
            "borrower": loan.borrower,
            "principal_usd": round(loan.principal_usd * operators),
            "probability_default": round(float((defaulted / operators).mean()), 4),
            "expected_loss_usd": round(float(loss.mean())),
        })  # fmt: skip
    return {
        "loans": rows,
        "expected_loss_usd": round(float(portfolio.mean())),
        "loss_p95_usd": round(float(np.percentile(portfolio, 95))),
    }
