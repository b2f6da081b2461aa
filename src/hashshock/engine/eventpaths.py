"""Scenario events in the engine: the plan's event draws (:mod:`hashshock.plan.draws`)
with what the engine makes of them (per-pool rules for the kernels, customs decisions
on machine orders), and the compiled checks of which events are active on a path today
and what they hold back."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from hashshock.engine.arrays import HoldDecisions, Holds, PoolRule, Rules
from hashshock.engine.customs import customs_holds
from hashshock.engine.jit import I64, compiled
from hashshock.engine.kernel_random import DelayTables
from hashshock.plan.draws import NEVER, EventDraws
from hashshock.plan.kinds import kinds_tagged

IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

__all__ = ["NEVER", "EventPaths"]


@dataclass
class EventPaths(EventDraws):
    """The draws, with the rules and customs decisions the engine's kernels take."""

    def pool_rule(
        self,
        kinds: tuple[str, ...],
        pool_vendor: IntArray,
        pool_part: IntArray | None = None,
        shipment: str | None = None,
    ) -> PoolRule:
        """Events of ``kinds`` acting on each pool's vendor (and part, if given), and on
        ``shipment`` if given: amount 1 for stops, ``extra_days`` for delays."""
        rows, amounts = [], []
        for e in self.indices(kinds):
            event = self.events[e]
            if shipment is not None and event.shipments and shipment not in event.shipments:
                continue
            hits = event.vendor_mask[pool_vendor]
            if pool_part is not None:
                hits = hits & event.part_mask[pool_part]
            if hits.any():
                rows.append(e)
                amounts.append(hits * int(event.params.get("extra_days", 1)))
        amount = np.array(amounts, np.int64).reshape(len(rows), len(pool_vendor))
        return PoolRule(np.array(rows, np.int64), amount)

    def holds(
        self, shipment: str, lot_vendor: IntArray, lot_origin: tuple[str, ...],
        lot_bound: tuple[str, ...],
    ) -> Holds:  # fmt: skip
        """The ``customs_hold`` events that may hold ``shipment`` lots of each column
        (vendor ``lot_vendor[w]``, origin ``lot_origin[w]``, bound for a site in country
        ``lot_bound[w]``: a country's customs hold only what enters it); no rows when
        none can happen on any path."""
        events = [e for e in self.indices(kinds_tagged("customs"))
                  if shipment in self.events[e].shipments]  # fmt: skip
        if not any(bool(self.occurs[e].any()) for e in events):
            events = []
        origin_of_col = np.array(lot_origin)
        bound_of_col = np.array(lot_bound)
        hits = np.zeros((len(events), len(lot_vendor)), dtype=bool)
        for row, e in enumerate(events):
            event = self.events[e]
            hits[row] = event.vendor_mask[lot_vendor]
            if event.origins is not None:
                hits[row] &= np.isin(origin_of_col, event.origins)
            if event.destinations is not None:
                hits[row] &= np.isin(bound_of_col, event.destinations)
        paths = self.occurs.shape[1]
        return Holds(
            hits,
            self.occurs[events].reshape(len(events), paths),
            self.start[events].reshape(len(events), paths),
            self.end[events].reshape(len(events), paths),
            np.array([self.events[e].params["hold_probability"] for e in events], np.float64),
            DelayTables.of([self.events[e].dists["hold_days"] for e in events]),
        )

    def customs_holds(
        self,
        key: np.uint64,
        border_day: IntArray,
        lot_vendor: IntArray,
        lot_origin: tuple[str, ...],
        lot_bound: tuple[str, ...],
        shipment: str,
    ) -> tuple[BoolArray, IntArray]:
        """Decide holds for lots [P, W] reaching the border on ``border_day`` [P, W].

        Each active, matching ``customs_hold`` event holds a lot with its
        ``hold_probability`` and adds a draw from its ``hold_days``; a lot held
        by several events waits for the longest. Random numbers come from the kernel
        streams under ``key`` (one per lot). Returns (held, extra_days).
        """
        held = np.zeros(border_day.shape, dtype=bool)
        extra = np.zeros(border_day.shape, dtype=np.int64)
        rules = self.holds(shipment, lot_vendor, lot_origin, lot_bound)
        if len(rules.probability) == 0:
            return held, extra
        border = np.ascontiguousarray(border_day, dtype=np.int64)
        customs_holds(key, border, rules, HoldDecisions(held, extra), self.first_path)
        return held, extra


@compiled(inline=True)
def active(rules: Rules, e: int, p: int, day: int) -> bool:
    """Whether event ``e`` is under way on path ``p`` on ``day``."""
    return bool(rules.occurs[e, p]) and rules.start[e, p] <= day < rules.end[e, p]


@compiled(inline=True)
def turning(rules: Rules, p: int, day: int) -> bool:
    """Whether a scenario event starts or ends on ``day`` on path ``p``."""
    for e in range(rules.occurs.shape[0]):
        if rules.occurs[e, p] and (rules.start[e, p] == day or rules.end[e, p] == day):
            return True
    return False


@compiled(inline=True)
def pool_amounts(p: int, day: int, rules: Rules, rule: PoolRule, out: I64) -> bool:
    """Whether any of ``rule``'s events is active today on path ``p``; if so, ``out[p, j]``
    gets the Σ of their amounts for pool ``j`` (else ``out[p]`` is left as it was: most
    days no event is active, and the pools need not be visited)."""
    any_active = False
    for r in range(rule.event.shape[0]):
        if active(rules, rule.event[r], p, day):
            if not any_active:
                out[p, :] = 0
                any_active = True
            for j in range(out.shape[1]):
                out[p, j] += rule.amount[r, j]
    return any_active


@compiled(inline=True)
def hold_back(p: int, j: int, blocked: bool, incoming: int, backlog: I64) -> int:
    """What pool ``j`` sends today: nothing while ``blocked`` (``incoming`` joins the
    ``backlog``), else the backlog with today's ``incoming``."""
    if blocked:
        backlog[p, j] += incoming
        return 0
    send: int = incoming + backlog[p, j]
    backlog[p, j] = 0
    return send
