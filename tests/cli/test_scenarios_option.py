"""``--scenarios`` given again adds scenarios; it never silently replaces the ones before."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from tests.conftest import small_fleet
from typer.testing import CliRunner

from hashshock.cli.app import app
from hashshock.cli.report import scenario_names
from hashshock.inputs.errors import InputError

runner = CliRunner()


def test_repeats_and_commas_give_the_same_names() -> None:
    assert scenario_names(["baseline", "customs-2024,sanctions"]) == [
        "baseline", "customs-2024", "sanctions",
    ]  # fmt: skip
    assert scenario_names("baseline,sanctions") == scenario_names(["baseline", "sanctions"])
    with pytest.raises(InputError, match="empty name"):
        scenario_names(["baseline", ""])


def test_compare_runs_every_repeated_scenario(tmp_path: Path) -> None:
    fleet = tmp_path / "fleet.yaml"
    fleet.write_text(yaml.safe_dump(small_fleet(), sort_keys=False), encoding="utf-8")
    out = tmp_path / "compare.json"
    result = runner.invoke(
        app, ["compare", str(fleet), "-s", "baseline", "-s", "customs-2024", "-n", "8",
              "--horizon", "30", "--json", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    names = [run["scenario"] for run in json.loads(out.read_text())["scenarios"]]
    assert names == ["baseline", "customs-2024"]
