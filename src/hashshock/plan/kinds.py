"""The event kinds in one registry: what each compiles to and what it acts on.

A kind is defined by its input model (:mod:`hashshock.inputs.scenario`), compiled here
(:data:`KINDS`: the numbers and distributions its :class:`~hashshock.plan.model.EventPlan`
carries) and applied by the layer its tags name: the engine's pool rules, customs holds,
machine orders or remote disabling, or the money layer (used prices, tariffs). The
engine and the money layer ask the registry which kinds carry a tag rather than naming
kinds, so adding a kind touches its input model, its entry here and the code that acts
on its tag — nothing else.

>>> sorted(k for k, spec in KINDS.items() if spec.pool_rule is not None)
['lead_time_change', 'parts_supply_stop', 'repair_centre_closed', 'repair_turnaround_change']
>>> kinds_tagged("cuts_supply")
('parts_supply_stop', 'order_disruption')
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from hashshock.dists import DayDistribution
from hashshock.inputs.scenario import (
    CustomsHold,
    Event,
    LeadTimeChange,
    OrderDisruption,
    PartsSupplyStop,
    RemoteDisable,
    RepairCentreClosed,
    RepairTurnaroundChange,
    TariffChange,
)

CUSTOMS_HOLD = "customs_hold"
LEAD_TIME_CHANGE = "lead_time_change"
PARTS_SUPPLY_STOP = "parts_supply_stop"
REPAIR_CENTRE_CLOSED = "repair_centre_closed"
REPAIR_TURNAROUND_CHANGE = "repair_turnaround_change"
ORDER_DISRUPTION = "order_disruption"
TARIFF_CHANGE = "tariff_change"
REMOTE_DISABLE = "remote_disable"

#: The engine's per-pool rules (``engine.step.Rules``) a kind can feed.
PoolRuleName = Literal["supply_stop", "centre_closed", "turnaround", "lead"]
#: What a kind is acted on by, besides a pool rule.
Tag = Literal[
    "customs",  # holds shipments at the border (engine: Holds, machine orders)
    "order_disruption",  # delays or cancels machine orders due while active (engine.orders)
    "machine_lead",  # adds lead days to machine orders due while active (engine.orders)
    "disable",  # stops running machines (engine.hooks)
    "extra_days",  # adds days to a delay pipeline (longest delay of the rings)
    "cuts_supply",  # cuts new supply from the vendor: used prices jump (money)
    "tariff",  # changes duties (money)
    "grey_market",  # sends spares orders to the grey market while active (money policy)
]


@dataclass
class EventFields:
    """What a kind's events carry besides timing and vendors."""

    params: dict[str, float] = field(default_factory=dict)
    dists: dict[str, DayDistribution] = field(default_factory=dict)
    parts: list[str] | None = None
    origins: tuple[str, ...] | None = None
    shipments: tuple[str, ...] = ()
    #: Countries of the sites a lot must be bound for (customs); None: every site's.
    destinations: tuple[str, ...] | None = None


@dataclass(frozen=True)
class KindSpec:
    """One event kind: its input model, how it compiles, and what acts on it."""

    model: type[Any]
    fields: Callable[[Any], EventFields]
    pool_rule: PoolRuleName | None = None
    tags: frozenset[str] = frozenset()


def _customs(event: CustomsHold) -> EventFields:
    return EventFields(
        params={"hold_probability": event.hold_probability,
                "storage_fee_usd_per_unit_day": event.storage_fee_usd_per_unit_day},
        dists={"hold_days": event.hold_days},
        origins=tuple(event.origins) if event.origins else None,
        shipments=tuple(event.shipments),
        destinations=tuple(event.countries),
    )  # fmt: skip


def _lead(event: LeadTimeChange) -> EventFields:
    return EventFields(params={"extra_days": float(event.extra_days)},
                       shipments=tuple(event.shipments))  # fmt: skip


def _parts(event: PartsSupplyStop | RepairCentreClosed) -> EventFields:
    return EventFields(parts=list(event.parts) if event.parts else None)


def _turnaround(event: RepairTurnaroundChange) -> EventFields:
    return EventFields(params={"extra_days": float(event.extra_days)},
                       parts=list(event.parts) if event.parts else None)  # fmt: skip


def _orders(event: OrderDisruption) -> EventFields:
    return EventFields(
        params={"cancel_probability": event.cancel_probability,
                "delay_probability": event.delay_probability,
                # −1: the fleet's own refund share (params are numbers)
                "refund_share": -1.0 if event.refund_share is None else event.refund_share},
        dists={"delay_days": event.delay_days},
    )  # fmt: skip


def _tariff(event: TariffChange) -> EventFields:
    return EventFields(params={"rate_pct": event.rate_pct},
                       origins=tuple(event.origins) if event.origins else None)  # fmt: skip


def _disable(event: RemoteDisable) -> EventFields:
    return EventFields(params={"share": event.share})


KINDS: dict[str, KindSpec] = {
    CUSTOMS_HOLD: KindSpec(CustomsHold, _customs, tags=frozenset({"customs"})),
    LEAD_TIME_CHANGE: KindSpec(
        LeadTimeChange, _lead, "lead", frozenset({"extra_days", "machine_lead"})
    ),
    PARTS_SUPPLY_STOP: KindSpec(
        PartsSupplyStop, _parts, "supply_stop", frozenset({"cuts_supply", "grey_market"})
    ),
    REPAIR_CENTRE_CLOSED: KindSpec(RepairCentreClosed, _parts, "centre_closed"),
    REPAIR_TURNAROUND_CHANGE: KindSpec(
        RepairTurnaroundChange, _turnaround, "turnaround", frozenset({"extra_days"})
    ),
    ORDER_DISRUPTION: KindSpec(
        OrderDisruption, _orders, tags=frozenset({"order_disruption", "cuts_supply"})
    ),
    TARIFF_CHANGE: KindSpec(TariffChange, _tariff, tags=frozenset({"tariff"})),
    REMOTE_DISABLE: KindSpec(RemoteDisable, _disable, tags=frozenset({"disable"})),
}


def kinds_tagged(tag: Tag) -> tuple[str, ...]:
    """The kinds carrying ``tag``, in registry order."""
    return tuple(kind for kind, spec in KINDS.items() if tag in spec.tags)


def kinds_for_rule(rule: PoolRuleName) -> tuple[str, ...]:
    """The kinds that feed the engine's pool rule ``rule``."""
    return tuple(kind for kind, spec in KINDS.items() if spec.pool_rule == rule)


def event_fields(event: Event) -> EventFields:
    """The compiled fields of ``event`` (its kind's entry in :data:`KINDS`)."""
    return KINDS[event.type].fields(event)
