"""Every bad input exits with code 2 and one line naming file, field and fix."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import fits_columns, small_fleet
from typer.testing import CliRunner

from hashshock.cli.app import app

ROOT = Path(__file__).resolve().parents[2]

runner = CliRunner()


def _validate(path: Path, *options: str) -> tuple[int, str]:
    result = runner.invoke(app, ["validate", str(path), *options])
    return result.exit_code, result.output


def _with_cohort(**changes: Any) -> dict[str, Any]:
    fleet = small_fleet()
    fleet["cohorts"][0].update(changes)
    return fleet


def _hydro(spares: list[dict[str, Any]] | None = None, **cohort: Any) -> dict[str, Any]:
    """One cohort of fanless hydro Whatsminers (with ``cohort``'s fields), and ``spares``."""
    hydro = {"model": "whatsminer-m63s", "count": 100, "site": "a",
             "install_date": "2024-01-01", **cohort}  # fmt: skip
    return small_fleet(cohorts=[hydro], **({"spares": spares} if spares is not None else {}))


def _with_donors(donors: dict[str, Any]) -> dict[str, Any]:
    fleet = small_fleet()
    fleet["sites"][0]["donors"] = donors
    return fleet


@pytest.mark.parametrize(
    ("fleet", "expected"),
    [
        (_with_cohort(model="antminer-s21xp"), ["cohorts[0].model", "antminer-s21-xp"]),
        (_with_cohort(model="antminer-s19jpro"), ["unknown model", "antminer-s19j-pro"]),
        # printed as written: rich would take [s19j] for a style and drop it
        (_with_cohort(model="antminer[s19j]"), ["unknown model 'antminer[s19j]'"]),
        (_with_cohort(count=-5), ["cohorts[0].count", "use a value of at least 0"]),
        (_with_cohort(count=2.5), ["cohorts[0].count", "whole number"]),
        # no machine and no order: "0 % availability" of nothing, before this was refused
        (
            small_fleet(
                cohorts=[
                    {
                        "model": "antminer-s19j-pro",
                        "count": 0,
                        "site": "a",
                        "install_date": "2022-01-01",
                    }
                ]
            ),
            ["cohorts", "nothing to simulate", "count above 0"],
        ),
        (_with_cohort(set_aside=201), ["cohorts[0].set_aside", "the cohort has 200"]),
        (_with_cohort(count="many"), ["cohorts[0].count", "whole number"]),
        (_with_cohort(install_date="03/15/2022"), ["cohorts[0].install_date", "YYYY-MM-DD"]),
        (_with_cohort(site="b"), ["cohorts[0].site", "site 'b' is not defined"]),
        (_with_cohort(colour="red"), ["cohorts[0].colour", "unknown field"]),
        (
            small_fleet(spares=[{"site": "a", "part": "chip", "on_hand": 3}]),
            ["spares[0].part", "hashboard", "control_board"],
        ),
        (
            small_fleet(
                spares=[{"site": "a", "part": "fan", "family": "antminer-s9", "on_hand": 1}]
            ),
            ["spares[0].family", "unknown model family"],
        ),
        (  # a hydro machine has no fans: spare fans would never be used
            _hydro(spares=[{"site": "a", "part": "fan", "on_hand": 50}]),
            ["spares[0].part", "no machine at site 'a' has a fan (whatsminer-m63s)"],
        ),
        (  # nor can one of its machines wait for a fan
            _hydro(degraded={"machines_down": {"fan": 5}}),
            ["cohorts[0].degraded.machines_down.fan", "whatsminer-m63s has no fan"],
        ),
        (
            small_fleet(
                sites=[{"name": "a", "country": "US"}, {"name": "b", "country": "US"}],
                spares=[{"site": "b", "part": "fan", "on_hand": 5}],
            ),
            ["spares[0].site", "no machines at site 'b'"],
        ),
        (
            small_fleet(repair_routes={"psu": {"in_house_share": 0.8, "scrap_share": 0.5}}),
            ["repair_routes.psu", "exceeds 1"],
        ),
        (
            small_fleet(repair_routes={"fan": {"scrap_share": 1.5}}),
            ["repair_routes.fan.scrap_share", "1.5"],
        ),
        (small_fleet(start_date="2026-13-01"), ["start_date", "YYYY-MM-DD"]),
        (_with_donors({"antminer-s99": 3}), ["sites[0].donors.antminer-s99", "unknown model"]),
        (_with_donors({"antminer-s19j-pro": 0}), ["sites[0]", "0 machines", "one or more"]),
        (_with_donors({}), ["sites[0]", "donors names no model"]),
        (
            _with_donors({"whatsminer-m50s": 2}),
            ["sites[0].donors.whatsminer-m50s", "no machines of family 'whatsminer-m5x'"],
        ),
        (
            small_fleet(
                orders=[
                    {
                        "model": "antminer-s21",
                        "count": 10,
                        "due_date": "2026-03-01",
                        "site": "a",
                        "vendor": "bitmain",
                    }
                ]
            ),
            ["orders[0].vendor", "no longer read", "its model's", "remove the field"],
        ),
    ],
)
def test_bad_fleet_fields(
    write_yaml: Callable[[dict[str, Any], str], Path], fleet: dict[str, Any], expected: list[str]
) -> None:
    path = write_yaml(fleet, "fleet.yaml")
    code, output = _validate(path)
    assert code == 2, output
    assert str(path) in output
    assert "fix:" in output
    assert "Traceback" not in output
    for text in expected:
        assert text in output


def test_malformed_yaml(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("name: x\nsites:\n  - name: a\n   country: US\n", encoding="utf-8")
    code, output = _validate(path)
    assert code == 2
    assert "malformed YAML" in output and "line" in output and str(path) in output


def test_a_report_page_given_as_yaml_is_named_as_such(tmp_path: Path) -> None:
    """A report given for a fleet (or scenario) was "malformed YAML, line 2, column 217"."""
    page = tmp_path / "report.html"
    page.write_text('\n<!DOCTYPE html>\n<html><head><meta content="a: b">', encoding="utf-8")
    code, output = _validate(page)
    assert code == 2 and "is an HTML page (a report?), not YAML" in output
    assert "give the fleet file itself" in output and "malformed" not in output
    code, output = _validate(ROOT / "examples" / "small-farm" / "fleet.yaml", "-s", str(page))
    assert code == 2 and "give the scenario file itself" in output


def test_missing_file(tmp_path: Path) -> None:
    code, output = _validate(tmp_path / "nope.yaml")
    assert code == 2
    assert "file not found" in output


@pytest.mark.parametrize("field", ["catalog", "cohorts_csv", "failure_rates"])
def test_a_file_the_fleet_names_that_is_missing_names_its_field(
    write_yaml: Callable[..., Path], tmp_path: Path, field: str
) -> None:
    """The fleet file's field is named (it said only 'nothere.csv: file not found')."""
    fleet = write_yaml(small_fleet(**{field: "nothere.csv"}), "fleet.yaml")
    code, output = _validate(fleet)
    assert code == 2, output
    assert f"fleet.yaml: {field}:" in output and "nothere.csv not found" in output
    (tmp_path / "nothere.csv").mkdir()
    code, output = _validate(fleet)
    assert code == 2 and "nothere.csv is a folder" in output


@pytest.mark.parametrize(
    ("text", "found"),
    [("- 1\n- 2\n", "holds a list"), ("", "is empty"), ("# nothing\n", "is empty"),
     ("42\n", "holds a single value")],
)  # fmt: skip
def test_top_level_not_mapping(tmp_path: Path, text: str, found: str) -> None:
    path = tmp_path / "fleet.yaml"
    path.write_text(text, encoding="utf-8")
    code, output = _validate(path)
    assert code == 2 and f"fleet.yaml: {found}" in output
    assert "expected a YAML mapping" in output


def test_impossible_probability_in_scenario(
    write_yaml: Callable[[dict[str, Any], str], Path],
) -> None:
    fleet = write_yaml(small_fleet(), "fleet.yaml")
    scenario = write_yaml(
        {"name": "bad", "events": [{"type": "customs_hold", "hold_probability": 1.4,
                                     "hold_days": 30}]},
        "bad.yaml",
    )  # fmt: skip
    result = runner.invoke(app, ["run", str(fleet), "--scenario", str(scenario), "-n", "2"])
    assert result.exit_code == 2
    assert "events[0].customs_hold.hold_probability" in result.output
    assert "1.4" in result.output


@pytest.mark.parametrize(("hold_days", "says"), [
    ("{dist: lognormal, mean: 3e1, cv: 0.5}",
     "mean '3e1' is not a number — fix: write it with a dot and a sign, e.g. 3.0e+01, or in full"),
    ("{dist: uniform, low: 1e1, high: 3e1}",
     "low '1e1' is not a number — fix: write it with a dot and a sign, e.g. 1.0e+01, or in full"),
    ("{dist: triangular, low: 1, mode: many, high: 9}",
     "mode 'many' is not a number — fix: write a number"),
])  # fmt: skip
def test_a_distribution_parameter_written_as_text_is_named(
    tmp_path: Path, write_yaml: Callable[[dict[str, Any], str], Path], hold_days: str, says: str
) -> None:
    """PyYAML reads 3e1 (an exponent, no dot) as text: the parameter is named with how to
    write it, not Python's "'<=' not supported between 'str' and 'int'"."""
    fleet = write_yaml(small_fleet(), "fleet.yaml")
    scenario = tmp_path / "text.yaml"
    scenario.write_text("name: text\nevents:\n  - type: customs_hold\n    hold_probability: 1\n"
                        f"    hold_days: {hold_days}\n", encoding="utf-8")  # fmt: skip
    result = runner.invoke(app, ["validate", str(fleet), "--scenario", str(scenario)])
    assert result.exit_code == 2, result.output
    line = " ".join(result.output.split())
    assert "events[0].customs_hold.hold_days" in line and says in line
    assert line.count("fix:") == 1


def test_validate_checks_scenarios_listed_as_run_takes_them(
    write_yaml: Callable[..., Path], tmp_path: Path
) -> None:
    """``-s sanctions,customs-2024`` is two scenarios, as run's ``--scenarios`` (it was
    one unknown name); a bad one among them is named."""
    fleet = write_yaml(small_fleet(), "fleet.yaml")
    ok = runner.invoke(app, ["validate", str(fleet), "-s", "sanctions,customs-2024"])
    assert ok.exit_code == 0, ok.output
    bad = runner.invoke(app, ["validate", str(fleet), "-s", "sanctions,customs-2042"])
    assert bad.exit_code == 2 and "unknown scenario 'customs-2042'" in bad.output


@pytest.mark.parametrize(("text", "says"), [
    ("count: 1e3", "count: '1e3': input should be a valid integer — fix: YAML reads 1e3 as "
     "text: write it in full, 1000"),
    ('count: "12"', "fix: write a whole number (no quotes, no decimals)"),  # quoted: text
    ("count: 1.5e2", "YAML reads 1.5e2 as text: write it in full, 150"),  # no sign: text too
    ("count: 5e-1", "fix: write a whole number (no quotes, no decimals)"),  # not whole
])  # fmt: skip
def test_a_whole_number_in_exponent_form_is_told_how_to_write_it(
    tmp_path: Path, write_yaml: Callable[[dict[str, Any], str], Path], text: str, says: str
) -> None:
    """PyYAML reads 1e3 as text: a whole-number field is told to write it in full, not to
    drop quotes it never had."""
    source = write_yaml(small_fleet(), "fleet.yaml").read_text(encoding="utf-8")
    fleet = tmp_path / "text.yaml"
    fleet.write_text(source.replace("count: 200", text, 1), encoding="utf-8")
    code, output = _validate(fleet)
    assert code == 2 and says in " ".join(output.split()), output


@pytest.mark.parametrize("start", [200, {"dist": "uniform", "low": 100, "high": 150}])
def test_an_event_that_ends_before_it_starts_is_refused(
    write_yaml: Callable[[dict[str, Any], str], Path], start: Any
) -> None:
    """``end_day`` at or before the earliest start: the event could never act, and ran as
    baseline without a word."""
    fleet = write_yaml(small_fleet(), "fleet.yaml")
    scenario = write_yaml({"name": "bad", "events": [{"type": "parts_supply_stop",
                           "start_day": start, "end_day": 100}]}, "bad.yaml")  # fmt: skip
    code, output = _validate(fleet, "--scenario", str(scenario))
    assert code == 2, output
    assert "events[0].parts_supply_stop: end_day 100 is not after the start" in output
    assert "fix: give an end_day after start_day" in output


def test_unknown_event_type_and_scenario_name(
    write_yaml: Callable[[dict[str, Any], str], Path],
) -> None:
    fleet = write_yaml(small_fleet(), "fleet.yaml")
    scenario = write_yaml({"name": "bad", "events": [{"type": "meteor"}]}, "bad.yaml")
    result = runner.invoke(app, ["run", str(fleet), "--scenario", str(scenario), "-n", "2"])
    assert result.exit_code == 2 and "events[0]" in result.output
    result = runner.invoke(app, ["run", str(fleet), "--scenario", "sanction", "-n", "2"])
    assert result.exit_code == 2 and "sanctions" in result.output
    vendor = write_yaml({"name": "v", "events": [{"type": "remote_disable", "vendors": [
        "bitmian"], "share": 0.1}]}, "vendor.yaml")  # fmt: skip
    code, output = _validate(fleet, "--scenario", str(vendor))
    assert code == 2 and f"{vendor}: events[0].vendors: unknown vendor 'bitmian'" in output


def test_bad_cohort_csv(write_yaml: Callable[[dict[str, Any], str], Path], tmp_path: Path) -> None:
    (tmp_path / "more.csv").write_text(
        "model,count,site,install_date\nantminer-s21,lots,a,2024-01-01\n", encoding="utf-8"
    )
    path = write_yaml(small_fleet(cohorts_csv="more.csv"), "fleet.yaml")
    code, output = _validate(path)
    assert code == 2 and "more.csv" in output and "row 2, count" in output


def test_bad_run_options(write_yaml: Callable[[dict[str, Any], str], Path]) -> None:
    fleet = write_yaml(small_fleet(), "fleet.yaml")
    result = runner.invoke(app, ["run", str(fleet), "--horizon", "5000"])
    assert result.exit_code == 2 and "--horizon" in result.output
    result = runner.invoke(app, ["run", str(fleet), "--paths", "0"])
    assert result.exit_code == 2 and "--paths" in result.output
    for share in ("0", "1.5"):  # a breach probability to reach is a share of paths in (0, 1]
        result = runner.invoke(app, ["breakpoint", str(fleet), "-c", "x", "--probability", share])
        assert result.exit_code == 2 and "--probability" in result.output, result.output
        assert result.output.count("\n") == 1
    result = runner.invoke(app, ["breakpoint", str(fleet), "-c", "x", "--vendor", "bitmian"])
    assert result.exit_code == 2 and "--vendor" in result.output and "bitmain" in result.output


def test_valid_fleet_passes(write_yaml: Callable[[dict[str, Any], str], Path]) -> None:
    code, output = _validate(write_yaml(small_fleet(), "fleet.yaml"))
    # the ok line is wrapped at words to the terminal (80 columns here)
    assert code == 0 and "300 machines in 2 cohorts" in " ".join(output.split())
    assert fits_columns(output)


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ("start_date: 2026-02-30", "start_date"),
        ("start_date: 2027-02-29", "start_date"),  # not a leap year
    ],
)
def test_impossible_unquoted_dates(tmp_path: Path, line: str, field: str) -> None:
    """YAML parses unquoted dates itself; an impossible one is reported, not a traceback."""
    path = tmp_path / "fleet.yaml"
    path.write_text(
        f"{line}\nsites: [{{name: a}}]\n"
        "cohorts: [{model: antminer-s21, count: 5, site: a, install_date: 2024-01-01}]\n",
        encoding="utf-8",
    )
    code, output = _validate(path)
    assert code == 2 and field in output and "valid date" in output, output
    assert "Traceback" not in output


