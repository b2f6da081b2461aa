"""The industry file: operators (or classes of like operators), the rest of the world,
vendor lines and a lender's portfolio (docs/industry.md).

Structure is checked here; references to files, models and operators are checked by
:func:`hashshock.industry.load.load_industry`, which reads the fleets.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StrictInt, model_validator

from hashshock.inputs.finance import Amortisation, Covenant, Finance, Loan, PaymentPeriod
from hashshock.inputs.fleet import EARLIEST_START, LATEST_START
from hashshock.inputs.strict import InputModel, given
from hashshock.inputs.types import Share

#: More operators in one class than any country has mining sites: a typo, not a class.
MAX_CLASS_COUNT = 100_000
#: Most simulated members of one class (each an engine run per scenario).
MAX_SIMULATED_MEMBERS = 2_000
#: Largest operator, EH/s: the whole network (≈ 1.1 ZH/s in 2025, INDUSTRY.md).
MAX_OPERATOR_EHS = 1_200.0
#: Largest yearly capacity of a vendor line, EH/s a year: the whole network's yearly output
#: is ≈ 370 EH/s of growth plus replacements (INDUSTRY.md); 5,000 is a typo.
MAX_LINE_EHS_PER_YEAR = 5_000.0
#: Most engine passes: the third already agrees with the second to about 0.1 %
#: (docs/industry.md, "Engines steered by the shared network").
MAX_ENGINE_PASSES = 4


class _Strict(InputModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class MachinesEach(_Strict):
    """Sizes of a class's members, machines: lognormal with this mean and coefficient of
    variation (``cv: 0`` makes them all equal)."""

    mean: float | None = Field(
        None, ge=1, le=3_000_000,
        description="Mean machines per member (at least one); default the class's "
        "total_machines / count",
    )  # fmt: skip
    cv: float = Field(0.0, ge=0, le=5, description="Standard deviation / mean of sizes")


class Growth(_Strict):
    """Machines an operator (each member of a class) plans to add: an order of new
    machines every ``every_months`` months (of 365/12 days) during ``months`` months, the
    first ``first_due_days`` after the start. Give ``ehs_per_year`` (one operator) or
    ``share_per_year`` of its nameplate (scales with each member of a class)."""

    model: str = Field(description="Catalogue model ordered (its vendor's line serves it)")
    ehs_per_year: float | None = Field(
        None, gt=0, le=MAX_OPERATOR_EHS, description="Nameplate EH/s ordered a year"
    )
    share_per_year: float | None = Field(
        None, gt=0, le=5, description="Nameplate ordered a year, as a share of the fleet's"
    )
    months: StrictInt = Field(12, ge=1, le=60, description="Months the orders cover")
    every_months: StrictInt = Field(
        1, ge=1, le=12, description="Months between orders (each order is that many "
        "months' growth; fewer orders, fewer cohorts to simulate)",
    )  # fmt: skip
    first_due_days: StrictInt = Field(30, ge=0, le=3650, description="Days to the first")
    site: str | None = Field(None, description="Site the machines go to; default the first")
    source: str = Field("", description="Where the plan comes from, or 'ASSUMPTION [E]: …'")

    @model_validator(mode="after")
    def _one_rate(self) -> Growth:
        if (self.ehs_per_year is None) == (self.share_per_year is None):
            raise ValueError(
                "give exactly one of ehs_per_year and share_per_year — fix: e.g. "
                "share_per_year: 0.2 (a fifth of the fleet a year)"
            )
        return self


class Operator(_Strict):
    """One operator, or a class of ``count`` like operators.

    The fleet is a fleet file used as it is (``fleet``), or a template fleet scaled to
    ``hashrate_ehs`` or ``machines`` (one operator) or to ``machines_each`` (a class).
    """

    name: str = Field(
        min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
        description="Unique operator or class name (letters, digits, - _ .)",
    )  # fmt: skip
    kind: str = Field("operator", description="What sort of operator (for reports), e.g. "
                      "large-public, hosted, small-farm")  # fmt: skip
    fleet: str | None = Field(None, description="Fleet file, used as it is (relative to this file)")
    template: str | None = Field(
        None, description="Template fleet file to scale (relative to this file)"
    )
    hashrate_ehs: float | None = Field(
        None, gt=0, le=MAX_OPERATOR_EHS, description="Nameplate EH/s the template is scaled to"
    )
    machines: StrictInt | None = Field(
        None, gt=0, le=3_000_000, description="Machines the template is scaled to"
    )
    count: StrictInt = Field(1, ge=1, le=MAX_CLASS_COUNT, description="Operators in the class")
    machines_each: MachinesEach | None = Field(None, description="Sizes of a class's members")
    total_machines: StrictInt | None = Field(
        None, gt=0, description="Machines the whole class claims (checked against the sizes)"
    )
    simulated: StrictInt | None = Field(
        None, ge=1, le=MAX_SIMULATED_MEMBERS,
        description="Members simulated, each standing for count / simulated operators "
        "(default: count, at most 8)",
    )  # fmt: skip
    finance: Finance | None = Field(
        None, description="Money of this operator, replacing the template's: as given for "
        "one operator; for a class, that of a member of the mean size, scaled to each "
        "member's size as a template's is",
    )  # fmt: skip
    growth: Growth | None = Field(None, description="Planned machine orders (monthly)")
    source: str = Field("", description="Where the numbers come from, or 'ASSUMPTION [E]: …'")

    @model_validator(mode="after")
    def _one_way_to_size(self) -> Operator:
        if (self.fleet is None) == (self.template is None):
            raise ValueError(
                "give exactly one of fleet and template — fix: `fleet: my-fleet.yaml` "
                "(as it is) or `template: farm.yaml` with hashrate_ehs, machines or "
                "machines_each"
            )
        sizes = [k for k in ("hashrate_ehs", "machines", "machines_each")
                 if getattr(self, k) is not None]  # fmt: skip
        extra = [*sizes, *(["count"] if self.count > 1 else []),
                 *(["finance"] if self.finance is not None else [])]  # fmt: skip
        if self.fleet is not None and extra:
            raise ValueError(
                f"{', '.join(extra)} {'needs' if len(extra) == 1 else 'need'} a template, not "
                "a fleet (a fleet file is run as it is) — fix: write template: instead of "
                f"fleet:, or drop {', '.join(extra)}"
            )
        if self.template is not None and not sizes and self.total_machines is not None:
            raise ValueError(
                "total_machines needs machines_each too (the spread of the members' sizes) "
                "— fix: add machines_each: {cv: 0.8} (total_machines sets its mean)"
            )
        if self.template is not None and len(sizes) != 1:
            raise ValueError(
                f"a template needs exactly one size, got {', '.join(sizes) or 'none'} — fix: "
                "give hashrate_ehs or machines (one operator) or machines_each (a class)"
            )
        if self.count > 1 and self.machines_each is None and self.template is not None:
            raise ValueError(
                f"a class of {self.count} needs machines_each — fix: add machines_each: "
                "{mean: 450, cv: 0.8}, or set count: 1"
            )
        if self.machines_each is not None and self.count == 1 and self.simulated not in (None, 1):
            raise ValueError("simulated needs a class — fix: set count above 1, or drop simulated")
        if self.total_machines is not None and self.machines_each is None:
            raise ValueError("total_machines needs machines_each — fix: add machines_each")
        if (self.machines_each is not None and self.machines_each.mean is None
                and self.total_machines is None):  # fmt: skip
            raise ValueError(
                "machines_each needs a mean — fix: give machines_each.mean, or "
                "the class's total_machines"
            )
        if self.simulated is not None and self.simulated > self.count:
            raise ValueError(
                f"simulated ({self.simulated}) is more than count ({self.count}) "
                f"— fix: use at most {self.count}"
            )
        if self.count > 1 and self.growth is not None and self.growth.ehs_per_year is not None:
            raise ValueError(
                f"growth.ehs_per_year is one operator's, and each of the class's "
                f"{self.count:,} operators would order it — fix: give growth.share_per_year "
                "(each member's share of its own nameplate a year)"
            )
        return self

    @property
    def mean_machines(self) -> float | None:
        """Machines of a class's average member: ``total_machines / count`` when given,
        else ``machines_each.mean`` (None: not a class)."""
        if self.total_machines is not None:
            return self.total_machines / self.count
        return None if self.machines_each is None else self.machines_each.mean

    @property
    def simulated_members(self) -> int:
        """Members simulated (each weighs ``count / simulated_members``)."""
        return self.simulated if self.simulated is not None else min(self.count, 8)


class RestOfWorld(_Strict):
    """The network outside the listed operators (docs/industry.md, "The network")."""

    hashrate_ehs: float | None = Field(
        None, gt=0, le=100_000,
        description="Hashrate outside these operators on day 0, EH/s; sets the day-0 network "
        "(it plus the operators' nameplate) and its difficulty; default: the market's "
        "network on day 0 minus the operators' delivered hashrate on day 0",
    )  # fmt: skip
    growth_per_year: float | None = Field(
        None, gt=-0.9, le=10,
        description="Yearly growth at the reference hashprice; default the market's",
    )  # fmt: skip
    takes_cancelled_us_orders: Share = Field(
        1.0, description="Share of the hashrate of cancelled US machine orders installed "
        "abroad instead, from their due day (ASSUMPTION [E]: the vendor sells them elsewhere)",
    )  # fmt: skip
    source: str = ""


class VendorLine(_Strict):
    """A vendor's production line selling to US buyers: a queue (docs/industry.md,
    "Vendor queues"). The operators' orders of the vendor's models wait their turn."""

    name: str = Field(min_length=1)
    vendor: str = Field(description="Vendor slug, as in data/vendors.csv (one line each)")
    capacity_ehs_per_year: float = Field(
        ge=0, le=MAX_LINE_EHS_PER_YEAR, description="Machines made a year, nameplate EH/s"
    )
    us_share: Share = Field(1.0, description="Share of the capacity US buyers may take")
    start_date: date | None = Field(None, description="First day the line ships")
    full_date: date | None = Field(
        None, description="Day it reaches full capacity, rising in a straight line from "
        "start_date (default: full from the start)",
    )  # fmt: skip
    model: str | None = Field(
        None, description="Model it sells to orders redirected from another vendor "
        "(none: it takes no redirected orders)",
    )  # fmt: skip
    components_from: str | None = Field(
        None, description="Vendor whose components it imports: while that vendor's supply "
        "is cut, the line runs at 1 − imported_components_share",
    )  # fmt: skip
    imported_components_share: Share = Field(
        0.0, description="Share of the line's output that needs imported components"
    )
    lead_days: StrictInt | None = Field(
        None, ge=0, le=720, description="Lead time with no queue, days (reported with the "
        "queue's wait); default: data/vendors.csv parts_lead_time_days",
    )  # fmt: skip
    source: str = ""

    @model_validator(mode="after")
    def _dates(self) -> VendorLine:
        if self.full_date is not None and self.start_date is None:
            raise ValueError(
                "full_date needs a start_date on or before it — fix: add start_date, or "
                "drop full_date"
            )
        if (
            self.full_date is not None
            and self.start_date is not None
            and (self.full_date < self.start_date)
        ):
            raise ValueError(
                f"full_date {self.full_date} is before start_date {self.start_date} — fix: "
                "give a full_date on or after the start_date (the line ramps up between them)"
            )
        return self


class Redirect(_Strict):
    """Orders a vendor cannot fill (cancelled by a scenario) placed again with the lines
    of other vendors, in proportion to their US capacity."""

    from_vendors: list[str] = Field(default_factory=lambda: ["bitmain"],
                                    description="Vendors whose cancelled orders move")  # fmt: skip
    share: Share = Field(0.5, description="Share of cancelled orders placed again "
                         "(ASSUMPTION [E]; the rest is not replaced)")  # fmt: skip
    source: str = ""


class UsedMarket(_Strict):
    """The US used-ASIC market shared by the operators (docs/industry.md, "Used and grey
    markets"): how far prices move when offers and wants do not match."""

    window_days: StrictInt = Field(30, ge=1, le=365, description="Days the imbalance is "
                                   "summed over (ASSUMPTION [E]: a month of dealers' "
                                   "listings)")  # fmt: skip
    turnover_ehs_per_window: float = Field(
        2.0, gt=0, le=1000,
        description="Used machines normally traded in the US in a window, EH/s "
        "(ASSUMPTION [E]: one venue settled 0.4-0.7 EH/s a month in late 2023, "
        "INDUSTRY-SOURCES.md §5; market-wide volume is a gap)",
    )  # fmt: skip
    sensitivity: float = Field(
        0.05, ge=0, le=10,
        description="η: an excess of one window's turnover moves prices by e^η (ASSUMPTION "
        "[E]: the floods of FACTS.md 4.6 — the 2021 China ban, the 2022 credit crunch — "
        "came with hashprice falls that the market's price curve already reproduces, so "
        "the extra fire-sale discount was small; 0.05 puts a year of turnover offered at "
        "once at −45 %)",
    )  # fmt: skip
    floor_factor: float = Field(0.1, gt=0, le=1, description="Lowest price factor "
                                "(ASSUMPTION [E])")  # fmt: skip
    grey_premium: float | None = Field(
        None, ge=0, le=5, description="Premium of grey imports over the used price; the "
        "price factor never exceeds 1 + it; default: data/channels.csv grey-parts "
        "price_factor − 1",
    )  # fmt: skip
    grey_doa_share: Share | None = Field(
        None, description="Grey imports dead on arrival; default: data/channels.csv "
        "grey-parts doa_share",
    )  # fmt: skip
    source: str = ""


class Distress(_Strict):
    """What an operator does once it breaks financially (first covenant breach or cash
    below zero): cancels the machine orders not yet delivered (stops growing) and sells
    a share of its machines into the used market."""

    cancel_orders: bool = Field(
        True, description="Cancel its machine orders arriving after the break (ASSUMPTION "
        "[E]: a broken miner stops growing; the deposit is lost, the balance not paid)",
    )  # fmt: skip
    sell_share: Share = Field(
        0.3, description="Share of its installed machines sold on the day it breaks "
        "(ASSUMPTION [E]: lenders took back machines in the 2022 credit crunch, "
        "INDUSTRY-SOURCES.md §5; 0 turns distress sales off)",
    )  # fmt: skip
    sold_abroad_share: Share = Field(
        0.5, description="Share of the machines sold that leave the US (ASSUMPTION [E]: "
        "older US rigs moved to Ethiopia, INDUSTRY-SOURCES.md §5)",
    )  # fmt: skip
    source: str = ""


class Replacement(_Strict):
    """Operators replace the machines a shock leaves waiting for parts — beyond those
    waiting on the same path without the shock — with new machines from the lines that
    take redirected orders (spot orders, served after the contracted ones) and, for a
    ``used_share`` of them, with used machines."""

    share: Share = Field(
        0.5, description="Share of the extra machines waiting for parts replaced "
        "(ASSUMPTION [E]: the rest wait for parts or the grey market)",
    )  # fmt: skip
    review_days: StrictInt = Field(30, ge=1, le=365, description="Days between orders "
                                   "(ASSUMPTION [E]: a monthly purchasing review)")  # fmt: skip
    used_share: Share = Field(
        0.0, description="Share of each order bought on the used market (from dealers' "
        "stock, else grey imports) instead of new machines; 0: all new",
    )  # fmt: skip
    max_payback_days: StrictInt | None = Field(
        None, ge=1, le=3650,
        description="Order only on review days when the order's price (its new and used "
        "machines, by used_share) pays back within this many days at that day's hashprice "
        "(their margin after power); omitted: order whether or not it pays back",
    )  # fmt: skip
    source: str = ""


class DonorBuyers(_Strict):
    """Operators buy used machines for their parts (cannibalisation buyers on the used
    market): every operator with a finance block runs its fleet's
    ``finance.replacement.donor_machines`` rule (docs/model.md, *Cannibalisation*, C4)
    unless its fleet sets ``donor_machines`` itself."""

    share: Share = Field(
        1.0, description="Share of the parts short that donors are bought for (the fleet "
        "rule's donor_share)",
    )  # fmt: skip
    review_days: StrictInt = Field(7, ge=1, le=365, description="Days between purchases "
                                   "(ASSUMPTION [E]: weekly, as a repair shop buys donors "
                                   "for the week's repairs)")  # fmt: skip
    source: str = ""


class PortfolioLoan(_Strict):
    """A lender's loan to an operator, or to each operator of a class (principal each)."""

    borrower: str = Field(description="Operator name in this file")
    name: str | None = Field(
        None, min_length=1, description="The loan's name in the outputs (default loans[i])"
    )
    principal_usd: float = Field(gt=0, le=1e11)
    rate_per_year: float = Field(ge=0, le=1)
    amortisation: Amortisation = Field(
        "linear", description="How the principal is repaid, as a finance block's loan: what "
        "is still owed on the default day is what the lender can lose",
    )  # fmt: skip
    payment_every_days: PaymentPeriod = 30
    maturity_date: date
    recovery_share: Share = Field(0.4, description="Share recovered on default (ASSUMPTION [E])")
    secured_by_machines: bool = Field(
        False, description="Recover the borrower's machines instead: their used-market "
        "value on the default day, less liquidation_cost_share, at most the principal",
    )  # fmt: skip
    liquidation_cost_share: Share = Field(
        0.2, description="Share of the machines' value lost repossessing and selling them "
        "(ASSUMPTION [E])",
    )  # fmt: skip
    new_debt: bool = Field(
        False, description="Debt the borrower's finance block does not carry: the loan "
        "joins it on the start date, so the borrower pays it out of its cash and covenants "
        "on all its loans count it (false: the loan is already in the borrower's finance "
        "block, or left out of it, and does not change how the borrower runs)",
    )  # fmt: skip
    proceeds: Literal["cash", "spent"] = Field(
        "cash", description="With new_debt, where the principal went: cash (it joins the "
        "borrower's cash on day 0) or spent (on machines already in its fleet, or before "
        "the start: only the payments are new)",
    )  # fmt: skip
    covenants: list[Covenant] = Field(
        default_factory=list, description="With new_debt, the lender's tests of the "
        "borrower, added to its finance block: min_dscr and max_ltv on this loan (their "
        "loan: is this one), min_liquidity in USD for each operator",
    )  # fmt: skip
    source: str = ""

    @model_validator(mode="after")
    def _proceeds_need_new_debt(self) -> PortfolioLoan:
        for field in ("proceeds", "covenants"):
            if field in given(self) and not self.new_debt:
                raise ValueError(f"{field} does nothing without new_debt: true — fix: add "
                                 f"new_debt: true, or drop {field}")  # fmt: skip
        # One recovery or the other: a share of the exposure, or the machines' value.
        unused = "recovery_share" if self.secured_by_machines else "liquidation_cost_share"
        if unused in given(self):
            how = ("the machines' used value less liquidation_cost_share"
                   if self.secured_by_machines else "recovery_share of what is owed")  # fmt: skip
            flip = "false" if self.secured_by_machines else "true"
            raise ValueError(f"{unused} does nothing here: this loan recovers {how} — fix: "
                             f"drop {unused}, or set secured_by_machines: {flip}")  # fmt: skip
        for i, covenant in enumerate(self.covenants):
            if covenant.type == "hashrate_commitment":
                raise ValueError(f"covenants[{i}]: a lender's covenant is min_dscr, max_ltv "
                                 "or min_liquidity — fix: give a hashrate commitment in the "
                                 "borrower's finance block")  # fmt: skip
            if covenant.loan is not None:
                raise ValueError(f"covenants[{i}].loan: a portfolio loan's covenants test "
                                 "that loan — fix: drop loan:")  # fmt: skip
        return self

    def tests(self, name: str) -> list[Covenant]:
        """Its covenants as the borrower's finance block holds them: DSCR and LTV on the
        loan named ``name``."""
        return [cov.model_copy(update={"loan": name}) if cov.type in ("min_dscr", "max_ltv")
                else cov for cov in self.covenants]  # fmt: skip

    def terms(self, name: str) -> Loan:
        """The loan as a finance block's loan named ``name`` (its repayment schedule)."""
        return Loan(name=name, principal_usd=self.principal_usd,
                    rate_per_year=self.rate_per_year, amortisation=self.amortisation,
                    payment_every_days=self.payment_every_days,
                    maturity_date=self.maturity_date)  # fmt: skip


class Portfolio(_Strict):
    """A lender's loans: listed, and/or every operator's own loans (its finance block)."""

    loans: list[PortfolioLoan] = Field(default_factory=list)
    operators_own_loans: bool = Field(
        False, description="Add every operator's own finance-block loans (secured by its "
        "machines) to the portfolio",
    )  # fmt: skip

    def named_loans(self) -> list[tuple[str, PortfolioLoan]]:
        """Each loan with its name in the outputs (``loans[i]`` when it has none)."""
        return [(loan.name or f"loans[{i}]", loan) for i, loan in enumerate(self.loans)]

    def loan_field(self, i: int) -> str:
        """How a message names loan ``i``'s fields: ``loans[i] (name)``, ``loans[i]``
        when it has no name (not ``loans[0] (loans[0])``)."""
        name = self.loans[i].name
        return f"loans[{i}]" + (f" ({name})" if name else "")

    @model_validator(mode="after")
    def _names(self) -> Portfolio:
        names = [loan.name for loan in self.loans if loan.name is not None]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"two loans are named {twice[0]} — fix: give each loan its own "
                             "name")  # fmt: skip
        # The names the outputs give unnamed loans (loans[i]) and operators' own loans
        # (operator/loan): a loan named so would share their row.
        for name in names:
            if re.fullmatch(r"loans\[\d+\]", name) or "/" in name:
                raise ValueError(f"a loan cannot be named {name}: the outputs name unnamed "
                                 "loans loans[i] and operators' own loans operator/loan — "
                                 "fix: give it a name without '/' or the loans[i] "
                                 "form")  # fmt: skip
        return self


