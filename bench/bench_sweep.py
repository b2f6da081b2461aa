"""Time sweeps and the execution layer: where a sweep and a compare run fastest here.

Prints, measured in one run (public tools only: ``hashshock.sweep``, ``hashshock.compare``,
``hashshock.execution``):

1. the 20-input tornado of ``examples/sweeps/tornado.yaml`` (41 points; mid-size example
   under sanctions) one point at a time in this process (each on the engine's two
   threads) and on Dask's threaded scheduler in this process (``--workers`` tasks at
   once, one engine thread each: ``hashshock sweep``'s default), best of ``--repeats``
   alternating, then on a local Dask cluster of ``--workers`` processes (its start-up
   included), and which is fastest;
2. two local Dask workers against one on a sweep of independent points (each cluster
   started and warmed up before the clock starts): the work two do in the time one
   takes, and the most it can be for that many equal tasks (15 points and the base
   point: 16 tasks, 2.00×);
3. the execution layer's overhead per task (a no-op task) in this process and on a
   local cluster, and a sweep's own overhead per point (1 path × 1 day points);
4. a four-scenario compare of the mid-size example in this process and on a local
   cluster (start-up included), and its simulations alone one at a time (two engine
   threads each) and on threads (one engine thread each).

``python bench/bench_sweep.py [--paths 1000] [--days 365] [--workers 2]
[--scaling-paths 300] [--scaling-points 15] [--compare-paths 1000]``
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

import hashshock
import hashshock.sweep
from hashshock.execution import InProcess, Threads, local_cluster
from hashshock.finance.scenario_money import scenario_market
from hashshock.finance.steering import build_economy
from hashshock.notices import HashshockWarning
from hashshock.parallel import simulate_many
from hashshock.prepare import prepare

ROOT = Path(__file__).resolve().parents[1]
TORNADO = ROOT / "examples" / "sweeps" / "tornado.yaml"
MIDSIZE = ROOT / "examples" / "midsize-public-miner" / "fleet.yaml"
SCENARIOS = ["baseline", "customs-2024", "mitigation", "sanctions"]


def _tornado(paths: int, days: int) -> dict[str, Any]:
    spec: dict[str, Any] = yaml.safe_load(TORNADO.read_text(encoding="utf-8"))
    spec["base"]["fleet"] = str(MIDSIZE)
    spec.update(paths=paths, horizon_days=days)
    last = days - 1
    spec["metrics"] = [m if not m.startswith(("availability:", "hashrate_lost:"))
                       else f"{m.split(':')[0]}:{min(int(m.split(':')[1]), last)}"
                       for m in spec["metrics"]]  # fmt: skip
    return spec


def _independent(paths: int, days: int, points: int) -> dict[str, Any]:
    """A one-way sweep whose points share nothing: each changes the fleet."""
    steps = [round(0.5 + 1.5 * i / max(points - 1, 1), 4) for i in range(points)]
    return {
        "name": "scaling", "base": {"fleet": str(MIDSIZE), "scenario": "sanctions"},
        "method": "oneway", "paths": paths, "horizon_days": days, "seed": 0,
        "metrics": [f"availability:{days - 1}", f"hashrate_lost:{days - 1}"],
        "inputs": [{"path": "fleet.operations.failure_rate_multiplier", "values": steps}],
    }  # fmt: skip


def _timed(run: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = run()
    return time.perf_counter() - start, value


def _warm(executor: Any) -> None:
    """Import the engine and load its kernels on every worker (a tiny sweep)."""
    spec = _independent(2, 3, 2 * max(executor.workers, 1))
    hashshock.sweep(spec, executor, with_runs=False)


def bench_tornado(paths: int, days: int, workers: int, repeats: int) -> None:
    spec = _tornado(paths, days)
    _warm(InProcess())  # this process's kernels, loaded once
    _warm(Threads(workers))
    runs: dict[str, list[float]] = {"one at a time": [], "threads": []}
    results = []
    for _ in range(repeats):  # alternating, so the machine's load hits both alike
        for name, executor in (("one at a time", InProcess()), ("threads", Threads(workers))):
            seconds, result = _timed(lambda ex=executor: hashshock.sweep(spec, ex, with_runs=False))
            runs[name].append(seconds)
            results.append(result)
    points = len(results[0].points)
    here, threads = min(runs["one at a time"]), min(runs["threads"])
    print(f"tornado, {len(spec['inputs'])} inputs ({points} points), {paths} paths x {days} "
          f"days, one at a time in this process: {here:.1f} s (best of {repeats}: "
          f"{_list(runs['one at a time'])} s; {here / points:.2f} s a point)")  # fmt: skip
    print(f"tornado on {workers} threads in this process: {threads:.1f} s (best of "
          f"{repeats}: {_list(runs['threads'])} s)")  # fmt: skip

    def on_cluster() -> Any:
        with local_cluster(workers) as executor:
            return hashshock.sweep(spec, executor, with_runs=False)

    there, other = _timed(on_cluster)
    results.append(other)
    same = all([p.metrics for p in r.points] == [p.metrics for p in results[0].points]
               for r in results)  # fmt: skip
    print(f"tornado on a local Dask cluster of {workers} workers (start-up included): "
          f"{there:.1f} s; same numbers: {same}")  # fmt: skip
    times = {"one at a time": here, "threads": threads, "local cluster": there}
    best = min(times, key=times.__getitem__)
    print(f"tornado: fastest {best}; one at a time / threads {here / threads:.2f}x, "
          f"local cluster / threads {there / threads:.2f}x")  # fmt: skip


def _list(values: list[float]) -> str:
    return ", ".join(f"{v:.1f}" for v in values)


def bench_scaling(paths: int, days: int, points: int) -> None:
    spec = _independent(paths, days, points)
    seconds = {}
    for count in (1, 2):
        with local_cluster(count) as executor:
            _warm(executor)
            seconds[count], _ = _timed(
                lambda ex=executor: hashshock.sweep(spec, ex, with_runs=False)
            )
    tasks = points + 1  # each point one task of two engine runs, and the base point's
    bound = tasks / -(-tasks // 2)  # equal tasks in rounds of two
    print(f"scaling sweep ({points} independent points + the base: {tasks} tasks of two "
          f"engine runs each, {paths} paths x {days} days): 1 worker {seconds[1]:.1f} s, "
          f"2 workers {seconds[2]:.1f} s")  # fmt: skip
    print(f"two local workers do {seconds[1] / seconds[2]:.2f}x the work of one "
          f"(at most {bound:.2f}x for {tasks} equal tasks)")  # fmt: skip


def bench_overhead(tasks: int) -> None:
    here, _ = _timed(lambda: InProcess().map(abs, range(tasks)))
    with local_cluster(2) as executor:
        executor.map(abs, range(4))
        there, _ = _timed(lambda: executor.map(abs, range(tasks)))
    print(f"overhead per task: in this process {here / tasks * 1e6:.1f} us, on a local "
          f"cluster {there / tasks * 1e3:.2f} ms ({tasks} no-op tasks)")  # fmt: skip
    spec = _tornado(1, 1)
    spec["metrics"] = [m for m in spec["metrics"] if not m.startswith("stage_day")]
    hashshock.sweep(spec, with_runs=False)
    seconds, result = _timed(lambda: hashshock.sweep(spec, with_runs=False))
    print(f"sweep overhead per point (1 path x 1 day, in this process): "
          f"{seconds / len(result.points) * 1e3:.0f} ms")  # fmt: skip


def bench_compare(paths: int, days: int, workers: int, repeats: int) -> None:
    here, _ = _timed(lambda: hashshock.compare(MIDSIZE, SCENARIOS, paths, days, workers=1))
    there, _ = _timed(lambda: hashshock.compare(MIDSIZE, SCENARIOS, paths, days,
                                                workers=workers))  # fmt: skip
    faster = "in this process" if here <= there else "on the cluster"
    print(f"compare of {len(SCENARIOS)} scenarios, {paths} paths x {days} days: in this "
          f"process {here:.1f} s, on a local cluster of {workers} (start-up included) "
          f"{there:.1f} s: faster {faster}")  # fmt: skip
    # The simulations alone (best of ``repeats``, alternating): the compare's money and
    # markets come after them, one scenario at a time, whatever the executor.
    ready = prepare(MIDSIZE, SCENARIOS, days, None, paths)
    economies = [build_economy(m, scenario_market(ready.market, plan, paths, 0))
                 for m, plan in zip(ready.money, ready.plans, strict=True)]  # fmt: skip
    best = {"one at a time": float("inf"), "threads": float("inf")}
    for _ in range(repeats):
        for name, executor in (("one at a time", InProcess()), ("threads", Threads(workers))):
            seconds, _ = _timed(lambda ex=executor: simulate_many(ready.plans, paths, 0, ex,
                                                                  None, economies))  # fmt: skip
            best[name] = min(best[name], seconds)
    print(
        f"compare's {len(ready.plans)} simulations alone (best of {repeats}): one at a time "
        f"{best['one at a time']:.2f} s, on {workers} threads {best['threads']:.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--paths", type=int, default=1000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--scaling-paths", type=int, default=300)
    parser.add_argument("--scaling-points", type=int, default=15)
    parser.add_argument("--compare-paths", type=int, default=1000)
    parser.add_argument("--tasks", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    # the runs' notices (a stale market snapshot, a 1-day horizon's untested covenants)
    # say nothing of the timings
    warnings.simplefilter("ignore", HashshockWarning)
    bench_tornado(args.paths, args.days, args.workers, args.repeats)
    bench_scaling(args.scaling_paths, args.days, args.scaling_points)
    bench_overhead(args.tasks)
    bench_compare(args.compare_paths, args.days, args.workers, args.repeats)


if __name__ == "__main__":
    main()