def test_absurd_counts_fail_fast(write_yaml: Callable[[dict[str, Any], str], Path]) -> None:
    code, output = _validate(write_yaml(_with_cohort(count=1_000_000_000_000), "fleet.yaml"))
    assert code == 2 and "cohorts[0].count" in output and "3000000" in output
    many = small_fleet()
    many["cohorts"] = [
        {"model": "antminer-s21", "count": 3_000_000, "site": "a", "install_date": "2024-01-01"}
    ] * 4
    code, output = _validate(write_yaml(many, "fleet.yaml"))
    assert code == 2 and "12,000,000 machines" in output and "10,000,000" in output


def test_cohort_csv_with_surplus_cells(
    write_yaml: Callable[[dict[str, Any], str], Path], tmp_path: Path
) -> None:
    (tmp_path / "more.csv").write_text(
        "model,count,site,install_date\nantminer-s21,5,a,2024-01-01,extra\n", encoding="utf-8"
    )
    code, output = _validate(write_yaml(small_fleet(cohorts_csv="more.csv"), "fleet.yaml"))
    assert code == 2 and "more.csv: row 2" in output and "5 cells" in output


def test_bad_start_market_values(write_yaml: Callable[[dict[str, Any], str], Path]) -> None:
    fleet = str(write_yaml(small_fleet(), "fleet.yaml"))
    result = runner.invoke(app, ["run", fleet, "-n", "2", "--btc-price", "-5"])
    assert result.exit_code == 2 and "--btc-price" in result.output
    result = runner.invoke(
        app, ["run", fleet, "-n", "2", "--difficulty", "1.5e14", "--network-hashrate", "50"]
    )
    assert result.exit_code == 2 and "network_hashrate_ehs" in result.output
    assert "fix:" in result.output
    # Out of range: named by the option typed, with the range of the market's as_of.
    for option, value, problem in (
        ("--btc-price", "nan", "--btc-price: nan is not a number"),  # as typed, not YAML's
        ("--fee-share", "inf", "--fee-share: inf is not a finite number"),
        ("--btc-price", "1e12", "less than or equal to 100000000"),
        ("--difficulty", "1e30", "less than or equal to 100000000000000000"),
        ("--network-hashrate", "1e9", "less than or equal to 1000000"),
        ("--fee-share", "0.95", "less than 0.95"),
    ):
        result = runner.invoke(app, ["run", fleet, "-n", "2", option, value])
        assert result.exit_code == 2, result.output
        (line,) = result.output.strip().splitlines()
        assert line.startswith(f"error: {option}: ") and problem in line and "fix:" in line
        assert ".nan" not in line and ".inf" not in line
    result = runner.invoke(app, ["data", "show", "--start-date", "2026-02-30"])
    assert result.exit_code == 2 and "--start-date" in result.output


