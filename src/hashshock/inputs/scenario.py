"""Scenario files: named events that act on vendors, origins, parts and routes.

Every event has a start (``start_day``, a delay from the run start, possibly
random, or ``start_date``), an end (``end_day``, ``duration_days`` or none:
until the horizon) and a ``probability`` that it happens at all on a path.
Events that share a ``group`` happen together: they use the same random
numbers for occurrence, start and duration (so a sanctions package hits
parts, repairs and orders on the same paths at the same time).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, model_validator

from hashshock.dists import MAX_DELAY_DAYS
from hashshock.inputs.catalog import PartType
from hashshock.inputs.strict import InputModel
from hashshock.inputs.types import Count, Delay, Money, Share

#: Largest duty a tariff event may set, percent of value: ten times the value, far above
#: any US duty on record (the 2025 duties on Chinese goods stacked to about 145 %); a
#: larger figure is a typo (a rate given as a fraction of a percent, or in basis points).
MAX_DUTY_PCT = 1000.0

Shipment = Literal["parts", "machines", "repairs"]
SHIPMENTS: tuple[Shipment, ...] = ("parts", "machines", "repairs")
Supply = Literal["parts", "machines"]
SUPPLIES: tuple[Supply, ...] = ("parts", "machines")


class _Event(InputModel):
    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True, allow_inf_nan=False)

    name: str | None = Field(None, description="Label for reports")
    group: str | None = Field(None, description="Events in one group happen together")
    probability: Share = Field(1.0, description="Chance the event happens on a path")
    start_day: Delay | None = Field(None, description="Days after run start (number or dist)")
    start_date: date | None = Field(
        None,
        description="Alternative to start_day; before the run's start: active from day 0 "
        "for what is left of duration_days",
    )
    end_day: int | None = Field(
        None, ge=0, le=MAX_DELAY_DAYS,  # as start_day: a later day is a typo
        description=f"Day the event ends (exclusive), 0 to {MAX_DELAY_DAYS}",
    )  # fmt: skip
    duration_days: Delay | None = Field(None, description="Alternative to end_day")
    vendors: list[str] | None = Field(None, description="Vendors hit; default all")

    @model_validator(mode="after")
    def _one_start_one_end(self) -> _Event:
        if self.start_day is not None and self.start_date is not None:
            raise ValueError("give start_day or start_date, not both — fix: drop one")
        if self.end_day is not None and self.duration_days is not None:
            raise ValueError("give end_day or duration_days, not both — fix: drop one")
        if self.vendors == []:
            raise ValueError(
                "vendors is an empty list, so the event hits nobody — fix: name the vendors "
                "hit, or leave vendors out for all of them"
            )
        if self.duration_days is not None and int(self.duration_days.values.max()) <= 0:
            raise ValueError(
                "duration_days is never above 0 days, so the event never acts — "
                "fix: give a duration of at least 1 day, or drop the event"
            )
        if self.end_day is not None and self.start_day is not None:
            earliest = int(self.start_day.values.min())
            if self.end_day <= earliest:
                raise ValueError(
                    f"end_day {self.end_day} is not after the start (day {earliest}), so the "
                    "event never acts — fix: give an end_day after start_day, or "
                    "duration_days"
                )
        return self


class CustomsHold(_Event):
    """CBP holds shipments bound for the fleet beyond normal clearance."""

    type: Literal["customs_hold"]
    origins: list[str] | None = Field(None, description="Origin countries hit; default all")
    countries: list[str] = Field(
        default_factory=lambda: ["US"],
        description="Countries whose customs hold: only lots bound for the fleet's sites "
        "there (sites[].country) are held; default US (CBP)",
    )
    shipments: list[Shipment] = Field(
        default_factory=lambda: list(SHIPMENTS),
        description="Which shipments can be held",
    )
    hold_probability: Share = Field(description="Chance one shipment (lot) is held")
    hold_days: Delay = Field(description="Extra days a held lot waits")
    storage_fee_usd_per_unit_day: Money = Field(
        16.7,
        description="Storage fee, USD per machine per day held (FACTS.md 3.3: ~$1,000/unit "
        "over ~60 days [C]); a held part pays its storage_share_of_machine of it "
        "(data/parts.csv)",
    )


class LeadTimeChange(_Event):
    """Orders placed while active take longer (or shorter, with negative extra days)."""

    type: Literal["lead_time_change"]
    extra_days: int = Field(
        ge=-MAX_DELAY_DAYS,
        le=MAX_DELAY_DAYS,
        description="Days added to lead time (negative: shorter)",
    )
    shipments: list[Supply] = Field(default_factory=lambda: list(SUPPLIES))


class PartsSupplyStop(_Event):
    """The vendor ships no spare parts (orders wait until it ends)."""

    type: Literal["parts_supply_stop"]
    parts: list[PartType] | None = Field(None, description="Parts hit; default all")


class RepairCentreClosed(_Event):
    """The vendor's repair centre takes nothing back (parts wait until it reopens)."""

    type: Literal["repair_centre_closed"]
    parts: list[PartType] | None = None


