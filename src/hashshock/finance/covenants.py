"""Covenant tests and margin calls on every path.

Each covenant is tested on its test days (every ``test_every_days`` days from
the start: days ``period−1, 2·period−1, …``); minimum liquidity is tested every
day; hashrate commitments at each quarter end within the horizon. The first day
a test fails is the breach day of that path.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from hashshock.finance.loans import LoanSchedule
from hashshock.finance.moneyplan import CovenantSpec, PledgeSpec
from hashshock.running import cumsum_rows

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
QUARTER_DAYS = 91


class PricedFlows(Protocol):
    """What covenants read of a run's cash flows ([P, T] USD): a
    :class:`~hashshock.finance.cashflow.CashFlows`, or the flows repriced on another
    market (:mod:`hashshock.finance.reprice`)."""

    @property
    def loans(self) -> tuple[LoanSchedule, ...]: ...
    @property
    def cash_usd(self) -> NDArray[np.float64]: ...
    @property
    def ebitda_usd(self) -> NDArray[np.float64]: ...
    @property
    def collateral_usd(self) -> NDArray[np.float64]: ...


def wilson_interval(successes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95% Wilson score interval for a binomial proportion.

    >>> [round(x, 3) for x in wilson_interval(0, 100)]
    [0.0, 0.037]
    """
    if n == 0:
        return (0.0, 1.0)
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


@dataclass
class CovenantResult:
    """A covenant's first breach day on every path; ``tested``: whether the horizon
    reached a test of it at all (a covenant never tested has no breach share to give,
    not a share of 0), ``first_test_day`` its first test day (``None``: none after the
    start)."""

    name: str
    type: str
    first_breach_day: IntArray  # [P], −1 = never
    tested: bool = True
    first_test_day: int | None = 0

    def summary(self) -> dict[str, object]:
        if not self.tested:
            return {"type": self.type, "tested": False, "first_test_day": self.first_test_day,
                    "probability_breach": None, "probability_breach_ci95": None,
                    "day_p50_first_breach": None}  # fmt: skip
        breached = self.first_breach_day >= 0
        n = int(breached.size)
        lo, hi = wilson_interval(int(breached.sum()), n)
        day = int(np.median(self.first_breach_day[breached])) if breached.any() else None
        return {
            "type": self.type,
            "tested": True,
            "probability_breach": round(float(breached.mean()) if n else 0.0, 4),
            "probability_breach_ci95": [round(lo, 4), round(hi, 4)],
            "day_p50_first_breach": day,
        }


def first_test_day(covenant: CovenantSpec) -> int | None:
    """The first day (from 0) ``covenant`` is tested: day 0 for liquidity (tested daily),
    its first quarter end after the start for a hashrate commitment (``None``: none),
    else day ``test_every_days`` − 1."""
    if covenant.type == "min_liquidity":
        return 0
    if covenant.type == "hashrate_commitment":
        return min((d for d in covenant.quarter_days if d >= 0), default=None)
    return covenant.test_every_days - 1


def untested(covenants: tuple[CovenantSpec, ...], horizon_days: int
             ) -> list[tuple[str, int | None]]:  # fmt: skip
    """The covenants a run of ``horizon_days`` never tests, with their first test day."""
    firsts = [(c.name, first_test_day(c)) for c in covenants]
    return [(name, day) for name, day in firsts if day is None or day >= horizon_days]


def untested_warning(name: str, day: int | None, horizon_days: int) -> str:
    """What a run says of a covenant its horizon never tests."""
    when = ("has no quarter ending after the start date" if day is None
            else f"is first tested on day {day}")  # fmt: skip
    fix = (f"set horizon_days (--horizon) to {day + 1} or more" if day is not None
           else "check its quarters")  # fmt: skip
    return (f"covenant '{name}' {when}, after the {horizon_days}-day horizon: its breach "
            f"share is not measured — {fix}")  # fmt: skip


def _first(fails: NDArray[np.bool_], days: IntArray) -> IntArray:
    """[P]: first test day whose test failed, −1 if none (``fails`` is [P, len(days)])."""
    if fails.size == 0:
        return np.full(fails.shape[0], -1, dtype=np.int64)
    idx = np.argmax(fails, axis=1)
    return np.where(fails.any(axis=1), days[idx], -1).astype(np.int64)


def _loans(flows: PricedFlows, covenant: CovenantSpec) -> tuple[FloatArray, FloatArray]:
    chosen = [s for s in flows.loans if covenant.loan in (None, s.name)]
    T = flows.cash_usd.shape[1]
    service = sum((s.debt_service for s in chosen), np.zeros(T))
    outstanding = sum((s.outstanding for s in chosen), np.zeros(T))
    return np.asarray(service), np.asarray(outstanding)


