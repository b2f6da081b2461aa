"""``hashshock fit``: the bundled example logs, --out and --json, fallbacks on thin data."""

from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from tests.fit.conftest import Invoke, WriteLog

from hashshock.fit import fit_failure_rates, fleet_cohorts, simulate_log
from hashshock.inputs.catalog import (
    FAILURE_RATE_COLUMNS,
    PART_TYPES,
    failure_priors,
    read_failure_rates,
)

ROOT = Path(__file__).resolve().parents[2]
AS_OF = date(2026, 11, 30)
# How examples/<name>/repairs.csv were made (docs/calibration.md).
EXAMPLES: dict[str, dict[str, Any]] = {
    "small-farm": {"share": 1.0, "seed": 1},
    "midsize-public-miner": {
        "share": 0.1, "seed": 2, "observed_from": date(2023, 1, 1), "retire_per_year": 0.03,
    },
}  # fmt: skip


def _z(ci95: tuple[float, float], truth: float) -> float:
    """|log(estimate / truth)| in standard errors, from a log-symmetric 95% interval."""
    lo, hi = ci95
    return abs(math.log(math.sqrt(lo * hi) / truth)) / (math.log(hi / lo) / (2 * 1.96))


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_logs_are_what_simulate_log_makes(name: str) -> None:
    settings = dict(EXAMPLES[name])
    share = float(settings.pop("share"))
    cohorts = fleet_cohorts(ROOT / "examples" / name / "fleet.yaml", share=share)
    text = simulate_log(cohorts, observed_until=AS_OF, **settings)
    bundled = (ROOT / "examples" / name / "repairs.csv").read_text(encoding="utf-8")
    assert text == bundled, f"regenerate examples/{name}/repairs.csv (docs/calibration.md)"


def test_small_farm_example_fits_close_to_the_bundled_defaults() -> None:
    report = fit_failure_rates([ROOT / "examples/small-farm/repairs.csv"], as_of=AS_OF)
    overall = {r.part: r for r in report.results if r.applies_to == "*"}
    assert set(overall) == set(PART_TYPES)
    for part, r in overall.items():
        assert r.fit is not None, r.note
        assert r.fit.shape_ci95[0] <= r.default.weibull_shape <= r.fit.shape_ci95[1], part
        lo, hi = r.fit.first_year_failures_per_part_ci95
        assert lo <= r.default.first_year_failures_per_part <= hi, part
        assert r.fit.gof.verdict == "good"


def test_midsize_example_fits_close_to_the_bundled_defaults() -> None:
    report = fit_failure_rates([ROOT / "examples/midsize-public-miner/repairs.csv"], as_of=AS_OF)
    rows = {(r.part, r.applies_to): r for r in report.results}
    for part in ("fan", "psu", "control_board"):  # one bundled rate for every model
        fit = rows[(part, "*")].fit
        default = rows[(part, "*")].default
        assert fit is not None
        assert _z(fit.shape_ci95, default.weibull_shape) < 3, part
        assert _z(fit.first_year_failures_per_part_ci95, default.first_year_failures_per_part) < 3
    # S19 XP boards fail at 3 %/yr, the other models' at 1.2 %: the S19 family lies between.
    s19 = rows[("hashboard", "antminer-s19")].fit
    assert s19 is not None and 0.012 < s19.first_year_failures_per_part < 0.030
    assert ("fan", "whatsminer-m5x") in rows  # families with >= 30 failures get a row


def test_out_round_trips_through_read_failure_rates_and_json_has_its_keys(
    invoke: Invoke, tmp_path: Path
) -> None:
    out, js = tmp_path / "my-rates.csv", tmp_path / "fit.json"
    log = ROOT / "examples/small-farm/repairs.csv"
    code, stdout, err = invoke(
        str(log), "--out", str(out), "--json", str(js), "--as-of", "2026-11-30"
    )
    assert code == 0, err
    assert out.read_text(encoding="utf-8").splitlines()[0] == ",".join(FAILURE_RATE_COLUMNS)
    rates = read_failure_rates(out)
    data = json.loads(js.read_text(encoding="utf-8"))
    fitted = {(r["part"], r["applies_to"]): r for r in data["results"]}
    assert {(p.part, p.applies_to) for p in rates} == set(fitted)
    for prior in rates:
        r = fitted[(prior.part, prior.applies_to)]
        assert r["status"] == "fitted"
        assert prior.weibull_shape == pytest.approx(r["weibull_shape"], rel=1e-3)
        assert prior.first_year_failures_per_part == pytest.approx(
            r["first_year_failures_per_part"], rel=1e-3
        )
        assert prior.source.startswith("fitted by hashshock fit from repairs.csv")
        assert f"{r['failures']} failures" in prior.source and "95% CI" in prior.source
    assert "my-rates.csv" in stdout
    _check_json_keys(data)


