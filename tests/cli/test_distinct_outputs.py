"""Two outputs of one command are never one file: the one written last would silently
replace the other. Every command with several output paths refuses them before any work
(:func:`hashshock.outputs.check_distinct_outputs`)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from tests.conftest import EXAMPLES, small_fleet
from typer.testing import CliRunner

from hashshock.cli.app import app
from hashshock.inputs.errors import InputError
from hashshock.outputs import check_distinct_outputs

runner = CliRunner()
SMALL = str(EXAMPLES / "small-farm" / "fleet.yaml")
QUICK = ["-n", "5", "--horizon", "30"]


def test_the_same_file_under_two_spellings_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "out.html"
    link = tmp_path / "link.html"
    target.write_text("kept", encoding="utf-8")
    os.symlink(target, link)
    for other in (tmp_path / "sub" / ".." / "out.html", link):
        with pytest.raises(InputError) as caught:
            check_distinct_outputs(("--json", target), ("--report", other))
        assert caught.value.field == "--report" and "also the --json output" in caught.value.problem
    # not asked for, or stdout, is never a clash; different files are fine
    check_distinct_outputs(("--json", "-"), ("--report", "-"), ("--store", None), ("--x", None))
    check_distinct_outputs(("--json", tmp_path / "a.json"), ("--report", target))


def _sweep_spec(tmp_path: Path) -> Path:
    fleet = tmp_path / "fleet.yaml"
    fleet.write_text(yaml.safe_dump(small_fleet()), encoding="utf-8")
    spec = {
        "name": "t", "base": {"fleet": str(fleet), "scenario": "sanctions"},
        "method": "tornado", "paths": 5, "horizon_days": 30, "seed": 0,
        "metrics": ["availability:29"],
        "inputs": [{"path": "fleet.sites[a].technicians", "low": 1, "high": 3}],
    }  # fmt: skip
    path = tmp_path / "sweep.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "command",
    [
        ["run", SMALL, *QUICK],
        ["compare", SMALL, "-s", "baseline,sanctions", *QUICK],
        ["optimise", SMALL, *QUICK],
        ["strategies", SMALL, *QUICK],
        ["industry", "-n", "5", "--horizon", "30"],
        ["sweep", "SPEC"],
    ],
)
def test_json_and_report_to_one_file_are_refused(tmp_path: Path, command: list[str]) -> None:
    same = tmp_path / "same.html"
    args = [str(_sweep_spec(tmp_path)) if a == "SPEC" else a for a in command]
    result = runner.invoke(app, [*args, "--json", str(same), "--report", str(same)])
    assert result.exit_code == 2, result.output
    assert "--report: is also the --json output" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not same.exists()


def test_json_onto_the_run_store_is_refused(tmp_path: Path) -> None:
    store = tmp_path / "runs.duckdb"
    result = runner.invoke(
        app, ["run", SMALL, *QUICK, "--json", str(store), "--save", "--store", str(store)]
    )
    assert result.exit_code == 2 and "--store: is also the --json output" in result.output
    assert not store.exists()


def test_a_saved_sweep_rerendered_refuses_one_file_for_both(tmp_path: Path) -> None:
    saved = tmp_path / "sweep.json"
    done = runner.invoke(app, ["sweep", str(_sweep_spec(tmp_path)), "--json", str(saved)])
    assert done.exit_code == 0, done.output
    same = tmp_path / "again.html"
    result = runner.invoke(app, ["sweep", str(saved), "--json", str(same), "--report", str(same)])
    assert result.exit_code == 2 and "also the --json output" in result.output
    assert not same.exists()


def test_fit_audit_and_scan_refuse_one_file_for_two_outputs(tmp_path: Path) -> None:
    same = tmp_path / "same.out"
    log = str(EXAMPLES / "small-farm" / "repairs.csv")
    fit = ["fit", log, "--as-of", "2026-11-30", "--out", str(same), "--json", str(same)]
    fleet = tmp_path / "same.yaml"  # (what a scenario or a fleet file may be named)
    audit = ["audit", SMALL, "--scenario-out", str(fleet), "--json", str(fleet)]
    scan = ["scan", "127.0.0.1", "--out", str(fleet), "--json", str(fleet)]
    inventory = ["scan", "127.0.0.1", "--out", str(fleet), "--inventory", str(fleet)]
    for args, said in ((fit, "--json: is also the --out output"),
                       (audit, "--json: is also the --scenario-out output"),
                       (scan, "--json: is also the --out output"),
                       (inventory, "--inventory: is also the --out output")):  # fmt: skip
        result = runner.invoke(app, args)
        assert result.exit_code == 2 and said in result.output, (args, result.output)
        assert not same.exists() and not fleet.exists()
    for args in (["audit", SMALL, "--scenario-out", str(tmp_path / "package.json")],
                 ["scan", "127.0.0.1", "--out", str(tmp_path / "package.json")]):  # fmt: skip
        result = runner.invoke(app, args)  # a YAML file hashshock reads back, by its name
        assert result.exit_code == 2 and "name the file with .yaml or .yml" in result.output
