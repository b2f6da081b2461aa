"""Stock levels simulated on common random numbers, through :mod:`hashshock.execution`.

A stock is a base-stock level per pool: the plan's ``pool_on_hand`` and ``pool_target``
both set to it (what a fleet file's ``spares`` rows with ``family`` and ``on_hand`` give,
tests/decide check that), everything else — paths, seed, market, the economy that steers
the engine — as ``hashshock.compare`` runs the scenario. Every stock of one call runs on
the same seed, so the differences between stocks are the stocks', not noise.

What is measured is the **parts availability** METRIC measures (docs/decisions.md): on
day t of path p,

    A[p, t] = 1 − (Σ_{k stops the machine} B_k[p, t] + B_board[p, t] / b̄) / N[p, t],

with B_k the machines (hashboards) waiting for a spare of part k, b̄ the fleet's boards
per machine and N the machines installed: the share of the fleet's machine capacity not
waiting for a part. Delivered hashrate over nameplate (the run's availability) loses
more — downtime, swaps in progress, wear — that no spare stock changes.

The stocks run with swaps unbounded at every site (:data:`AMPLE_SWAPS`): the engine's
backorders are the machines still waiting at a pool after the day's swaps, and where a
site's technicians run out that includes machines whose spare is on the shelf. METRIC's
backorders — demand the stock has not met — are what a stock changes; whether the
technicians keep up is labour, shown by ``run``'s machines down and the strategies.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from hashshock.engine.policies import EconomyInputs
from hashshock.execution.base import Executor, Task
from hashshock.plan import Plan

if TYPE_CHECKING:
    from hashshock.finance.moneyplan import MoneyPlan
    from hashshock.inputs.load import LoadedFleet
    from hashshock.market import MarketConfig

FloatArray = NDArray[np.float64]
#: "Through the horizon": a path holds the target when its worst window of this many days
#: has a mean availability at or above it (a choice: a month smooths daily noise).
WINDOW_DAYS = 30
#: Swaps a site may do in a day in the stocks' runs: beyond any demand, so that a machine
#: waits for a part, never for a technician (module docstring).
AMPLE_SWAPS = 1 << 40


@dataclass(frozen=True)
class StockRun:
    """Per path and day, the parts unavailability by part type ``lost[p, t, k]`` (share
    of machine capacity waiting for part k; A = 1 − Σ_k lost)."""

    lost: NDArray[np.float32]

    @property
    def availability(self) -> FloatArray:
        """A[p, t]."""
        return np.asarray(1.0 - self.lost.sum(axis=2, dtype=np.float64))

    def worst_window(self, days: int = WINDOW_DAYS) -> tuple[FloatArray, NDArray[np.int64]]:
        """Per path, the lowest mean availability over ``days`` consecutive days, and the
        window's first day."""
        daily = self.availability
        width = max(1, min(days, daily.shape[1]))
        csum = np.concatenate([np.zeros((daily.shape[0], 1)), np.cumsum(daily, axis=1)], axis=1)
        means = (csum[:, width:] - csum[:, :-width]) / width
        first = means.argmin(axis=1)
        return means[np.arange(means.shape[0]), first], first

    def lost_in(self, first: NDArray[np.int64], days: int = WINDOW_DAYS) -> FloatArray:
        """[P, 4] mean unavailability per part type in each path's window from ``first``."""
        width = max(1, min(days, self.lost.shape[1]))
        index = first[:, None] + np.arange(width)[None, :]
        rows = np.arange(self.lost.shape[0])[:, None]
        return np.asarray(self.lost[rows, index, :].mean(axis=1, dtype=np.float64))


def own_reorder_levels(loaded: LoadedFleet) -> list[str]:
    """A warning when the fleet's spares rows reorder up to a level other than what they
    hold (``target``): every stock the optimiser runs, today's too, is a base-stock level
    (on the shelf and reordered up to), so "today's stock holds the target" is said of
    today's stock reordered up to itself, not of the file's own policy."""
    rows = [(i, s) for i, s in enumerate(loaded.fleet.spares)
            if s.target is not None and s.target != s.on_hand]  # fmt: skip
    if not rows:
        return []
    i, row = rows[0]
    return [
        f"{loaded.path or 'fleet'}: spares[{i}] reorders up to {row.target:,} with "
        f"{row.on_hand:,} on hand ({len(rows)} row(s) with a target of their own): every stock "
        "the optimiser runs, today's too, is reordered up to what it holds, so its figures "
        "for today's stock are not those of the file's own reorder levels — `hashshock run` "
        "gives those"
    ]