@pytest.mark.parametrize(
    ("command", "option", "field"),
    [(c, o, f) for c in ("run", "compare", "validate")
     for o, f in ((["--difficulty", "1"], "difficulty"),
                  (["--network-hashrate", "0.001"], "network_hashrate_ehs"))],
)  # fmt: skip
def test_a_network_smaller_than_the_fleet_is_refused(
    command: str, option: list[str], field: str
) -> None:
    """A day-0 network of 1 difficulty (or 1 PH/s) under a 70 PH/s farm would pay it
    quadrillions a day: refused, naming the value given, alone on one line."""
    fleet = str(ROOT / "examples" / "small-farm" / "fleet.yaml")
    args = [command, fleet, *option] + ([] if command == "validate" else ["-n", "2"])
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: command line: " + field), lines
    assert "smaller than the fleet's nameplate" in lines[0] and "fix:" in lines[0]


@pytest.mark.parametrize("names", ["baseline,baseline", "sanctions,sanctions"])
def test_a_scenario_named_twice_is_refused_alone(names: str) -> None:
    """Refused before the day-0 market's warnings (docs/limits.md: a refused run prints its
    error alone); the bundled snapshot is stale at the default start, so they would show."""
    fleet = str(ROOT / "examples" / "small-farm" / "fleet.yaml")
    for command in (["compare", fleet], ["report", fleet, "--out", "never.html"]):
        result = CliRunner().invoke(app, [*command, "-s", names, "-n", "2", "-q"])
        assert result.exit_code == 2, result.output
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and "named more than once" in lines[0], (command, lines)


