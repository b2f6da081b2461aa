"""Where the whole-US step spends its time: cohorts, pools, or failures.

Runs the whole-US fleet (2.5 million machines, ``sanctions``, 730 days) cut into
different numbers of cohorts and sites, with the machines, and so the failures, the
same in every shape, then fits

    seconds = per_cohort_day · cohort-path-days + per_pool_day · pool-path-days + rest

by least squares. ``rest`` is what does not grow with cohorts or pools: the failures
(the same count in every shape) and the per-path work. Costs are wall-clock on all
kernel threads. Public tools only: ``python bench/bench_scaling.py [--paths N]``.
"""

from __future__ import annotations

import argparse
import sys
from functools import partial
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_engine import best_of, synthetic_fleet  # noqa: E402

from hashshock.engine import simulate  # noqa: E402
from hashshock.inputs.load import fleet_from_mapping, load_scenario  # noqa: E402
from hashshock.plan import compile_plan  # noqa: E402

MACHINES = 2_500_000
DAYS = 730
#: (cohorts, sites): cohorts vary at 100 sites (400 pools), sites at 2,000 cohorts.
SHAPES = [(1000, 100), (2000, 100), (4000, 100), (2000, 50), (2000, 200)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--paths", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=2, help="best of N for each shape")
    args = parser.parse_args()
    rows = []
    for cohorts, sites in SHAPES:
        fleet = fleet_from_mapping(synthetic_fleet(cohorts, MACHINES // cohorts, sites))
        plan = compile_plan(fleet, load_scenario("sanctions"), DAYS)
        simulate(plan, 2, seed=1)  # load the compiled kernels first
        run = partial(simulate, plan, args.paths, seed=1)
        seconds = best_of(args.repeats, run)
        failures = float(run().failures.sum())  # the same seed: the same failures
        path_days = args.paths * DAYS
        rows.append((cohorts * path_days, plan.n_pools * path_days, failures, seconds))
        print(
            f"{cohorts:>5} cohorts × {MACHINES // cohorts:>5} machines, {plan.n_pools:>4} pools, "
            f"{args.paths} paths × {DAYS} d: {seconds:6.2f} s "
            f"({failures / path_days:,.0f} failures a path-day)"
        )
    table = np.array(rows)
    cohort_days, pool_days, failures, seconds = table.T
    design = np.column_stack([cohort_days, pool_days, np.ones(len(rows))])
    (per_cohort_day, per_pool_day, rest), *_ = np.linalg.lstsq(design, seconds, rcond=None)
    shares = [per_cohort_day * cohort_days[1], per_pool_day * pool_days[1], rest]
    total = sum(shares)
    print(
        f"fit (wall clock): {per_cohort_day * 1e9:.1f} ns a cohort-day, "
        f"{per_pool_day * 1e9:.1f} ns a pool-day, rest {rest:.2f} s "
        f"(≤ {rest / failures.mean() * 1e9:.1f} ns a failure)"
    )
    print(
        f"2,000 cohorts / 400 pools: cohorts {shares[0] / total:.0%}, pools "
        f"{shares[1] / total:.0%}, failures and per-path work {shares[2] / total:.0%}"
    )


if __name__ == "__main__":
    main()