def with_stock(plan: Plan, stock: NDArray[np.int64], ordered: bool = False) -> Plan:
    """``plan`` with every pool's starting stock and base-stock level set to ``stock``;
    ``ordered``: the base-stock level only, today's stock on the shelf, so the pools'
    day-0 reorder orders the rest, which comes through the lead time and the scenario's
    customs holds and supply stops as any order does. A plan whose pipelines start in
    their steady state (``plan.warm``) starts the shelf at the level less the parts on
    their way (METRIC's S = on hand + due in); ``ordered``, they stay on their way and
    the day-0 reorder orders what the level lacks beyond them."""
    level = np.asarray(stock, dtype=np.int64).copy()
    on_hand = plan.pool_on_hand.copy() if ordered else level.copy()
    if plan.warm is not None and not ordered:
        on_hand = np.maximum(level - plan.warm.parts, 0)
    return dataclasses.replace(plan, pool_on_hand=on_hand, pool_target=level)


def simulate_stock(
    plan: Plan, stock: NDArray[np.int64], paths: int, seed: int,
    economy: EconomyInputs | None, ordered: bool = False, staffed: bool = False,
) -> StockRun:  # fmt: skip
    """One stock on the engine (a task: in this process or on a worker); ``ordered``:
    as :func:`with_stock`; ``staffed``: with the sites' own swaps a day, not unbounded
    (the check the search leaves out, module docstring)."""
    from hashshock.parallel import simulate_one

    stocked = with_stock(plan, stock, ordered)
    if not staffed:
        ample = np.full_like(plan.site_swaps_per_day, AMPLE_SWAPS)
        stocked = dataclasses.replace(stocked, site_swaps_per_day=ample)
    out = simulate_one(stocked, paths, seed, economy)
    weight = np.array([1.0 / plan.boards_per_machine, 1.0, 1.0, 1.0])
    machines = np.maximum(out.machines_installed.astype(np.float64), 1.0)
    lost = out.backorders.astype(np.float64) * weight[None, None, :] / machines[:, :, None]
    return StockRun(lost.astype(np.float32))


@dataclass(frozen=True)
class Simulator:
    """Runs stocks of one plan on ``executor``: ``paths`` and ``seed`` fixed, the economy
    built as compare builds it (markets kept per process, :mod:`hashshock.sweep.tasks`)."""

    plan: Plan
    economies: dict[tuple[int, int], EconomyInputs]
    executor: Executor
    evaluations: list[int] = dataclasses.field(default_factory=lambda: [0])
    ordered: bool = False  # stock ordered on day 0, not on the shelf (:func:`with_stock`)

    def run(self, stocks: Sequence[NDArray[np.int64]], paths: int, seed: int) -> list[StockRun]:
        """Every stock on the same ``paths`` and ``seed``."""
        economy = self.economies.get((paths, seed))
        tasks = [Task(simulate_stock, (self.plan, s, paths, seed, economy, self.ordered),
                      name="stock") for s in stocks]  # fmt: skip
        self.evaluations[0] += len(tasks)
        runs: list[StockRun] = self.executor.run(tasks)
        return runs

    def staffed(self, stock: NDArray[np.int64], paths: int, seed: int) -> StockRun:
        """``stock`` with the sites' own technicians (:func:`simulate_stock`'s
        ``staffed``) on ``paths`` and ``seed``."""
        economy = self.economies.get((paths, seed))
        task = Task(simulate_stock, (self.plan, stock, paths, seed, economy, self.ordered, True),
                    name="stock with today's technicians")  # fmt: skip
        self.evaluations[0] += 1
        run: StockRun = self.executor.run([task])[0]
        return run


Economies = dict[tuple[int, int], EconomyInputs]


def economies_for(plan: Plan, money: MoneyPlan, config: MarketConfig,
                  keys: Sequence[tuple[int, int]]) -> Economies:  # fmt: skip
    """The economy compare gives ``plan`` for each (paths, seed) in ``keys``."""
    from hashshock.finance.steering import build_economy
    from hashshock.sweep.tasks import point_market

    out: Economies = {}
    for paths, seed in keys:
        market = point_market(config, plan, paths, seed, "decide")
        out[(paths, seed)] = build_economy(money, market)
    return out
