"""Compile scenario events into :class:`EventPlan` objects (masks and distributions);
each kind's own fields come from the registry (:mod:`hashshock.plan.kinds`)."""

from __future__ import annotations

from datetime import date

import numpy as np

from hashshock.dists import MAX_DELAY_DAYS, Fixed
from hashshock.inputs.catalog import PART_TYPES
from hashshock.inputs.scenario import Event, Scenario
from hashshock.plan.kinds import event_fields
from hashshock.plan.model import EventPlan, Plan


def _parts_mask(parts: list[str] | None) -> np.ndarray:
    if parts is None:
        return np.ones(len(PART_TYPES), dtype=bool)
    return np.array([p in parts for p in PART_TYPES], dtype=bool)


def compile_event(
    event: Event, index: int, start_date: date, vendor_names: tuple[str, ...]
) -> EventPlan:
    """One event → plan. Events without a group form a group of their own (by name)."""
    name = event.name or f"{event.type}-{index}"
    elapsed = 0
    if event.start_date is not None:
        # An event that began before the run is running on day 0, for what is left of it.
        # One dated beyond the longest delay a distribution holds starts after any horizon
        # (runs say so): it starts at that delay, as it would at its own date.
        offset = (event.start_date - start_date).days
        start, elapsed = Fixed(min(max(0, offset), MAX_DELAY_DAYS)), max(0, -offset)
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
        destinations=fields.destinations,
        params=fields.params,
        dists=fields.dists,
        elapsed_days=elapsed,
    )


def compile_events(
    scenario: Scenario, start_date: date, vendor_names: tuple[str, ...]
) -> tuple[EventPlan, ...]:
    return tuple(
        compile_event(e, i, start_date, vendor_names) for i, e in enumerate(scenario.events)
    )


def orders_after_horizon(plan: Plan) -> list[str]:
    """A warning line for each open order due after the horizon: its machines never arrive
    within the run (their deposit was paid before the start, their balance never is).
    Accepted — a run shorter than the order book is a choice — but worth saying."""
    out = []
    for o, due in enumerate(plan.order_due_day):
        if int(due) >= plan.horizon_days:
            label = plan.cohort_labels[int(plan.order_cohort[o])]
            out.append(f"order '{label}' is due on day {int(due)}, after the "
                       f"{plan.horizon_days}-day horizon: its machines never arrive within "
                       "the run")  # fmt: skip
    return out


def idle_events(plan: Plan) -> list[str]:
    """The plan's events that cannot act, each as a warning line: one that starts after
    the horizon on every draw, or a remote disable of vendors none of whose machines the
    fleet runs or has on order; or one that began before day 0 on a fleet whose pipelines
    start steady (they are filled as in normal times). Accepted (a scenario serves many
    fleets), but worth saying. (Other vendor events are not judged: orders a scenario redirects, and
    replacement purchases, can reach vendors the fleet does not use yet.)"""
    fleet_vendors = np.zeros(len(plan.vendor_names), dtype=bool)
    for vendors in (plan.cohort_vendor, plan.order_vendor):
        fleet_vendors[np.asarray(vendors, dtype=np.int64)] = True
    out = []
    for event in plan.events:
        where = f"scenario {plan.scenario_name}: event '{event.name}'"
        first = int(event.start.values.min())
        if first >= plan.horizon_days:
            when = (f"on day {first}" if first < MAX_DELAY_DAYS else
                    f"{MAX_DELAY_DAYS:,} days or more after the start date")  # fmt: skip
            out.append(f"{where} starts {when}, after the {plan.horizon_days}-day "
                       "horizon: it changes nothing")  # fmt: skip
        elif event.duration is not None and event.duration.max_days <= event.elapsed_days:
            out.append(f"{where} began {event.elapsed_days} days before the start date and "
                       "ended before it: it changes nothing")  # fmt: skip
        elif event.kind == "remote_disable" and not (event.vendor_mask & fleet_vendors).any():
            out.append(f"{where} disables vendors none of the fleet's machines come from: "
                       "it changes nothing")  # fmt: skip
        elif plan.warm is not None and event.elapsed_days > 0:
            out.append(f"{where} began {event.elapsed_days} days before the start date, "
                       "but pipelines_at_start: steady fills the repairs and spares on their "
                       "way as in normal times (nothing held back, held or late before day "
                       "0)")  # fmt: skip
    return out
