"""``hashshock sweep`` end to end (on a Typer app of its own): JSON, report, summary,
a report written again from the JSON, the examples' specs."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml
from typer.testing import CliRunner

from hashshock.sweep.spec import load_spec

ROOT = Path(__file__).resolve().parents[2]
HOLD = "scenario.events[border-enforcement].hold_days.mode"
Spec = Callable[..., dict[str, Any]]


@pytest.fixture
def tornado(spec_of: Spec, write_spec: Callable[[dict[str, Any]], Path]) -> Path:
    return write_spec(spec_of(paths=10, horizon_days=60, metrics=[
        "covenant_breach:liquidity", "availability:59"], inputs=[
        {"path": HOLD, "low": 40, "high": 120, "label": "customs hold"},
        {"path": "fleet.operations.downtime_share", "low": 0.0, "high": 0.1}]))  # fmt: skip


def test_sweep_writes_json_and_report_and_prints_the_drivers(
    cli: typer.Typer, tornado: Path, tmp_path: Path
) -> None:
    out, page = tmp_path / "out.json", tmp_path / "out.html"
    done = CliRunner().invoke(cli, ["sweep", str(tornado), "--json", str(out), "--report",
                                    str(page), "--workers", "1"])  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "tornado sweep, 5 points (0 failed)" in done.output
    assert "availability:59" in done.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["sweep"]["method"] == "tornado" and len(data["points"]) == 5
    rows = data["tornado"]["availability:59"]["rows"]
    # an input that does not move a metric is counted under its table, not listed in it
    hold = next(r for r in rows if r["input"] == "customs hold")
    said = " ".join(done.output.split())
    assert ("1 input does not move it (swing 0)" if hold["swing"] == 0 else "customs hold") in said
    assert rows[0]["input"] == "fleet.operations.downtime_share"
    assert {"low", "high", "swing", "low_input", "high_input"} <= set(rows[0])
    assert [r["scenario"] for r in data["base_runs"]] == ["baseline", "sanctions"]
    html = page.read_text(encoding="utf-8")
    assert '<section id="sweep">' in html and 'id="chart-tornado-1"' in html
    assert html.index('<section id="sweep">') < html.index('<section id="stages">')
    # the numbers behind the tornado, a table per metric, readable without JavaScript
    from hashshock.report.figures.sweep import difference_text

    sweep = html[html.index('<section id="sweep">') : html.index('<section id="stages">')]
    assert sweep.count("<th>swing</th>") == len(data["sweep"]["metrics"])
    for row in rows:
        assert f"<td>{row['input']}</td>" in sweep
        assert f"<td>{difference_text(row['swing'], 'availability:59')}</td>" in sweep
    from tests.dashboard.browser import check_page_draws

    check_page_draws(page, tmp_path / "browser")  # the tornado and the base runs' fans


def test_a_tornado_says_which_percentiles_its_low_and_high_are(
    cli: typer.Typer, spec_of: Spec, write_spec: Callable[[dict[str, Any]], Path],
    tmp_path: Path,
) -> None:  # fmt: skip
    """The JSON keeps what the spec asked of the method (a saved sweep can say what low
    and high meant), the terminal and the report say it, and the spec file is named so
    that it can be found again from anywhere."""
    spec = write_spec(spec_of(paths=4, horizon_days=30, percentiles=[25, 75],
                              metrics=["availability:29"], inputs=[
        {"path": "fleet.operations.downtime_share", "low": 0.0, "high": 0.1}]))  # fmt: skip
    out, page = tmp_path / "out.json", tmp_path / "out.html"
    done = CliRunner().invoke(cli, ["sweep", str(spec), "--json", str(out), "--report",
                                    str(page)])  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "25th and 75th percentile" in " ".join(done.output.split())
    head = json.loads(out.read_text(encoding="utf-8"))["sweep"]
    assert head["settings"] == {"percentiles": [25.0, 75.0]}
    assert Path(head["spec_file"]).is_absolute() and Path(head["spec_file"]) == spec.resolve()
    assert "25th and 75th percentile" in page.read_text(encoding="utf-8")


def test_a_sweep_json_gives_its_report_again(cli: typer.Typer, tornado: Path,
                                             tmp_path: Path) -> None:  # fmt: skip
    out = tmp_path / "out.json"
    assert CliRunner().invoke(cli, ["sweep", str(tornado), "--json", str(out), "-q"]).exit_code == 0
    page = tmp_path / "again.html"
    done = CliRunner().invoke(cli, ["sweep", str(out), "--report", str(page)])
    assert done.exit_code == 0, done.output
    assert 'id="chart-tornado-0"' in page.read_text(encoding="utf-8")


@pytest.mark.parametrize("option", [["--store", "runs.duckdb"], ["--save"], ["-n", "20"],
                                    ["--workers", "2"]])  # fmt: skip
def test_a_sweep_json_given_back_refuses_options_that_run_a_spec(
    cli: typer.Typer, tornado: Path, tmp_path: Path, option: list[str]
) -> None:
    """Drawn again, a sweep's JSON saves nothing and runs nothing: a store, paths or
    workers given with it are refused, not silently ignored."""
    out = tmp_path / "out.json"
    assert CliRunner().invoke(cli, ["sweep", str(tornado), "--json", str(out), "-q"]).exit_code == 0
    done = CliRunner().invoke(cli, ["sweep", str(out), "--report", str(tmp_path / "p.html"),
                                    *option])  # fmt: skip
    assert done.exit_code == 2
    named = {"-n": "--paths"}.get(option[0], option[0])
    assert f"{out}: {named}: is for running a spec" in " ".join(done.output.split())
    assert not (tmp_path / "p.html").exists() and not (tmp_path / "runs.duckdb").exists()


def test_hashshock_report_takes_a_sweep_json(cli: typer.Typer, tornado: Path,
                                             tmp_path: Path) -> None:  # fmt: skip
    out, page = tmp_path / "out.json", tmp_path / "page.html"
    assert CliRunner().invoke(cli, ["sweep", str(tornado), "--json", str(out), "-q"]).exit_code == 0
    done = CliRunner().invoke(cli, ["report", str(out), "--out", str(page)])
    assert done.exit_code == 0, done.output
    assert '<section id="sweep">' in page.read_text(encoding="utf-8")


def test_save_keeps_the_sweep_and_every_point_in_the_store(
    cli: typer.Typer, tornado: Path, tmp_path: Path
) -> None:
    import duckdb

    from hashshock.store.sweeps import load_sweep

    store, out = tmp_path / "runs.duckdb", tmp_path / "out.json"
    done = CliRunner().invoke(cli, ["sweep", str(tornado), "--json", str(out), "--save",
                                    "--store", str(store)])  # fmt: skip
    assert done.exit_code == 0, done.output
    sweep_id = re.search(r"saved sweep ([0-9a-f]+)", done.output).group(1)  # type: ignore[union-attr]
    data = json.loads(out.read_text(encoding="utf-8"))
    with duckdb.connect(str(store), read_only=True) as con:
        rows = con.execute("SELECT point, metric, value FROM sweep_points WHERE sweep_id = ? "
                           "ORDER BY point, metric", [sweep_id]).fetchall()  # fmt: skip
    expected = sorted((p["index"], m, v) for p in data["points"] for m, v in p["metrics"].items())
    assert rows == expected
    assert load_sweep(sweep_id, store).to_dict() == data
    from hashshock.store.export import export_run

    for fmt in ("json", "csv"):  # exported over the sweep's own JSON, then over itself
        target = out if fmt == "json" else tmp_path / "points.csv"
        for _ in range(2):
            export_run(sweep_id, fmt, target, store)
    assert json.loads(out.read_text(encoding="utf-8")) == data
    page = tmp_path / "page.html"  # and its report, by its id
    done = CliRunner().invoke(cli, ["report", sweep_id, "--store", str(store), "--out",
                                    str(page)])  # fmt: skip
    assert done.exit_code == 0, done.output
    assert '<section id="sweep">' in page.read_text(encoding="utf-8")


def test_quiet_prints_nothing_and_json_goes_to_stdout(cli: typer.Typer, tornado: Path) -> None:
    done = CliRunner().invoke(cli, ["sweep", str(tornado), "--json", "-", "-q"])
    assert done.exit_code == 0
    assert json.loads(done.stdout)["sweep"]["name"] == "test"


def test_json_on_stdout_stays_json_beside_a_report(
    cli: typer.Typer, tornado: Path, tmp_path: Path
) -> None:
    """``--json -`` with ``--report``: the report's "wrote" line goes to stderr, so stdout
    parses as JSON, from a spec and from a sweep's JSON given back."""
    page = tmp_path / "page.html"
    done = CliRunner().invoke(cli, ["sweep", str(tornado), "--json", "-", "--report", str(page)])
    assert done.exit_code == 0, done.output
    data = json.loads(done.stdout)
    assert f"wrote {page}" in " ".join(done.stderr.split()) and page.is_file()
    saved = tmp_path / "saved.json"
    saved.write_text(json.dumps(data), encoding="utf-8")
    again = CliRunner().invoke(cli, ["sweep", str(saved), "--json", "-", "--report",
                                     str(tmp_path / "again.html")])  # fmt: skip
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout) == data
    # From Python, the same file is said to be a sweep's results, not "points: unknown field"
    import hashshock
    from hashshock.inputs.errors import InputError

    with pytest.raises(InputError, match=r"is a sweep's JSON .*, not a spec to run"):
        hashshock.sweep(saved)


