"""Terminal output a person can read and trust (issue 17, parts C-F).

* 80 columns: nothing a user must read or type is cut (catalog slugs and families,
  scenario names, compare's money, ``scan --help`` option names);
* money tables say when revenue assumes a network-wide shock and why cash can end
  higher than under baseline; the well-capitalised example does not run out of cash;
* one day convention: day 0 is the start date, rows show the 0-based day and its date;
* a customs-delay stage on the same day on every path is explained.

Assertions are on what must be true of the output (every value present whole, no
ellipsis), never on a snapshot of it.
"""

from __future__ import annotations

import copy
import csv
import io
import itertools
import json
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import typer
from rich.console import Console
from typer.testing import CliRunner

from hashshock.cli.listing import CATALOG_DROP_ORDER, catalog_table
from hashshock.cli.listing import register as register_listing
from hashshock.cli.render import (
    checkpoints,
    fixed_customs_day_note,
    render_compare,
    render_run,
    render_stages,
    stage_order_notes,
)
from hashshock.cli.render_money import render_money
from hashshock.cli.scan import register as register_scan
from hashshock.inputs.catalog import bundled_catalog, load_catalog
from hashshock.money_notes import (
    cash_higher_note,
    machines_worth_note,
    musd,
    network_note,
    owned_higher_note,
)

ROOT = Path(__file__).resolve().parents[2]
MIDSIZE = ROOT / "examples" / "midsize-public-miner" / "fleet.yaml"
WELL_CAPITALISED = ROOT / "examples" / "well-capitalised" / "fleet.yaml"
SCENARIOS = ["baseline", "customs-2024", "mitigation", "sanctions"]
ELLIPSIS = "…"


def printed(render: Any, *args: Any, width: int = 80) -> str:
    """What ``render(console, *args)`` prints on a terminal ``width`` columns wide."""
    console = Console(width=width, record=True, file=io.StringIO(), color_system=None)
    render(console, *args)
    return console.export_text()


def tokens(text: str) -> set[str]:
    """The whitespace- and box-separated words of ``text``."""
    return set(re.split(r"[\s│┃|]+", text))


def app_with(*registers: Any) -> typer.Typer:
    app = typer.Typer()
    for register in registers:
        register(app)

    @app.command("noop", hidden=True)
    def _noop() -> None:  # a second command keeps the others as subcommands
        """Nothing."""

    return app


@pytest.fixture(scope="module")
def results() -> list[dict[str, Any]]:
    """Baseline and three shocks on the mid-size example (small, for speed)."""
    from hashshock import api

    runs = api.compare(str(MIDSIZE), SCENARIOS, paths=60, horizon_days=365, seed=0)
    return [r.to_dict() for r in runs]


# --- C: 80 columns ---------------------------------------------------------------------


@pytest.mark.parametrize("width", [60, 80, 100, 200])
def test_catalog_shows_every_slug_and_family_whole(width: int) -> None:
    models = list(bundled_catalog().models.values())
    text = printed(lambda c: c.print(catalog_table(models, c)), width=width)
    words = tokens(text)
    assert ELLIPSIS not in text
    for model in models:
        assert model.slug in words and model.family in words, model.slug
    assert all(len(line) <= width for line in text.splitlines())
    if width >= 200:
        assert "Not shown" not in text and "boards/fans" in text
    else:
        flat = " ".join(text.split())
        assert "Not shown at this width" in flat  # and says which columns went
        assert any(name in flat.split("Not shown at this width")[1] for name in CATALOG_DROP_ORDER)