class RepairTurnaroundChange(_Event):
    """Parts sent to the vendor repair centre while active take longer to come back."""

    type: Literal["repair_turnaround_change"]
    extra_days: int = Field(
        ge=-MAX_DELAY_DAYS, le=MAX_DELAY_DAYS, description="Days added to the vendor turnaround"
    )
    parts: list[PartType] | None = None


class OrderDisruption(_Event):
    """New machine orders due while active are delayed or cancelled."""

    type: Literal["order_disruption"]
    cancel_probability: Share = Field(0.0, description="Chance an order is cancelled")
    delay_probability: Share = Field(0.0, description="Chance a surviving order is delayed")
    delay_days: Delay = Field(default=0, validate_default=True)
    refund_share: Share | None = Field(
        None, description="Share of the deposit refunded on an order this event cancels, "
        "at most the fleet's finance.order_refund_share (default: that share; 0 where the "
        "vendor cannot pay, as when USD settlement is blocked)",
    )  # fmt: skip


class TariffChange(_Event):
    """A duty change; recorded for the money layer, no effect on physical flows."""

    type: Literal["tariff_change"]
    hts: str = "8543.70"
    origins: list[str] | None = None
    rate_pct: float = Field(ge=0, le=MAX_DUTY_PCT, description="Total ad valorem duty, percent")

    @model_validator(mode="after")
    def _no_group(self) -> TariffChange:
        # The money layer charges the expected duty on every path (finance/moneyplan.py),
        # so sharing other events' paths could change nothing: refuse it rather than ignore.
        if self.group is not None:
            raise ValueError(
                "group: a tariff acts through its expected duty on every path, so grouping "
                "it with other events changes nothing — fix: remove group"
            )
        return self


class RemoteDisable(_Event):
    """The vendor stops a share of its machines remotely for some days."""

    type: Literal["remote_disable"]
    share: Share = Field(description="Share of the vendor's running machines stopped")


Event = Annotated[
    CustomsHold
    | LeadTimeChange
    | PartsSupplyStop
    | RepairCentreClosed
    | RepairTurnaroundChange
    | OrderDisruption
    | TariffChange
    | RemoteDisable,
    Field(discriminator="type"),
]

EVENT_TYPES = (
    "customs_hold", "lead_time_change", "parts_supply_stop", "repair_centre_closed",
    "repair_turnaround_change", "order_disruption", "tariff_change", "remote_disable",
)  # fmt: skip


class Scenario(InputModel):
    """A named set of events. ``include`` pulls in the events of other scenarios."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True, allow_inf_nan=False)

    name: str = Field(min_length=1, description="How outputs name it (a file's: its file name)")
    description: str = ""
    sources: list[str] = Field(default_factory=list, description="Where the numbers come from")
    include: list[str] = Field(
        default_factory=list,
        description="Scenarios whose events to add (an own event of the same name replaces one)",
    )
    events: list[Event] = Field(default_factory=list)
    network_wide: bool = Field(
        False,
        description="The shock hits every US miner on the vendor (network share: the market's "
        "network.us_share × network.vendor_share), slowing network growth; default: only "
        "this fleet. Taken from an included scenario unless set here",
    )

    @model_validator(mode="after")
    def _events_named_once(self) -> Scenario:
        names = [e.name for e in self.events if e.name]
        twice = next((n for n in names if names.count(n) > 1), None)
        if twice is not None:
            raise ValueError(f"two events are named {twice!r} (they would share their draws) "
                             "— fix: give each event its own name")  # fmt: skip
        return self


__all__ = ["EVENT_TYPES", "Count", "Event", "Scenario"]
