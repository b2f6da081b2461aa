"""The `bench/` scripts run end to end and print their figures (at toy sizes).

They are how `docs/performance.md`'s figures are produced; this keeps them from
rotting. No time is asserted: only that each script finishes and prints every line
it promises.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

SCRIPTS = {
    "bench_engine.py": (
        ["--paths", "20", "--days", "30", "--us-paths", "2", "--us-days", "30", "--repeats", "1"],
        ["midsize-public-miner / baseline", "midsize-public-miner / sanctions",
         "mid-size run incl. its baseline", "whole US (2,500,000 machines)", "threads"],
    ),
    "bench_validation.py": (
        ["--paths", "20", "--days", "30", "--reference-paths", "1", "--us-paths", "2",
         "--repeats", "1", "--probe-rounds", "10"],
        ["reference fleet / baseline", "reference fleet / sanctions", "× the floor", "faster",
         "threads: engine on the reference fleet", "× the work of one"],
    ),
    "bench_scaling.py": (
        ["--paths", "2", "--repeats", "1"],
        ["1000 cohorts", "4000 cohorts", "800 pools", "fit (wall clock)",
         "2,000 cohorts / 400 pools"],
    ),
}  # fmt: skip


@pytest.mark.parametrize("script", sorted(SCRIPTS))
def test_bench_script_runs_and_prints_its_figures(script: str) -> None:
    arguments, expected = SCRIPTS[script]
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), *arguments],
        capture_output=True, text=True, timeout=600, cwd=ROOT, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    for text in expected:
        assert text in done.stdout, f"{script} did not print {text!r}:\n{done.stdout}"
