"""The fleet file: sites, machine cohorts, spares, repair routes and open orders.

A fleet file is YAML (see README "Fleet file"). Structure is checked by these
pydantic models; cross-references (known model slugs, defined sites, known
families) are checked by :func:`hashshock.inputs.load.load_fleet`, which has
the catalogue at hand.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    ConfigDict,
    Field,
    PrivateAttr,
    SerializerFunctionWrapHandler,
    StrictInt,
    field_validator,
    model_serializer,
    model_validator,
)

from hashshock.inputs.catalog import PartType
from hashshock.inputs.finance import Finance
from hashshock.inputs.strict import InputModel
from hashshock.inputs.types import Count, Delay, Money, Service, Share

#: Largest cohort or order (machines): above the whole US installed base (≈ 2.2 M in
#: service and idle, 2.4–3.3 M by fleet-average TH/s: docs/calibration.md "Limits"), so a
#: larger number is a typo, not a fleet.
MAX_COHORT_MACHINES = 3_000_000
#: Largest fleet (machines, all cohorts and orders): above the whole network (≈ 1.1 ZH/s
#: of ≈ 150 TH/s machines ≈ 7-8 M machines).
MAX_FLEET_MACHINES = 10_000_000
#: Most spares of a kind at a site: far above any stock (the whole network's ≈ 8 M
#: machines hold ≈ 32 M fans), and within the engine's 32-bit daily counts.
MAX_SPARES = 100_000_000
#: The simulated years a fleet may start in: from the genesis block to 2050 (the market
#: carries its snapshot day by day to the start date, and beyond that no halving,
#: price or network figure means anything).
EARLIEST_START = date(2009, 1, 3)
LATEST_START = date(2050, 12, 31)
#: A date in an input (a loan's maturity, an order's due date, a vendor line's ramp) more
#: than this many years from the start is refused: a year mistyped (2208 for 2028) would
#: spread a loan's repayment or a line's ramp over centuries, unsaid. The longest
#: equipment and mining loans run well under 30 years.
MOST_YEARS_FROM_START = 50
#: Most technicians one repair bench may have: a bench is a room of repair stations; the
#: largest sites employ a few dozen technicians in all (data/sites.csv
#: machines_per_technician), so more is a typo. The engine keeps each technician's
#: free-at time per path and site.
MAX_BENCH_TECHNICIANS = 100
#: Longest transfer between two of an operator's sites (days): a quarter of a year is more
#: than any shipment within one country takes, so more is a typo.
MAX_TRANSFER_DAYS = 90
#: Most technicians one site may have for swaps: thousands of times the few dozen of the
#: largest sites (data/sites.csv), so more is a typo.
MAX_SITE_TECHNICIANS = 100_000
#: Most swaps one technician does a day: a swap (unrack, change the part, rerack, check)
#: takes minutes, and data/sites.csv's default is 10 (FACTS.md 2.2); 500 is one every
#: three minutes around the clock, so more is a typo (the plan multiplies it by the
#: site's technicians into whole swaps a day).
MAX_SWAPS_PER_TECHNICIAN_DAY = 500.0
#: Highest average power price (USD/MWh): miners pay $18-80/MWh and the US commercial
#: average is ≈ $128/MWh (FACTS.md §4.5); a year-round average above $1,000 is a typo
#: (real-time price spikes last hours, not the year a site pays for).
MAX_POWER_USD_PER_MWH = 1_000.0
#: Donor machines of one model at one site (at least one: :meth:`Site._donors_held`).
DonorCount = Annotated[StrictInt, Field(le=MAX_COHORT_MACHINES)]
#: What a label-like field is: metadata, not read by the simulation or the reports.
SAVED_ONLY = "kept with the inputs saved with a run (run store, `runs diff`), not shown in reports"


class _Strict(InputModel):
    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True, allow_inf_nan=False)


class RepairBench(_Strict):
    """A finite in-house repair bench: the site's in-house repairs queue for its technicians
    (docs/model.md, *Repair bench*)."""

    technicians: StrictInt = Field(
        ge=1, le=MAX_BENCH_TECHNICIANS,
        description="Bench technicians (servers): parts in in-house repair wait, first come "
        f"first served, while all are busy; 1 to {MAX_BENCH_TECHNICIANS}",
    )  # fmt: skip
    service_days: Service = Field(
        description="Days one technician works on one part: whole days or a distribution, or "
        "{dist: exponential, mean: days} (continuous). Replaces the routes' in_house_days for "
        "the parts repaired at this site"
    )


class Site(_Strict):
    """A mining site."""

    name: str = Field(min_length=1, description="Unique site name, used by cohorts and spares")
    country: str = Field(
        "US", description="ISO 3166 country code (two capital letters, e.g. US, CA, PY); "
        "decides which routes cross a border",
    )  # fmt: skip
    state: str | None = Field(None, description=f"State or province; {SAVED_ONLY}")
    technicians: Count | None = Field(
        None, le=MAX_SITE_TECHNICIANS,
        description="Technicians doing swaps; default: the site's machines / "
        "machines_per_technician of data/sites.csv, rounded up, at least 1",
    )  # fmt: skip
    swaps_per_technician_day: float | None = Field(
        None, gt=0, le=MAX_SWAPS_PER_TECHNICIAN_DAY,
        description="Swaps one technician does per day, at most "
        f"{MAX_SWAPS_PER_TECHNICIAN_DAY:g}; default: data/sites.csv swaps_per_technician_day",
    )  # fmt: skip
    power_usd_per_mwh: float | None = Field(
        None, ge=0, le=MAX_POWER_USD_PER_MWH,
        description="Power price, USD/MWh; default: data/finance_defaults.csv power_usd_per_mwh",
    )  # fmt: skip
    curtail_below_hashprice_usd_per_ph_day: Money | None = Field(
        None, description="Curtail the whole site on days hashprice is below this"
    )
    downtime_share: float | None = Field(
        None, ge=0, le=0.5,
        description="Machine-time offline for reasons other than a broken part at this site; "
        "default: operations.downtime_share",
    )  # fmt: skip
    repair_bench: RepairBench | None = Field(
        None,
        description="A finite in-house repair bench; omitted: in-house repairs never queue "
        "(each takes its route's in_house_days)",
    )
    donors: dict[str, DonorCount] | None = Field(
        None,
        description="Machines held at the site as parts donors, not mining (bought used, or "
        "set aside): model slug -> machines. Their parts serve the site's pools of their "
        f"family once each pool's shelf runs out; at most {MAX_COHORT_MACHINES} a model. "
        "Omitted: no donors",
    )

    @field_validator("country")
    @classmethod
    def _iso_code(cls, country: str) -> str:
        if not re.fullmatch(r"[A-Z]{2}", country):
            raise ValueError(f"{country!r} is not an ISO country code — fix: write its two "
                             "capital letters, e.g. US, CA or PY")  # fmt: skip
        return country

    @model_validator(mode="after")
    def _donors_held(self) -> Site:
        if self.donors is None:
            return self
        if not self.donors:
            raise ValueError("donors names no model — fix: give model: machines, or remove donors")
        for model, machines in self.donors.items():
            if machines < 1:
                raise ValueError(
                    f"donors: {machines} machines of {model} — fix: hold one or more, or drop "
                    f"{model}"
                )
        return self

    @model_serializer(mode="wrap")
    def _without_absent_blocks(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """A site without a bench or donors dumps as it did before they existed, so the
        inputs' hash (the run manifest's ``inputs_sha256``) of a fleet without them is
        unchanged."""
        dumped: dict[str, Any] = handler(self)
        for block in ("repair_bench", "donors"):
            if getattr(self, block) is None:
                dumped.pop(block, None)
        return dumped


class CohortDegradation(_Strict):
    """Machines of a cohort that are already broken when the run starts (e.g. from a scan)."""

    dead_hashboards: Count = Field(0, description="Hashboards dead in running machines")
    machines_down: dict[PartType, Count] = Field(
        default_factory=dict, description="Machines stopped, waiting for this part type"
    )


class Cohort(_Strict):
    """Machines of one model, at one site, installed on one date."""

    model: str = Field(description="Model slug from `hashshock catalog`, e.g. antminer-s21")
    count: Count = Field(description="Number of machines", le=MAX_COHORT_MACHINES)
    site: str = Field(description="Name of a site defined under `sites`")
    install_date: date = Field(description="Install date (YYYY-MM-DD); sets the age of the parts")
    label: str | None = Field(None, description=f"Optional name; {SAVED_ONLY}")
    degraded: CohortDegradation | None = Field(None, description="Broken at start")
    set_aside: Count | None = Field(
        None, le=MAX_COHORT_MACHINES,
        description="Machines of the cohort set aside as parts donors, not mining: their "
        "parts serve the site's pools of the model's family (docs/model.md, "
        "Cannibalisation); the defaults that scale with machines (spares, technicians) "
        "still count them. Omitted: all mine",
    )  # fmt: skip

    @model_serializer(mode="wrap")
    def _without_absent_set_aside(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """A cohort without machines set aside dumps as it did before the field existed,
        so the inputs' hash of a fleet without them is unchanged."""
        dumped: dict[str, Any] = handler(self)
        if self.set_aside is None:
            dumped.pop("set_aside", None)
        return dumped


