"""A run refused for memory states the limit it was held to: a share of the memory
available (:data:`hashshock.sizing.MEMORY_HEADROOM`), so an estimate below the memory
available is never refused without saying why."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from tests.conftest import EXAMPLES
from typer.testing import CliRunner

import hashshock.sizing
from hashshock.cli.app import app
from hashshock.inputs.errors import InputError
from hashshock.inputs.load import load_fleet
from hashshock.prepare import estimate_for

SMALL = EXAMPLES / "small-farm" / "fleet.yaml"
GIB = 2**30


def _gib(said: str) -> float:
    return float(said.replace(",", ""))


def test_a_refusal_below_the_memory_available_states_the_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    paths = 1_000_000
    needed = estimate_for(load_fleet(SMALL), 1, paths, 365).bytes
    # Between the limit (80 %) and all of it: the case that read as refused for nothing.
    monkeypatch.setattr(hashshock.sizing, "available_bytes", lambda: int(needed / 0.9))
    result = CliRunner().invoke(app, ["run", str(SMALL), "-n", str(paths)])
    assert result.exit_code == 2, result.output
    message = " ".join(result.output.split())
    found = re.search(
        r"needs an estimated ([\d,.]+) GiB .* more than the ([\d,.]+) GiB a run may use "
        r"\((\d+)% of the ([\d,.]+) GiB of memory available\)",
        message,
    )
    assert found is not None, message
    estimate, limit, share, available = found.groups()
    assert _gib(limit) < _gib(estimate) < _gib(available)
    assert int(share) == round(100 * hashshock.sizing.MEMORY_HEADROOM)
    assert _gib(limit) == pytest.approx(_gib(available) * int(share) / 100, abs=0.1)


def test_the_limit_is_the_one_compared_against() -> None:
    from hashshock.sizing import check_fits, estimate_run

    run = estimate_run(1, 10_000, 365, 3, 4)
    check_fits(run, available=int(run.bytes / hashshock.sizing.MEMORY_HEADROOM) + 1)
    with pytest.raises(InputError) as caught:
        check_fits(run, available=int(run.bytes / hashshock.sizing.MEMORY_HEADROOM) - 1)
    assert caught.value.field == "--paths" and "a run may use" in caught.value.problem


def _big_spec(tmp_path: Path) -> Path:
    """A tornado spec on the small farm too large for 1 GiB: 200,000 paths × 1,000 days."""
    spec = tmp_path / "big.yaml"
    spec.write_text(
        f"name: big\nbase: {{fleet: {SMALL}, scenario: sanctions}}\nmethod: tornado\n"
        "paths: 200000\nhorizon_days: 1000\nmetrics: [availability:99]\n"
        "inputs:\n  - {path: 'fleet.sites[farm].technicians', low: 1, high: 3}\n",
        encoding="utf-8",
    )
    return spec


def test_a_sweep_spec_refused_for_memory_names_the_spec_and_its_fields(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hashshock.sizing, "available_bytes", lambda: GIB)
    spec = _big_spec(tmp_path)
    result = CliRunner().invoke(app, ["sweep", str(spec)])
    assert result.exit_code == 2, result.output
    message = " ".join(result.output.split())
    assert message.startswith(f"error: {spec}: paths, horizon_days: the run needs")
    assert "fewer paths: or a shorter horizon_days: in the spec" in message
    assert "--paths" not in message and "--horizon" not in message
    # --paths given on the command line is named as given
    result = CliRunner().invoke(app, ["sweep", str(spec), "--paths", "100000"])
    message = " ".join(result.output.split())
    assert result.exit_code == 2 and message.startswith(f"error: {spec}: --paths: the run needs")
    assert "fewer --paths or a shorter horizon_days: in the spec" in message


def test_the_python_sweep_refuses_a_spec_too_large_before_any_point_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``hashshock.sweep`` checks the size as the command line's survey does: the same
    refusal, from Python, before a point is laid out."""
    monkeypatch.setattr(hashshock.sizing, "available_bytes", lambda: GIB)
    spec = _big_spec(tmp_path)
    with pytest.raises(InputError) as caught:
        hashshock.sweep(spec)
    assert caught.value.field == "paths, horizon_days" and "the run needs" in caught.value.problem


def test_validate_refuses_what_run_would_refuse_for_memory_before_building_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A fleet of 300,000 cohorts took `validate` 36 s and 9 GB to say "ok" (and a million
    rows died allocating 10.9 GiB) where `run` refuses it: validate checks a run of
    --paths (1,000 by default) against the memory available, before compiling."""
    needed = estimate_for(load_fleet(SMALL), 2, 1000, 365).bytes
    monkeypatch.setattr(hashshock.sizing, "available_bytes", lambda: int(needed / 2))
    refused = CliRunner().invoke(app, ["validate", str(SMALL)])
    assert refused.exit_code == 2 and "--paths: the run needs an estimated" in refused.output
    fits = CliRunner().invoke(app, ["validate", str(SMALL), "--paths", "100"])
    assert fits.exit_code == 0, fits.output
    bad = CliRunner().invoke(app, ["validate", str(SMALL), "--paths", "0"])
    assert bad.exit_code == 2 and "paths" in bad.output
