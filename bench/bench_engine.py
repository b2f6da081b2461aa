"""Time the engine: the mid-size example and a synthetic whole-US fleet.

Prints wall time, cohort-path-days per second and the process's peak memory
(``getrusage``). Each workload runs once on 2 paths first so the compiled kernels
are loaded (or compiled, on a fresh checkout) before the clock starts; that
start-up time is printed too. Public tools only:
``python bench/bench_engine.py [--paths N] [--days D] [--us-paths N] [--us-days D]``.
The whole-US row is ``synthetic_fleet(2000, 1250)``: 2.5 million machines in 2,000
cohorts (100 sites × 5 models × install dates), 400 spare pools, under ``sanctions``.
"""

from __future__ import annotations

import argparse
import resource
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numba
import numpy as np

from hashshock.engine import simulate
from hashshock.inputs.load import fleet_from_mapping, load_fleet, load_scenario
from hashshock.plan import compile_plan

ROOT = Path(__file__).resolve().parents[1]
MODELS = ["antminer-s19j-pro", "antminer-s19-xp", "antminer-s21", "antminer-s21-pro",
          "whatsminer-m50s"]  # fmt: skip


def synthetic_fleet(
    cohorts: int, machines_per_cohort: int = 100, sites: int | None = None
) -> dict[str, Any]:
    """``cohorts`` cohorts spread over sites × models × install years (one site per 20
    cohorts unless ``sites`` is given; each site has a spare pool per part)."""
    sites = sites or max(1, cohorts // 20)
    rows = []
    for i in range(cohorts):
        rows.append({
            "model": MODELS[i % len(MODELS)],
            "count": machines_per_cohort,
            "site": f"site-{i % sites}",
            "install_date": f"{2022 + (i // len(MODELS)) % 3}-0{1 + i % 9}-01",
        })  # fmt: skip
    return {
        "name": f"synthetic-{cohorts}",
        "start_date": "2026-12-01",
        "sites": [{"name": f"site-{s}"} for s in range(sites)],
        "cohorts": rows,
    }


def peak_memory_gib() -> float:
    """Peak resident memory of this process so far (GiB; Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def best_of(repeats: int, run: Callable[[], object]) -> float:
    """The fastest of ``repeats`` timings of ``run()`` in seconds (as ``timeit`` advises:
    slower runs measure the machine's other load, not the code)."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def time_plan(label: str, plan: Any, paths: int, repeats: int = 1) -> float:
    start = time.perf_counter()
    simulate(plan, 2, seed=1)  # loads (or compiles) the kernels
    warm = time.perf_counter() - start
    seconds = best_of(repeats, lambda: simulate(plan, paths, seed=1))
    rate = plan.n_cohorts * paths * plan.horizon_days / seconds
    print(
        f"{label:<36} cohorts={plan.n_cohorts:>5} pools={plan.n_pools:>4} paths={paths:>5} "
        f"days={plan.horizon_days:>4} {seconds:7.2f} s {rate:>13,.0f} cohort-path-days/s "
        f"(start-up {warm:.1f} s, peak memory {peak_memory_gib():.2f} GiB)"
    )
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--paths", type=int, default=1000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--us-paths", type=int, default=1000)
    parser.add_argument("--us-days", type=int, default=730)
    parser.add_argument("--repeats", type=int, default=3, help="best of N for the short runs")
    args = parser.parse_args()
    mid = load_fleet(ROOT / "examples" / "midsize-public-miner" / "fleet.yaml")
    times = {}
    for scenario in ("baseline", "sanctions"):
        plan = compile_plan(mid, load_scenario(scenario), args.days)
        label = f"midsize-public-miner / {scenario}"
        times[scenario] = time_plan(label, plan, args.paths, args.repeats)
    total = times["baseline"] + times["sanctions"]
    print(f"mid-size run incl. its baseline (as `hashshock run`): {total:.2f} s")
    synthetic = fleet_from_mapping(synthetic_fleet(2000, 1250))
    plan = compile_plan(synthetic, load_scenario("sanctions"), args.us_days)
    time_plan(f"whole US ({plan.machines:,} machines) / sanctions", plan, args.us_paths)
    print(f"numpy {np.__version__}, numba {numba.__version__}, threads {numba.get_num_threads()}")


if __name__ == "__main__":
    main()