class SparesStock(_Strict):
    """Spare parts of one type at one site."""

    site: str
    part: PartType
    family: str | None = Field(
        None,
        description="Model family the spares fit (e.g. antminer-s21). Omitted: split over the "
        "site's families in proportion to installed parts",
    )
    on_hand: Count = Field(description="Spares on the shelf at the start", le=MAX_SPARES)
    target: Count | None = Field(
        None, le=MAX_SPARES, description="Base-stock level the site reorders up to; default on_hand"
    )


class RepairRoute(_Strict):
    """Where a broken part goes. Omitted fields take the defaults in data/parts.csv."""

    swap_days: Delay | None = Field(None, description="Days from swap start to back in service")
    in_house_share: Share | None = Field(None, description="Share repaired on site")
    in_house_days: Delay | None = None
    in_house_needs_vendor_parts: bool | None = Field(
        None, description="In-house repair needs vendor components (chips, boards)"
    )
    scrap_share: Share | None = Field(None, description="Share beyond repair")
    vendor_turnaround_days: Delay | None = Field(
        None, description="Days at the vendor repair centre"
    )
    crosses_border: bool | None = Field(
        None, description="Vendor repair route crosses a border (customs); default: centre abroad"
    )

    @model_validator(mode="after")
    def _shares_fit(self) -> RepairRoute:
        total = (self.in_house_share or 0.0) + (self.scrap_share or 0.0)
        if total > 1.0 + 1e-9:
            raise ValueError(
                f"in_house_share + scrap_share = {total:g} exceeds 1"
                " — fix: lower one of them; the rest goes to the vendor repair centre"
            )
        return self


