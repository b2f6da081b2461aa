"""The fleet file's optional ``finance`` block: cash, loans, covenants, pledges, policies.

Amounts in USD, rates per year as fractions (0.11 = 11%), dates ISO 8601.
Defaults not given here live in ``data/finance_defaults.csv`` and
``data/part_costs.csv`` with their sources.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from hashshock.inputs.catalog import PartType, vendor_defaults
from hashshock.inputs.errors import unknown_name_fix
from hashshock.inputs.strict import InputModel, given
from hashshock.inputs.types import MAX_USD, Money, Share


class _Strict(InputModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


#: How a loan's principal is repaid (:func:`hashshock.finance.loans.schedule`).
Amortisation = Literal["linear", "bullet", "annuity"]
#: Days between a loan's payments.
PaymentPeriod = Annotated[int, Field(ge=1, le=366)]


#: Most overhead a machine may cost a day, USD: a modern machine mines a few dollars a
#: day, so hundreds is a typo (a monthly or a fleet figure).
MAX_OVERHEAD_USD = 100.0
#: Overhead a machine-day above which a run says to check it, USD: a 3.5 kW machine's
#: whole power bill at $40/MWh is $3.36 a day, and cash costs besides power are a
#: fraction of it (power is over 80 % of them, FACTS.md §4.4) — an ASSUMPTION [E]
#: catching a monthly figure typed as a daily one ($7.50 for $0.25 a day).
OVERHEAD_NOTE_USD = 3.36


class Loan(_Strict):
    """A term loan; payments every ``payment_every_days`` from the run start."""

    name: str = Field(min_length=1)
    principal_usd: Money = Field(gt=0, description="Outstanding principal at the start")
    rate_per_year: float = Field(ge=0.0, le=1.0, description="Interest rate, e.g. 0.11")
    amortisation: Amortisation = "linear"
    payment_every_days: PaymentPeriod = 30
    maturity_date: date


class QuarterCommitment(_Strict):
    quarter_end: date
    min_ths: Money = Field(description="Mean delivered hashrate over the quarter, TH/s")


class Covenant(_Strict):
    """A test on the simulated money; breached when the rule fails on a test date."""

    name: str = Field(min_length=1)
    type: Literal["min_dscr", "max_ltv", "min_liquidity", "hashrate_commitment"]
    value: float | None = Field(
        None, description="min DSCR (x), max LTV (fraction), min liquidity (USD)"
    )
    loan: str | None = Field(None, description="Loan the DSCR/LTV refers to; default all loans")
    test_every_days: int = Field(90, ge=1, le=366, description="Test period (DSCR window too)")
    window_days: int | None = Field(
        None, ge=1, le=366, description="DSCR: days of EBITDA and debt service each test "
        "sums (default test_every_days; 365 with test_every_days: 90 is a trailing-twelve-"
        "month DSCR tested quarterly)",
    )  # fmt: skip
    quarters: list[QuarterCommitment] = Field(default_factory=list)

    @model_validator(mode="after")
    def _needs_value(self) -> Covenant:
        ends = [q.quarter_end for q in self.quarters]
        twice = next((end for end in ends if ends.count(end) > 1), None)
        if twice is not None:  # which min_ths holds that quarter would be a guess
            raise ValueError(
                f"quarters: quarter_end {twice.isoformat()} is given {ends.count(twice)} times "
                "— fix: give each quarter once, with the hashrate committed for it"
            )
        if self.type == "hashrate_commitment":
            if not self.quarters:
                raise ValueError(
                    "hashrate_commitment needs quarters — fix: add quarters: "
                    "[{quarter_end: 2027-03-31, min_ths: 4000000}]"
                )
        elif self.value is None:
            raise ValueError(f"{self.type} needs a value — fix: add value: …")
        if self.type == "max_ltv" and self.value is not None and not 0 < self.value <= 5:
            raise ValueError("max_ltv is a fraction such as 0.7 — fix: write e.g. value: 0.7")
        if self.type == "min_dscr" and self.value is not None and not 0 < self.value <= 100:
            raise ValueError(
                f"a minimum DSCR of {self.value:g} cannot be breached or always "
                "is — fix: write the ratio the loan demands, e.g. value: 1.25"
            )
        if self.type == "min_liquidity" and self.value is not None and self.value < 0:
            raise ValueError(
                f"a minimum liquidity of {self.value:g} USD is below zero — fix: "
                "write the cash the loan demands, e.g. value: 5000000"
            )
        if self.type == "min_liquidity" and self.value is not None and self.value > MAX_USD:
            raise ValueError(  # as every amount of money (MAX_USD): a mistyped exponent
                f"a minimum liquidity of {self.value:.3g} USD is above {MAX_USD:,.0f} — fix: "
                "write the cash the loan demands, e.g. value: 5000000"
            )
        # Every setting acts or is refused: fields the covenant's type does not read.
        unused = {
            "min_dscr": {"quarters"},
            "max_ltv": {"quarters", "window_days"},
            "min_liquidity": {"quarters", "loan", "test_every_days", "window_days"},
            "hashrate_commitment": {"value", "loan", "test_every_days", "window_days"},
        }[self.type] & given(self)
        if unused:
            raise ValueError(
                f"{', '.join(sorted(unused))} does nothing on a {self.type} covenant"
                f" — fix: drop {', '.join(sorted(unused))}"
            )
        return self


class BtcPledge(_Strict):
    """BTC pledged as collateral for a purchase, with a margin call below a price."""

    name: str = Field(min_length=1)
    btc: Money = Field(gt=0)
    obligation_usd: Money = Field(description="What the pledge secures")
    margin_call_ltv: float = Field(
        0.8, gt=0, le=5, description="Margin call when obligation / BTC value exceeds this "
        "(ASSUMPTION [E]: 80 % is a common BTC-backed lending trigger; give your loan's)",
    )  # fmt: skip
    until_date: date | None = Field(None, description="Pledge released on this date")
    vendor: str | None = Field(
        None,
        description="The vendor holding the pledge (the purchase's counterparty): on paths "
        "where a scenario cancels that vendor's orders while the pledge is held, the pledge "
        "is reported exposed",
    )

    @field_validator("vendor")
    @classmethod
    def _known_vendor(cls, vendor: str | None) -> str | None:
        known = sorted(vendor_defaults())
        if vendor is not None and vendor not in known:
            fix = unknown_name_fix(vendor, known, "vendor")
            raise ValueError(f"unknown vendor '{vendor}' — fix: {fix}")
        return vendor


class PartCosts(_Strict):
    new_part_usd: dict[PartType, Money] = Field(default_factory=dict)
    in_house_repair_usd: dict[PartType, Money] = Field(default_factory=dict)
    vendor_repair_usd: dict[PartType, Money] = Field(default_factory=dict)


class Replacement(_Strict):
    """When vendor supply stops: grey-market spares, replacement machines and donors."""

    grey_market_parts: bool = Field(
        False, description="Buy spares on the grey market while vendor parts are stopped"
    )
    availability_target: Share | None = Field(
        None, description="Buy replacement machines while availability is below this"
    )
    channel: Literal["used-machines", "alt-vendor-machines"] = "used-machines"
    model: str | None = Field(
        None,
        description="Model bought; default per channel: DEFAULT_REPLACEMENT_MODEL of "
        "plan/compile.py",
    )
    budget_usd: Money | None = Field(
        None,
        description="Most replacements and donors may spend together; default cash above "
        "the liquidity covenant",
    )
    donor_machines: bool = Field(
        False,
        description="Buy used machines for their parts (donors) where the spares on the "
        "shelf, in repair and on their way cannot cover the machines waiting "
        "(docs/model.md, Cannibalisation, C4)",
    )
    donor_share: Share = Field(
        1.0, description="Share of the parts short that donors are bought for (the rest waits)"
    )
    donor_review_days: int = Field(
        7, ge=1, le=365,
        description="Days between purchases of donors (assumption: a weekly review)",
    )  # fmt: skip


class Finance(_Strict):
    """Money of the operation: cash, debt, covenants, pledges, costs, policies."""

    cash_usd: Money = 0.0
    # at most what a machine mines in a good day, many times over: more is a typo
    overhead_usd_per_machine_day: float | None = Field(None, ge=0, le=MAX_OVERHEAD_USD)
    loans: list[Loan] = Field(default_factory=list)
    covenants: list[Covenant] = Field(default_factory=list)
    btc_pledges: list[BtcPledge] = Field(default_factory=list)
    part_costs: PartCosts = Field(default_factory=PartCosts)
    order_deposit_share: Share | None = None
    order_refund_share: Share | None = None
    switch_off_unprofitable: bool = Field(
        False, description="Switch off machines whose revenue is below their power cost"
    )
    repair_or_replace: bool = Field(
        False,
        description="Repair a part only if it costs at most repair_threshold_share of a working "
        "replacement (new part, or a used donor machine at the used-ASIC index)",
    )
    repair_threshold_share: Share = Field(
        0.5, description="FACTS.md 2.5 [S62]: repair if all-in cost < 40-50% of a replacement"
    )
    replacement: Replacement = Field(default_factory=Replacement)

    def liquidity_floor_usd(self) -> float:
        """The cash the operator keeps, USD: its highest ``min_liquidity`` covenant (0
        without one). What it may spend on machines is its cash above this floor."""
        return max((cov.value or 0.0 for cov in self.covenants if cov.type == "min_liquidity"),
                   default=0.0)  # fmt: skip

    def machine_budget_usd(self) -> float:
        """What replacement machines and donors may spend together, USD: the policy's
        ``budget_usd``, or the starting cash above the liquidity floor."""
        budget = self.replacement.budget_usd
        if budget is None:
            return max(0.0, self.cash_usd - self.liquidity_floor_usd())
        return float(budget)

    @model_validator(mode="after")
    def _names(self) -> Finance:
        loans = [loan.name for loan in self.loans]
        for i, cov in enumerate(self.covenants):
            if cov.loan is not None and cov.loan not in loans:
                fix = (
                    f"use one of {', '.join(loans)}"
                    if loans
                    else "add the loan under finance.loans, or remove the covenant's loan"
                )
                raise ValueError(
                    f"covenants[{i}].loan '{cov.loan}' is not a loan here — fix: {fix}"
                )
        for i, cov in enumerate(self.covenants):
            if cov.type in ("min_dscr", "max_ltv") and cov.loan is None and not self.loans:
                raise ValueError(
                    f"covenants[{i}] ({cov.name}): a {cov.type} test needs debt, and the "
                    "finance block has no loan, so it could never be breached — fix: add "
                    "the loan under finance.loans, or remove the covenant"
                )
        names = [c.name for c in self.covenants]
        if len(set(names)) != len(names):
            raise ValueError("covenant names repeat — fix: give each covenant its own name")
        pledges = [p.name for p in self.btc_pledges]
        if len(set(pledges)) != len(pledges):
            raise ValueError("btc_pledges names repeat (the results hold one of each "
                             "name) — fix: give each pledge its own name")  # fmt: skip
        twice = next((name for name in loans if loans.count(name) > 1), None)
        if twice is not None:  # a covenant's loan: would name both
            first, second = [i for i, name in enumerate(loans) if name == twice][:2]
            raise ValueError(f"loans[{first}] and loans[{second}] are both named {twice!r} — "
                             "fix: give each loan its own name")  # fmt: skip
        if "repair_threshold_share" in given(self) and not self.repair_or_replace:
            raise ValueError(
                "repair_threshold_share does nothing without repair_or_replace"
                " — fix: set repair_or_replace: true, or drop repair_threshold_share"
            )
        policy = self.replacement
        idle = {"channel", "model"} & given(policy)
        if "budget_usd" in given(policy) and not policy.donor_machines:
            idle.add("budget_usd")
        if idle and policy.availability_target is None:
            also = " (budget_usd: or donor_machines: true)" if "budget_usd" in idle else ""
            raise ValueError(
                f"replacement.{', '.join(sorted(idle))} does nothing without an "
                f"availability_target — fix: set replacement.availability_target{also}, "
                "or drop them"
            )
        idle = {"donor_share", "donor_review_days"} & given(policy)
        if idle and not policy.donor_machines:
            raise ValueError(
                f"replacement.{', '.join(sorted(idle))} does nothing without donor_machines "
                "— fix: set replacement.donor_machines: true, or drop them"
            )
        return self
