"""Start-up time of the command line and the package, against the 0.5 s target; and
``hashshock run`` end to end against the engine's own time for the same work (1.5×).

Each command runs in a fresh interpreter (a subprocess), as a user would run it;
the wall time from start to exit is measured with ``time.perf_counter`` and the
best and median of ``--runs`` runs are printed with the ratio of the best to the
target (below 1.0 meets it). ``python -c pass`` is the floor: the interpreter
alone.

The second table runs ``hashshock run`` of the mid-size example under ``sanctions``
(1,000 paths × 365 days, JSON to a temporary file) in a fresh interpreter, and, in this
process after a warm-up, ``hashshock.engine.simulate`` of the same two plans (baseline
and sanctions, each with its money steering as ``run`` builds it): the ratio of the
best times is the command's cost beyond the engine's own work. Then the part of that
cost no change to the command can remove, in a fresh interpreter: importing numpy and
numba, and the first call of the engine (a 1-path, 1-day run of the same plans), which
starts numba and loads the compiled kernels from their cache; with the engine's time it
bounds the ratio from below for a command that starts a new process.

Then the same commands with a ``hashshock daemon`` running (started in a temporary folder
for the bench and stopped after): each command is handed to the resident process, which
has the libraries and kernels loaded, and runs in a child of it.

Public tools only: ``python bench/bench_startup.py [--runs N] [--run-runs N]``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FLEET = ROOT / "examples" / "midsize-public-miner" / "fleet.yaml"
TARGET_S = 0.5


def hashshock_command() -> list[str]:
    """The installed ``hashshock`` entry point next to this Python, or the same via ``-c``."""
    script = Path(sys.executable).with_name("hashshock")
    if script.exists():
        return [str(script)]
    found = shutil.which("hashshock")
    if found:
        return [found]
    return [sys.executable, "-c", "import sys; from hashshock.cli.entry import main; main()"]


def cases() -> list[tuple[str, list[str]]]:
    cli = hashshock_command()
    return [
        ("python -c pass (floor)", [sys.executable, "-c", "pass"]),
        ('python -c "import hashshock"', [sys.executable, "-c", "import hashshock"]),
        ("hashshock --help", [*cli, "--help"]),
        ("hashshock run --help", [*cli, "run", "--help"]),
        (f"hashshock validate {FLEET.relative_to(ROOT)}", [*cli, "validate", str(FLEET)]),
    ]


def time_once(
    argv: list[str], warm_up: bool = False, extra_env: dict[str, str] | None = None
) -> float:
    """Wall time of one run of ``argv``. A warm-up run writes the bytecode caches
    (``__pycache__``) even where ``PYTHONDONTWRITEBYTECODE`` is set, as installing the
    package does: the timed runs then measure start-up, not compiling the sources."""
    env = {**os.environ, "COLUMNS": "100", **(extra_env or {})}
    if warm_up:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace")
        raise SystemExit(f"{' '.join(argv)} exited with {done.returncode}:\n{message}")
    return seconds


def engine_seconds(paths: int, days: int, runs: int) -> list[float]:
    """Times of the engine alone on the plans ``hashshock run`` simulates."""
    from hashshock.api import simulate_prepared
    from hashshock.engine import simulate
    from hashshock.finance.scenario_money import scenario_market
    from hashshock.finance.steering import build_economy
    from hashshock.prepare import prepare

    prepared = prepare(FLEET, ["sanctions"], days, None, paths)
    simulate_prepared(prepare(FLEET, ["sanctions"], 30, None, 10), 10, 0)  # compile / load
    economies = [
        build_economy(money, scenario_market(prepared.market, plan, paths, 0, None))
        for plan, money in zip(prepared.plans, prepared.money, strict=True)
    ]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        for plan, economy in zip(prepared.plans, economies, strict=True):
            simulate(plan, paths, 0, None, economy)
        times.append(time.perf_counter() - start)
    return times


#: Run in a fresh interpreter: seconds to import numpy, numba, then the first engine call.
ENGINE_START = """
import json, sys, time
start = time.perf_counter()
import numpy
numpy_done = time.perf_counter()
import numba
numba_done = time.perf_counter()
from hashshock.api import simulate_prepared
from hashshock.prepare import prepare
prepared = prepare(sys.argv[1], ["sanctions"], 1, None, 1)
ready = time.perf_counter()
simulate_prepared(prepared, 1, 0)
print(json.dumps([numpy_done - start, numba_done - numpy_done, time.perf_counter() - ready]))
"""


def engine_start(runs: int) -> list[float]:
    """Seconds a fresh interpreter takes to import numpy, to import numba, and for the
    first engine call (the run of ``runs`` with the least in total)."""
    argv = [sys.executable, "-c", ENGINE_START, str(FLEET)]
    time_once(argv, warm_up=True)
    found = []
    for _ in range(runs):
        done = subprocess.run(argv, cwd=ROOT, capture_output=True, check=True, text=True)
        found.append(json.loads(done.stdout.splitlines()[-1]))
    return min(found, key=sum)


def run_command_times(
    runs: int, paths: int, days: int, extra_env: dict[str, str] | None = None
) -> list[float]:
    """Times of ``hashshock run`` of the mid-size example under sanctions, JSON to a file."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        argv = [*hashshock_command(), "run", str(FLEET), "--scenario", "sanctions",
                "--paths", str(paths), "--horizon", str(days), "-q",
                "--json", str(Path(folder) / "out.json")]  # fmt: skip
        time_once(argv, warm_up=True, extra_env=extra_env)
        return [time_once(argv, extra_env=extra_env) for _ in range(runs)]