class Order(_Strict):
    """An open order of new machines."""

    model: str
    count: Count = Field(le=MAX_COHORT_MACHINES)
    due_date: date
    site: str
    label: str | None = Field(None, description=f"Optional name; {SAVED_ONLY}")


class Replenishment(_Strict):
    """How sites reorder spares from the vendor."""

    enabled: bool = Field(True, description="Reorder spares (base stock, daily review)")
    lead_time_days: Delay | None = Field(
        None,
        description="Days from order to dispatch; default per vendor: data/vendors.csv "
        "parts_lead_time_days",
    )


class Transshipment(_Strict):
    """Lateral transshipment: the operator's sites send spares to a site that has run out
    (docs/model.md, *Lateral transshipment*)."""

    transfer_days: Count = Field(
        le=MAX_TRANSFER_DAYS,
        description="Days from one site's shelf to another's (at least 1 in effect, as every "
        f"delay); at most {MAX_TRANSFER_DAYS}",
    )
    cost_usd_per_part: float = Field(
        0.0, ge=0, le=100_000, description="Paid for each part sent, on the day it is sent"
    )


class BoardDegradation(_Strict):
    """Hashboards that lose chips and run degraded before they fail (docs/calibration.md).

    Omitted fields take the defaults in ``data/sites.csv``; ``enabled: false`` turns it off.
    """

    enabled: bool = Field(True, description="Model degraded boards")
    share_of_failures: Share | None = Field(
        None, description="Share of board failures preceded by a degraded phase"
    )
    hashrate_loss: Share | None = Field(
        None, description="Share of a board's hashrate lost while it is degraded"
    )
    days: float | None = Field(
        None, ge=0, le=1000, description="Mean days a board runs degraded before it is pulled"
    )


