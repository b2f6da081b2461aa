"""A reader that closes standard output before the summary is printed does not cost the
files the command was asked to write."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import EXAMPLES


def test_files_are_written_when_the_reader_of_the_summary_has_left(tmp_path: Path) -> None:
    """Standard output is a pipe whose reader is gone before the command writes a byte
    (``| head -0``): every write to it fails, yet the JSON and the report are written,
    nothing is said about the pipe, and the command ends with 0."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader left
    fleet = str(EXAMPLES / "small-farm" / "fleet.yaml")
    argv = [sys.executable, "-c", "from hashshock.cli.entry import main; main()", "compare",
            fleet, "--scenarios", "baseline,sanctions", "--paths", "5", "--horizon", "30",
            "--json", "out.json", "--report", "out.html"]  # fmt: skip
    env = {**os.environ, "HASHSHOCK_DAEMON": "off"}
    try:
        done = subprocess.run(argv, cwd=tmp_path, env=env, stdout=write_end,
                              stderr=subprocess.PIPE, text=True, timeout=600)  # fmt: skip
    finally:
        os.close(write_end)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr and "Broken pipe" not in done.stderr
    scenarios = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))["scenarios"]
    assert [s["scenario"] for s in scenarios] == ["baseline", "sanctions"]
    assert (tmp_path / "out.html").stat().st_size > 0
