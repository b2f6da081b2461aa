"""bench/bench_industry.py runs end to end and prints its figures (at toy sizes)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_industry_runs_and_prints_its_figures() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench_industry.py"), "--paths", "2",
         "--days", "10", "--scenarios", "baseline", "--passes", "2"],
        capture_output=True, text=True, timeout=600, cwd=ROOT, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    for text in ("simulated members", "coupled with 2 engine pass(es)", "coupled:",
                 "uncoupled:", "coupled / uncoupled:", "peak resident memory"):  # fmt: skip
        assert text in done.stdout, done.stdout
