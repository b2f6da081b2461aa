"""Money by group and a lender's first view: revenue and cash at risk, defaults and losses.

A group's revenue and cash are the sums over its members (each counted ``weight`` times).
A portfolio loan (``portfolio.loans`` of the industry file) is a loan to the named
operator, or to *each* operator of a named class; with ``operators_own_loans`` every
operator's own finance-block loans join it. A borrower **defaults** when it breaks
financially (first covenant breach or cash below zero, :mod:`hashshock.industry.ranking`)
on or before the loan's maturity and within the horizon; the lender then recovers
principal × ``recovery_share``, or — for a loan secured by the machines (operators' own
loans always are) — their used-market value on the default day less
``liquidation_cost_share``, shared between the borrower's secured loans by principal,
at most the principal. Per path, the portfolio loses the sum over its loans and, for a
class, over its members weighted; expected loss is the mean over paths and the
95th-percentile loss its 95th percentile.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hashshock.industry.load import Member
from hashshock.industry.simulate import MemberRun
from hashshock.inputs.industry import Portfolio, PortfolioLoan

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
    paths = runs[0].covenant_breach_day.shape[0]
    revenue, cash_end = np.zeros(paths), np.zeros(paths)
    for member, run in zip(members, runs, strict=True):
        if run.revenue_usd is None or run.cash_end_usd is None:
            return None, None
        revenue += member.weight * run.revenue_usd
        cash_end += member.weight * run.cash_end_usd
    return revenue, cash_end


@dataclass(frozen=True)
class _Loan:
    """One loan to one member (principal USD), secured or at a fixed recovery share."""

    name: str
    borrower: str
    principal_usd: float
    last_day: int
    recovery_share: float
    secured: bool
    liquidation_cost_share: float


def _loans_of(
    loans: Sequence[PortfolioLoan], own: bool, member: Member, start: date
) -> list[_Loan]:
    out = [
        _Loan(f"loans[{i}]", loan.borrower, loan.principal_usd,
              (loan.maturity_date - start).days, loan.recovery_share,
              loan.secured_by_machines, loan.liquidation_cost_share)
        for i, loan in enumerate(loans) if loan.borrower == member.group
    ]  # fmt: skip
    finance = member.loaded.fleet.finance
    if own and finance is not None:
        out += [
            _Loan(f"{member.group}/{loan.name}", member.group, loan.principal_usd,
                  (loan.maturity_date - start).days, 0.0, True, OWN_LOAN_LIQUIDATION_COST)
            for loan in finance.loans
        ]  # fmt: skip
    return out


#: Liquidation cost of an operator's own loans (ASSUMPTION [E], as PortfolioLoan's default).
OWN_LOAN_LIQUIDATION_COST = 0.2


def _recovered(loans: list[_Loan], collateral: FloatArray) -> list[FloatArray]:
    """[P] USD each loan recovers on default: its fixed share, or its share (by principal)
    of the machines' value less liquidation costs, at most its principal."""
    secured = sum(loan.principal_usd for loan in loans if loan.secured) or 1.0
    value = np.nan_to_num(collateral)
    out = []
    for loan in loans:
        if loan.secured:
            share = loan.principal_usd / secured
            got = share * value * (1.0 - loan.liquidation_cost_share)
            out.append(np.minimum(got, loan.principal_usd))
        else:
            out.append(np.full_like(value, loan.principal_usd * loan.recovery_share))
    return out


def portfolio_losses(
    portfolio: Portfolio,
    members: Sequence[Member],
    runs: Sequence[MemberRun],
    start: date,
) -> dict[str, Any]:
    """Per loan: probability of default (for a class, the expected share of its operators
    that default), principal and expected loss; the portfolio's expected and
    95th-percentile loss."""
    paths = runs[0].covenant_breach_day.shape[0]
    total = np.zeros(paths)
    rows: dict[str, dict[str, Any]] = {}
    for member, run in zip(members, runs, strict=True):
        loans = _loans_of(portfolio.loans, portfolio.operators_own_loans, member, start)
        if not loans:
            continue
        day = run.break_day
        collateral = run.collateral_at_break
        if collateral is None:
            collateral = np.full(paths, np.nan)
        for loan, recovered in zip(loans, _recovered(loans, collateral), strict=True):
            defaulted = (day >= 0) & (day <= loan.last_day)
            loss = member.weight * defaulted * (loan.principal_usd - recovered)
            total += loss
            row = rows.setdefault(loan.name, {"borrower": loan.borrower, "operators": 0.0,
                                              "principal": 0.0, "defaults": np.zeros(paths),
                                              "loss": np.zeros(paths)})  # fmt: skip
            row["operators"] += member.weight
            row["principal"] += member.weight * loan.principal_usd
            row["defaults"] = row["defaults"] + member.weight * defaulted
            row["loss"] = row["loss"] + loss
    return {
        "loans": [{
            "loan": name, "borrower": row["borrower"], "principal_usd": round(row["principal"]),
            "probability_default": round(float((row["defaults"] / row["operators"]).mean()), 4),
            "expected_loss_usd": round(float(row["loss"].mean())),
        } for name, row in rows.items()],
        "expected_loss_usd": round(float(total.mean())),
        "loss_p95_usd": round(float(np.percentile(total, 95))),
    }  # fmt: skip