def test_bad_call_arguments_are_input_errors(
    write_yaml: Callable[[dict[str, Any], str], Path],
) -> None:
    """The API and the CLI refuse impossible arguments with a message, never a traceback."""
    import hashshock
    from hashshock.inputs.errors import InputError

    fleet = small_fleet()
    for kwargs, field in (
        ({"horizon_days": "30"}, "--horizon"),
        ({"seed": -1}, "--seed"),
        ({"paths": 100_000_000}, "--paths"),
        ({"workers": 0}, "--workers"),
    ):
        with pytest.raises(InputError, match=field):
            hashshock.run(fleet, "baseline", **{"paths": 2, "horizon_days": 5, **kwargs})
    with pytest.raises(InputError, match="named more than once"):
        hashshock.compare(fleet, ["sanctions", "sanctions"], paths=2, horizon_days=5)
    # A shock in a file that calls itself baseline would become the reference.
    own = write_yaml(
        {
            "name": "baseline",
            "events": [
                {
                    "type": "customs_hold",
                    "vendors": ["bitmain"],
                    "hold_days": 30,
                    "hold_probability": 1.0,
                }
            ],
        },
        "mine.yaml",
    )
    with pytest.raises(InputError, match=r"named baseline has 1 event.*a name of its own"):
        hashshock.compare(fleet, [str(own), "sanctions"], paths=2, horizon_days=5)
    with pytest.raises(InputError, match="a file that shares a built-in's name"):
        hashshock.compare(fleet, ["baseline", str(own)], paths=2, horizon_days=5)
    path = str(write_yaml(fleet, "fleet.yaml"))
    for args, field in (
        (["--seed", "-1"], "--seed"),
        (["--paths", "100000000"], "--paths"),
        (["--workers", "0"], "--workers"),
    ):
        result = runner.invoke(app, ["run", path, "--horizon", "5", *args])
        assert result.exit_code == 2 and field in result.output, result.output
        assert "Traceback" not in result.output
    result = runner.invoke(app, ["compare", path, "-s", "sanctions,sanctions", "-n", "2"])
    assert result.exit_code == 2 and "more than once" in result.output