def _scheduled_service(flows: PricedFlows, covenant: CovenantSpec) -> FloatArray:
    """[T] the debt service a DSCR divides by: each chosen loan's interest and principal,
    less the part of a final repayment beyond its largest regular instalment (a bullet's
    balloon, repaid or refinanced, not serviced from one quarter's EBITDA: a loan maturing
    on a test day, or beside another loan, read DSCR 0.36)."""
    T = flows.cash_usd.shape[1]
    service = np.zeros(T)
    for s in flows.loans:
        if covenant.loan not in (None, s.name):
            continue
        own = np.array(s.debt_service, dtype=np.float64)
        paid = np.flatnonzero(s.principal > 0)
        if paid.size and s.outstanding[paid[-1]] - s.principal[paid[-1]] <= 1e-6:
            regular = float(s.principal[paid[:-1]].max()) if paid.size > 1 else 0.0
            own[paid[-1]] -= max(0.0, float(s.principal[paid[-1]]) - regular)
        service += own
    return service


def _test_days(period: int, horizon: int) -> IntArray:
    return np.arange(period - 1, horizon, period, dtype=np.int64)


def evaluate_covenant(
    covenant: CovenantSpec, flows: PricedFlows, hashrate_ths: FloatArray
) -> CovenantResult:
    P, T = flows.cash_usd.shape
    value = covenant.value
    if covenant.type == "min_liquidity":
        days = np.arange(T, dtype=np.int64)
        first = _first(flows.cash_usd < value, days)
    elif covenant.type == "min_dscr":
        days = _test_days(covenant.test_every_days, T)
        _, outstanding = _loans(flows, covenant)
        service = _scheduled_service(flows, covenant)
        csum_e = np.zeros((P, T + 1))
        cumsum_rows(flows.ebitda_usd, out=csum_e[:, 1:])
        csum_s = np.concatenate([[0.0], np.cumsum(service)])
        # A window reaching back before day 0 sums the days simulated (ratio of the two)
        lo = np.maximum(days + 1 - (covenant.window_days or covenant.test_every_days), 0)
        ebitda = csum_e[:, days + 1] - csum_e[:, lo]
        owed = csum_s[days + 1] - csum_s[lo]
        # Tested while the loan is outstanding: a test after a bullet's maturity read its
        # balloon as the quarter's debt service (DSCR 0.36 on a loan repaid)
        live = (owed > 0) & (outstanding[days] > 0)
        fails = live[None, :] & (ebitda < value * owed[None, :])
        first = _first(fails, days)
        ever_tested = bool(live.any())
    elif covenant.type == "max_ltv":
        days = _test_days(covenant.test_every_days, T)
        _, outstanding = _loans(flows, covenant)
        collateral = flows.collateral_usd[:, days]
        owed = outstanding[days][None, :]
        fails = (owed > 0) & (owed > value * collateral)
        first = _first(fails, days)
    else:  # hashrate_commitment: mean delivered hashrate over each quarter
        ends = [(d, m) for d, m in zip(covenant.quarter_days, covenant.quarter_min_ths,
                                       strict=True) if 0 <= d < T]  # fmt: skip
        days = np.array([d for d, _ in ends], dtype=np.int64)
        csum = np.zeros((P, T + 1))
        cumsum_rows(hashrate_ths, out=csum[:, 1:])
        fails = np.zeros((P, len(ends)), dtype=bool)
        for i, (d, minimum) in enumerate(ends):
            first_day = max(0, d + 1 - QUARTER_DAYS)
            mean = (csum[:, d + 1] - csum[:, first_day]) / (d + 1 - first_day)
            fails[:, i] = mean < minimum
        first = _first(fails, days)
    day = first_test_day(covenant)
    tested = day is not None and day < T
    if covenant.type == "min_dscr":  # a loan repaid before its first test is never tested
        tested = tested and ever_tested
    return CovenantResult(covenant.name, covenant.type, first, tested, day)


def ltv_breached_at_start(
    covenants: tuple[CovenantSpec, ...],
    loans: Sequence[LoanSchedule],
    collateral_usd: float,
    where: str = "",
) -> list[str]:
    """A warning for each LTV covenant its loan breaches on day 0, ``collateral_usd`` the
    machines' day-0 value at the used-ASIC index (the day-0 market is the same on every
    path): the run would report the breach from its first test as if the scenario caused
    it, as a liquidity floor above the starting cash would."""
    out = []
    for covenant in covenants:
        if covenant.type != "max_ltv":
            continue
        owed = sum(float(s.outstanding[0]) for s in loans if covenant.loan in (None, s.name))
        if owed > 0 and owed > covenant.value * collateral_usd:
            # as a share: "37.2 of its collateral" read as a dollar amount
            ratio = f"{owed / collateral_usd:,.0%}" if collateral_usd > 0 else "all"
            out.append(
                f"{where}finance.covenants ({covenant.name}): the loan is {ratio} of its "
                f"collateral on day 0 (${owed:,.0f} against machines worth "
                f"${collateral_usd:,.0f} at the used-ASIC index), above its max "
                f"{covenant.value:g} before anything happens: most paths breach it at its "
                "first test whatever the scenario — check the principal, the covenant's "
                "value or the machines' used prices"
            )
    return out