def test_a_store_that_cannot_take_the_sweep_says_so_and_the_files_are_written(
    cli: typer.Typer, tornado: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store locked by another process when the sweep ends: its own problem and fix
    (not "free space"), the JSON and report written all the same, exit 1."""
    import hashshock.store.sweeps
    from hashshock.inputs.errors import InputError

    store = tmp_path / "runs.duckdb"

    def locked(*_: object) -> str:
        raise InputError(store, "--store", "is locked by another process", "try again")

    monkeypatch.setattr(hashshock.store.sweeps, "save_sweep", locked)
    out, page = tmp_path / "out.json", tmp_path / "page.html"
    done = CliRunner().invoke(cli, ["sweep", str(tornado), "--json", str(out), "--report",
                                    str(page), "--store", str(store), "-q"])  # fmt: skip
    assert done.exit_code == 1
    assert (f"error: {store}: the results could not be written (is locked by another "
            "process) — fix: try again") in " ".join(done.stderr.split())  # fmt: skip
    assert "free space" not in done.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["sweep"]["name"] == "test"
    assert page.is_file()


def test_outputs_never_overwrite_the_spec(cli: typer.Typer, tornado: Path) -> None:
    done = CliRunner().invoke(cli, ["sweep", str(tornado), "--json", str(tornado)])
    assert done.exit_code == 2 and "is one of this run's input files" in done.output


def test_a_failed_point_exits_2_after_writing(cli: typer.Typer, spec_of: Spec,
                                              write_spec: Any, tmp_path: Path) -> None:  # fmt: skip
    spec = write_spec(spec_of(paths=4, horizon_days=30, metrics=["availability:29"],
                              inputs=[{"path": HOLD, "low": 30, "high": 240}]))  # fmt: skip
    out = tmp_path / "out.json"
    done = CliRunner().invoke(cli, ["sweep", str(spec), "--json", str(out), "-q"])
    assert done.exit_code == 2
    assert re.search(r"error: point 2 \(scenario\.events\[border-enforcement\]", done.output)
    assert json.loads(out.read_text(encoding="utf-8"))["failed_points"][0]["index"] == 2
    # Shown: the table says the row has no swing because its point failed, not a stage.
    shown = CliRunner().invoke(cli, ["sweep", str(spec)])
    assert shown.exit_code == 2
    text = " ".join(shown.stdout.split())
    assert "swing —: a point of the input failed" in text
    assert "a stage too rare" not in text


def test_a_point_whose_inputs_are_invalid_is_said_before_the_runs(
    cli: typer.Typer, spec_of: Spec, write_spec: Any, said_and_runs: list[str]
) -> None:
    """A long sweep said its invalid points only after all its runs; the Python API says
    them before, and the command now prints them then (and its error lines at the end)."""
    events = said_and_runs
    spec = write_spec(spec_of(paths=4, horizon_days=30, metrics=["availability:29"],
                              inputs=[{"path": HOLD, "low": 30, "high": 240}]))  # fmt: skip
    done = CliRunner().invoke(cli, ["sweep", str(spec)])
    assert done.exit_code == 2
    said = [i for i, e in enumerate(events) if e.startswith("point 2 (")]
    assert len(said) == 1 and said[0] < events.index("runs"), events
    assert done.output.count("error: point 2 (") == 1


@pytest.mark.parametrize("name", ["tornado.yaml", "sobol.yaml"])
def test_the_example_specs_run(name: str, tmp_path: Path) -> None:
    """Each example, at toy sizes (its own paths and samples are for real use)."""
    import hashshock.sweep

    source = ROOT / "examples" / "sweeps" / name
    spec = load_spec(source)
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    data["base"]["fleet"] = str((source.parent / spec.base.fleet).resolve())
    data.update(paths=3, horizon_days=30)
    data["metrics"] = [
        m
        for m in data["metrics"]
        if not re.search(r":(\d+)", m) or int(re.search(r":(\d+)", m).group(1)) < 30
    ]  # type: ignore[union-attr]
    if data["method"] == "sobol":
        data["samples"] = 8  # the fewest a Sobol' spec takes
    result = hashshock.sweep(data, with_runs=False)
    assert not result.failed, [p.error for p in result.failed]
    # its report's tables: a row per input for each metric the method could analyse
    from hashshock.report.figures.sweep import tables

    found = tables(result.to_dict())
    assert found and all(t.count("<tr><td>") == len(data["inputs"]) for t in found)


def test_a_long_tornado_table_says_how_many_inputs_it_leaves_out() -> None:
    """The terminal shows the inputs with the largest swings; the rest are counted, not
    dropped silently, and every line fits 80 columns."""
    import io

    from rich.console import Console

    from hashshock.cli.sweep import TORNADO_ROWS, render_sweep

    rows = [{"input": f"fleet.input_{i}", "low_input": 1.0, "high_input": 2.0,
             "low": 100.0 - i, "high": 100.0 + i, "swing": 2.0 * (30 - i)}
            for i in range(TORNADO_ROWS + 3)]  # fmt: skip
    data = {
        "sweep": {"name": "a sweep whose name is long enough to need wrapping at 80 columns",
                  "method": "tornado", "paths": 1000, "horizon_days": 365, "seed": 0,
                  "metrics": ["cash_end"]},
        "points": [{}] * (2 * len(rows) + 1), "failed_points": [],
        "base": {"metrics": {"cash_end": 100.0}},
        "tornado": {"cash_end": {"rows": rows}},
    }  # fmt: skip
    text = io.StringIO()
    render_sweep(Console(file=text, width=80), data, 1.0)
    printed = text.getvalue()
    assert max(len(line) for line in printed.splitlines()) <= 80
    shown = [r["input"] for r in rows if r["input"] + " " in printed]
    assert shown == [r["input"] for r in rows[:TORNADO_ROWS]]
    assert "3 more inputs with smaller swings" in printed
    assert "├" not in printed  # every label on one line: no rules between rows
    # a label too long for its column wraps; the rows are then ruled off, so its second
    # line cannot read as another input with empty cells
    rows[0]["input"] = "alternative vendors' extra lead time after the listing"
    text = io.StringIO()
    render_sweep(Console(file=text, width=80), data, 1.0)
    lines = text.getvalue().splitlines()
    wrapped = next(i for i, line in enumerate(lines) if "alternative vendors'" in line)
    assert lines[wrapped + 1].startswith("│ ") and lines[wrapped + 2].startswith("├")


def test_a_tornado_of_breach_shares_says_what_one_path_is_and_drops_zero_swings() -> None:
    """At 50 paths a breach share moves in steps of 2 pts, and a swing of one path read as
    an input's effect; inputs that do not move the metric filled the table with 0.00 pts.
    They are counted in the caption, and one path's size is said."""
    import io

    from rich.console import Console

    from hashshock.cli.sweep import render_sweep

    def row(name: str, swing: float) -> dict[str, Any]:
        return {"input": name, "low_input": 1.0, "high_input": 2.0, "low": 0.28,
                "high": 0.28 + swing, "swing": swing}  # fmt: skip

    metric = "covenant_breach:dscr"
    data = {
        "sweep": {"name": "s", "method": "tornado", "paths": 50, "horizon_days": 365,
                  "seed": 0, "metrics": [metric]},
        "points": [{}] * 9, "failed_points": [], "base": {"metrics": {metric: 0.28}},
        "tornado": {metric: {"rows": [row("btc", 0.5), row("fans", 0.02), row("a", 0.0),
                                      row("b", 0.0)]}},
    }  # fmt: skip
    text = io.StringIO()
    render_sweep(Console(file=text, width=80), data, 1.0)
    printed = " ".join(text.getvalue().split())
    assert "one path is 2.00 pts at 50 paths" in printed
    assert "2 inputs do not move it (swing 0)" in printed
    assert "│ a " not in text.getvalue() and "│ fans " in text.getvalue()
    for item in data["tornado"][metric]["rows"][:2]:  # type: ignore[index]
        item["swing"] = 0.0
    text = io.StringIO()
    render_sweep(Console(file=text, width=80), data, 1.0)
    assert "no input moves it (swing 0)" in " ".join(text.getvalue().split())


def test_a_oneway_table_gives_the_metric_at_each_end_of_an_input() -> None:
    """A one-way line's row reads as a tornado's: the input's lowest and highest levels,
    the metric at each (not the metric's own lowest and highest, which hid which end
    does what), and the range over all levels, for a line that is not monotone too."""
    import io

    from rich.console import Console

    from hashshock.cli.sweep import render_sweep

    line = [{"input": 0.5, "value": 0.92}, {"input": 1.0, "value": 0.95},
            {"input": 2.0, "value": 0.69}]  # fmt: skip
    data = {
        "sweep": {"name": "s", "method": "oneway", "paths": 10, "horizon_days": 365,
                  "seed": 0, "metrics": ["availability:364"]},
        "points": [{}] * 4, "failed_points": [],
        "base": {"metrics": {"availability:364": 0.95}},
        "oneway": {"availability:364": {"base": 0.95, "inputs": {"failure rates": line}}},
    }  # fmt: skip
    text = io.StringIO()
    render_sweep(Console(file=text, width=80), data, 1.0)
    row = next(r for r in text.getvalue().splitlines() if r.startswith("│ failure rates"))
    assert [c.strip() for c in row.split("│")[1:-1]] == [
        "failure rates",
        "0.5 → 2",
        "92.00%",
        "69.00%",
        "26.00 pts",
    ]
    # A line with one level left (the other failed) has no range, not a range of 0:
    data["oneway"]["availability:364"]["inputs"]["failure rates"] = [  # type: ignore[index]
        {"input": 0.5, "value": 0.92}, {"input": 2.0, "value": None}]  # fmt: skip
    text = io.StringIO()
    render_sweep(Console(file=text, width=80), data, 1.0)
    row = next(r for r in text.getvalue().splitlines() if r.startswith("│ failure rates"))
    assert [c.strip() for c in row.split("│")[1:-1]][-2:] == ["—", "—"]
    assert "range —: fewer than two" in " ".join(text.getvalue().split())


def test_a_grid_names_its_lowest_and_highest_level_whatever_the_listed_order(
    cli: typer.Typer, spec_of: Spec, write_spec: Callable[[dict[str, Any]], Path],
    tmp_path: Path,
) -> None:  # fmt: skip
    """Values listed out of order: the main effects run ascending in the JSON (each the
    mean of its grid points), and the terminal's low and high are the lowest and highest
    levels with the metric at each."""
    path = "fleet.operations.failure_rate_multiplier"
    spec = write_spec(spec_of(method="grid", paths=10, horizon_days=60,
                              metrics=["availability:59"],
                              inputs=[{"path": path, "values": [2.0, 0.5, 1.5]}]))  # fmt: skip
    out = tmp_path / "grid.json"
    done = CliRunner().invoke(cli, ["sweep", str(spec), "--json", str(out)],
                              env={"COLUMNS": "120"})  # fmt: skip
    assert done.exit_code == 0, done.output
    data = json.loads(out.read_text(encoding="utf-8"))
    effects = data["grid"]["availability:59"]["main_effects"][path]
    assert [e["input"] for e in effects] == [0.5, 1.5, 2.0]
    for effect in effects:
        (point,) = [p for p in data["points"] if p["role"] == "grid"
                    and p["inputs"][path] == effect["input"]]  # fmt: skip
        assert effect["value"] == point["metrics"]["availability:59"]
    row = next(r for r in done.output.splitlines() if r.startswith(f"│ {path}"))
    cells = [c.strip() for c in row.split("│")[1:-1]]
    assert cells[1] == "0.5 → 2"
    assert cells[2:4] == [f"{effects[0]['value']:.2%}", f"{effects[-1]['value']:.2%}"]


def test_workers_beside_a_scheduler_from_the_environment_say_so(
    cli: typer.Typer, tornado: Path
) -> None:
    """DASK_SCHEDULER_ADDRESS set and --workers given: one line naming the variable, not
    an option the user never passed, before anything runs."""
    done = CliRunner().invoke(cli, ["sweep", str(tornado), "--workers", "1"],
                              env={"DASK_SCHEDULER_ADDRESS": "tcp://127.0.0.1:19999",
                                   "COLUMNS": "300"})  # fmt: skip
    assert done.exit_code == 2
    (line,) = done.output.strip().splitlines()
    assert line.startswith("error: workers (--workers): ")
    assert "DASK_SCHEDULER_ADDRESS is set (tcp://127.0.0.1:19999)" in line
    assert "unset DASK_SCHEDULER_ADDRESS" in line and "drop --workers" in line
    assert "--scheduler" not in line


def test_a_swing_of_a_share_is_in_percentage_points() -> None:
    """A tornado's values of a probability are percentages, their swing a difference of
    two: percentage points, not a percentage of anything; other metrics keep their unit."""
    from hashshock.report.figures.sweep import difference_text, value_text

    assert value_text(0.49, "covenant_breach:dscr") == "49.00%"
    assert difference_text(0.74, "covenant_breach:dscr") == "74.00 pts"
    assert difference_text(0.1848, "availability:364") == "18.48 pts"
    assert difference_text(2.4e7, "cash_end") == value_text(2.4e7, "cash_end")
    assert difference_text(None, "cash_end") == "—"
    # a swing too small for two decimals is not shown as none
    assert difference_text(2.4e-6, "availability:364") == "0.00024 pts"
    assert difference_text(0.0, "availability:364") == "0.00 pts"


def test_an_input_of_millions_reads_as_millions() -> None:
    """Inputs in millions (cash, principal) are short enough for an 80-column table; the
    text still parses back to the value to four significant digits."""
    from hashshock.report.figures.sweep import input_text

    assert input_text(18_000_000) == "18M"
    assert input_text(42_345_678.0) == "42.35M"
    assert input_text(-2_500_000) == "-2.5M"
    assert input_text(150_000) == "150,000"
    assert input_text(0.087) == "0.087"
    for value in (1e6, 3.21e7, 9.999e8):
        assert float(input_text(value)[:-1]) * 1e6 == pytest.approx(value, rel=5e-4)


def test_sweep_charts_say_what_a_metric_is() -> None:
    """A chart's title and axis name the metric in words, with its key for the spec."""
    from hashshock.report.figures.sweep import tornado_chart

    row = {"input": "BTC drift", "low_input": -0.24, "high_input": 0.24, "low": 0.89,
           "high": 0.14, "swing": 0.75}  # fmt: skip
    fig = tornado_chart("covenant_breach:dscr", {"rows": [row], "base": 0.49})
    assert fig is not None
    said = "probability the dscr covenant is breached [covenant_breach:dscr]"
    assert said in fig["layout"]["title"]["text"]
    assert fig["layout"]["xaxis"]["title"]["text"] == said


def test_a_tornado_shows_both_ends_on_one_side_and_says_when_nothing_moves() -> None:
    """Both ends above the base: the high bar, drawn over the low one, hid it; drawn
    narrower, both show. Every swing 0: the axis repeated "22, 22, 23" around the base;
    now the chart says no input moves it."""
    from hashshock.report.figures.sweep import tornado_chart

    row = {"input": "hold mode", "low_input": 30, "high_input": 150, "low": 0.7549,
           "high": 0.7557, "swing": 0.0021}  # fmt: skip
    fig = tornado_chart("availability:364", {"rows": [row], "base": 0.7536})
    assert fig is not None
    low, high = fig["data"]
    assert low["x"][0] > 0 and high["x"][0] > low["x"][0] and high["width"] < low["width"]
    assert not fig["layout"].get("annotations")
    flat = {"input": "hold mode", "low_input": 30, "high_input": 150, "low": 22.0,
            "high": 22.0, "swing": 0.0}  # fmt: skip
    still = tornado_chart("stage_day:spares_depleted", {"rows": [flat], "base": 22.0})
    assert still is not None and still["layout"]["xaxis"]["showticklabels"] is False
    assert "no input moves it" in still["layout"]["annotations"][0]["text"]


def test_sobol_chart_sorts_by_total_effect_and_flags_rough_estimates() -> None:
    """Inputs come most total effect first; estimates outside what Sobol' indices can be
    (an interval wider than half the range, S1 above ST) are said to need more samples."""
    from hashshock.report.figures.sweep import sobol_chart

    good = {"S1": {"a": 0.1, "b": 0.6}, "ST": {"a": 0.15, "b": 0.7},
            "S1_interval": {"a": [0.05, 0.15], "b": [0.5, 0.7]},
            "ST_interval": {"a": [0.1, 0.2], "b": [0.6, 0.8]}}  # fmt: skip
    fig = sobol_chart("cash_end", good)
    assert fig is not None
    assert fig["data"][0]["x"] == ["b", "a"]
    assert "too rough" not in fig["layout"]["title"]["text"]
    rough = {**good, "S1": {"a": 0.9, "b": 0.6}, "S1_interval": {"a": [0.3, 1.5], "b": [0.5, 0.7]}}
    fig = sobol_chart("cash_end", rough)
    assert fig is not None and "too rough" in fig["layout"]["title"]["text"]


def test_spider_chart_marks_the_base_and_names_the_ranges() -> None:
    """Each line's legend gives the input's tested range in its own units, its base value
    is a diamond, and a dotted line marks the metric at base."""
    from hashshock.report.figures.sweep import spider_chart
    from hashshock.sweep.analysis import spider

    lines = {"failure rates": spider([0.5, 1.5, 2.0], [0.92, 0.76, 0.69], 1.0, 0.83),
             "cash at start": spider([1.5e7, 4.5e7], [0.83, 0.83], 3e7, 0.83)}  # fmt: skip
    fig = spider_chart("availability:364", lines, 0.83, "Spider")
    assert fig is not None
    rates, cash = fig["data"]
    assert rates["name"] == "failure rates (0.5 – 2)"
    assert cash["name"] == "cash at start (15M – 45M)"
    assert rates["marker"]["symbol"] == ["circle", "diamond", "circle", "circle"]
    assert rates["x"][1] == pytest.approx(1 / 3)  # 1.0 in 0.5 … 2
    assert cash["marker"]["symbol"] == ["circle", "diamond", "circle"]
    (line,) = fig["layout"]["shapes"]
    assert line["y0"] == line["y1"] == 0.83


def test_metric_names_print_as_written(
    cli: typer.Typer, spec_of: Spec, write_spec: Callable[[dict[str, Any]], Path]
) -> None:
    """``availability:100:p10`` is a metric, not rich's ``:100:`` emoji code."""
    spec = write_spec(spec_of(method="oneway", paths=5, horizon_days=120,
                              metrics=["availability:100:p10"],
                              inputs=[{"path": "fleet.operations.downtime_share",
                                       "values": [0.0, 0.1]}]))  # fmt: skip
    done = CliRunner().invoke(cli, ["sweep", str(spec)], env={"COLUMNS": "100"})
    assert done.exit_code == 0, done.output
    assert "availability:100:p10" in done.output and "\U0001f4af" not in done.output


@pytest.mark.parametrize(("edit", "words"), [
    (lambda d: d["sweep"].update(method="banana"), "sweep.method"),
    (lambda d: d.update(tornado=None), "tornado: is NoneType"),
    (lambda d: d["points"][0].update(metrics="oops"), "points[0].metrics"),
    (lambda d: d["base_runs"][0].update(daily={}), "daily.hashrate_ths"),
    # No analysis, or none for a metric it lists: a page without its charts, said as such.
    (lambda d: d.pop("tornado"), "tornado: missing: the tornado sweep's analysis"),
    (lambda d: d["tornado"].pop("availability:59"), "tornado.availability:59: missing"),
])  # fmt: skip
def test_a_sweep_json_edited_out_of_shape_is_one_line(
    cli: typer.Typer, tornado: Path, tmp_path: Path, edit: Any, words: str
) -> None:
    """A sweep's JSON whose fields are of the wrong kind (a hand edit) is refused naming
    the file, the field and how to write it again — by `sweep FILE --report` and by
    `report FILE` — not drawn into a page, nor a traceback from the drawing code."""
    out = tmp_path / "out.json"
    assert CliRunner().invoke(cli, ["sweep", str(tornado), "--json", str(out), "-q"]).exit_code == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    edit(data)
    out.write_text(json.dumps(data), encoding="utf-8")
    page = tmp_path / "page.html"
    for args in (["sweep", str(out), "--report", str(page)],
                 ["report", str(out), "--out", str(page)]):  # fmt: skip
        done = CliRunner().invoke(cli, args)
        assert done.exit_code == 2, done.output
        assert done.exception is None or isinstance(done.exception, SystemExit)
        assert str(out) in done.output and words in done.output
        assert "hashshock sweep --json" in done.output
        assert not page.exists()


@pytest.mark.parametrize("method", ["oneway", "grid", "lhs"])
def test_each_methods_report_has_its_numbers_as_tables(method: str) -> None:
    """Without JavaScript the charts show nothing: a one-way line's and a grid's main
    effect's metric at each value, and the rank correlations, are tables too — the
    numbers of the sweep's own analysis, a row per value (per input for lhs)."""
    import hashshock.sweep
    from hashshock.report.figures.sweep import tables, value_text

    inputs = [{"path": HOLD, "values": [30, 90, 150]},
              {"path": "fleet.operations.downtime_share", "values": [0.0, 0.05]}]  # fmt: skip
    spec: dict[str, Any] = {
        "base": {"fleet": str(ROOT / "examples" / "midsize-public-miner" / "fleet.yaml"),
                 "scenario": "sanctions"},
        "method": method, "paths": 3, "horizon_days": 30, "seed": 0,
        "metrics": ["availability:29"], "inputs": inputs,
    }  # fmt: skip
    if method == "lhs":
        spec["inputs"] = [
            {"path": HOLD, "low": 30, "high": 150},
            {"path": "fleet.operations.downtime_share", "low": 0.0, "high": 0.1},
        ]
        spec["samples"] = 5
    data = hashshock.sweep.sweep(spec, with_runs=False).to_dict()
    (found,) = tables(data)
    analysis = data[method]["availability:29"]
    if method == "lhs":
        assert found.count("<tr><td>") == len(analysis["spearman"]) == 2
        for rho in analysis["spearman"].values():
            assert f"{rho:+.2f}" in found
        return
    lines = analysis["inputs" if method == "oneway" else "main_effects"]
    points = [p for line in lines.values() for p in line]
    assert found.count("<tr><td>") == len(points) >= 5  # one-way: the base value too
    for point in points:
        assert value_text(point["value"], "availability:29") in found


def test_a_sweep_says_the_base_fleet_s_warnings_as_run_does(
    cli: typer.Typer, spec_of: Spec, write_spec: Callable[..., Path], tmp_path: Path
) -> None:
    """A base fleet with an empty cohort: `run` warns of it, `sweep` said nothing."""
    from tests.sweep.conftest import money_fleet

    fleet = money_fleet()
    fleet["cohorts"].append({**fleet["cohorts"][0], "count": 0})
    path = tmp_path / "zero.yaml"
    path.write_text(yaml.safe_dump(fleet, sort_keys=False), encoding="utf-8")
    downtime = {"path": "fleet.operations.downtime_share", "values": [0.0, 0.1]}
    spec = spec_of(base={"fleet": str(path)}, method="grid", paths=3, horizon_days=30,
                   metrics=["availability:29"], inputs=[downtime])  # fmt: skip
    done = CliRunner().invoke(cli, ["sweep", str(write_spec(spec)), "-q"])
    assert done.exit_code == 0, done.output
    assert "has 0 machines: it is kept but simulates nothing" in " ".join(done.output.split())