def test_validate_builds_what_run_builds(write_yaml: Callable[[dict[str, Any], str], Path]) -> None:
    """A route whose shares exceed 1 only with the bundled defaults is caught by validate."""
    fleet = write_yaml(small_fleet(repair_routes={"psu": {"in_house_share": 0.97}}), "fleet.yaml")
    code, output = _validate(fleet)
    assert code == 2 and "repair_routes.psu.in_house_share" in output and "≤ 0.8" in output
    result = runner.invoke(app, ["run", str(fleet), "-n", "2", "--horizon", "5"])
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_silent_acceptances_now_warn_or_refuse(
    write_yaml: Callable[[dict[str, Any], str], Path],
) -> None:
    """Issue 17's list: an empty cohort and a fleet larger than the US warn; an order due
    before the start and a loan already matured are refused."""
    import hashshock

    empty = small_fleet()
    empty["cohorts"].append(
        {"model": "antminer-s21", "count": 0, "site": "a", "install_date": "2024-01-01"}
    )
    result = hashshock.run(empty, "baseline", paths=2, horizon_days=5)
    assert any("0 machines" in w for w in result.to_dict()["warnings"])
    cli = runner.invoke(app, ["run", str(write_yaml(empty, "fleet.yaml")), "-n", "2",
                              "--horizon", "5"])  # fmt: skip
    assert cli.exit_code == 0 and "0 machines" in cli.output
    late = small_fleet(orders=[{"model": "antminer-s21", "count": 10,
                                "due_date": "2025-06-01", "site": "a"}])  # fmt: skip
    code, output = _validate(write_yaml(late, "fleet.yaml"))
    assert code == 2 and "orders[0].due_date" in output and "cohorts" in output
    repaid = small_fleet(finance={"loans": [{"name": "l", "principal_usd": 1000,
                                              "rate_per_year": 0.1,
                                              "maturity_date": "2025-01-01"}]})  # fmt: skip
    code, output = _validate(write_yaml(repaid, "fleet.yaml"))
    assert code == 2 and "finance.loans[0].maturity_date" in output
    # 2208 for 2028: repaid over 182 years, or ordered for then, unsaid
    far = small_fleet(orders=[{"model": "antminer-s21", "count": 10, "due_date": "2208-06-01",
                               "site": "a"}],
                      finance={"loans": [{"name": "l", "principal_usd": 1000, "rate_per_year":
                                          0.1, "maturity_date": "2028-01-01"}]})  # fmt: skip
    code, output = _validate(write_yaml(far, "fleet.yaml"))
    assert code == 2 and "orders[0].due_date: 2208-06-01 is 182 years from the start" in output
    far["orders"][0]["due_date"], far["finance"]["loans"][0]["maturity_date"] = (
        "2028-06-01", "2208-01-01")  # fmt: skip
    code, output = _validate(write_yaml(far, "fleet.yaml"))
    assert code == 2 and "finance.loans[0].maturity_date: 2208-01-01" in output
    assert "check the year" in output


def test_a_machine_older_than_its_model_and_a_floor_above_the_cash_warn() -> None:
    """Both are accepted (a typo or a deliberate test) but said: an S21 installed in 1990
    ran 37-year-old machines, and a liquidity floor above the cash breaches on day 0."""
    from hashshock.inputs.load import fleet_from_mapping

    old = small_fleet()
    old["cohorts"][1]["install_date"] = "1990-01-01"
    (warning,) = fleet_from_mapping(old).warnings
    assert "cohorts[1].install_date 1990-01-01 is before antminer-s21 was released" in warning
    floor = small_fleet(finance={"cash_usd": 5e6, "covenants": [
        {"name": "liq", "type": "min_liquidity", "value": 6e6}]})  # fmt: skip
    (warning,) = fleet_from_mapping(floor).warnings
    assert "covenants[0] (liq)" in warning and "breached on day 0" in warning
    floor["finance"]["covenants"][0]["value"] = 4e6
    assert fleet_from_mapping(floor).warnings == ()


