"""Time the industry view: the bundled `us` industry coupled and uncoupled, in one run.

Prints, measured in one run (public tools only: ``hashshock.industry``):

1. the industry's size: operators and classes, simulated members, machines, cohorts;
2. after a warm-up run (kernels loaded), the same industry coupled (``network_feedback:
   true``: one engine pass per member and scenario, then the network, replacement
   orders, the used market and distress sales settled and money priced on them) and
   uncoupled (``false``, without the settings that act on the shared network: each
   member priced on the scenario's market alone), wall clock, best of ``--repeats``,
   and their ratio (issue 19's target: at most 1.5x); ``--passes 2`` couples the engines
   too (docs/industry.md, "Engines steered by the shared network"), at about twice the
   engine time;
3. the process's peak resident memory (both runs).

Before timing, the memory the runs will reach (the industry's estimate) is touched once
and let go: a virtual machine's host backs a page the first time any program touches it
(about 8 µs a 4 KB page on this machine, 1.5–2.5 µs once backed), so without it whichever
run came first paid the host's cost for the memory the other then reused — at 200 paths
the coupled run took 88.8 s first and 83.2 s second, the uncoupled 60.6 s and 60.5 s.

``--full`` simulates every operator of every class (no representative members) and
scales every size by ``--machines / (the bundled machines)``: issue 19's full-scale
case (≥ 2.5 M machines, ≥ 200 operators, ≥ 2,000 cohorts; target 1,000 paths x 730
days under 90 s and 8 GiB, docs/industry.md). ``--executor threads`` runs members on
Dask's threaded scheduler (one per core) instead of one after the other.

``python bench/bench_industry.py [--paths 1000] [--days 730] [--scenarios
baseline,sanctions] [--full] [--machines 2500000] [--repeats 1] [--executor here]
[--passes 1]``
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from typing import Any

import hashshock.industry
from hashshock.execution import Executor, InProcess, Threads
from hashshock.execution.choose import cores
from hashshock.industry.load import industry_from_mapping, load_industry
from hashshock.industry.simulate import industry_estimate
from hashshock.inputs.files import read_yaml_mapping


def _industry_mapping(full: bool, machines: float) -> dict[str, Any]:
    """The bundled `us` as a mapping; ``full``: every class member simulated and sizes
    scaled to ``machines`` in all."""
    bundled = load_industry()
    assert bundled.path is not None
    data = read_yaml_mapping(bundled.path)
    base = bundled.path.parent
    factor = machines / bundled.machines() if full else 1.0
    for op in data["operators"]:
        op["template"] = str(base / op["template"])
        if not full:
            continue
        if "hashrate_ehs" in op:
            op["hashrate_ehs"] *= factor
        if "machines_each" in op:
            op["machines_each"]["mean"] *= factor
            op["simulated"] = op["count"]
        if "total_machines" in op:
            op["total_machines"] = round(op["total_machines"] * factor)
    return data


def _executor(name: str) -> Executor:
    return Threads(cores()) if name == "threads" else InProcess()


def _back_memory(size: int) -> float:
    """Touch ``size`` bytes once, in blocks of 1 MiB, in a process of their own (so that
    this one's peak stays its runs'); seconds taken."""
    started = time.perf_counter()
    touch = f"import numpy as np; blocks = [np.ones(2**17) for _ in range({max(size // 2**20, 1)})]"
    subprocess.run([sys.executable, "-c", touch], check=True)
    return time.perf_counter() - started


def bench(paths: int, days: int, scenarios: list[str], full: bool, machines: float,
          repeats: int, executor: str, passes: int = 1) -> None:  # fmt: skip
    data = _industry_mapping(full, machines)
    coupled = industry_from_mapping({**data, "engine_passes": passes})
    # Uncoupled: no shared network, so nothing that acts on it (distress, the used
    # market, replacement orders priced on it).
    alone = {k: v for k, v in data.items() if k not in ("distress", "used_market", "replacement")}
    uncoupled = industry_from_mapping({**alone, "network_feedback": False})
    members = coupled.members
    cohorts = sum(len(m.loaded.fleet.cohorts) + len(m.loaded.fleet.orders) for m in members)
    print(f"industry: {len(coupled.industry.operators)} operators and classes, "
          f"{len(members)} simulated members, {coupled.machines():,.0f} machines, "
          f"{cohorts:,} cohorts; {paths} paths x {days} days, {len(scenarios)} scenarios, "
          f"members {executor}; coupled with {passes} engine pass(es)")  # fmt: skip
    with _executor(executor) as run_on:  # warm-up: compiled kernels loaded, not timed
        hashshock.industry(uncoupled, scenarios[:1], 2, 5, 0, executor=run_on)
    estimate = industry_estimate(coupled, len(scenarios), paths, days).bytes
    print(f"memory backed before timing: {estimate / 2**30:.1f} GiB in "
          f"{_back_memory(estimate):.1f} s")  # fmt: skip
    seconds = {}
    for name, loaded in (("coupled", coupled), ("uncoupled", uncoupled)):
        best = float("inf")
        for _ in range(repeats):
            started = time.perf_counter()
            with _executor(executor) as run_on:
                hashshock.industry(loaded, scenarios, paths, days, 0, executor=run_on)
            best = min(best, time.perf_counter() - started)
        seconds[name] = best
        print(f"{name}: {best:.1f} s (best of {repeats})")
    print(f"coupled / uncoupled: {seconds['coupled'] / seconds['uncoupled']:.2f}x")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    print(f"peak resident memory: {peak:.2f} GiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--paths", type=int, default=1000)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--scenarios", default="baseline,sanctions")
    parser.add_argument("--full", action="store_true")
    parser.add_argument("--machines", type=float, default=2_500_000)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--executor", choices=("here", "threads"), default="here")
    parser.add_argument("--passes", type=int, default=1, help="engine passes when coupled")
    args = parser.parse_args()
    bench(args.paths, args.days, args.scenarios.split(","), args.full, args.machines,
          args.repeats, args.executor, args.passes)  # fmt: skip


if __name__ == "__main__":
    main()