def run_against_engine(runs: int, paths: int = 1000, days: int = 365) -> None:
    command = run_command_times(runs, paths, days, {"HASHSHOCK_DAEMON": "off"})
    engine = engine_seconds(paths, days, runs)
    print(f"\nhashshock run mid-size / sanctions, {paths:,} paths x {days} days, {runs} runs:")
    print(f"  end to end best {min(command):.2f} s (median {statistics.median(command):.2f}); "
          f"engine alone (baseline + sanctions) best {min(engine):.2f} s "
          f"(median {statistics.median(engine):.2f}); "
          f"ratio of the best {min(command) / min(engine):.2f} (target 1.5)")  # fmt: skip
    numpy_s, numba_s, first_s = engine_start(runs)
    floor = numpy_s + numba_s + first_s
    print(f"  in a fresh interpreter: import numpy {numpy_s:.2f} s, import numba {numba_s:.2f} s, "
          f"first engine call (numba's start, kernels from the cache) {first_s:.2f} s; "
          f"with the engine's time a floor of {(min(engine) + floor) / min(engine):.2f} "
          "for the ratio")  # fmt: skip


def with_daemon(runs: int, run_runs: int, paths: int = 1000, days: int = 365) -> None:
    """The commands again, each handed to a ``hashshock daemon`` started for the bench;
    the engine alone timed just after, for the ratio."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="hsb-", dir="/tmp") as folder:
        env = {"HASHSHOCK_DAEMON_DIR": str(Path(folder) / "d"), "HASHSHOCK_DAEMON": "on"}
        start = time.perf_counter()
        time_once([*hashshock_command(), "daemon", "start", "--idle", "30"], extra_env=env)
        started = time.perf_counter() - start
        try:
            print(f"\nwith `hashshock daemon` running (started in {started:.2f} s):")
            print_cases(runs, env)
            command = run_command_times(run_runs, paths, days, env)
        finally:
            time_once([*hashshock_command(), "daemon", "stop"], extra_env=env)
    engine = engine_seconds(paths, days, run_runs)
    print(f"  run mid-size / sanctions, {paths:,} x {days}: end to end best "
          f"{min(command):.2f} s (median {statistics.median(command):.2f}); engine alone best "
          f"{min(engine):.2f} s; ratio of the best {min(command) / min(engine):.2f} "
          "(target 1.5)")  # fmt: skip


def print_cases(runs: int, extra_env: dict[str, str] | None = None) -> None:
    """Best and median wall time of each of :func:`cases`, against the 0.5 s target."""
    print(f"{'command':<58} {'best s':>7} {'median s':>9} {'best/0.5 s':>10}")
    for label, argv in cases():
        time_once(argv, warm_up=True, extra_env=extra_env)  # not counted
        times = [time_once(argv, extra_env=extra_env) for _ in range(runs)]
        best, median = min(times), statistics.median(times)
        print(f"{label:<58} {best:>7.3f} {median:>9.3f} {best / TARGET_S:>10.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="runs of each command (default 7)")
    parser.add_argument("--run-runs", type=int, default=3, help="runs of `run` (default 3)")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    print(f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}, best of {args.runs} runs")
    print("each command in a fresh process (HASHSHOCK_DAEMON=off):")
    print_cases(args.runs, {"HASHSHOCK_DAEMON": "off"})
    run_against_engine(args.run_runs)
    with_daemon(args.runs, args.run_runs)


if __name__ == "__main__":
    main()
