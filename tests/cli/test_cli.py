"""The CLI end to end: JSON contract, compare, listings, schema, atomic output."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from tests.conftest import EXAMPLES
from typer.testing import CliRunner

from hashshock.cli.app import app

runner = CliRunner()
SMALL = str(EXAMPLES / "small-farm" / "fleet.yaml")


def test_run_json_contract(tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    result = runner.invoke(
        app, ["run", SMALL, "-s", "sanctions", "-n", "40", "--horizon", "90", "--seed", "4",
              "--json", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    for key in ("scenario", "paths", "horizon_days", "seed", "start_date", "version"):
        assert key in data
    assert data["paths"] == 40 and data["horizon_days"] == 90 and data["seed"] == 4
    assert data["fleet"]["machines"] == 500
    daily = data["daily"]
    for key in ("hashrate_ths", "availability"):
        assert set(daily[key]) == {"p5", "p50", "p95"}
        assert all(len(v) == 90 for v in daily[key].values())
        assert all(a <= b <= c for a, b, c in zip(*daily[key].values(), strict=True))
    assert set(daily["spares_on_hand"]) == {"hashboard", "fan", "psu", "control_board"}
    assert len(daily["spares_on_hand"]["fan"]["p50"]) == 90
    assert set(daily["machines_down"]) == {
        "waiting_for_part",
        "in_repair",
        "held_at_customs",
        "disabled",
        "waiting_for_technician",
        "switched_off",
    }
    assert set(data["stages"]) == {"customs_delay", "spares_depleted", "hashrate_decline"}
    for stage in data["stages"].values():
        assert set(stage) == {"probability", "day_p10", "day_p50", "day_p90"}
    parts = {row["part"] for row in data["first_to_break"]}
    assert parts == {"hashboard", "fan", "psu", "control_board"}
    assert sum(r["probability_first"] for r in data["first_to_break"]) <= 1.0 + 1e-9
    assert len(data["manifest"]["inputs_sha256"]) == 64


@pytest.mark.parametrize(("paths", "horizon"), [(1, 30), (2, 1), (1, 1)])
def test_one_path_or_one_day_runs_and_reports(tmp_path: Path, paths: int, horizon: int) -> None:
    """The smallest sizes the options take: the bands of one path are that path, each
    day's p5 = p50 = p95, and the report draws them."""
    sizes = ["-s", "sanctions", "-n", str(paths), "--horizon", str(horizon)]
    result = runner.invoke(app, ["run", SMALL, *sizes, "--json", "-", "-q"])
    assert result.exit_code == 0, result.output
    daily = json.loads(result.stdout)["daily"]["hashrate_ths"]
    assert len(daily["p50"]) == horizon
    if paths == 1:
        assert daily["p5"] == daily["p50"] == daily["p95"]
    page = tmp_path / "r.html"
    result = runner.invoke(app, ["report", SMALL, *sizes, "--out", str(page), "-q"])
    assert result.exit_code == 0, result.output
    assert page.stat().st_size > 0


def test_json_to_stdout_and_reproducible() -> None:
    args = ["run", SMALL, "-n", "10", "--horizon", "30", "--json", "-"]
    first = runner.invoke(app, args)
    second = runner.invoke(app, args)
    assert first.exit_code == 0
    assert json.loads(first.stdout) == json.loads(second.stdout)