def test_units_off_by_a_thousand_or_a_million_warn() -> None:
    """A power price of $0.04 (a price per kWh) gave power nearly free and EBITDA eleven
    times over; a hashrate commitment of 4.3 (EH/s typed for TH/s) or ten times the
    fleet's nameplate was never, or always, missed: accepted (a test may mean it) but
    said; $40/MWh and a commitment within the fleet's nameplate are not."""
    from hashshock.inputs.load import fleet_from_mapping

    cheap = small_fleet(sites=[{"name": "a", "technicians": 2, "power_usd_per_mwh": 0.04}])
    (warning,) = fleet_from_mapping(cheap).warnings
    assert "sites[0] (a).power_usd_per_mwh: $0.04 a MWh is a price per kWh?" in warning
    cheap["sites"][0]["power_usd_per_mwh"] = 40
    assert fleet_from_mapping(cheap).warnings == ()
    # $7.50 a machine-day (a month's $0.25) is more than a machine's whole power bill
    monthly = small_fleet(finance={"cash_usd": 1e6, "overhead_usd_per_machine_day": 7.5})
    (warning,) = fleet_from_mapping(monthly).warnings
    assert "overhead_usd_per_machine_day: $7.50 a machine a day" in warning
    assert "a monthly figure? ($0.25 a day)" in warning
    monthly["finance"]["overhead_usd_per_machine_day"] = 0.84
    assert fleet_from_mapping(monthly).warnings == ()
    nameplate = 200 * 100 + 100 * 200  # small_fleet's S19j Pro and S21, TH/s
    for min_ths, said in ((4.3, True), (10 * nameplate, True), (0.9 * nameplate, False)):
        fleet = small_fleet(finance={"cash_usd": 1e6, "covenants": [
            {"name": "hc", "type": "hashrate_commitment",
             "quarters": [{"quarter_end": "2026-03-31", "min_ths": min_ths}]}]})  # fmt: skip
        warnings = fleet_from_mapping(fleet).warnings
        assert bool(warnings) == said, warnings
        assert all("quarters[0].min_ths" in w and "check the unit, TH/s" in w for w in warnings)


def test_a_site_without_technicians_and_machines_past_their_life_warn() -> None:
    """A site of 0 technicians never swaps a part (availability fell from 93 % to 69 %
    under baseline, unsaid); S19j Pros 17 years old at the start ran at 80 %, outside any
    calibration, unsaid. Both are said; a staffed site and 5-year-old machines are not."""
    from hashshock.inputs.load import OLDEST_MACHINE_YEARS, fleet_from_mapping

    idle = small_fleet(sites=[{"name": "a", "technicians": 0}])
    (warning,) = fleet_from_mapping(idle).warnings
    assert "sites[0] (a).technicians: 0, so no broken part is ever swapped" in warning
    aged = small_fleet()
    aged["start_date"] = "2030-06-01"  # S19j Pros of 2022: 8.4 years; S21s of 2024: 6
    assert OLDEST_MACHINE_YEARS == 8
    (warning,) = fleet_from_mapping(aged).warnings
    assert warning.startswith("cohorts[0]: its machines are 8.4 years old at the start")
    young = small_fleet()
    young["start_date"] = "2027-01-01"
    assert fleet_from_mapping(young).warnings == ()


def test_one_mistake_copied_down_many_cohorts_warns_once() -> None:
    """Five cohorts are named one by one; 2,000 installed before their model's release
    (a date copied down a CSV) are one line counting them, not 2,000."""
    from hashshock.inputs.load import WARNED_COHORTS, fleet_from_mapping

    for count in (WARNED_COHORTS, 2_000):
        fleet = small_fleet()
        fleet["cohorts"] = [{"model": "antminer-s21", "count": 1, "site": "a",
                             "install_date": "1990-01-01"}] * count  # fmt: skip
        warnings = fleet_from_mapping(fleet).warnings
        if count == WARNED_COHORTS:
            assert len(warnings) == count and "cohorts[4].install_date" in warnings[-1]
        else:
            (warning,) = warnings
            assert "2,000 cohorts (cohorts[0], cohorts[1]" in warning
            assert "installed before their model was released" in warning


def test_a_fleet_larger_than_the_us_warns() -> None:
    from hashshock.inputs.load import fleet_from_mapping

    huge = small_fleet()
    huge["cohorts"][0]["count"] = 2_900_000
    loaded = fleet_from_mapping(huge)
    assert any("US installed base" in w for w in loaded.warnings)


