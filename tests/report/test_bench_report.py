"""bench/bench_report.py runs end to end at toy sizes and prints every figure it promises
(no time is asserted)."""

from __future__ import annotations

import shutil
import subprocess
import sys

from tests.report.conftest import ROOT


def test_bench_report_prints_its_figures() -> None:
    args = ["--paths", "20", "--days", "40", "--dashboard-paths", "20", "--repeats", "1"]
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "bench_report.py"), *args],
                          capture_output=True, text=True, timeout=600, cwd=ROOT)  # fmt: skip
    assert done.returncode == 0, done.stderr
    for line in ("simulation", "report adds", "report file", "dashboard"):
        assert line in done.stdout, line
    if shutil.which("chromium"):
        assert "click to chart" in done.stdout