def test_catalog_command_at_80_columns_with_a_long_extra_slug(tmp_path: Path) -> None:
    source = ROOT / "src" / "hashshock" / "data" / "models.csv"
    rows = list(csv.DictReader(source.open(encoding="utf-8")))
    row = dict(rows[0], slug="my-custom-antminer-s21-hydro-immersion-edition")
    extra = tmp_path / "models.csv"
    with extra.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerow(row)
    app = app_with(register_listing)
    result = CliRunner().invoke(app, ["catalog", "--extra", str(extra)], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    words = tokens(result.stdout)
    assert ELLIPSIS not in result.stdout
    for model in load_catalog(extra).models.values():
        assert model.slug in words and model.family in words, model.slug
    assert "family" in words


def test_scenarios_and_schema_from_the_listing_module() -> None:
    app = app_with(register_listing)
    result = CliRunner().invoke(app, ["scenarios"], env={"COLUMNS": "80"})
    assert result.exit_code == 0 and ELLIPSIS not in result.stdout
    listed = json.loads(CliRunner().invoke(app, ["scenarios", "--json"]).stdout)
    words = tokens(result.stdout)
    for scenario in listed:
        assert scenario["name"] in words
        for event in scenario["events"]:  # the name a sweep's path uses, and the type
            assert event["name"] in words and event["type"] in words
    schema = CliRunner().invoke(app, ["schema", "fleet"])
    assert schema.exit_code == 0 and "cohorts" in json.loads(schema.stdout)["properties"]
    bad = CliRunner().invoke(app, ["schema", "fleeet"])
    assert bad.exit_code == 2 and "unknown schema" in bad.stderr
    assert all(kind in bad.stderr.split("fix:")[1] for kind in ("fleet", "scenario", "sweep"))
    assert len(bad.stderr.strip().splitlines()) == 1 and "Traceback" not in bad.output


def test_one_scenario_shows_its_events_as_its_file_writes_them() -> None:
    """`hashshock scenarios NAME` gives each event's name, type and fields as the file
    writes them (a delay as its distribution's parameters, not its discretised weights),
    in JSON and in 80 columns; the sweep path it suggests leads to a field; a name that
    is not a scenario is one line naming the built-in ones."""
    import yaml

    from hashshock.inputs.load import builtin_scenarios, load_scenario
    from hashshock.sweep.fieldpath import addressable, resolve

    app = app_with(register_listing)
    for name, path in builtin_scenarios().items():
        shown = json.loads(CliRunner().invoke(app, ["scenarios", name, "--json"]).stdout)
        written = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert shown["events"] == written.get("events", []), name
        assert shown["network_wide"] is written.get("network_wide", False)
    result = CliRunner().invoke(app, ["scenarios", "sanctions"], env={"COLUMNS": "80"})
    assert result.exit_code == 0
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    words = " ".join(result.stdout.split())
    assert {"border-enforcement", "customs_hold", "hold_days:"} <= tokens(result.stdout)
    wide = CliRunner().invoke(app, ["scenarios", "sanctions"], env={"COLUMNS": "120"}).stdout
    assert "hold_days: {dist: triangular, low: 30, mode: 60, high: 180}" in wide
    assert "start_day: {dist: uniform, low: 14, high: 60}" in wide
    example = words.split("e.g. ")[1].split(";")[0]
    assert example == "scenario.events[border-enforcement].hold_days.mode"
    assert resolve(example, {"scenario": addressable(load_scenario("sanctions"))})[1] == 60
    bad = CliRunner().invoke(app, ["scenarios", "sanctons"])
    assert bad.exit_code == 2 and "unknown scenario 'sanctons'" in bad.stderr
    assert "did you mean sanctions?" in bad.stderr
    assert all(name in bad.stderr for name in builtin_scenarios())
    assert len(bad.stderr.strip().splitlines()) == 1 and "Traceback" not in bad.output


def test_listing_module_imports_nothing_heavy() -> None:
    import subprocess
    import sys

    code = (
        "import sys, hashshock.cli.listing\n"
        "heavy = ('numpy', 'pydantic', 'numba', 'hashshock.inputs.load', 'hashshock.api')\n"
        "print([m for m in sys.modules if m.split('.')[0] in heavy or m in heavy])"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=120)  # fmt: skip
    assert done.stdout.strip() == "[]"


@pytest.fixture(scope="module")
def farm_results() -> list[dict[str, Any]]:
    """Three scenarios of the small farm: money with negative bands, no covenants."""
    from hashshock import api

    farm = MIDSIZE.parent.parent / "small-farm" / "fleet.yaml"
    runs = api.compare(str(farm), SCENARIOS[:3], paths=20, horizon_days=365, seed=0)
    return [r.to_dict() for r in runs]


@pytest.mark.parametrize("width", [60, 80])
@pytest.mark.parametrize("fleet", ["midsize", "farm"])
def test_compare_shows_every_money_value_whole(
    results: list[dict[str, Any]], farm_results: list[dict[str, Any]], width: int, fleet: str
) -> None:
    def both(console: Console, runs: list[dict[str, Any]]) -> None:
        render_compare(console, runs)
        render_money(console, runs)

    results = results if fleet == "midsize" else farm_results
    text = printed(both, results, width=width)
    assert ELLIPSIS not in text
    assert all(len(line) <= width for line in text.splitlines())
    words = tokens(text)  # a cell may wrap between words, never inside one
    for result in results:
        assert result["scenario"] in words
        finance = result["finance"]
        for key in ("revenue_usd", "ebitda_usd", "cash_usd_end", "cash_usd_min"):
            band = finance[key]
            assert musd(band["p50"]) in words, (key, band)
            assert f"({musd(band['p5'])}–{musd(band['p95'])})" in words, (key, band)
        if "vs_baseline" in finance:
            risk = finance["vs_baseline"]["cash_at_risk_usd"]
            assert {musd(risk["p50"]), "(p95", f"{musd(risk['p95'])})"} <= words
        assert set(finance["covenants"]) <= words  # covenant names too


@pytest.mark.parametrize("width", [80, 120])
def test_money_labels_keep_one_line_when_the_table_fits(
    results: list[dict[str, Any]], width: int
) -> None:
    """One scenario in 80 columns (two in 120): every label on one line, none cut; three
    in 80 do not fit that way, and their labels wrap narrow instead."""
    label = "cash + spares at risk vs baseline"
    sanctions = next(r for r in results if r["scenario"] == "sanctions")
    shown = [sanctions] if width == 80 else [results[0], sanctions]
    text = printed(render_money, shown, width=width)
    assert all(len(line) <= width for line in text.splitlines())
    assert f"│ {label} │" in text
    assert label not in printed(render_money, results[:3], width=80)


@pytest.mark.parametrize("columns", ["60", "80", "100", "119", "200"])
def test_scan_help_shows_every_option_whole(columns: str) -> None:
    app = app_with(register_scan)
    for command in ("scan", "audit"):
        result = CliRunner().invoke(app, [command, "--help"], env={"COLUMNS": columns})
        assert result.exit_code == 0, result.output
        assert ELLIPSIS not in result.stdout
        words = tokens(result.stdout.replace(",", " ").replace("/", " "))
        cmd = typer.main.get_command(app).commands[command]  # type: ignore[attr-defined]
        for param in cmd.params:
            for name in [*param.opts, *param.secondary_opts]:
                if name.startswith("--"):
                    assert name in words, (command, columns, name)


# --- D: money notes and the well-capitalised example -------------------------------------


def test_network_wide_revenue_is_said_only_when_assumed(results: list[dict[str, Any]]) -> None:
    network = [r for r in results if "network_wide" in r["finance"]]
    assert network, "the built-in shocks are network-wide"
    note = network_note(results)
    assert note is not None and "whole network" in note
    for result in network:
        assert result["scenario"] in note
        price = result["finance"]["network_wide"]["hashprice_usd_per_ph_day_end_p50"]
        assert f"${price['network_wide']:,.2f}" in note
    local = copy.deepcopy(results)
    for result in local:
        result["finance"].pop("network_wide", None)
    assert network_note(local) is None
    text = printed(render_money, local)
    assert "whole network" not in text and "*" not in text


def _with_cash(result: dict[str, Any], cash_at_risk_p50: float) -> dict[str, Any]:
    out = copy.deepcopy(result)
    out["finance"]["vs_baseline"]["cash_at_risk_usd"]["p50"] = cash_at_risk_p50
    return out


def test_cash_higher_than_baseline_is_explained_by_the_costs(
    results: list[dict[str, Any]],
) -> None:
    baseline = results[0]
    sanctions = next(r for r in results if r["scenario"] == "sanctions")
    higher = _with_cash(sanctions, -3_000_000.0)
    mine, theirs = higher["finance"]["costs_usd_p50"], baseline["finance"]["costs_usd_p50"]
    higher["finance"]["costs_usd_p50"] = dict(mine, capex=theirs["capex"] - 2_500_000.0,
                                              power=theirs["power"] - 900_000.0)  # fmt: skip
    note = cash_higher_note(higher, baseline)
    assert note is not None and "Cash ends higher under sanctions" in note
    assert "$3.0M more" in note
    assert "capex) $2.5M less" in note and "power $900.0k less" in note
    assert note.index("capex") < note.index("power")  # largest first
    assert cash_higher_note(_with_cash(sanctions, 1_000.0), baseline) is None
    assert cash_higher_note(baseline, None) is None  # baseline has no vs_baseline
    alone = cash_higher_note(higher, None)  # `run` of one scenario: vs_baseline's own gaps
    assert alone is not None and "it spends less than baseline" in alone
    text = " ".join(printed(render_money, [baseline, higher]).split())
    assert "Cash ends higher under sanctions" in text


def test_machines_worth_more_than_baseline_s_with_no_more_installed_is_said_to_be_on_paper(
    results: list[dict[str, Any]],
) -> None:
    """Under sanctions the mid-size example's machines ended worth $5.9 M more than
    baseline's with 162 PH/s fewer installed: the used-ASIC index's premium. Said, with
    the amount; not said when they are worth less, or no more a TH."""
    baseline = results[0]
    sanctions = copy.deepcopy(next(r for r in results if r["scenario"] == "sanctions"))
    base_value = baseline["finance"]["machines_value_usd_end"]["p50"]
    sanctions["finance"]["machines_value_usd_end"]["p50"] = base_value + 5_900_000.0
    sanctions["daily"]["nameplate_ths"]["p50"][-1] = (
        baseline["daily"]["nameplate_ths"]["p50"][-1] - 162_000.0)  # fmt: skip
    note = machines_worth_note(sanctions, baseline)
    assert note is not None and "worth $5.9M more" in note and "162 PH/s fewer" in note
    assert "all owned" in note
    assert note in " ".join(printed(render_money, [baseline, sanctions]).split())
    # more installed at the same value a TH: the machines, not the index
    more = copy.deepcopy(sanctions)
    base_installed = baseline["daily"]["nameplate_ths"]["p50"][-1]
    more["daily"]["nameplate_ths"]["p50"][-1] = base_installed * 1.2
    more["finance"]["machines_value_usd_end"]["p50"] = base_value * 1.2
    assert machines_worth_note(more, baseline) is None
    # replacements bought under the cut install as much as baseline, each TH dearer: said
    # (the note was dropped whenever as many were installed)
    replaced = copy.deepcopy(sanctions)
    replaced["daily"]["nameplate_ths"]["p50"][-1] = base_installed + 1_820.0
    said = machines_worth_note(replaced, baseline)
    assert said is not None and "worth $5.9M more" in said and "fewer" not in said
    less = copy.deepcopy(sanctions)
    less["finance"]["machines_value_usd_end"]["p50"] = base_value - 1.0
    assert machines_worth_note(less, baseline) is None
    assert machines_worth_note(baseline, baseline) is None


@pytest.mark.parametrize(("total", "says"), [
    (500_000.0, "$500.0k behind baseline: more than all of the extra cash is stock drawn"),
    (-2_000_000.0, "$2.0M ahead of baseline, and only part of the extra cash is stock"),
])  # fmt: skip
def test_extra_cash_is_told_apart_from_stock_drawn_and_machines_broken(
    results: list[dict[str, Any]], total: float, says: str
) -> None:
    baseline = results[0]
    higher = _with_cash(next(r for r in results if r["scenario"] == "sanctions"), -1_000_000.0)
    vs = higher["finance"]["vs_baseline"]
    vs["spares_drawn_usd"] = {"p5": 0.0, "p50": 400_000.0, "p95": 0.0}
    vs["cash_and_spares_at_risk_usd"] = {"p5": 0.0, "p50": total, "p95": 0.0}
    waiting = higher["daily"]["machines_down"]["waiting_for_part"]["p50"]
    waiting[-1] = baseline["daily"]["machines_down"]["waiting_for_part"]["p50"][-1] + 120
    note = cash_higher_note(higher, baseline)
    assert note is not None and "Its shelves end $400.0k of spares (at cost) lower" in note
    assert says in note
    assert "And 120 more machines wait for a part on the last day than under baseline" in note


@pytest.mark.parametrize(("power_saved", "lost", "cushion", "loss_making"), [
    (500_000.0, 300_000.0, 100_000.0, True),  # power saved above all they would earn
    (500_000.0, 300_000.0, 250_000.0, False),  # the network's cushion was their revenue too
    (200_000.0, 300_000.0, 0.0, False),
])  # fmt: skip
def test_machines_waiting_that_mined_at_a_loss_are_a_saving_not_a_smaller_fleet(
    results: list[dict[str, Any]], power_saved: float, lost: float, cushion: float,
    loss_making: bool,
) -> None:  # fmt: skip
    """Machines stopped for parts that drew more power than the revenue they would have
    earned (revenue lost plus the network-wide cushion on the rest) mined at a loss: the
    note says so rather than "not a saving"."""
    baseline = results[0]
    higher = _with_cash(next(r for r in results if r["scenario"] == "sanctions"), -1_000_000.0)
    theirs = baseline["finance"]["costs_usd_p50"]
    higher["finance"]["costs_usd_p50"] = dict(higher["finance"]["costs_usd_p50"],
                                              power=theirs["power"] - power_saved)  # fmt: skip
    higher["finance"]["vs_baseline"]["revenue_at_risk_usd"]["p50"] = lost
    higher["finance"]["network_wide"]["revenue_cushion_usd"]["p50"] = cushion
    waiting = higher["daily"]["machines_down"]["waiting_for_part"]["p50"]
    waiting[-1] = baseline["daily"]["machines_down"]["waiting_for_part"]["p50"][-1] + 50
    note = cash_higher_note(higher, baseline)
    assert note is not None and "And 50 more machines wait for a part" in note
    assert ("mined at a loss" in note) is loss_making
    assert ("not a saving" in note) is not loss_making
    if loss_making:
        assert f"would have earned ({musd(lost + cushion)}," in note


def test_a_shock_this_fleet_rides_out_says_why_the_network_is_unmoved(
    results: list[dict[str, Any]],
) -> None:
    """The network-wide rule scales the network's loss from this fleet's: a fleet that
    loses nothing moves nothing, and the notes say so rather than claim a $0 cushion."""
    baseline = results[0]
    unmoved = copy.deepcopy(next(r for r in results if r["scenario"] == "sanctions"))
    network = unmoved["finance"]["network_wide"]
    network["revenue_cushion_usd"]["p50"] = 0.0
    price = network["hashprice_usd_per_ph_day_end_p50"]
    price["local"] = price["network_wide"]
    note = network_note([unmoved])
    assert note is not None and "loses no hashrate" in note and "hashshock industry" in note
    again = copy.deepcopy(unmoved)
    again["scenario"] = "customs-2024"
    both = network_note([again, unmoved])
    assert both is not None and both.count("loses no hashrate") == 1
    assert "customs-2024, sanctions no difference (this fleet loses no hashrate to them" in both
    higher = _with_cash(unmoved, -3_000_000.0)
    mine, theirs = higher["finance"]["costs_usd_p50"], baseline["finance"]["costs_usd_p50"]
    higher["finance"]["costs_usd_p50"] = dict(mine, parts=theirs["parts"] - 400_000.0)
    cash = cash_higher_note(higher, baseline)
    assert cash is not None and "cushioned" not in cash


def test_well_capitalised_example_has_money_and_keeps_it() -> None:
    from hashshock import api
    from hashshock.inputs.load import load_fleet

    finance = load_fleet(WELL_CAPITALISED).fleet.finance
    assert finance is not None and finance.cash_usd > 0 and finance.loans and finance.covenants
    text = WELL_CAPITALISED.read_text(encoding="utf-8")
    block = text[text.index("finance:") :]
    cash = next(line for line in block.splitlines() if "cash_usd:" in line)
    assert "#" in cash and "[E]" in block  # the amounts say what they are based on
    result = api.run(str(WELL_CAPITALISED), "baseline", paths=100, horizon_days=365).to_dict()
    assert result["finance"]["cash_usd_min"]["p5"] > 0
    assert result["finance"]["cash_usd_start"] == finance.cash_usd


# --- E: day 0 is the start date ----------------------------------------------------------


def test_checkpoints_are_zero_based_and_end_on_the_last_day() -> None:
    """The last day always; a checkpoint within a week of it is left out (a 1,098-day run
    showed days 1,095 and 1,097 as two rows)."""
    assert checkpoints(365) == [30, 91, 182, 273, 364]
    assert checkpoints(366) == [30, 91, 182, 273, 365]
    assert checkpoints(30) == [29]
    assert checkpoints(1) == [0]
    assert checkpoints(1098) == [30, 91, 182, 273, 365, 547, 730, 1097]


def test_run_rows_show_the_zero_based_day_and_its_date(results: list[dict[str, Any]]) -> None:
    result = results[-1]
    text = printed(render_run, result, width=120)
    assert "day 0 = the start date" in text
    start = date.fromisoformat(result["start_date"])
    rows = {}
    for line in text.splitlines():
        found = re.match(r"\W*(\d+)\W+(\d{4}-\d{2}-\d{2})\b", line)
        if found:
            rows[int(found.group(1))] = found.group(2)
    assert sorted(rows) == checkpoints(result["horizon_days"])
    for day, shown in rows.items():
        assert shown == str(start + timedelta(days=day)) == result["dates"][day]
    for stage in result["stages"].values():  # stage days are printed as the JSON has them
        if stage["day_p50"] is not None:
            assert f"d{stage['day_p10']}/d{stage['day_p50']}/d{stage['day_p90']}" in text


def test_machines_waiting_for_a_technician_are_shown_apart_only_when_there_are_some(
    results: list[dict[str, Any]],
) -> None:
    result = copy.deepcopy(results[-1])
    down = result["daily"]["machines_down"]
    assert not any(down["waiting_for_technician"]["p50"])  # 14 technicians keep up
    plain = printed(render_run, result)
    assert "part·hand" not in plain and "waiting for part (p50)" in plain
    days = checkpoints(result["horizon_days"])
    down["waiting_for_technician"]["p50"] = [1234 + day for day in range(len(result["dates"]))]
    text = printed(render_run, result)
    assert "part·hand" in text and "no technician-day" in text
    assert max(len(line) for line in text.splitlines()) <= 80
    for day in days:
        part = down["waiting_for_part"]["p50"][day]
        assert f"{part:,.0f} · {1234 + day:,.0f}" in text
    assert max(len(line) for line in text.splitlines()) <= 80


def test_machines_switched_off_are_shown_only_when_some_are_and_said_in_compare(
    results: list[dict[str, Any]],
) -> None:
    result = copy.deepcopy(results[-1])
    off = result["daily"]["machines_down"]["switched_off"]
    assert not any(off["p95"])  # the example runs every machine whatever the hashprice
    assert "switched off" not in printed(render_run, result)
    assert "switched off" not in printed(render_compare, [results[0], result])
    off["p50"] = [10 * day for day in range(len(result["dates"]))]
    off["p95"] = [1000 + 10 * day for day in range(len(result["dates"]))]
    text = printed(render_run, result)
    assert "Machines switched off" in text and "switch_off_unprofitable" in text
    for day in checkpoints(result["horizon_days"]):
        assert f"{10 * day:,.0f} · {1000 + 10 * day:,.0f}" in text
    assert max(len(line) for line in text.splitlines()) <= 80
    compared = printed(render_compare, [results[0], result])
    last = result["horizon_days"] - 1
    said = f"{10 * last:,.0f} · {1000 + 10 * last:,.0f}"
    assert said in " ".join(compared.split())
    assert max(len(line) for line in compared.splitlines()) <= 80
    # the report's availability chart says it too, under its own labels
    from hashshock.report.sections import ReportInput, _operations

    charts = _operations(ReportInput(runs=[results[0], result], labels=["base", "shock"],
                                     extras={}))  # fmt: skip
    caption = next(c.caption for c in charts if c.key == "availability")  # type: ignore[attr-defined]
    assert f"shock {said}" in caption and "switched off" in caption


@pytest.mark.parametrize("width", [60, 80, 120])
def test_headers_break_between_their_parts_never_inside_one(
    results: list[dict[str, Any]], width: int
) -> None:
    """The header wrapped by word, "4,609.0 PH/s ⏎ nameplate" and "hashprice
    $30.73/PH/day ⏎ · difficulty": each part now stays whole on one line."""
    for render, args in ((render_run, results[0]), (render_compare, results)):
        text = printed(render, args, width=width)
        head = text[: text.index("Availability")].splitlines()
        assert all(len(line) <= width for line in head)
        assert all(line == line.rstrip() for line in head)
        joined = " ".join(head)
        for part in ("PH/s", "× 365 days", "seed 0", "hashprice $", "difficulty "):
            assert part in joined
        assert any("PH/s nameplate" in line for line in head) or render is render_compare
        assert all(not line.startswith(("nameplate", "/PH/day")) for line in head)
        assert all(i == 0 or line.startswith("· ") or line.startswith("market on")
                   for i, line in enumerate(head))  # fmt: skip


def test_compare_rows_show_the_zero_based_day_and_its_date(
    results: list[dict[str, Any]],
) -> None:
    text = printed(render_compare, results, width=80)
    for day in checkpoints(365):
        assert results[0]["dates"][day] in text
        p50 = results[-1]["daily"]["availability"]["p50"][day]
        assert f"{100 * p50:.1f}%" in text


# --- F: a customs delay on the same day on every path ------------------------------------


def _stage(p10: int | None, p90: int | None, probability: float = 1.0) -> dict[str, Any]:
    """A result with only stages: the customs delay as given, the others not reached."""
    never = {"probability": 0.0, "day_p10": None, "day_p50": None, "day_p90": None}
    customs = {"probability": probability, "day_p10": p10, "day_p50": p10, "day_p90": p90}
    stages = {"customs_delay": customs, "spares_depleted": never, "hashrate_decline": never}
    return {"scenario": "shock", "stages": stages}


def test_a_fixed_customs_day_is_explained_only_when_it_happens() -> None:
    note = fixed_customs_day_note([_stage(42, 42)])
    assert note is not None
    assert "day 42 on every path" in note and "lead time is 42 days" in note
    assert "ships on day 0" in note
    assert fixed_customs_day_note([_stage(42, 44)]) is None
    assert fixed_customs_day_note([_stage(0, 0)]) is None  # lots on their way met the hold
    assert fixed_customs_day_note([_stage(None, None, probability=0.05)]) is None
    other = fixed_customs_day_note([_stage(37, 37)])
    assert other is not None and "day 37 on every path" in other and "lead time is" not in other
    assert "every path" in printed(render_stages, [_stage(42, 42)])
    assert "every path" not in printed(render_stages, [_stage(40, 50)])


def test_the_built_in_shocks_note_their_fixed_customs_day(results: list[dict[str, Any]]) -> None:
    customs = {r["scenario"]: r["stages"]["customs_delay"] for r in results}
    fixed = [
        n for n, s in customs.items() if s["day_p10"] is not None and s["day_p10"] == s["day_p90"]
    ]
    text = " ".join(printed(render_stages, results).split())
    if fixed:
        assert "on every path under" in text
        assert all(name in text.split("on every path under")[1] for name in fixed)
    else:
        assert "on every path" not in text


def _help_commands() -> list[str]:
    from hashshock.cli.app import click_command

    root = click_command()
    return sorted(root.commands)  # type: ignore[attr-defined]


def _help_of(
    command: str, columns: int, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[Any, str]:  # fmt: skip
    """The command tree the entry point runs (``click_command``) and ``command``'s help
    as printed ``columns`` wide, without colour."""
    from hashshock.cli.app import click_command

    monkeypatch.setenv("COLUMNS", str(columns))
    monkeypatch.setenv("NO_COLOR", "1")
    root = click_command()
    with pytest.raises(SystemExit) as done:
        root.main([command, "--help"], prog_name="hashshock")
    assert done.value.code == 0
    return root, capsys.readouterr().out


@pytest.mark.parametrize("command", _help_commands())
def test_help_paragraphs_wrap_at_the_terminal_width(
    command: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 80 columns a help paragraph fills each line before it starts the next: no
    line ends where the docstring's source line did, in mid-sentence. Checked on the
    command tree the entry point runs (``click_command``)."""
    root, out = _help_of(command, 80, capsys, monkeypatch)
    lines = out.splitlines()
    help_text = root.commands[command].help or ""  # type: ignore[attr-defined]
    for paragraph in help_text.split("\n\n"):
        first, last = paragraph.split()[0], paragraph.split()[-1]
        start = next(i for i, line in enumerate(lines) if line.split()[:1] == [first])
        end = next(i for i in range(start, len(lines)) if lines[i].rstrip().endswith(last))
        body = [line.strip() for line in lines[start : end + 1]]
        assert " ".join(body).split() == paragraph.split(), (command, body)
        width = max(len(line.rstrip()) for line in lines[start : end + 1])
        for line, following in itertools.pairwise(body):
            # greedy: the next line's first word did not fit on this one
            assert len(line) + 1 + len(following.split()[0]) > width - 2, (command, line)


@pytest.mark.parametrize("command", _help_commands())
def test_help_shows_no_value_beside_a_flag(
    command: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--quiet``, ``--save`` or ``--help`` take no value, and the help does not suggest
    one (typer's rich help printed ``<bool>`` beside them); options that take one keep it."""
    root, out = _help_of(command, 120, capsys, monkeypatch)
    assert "<bool>" not in out
    params = root.commands[command].params  # type: ignore[attr-defined]
    if any(not getattr(p, "is_flag", False) and p.opts[0].startswith("--") for p in params):
        assert re.search(r"--\S+\s+(-\w\s+)?<", out), out  # an option's value still shows


@pytest.mark.parametrize("command", _help_commands())
def test_help_names_arguments_in_capitals_once(
    command: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The usage line names each argument in capitals, as options' values are named
    (``{FLEET}``, ``[FILE]``, ``{SOURCE}...``): never typer's lower-case parameter name
    (``{fleet}``), doubled brackets (``[[FILE]]``) or a doubled ellipsis."""
    root, out = _help_of(command, 120, capsys, monkeypatch)
    usage = next(line for line in out.splitlines() if "Usage:" in line)
    params = root.commands[command].params  # type: ignore[attr-defined]
    for param in params:
        if param.param_type_name == "argument":
            assert param.metavar == param.metavar.upper() or "." in param.metavar, param
            assert param.metavar in usage, usage
    assert "[[" not in usage and "{{" not in usage and "......" not in usage, usage


def test_stage_tables_never_cut_a_scenario_name_or_a_day() -> None:
    """Four scenarios with three-digit stage days at 80 columns: rich shares the width out
    by narrowing the widest columns, which cut ``remote-disable`` and ``d201/d240/d277``
    though their longest words fit in sum; the table is split in parts instead."""
    stages = {
        "customs_delay": {"probability": 1.0, "day_p10": 43, "day_p50": 49, "day_p90": 55},
        "spares_depleted": {"probability": 1.0, "day_p10": 10, "day_p50": 23, "day_p90": 38},
        "hashrate_decline": {"probability": 1.0, "day_p10": 201, "day_p50": 240,
                             "day_p90": 277},
    }  # fmt: skip
    names = ["baseline", "customs-2024", "sanctions", "remote-disable"]
    text = printed(render_stages, [{"scenario": n, "stages": stages} for n in names])
    words = tokens(text)
    assert set(names) <= words
    assert "100.0%" in words and "d201/d240/d277" in words and "d43/d49/d55" in words
    assert max(len(line) for line in text.splitlines()) <= 80


def _stages(name: str, customs: int | None, depleted: int | None,
            p_depleted: float = 1.0) -> dict[str, Any]:  # fmt: skip
    def stage(day: int | None, p: float) -> dict[str, Any]:
        return {"probability": p if day is not None else 0.0, "day_p10": day,
                "day_p50": day, "day_p90": day}  # fmt: skip

    return {"scenario": name, "stages": {"customs_delay": stage(customs, 1.0),
                                         "spares_depleted": stage(depleted, p_depleted),
                                         "hashrate_decline": stage(None, 0.0)}}  # fmt: skip


def test_stage_notes_say_what_baseline_stock_outs_and_out_of_order_stages_are() -> None:
    notes = stage_order_notes([_stages("baseline", None, 23), _stages("sanctions", 50, 23)])
    assert len(notes) == 2
    assert notes[0].startswith("Under baseline a spare runs out too (100.0% of paths, median d23)")
    assert notes[1].startswith("Under sanctions spares run out before the first lot is held")
    # In order, and a baseline that rarely runs out: nothing to say.
    assert stage_order_notes([_stages("baseline", None, 200, 0.3),
                              _stages("sanctions", 42, 90)]) == []  # fmt: skip


def test_the_header_and_json_say_when_repairs_and_orders_are_under_way_on_day_0() -> None:
    from tests.conftest import small_fleet

    import hashshock

    for start, said in (("empty", False), ("steady", True)):
        result = hashshock.run(small_fleet(pipelines_at_start=start), paths=2, horizon_days=5)
        data = result.to_dict()
        assert data["fleet"]["pipelines_at_start"] == start
        on_order = sum(v["p50"][0] for v in data["daily"]["parts_on_order"].values())
        assert (on_order > 2 * result.output.parts_shipped[:, 0].sum(axis=1).max()) == said
        header = printed(render_run, data).split("market on")[0]
        assert ("repairs and orders under way on day 0" in " ".join(header.split())) == said


def test_the_progress_bar_says_what_the_wait_is_before_the_first_day(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The bar read "0/None days" while the kernels loaded (or compiled, 30–40 s after
    installing): it says so until the engine's first day, then counts days (a sweep's,
    tasks)."""
    import hashshock.cli.common as common

    screen = io.StringIO()
    monkeypatch.setattr(common, "err_console",
                        Console(file=screen, force_terminal=True, width=80))  # fmt: skip
    with common.progress_bar(True) as tick:
        assert tick is not None
        common.err_console.file.flush()
        tick(3, 10)
    with common.progress_bar(True, "sweeping", "tasks") as tick:
        assert tick is not None
        tick(2, 41)
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", screen.getvalue())
    assert "None" not in shown
    assert common.starting_words() in shown
    assert "simulating" in shown and "3/10 days" in shown and "2/41 tasks" in shown
    assert common.starting_words() in ("starting", "compiling the engine (once: 30–40 s)")
    monkeypatch.setenv("NUMBA_CACHE_DIR", "/elsewhere")  # a cache it does not look into
    assert common.starting_words() == "starting (a first run compiles the engine: 30–40 s)"


def test_all_owned_above_baseline_s_under_a_shock_is_explained(
    results: list[dict[str, Any]],
) -> None:
    """An order cancelled read as "all owned" $2.1 M up with nothing said (its cash counts
    whole, the machines it would have bought at the used index, below their cost); a
    single run's, against a baseline it does not print, said nothing either."""
    baseline = results[0]
    shocked = copy.deepcopy(next(r for r in results if r["scenario"] == "sanctions"))
    vs = shocked["finance"]["vs_baseline"]
    vs["owned_at_risk_usd"]["p50"] = -2_100_000.0
    vs["revenue_at_risk_usd"]["p50"] = 1_100_000.0
    costs = shocked["finance"]["costs_usd_p50"]
    costs["capex"] = baseline["finance"]["costs_usd_p50"]["capex"] - 2_900_000.0
    note = owned_higher_note(shocked, baseline)
    assert note is not None and "$2.1M above baseline's" in note and "$2.9M not spent" in note
    assert note in " ".join(printed(render_money, [baseline, shocked]).split())
    alone = owned_higher_note(shocked, None)
    assert alone is not None and "hashshock compare" in alone
    vs["owned_at_risk_usd"]["p50"] = 10.0
    assert owned_higher_note(shocked, baseline) is None


def test_a_single_runs_note_names_only_causes_it_can_have(
    results: list[dict[str, Any]],
) -> None:
    """The well-capitalised example has no open order, yet its `run` under sanctions said
    "all owned" ended $5.0 M higher because "cash not spent on orders cancelled or not yet
    delivered counts whole": a single run's note names orders only when the fleet has
    some, a saving only when cash ends higher, the index's premium only when the scenario
    hits the whole network."""
    shocked = copy.deepcopy(next(r for r in results if r["scenario"] == "sanctions"))
    vs = shocked["finance"]["vs_baseline"]
    vs["owned_at_risk_usd"]["p50"] = -5_000_000.0
    vs["cash_at_risk_usd"]["p50"] = 700_000.0  # cash ends lower
    vs["cash_and_spares_at_risk_usd"]["p50"] = 800_000.0
    shocked["fleet"]["machines_on_order"] = 0
    shocked["finance"]["network_wide"] = {"revenue_cushion_usd": {"p50": 0.0}}
    note = owned_higher_note(shocked, None)
    assert note is not None and "premium" in note
    assert "orders" not in note and "spends less" not in note
    vs["cash_and_spares_at_risk_usd"]["p50"] = 300_000.0
    shocked["fleet"]["machines_on_order"] = 40
    vs["cash_at_risk_usd"]["p50"] = -700_000.0  # more cash, but fewer spares: no gain
    del shocked["finance"]["network_wide"]
    note = owned_higher_note(shocked, None)
    assert note is not None and "orders cancelled" in note
    assert "spends less" not in note and "premium" not in note
    vs["cash_and_spares_at_risk_usd"]["p50"] = -300_000.0
    assert "spends less" in str(owned_higher_note(shocked, None))


def test_a_single_runs_cash_note_names_the_costs_and_the_shelves_drawn(
    results: list[dict[str, Any]],
) -> None:
    """A single run's "cash ends higher" said only "it spends less than baseline": it names
    each cost not spent (vs_baseline.costs_saved_usd_p50), the spares drawn from the
    shelves when they are the cash (as compare's note does), and power saved beyond the
    revenue lost as machines that mined at a loss."""
    shocked = copy.deepcopy(next(r for r in results if r["scenario"] == "sanctions"))
    shocked["finance"].pop("network_wide", None)
    vs = shocked["finance"]["vs_baseline"]
    vs["cash_at_risk_usd"]["p50"] = -1_000_000.0
    vs["revenue_at_risk_usd"]["p50"] = 100_000.0
    vs["spares_drawn_usd"]["p50"] = 2_000_000.0
    vs["cash_and_spares_at_risk_usd"]["p50"] = 1_000_000.0
    vs["costs_saved_usd_p50"] = {"power": 800_000.0, "parts": 300_000.0, "repairs": 10.0}
    note = " ".join(str(cash_higher_note(shocked, None)).split())
    assert "power $800.0k less, spare parts bought $300.0k less" in note
    assert "repairs" not in note  # under a twentieth of the gap
    assert "more than all of the extra cash is stock drawn down" in note
    assert "mined at a loss" in note  # $800k of power against $100k of revenue
    vs["costs_saved_usd_p50"]["power"] = 50_000.0
    assert "mined at a loss" not in str(cash_higher_note(shocked, None))


def test_customs_storage_is_a_row_of_the_money_table(results: list[dict[str, Any]]) -> None:
    """customs-2024 breached DSCR more often than sanctions, which cancels the order it
    holds at the border: its months of storage ($694k against $47k) were in the JSON
    only. A row shows each scenario's, where any stores."""
    text = printed(render_money, results, width=200)  # one table, a row a line
    (line,) = [row for row in text.splitlines() if "customs storage" in row]
    cells = [c.strip() for c in line.split("│")[2:-1]]
    assert cells == [musd(r["finance"]["costs_usd_p50"]["storage"]) for r in results]
    assert any(r["finance"]["costs_usd_p50"]["storage"] > 0 for r in results)


def test_a_band_of_losses_is_not_read_as_one_number(results: list[dict[str, Any]]) -> None:
    """EBITDA's band at $30k BTC printed "-$15.1M (-$20.4M–-$4.9M)": two ends below zero
    are set apart by " … ", as strategies' intervals are; a band across zero keeps its
    dash."""
    shocked = copy.deepcopy(results[0])
    shocked["finance"]["ebitda_usd"] = {"p5": -20.4e6, "p50": -15.1e6, "p95": -4.9e6}
    text = " ".join(printed(render_money, [shocked], width=200).split())
    assert "-$15.1M (-$20.4M … -$4.9M)" in text and "–-" not in text
    shocked["finance"]["ebitda_usd"] = {"p5": -2.0e6, "p50": 1.0e6, "p95": 3.0e6}
    assert "$1.0M (-$2.0M–$3.0M)" in " ".join(printed(render_money, [shocked], width=200).split())
