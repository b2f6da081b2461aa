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


def test_a_page_sent_to_standard_output_is_the_page_alone(tmp_path: Path) -> None:
    """``--out /dev/stdout`` redirected to a file: the file is the page, whole, and the
    "wrote" line goes to standard error (on stdout it overwrote the page's first bytes);
    ``strategies --json - --report`` likewise keeps its JSON parseable, and ``fit --out
    /dev/stdout`` its CSV."""
    fleet = str(EXAMPLES / "small-farm" / "fleet.yaml")
    env = {**os.environ, "HASHSHOCK_DAEMON": "off"}
    main = [sys.executable, "-c", "from hashshock.cli.entry import main; main()"]
    page = tmp_path / "page.html"
    with page.open("wb") as handle:
        done = subprocess.run([*main, "report", fleet, "--paths", "5", "--horizon", "30",
                               "--out", "/dev/stdout"], cwd=tmp_path, env=env, stdout=handle,
                              stderr=subprocess.PIPE, text=True, timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    assert "wrote /dev/stdout (2 runs)" in done.stderr
    done = subprocess.run([*main, "strategies", fleet, "-s", "sanctions", "--paths", "5",
                           "--horizon", "30", "--json", "-", "--report", "r.html"],
                          cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout)["strategies"][0]["name"] == "do-nothing"
    assert "wrote r.html" in done.stderr
    # fit's CSV to /dev/stdout: the CSV alone (its table overwrote it), notes on stderr
    rates = tmp_path / "rates.csv"
    log = str(EXAMPLES / "small-farm" / "repairs.csv")
    with rates.open("wb") as handle:
        done = subprocess.run([*main, "fit", log, "--as-of", "2026-11-30", "--out",
                               "/dev/stdout"], cwd=tmp_path, env=env, stdout=handle,
                              stderr=subprocess.PIPE, text=True, timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    lines = rates.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("part,applies_to,weibull_shape") and len(lines) > 1
    assert all(line.count(",") >= 4 for line in lines) and "note:" in done.stderr
