"""The industry file: operators (or classes of like operators), the rest of the world,
vendor lines and a lender's portfolio (docs/industry.md).

Structure is checked here; references to files, models and operators are checked by
:func:`hashshock.industry.load.load_industry`, which reads the fleets.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictInt, model_validator

from hashshock.inputs.finance import Finance
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


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MachinesEach(_Strict):
    """Sizes of a class's members, machines: lognormal with this mean and coefficient of
    variation (``cv: 0`` makes them all equal)."""

    mean: float = Field(gt=0, le=3_000_000, description="Mean machines per member")
    cv: float = Field(0.0, ge=0, le=5, description="Standard deviation / mean of sizes")


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
        None, description="Money of this operator (each member of a class): replaces the "
        "template's finance, not scaled",
    )  # fmt: skip
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
        if self.fleet is not None and (sizes or self.count > 1 or self.finance is not None):
            raise ValueError(
                f"{', '.join(sizes) or 'count/finance'} needs a template, not a fleet "
                "— fix: write template: instead of fleet:, or drop the sizes"
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
            raise ValueError("simulated needs a class — fix: set count above 1")
        if self.total_machines is not None and self.machines_each is None:
            raise ValueError("total_machines needs machines_each — fix: add machines_each")
        if self.simulated is not None and self.simulated > self.count:
            raise ValueError(
                f"simulated ({self.simulated}) is more than count ({self.count}) "
                f"— fix: use at most {self.count}"
            )
        return self

    @property
    def simulated_members(self) -> int:
        """Members simulated (each weighs ``count / simulated_members``)."""
        return self.simulated if self.simulated is not None else min(self.count, 8)


class RestOfWorld(_Strict):
    """The network outside the listed operators (docs/industry.md, "The network")."""

    hashrate_ehs: float | None = Field(
        None, gt=0, le=100_000,
        description="Hashrate outside these operators on day 0, EH/s; default: the market's "
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
    """A vendor's production line selling to US buyers (schema only: not simulated yet)."""

    name: str = Field(min_length=1)
    vendor: str = Field(description="Vendor slug, as in data/vendors.csv")
    capacity_ehs_per_year: float = Field(ge=0, le=MAX_LINE_EHS_PER_YEAR)
    us_share: Share = Field(1.0, description="Share of the capacity US buyers may take")
    start_date: date | None = Field(None, description="First day the line ships")
    imported_components_share: Share = Field(
        0.0, description="Share of the value imported (exposed to customs and sanctions)"
    )
    source: str = ""


class PortfolioLoan(_Strict):
    """A lender's loan to an operator, or to each operator of a class (principal each)."""

    borrower: str = Field(description="Operator name in this file")
    principal_usd: float = Field(gt=0, le=1e11)
    rate_per_year: float = Field(ge=0, le=1)
    maturity_date: date
    recovery_share: Share = Field(0.4, description="Share recovered on default (ASSUMPTION [E])")
    source: str = ""


class Portfolio(_Strict):
    loans: list[PortfolioLoan] = Field(default_factory=list)


Operators = Annotated[list[Operator], Field(min_length=1)]


class Industry(_Strict):
    """Operators that share one network and one set of events."""

    name: str = "industry"
    description: str = ""
    start_date: date = Field(description="Day 0 of every operator (overrides their fleets')")
    network_feedback: bool = Field(
        True, description="World hashrate = operators + rest of world (false: each operator "
        "is priced on the market alone, as `hashshock run` does)",
    )  # fmt: skip
    rest_of_world: RestOfWorld = Field(default_factory=RestOfWorld)
    operators: Operators
    vendor_lines: list[VendorLine] = Field(default_factory=list)
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
        for i, loan in enumerate(self.portfolio.loans):
            if loan.borrower not in names:
                from hashshock.inputs.errors import unknown_name_fix

                raise ValueError(
                    f"portfolio.loans[{i}].borrower '{loan.borrower}' is not an operator here"
                    f" — fix: {unknown_name_fix(loan.borrower, names, 'operator')}"
                )
        return self