def _check_json_keys(data: dict[str, Any]) -> None:
    assert set(data) >= {
        "version", "inputs", "format", "as_of", "machines", "observed_from", "observed_until",
        "observable_parts", "min_failures", "min_family_failures", "results", "notes",
        "warnings",
    }  # fmt: skip
    assert data["format"] == "failure-log" and data["machines"] == 500
    result = data["results"][0]
    assert set(result) == {
        "part", "applies_to", "status", "failures", "machines", "machine_years",
        "slots_per_machine", "weibull_shape", "weibull_shape_ci95",
        "first_year_failures_per_part", "first_year_failures_per_part_ci95", "scale_days",
        "default_applies_to", "default_weibull_shape", "default_first_year_failures_per_part",
        "ratio_to_default", "expected_failures_bundled", "bundled_p_value",
        "next_year_failures_fitted", "next_year_failures_bundled",
        "next_year_ratio", "replaces_bundled_rows", "goodness_of_fit", "note",
    }  # fmt: skip
    gof = result["goodness_of_fit"]
    assert gof["verdict"] in {"good", "fair", "poor"} and 0 <= gof["share_inside_km_band"] <= 1


def test_thin_data_keep_the_bundled_rows(
    invoke: Invoke, write_log: WriteLog, tmp_path: Path
) -> None:
    lines = [f"m{i},antminer-s19-xp,,2023-01-01,," for i in range(40)]
    lines += [f"m{i},antminer-s19-xp,fan,2023-01-01,2024-0{1 + i % 9}-15," for i in range(12)]
    lines += ["m0,antminer-s19-xp,psu,2023-01-01,2024-03-01,"]
    out = tmp_path / "rates.csv"
    args = [str(write_log(*lines)), "--as-of", "2026-11-30", "--out", str(out), "--json", "-"]
    code, stdout, err = invoke(*args)
    assert code == 0, err
    notes = json.loads(stdout)["notes"]
    assert any(n.startswith("psu: only 1 failure,") for n in notes)
    assert any(n.startswith("hashboard: no failures") for n in notes)
    rates = read_failure_rates(out)
    fan = [p for p in rates if p.part == "fan"]
    assert len(fan) == 1 and fan[0].source.startswith("fitted")
    # Not fitted: every bundled row of the part is kept as it is, marked.
    for part in ("hashboard", "psu", "control_board"):
        mine = [p for p in rates if p.part == part]
        bundled = [p for p in failure_priors() if p.part == part]
        assert [(p.applies_to, p.weibull_shape, p.first_year_failures_per_part) for p in mine] == [
            (p.applies_to, p.weibull_shape, p.first_year_failures_per_part) for p in bundled
        ]
        assert all(p.source.startswith("bundled default, not fitted") for p in mine)


def test_no_failures_at_all_is_not_an_error(invoke: Invoke, write_log: WriteLog) -> None:
    log = str(write_log("m1,antminer-s21,,2024-01-01,,"))
    code, stdout, _ = invoke(log, "--as-of", "2025-01-01", "--json", "-")
    results = json.loads(stdout)["results"]
    assert code == 0 and [r["status"] for r in results] == ["default"] * len(PART_TYPES)
    assert all("no failures in the data" in r["note"] for r in results)
    code, stdout, _ = invoke(log, "--as-of", "2025-01-01")
    assert code == 0 and "default" in stdout  # the table still prints


def test_an_as_of_after_today_is_refused_unless_the_logs_run_ahead_too(
    invoke: Invoke, write_log: WriteLog, tmp_path: Path
) -> None:
    """A future --as-of (a typo of a year) counts the days to it as observed without
    failures: k 0.36 for a true 1.8 with 2062 typed, written to --out. After today and
    after every date of the logs it is refused, nothing written; a simulated log whose
    own dates run ahead of today may be read to them, with a warning."""
    from datetime import date, timedelta

    later = (date.today() + timedelta(days=3 * 365)).isoformat()
    log = str(write_log("m1,antminer-s21,psu,2024-01-01,2024-06-01,"))
    out = tmp_path / "rates.csv"
    code, _, err = invoke(log, "--as-of", later, "--out", str(out))
    said = " ".join(err.split())
    assert code == 2 and f"--as-of: {later} is after today" in said and "2024-06-01" in said
    assert not out.exists()
    ahead = (date.today() + timedelta(days=2 * 365)).isoformat()
    simulated = str(write_log(f"m1,antminer-s21,psu,2024-01-01,{ahead},"))
    code, _, err = invoke(simulated, "--as-of", later)
    assert code == 2  # still after the log's own last date
    code, _, err = invoke(simulated, "--as-of", ahead)
    assert code == 0 and f"--as-of {ahead} is after today" in " ".join(err.split())