def test_less_than_one_swap_a_day_is_refused(
    write_yaml: Callable[[dict[str, Any], str], Path],
) -> None:
    fleet = small_fleet()
    fleet["sites"][0].update(technicians=1, swaps_per_technician_day=0.5)
    code, output = _validate(write_yaml(fleet, "fleet.yaml"))
    assert code == 2 and "sites[0].swaps_per_technician_day" in output and "one swap" in output


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"efficiency_j_per_th": "12"}, ["row 2, efficiency_j_per_th", "17.5"]),
        ({"vendor": "bitmian"}, ["row 2, vendor", "unknown vendor 'bitmian'", "bitmain"]),
    ],
)
def test_a_catalogue_row_the_simulation_cannot_use_is_refused(
    write_yaml: Callable[[dict[str, Any], str], Path],
    tmp_path: Path,
    changes: dict[str, str],
    expected: list[str],
) -> None:
    from hashshock.inputs.catalog import MODEL_COLUMNS

    row = {"slug": "my-miner", "vendor": "bitmain", "name": "Mine", "family": "antminer-s21",
           "hashrate_ths": "200", "power_w": "3500", "efficiency_j_per_th": "17.5",
           "release_year": "2025", "cooling": "air", "hashboards": "3", "fans": "4",
           "psus": "1", "control_boards": "1", "source": "test", **changes}  # fmt: skip
    (tmp_path / "models.csv").write_text(
        ",".join(MODEL_COLUMNS) + "\n" + ",".join(row[c] for c in MODEL_COLUMNS) + "\n",
        encoding="utf-8",
    )
    code, output = _validate(write_yaml(small_fleet(catalog="models.csv"), "fleet.yaml"))
    assert code == 2 and all(text in output for text in expected), output


@pytest.mark.parametrize(
    ("finance", "expected"),
    [
        ({"covenants": [{"name": "l", "type": "min_liquidity", "value": 1, "loan": "x"}]},
         "loan does nothing on a min_liquidity"),
        ({"covenants": [{"name": "h", "type": "hashrate_commitment", "value": 3,
                         "quarters": [{"quarter_end": "2026-03-31", "min_ths": 1}]}]},
         "value does nothing on a hashrate_commitment"),
        ({"covenants": [{"name": "d", "type": "min_dscr", "value": 1.2,
                         "quarters": [{"quarter_end": "2026-03-31", "min_ths": 1}]}]},
         "quarters does nothing"),
        ({"repair_threshold_share": 0.4}, "without repair_or_replace"),
        ({"replacement": {"budget_usd": 1000}}, "without an availability_target"),
        ({"replacement": {"donor_share": 0.5}}, "without donor_machines"),
        # a DSCR or LTV test without debt read "0 % breach", and breakpoint "holds"
        *[({"covenants": [{"name": "c", "type": kind, "value": value}]},
           f"a {kind} test needs debt") for kind, value in (("min_dscr", 1.2),
                                                            ("max_ltv", 0.8))],
        ({"loans": [{"name": "l", "principal_usd": 0, "rate_per_year": 0.1,
                     "maturity_date": "2027-06-01"}]}, "principal_usd: 0: input should be greater"),
        # two pledges of one name: the results held one of them
        ({"btc_pledges": [{"name": "p", "btc": 5, "obligation_usd": 1e5, "margin_call_ltv": 0.8},
                          {"name": "p", "btc": 5, "obligation_usd": 3e5,
                           "margin_call_ltv": 0.8}]}, "btc_pledges names repeat"),
        ({"btc_pledges": [{"name": "p", "btc": 0, "obligation_usd": 1e5,
                           "margin_call_ltv": 0.8}]}, "btc: 0: input should be greater than 0"),
        ({"overhead_usd_per_machine_day": 1e6}, "less than or equal to 100"),
        ({"covenants": [{"name": "", "type": "min_liquidity", "value": 1}]}, "covenants[0].name"),
    ],
)  # fmt: skip
def test_settings_that_would_do_nothing_are_refused(
    write_yaml: Callable[[dict[str, Any], str], Path], finance: dict[str, Any], expected: str
) -> None:
    code, output = _validate(write_yaml(small_fleet(finance=finance), "fleet.yaml"))
    assert code == 2 and expected in output and "fix:" in output, output


@pytest.mark.parametrize(("args", "said"), [
    (["breakpoint", "{fleet}", "--covenant", "dscr", "--shock", "btc-drop", "--vendor",
      "canaan"], "--vendor: names whose parts are cut, and --shock btc-drop cuts none"),
    (["report", "{fleet}", "--image-format", "gif", "-o", "{tmp}/r.html"],
     "--image-format: says how to draw the charts into the --images folder"),
    # a cut of a vendor the fleet does not run: nine runs, then "holds"
    (["breakpoint", "{fleet}", "--covenant", "dscr", "--vendor", "canaan"],
     "--vendor: none of the fleet's machines are canaan's"),
])  # fmt: skip
def test_an_option_that_would_be_ignored_is_refused(tmp_path: Path, args: list[str],
                                                    said: str) -> None:  # fmt: skip
    """An option the command would not use (a vendor for a BTC fall, an image format with
    no images) was dropped without a word: exit 2, before any work, nothing written."""
    from tests.conftest import EXAMPLES

    fleet = str(EXAMPLES / "midsize-public-miner" / "fleet.yaml")
    filled = [a.replace("{fleet}", fleet).replace("{tmp}", str(tmp_path)) for a in args]
    result = runner.invoke(app, filled)
    assert result.exit_code == 2, result.output
    assert said in " ".join(result.output.split()) and "fix:" in result.output
    assert not list(tmp_path.iterdir())


