"""Loan schedules: interest, principal and outstanding balance by day (deterministic)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
from numpy.typing import NDArray

from hashshock.inputs.finance import Loan


@dataclass(frozen=True)
class LoanSchedule:
    """Arrays of length T: what is paid each day and what is owed at the day's start (USD)."""

    name: str
    interest: NDArray[np.float64]
    principal: NDArray[np.float64]
    outstanding: NDArray[np.float64]
    #: interest accrued since the last payment and not yet paid at the horizon's end
    interest_accrued_end_usd: float = 0.0

    @property
    def debt_service(self) -> NDArray[np.float64]:
        return self.interest + self.principal

    @property
    def owed_end_usd(self) -> float:
        """What is owed at the end of the horizon's last day, USD: the principal not yet
        repaid and the interest accrued since the last payment."""
        return float(self.outstanding[-1] - self.principal[-1]) + self.interest_accrued_end_usd


def schedule(loan: Loan, start: date, horizon_days: int) -> LoanSchedule:
    """Payments every ``payment_every_days`` days (on days ``n·period − 1``) and at maturity.

    Interest accrues daily at ``rate / 365`` on the outstanding balance and is paid
    with each payment. Principal: ``linear`` in proportion to time — each payment repays
    the balance × the days since the last payment / the days from it to maturity, so
    full periods repay equal amounts and a short last period (a 3-year loan paid every
    30 days ends with a 16-day stub) its share, not a whole instalment; ``bullet`` all
    at maturity; ``annuity`` a constant payment ``B·r / (1 − (1 + r)^−n)`` with
    ``r = rate · period / 365`` per period.
    """
    T = horizon_days
    maturity = (loan.maturity_date - start).days
    interest = np.zeros(T)
    principal = np.zeros(T)
    outstanding = np.zeros(T)
    balance = float(loan.principal_usd)
    accrued = 0.0
    period = loan.payment_every_days
    daily_rate = loan.rate_per_year / 365.0
    last_paid = -1  # the day before day 0: the first period runs from the start
    for day in range(T):
        outstanding[day] = balance
        if balance <= 0:
            continue
        accrued += balance * daily_rate
        is_payment = (day + 1) % period == 0 or day == maturity
        if not is_payment:
            continue
        remaining = max(1, -(-(maturity - day) // period) + (0 if day == maturity else 1))
        if day >= maturity:
            pay = balance
        elif loan.amortisation == "bullet":
            pay = 0.0
        elif loan.amortisation == "linear":
            pay = balance * (day - last_paid) / (maturity - last_paid)
        else:
            r = loan.rate_per_year * period / 365.0
            instalment = balance * r / (1 - (1 + r) ** -remaining) if r > 0 else balance / remaining
            pay = max(0.0, instalment - accrued)
        interest[day] = accrued
        principal[day] = min(pay, balance)
        balance -= principal[day]
        accrued = 0.0
        last_paid = day
    return LoanSchedule(loan.name, interest, principal, outstanding, accrued)
