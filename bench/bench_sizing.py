"""Measure what a run takes against what ``hashshock.sizing`` estimates before it starts.

Prints, measured in one run (public tools only: ``hashshock.compare``,
``hashshock.sweep``, ``hashshock.prepare.estimate_for``, ``hashshock.sweep.run.survey``):
for each bundled example fleet and each size
(paths × days), the seconds a two-scenario compare (baseline, sanctions) takes in this
process after a warm-up, the estimate, and their ratio; then the least-squares fit of
the measured times to the estimate's terms — a fixed cost per scenario run, a cost per
path-day, per cohort-path-day and, for fleets with a finance block, per path-day of
money — the figures the constants in ``hashshock/sizing.py`` are set from; then two
Latin-hypercube sweeps (2,001 small-farm points of 50 paths × 100 days, 201 mid-size
points of 150 × 300) against their estimates: the sweep's point factor.

``python bench/bench_sizing.py [--repeats 2]``
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

import numpy as np

import hashshock
from hashshock.inputs.load import load_fleet
from hashshock.notices import HashshockWarning
from hashshock.prepare import estimate_for
from hashshock.sizing import ENGINE_THREADS, NS_PER_COHORT_PATH_DAY

ROOT = Path(__file__).resolve().parents[1]
FLEETS = ["small-farm", "midsize-public-miner", "well-capitalised"]
SIZES = [(100, 180), (400, 365), (1000, 365), (200, 1098)]
SCENARIOS = ["baseline", "sanctions"]


def _time(fleet: Path, paths: int, days: int, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        hashshock.compare(fleet, SCENARIOS, paths=paths, horizon_days=days, seed=0)
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2, help="best of this many runs")
    args = parser.parse_args()
    warnings.simplefilter("ignore", HashshockWarning)
    rows = []
    print(f"{'fleet':<22}{'paths':>7}{'days':>6}{'measured s':>12}{'estimate s':>12}{'ratio':>7}")
    for name in FLEETS:
        fleet = ROOT / "examples" / name / "fleet.yaml"
        loaded = load_fleet(fleet)
        hashshock.compare(fleet, SCENARIOS, paths=20, horizon_days=30)  # compiled, loaded
        for paths, days in SIZES:
            seconds = _time(fleet, paths, days, args.repeats)
            estimate = estimate_for(loaded, len(SCENARIOS), paths, days)
            print(f"{name:<22}{paths:>7,}{days:>6}{seconds:>12.2f}{estimate.seconds:>12.2f}"
                  f"{seconds / estimate.seconds:>7.1f}")  # fmt: skip
            money = loaded.fleet.finance is not None
            rows.append((len(SCENARIOS), paths * days, estimate.cohorts, money, seconds))
    # Per scenario run: t = fixed + PD·(per_pd + per_money·[finance]) + the engine's cohort
    # term, held at the sizing's whole-US figure (a few cohorts here cannot measure it),
    # fitted without negative terms (scipy's nnls).
    from scipy.optimize import nnls

    cohort_s = NS_PER_COHORT_PATH_DAY / 1e9 / ENGINE_THREADS
    design = np.array([[s, s * pd, s * pd * m] for s, pd, _, m, _ in rows], float)
    measured = np.array([r[-1] for r in rows])
    engine = np.array([s * pd * c * cohort_s for s, pd, c, _, _ in rows])
    fit, _ = nnls(design, measured - engine)
    predicted = design @ fit + engine
    print(f"fit per scenario run: fixed {fit[0]:.4f} s, {fit[1] * 1e9:,.0f} ns a path-day, "
          f"money {fit[2] * 1e9:,.0f} ns a path-day (cohorts: "
          f"{NS_PER_COHORT_PATH_DAY:g} ns a cohort-path-day on one core, held)")  # fmt: skip
    print(
        f"fit's ratio measured/predicted: {np.min(measured / predicted):.2f} to "
        f"{np.max(measured / predicted):.2f}"
    )
    sweeps()


#: Fleet, scenario, samples, paths, days, metrics (with money, or without: none computed).
SWEEPS = [
    ("small-farm", "customs-2024", 2000, 50, 100, ["availability:99"]),
    ("midsize-public-miner", "sanctions", 200, 150, 300, ["availability:299"]),
    ("midsize-public-miner", "sanctions", 200, 150, 300, ["availability:299", "cash_end"]),
]  # fmt: skip


def sweeps() -> None:
    """Each sweep of :data:`SWEEPS` timed against its estimate (two points at once, as
    ``hashshock sweep`` runs them on two cores)."""
    import hashshock.sweep
    from hashshock.execution import Threads
    from hashshock.sweep.run import survey

    print(f"{'sweep':<22}{'points':>7}{'money':>6}{'measured s':>12}{'estimate s':>12}"
          f"{'ratio':>7}")  # fmt: skip
    for name, scenario, samples, paths, days, metrics in SWEEPS:
        spec = {"base": {"fleet": str(ROOT / "examples" / name / "fleet.yaml"),
                         "scenario": scenario}, "method": "lhs", "samples": samples,
                "paths": paths, "horizon_days": days, "metrics": metrics,
                "inputs": [{"path": "fleet.operations.failure_rate_multiplier",
                            "low": 0.5, "high": 2.0}]}  # fmt: skip
        estimate = survey(spec, at_once=2).estimate
        with Threads(2) as threads:
            started = time.perf_counter()
            hashshock.sweep(spec, threads, with_runs=False)
            seconds = time.perf_counter() - started
        money = "yes" if len(metrics) > 1 else "no"
        print(f"{name:<22}{estimate.points:>7,}{money:>6}{seconds:>12.1f}"
              f"{estimate.seconds:>12.1f}{seconds / estimate.seconds:>7.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