def test_quiet_prints_no_table(invoke: Invoke, write_log: WriteLog, tmp_path: Path) -> None:
    """``-q``, as the other commands: the rates are written, nothing is printed."""
    log = str(write_log("m1,antminer-s21,psu,2024-01-01,2024-06-01,"))
    out = tmp_path / "rates.csv"
    code, stdout, _ = invoke(log, "--as-of", "2025-01-01", "--out", str(out), "-q")
    assert code == 0 and stdout == "" and out.is_file()


def test_min_failures_option_moves_the_threshold(invoke: Invoke, write_log: WriteLog) -> None:
    lines = [f"m{i},antminer-s21,psu,2023-01-01,2024-0{1 + i % 9}-1{i % 10}," for i in range(15)]
    code, stdout, _ = invoke(str(write_log(*lines)), "--as-of", "2026-11-30", "--json", "-")
    psu = next(r for r in json.loads(stdout)["results"] if r["part"] == "psu")
    assert code == 0 and psu["status"] == "fitted"
    code, stdout, _ = invoke(
        str(write_log(*lines)), "--as-of", "2026-11-30", "--json", "-", "--min-failures", "20"
    )
    psu = next(r for r in json.loads(stdout)["results"] if r["part"] == "psu")
    assert psu["status"] == "default" and "fewer than --min-failures 20" in psu["note"]


def test_several_logs_are_one_log(invoke: Invoke, write_log: WriteLog, tmp_path: Path) -> None:
    machines = write_log(*[f"m{i},antminer-s21,,2023-01-01,," for i in range(20)], name="a.csv")
    tickets = write_log(
        *[f"m{i},antminer-s21,fan,,2024-0{1 + i % 9}-15," for i in range(15)], name="b.csv"
    )
    code, stdout, err = invoke(str(machines), str(tickets), "--as-of", "2026-11-30", "--json", "-")
    assert code == 0, err
    data = json.loads(stdout)
    assert data["machines"] == 20
    assert next(r for r in data["results"] if r["part"] == "fan")["failures"] == 15


@pytest.mark.parametrize(
    "failures, extra, words",
    [
        ([f"m{i},antminer-s21,psu,2023-01-01,2024-01-01," for i in range(12)], [], "same age"),
        (["m0,antminer-s21,psu,2023-01-01,2024-01-01,"], ["--min-failures", "1"], "same age"),
    ],
)
def test_degenerate_data_fall_back_with_a_note(
    invoke: Invoke, write_log: WriteLog, failures: list[str], extra: list[str], words: str
) -> None:
    machines = [f"m{i},antminer-s21,,2023-01-01,," for i in range(30)]
    code, stdout, err = invoke(
        str(write_log(*machines, *failures)), "--as-of", "2026-11-30", "--json", "-", *extra
    )
    assert code == 0, err
    psu = next(r for r in json.loads(stdout)["results"] if r["part"] == "psu")
    assert psu["status"] == "default" and words in psu["note"]


def test_the_fit_api_takes_text_and_refuses_what_the_command_refuses() -> None:
    """One path as text and the date as text fit as the command does; thresholds below 1,
    something that is not a date and something that is not a path are input errors naming
    the argument (they were a TypeError, or a fit from too few failures)."""
    from hashshock.inputs.errors import InputError

    log = ROOT / "examples/small-farm/repairs.csv"
    as_text = fit_failure_rates(str(log), as_of=AS_OF.isoformat())
    assert as_text == fit_failure_rates([log], as_of=AS_OF)
    for options, argument in (({"min_failures": -3}, "min_failures"),
                              ({"min_family_failures": 0}, "min_family_failures"),
                              ({"as_of": 5}, "as_of"), ({"as_of": "2026-13-01"}, "as_of"),
                              ({"install_date": "soon"}, "install_date")):  # fmt: skip
        with pytest.raises(InputError) as raised:
            fit_failure_rates([log], **{"as_of": AS_OF, **options})
        assert raised.value.field == argument
    with pytest.raises(InputError) as raised:
        fit_failure_rates([5], as_of=AS_OF)  # type: ignore[list-item]
    assert raised.value.field == "paths"


