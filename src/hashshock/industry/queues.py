"""Every member's machine orders through the industry's vendor lines, per scenario.

For each member and scenario the engine's own order rules say when each order asks to
ship (its due day after the scenario's delays) and whether a disruption cancelled it
(:func:`hashshock.engine.orders.demand_paths`, the member's random numbers). Cancelled
orders of a ``redirect.from_vendors`` vendor are placed again on a share of paths, the
same day, as their twins on the other vendors' lines (:mod:`hashshock.industry.orders`).
Each line then serves every member's orders of its vendor, first come first served, at
its capacity (:func:`hashshock.industry.vendors.serve`): the day each order ships
replaces the engine's fixed lead-time changes. Orders of vendors without a line ship
as the engine would ship them.

A line's capacity, TH/s a day, on path p and day t:

    c(p, t) = capacity_ehs_per_year · 10⁶ / 365 · us_share · ramp(t) · (1 − m · cut(p, t))

ramp rises in a straight line from 0 on ``start_date`` to 1 on ``full_date`` (0 before
the start); m is ``imported_components_share`` and cut(p, t) = 1 while the scenario
cuts ``components_from``'s supply on that path (a parts supply stop or an order
disruption). Customs holds on the components are not modelled: they delay lots, and a
line's stock of components is not known.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date

import numpy as np
from numpy.typing import NDArray

from hashshock.engine.orders import demand_paths, lead_extra_at
from hashshock.industry.load import Member
from hashshock.industry.orders import running_share, sells_to_new_buyers
from hashshock.inputs.catalog import vendor_defaults
from hashshock.inputs.industry import Industry, VendorLine
from hashshock.plan import Plan
from hashshock.plan.draws import EventDraws
from hashshock.plan.kinds import kinds_tagged
from hashshock.running import cumsum_rows
from hashshock.streams import RandomTree

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: TH/s a day for each EH/s a year.
THS_PER_DAY_PER_EHS_YEAR = 1e6 / 365


@dataclass
class LineFlows:
    """One line under one scenario: ``capacity``, ``made`` and ``backlog`` [P, T] in TH/s
    (a day, a day, waiting), ``lead_days`` [P, T]: its lead time with no queue
    (``base_lead_days``) plus the wait of an order joining at the start of the day (an
    order the scenario does not cancel); ``cancelled`` [P, T]: TH/s of the vendor's
    orders the scenario cancelled by each day (counted from the day they would have
    joined; those placed again elsewhere included); ``supply_cut`` [P, T]: the days the
    scenario cuts the vendor's own supply (a parts supply stop or an order disruption);
    ``components_cut`` [P, T]: the days it cuts the supply of the line's imported
    components (``None``: the line imports none), which takes their share off its
    capacity."""

    name: str
    vendor: str
    base_lead_days: int
    capacity: FloatArray
    made: FloatArray
    backlog: FloatArray
    lead_days: FloatArray
    cancelled: FloatArray
    supply_cut: NDArray[np.bool_]
    components_cut: NDArray[np.bool_] | None = None
    later: FloatArray | None = None  # [P, E] its capacity on the days after the horizon

    def on_paths(self, first: int, count: int) -> LineFlows:
        """Paths ``first`` … ``first + count − 1`` only (views)."""
        rows = slice(first, first + count)
        return dataclasses.replace(
            self, capacity=self.capacity[rows], made=self.made[rows],
            backlog=self.backlog[rows], lead_days=self.lead_days[rows],
            cancelled=self.cancelled[rows], supply_cut=self.supply_cut[rows],
            components_cut=None if self.components_cut is None else self.components_cut[rows],
            later=None if self.later is None else self.later[rows],
        )  # fmt: skip

    def remaining(self) -> FloatArray:
        """[P]: contracted TH/s still to make after the horizon's last day."""
        return np.maximum(self.backlog[:, -1] - self.made[:, -1], 0.0)


@dataclass
class Queued:
    """Per member, the ship day of each order [O, P] (−1: never; ``None``: the engine's
    own rules, the member has no order on a line) and the lines' flows."""

    ship_days: list[IntArray | None]
    lines: list[LineFlows]


def _ramp(line: VendorLine, start: date, days: int) -> FloatArray:
    """[T]: share of the line's capacity running each day."""
    return running_share(line, start, np.arange(days, dtype=np.int64))