Operators = Annotated[list[Operator], Field(min_length=1)]


class Industry(_Strict):
    """Operators that share one network and one set of events."""

    name: str = "industry"
    description: str = ""
    start_date: date = Field(description="Day 0 of every operator (overrides their fleets')",
                             ge=EARLIEST_START, le=LATEST_START)  # fmt: skip
    network_feedback: bool = Field(
        True, description="World hashrate = operators + rest of world (false: each operator "
        "is priced on the market alone, as `hashshock run` does)",
    )  # fmt: skip
    engine_passes: StrictInt = Field(
        1, ge=1, le=MAX_ENGINE_PASSES, description="Times every member's engine runs: from "
        "the second on steered by the hashprice and used prices the pass before settled, so "
        "switch-off, curtailment and replacement decisions see the shared network (each "
        "pass costs one run of every engine; 2 agrees with 3 to about 0.1 %)",
    )  # fmt: skip
    rest_of_world: RestOfWorld = Field(default_factory=RestOfWorld)
    operators: Operators
    vendor_lines: list[VendorLine] = Field(default_factory=list)
    redirect: Redirect | None = Field(
        None, description="Cancelled orders placed again with other vendors' lines "
        "(none: they are lost)",
    )  # fmt: skip
    replacement: Replacement | None = Field(
        None, description="Spot orders for machines a shock leaves waiting for parts "
        "(none: not replaced)",
    )  # fmt: skip
    used_market: UsedMarket = Field(default_factory=UsedMarket)
    donor_buyers: DonorBuyers | None = Field(
        None, description="Operators buy used machines for their parts (none: only the "
        "fleets whose finance block says so)",
    )  # fmt: skip
    pipelines_at_start: Literal["empty", "steady"] | None = Field(
        None, description="Every member's parts in repair and on order on day 0 (a fleet "
        "field, docs/model.md 'Day 0'), unless its fleet file says; none: as the fleets say",
    )  # fmt: skip
    distress: Distress = Field(default_factory=Distress)
    portfolio: Portfolio = Field(default_factory=Portfolio)
    sources: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _names(self) -> Industry:
        names = [o.name for o in self.operators]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(
                f"operator names repeat: {', '.join(twice)} — fix: give each its own name"
            )
        if not self.network_feedback:
            shared = sorted({"distress", "used_market", "replacement", "donor_buyers"}
                            & given(self))  # fmt: skip
            if self.engine_passes > 1:
                shared.append("engine_passes")
            if shared:
                raise ValueError(
                    f"{' and '.join(shared)} {'acts' if len(shared) == 1 else 'act'} on the "
                    "shared network, which "
                    "network_feedback: false turns off — fix: drop them, or set "
                    "network_feedback: true"
                )
        if self.replacement is not None and not any(line.model for line in self.vendor_lines):
            raise ValueError(
                "replacement needs vendor lines that sell a model to new buyers — fix: give "
                "vendor_lines with model: (e.g. microbt with whatsminer-m60s), or drop "
                "replacement"
            )
        if (
            "redirect" in self.model_fields_set
            and self.redirect is not None
            and not any(
                line.model and line.vendor not in self.redirect.from_vendors
                for line in self.vendor_lines
            )
        ):  # else the redirected orders have nowhere to go, and it does nothing unsaid
            raise ValueError(
                "redirect needs a vendor line of another vendor that sells a model to new "
                "buyers — fix: give vendor_lines with model: (e.g. microbt with "
                "whatsminer-m60s), or drop redirect"
            )
        vendors = [line.vendor for line in self.vendor_lines]
        again = sorted({v for v in vendors if vendors.count(v) > 1})
        if again:
            raise ValueError(
                f"vendor_lines: {', '.join(again)} has more than one line — fix: one line "
                "per vendor (add their capacities)"
            )
        lines = [line.name for line in self.vendor_lines]
        named_twice = sorted({n for n in lines if lines.count(n) > 1})
        if named_twice:  # results are keyed by line name: one would hide the other
            raise ValueError(
                f"vendor_lines: the name {', '.join(named_twice)} is given to more than one "
                "line — fix: give each line its own name"
            )
        for i, loan in enumerate(self.portfolio.loans):
            if loan.borrower not in names:
                from hashshock.inputs.errors import unknown_name_fix

                raise ValueError(
                    f"portfolio.loans[{i}].borrower '{loan.borrower}' is not an operator here"
                    f" — fix: {unknown_name_fix(loan.borrower, names, 'operator')}"
                )
        return self
