"""A run's memory is estimated before the work (hashshock.sizing) and too large a run is
refused with the estimate and the fix; the estimate is checked against the peak that
tracemalloc measures (numpy reports its allocations to it)."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import EXAMPLES, small_fleet
from typer.testing import CliRunner

import hashshock
from hashshock.cli.app import app
from hashshock.inputs.errors import InputError
from hashshock.inputs.load import fleet_from_mapping, load_fleet
from hashshock.prepare import estimate_for
from hashshock.sizing import check_fits, estimate_run


def _many_cohorts(n: int) -> dict[str, Any]:
    cohorts = [
        {"model": "antminer-s21", "count": 3, "site": "a",
         "install_date": f"202{3 + i % 3}-0{1 + i % 9}-1{i % 9}"}
        for i in range(n)
    ]  # fmt: skip
    return {"start_date": "2026-01-01", "sites": [{"name": "a"}], "cohorts": cohorts}


@pytest.mark.parametrize(
    ("fleet", "paths", "days"),
    [("midsize", 300, 120), ("cohorts", 40, 90)],
)
def test_the_estimate_bounds_the_measured_peak(fleet: str, paths: int, days: int) -> None:
    loaded = (
        load_fleet(EXAMPLES / "midsize-public-miner" / "fleet.yaml")
        if fleet == "midsize"
        else fleet_from_mapping(_many_cohorts(2000))
    )
    hashshock.run(loaded, "baseline", paths=4, horizon_days=4)  # compiled kernels, caches
    tracemalloc.start()
    try:
        hashshock.compare(loaded, ["baseline", "sanctions"], paths=paths, horizon_days=days)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    estimate = estimate_for(loaded, 2, paths, days).bytes
    assert 0.9 * peak <= estimate <= 2.0 * peak, (estimate, peak)


def test_estimates_grow_with_each_size() -> None:
    base = estimate_run(2, 100, 365, 50, 20)
    for bigger in (
        estimate_run(3, 100, 365, 50, 20), estimate_run(2, 200, 365, 50, 20),
        estimate_run(2, 100, 730, 50, 20), estimate_run(2, 100, 365, 500, 20),
    ):  # fmt: skip
        assert bigger.bytes > base.bytes and bigger.seconds > base.seconds


def test_a_run_that_cannot_fit_is_refused_with_the_estimate_and_the_fix() -> None:
    huge = estimate_run(2, 100, 365, 200_000, 4)
    with pytest.raises(InputError) as caught:
        check_fits(huge, available=8 * 2**30)
    message = caught.value.message
    assert "200,000 cohorts" in message and "GiB" in message and "fewer paths" in message
    check_fits(estimate_run(2, 100, 365, 50, 20), available=8 * 2**30)  # fits: no error


def test_the_cli_refuses_before_building_anything(
    write_yaml: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import hashshock.sizing

    monkeypatch.setattr(hashshock.sizing, "available_bytes", lambda: 2**20)
    fleet = write_yaml(small_fleet(), "fleet.yaml")
    result = CliRunner().invoke(app, ["run", str(fleet), "-n", "5000"])
    assert result.exit_code == 2 and "memory available" in result.output


MIDSIZE = str(EXAMPLES / "midsize-public-miner" / "fleet.yaml")


@pytest.mark.parametrize(
    "args",
    [
        ["run", MIDSIZE, "-n", "5000"],
        ["run", MIDSIZE, "-n", "50000000"],
        ["run", MIDSIZE, "--horizon", "5000"],
        ["compare", MIDSIZE, "-n", "200000"],
        ["breakpoint", MIDSIZE, "-c", "no-such-covenant"],
        ["breakpoint", MIDSIZE, "-c", "dscr", "-n", "0"],
        ["breakpoint", MIDSIZE, "-c", "dscr", "-n", "1000000", "--horizon", "1098"],
        ["sweep", str(EXAMPLES / "sweeps" / "tornado.yaml"), "-n", "1000000"],
    ],
)
def test_a_refused_run_prints_its_error_alone(
    args: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Arguments and memory are checked before anything is announced: no note of the run's
    size, no warning about its inputs (the mid-size example starts long after the bundled
    market snapshot, which draws a warning in a run that gets that far), one line."""
    import hashshock.sizing

    monkeypatch.setattr(hashshock.sizing, "available_bytes", lambda: 2**30)
    result = CliRunner().invoke(app, args)
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exit_code == 2 and len(lines) == 1 and lines[0].startswith("error:"), lines


def test_the_breakpoint_search_refuses_a_run_that_cannot_fit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """From Python too: the first evaluation is refused before anything is simulated."""
    import hashshock.sizing
    from hashshock.breakpoint import find_breakpoint

    monkeypatch.setattr(hashshock.sizing, "available_bytes", lambda: 2**30)
    with pytest.raises(InputError, match="memory available"):
        find_breakpoint(MIDSIZE, "dscr", paths=1_000_000, horizon_days=1098)


def test_a_sweep_s_points_run_at_once_must_fit_together(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two points on two threads (or two local workers) are in memory together: a sweep
    whose one point fits but whose two do not is refused before anything runs, saying
    so; on one thread, or a cluster's scheduler (the workers' own memory), it is not."""
    import hashshock.sizing
    from hashshock.execution import Threads
    from hashshock.execution.choose import at_once_here
    from hashshock.sweep.run import survey, sweep

    spec = EXAMPLES / "sweeps" / "tornado.yaml"
    one = survey(spec, paths=50).estimate
    two = survey(spec, paths=50, at_once=2).estimate
    assert (one.at_once, two.at_once) == (1, 2) and two.bytes == 2 * one.bytes
    assert "for the 2 points run at once" in two.describe()
    # Memory for one point and a half: one at a time fits, two at once do not.
    room = int(1.5 * one.bytes / hashshock.sizing.MEMORY_HEADROOM)
    monkeypatch.setattr(hashshock.sizing, "available_bytes", lambda: room)
    survey(spec, paths=50, at_once=1)
    with pytest.raises(InputError, match="for the 2 points run at once"):
        survey(spec, paths=50, at_once=2)
    with pytest.raises(InputError, match="for the 2 points run at once"):
        sweep(spec, executor=Threads(2), paths=50)
    assert at_once_here(None, workers=3) == 3
    assert at_once_here(None, scheduler="tcp://127.0.0.1:1", threads=2) == 1
    assert at_once_here(Threads(2)) == 2 and at_once_here(None, threads=2) == 2
    monkeypatch.setattr("hashshock.execution.choose.cores", lambda: 2)  # the command's threads
    result = CliRunner().invoke(app, ["sweep", str(spec), "-n", "50", "-q"])
    assert result.exit_code == 2 and "for the 2 points run at once" in result.output
    assert "fix: run one point at a time (--workers 1" in " ".join(result.output.split())
    # no room for even one point: one at a time cannot help, and is not offered
    monkeypatch.setattr(hashshock.sizing, "available_bytes", lambda: room // 3)
    result = CliRunner().invoke(app, ["sweep", str(spec), "-n", "50", "-q"])
    assert result.exit_code == 2 and "one point at a time" not in " ".join(result.output.split())
    assert "fewer --paths" in " ".join(result.output.split())
