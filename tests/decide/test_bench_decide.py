"""bench/bench_decide.py runs end to end at a toy size and prints its figures (no time is
asserted: the script prints what it measured)."""

from __future__ import annotations

import re
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
    assert "optimise: midsize-public-miner / sanctions, 28 pools" in done.stdout, done.stdout
    # every built-in strategy and two user files: at least the seven
    counted = re.search(r"strategies: (\d+) strategies × 12 paths × 30 days", done.stdout)
    assert counted is not None and int(counted.group(1)) >= 7, done.stdout
