"""Ctrl-C stops a command at once: one line, exit code 130, no file and no process left.

SIGINT is sent at moments spread over a run's life (start-up, loading, simulating,
money), in a real subprocess. The waits below only catch a hang; no speed is asserted.
The earliest moment is 0.15 s: in the first few milliseconds the interpreter itself is
still starting, before any of hashshock's code can handle the signal.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tests.conftest import EXAMPLES

HASHSHOCK = Path(sys.executable).with_name("hashshock")
MID = EXAMPLES / "midsize-public-miner" / "fleet.yaml"


def _processes_mentioning(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if marker.encode() in cmdline:
            found.append(int(entry.name))
    return found


def ctrl_c_after(
    command: list[str], delay: float, env: dict[str, str], cwd: Path | None = None
) -> None:
    """Start ``command``, press Ctrl-C (SIGINT) after ``delay`` seconds, and check that
    it exits at once with code 130 and one line, no traceback (skips if it ended first)."""
    proc = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=cwd
    )
    time.sleep(delay)
    sent = time.monotonic()
    if proc.poll() is not None:
        pytest.skip("the run ended before the signal")
    proc.send_signal(signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=20)  # a hang detector, not a speed test
    except subprocess.TimeoutExpired:
        proc.kill()
        raise AssertionError(f"no exit {time.monotonic() - sent:.1f} s after Ctrl-C") from None
    assert proc.returncode == 130, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert sum("interrupted" in line for line in lines) == 1, err
    assert "Traceback" not in err


@pytest.mark.skipif(not HASHSHOCK.exists(), reason="the hashshock console script is not installed")
@pytest.mark.parametrize("delay", [0.15, 0.4, 1.2, 2.5, 4.0, 6.0])
def test_ctrl_c_stops_cleanly(tmp_path: Path, delay: float) -> None:
    out = tmp_path / "result.json"
    command = [str(HASHSHOCK), "compare", str(MID), "-s", "baseline,sanctions",
               "-n", "4000", "--json", str(out)]  # fmt: skip
    ctrl_c_after(command, delay, {**os.environ, "COLUMNS": "100"})
    assert list(tmp_path.iterdir()) == []  # no result, no temporary file
    assert _processes_mentioning(str(out)) == []  # no worker left behind