def test_a_catalogue_row_replacing_a_bundled_model_warns(
    write_yaml: Callable[..., Path], tmp_path: Path
) -> None:
    """A user's row for a bundled slug wins (their own figures) and says so, in a fleet's
    warnings and in `hashshock catalog --extra`; a row of a new slug says nothing."""
    from hashshock.inputs.load import fleet_from_mapping

    bundled = Path(__file__).resolve().parents[2] / "src/hashshock/data/models.csv"
    header, *rows = bundled.read_text(encoding="utf-8").splitlines()
    s19 = next(r for r in rows if r.startswith("antminer-s19,"))
    (tmp_path / "mine.csv").write_text(f"{header}\n{s19.replace('Antminer S19,', 'S19 (ours),')}\n",
                                       encoding="utf-8")  # fmt: skip
    (tmp_path / "new.csv").write_text(f"{header}\n{s19.replace('antminer-s19,', 'my-s19,')}\n",
                                      encoding="utf-8")  # fmt: skip
    fleet = small_fleet(catalog="mine.csv")
    warnings = fleet_from_mapping(fleet, base_dir=tmp_path).warnings
    assert any("replaces the bundled antminer-s19" in w for w in warnings)
    assert fleet_from_mapping(small_fleet(catalog="new.csv"), base_dir=tmp_path).warnings == ()
    result = runner.invoke(app, ["catalog", "--extra", str(tmp_path / "mine.csv")])
    assert result.exit_code == 0 and "replaces the bundled antminer-s19" in result.output


def test_a_catalogue_column_it_does_not_read_is_refused(tmp_path: Path) -> None:
    """An extra column (a note, a misspelt one) would be ignored unsaid: it is refused,
    naming it, and the file is told where a note goes."""
    bundled = Path(__file__).resolve().parents[2] / "src/hashshock/data/models.csv"
    header, *rows = bundled.read_text(encoding="utf-8").splitlines()
    s19 = next(r for r in rows if r.startswith("antminer-s19,"))
    mine = tmp_path / "mine.csv"
    mine.write_text(f"{header},colour\n{s19.replace('antminer-s19,', 'my-s19,')},red\n",
                    encoding="utf-8")  # fmt: skip
    result = runner.invoke(app, ["catalog", "--extra", str(mine)])
    assert result.exit_code == 2
    assert (f"{mine}: column 'colour': is not a catalogue column — fix: remove it (a note "
            "goes in source)") in " ".join(result.output.split())  # fmt: skip


def test_a_fleet_of_orders_due_after_the_horizon_is_refused(
    write_yaml: Callable[[dict[str, Any], str], Path],
) -> None:
    """No cohort and one order due after the horizon: a 100-day run read "0.0 %
    availability" of nothing; refused with the day the first order lands, and run past
    it."""
    import re

    fleet = small_fleet(
        cohorts=[{"model": "antminer-s21", "count": 0, "site": "a", "install_date": "2024-06-01"}],
        orders=[
            {"model": "antminer-s21", "count": 0, "site": "a", "due_date": "2026-01-05"},
            {"model": "antminer-s21", "count": 100, "site": "a", "due_date": "2027-06-01"},
        ],
    )  # fmt: skip  (an order of no machine brings none)
    path = write_yaml(fleet, "fleet.yaml")
    short = runner.invoke(app, ["run", str(path), "-n", "3", "--horizon", "100", "-q"])
    assert short.exit_code == 2, short.output
    said = " ".join(short.output.split())
    assert "horizon_days (--horizon): the fleet has no machine installed" in said
    found = re.search(r"first order is due on day (\d+), after .* fix: run a horizon past "
                      r"day (\d+)", said)  # fmt: skip
    assert found is not None and found.group(1) == found.group(2), said
    past = str(int(found.group(1)) + 1)
    long = runner.invoke(app, ["run", str(path), "-n", "3", "--horizon", past, "-q"])
    assert long.exit_code == 0, long.output


def test_a_fleet_of_orders_alone_says_so_and_shows_no_availability_before_them(
    tmp_path: Path,
) -> None:
    """With nothing installed until its order arrives, availability was printed as
    "0.0% · 0.0% · 0.0%" (0 / 0) and nothing said why: the fleet is said to be its orders,
    and a day before they arrive reads "— (none installed)"."""
    from hashshock.inputs.load import fleet_from_mapping

    fleet = small_fleet(orders=[{"model": "antminer-s21", "count": 100,
                                 "due_date": "2026-03-01", "site": "a"}])  # fmt: skip
    fleet["cohorts"] = []
    (warning,) = fleet_from_mapping(fleet).warnings
    assert "no machine is installed at the start" in warning
    import yaml

    path = tmp_path / "fleet.yaml"
    path.write_text(yaml.safe_dump(fleet), encoding="utf-8")
    done = runner.invoke(app, ["run", str(path), "-n", "8", "--horizon", "120"])
    assert done.exit_code == 0, done.output
    rows = {line.split("│")[1].strip(): line for line in done.output.splitlines()
            if line.startswith("│")}  # fmt: skip
    assert "— (none installed)" in rows["30"] and "%" in rows["119"]
