"""Compile scenario events into :class:`EventPlan` objects (masks and distributions)."""

from __future__ import annotations

from datetime import date

import numpy as np

from hashshock.dists import Fixed
from hashshock.inputs.catalog import PART_TYPES
from hashshock.inputs.scenario import (
    CustomsHold,
    Event,
    LeadTimeChange,
    OrderDisruption,
    PartsSupplyStop,
    RemoteDisable,
    RepairCentreClosed,
    RepairTurnaroundChange,
    Scenario,
    TariffChange,
)
from hashshock.plan.model import EventPlan


def _parts_mask(parts: list[str] | None) -> np.ndarray:
    if parts is None:
        return np.ones(len(PART_TYPES), dtype=bool)
    return np.array([p in parts for p in PART_TYPES], dtype=bool)


def compile_event(
    event: Event, index: int, start_date: date, vendor_names: tuple[str, ...]
) -> EventPlan:
    """One event → plan. Events without a group form a group of their own (by name)."""
    name = event.name or f"{event.type}-{index}"
    if event.start_date is not None:
        start = Fixed(max(0, (event.start_date - start_date).days))
    else:
        start = event.start_day if event.start_day is not None else Fixed(0)
    vendor_mask = np.array(
        [event.vendors is None or v in event.vendors for v in vendor_names], dtype=bool
    )
    params: dict[str, float] = {}
    dists = {}
    parts: list[str] | None = None
    origins: tuple[str, ...] | None = None
    shipments: tuple[str, ...] = ()
    if isinstance(event, CustomsHold):
        params["hold_probability"] = event.hold_probability
        params["storage_fee_usd_per_unit_day"] = event.storage_fee_usd_per_unit_day
        dists["hold_days"] = event.hold_days
        origins = tuple(event.origins) if event.origins else None
        shipments = tuple(event.shipments)
    elif isinstance(event, LeadTimeChange):
        params["extra_days"] = float(event.extra_days)
        shipments = tuple(event.shipments)
    elif isinstance(event, PartsSupplyStop | RepairCentreClosed | RepairTurnaroundChange):
        parts = list(event.parts) if event.parts else None
        if isinstance(event, RepairTurnaroundChange):
            params["extra_days"] = float(event.extra_days)
    elif isinstance(event, OrderDisruption):
        params["cancel_probability"] = event.cancel_probability
        params["delay_probability"] = event.delay_probability
        dists["delay_days"] = event.delay_days
    elif isinstance(event, TariffChange):
        params["rate_pct"] = event.rate_pct
        origins = tuple(event.origins) if event.origins else None
    elif isinstance(event, RemoteDisable):
        params["share"] = event.share
    return EventPlan(
        kind=event.type,
        name=name,
        group=event.group or name,
        probability=event.probability,
        start=start,
        end_day=event.end_day,
        duration=event.duration_days,
        vendor_mask=vendor_mask,
        part_mask=_parts_mask(parts),
        origins=origins,
        shipments=shipments,
        params=params,
        dists=dists,
    )


def compile_events(
    scenario: Scenario, start_date: date, vendor_names: tuple[str, ...]
) -> tuple[EventPlan, ...]:
    return tuple(
        compile_event(e, i, start_date, vendor_names) for i, e in enumerate(scenario.events)
    )