class BoardWear(_Strict):
    """Working boards slowly losing hashrate with age (docs/calibration.md).

    Omitted fields take the defaults in ``data/sites.csv``; ``enabled: false`` turns it off.
    """

    enabled: bool = Field(True, description="Model wear of working boards")
    per_year: Share | None = Field(
        None, description="Share of nameplate lost per year of age after starts_after_days"
    )
    starts_after_days: float | None = Field(None, ge=0, le=10_000)
    cap: Share | None = Field(None, description="Most a board loses to wear")


class Operations(_Strict):
    """Hashrate lost beyond part swaps (docs/calibration.md); defaults in data/sites.csv."""

    downtime_share: float | None = Field(
        None, ge=0, le=0.5,
        description="Machine-time offline for reasons other than a broken part (reboots, "
        "overheating, network and pool outages); 0 turns it off",
    )  # fmt: skip
    board_degradation: BoardDegradation = Field(default_factory=BoardDegradation)
    board_wear: BoardWear = Field(default_factory=BoardWear)
    failure_rate_multiplier: float = Field(
        1.0, gt=0, le=20,
        description="Scales every part's expected first-year failures m1 (the Weibull hazard of "
        "data/failure_rates.csv or the fleet's failure_rates:): 2 means twice the failures at "
        "every age; 1 (default) leaves the rates as they are",
    )  # fmt: skip


class Fleet(_Strict):
    """A mining operation: what it has, where, and what it has ordered."""

    name: str = Field("fleet", min_length=1)
    start_date: date = Field(
        description="First simulated day (YYYY-MM-DD), from the genesis block "
        f"({EARLIEST_START}) to {LATEST_START}",
        ge=EARLIEST_START,
        le=LATEST_START,
    )
    catalog: str | None = Field(None, description="Extra models CSV, relative to this file")
    failure_rates: str | None = Field(
        None,
        description="Failure-rates CSV (as `hashshock fit` writes), relative to this file; "
        "its rows take precedence over data/failure_rates.csv",
    )
    operations: Operations = Field(
        default_factory=Operations, description="Downtime and degraded boards"
    )
    sites: list[Site] = Field(min_length=1)
    cohorts: list[Cohort] = Field(default_factory=list)
    cohorts_csv: str | None = Field(
        None, description="CSV of more cohorts (columns model,count,site,install_date[,label])"
    )
    spares: list[SparesStock] = Field(default_factory=list)
    repair_routes: dict[PartType, RepairRoute] = Field(default_factory=dict)
    orders: list[Order] = Field(default_factory=list)
    replenishment: Replenishment = Field(default_factory=Replenishment)
    finance: Finance | None = Field(None, description="Cash, loans, covenants, pledges, policies")
    transshipment: Transshipment | None = Field(
        None,
        description="Sites send spares to a site that has run out; omitted: every site "
        "keeps its own spares",
    )
    pipelines_at_start: Literal["empty", "steady"] = Field(
        "empty",
        description="Parts in repair and on order on day 0: empty (none; the pipelines fill "
        "from day 0 and the shelves settle lower by them) or steady (a fleet that has been "
        "running: the pipelines' steady state, and a base-stock level left out becomes the "
        "shelf plus the pipelines' mean; docs/model.md, Day 0)",
    )

    @model_validator(mode="after")
    def _unique_sites(self) -> Fleet:
        names = [s.name for s in self.sites]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(
                f"site names repeat: {', '.join(dupes)} — fix: give every site its own name"
            )
        if self.transshipment is not None and len(self.sites) < 2:
            raise ValueError(
                "transshipment needs two sites or more — fix: add a site, or remove transshipment"
            )
        return self

    # Set once the cohorts of `cohorts_csv` are read into `cohorts` (hashshock.inputs.load)
    _csv_read: bool = PrivateAttr(False)

    @model_serializer(mode="wrap")
    def _without_absent_options(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """A fleet without transshipment, its pipelines starting empty, dumps as it did
        before these options existed, so its inputs' hash (``inputs_sha256``) is
        unchanged. A fleet whose cohorts CSV is read dumps its cohorts, not the CSV's
        name: run again, the dump would count them twice."""
        dumped: dict[str, Any] = handler(self)
        if self._csv_read:
            dumped.pop("cohorts_csv", None)
        if self.transshipment is None:
            dumped.pop("transshipment", None)
        if self.pipelines_at_start == "empty" and "pipelines_at_start" not in (
            self.model_fields_set
        ):  # left out, not said: an industry's own setting may still apply (industry/load)
            dumped.pop("pipelines_at_start", None)
        return dumped