def _cut(plans: list[Plan], vendor: str, paths: int, seed: int) -> NDArray[np.bool_]:
    """[P, T]: days the scenario cuts ``vendor``'s supply (the events of any member's plan
    that buys from it; the events are the same for every member)."""
    plan = next((p for p in plans if vendor in p.vendor_names), None)
    days = plans[0].horizon_days
    if plan is None:
        return np.zeros((paths, days), dtype=bool)
    draws = EventDraws.realise(plan.events, paths, RandomTree(seed))
    return draws.kinds_active(kinds_tagged("cuts_supply"), plan.vendor_names.index(vendor), days)


def _lead_changes(plans: list[Plan], vendor: str, paths: int, seed: int) -> IntArray:
    """[P, T]: lead days the scenario's ``lead_time_change`` events add to an order of
    ``vendor``'s machines placed each day (the events of a member that buys from it)."""
    plan = next((p for p in plans if vendor in p.vendor_names), None)
    days = plans[0].horizon_days
    if plan is None:
        return np.zeros((paths, days), dtype=np.int64)
    draws = EventDraws.realise(plan.events, paths, RandomTree(seed))
    every_day = np.broadcast_to(np.arange(days), (paths, days))
    return lead_extra_at(draws, every_day, plan.vendor_names.index(vendor))


def _cancelled(entries: list[_Entry], paths: int, days: int) -> FloatArray:
    """[P, T]: TH/s of the entries' orders cancelled by each day (weighted), counted from
    the day each would have joined the queue."""
    out = np.zeros((paths, days + 1))
    rows = np.arange(paths)
    for entry in entries:
        if entry.cancelled is None:
            continue
        gone = ~np.isnan(entry.cancelled)
        day = np.clip(np.ceil(entry.cancelled[gone]), 0, days).astype(np.int64)
        np.add.at(out, (rows[gone], day), entry.work * entry.weight)
    return cumsum_rows(out, out=out)[:, :-1]


def components_cut(
    line: VendorLine, plans: list[Plan], paths: int, seed: int
) -> NDArray[np.bool_] | None:
    """cut(p, t) [P, T] of the line's imported components (module docstring); ``None``
    when it imports none."""
    if line.components_from is None or line.imported_components_share <= 0:
        return None
    return _cut(plans, line.components_from, paths, seed)


#: Days after the horizon a line's schedule is followed to quote a late order's wait;
#: an order not started by then is quoted as waiting at least that long past the
#: horizon's end (:func:`quoted_days`).
AFTER_HORIZON_DAYS = 3 * 366


def quoted_days(lead_days: FloatArray, base_lead_days: float) -> FloatArray:
    """[P, T] a line's quotes as reported: an order it would not start within
    :data:`AFTER_HORIZON_DAYS` after the horizon (an infinite wait) is quoted as its lead
    with no queue plus the days to the horizon's end plus those days — a lower bound that
    no finite quote of that lead exceeds, so that a band over paths does not fall as
    more paths' orders wait beyond the schedule followed."""
    days = lead_days.shape[1]
    bound = base_lead_days + (days - np.arange(days))[None, :] + AFTER_HORIZON_DAYS
    return np.where(np.isfinite(lead_days), lead_days, bound)


def capacity_after(line: VendorLine, start: date, capacity: FloatArray) -> FloatArray:
    """[P, E]: the line's capacity on the :data:`AFTER_HORIZON_DAYS` days after the
    horizon of ``capacity`` [P, T]: its schedule (start and ramp to full), a components
    cut on the last day lasting (the share of capacity it left then)."""
    paths, days = capacity.shape
    base = line.capacity_ehs_per_year * THS_PER_DAY_PER_EHS_YEAR * line.us_share
    schedule = base * _ramp(line, start, days + AFTER_HORIZON_DAYS)
    scheduled_last = schedule[days - 1]
    kept = (capacity[:, -1] / scheduled_last if scheduled_last > 0
            else np.ones(paths))  # fmt: skip
    return np.asarray(kept[:, None] * schedule[None, days:], dtype=np.float64)


def line_capacity(
    line: VendorLine, start: date, days: int, paths: int, cut: NDArray[np.bool_] | None
) -> FloatArray:
    """c(p, t) [P, T], TH/s a day (module docstring), ``cut`` its components'
    (:func:`components_cut`)."""
    base = line.capacity_ehs_per_year * THS_PER_DAY_PER_EHS_YEAR * line.us_share
    capacity = np.broadcast_to(base * _ramp(line, start, days), (paths, days)).copy()
    if cut is not None:
        capacity *= 1.0 - line.imported_components_share * cut
    return capacity


