"""Compile scenario events into :class:`EventPlan` objects (masks and distributions);
each kind's own fields come from the registry (:mod:`hashshock.plan.kinds`)."""

from __future__ import annotations

from datetime import date

import numpy as np

from hashshock.dists import Fixed
from hashshock.inputs.catalog import PART_TYPES
from hashshock.inputs.scenario import Event, Scenario
from hashshock.plan.kinds import event_fields
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
    fields = event_fields(event)
    return EventPlan(
        kind=event.type,
        name=name,
        group=event.group or name,
        probability=event.probability,
        start=start,
        end_day=event.end_day,
        duration=event.duration_days,
        vendor_mask=vendor_mask,
        part_mask=_parts_mask(fields.parts),
        origins=fields.origins,
        shipments=fields.shipments,
        params=fields.params,
        dists=fields.dists,
    )


def compile_events(
    scenario: Scenario, start_date: date, vendor_names: tuple[str, ...]
) -> tuple[EventPlan, ...]:
    return tuple(
        compile_event(e, i, start_date, vendor_names) for i, e in enumerate(scenario.events)
    )
