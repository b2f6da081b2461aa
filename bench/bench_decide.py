"""Time the decision commands on the mid-size example under sanctions.

Prints, measured in one run (public tools only: ``hashshock.decide``,
``hashshock.execution``), after a warm-up that compiles the engine's kernels:

1. ``optimise``: the cheapest stock holding 97 % parts availability (p50) on the mid-size
   example under ``sanctions`` — its pools, the simulations it ran (each ``--paths`` ×
   ``--days`` to confirm, a quarter of the paths to screen), the wall-clock time on
   threads here (``hashshock optimise``'s executor) against the issue's 2-minute target;
2. ``strategies``: every built-in strategy plus the first two of ``examples/strategies``
   (at least the issue's seven), ``--paths`` × ``--days`` each, against the 30-second
   target.

Figures are printed, never asserted (tests/test_bench_scripts.py runs this at toy sizes).

``python bench/bench_decide.py [--paths 1000] [--days 365] [--repeats 1]``
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from hashshock.decide.edits import base_set
from hashshock.decide.optimise import OptimiseResult, check_target, optimise
from hashshock.decide.strategies import StrategiesResult, compare_strategies
from hashshock.decide.strategy import apply, builtin_strategies, load_strategy
from hashshock.execution import Threads
from hashshock.execution.choose import cores
from hashshock.inputs.load import load_fleet, load_scenario
from hashshock.market import load_market
from hashshock.parallel import simulate_one
from hashshock.prepare import prepare

ROOT = Path(__file__).resolve().parents[1]
MIDSIZE = ROOT / "examples" / "midsize-public-miner" / "fleet.yaml"
STRATEGY_FILES = sorted((ROOT / "examples" / "strategies").glob("*.yaml"))[:2]
OPTIMISE_TARGET_S, STRATEGIES_TARGET_S = 120.0, 30.0
T = TypeVar("T")


def _best_of(repeats: int, work: Callable[[], T]) -> tuple[float, T]:
    """The shortest wall-clock time of ``repeats`` runs of ``work``, and its result."""
    times, results = [], []
    for _ in range(max(1, repeats)):
        started = time.perf_counter()
        results.append(work())
        times.append(time.perf_counter() - started)
    return min(times), results[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--paths", type=int, default=1000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    loaded, scenario, market = load_fleet(MIDSIZE), load_scenario("sanctions"), load_market(None)
    prepared = prepare(loaded, [scenario], args.days, market, args.paths)
    simulate_one(prepared.plans[-1], 2, 0, None)  # compile the kernels before the clock
    workers = cores()

    def run_optimise() -> OptimiseResult:
        with Threads(workers) as pool:
            return optimise(prepared, check_target(0.97, "p50", None), None, args.paths, 0, pool)

    seconds, result = _best_of(args.repeats, run_optimise)
    pools = prepared.plans[-1].n_pools
    closed = result.verify_closed_form.objective if result.verify_closed_form else float("nan")
    print(f"optimise: midsize-public-miner / sanctions, {pools} pools, {result.evaluations} "
          f"simulations × {args.days} days ({result.screen_paths:,} paths to screen, "
          f"{args.paths:,} to confirm): {seconds:.1f} s (target < {OPTIMISE_TARGET_S:.0f} s; "
          f"{workers} threads)")  # fmt: skip
    print(f"  reached: {result.reached}; buy ${result.chosen_cost_usd:,.0f}; the closed "
          f"form's stock simulated: {closed:.2%}")  # fmt: skip

    base = base_set(loaded, scenario, market)
    chosen = builtin_strategies(prepared, base, 6) + [load_strategy(f) for f in STRATEGY_FILES]
    fleets = [apply(s, base) for s in chosen]

    def run_strategies() -> StrategiesResult:
        with Threads(workers) as pool:
            return compare_strategies(fleets, chosen, scenario, market, args.days, args.paths,
                                      0, executor=pool)  # fmt: skip

    seconds, _ = _best_of(args.repeats, run_strategies)
    print(f"strategies: {len(chosen)} strategies × {args.paths:,} paths × {args.days} days "
          f"on midsize-public-miner / sanctions: {seconds:.1f} s "
          f"(target < {STRATEGIES_TARGET_S:.0f} s; {workers} threads)")  # fmt: skip


if __name__ == "__main__":
    main()
