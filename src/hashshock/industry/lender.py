"""Money by group and a lender's first view: revenue and cash at risk, defaults and losses.

A group's revenue and cash are the sums over its members (each counted ``weight`` times).
A portfolio loan (``portfolio.loans`` of the industry file) is a loan to the named
operator, or to *each* operator of a named class; with ``operators_own_loans`` every
operator's own finance-block loans join it. A borrower **defaults** when it breaks
financially (first covenant breach or cash below zero, :mod:`hashshock.industry.ranking`)
on or before the loan's maturity and within the horizon. The lender is then owed the
principal still outstanding at the end of that day — the loan repaid by its schedule
until then, that day's payment included unless the cash ran out that day
(:func:`hashshock.finance.loans.schedule`: all of it for a bullet loan, less the
instalments paid for a linear or annuity one) — and recovers that × ``recovery_share``,
or — for a loan secured by the machines (operators' own loans always are) — their
used-market value on the default day less ``liquidation_cost_share``, shared between the
borrower's secured loans by what each is owed, at most what it is owed. Expected loss
per loan is E[1{default} · (owed − recovered)] (PD × EAD × LGD when they are
independent). Per path, the portfolio loses the sum over its loans and, for a class,
over its members weighted; expected loss is the mean over paths and the
95th-percentile loss its 95th percentile.

The lender is paid interest by the schedule (:func:`hashshock.finance.loans.schedule`)
on every payment day before the default day (and on it, as above), or through maturity or
the horizon where the borrower does not default: ``interest_income_usd`` (expected), and
the portfolio's net income = interest received − loss, in expectation and at its 5th
percentile.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hashshock.finance.loans import schedule
from hashshock.industry.load import Member
from hashshock.industry.simulate import MemberRun
from hashshock.inputs.finance import Loan
from hashshock.inputs.industry import Portfolio

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]


def _band(values: FloatArray) -> dict[str, float]:
    q = np.percentile(values, [5, 50, 95])
    return {"p5": round(float(q[0])), "p50": round(float(q[1])), "p95": round(float(q[2]))}


def group_money(
    members: Sequence[Member], runs: Sequence[MemberRun], baseline: Sequence[MemberRun] | None
) -> dict[str, Any] | None:
    """Revenue, end cash and spares at cost on the last day of one group (USD, bands over
    paths) and, against baseline's runs on the same paths, revenue, cash and cash + spares
    at risk (baseline's minus this scenario's); ``None`` when a member has no finance
    block."""
    mine = _totals(members, runs)
    if mine is None:
        return None
    revenue, cash_end, spares = mine
    out: dict[str, Any] = {"revenue_usd": _band(revenue), "cash_end_usd": _band(cash_end),
                           "spares_value_end_usd": _band(spares)}  # fmt: skip
    if baseline is not None:
        base = _totals(members, baseline)
        assert base is not None
        base_revenue, base_cash, base_spares = base
        out["revenue_at_risk_usd"] = _band(base_revenue - revenue)
        out["cash_at_risk_usd"] = _band(base_cash - cash_end)
        out["cash_and_spares_at_risk_usd"] = _band(base_cash - cash_end + base_spares - spares)
    return out


def _totals(
    members: Sequence[Member], runs: Sequence[MemberRun]
) -> tuple[FloatArray, FloatArray, FloatArray] | None:
    """[P] Σ weight × revenue over the horizon, × cash and × spares at cost on the last
    day; None if a member has no money."""
    paths = runs[0].cash_out_day.shape[0]
    revenue, cash_end, spares = np.zeros(paths), np.zeros(paths), np.zeros(paths)
    for member, run in zip(members, runs, strict=True):
        if run.revenue_usd is None or run.cash_end_usd is None or run.spares_value_usd is None:
            return None
        revenue += member.weight * run.revenue_usd
        cash_end += member.weight * run.cash_end_usd
        spares += member.weight * run.spares_value_usd
    return revenue, cash_end, spares


@dataclass(frozen=True)
class _Loan:
    """One loan to one member: what it owes on each day up to maturity, and how the
    lender recovers on default (a fixed share, or the machines)."""

    name: str
    borrower: str
    principal_usd: float
    owed_usd: FloatArray  # [maturity day + 2] principal outstanding at each day's start
    interest_before_usd: FloatArray  # [maturity day + 2] interest paid before each day
    recovery_share: float
    secured: bool
    liquidation_cost_share: float
    conditions: Loan  # its rate, maturity and repayment (a member's principal)
    new_debt: bool = False

    @property
    def terms(self) -> dict[str, Any]:
        """The loan's terms as the outputs list them beside its figures."""
        return {"rate_per_year": self.conditions.rate_per_year,
                "maturity_date": self.conditions.maturity_date.isoformat(),
                "amortisation": self.conditions.amortisation,
                "secured_by_machines": self.secured, "new_debt": self.new_debt}  # fmt: skip

    @property
    def last_day(self) -> int:
        """The maturity day (−1 when the loan matured before the start)."""
        return int(self.owed_usd.shape[0]) - 2

    def defaults(self, break_day: IntArray) -> BoolArray:
        """[P] whether the borrower's break (day ≥ 0) comes on or before maturity."""
        return (break_day >= 0) & (break_day <= self.last_day)

    def exposure(self, break_day: IntArray, paid_that_day: BoolArray) -> FloatArray:
        """[P] what the loan is owed at the end of the break day (USD) — after that day's
        payment where ``paid_that_day`` (:func:`paid_on_break_day`) — 0 where it does not
        default."""
        if self.last_day < 0:
            return np.zeros(break_day.shape)
        owed = self.owed_usd[np.clip(break_day, 0, self.last_day) + paid_that_day]
        return np.where(self.defaults(break_day), owed, 0.0)

    def interest_received(self, break_day: IntArray, paid_that_day: BoolArray,
                          horizon_days: int) -> FloatArray:  # fmt: skip
        """[P] interest the lender is paid (USD): on the payment days before the default
        day, and on that day where ``paid_that_day``; else through maturity or the
        horizon, whichever comes first."""
        if self.last_day < 0:
            return np.zeros(break_day.shape)
        paid_until = np.where(self.defaults(break_day), break_day + paid_that_day,
                              min(horizon_days, self.last_day + 1))  # fmt: skip
        return self.interest_before_usd[np.minimum(paid_until, horizon_days)]