def test_compare_side_by_side(tmp_path: Path) -> None:
    out = tmp_path / "cmp.json"
    result = runner.invoke(
        app, ["compare", SMALL, "-s", "baseline,customs-2024,sanctions", "-n", "20",
              "--horizon", "60", "--json", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "customs-2024" in result.output and "sanctions" in result.output
    runs = json.loads(out.read_text())["scenarios"]
    assert [r["scenario"] for r in runs] == ["baseline", "customs-2024", "sanctions"]


def test_json_into_missing_folder_fails_cleanly(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["run", SMALL, "-n", "2", "--horizon", "5", "--json", str(tmp_path / "no" / "x.json")]
    )
    assert result.exit_code == 2 and "folder does not exist" in result.output
    assert not (tmp_path / "no").exists()
    mine = tmp_path / "mine.json"  # a file where the folder should be: said so
    mine.write_text("{}", encoding="utf-8")
    result = runner.invoke(app, ["run", SMALL, "-n", "2", "--horizon", "5",
                                 "--json", str(mine / "x.json")])  # fmt: skip
    assert result.exit_code == 2 and f"{mine} is a file, not a folder" in result.output
    assert mine.read_text(encoding="utf-8") == "{}"


def test_listings_and_schema() -> None:
    result = runner.invoke(app, ["catalog", "--json"])
    models = json.loads(result.stdout)
    assert len(models) >= 15
    assert {"antminer-s21-xp", "whatsminer-m63s", "avalon-a1466"} <= {m["slug"] for m in models}
    assert all(m["source"] for m in models)
    scenarios = json.loads(runner.invoke(app, ["scenarios", "--json"]).stdout)
    names = {s["name"] for s in scenarios}
    assert {"baseline", "customs-2024", "quiet-end", "mitigation", "sanctions",
            "remote-disable"} <= names  # fmt: skip
    assert all(s["description"] and s["sources"] for s in scenarios)
    schema = json.loads(runner.invoke(app, ["schema", "fleet"]).stdout)
    assert "cohorts" in schema["properties"]
    assert schema["$schema"].endswith("/draft/2020-12/schema")
    assert schema["$id"].startswith("urn:hashshock:fleet:")
    schema = json.loads(runner.invoke(app, ["schema", "scenario"]).stdout)
    assert "events" in schema["properties"]
    schema = json.loads(runner.invoke(app, ["schema", "industry"]).stdout)
    assert {"operators", "vendor_lines", "donor_buyers"} <= set(schema["properties"])
    schema = json.loads(runner.invoke(app, ["schema", "portfolio"]).stdout)
    assert "loans" in schema["properties"]
    assert runner.invoke(app, ["schema", "nope"]).exit_code == 2


def test_user_scenario_combines_builtin_events(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(
        "name: mine\ninclude: [customs-2024]\nevents:\n"
        "  - {type: remote_disable, vendors: [bitmain], share: 0.5, start_day: 10,"
        " duration_days: 5}\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["run", SMALL, "-s", str(path), "-n", "5", "--horizon", "30",
                                 "--json", "-"])  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["scenario"] == "mine"
    assert max(data["daily"]["machines_down"]["disabled"]["p50"]) > 100


_FARM = str(EXAMPLES / "small-farm" / "fleet.yaml")


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["compare", _FARM, "--btc-price", "lots"], "--btc-price"),
        (["compare", _FARM, "--fee-share", "half"], "--fee-share"),
        (["industry", "--paths", "abc"], "--paths"),
        (["compare"], "'FLEET'"),
        (["compare", _FARM, "--pathz", "3"], "--pathz"),
        (["frobnicate"], "frobnicate"),
    ],
)
def test_usage_errors_are_one_line_as_input_errors_are(
    args: list[str], named: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bad option value, a missing argument, an unknown option or command: exit 2 and
    one `error:` line naming it with the fix, not click's framed usage block."""
    from hashshock.cli.entry import run_command

    monkeypatch.setattr(sys, "argv", ["hashshock", *args])
    assert run_command() == 2
    printed = capsys.readouterr()
    lines = printed.err.strip().splitlines()
    assert printed.out == "" and len(lines) == 1, lines
    assert lines[0].startswith("error: ") and named in lines[0], lines[0]
    assert "— fix: see `hashshock" in lines[0]


@pytest.mark.parametrize("args", [["catalog", "--json", "-"], ["runs", "list", "--json", "-"],
                                  ["scenarios", "--json", "-"]])  # fmt: skip
def test_a_json_switch_given_a_dash_says_to_drop_it(
    args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The listing commands' --json is a switch; written as the others' `--json -`, the
    error said only "unexpected extra argument (-)"."""
    from hashshock.cli.entry import run_command

    monkeypatch.setattr(sys, "argv", ["hashshock", *args])
    assert run_command() == 2
    line = capsys.readouterr().err.strip()
    assert "here --json takes no value and prints JSON on stdout: drop the '-'" in line, line


@pytest.mark.parametrize(
    ("args", "typed"),
    [
        (["audit", _FARM, "--probability", "nan"], "nan"),
        (["audit", _FARM, "--egress-filtered", "-inf"], "-inf"),
        (["data", "update", "--timeout", "NaN"], "NaN"),
    ],
)
def test_a_nan_or_infinite_option_value_is_named_as_such_not_as_out_of_range(
    args: list[str], typed: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A range check of nan fails its upper bound; the message says what the value is."""
    from hashshock.cli.entry import run_command

    monkeypatch.setattr(sys, "argv", ["hashshock", *args])
    assert run_command() == 2
    line = capsys.readouterr().err.strip()
    assert f"{typed} is not a finite number" in line and "less than" not in line, line


def test_nan_for_a_whole_number_option_says_a_whole_number_is_asked_for(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from hashshock.cli.entry import run_command

    monkeypatch.setattr(sys, "argv", ["hashshock", "run", _FARM, "-n", "nan"])
    assert run_command() == 2
    line = capsys.readouterr().err.strip()
    assert "valid integer" in line and "finite" not in line, line


def test_a_group_named_alone_shows_its_help(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from hashshock.cli.entry import run_command

    monkeypatch.setattr(sys, "argv", ["hashshock", "runs"])
    assert run_command() == 2
    printed = capsys.readouterr()
    assert "Usage: hashshock runs" in printed.out + printed.err


@pytest.mark.parametrize("command", [
    ["breakpoint", "--covenant", "liquidity"],
    ["optimise"],
    ["strategies", "--strategy", str(EXAMPLES / "strategies" / "switch-off.yaml")],
])  # fmt: skip
def test_the_decision_commands_say_the_fleet_s_warnings_as_run_does(
    command: list[str], tmp_path: Path
) -> None:
    """A liquidity floor above the starting cash is breached on day 0: `run` said so,
    while `breakpoint` answered "already breached with no shock", and `optimise` and
    `strategies` went on, without a word of why."""
    import yaml

    fleet = yaml.safe_load((EXAMPLES / "small-farm" / "fleet.yaml").read_text(encoding="utf-8"))
    fleet["finance"] = {"cash_usd": 100_000, "covenants": [
        {"name": "liquidity", "type": "min_liquidity", "value": 200_000}]}  # fmt: skip
    path = tmp_path / "fleet.yaml"
    path.write_text(yaml.safe_dump(fleet, sort_keys=False), encoding="utf-8")
    name, *options = command
    done = runner.invoke(app, [name, str(path), *options, "--paths", "8", "--horizon", "30",
                               "-q"])  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "the liquidity floor $200,000 is above the starting cash" in " ".join(
        done.output.split()
    )
