"""One block of paths of an industry run: every member's engine, then with network
feedback the replacement orders and each scenario's settlement — ``engine_passes``
times, each pass's engines steered by the prices the pass before settled and buying no
machine after the day their member broke in it (docs/industry.md, "Engines steered by
the shared network").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hashshock.execution.base import Executor, Progress, Task
from hashshock.finance.steering import MarketLike
from hashshock.industry.queues import LineFlows
from hashshock.industry.simulate import (
    FloatArray,
    IndustryInputs,
    IndustryRuns,
    IntArray,
    MemberOrders,
    MemberRun,
    member_runs,
    totals_of,
)
from hashshock.market.simulate import MarketPaths


@dataclass
class Block:
    """Paths ``first`` … ``first + count − 1`` of an industry run: their scenario markets,
    each member's orders and the vendor lines' flows (``None``: no lines)."""

    first: int
    count: int
    markets: list[MarketPaths]
    orders: list[MemberOrders]
    lines: list[list[LineFlows]] | None


def simulate_block(
    inputs: IndustryInputs, block: Block, seed: int, own_seeds: list[int], run_on: Executor,
    step: Progress,
) -> IndustryRuns:  # fmt: skip
    """One block of paths: the members' engines, then with network feedback the
    replacement orders and the settlement of each scenario — ``engine_passes`` times, each
    pass's engines steered by the markets the pass before settled (the first by the
    scenarios' markets)."""
    feedback = inputs.loaded.industry.network_feedback
    passes = inputs.loaded.industry.engine_passes
    steering: list[MarketLike] = list(block.markets)
    # per member, per scenario, the day it broke in the pass before (None: first pass)
    broke: list[list[IntArray | None] | None] = [None] * len(inputs.members)
    for done in range(passes):
        tasks = [Task(member_runs, (m, steering, block.count, seed, own_seeds[i],
                                    block.orders[i], not feedback, block.first, broke[i]),
                      name="industry-member") for i, m in enumerate(inputs.members)]  # fmt: skip
        runs: list[list[MemberRun]] = run_on.run(tasks, _pass_progress(step, done, passes))
        if not feedback:  # one pass (the industry file's check)
            out = IndustryRuns(inputs, runs, None, block.count, seed, block.lines)
            out.totals = totals_of(out)
            return out
        from hashshock.industry.couple import settle_scenario, spot_for

        spots = spot_for(inputs, runs, block.lines, steering)
        settlements = [
            settle_scenario(inputs, block.markets[k], [r[k] for r in runs], k, block.count,
                            seed, spots[k], block.first, [r[0] for r in runs], steering[k])
            for k in range(len(inputs.to_run))
        ]  # fmt: skip
        gaps = [steering_gap(steer, s.network.market) for steer, s in zip(
            steering, settlements, strict=True)]  # fmt: skip
        if done < passes - 1:  # the next pass's engines see these prices; drop the rest
            steering = [s.network.market for s in settlements]
            broke = [[run.break_day for run in member] for member in runs]
            del runs, spots, settlements
    for member_runs_ in runs:
        for run in member_runs_:
            run.waiting_machines = run.spendable_usd = None
    networks = [s.network for s in settlements]
    out = IndustryRuns(inputs, runs, networks, block.count, seed, block.lines, settlements, spots)
    out.totals = totals_of(out)
    for totals, gap in zip(out.totals, gaps, strict=True):
        totals.steering_gap = gap
    return out


def _pass_progress(step: Progress, done: int, passes: int) -> Progress:
    """``step`` for pass ``done`` (from 0) of ``passes``: its tasks one share of the bar."""

    def tick(finished: int, total: int) -> None:
        step(done * total + finished, passes * total)

    return tick


def steering_gap(steered: MarketLike, settled: MarketLike) -> FloatArray:
    """[P]: on each path, the mean over the days of the relative difference between the
    hashprice the engines were steered by and the shared network's, |settled / steered − 1|.

    The mean, not the largest day: two networks of slightly different hashrate reach a
    retarget or the halving some days apart, and on those days alone their hashprices
    differ by the step (up to 2× at a halving), whatever the gap on the other days."""
    ratio = np.divide(settled.hashprice_usd_per_ph_day, steered.hashprice_usd_per_ph_day)
    return np.asarray(np.abs(ratio - 1.0).mean(axis=1), dtype=np.float64)
