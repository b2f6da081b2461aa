"""bench/bench_sweep.py runs end to end at toy sizes and prints every figure it promises
(no time is asserted; docs/performance.md has the real figures)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINES = (
    "tornado, 20 inputs (41 points)",
    "tornado on 2 threads in this process",
    "tornado on a local Dask cluster of 2 workers (start-up included)",
    "same numbers: True",
    "tornado: fastest",
    "two local workers do",
    "x the work of one",
    "overhead per task: in this process",
    "sweep overhead per point",
    "compare of 4 scenarios",
    "compare's 4 simulations alone (best of 1)",
)


def test_bench_sweep_prints_its_figures() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench_sweep.py"), "--paths", "4", "--days", "20",
         "--scaling-paths", "4", "--scaling-points", "4", "--compare-paths", "4",
         "--tasks", "10", "--repeats", "1"],
        capture_output=True, text=True, timeout=600, cwd=ROOT, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    for line in LINES:
        assert line in done.stdout, f"missing {line!r}:\n{done.stdout}"
