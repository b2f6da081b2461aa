"""Engine against its yardsticks: the per-machine reference and the random-number floor.

Prints, in one run:

* the engine's time against the SimPy reference on the reference test fleet
  (~420 machines) at equal paths. The reference runs ``--reference-paths`` paths and
  its time is scaled linearly to the engine's path count (its paths are independent
  replications, so its cost is linear in paths);
* the engine's time against the raw cost of drawing the binomials the model needs
  (numpy's Generator, one binomial per cohort, path and day for each of the draws the
  daily loop makes: stop failures, board failures), the floor no engine of this
  design can beat;
* what the machine's second thread adds: the engine on the reference fleet with one
  thread and with all, and a compiled loop over an array in the L1 cache run once and
  twice side by side. Where the second "core" shares its execution units with the
  first (hyperthreads of one core under a hypervisor), neither gains much.

Public tools only: ``python bench/bench_validation.py [--paths N] [--days D]``.
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

import numba
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_engine import best_of, synthetic_fleet  # noqa: E402
from tests.reference.fleets import two_site_fleet  # noqa: E402
from tests.reference.sim import simulate_reference  # noqa: E402

from hashshock.engine import simulate  # noqa: E402
from hashshock.inputs.load import fleet_from_mapping, load_fleet, load_scenario  # noqa: E402
from hashshock.plan import compile_plan  # noqa: E402

#: Dense binomial draws per cohort, path and day in the engine's loop (stop, boards).
DENSE_BINOMIALS_PER_COHORT_DAY = 2


def rng_floor_seconds(cohorts: int, paths: int, days: int, machines: int) -> float:
    """Time to draw the dense binomials alone, with counts and probabilities of the model."""
    rng = np.random.default_rng(0)
    n = np.full((paths, cohorts), machines, dtype=np.int64)
    p = np.full(cohorts, 1e-3)
    start = time.perf_counter()
    for _ in range(days):
        for _ in range(DENSE_BINOMIALS_PER_COHORT_DAY):
            rng.binomial(n, p)
    return time.perf_counter() - start


@numba.njit(nogil=True, cache=True)
def _cached_work(rounds: int, values: np.ndarray) -> int:
    """Loads and integer arithmetic over an array held in the core's L1 cache: the kind
    of work the engine's daily step is made of, bound by the core's load and
    arithmetic units rather than by memory."""
    total = 0
    for r in range(rounds):
        for i in range(values.shape[0]):
            total += values[i] ^ (i + r)
    return total


def machine_scaling(rounds: int, repeats: int) -> float:
    """How much more work two threads do than one in the same time."""
    values = np.arange(2048, dtype=np.int64)  # 16 KiB
    _cached_work(1, values)
    with ThreadPoolExecutor(2) as pool:

        def side_by_side(copies: int) -> None:
            list(pool.map(partial(_cached_work, values=values), [rounds] * copies))

        one = best_of(repeats, partial(side_by_side, 1))
        two = best_of(repeats, partial(side_by_side, 2))
    return 2 * one / two


def engine_scaling(plan: object, paths: int, repeats: int) -> tuple[float, float]:
    """The engine's best time on ``plan`` with one thread and with all of them."""
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        one = best_of(repeats, partial(simulate, plan, paths, seed=1))
    finally:
        numba.set_num_threads(threads)
    return one, best_of(repeats, partial(simulate, plan, paths, seed=1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--paths", type=int, default=1000)
    parser.add_argument("--days", type=int, default=180)
    parser.add_argument("--reference-paths", type=int, default=10)
    parser.add_argument("--us-paths", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=5, help="best of N for each timing")
    parser.add_argument(
        "--probe-rounds", type=int, default=100_000,
        help="rounds of the cached loop that probes the machine's second thread",
    )  # fmt: skip
    args = parser.parse_args()
    for scenario in ("baseline", "sanctions"):
        plan = compile_plan(
            fleet_from_mapping(two_site_fleet()), load_scenario(scenario), args.days
        )
        simulate(plan, 2, seed=1)  # load the compiled kernels first
        # Interleaved, so that a change in the machine's load hits both sides alike.
        engine = reference_run = float("inf")
        for _ in range(args.repeats):
            engine = min(engine, best_of(1, partial(simulate, plan, args.paths, seed=1)))
            reference_run = min(
                reference_run,
                best_of(1, partial(simulate_reference, plan, args.reference_paths, seed=1)),
            )
        reference = reference_run * args.paths / args.reference_paths
        print(
            f"reference fleet / {scenario:<9} {plan.machines} machines, {args.paths} paths × "
            f"{args.days} d: engine {engine:6.2f} s, reference ≈ {reference:8.1f} s "
            f"(from {args.reference_paths} paths) → engine is {reference / engine:7.0f}× faster"
        )
        if scenario == "baseline":
            one, every = engine_scaling(plan, args.paths, args.repeats)
            print(
                f"threads: engine on the reference fleet, 1 thread {one:6.3f} s, "
                f"{numba.get_num_threads()} threads {every:6.3f} s → {one / every:4.2f}×; "
                f"this machine's 2nd thread on work in its L1 cache: "
                f"{machine_scaling(args.probe_rounds, args.repeats):4.2f}× the work of one"
            )
    mid = load_fleet(ROOT / "examples" / "midsize-public-miner" / "fleet.yaml")
    us = fleet_from_mapping(synthetic_fleet(2000, 1250))
    workloads = [
        ("mid-size example / baseline", mid, args.paths, args.days),
        ("whole US / sanctions", us, args.us_paths, 730),
    ]
    for label, fleet, paths, days in workloads:
        scenario = "baseline" if "baseline" in label else "sanctions"
        plan = compile_plan(fleet, load_scenario(scenario), days)
        simulate(plan, 2, seed=1)  # load the compiled kernels first
        t0 = time.perf_counter()
        simulate(plan, paths, seed=1)
        engine = time.perf_counter() - t0
        floor = rng_floor_seconds(plan.n_cohorts, paths, days, int(plan.cohort_initial.max()))
        print(
            f"{label:<28} {plan.n_cohorts} cohorts, {paths} paths × {days} d: engine "
            f"{engine:6.2f} s, binomial floor {floor:6.2f} s → {engine / floor:5.2f}× the floor"
        )


if __name__ == "__main__":
    main()