def paid_on_break_day(break_day: IntArray, cash_out_day: IntArray) -> BoolArray:
    """[P] whether a payment falling on the break day was made: yes when the break is a
    covenant's and the day's cash (after its flows, payments included) is not below zero;
    no when the cash ran out that day — it could not pay all it owed."""
    paid: BoolArray = (break_day >= 0) & (cash_out_day != break_day)
    return paid


def _loan(name: str, borrower: str, terms: Loan, start: date, recovery_share: float,
          secured: bool, liquidation_cost_share: float, new_debt: bool = False
          ) -> _Loan:  # fmt: skip
    owed, interest = _per_dollar(
        terms.rate_per_year, terms.amortisation, terms.payment_every_days,
        terms.maturity_date, start,
    )  # fmt: skip
    return _Loan(name, borrower, terms.principal_usd, terms.principal_usd * owed,
                 terms.principal_usd * interest, recovery_share, secured,
                 liquidation_cost_share, terms, new_debt)  # fmt: skip


@functools.cache
def _per_dollar(
    rate_per_year: float, amortisation: str, payment_every_days: int, maturity: date,
    start: date,
) -> tuple[FloatArray, FloatArray]:  # fmt: skip
    """Per USD lent, from ``start`` to maturity (none when the loan matured before
    ``start``): the principal outstanding at the start of each day, one more entry (0)
    after maturity — what the lender is owed at the end of a default day is the next
    day's entry, the loan having been repaid by its schedule until then — and the
    interest paid before each day (one more entry: all of it). Every schedule is
    proportional to the principal, so one serves a class's scaled loans."""
    days = (maturity - start).days + 1
    if days <= 0:
        return np.zeros(1), np.zeros(1)
    unit = Loan(name="unit", principal_usd=1.0, rate_per_year=rate_per_year,
                amortisation=amortisation, payment_every_days=payment_every_days,
                maturity_date=maturity)  # fmt: skip
    paid = schedule(unit, start, days)
    return (np.concatenate([paid.outstanding, [0.0]]),
            np.concatenate([[0.0], np.cumsum(paid.interest)]))  # fmt: skip


def _own_loans(member: Member, start: date) -> list[_Loan]:
    """The operator's own finance-block loans (secured by its machines), not the
    portfolio's new debt it carries there."""
    finance = member.own_fleet.fleet.finance
    if finance is None:
        return []
    return [_loan(f"{member.group}/{loan.name}", member.group, loan, start, 0.0, True,
                  OWN_LOAN_LIQUIDATION_COST) for loan in finance.loans]  # fmt: skip


def _loans_of(portfolio: Portfolio, member: Member, start: date) -> list[_Loan]:
    out = [
        _loan(name, loan.borrower, loan.terms(name), start, loan.recovery_share,
              loan.secured_by_machines, loan.liquidation_cost_share, loan.new_debt)
        for name, loan in portfolio.named_loans() if loan.borrower == member.group
    ]  # fmt: skip
    if portfolio.operators_own_loans:
        out += _own_loans(member, start)
    return out


def _other_claims(portfolio: Portfolio, member: Member, start: date) -> list[_Loan]:
    """Loans outside the portfolio with a claim on the borrower's machines: its own loans
    when the portfolio lent it new debt (a loan not marked new debt is taken to be one of
    them, docs/industry.md, *Who pays the loan*) and does not hold them already."""
    if member.before_debt is None or portfolio.operators_own_loans:
        return []
    return _own_loans(member, start)


