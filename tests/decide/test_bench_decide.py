"""bench/bench_decide.py runs end to end at a toy size and prints its figures (no time is
asserted: the script prints what it measured)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_decide_prints_its_figures() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench_decide.py"), "--paths", "12", "--days", "30"],
        capture_output=True, text=True, timeout=600, cwd=ROOT, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    for text in ("optimise: midsize-public-miner / sanctions, 28 pools",
                 "strategies: 7 strategies × 12 paths × 30 days"):  # fmt: skip
        assert text in done.stdout, done.stdout