def evaluate_covenants(
    covenants: tuple[CovenantSpec, ...], flows: PricedFlows, hashrate_ths: FloatArray
) -> list[CovenantResult]:
    return [evaluate_covenant(c, flows, hashrate_ths) for c in covenants]


def _exposure(
    pledge: PledgeSpec, btc_price_usd: FloatArray, order_cancelled: NDArray[np.bool_],
    order_due_day: IntArray | None = None,
) -> dict[str, object]:  # fmt: skip
    """A vendor-held pledge's exposure (:func:`margin_calls`): an order is cancelled on
    its due day, so only one due while the pledge is held, within the horizon, exposes it
    (an order due after the horizon, or after the BTC was released, does not)."""
    P, T = btc_price_usd.shape
    exposed = np.zeros(P, dtype=bool)
    if pledge.vendor_orders and pledge.last_day > 0:
        orders = list(pledge.vendor_orders)
        cancelled = order_cancelled[orders]
        if order_due_day is not None:
            held = np.asarray(order_due_day)[orders] < min(T, pledge.last_day)
            cancelled = cancelled & held[:, None]
        exposed = np.asarray(cancelled.any(axis=0))
    value = pledge.btc * btc_price_usd[:, min(T, pledge.last_day) - 1] if T else np.zeros(P)
    return {
        "vendor": pledge.vendor,
        "btc": pledge.btc,
        "probability_exposed": round(float(exposed.mean()), 4) if P else 0.0,
        "exposed_usd_p50": round(float(np.median(value[exposed]))) if exposed.any() else None,
    }


def pledge_call_days(pledge: PledgeSpec, btc_price_usd: FloatArray) -> IntArray:
    """[P]: the first day ``pledge``'s obligation / (BTC × price) exceeds its margin-call
    LTV while the pledge is held (−1: never); ``btc_price_usd`` [P, T]."""
    last = min(btc_price_usd.shape[1], pledge.last_day)
    ltv = pledge.obligation_usd / np.maximum(pledge.btc * btc_price_usd[:, : max(last, 0)], 1e-9)
    return _first(ltv > pledge.margin_call_ltv, np.arange(max(last, 0), dtype=np.int64))


def first_margin_call(pledges: tuple[PledgeSpec, ...], btc_price_usd: FloatArray) -> IntArray:
    """[P]: the first day any of ``pledges`` is called (−1: never)."""
    never = np.iinfo(np.int64).max
    first = np.full(btc_price_usd.shape[0], never, dtype=np.int64)
    for pledge in pledges:
        day = pledge_call_days(pledge, btc_price_usd)
        first = np.minimum(first, np.where(day >= 0, day, never))
    return np.where(first == never, -1, first).astype(np.int64)


def margin_calls(
    pledges: tuple[PledgeSpec, ...], btc_price_usd: FloatArray,
    order_cancelled: NDArray[np.bool_] | None = None, order_due_day: IntArray | None = None,
) -> dict[str, object]:  # fmt: skip
    """First day any pledge's obligation / (BTC × price) exceeds its margin-call LTV; with
    the run's ``order_cancelled`` [O, P], each pledge held by a vendor is also *exposed*
    on the paths where one of that vendor's orders was cancelled (the scenario broke off
    the purchase the pledge secures): its share of paths and the BTC's value on those
    paths on the last day the pledge is held (p50, USD). Whether the BTC comes back is
    not modelled."""
    P = btc_price_usd.shape[0]
    per_pledge: dict[str, object] = {}
    for pledge in pledges:
        day = pledge_call_days(pledge, btc_price_usd)
        summary = CovenantResult(pledge.name, "margin_call", day).summary()
        if pledge.vendor is not None and order_cancelled is not None:
            summary |= _exposure(pledge, btc_price_usd, order_cancelled, order_due_day)
        per_pledge[pledge.name] = summary
    first = first_margin_call(pledges, btc_price_usd)
    happened = first >= 0
    return {
        "probability": round(float(happened.mean()), 4) if P else 0.0,
        "day_p50": int(np.median(first[happened])) if happened.any() else None,
        "pledges": per_pledge,
    }