def redirected(own_seed: int, order: int, paths: int, share: float) -> NDArray[np.bool_]:
    """[P]: the paths on which a member places cancelled order ``order`` again (its own
    random numbers: one uniform per path and order)."""
    u = RandomTree(own_seed).per_path("orders", f"redirect-{order}", paths, 1)[0]
    return np.asarray(u < share, dtype=bool)


@dataclass
class _Entry:
    member: int
    order: int
    join: FloatArray  # [P], NaN: not on this path
    work: float  # TH/s
    weight: float
    cancelled: FloatArray | None = None  # [P] day it would have joined, NaN: not cancelled
    delay: IntArray | None = None  # [P] lead days the scenario adds after it is made


def queue_orders(
    industry: Industry,
    members: list[Member],
    plans: list[Plan],
    own_seeds: list[int],
    paths: int,
    seed: int,
) -> Queued:
    """Ship days of every member's orders under one scenario (``plans[m]``, member m's
    plan; ``own_seeds[m]`` its own seed; events from ``seed``)."""
    from hashshock.industry.vendors import serve

    lines = {line.vendor: line for line in industry.vendor_lines}
    share = industry.redirect.share if industry.redirect is not None else 0.0
    ship_days: list[IntArray | None] = []
    entries: dict[str, list[_Entry]] = {v: [] for v in lines}
    for m, (member, plan, own) in enumerate(zip(members, plans, own_seeds, strict=True)):
        vendor_of = [plan.vendor_names[v] for v in plan.order_vendor]
        if not any(v in lines for v in vendor_of):
            ship_days.append(None)
            continue
        demand = demand_paths(plan, paths, own, seed)
        ship: IntArray = np.where(demand.cancelled, -1, demand.own_ship_day)
        twin_of = {t.order: t.original for t in member.twins}
        ths = [member.loaded.model_of(o.model).hashrate_ths for o in member.loaded.fleet.orders]
        for o, vendor in enumerate(vendor_of):
            if vendor not in lines:
                continue
            if o in twin_of:
                original = twin_of[o]
                again = demand.cancelled[original] & redirected(own, original, paths, share)
                join = np.where(again, demand.join_day[original], np.nan)
                gone = None
            else:
                join = np.where(demand.cancelled[o], np.nan, demand.join_day[o])
                gone = np.where(demand.cancelled[o], demand.join_day[o], np.nan)
            work = float(plan.order_count[o]) * ths[o]
            # On a line of the vendor's own orders a lead-time change (a licence, an
            # audit) comes on top of the queue; an alternative's is the queue's to make.
            delay = (None if o in twin_of or sells_to_new_buyers(industry, lines[vendor])
                     else demand.own_ship_day[o] - demand.join_day[o])  # fmt: skip
            entries[vendor].append(
                _Entry(
                    m,
                    o,
                    join.astype(np.float64),
                    work,
                    member.weight,
                    None if gone is None else gone.astype(np.float64),
                    delay,
                )
            )
        ship_days.append(ship)
    flows = []
    for vendor, line in lines.items():
        parts_cut = components_cut(line, plans, paths, seed)
        capacity = line_capacity(line, industry.start_date, plans[0].horizon_days, paths,
                                 parts_cut)  # fmt: skip
        listed = entries[vendor]
        join = np.stack([e.join for e in listed], axis=1) if listed else np.empty((paths, 0))
        result = serve(capacity, join, np.array([e.work for e in listed]),
                       np.array([e.weight for e in listed]))  # fmt: skip
        for n, entry in enumerate(listed):
            member_ship = ship_days[entry.member]
            assert member_ship is not None
            made = result.ship_day[:, n]
            delay = 0 if entry.delay is None else entry.delay
            member_ship[entry.order] = np.where(made >= 0, made + delay, made)
        lead = line.lead_days
        if lead is None:
            lead = vendor_defaults()[vendor].parts_lead_time_days
        later = capacity_after(line, industry.start_date, capacity)
        quoted = lead + result.lead_days(capacity, later)
        if not sells_to_new_buyers(industry, line):
            quoted = quoted + _lead_changes(plans, vendor, paths, seed)
        flows.append(LineFlows(
            line.name, vendor, lead, capacity, result.made, result.backlog, quoted,
            _cancelled(listed, paths, capacity.shape[1]), _cut(plans, vendor, paths, seed),
            parts_cut, later,
        ))  # fmt: skip
    return Queued(ship_days, flows)