@pytest.mark.parametrize(("family", "used", "raised"), [(5, 50, True), (60, 60, False)])
def test_json_reports_the_family_threshold_used(
    invoke: Invoke, write_log: WriteLog, family: int, used: int, raised: bool
) -> None:
    """docs/calibration.md: the thresholds used, the family one never below
    --min-failures; raising it is said once in the notes."""
    log = str(write_log("m1,antminer-s21,,2024-01-01,,"))
    thresholds = ["--min-failures", "50", "--min-family-failures", str(family)]
    code, stdout, err = invoke(log, "--as-of", "2025-01-01", "--json", "-", *thresholds)
    assert code == 0, err
    data = json.loads(stdout)
    assert data["min_failures"] == 50 and data["min_family_failures"] == used
    said = [n for n in data["notes"] if "--min-family-failures" in n]
    assert len(said) == int(raised)
    if raised:
        assert f"--min-family-failures {family} is below --min-failures 50" in said[0]


def test_a_shape_the_data_barely_fix_is_said() -> None:
    """Machines seen over a narrow window of ages gave k 0.18–12 and an m1 interval of
    0.0044–3,085 %, the verdict "good" and no word of it: the row says it."""
    from dataclasses import replace

    from hashshock.fit.rates import LOOSE_SHAPE_RATIO, cautions

    report = fit_failure_rates(ROOT / "examples/small-farm/repairs.csv", as_of=AS_OF)
    board = next(r for r in report.results if (r.part, r.applies_to) == ("hashboard", "*"))
    assert board.fit is not None
    k_lo, k_hi = board.fit.shape_ci95
    assert k_hi / k_lo < LOOSE_SHAPE_RATIO
    assert not any("barely fixed" in c for c in cautions(board))
    loose = replace(board, fit=replace(board.fit, shape_ci95=(0.18, 12.0)))
    (said,) = cautions(loose)
    assert said.startswith("hashboard: ") and "barely fixed by the data (k 0.18–12)" in said


def test_a_part_the_data_cannot_show_has_no_exposure_and_a_row_governing_none_no_next_year(
    invoke: Invoke, tmp_path: Path
) -> None:
    """A scan's PSUs showed "0 mach-yr" (none observed: "—"); a * row whose families all
    have rows of their own gave next year's failures as 0.0 in the JSON, "—" in the table."""
    from rich.console import Console

    from hashshock.fit.report import print_report, report_to_dict

    log = ROOT / "examples/small-farm/repairs.csv"
    data = report_to_dict(fit_failure_rates(log, as_of=AS_OF))
    overall = {r["part"]: r for r in data["results"] if r["applies_to"] == "*"}
    # the small farm's two families each have hashboard and fan rows; the PSU's S21s none
    for part in ("hashboard", "fan"):
        row = overall[part]
        assert row["next_year_failures_fitted"] is None and row["next_year_ratio"] is None
    assert overall["psu"]["next_year_failures_fitted"] > 0
    from tests.fit.test_fit_scans import _scan, _write

    scans = [_scan("S1", date(2025, 1, 2)), _scan("S1", date(2025, 6, 1), 2)]
    report = fit_failure_rates(_write(tmp_path, "inv.csv", scans), as_of=date(2025, 12, 31))
    console = Console(record=True, width=80)
    print_report(console, report)
    psu = next(line for line in console.export_text().splitlines() if line.startswith(" psu"))
    assert psu.split()[1:3] == ["—", "—"], psu
    assert "mach…" not in console.export_text()


def test_a_fit_says_it_is_working_on_a_terminal(
    invoke: Invoke, write_log: WriteLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Minutes of data fitted in silence (28 s for 5,000 machines' monthly scans): on a
    terminal a spinner says what it reads; with --quiet, nothing."""
    import io

    from rich.console import Console

    from hashshock.cli import common

    log = str(write_log("m1,antminer-s21,psu,2024-01-01,2024-06-01,"))
    for quiet, said in (([], True), (["-q"], False)):
        screen = io.StringIO()
        terminal = Console(file=screen, force_terminal=True, width=80, emoji=False)
        monkeypatch.setattr(common, "err_console", terminal)
        code, _, _ = invoke(log, "--as-of", "2025-01-01", *quiet)
        assert code == 0
        assert ("reading 1 file and fitting" in screen.getvalue()) is said