#: Liquidation cost of an operator's own loans (ASSUMPTION [E], as PortfolioLoan's default).
OWN_LOAN_LIQUIDATION_COST = 0.2


def _recovered(
    loans: list[_Loan], exposures: list[FloatArray], collateral: FloatArray,
    others_owed: FloatArray,
) -> list[FloatArray]:  # fmt: skip
    """[P] USD each loan recovers on default: its fixed share of what it is owed, or its
    share (by what each is owed, beside ``others_owed`` by loans outside the portfolio)
    of the machines' value less liquidation costs, at most what it is owed."""
    secured = sum((owed for loan, owed in zip(loans, exposures, strict=True) if loan.secured),
                  others_owed)  # fmt: skip
    value = np.nan_to_num(collateral)
    out = []
    for loan, owed in zip(loans, exposures, strict=True):
        if loan.secured:
            share = np.divide(owed, secured, out=np.zeros_like(owed), where=secured > 0)
            got = share * value * (1.0 - loan.liquidation_cost_share)
            out.append(np.minimum(got, owed))
        else:
            out.append(owed * loan.recovery_share)
    return out


def portfolio_losses(
    portfolio: Portfolio,
    members: Sequence[Member],
    runs: Sequence[MemberRun],
    start: date,
    horizon_days: int,
) -> dict[str, Any]:
    """Per loan: probability of default (for a class, the expected share of its operators
    that default), principal, expected loss and expected interest received; the
    portfolio's expected and 95th-percentile loss, expected interest, and net income
    (interest − loss) expected and at its 5th percentile."""
    paths = runs[0].cash_out_day.shape[0]
    total = np.zeros(paths)
    income = np.zeros(paths)
    rows: dict[str, dict[str, Any]] = {}
    for member, run in zip(members, runs, strict=True):
        loans = _loans_of(portfolio, member, start)
        if not loans:
            continue
        day = run.break_day
        collateral = run.collateral_at_break
        if collateral is None:
            collateral = np.full(paths, np.nan)
        paid = paid_on_break_day(day, run.cash_out_day)
        exposures = [loan.exposure(day, paid) for loan in loans]
        others = sum((other.exposure(day, paid)
                      for other in _other_claims(portfolio, member, start)),
                     np.zeros(paths))  # fmt: skip
        recoveries = _recovered(loans, exposures, collateral, others)
        for loan, owed, recovered in zip(loans, exposures, recoveries, strict=True):
            defaulted = loan.defaults(day)
            loss = member.weight * (owed - recovered)
            interest = member.weight * loan.interest_received(day, paid, horizon_days)
            total += loss
            income += interest
            row = rows.setdefault(loan.name, {"borrower": loan.borrower, "terms": loan.terms,
                                              "operators": 0.0,
                                              "principal": 0.0, "defaults": np.zeros(paths),
                                              "owed": np.zeros(paths), "loss": np.zeros(paths),
                                              "interest": np.zeros(paths)})  # fmt: skip
            row["operators"] += member.weight
            row["principal"] += member.weight * loan.principal_usd
            row["defaults"] = row["defaults"] + member.weight * defaulted
            row["owed"] = row["owed"] + member.weight * owed
            row["loss"] = row["loss"] + loss
            row["interest"] = row["interest"] + interest
    # A class's row covers all its operators: principal and loss are the class's totals,
    # the exposure at default is one defaulting operator's, so that expected loss =
    # probability of default × operators × exposure × loss given default.
    return {
        "loans": [{
            "loan": name, "borrower": row["borrower"], "operators": _count(row["operators"]),
            "principal_usd": round(row["principal"]),
            "probability_default": round(float((row["defaults"] / row["operators"]).mean()), 4),
            "exposure_at_default_each_usd": _exposure_at_default(row["owed"], row["defaults"]),
            "expected_loss_usd": round(float(row["loss"].mean())),
            "interest_income_usd": round(float(row["interest"].mean())),
            **row["terms"],
        } for name, row in rows.items()],
        "expected_loss_usd": round(float(total.mean())),
        "loss_p95_usd": round(float(np.percentile(total, 95))),
        "interest_income_usd": round(float(income.mean())),
        "net_income_usd": round(float((income - total).mean())),
        "net_income_p5_usd": round(float(np.percentile(income - total, 5))),
    }  # fmt: skip


def _exposure_at_default(owed: FloatArray, defaults: FloatArray) -> float | None:
    """What a defaulting operator owes on its default day, on average over the paths and
    operators that default (USD); ``None`` when none does."""
    if defaults.sum() <= 0:
        return None
    return round(float(owed.sum() / defaults.sum()))


def _count(operators: float) -> int | float:
    """Operators lent to: a whole number as one (a class's members' weights add up to its
    count), else to six decimals."""
    value = round(operators, 6)
    return int(value) if value.is_integer() else value
