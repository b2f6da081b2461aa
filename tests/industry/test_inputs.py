"""The industry file: the bundled `us` dataset adds up; bad input is one clear error."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml
from typer.testing import CliRunner

from hashshock.cli.industry import register
from hashshock.industry.load import load_industry, with_portfolio
from hashshock.industry.notes import hashrate_unit, tail_below_baseline
from hashshock.inputs.errors import InputError
from hashshock.words import percent, probability

ROOT = Path(__file__).resolve().parents[2]
SMALL_FARM = ROOT / "examples" / "small-farm" / "fleet.yaml"


def test_bundled_us_adds_up() -> None:
    """INDUSTRY-SOURCES.md §8: ~385 EH/s (≈ 36 % of ~1,080 EH/s) and ~2.1 M machines in
    service (+ ~0.1 M idle); every row carries its source or is labelled an assumption."""
    loaded = load_industry()
    assert 360e6 <= loaded.nameplate_ths() <= 400e6
    assert 2.0e6 <= loaded.machines() <= 2.6e6
    assert len(loaded.industry.operators) == 16
    for op in loaded.industry.operators:
        assert "§8" in op.source or "[E]" in op.source, op.name
    for line in loaded.industry.vendor_lines:
        assert line.source, line.name


def _industry(tmp_path: Path, **changes: Any) -> Path:
    data: dict[str, Any] = {
        "name": "t",
        "start_date": "2026-12-01",
        "operators": [
            {
                "name": "farms",
                "template": str(SMALL_FARM),
                "count": 10,
                "machines_each": {"mean": 400, "cv": 0.5},
                "simulated": 2,
            },
        ],
    }
    for key, value in changes.items():
        if key.startswith("op_"):
            data["operators"][0][key[3:]] = value
        else:
            data[key] = value
    file = tmp_path / "industry.yaml"
    file.write_text(yaml.safe_dump(data))
    return file


BAD: dict[str, tuple[dict[str, Any], str, str]] = {
    "missing fleet file": ({"op_template": "nowhere.yaml"}, "template", "not found"),
    # no line of another vendor to take them: the redirect did nothing, unsaid
    "redirect with no line to take it": (
        {"redirect": {"share": 1.0}},
        "redirect",
        "needs a vendor line of another vendor",
    ),
    "a folder for a fleet file": (
        {"op_template": str(ROOT / "examples")},
        "template",
        "is a folder, not a fleet file",
    ),
    "absurd count": ({"op_count": 10**7}, "count", "less than or equal"),
    "sizes cannot add up": ({"op_total_machines": 100_000}, "total_machines", "add up"),
    "a class larger than the network": (
        {"op_total_machines": 10**12},
        "total_machines",
        "more than the whole network has",
    ),
    "members smaller than one machine": (
        {"op_machines_each": {"mean": 0.5, "cv": 0.6}},
        "machines_each",
        "greater than or equal to 1",
    ),
    "members smaller than one machine by the total": (
        {"op_machines_each": {"cv": 0.0}, "op_total_machines": 5},
        "total_machines",
        "cannot make 10 operators of at least one machine each",
    ),
    "fewer machines than operators": (
        {"op_total_machines": 3},
        "total_machines",
        "10 operators have at least 10 machines",
    ),
    "unknown vendor": (
        {"vendor_lines": [{"name": "x", "vendor": "bitmian", "capacity_ehs_per_year": 10}]},
        "vendor",
        "did you mean bitmain",
    ),
    "share outside [0, 1]": (
        {
            "vendor_lines": [
                {"name": "x", "vendor": "canaan", "capacity_ehs_per_year": 10, "us_share": 1.5}
            ]
        },
        "us_share",
        "less than or equal",
    ),
    "negative capacity": (
        {"vendor_lines": [{"name": "x", "vendor": "canaan", "capacity_ehs_per_year": -1}]},
        "capacity_ehs_per_year",
        "greater than or equal",
    ),
    "loan on an unknown operator": (
        {
            "portfolio": {
                "loans": [
                    {
                        "borrower": "frams",
                        "principal_usd": 1e6,
                        "rate_per_year": 0.1,
                        "maturity_date": "2028-01-01",
                    }
                ]
            }
        },
        "portfolio",
        "did you mean farms",
    ),
    "two sizes": ({"op_machines": 500}, "operators[0]", "exactly one size"),
    "two lines of one vendor": (
        {
            "vendor_lines": [
                {"name": n, "vendor": "canaan", "capacity_ehs_per_year": 5} for n in ("a", "b")
            ]
        },
        "vendor_lines",
        "more than one line",
    ),
    "two lines with one name": (
        {
            "vendor_lines": [
                {"name": "x", "vendor": v, "capacity_ehs_per_year": 5}
                for v in ("canaan", "microbt")
            ]
        },
        "vendor_lines",
        "the name x is given to more than one line",
    ),
    "a line selling another vendor's model": (
        {
            "vendor_lines": [
                {
                    "name": "x",
                    "vendor": "canaan",
                    "capacity_ehs_per_year": 5,
                    "model": "whatsminer-m60s",
                }
            ]
        },
        "vendor_lines[0] (x).model",
        "made by microbt",
    ),
    "unknown components vendor": (
        {
            "vendor_lines": [
                {
                    "name": "x",
                    "vendor": "bitmain-us",
                    "capacity_ehs_per_year": 5,
                    "components_from": "bitman",
                }
            ]
        },
        "components_from",
        "did you mean bitmain",
    ),
    "full capacity before the start": (
        {
            "vendor_lines": [
                {
                    "name": "x",
                    "vendor": "canaan",
                    "capacity_ehs_per_year": 5,
                    "start_date": "2027-06-01",
                    "full_date": "2027-01-01",
                }
            ]
        },
        "vendor_lines[0] (x)",
        "full_date 2027-01-01 is before start_date 2027-06-01",
    ),
    "a vendor line ramping over centuries": (
        {
            "vendor_lines": [
                {
                    "name": "x",
                    "vendor": "canaan",
                    "capacity_ehs_per_year": 5,
                    "start_date": "2027-01-01",
                    "full_date": "9999-01-01",
                }
            ]
        },
        "vendor_lines[0] (x).full_date",
        "9999-01-01 is 7,972 years from the start",
    ),
    "a portfolio loan maturing in 9999": (
        {
            "portfolio": {
                "loans": [
                    {
                        "borrower": "farms",
                        "principal_usd": 1e5,
                        "rate_per_year": 0.1,
                        "maturity_date": "9999-12-31",
                    }
                ]
            }
        },
        "portfolio.loans[0].maturity_date",
        "check the year",
    ),
    "growth with two rates": (
        {"op_growth": {"model": "antminer-s21", "ehs_per_year": 1, "share_per_year": 0.1}},
        "growth",
        "exactly one of ehs_per_year and share_per_year",
    ),
    "distress without the shared network": (
        {"network_feedback": False, "distress": {"sell_share": 0.2}},
        "industry",
        "distress acts on the shared network",
    ),
    "donor buyers without the shared network": (
        {"network_feedback": False, "donor_buyers": {"share": 0.5}},
        "industry",
        "donor_buyers acts on the shared network",
    ),
    "donor buyers with a share above 1": (
        {"donor_buyers": {"share": 1.5}},
        "donor_buyers.share",
        "less than or equal to 1",
    ),
    "growth of an unknown model": (
        {"op_growth": {"model": "antminer-s99", "share_per_year": 0.1}},
        "growth.model",
        "unknown model",
    ),
    "a misspelt field, named with its operator": (
        {"op_machine_each": {"mean": 400}},
        "operators[0] (farms).machine_each",
        "did you mean machines_each",
    ),
    "a count below 1, named with its operator": (
        {"op_count": -5},
        "operators[0] (farms).count",
        "greater than or equal to 1",
    ),
    # The loan is in the industry file's finance: (the template has none): named there.
    "an operator's own loan that matures before the start": (
        {
            "op_finance": {
                "cash_usd": 1_000_000,
                "loans": [
                    {
                        "name": "l",
                        "principal_usd": 100_000,
                        "rate_per_year": 0.1,
                        "maturity_date": "2026-06-01",
                    }
                ],
            }
        },
        "operators[0] (farms).finance.loans[0].maturity_date",
        "is not after start_date",
    ),
    "a line's negative capacity, named": (
        {"vendor_lines": [{"name": "mbt", "vendor": "microbt", "capacity_ehs_per_year": -20}]},
        "vendor_lines[0] (mbt).capacity_ehs_per_year",
        "greater than or equal to 0",
    ),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_names_file_field_and_fix(tmp_path: Path, case: str) -> None:
    changes, field, problem = BAD[case]
    file = _industry(tmp_path, **changes)
    with pytest.raises(InputError) as caught:
        load_industry(file)
    message = caught.value.message
    assert str(file) in message and field in message and problem in message
    assert " — fix: " in message and "\n" not in message


def _one_operator(tmp_path: Path, **fields: Any) -> Path:
    file = tmp_path / f"one-{len(list(tmp_path.glob('one-*.yaml')))}.yaml"
    operator = {"name": "a", "template": str(SMALL_FARM), **fields}
    file.write_text(yaml.safe_dump({"name": "t", "start_date": "2026-12-01",
                                    "operators": [operator]}))  # fmt: skip
    return file


def test_sizes_past_what_the_engine_holds_name_the_operators_own_field(tmp_path: Path) -> None:
    """A class's growth in EH/s was ordered by each of its members (300 farms × 1,000 EH/s
    ran, the rest of the world "growing" −73 % a year); a template scaled past one
    cohort's limit, or growth past one order's, was refused as the scaled fleet's
    ``cohorts[0].count`` — a field the user never wrote — in the template's file. Each
    names the industry file, the operator's own field and, for a size, the largest that
    fits."""
    s21 = {"model": "antminer-s21-xp"}
    cases = [
        (_industry(tmp_path, op_growth={**s21, "ehs_per_year": 1000}),
         "operators[0] (farms)", "growth.ehs_per_year is one operator's"),
        (_one_operator(tmp_path, hashrate_ehs=1000),
         "operators[0] (a).hashrate_ehs", "in its largest cohort, more than one cohort holds"),
        (_one_operator(tmp_path, machines=1000,
                       growth={**s21, "ehs_per_year": 1200, "every_months": 12}),
         "operators[0] (a).growth", "more than one order holds (3,000,000)"),
    ]  # fmt: skip
    for file, field, problem in cases:
        with pytest.raises(InputError) as caught:
            load_industry(file)
        error = caught.value
        assert error.file == str(file) and error.field == field and problem in error.problem
    largest = re.search(
        r"at most ([\d.,]+) EH/s", error_of(_one_operator(tmp_path, hashrate_ehs=1000))
    )
    assert largest is not None
    load_industry(_one_operator(tmp_path, hashrate_ehs=float(largest[1].replace(",", ""))))


def error_of(file: Path) -> str:
    """The fix of the error loading ``file`` raises."""
    with pytest.raises(InputError) as caught:
        load_industry(file)
    return caught.value.fix


def test_planned_growth_larger_than_the_network_is_refused_before_simulating(
    tmp_path: Path,
) -> None:
    """2,400 EH/s of orders against a 1,291 EH/s network: refused by ``--validate`` and
    the run alike, named at the operator ordering most."""
    app = typer.Typer()
    register(app)
    app.command("other")(lambda: None)
    file = _one_operator(tmp_path, machines=1000, growth={
        "model": "antminer-s21-xp", "ehs_per_year": 1200, "months": 24})  # fmt: skip
    for extra in (["--validate"], ["--paths", "2", "--horizon", "30"]):
        done = CliRunner().invoke(app, ["industry", str(file), *extra])
        assert done.exit_code == 2, done.output
        said = " ".join(done.output.split())
        assert "operators[0] (a).growth" in said and "more than the whole network" in said


def test_a_folder_for_the_industry_or_portfolio_file_is_named_a_folder(tmp_path: Path) -> None:
    """Not "not found": the path exists, it is the wrong kind."""
    from hashshock.industry.load import with_portfolio

    for call in (lambda: load_industry(tmp_path),
                 lambda: with_portfolio(load_industry(_industry(tmp_path)), tmp_path)):  # fmt: skip
        with pytest.raises(InputError) as caught:
            call()
        assert caught.value.problem == "is a folder, not a file" and caught.value.fix


def test_an_operator_smaller_than_one_machine_is_refused(tmp_path: Path) -> None:
    """1e-6 EH/s (1 TH/s) is a unit slip: it used to become one 100 TH/s machine."""
    file = tmp_path / "industry.yaml"
    file.write_text(yaml.safe_dump({"name": "t", "start_date": "2026-12-01", "operators": [
        {"name": "tiny", "template": str(SMALL_FARM), "hashrate_ehs": 1e-6}]}))  # fmt: skip
    with pytest.raises(InputError) as caught:
        load_industry(file)
    assert caught.value.field == "operators[0] (tiny).hashrate_ehs"
    assert "less than one machine" in caught.value.problem and "EH/s" in caught.value.fix


def test_unknown_model_in_a_template_names_the_operator(tmp_path: Path) -> None:
    template = tmp_path / "farm.yaml"
    fleet = yaml.safe_load(SMALL_FARM.read_text())
    fleet["cohorts"][0]["model"] = "antminer-s99"
    template.write_text(yaml.safe_dump(fleet))
    with pytest.raises(InputError) as caught:
        load_industry(_industry(tmp_path, op_template=str(template)))
    message = caught.value.message
    assert str(template) in message and "operator farms" in message and "model" in message


def test_cli_exit_2_and_validate(tmp_path: Path) -> None:
    app = typer.Typer()
    register(app)
    app.command("other")(lambda: None)  # two commands: `industry` stays a subcommand
    runner = CliRunner()
    bad = runner.invoke(app, ["industry", str(_industry(tmp_path, op_count=0))])
    assert bad.exit_code == 2 and "count" in bad.output and "Traceback" not in bad.output
    good = runner.invoke(app, ["industry", str(_industry(tmp_path)), "--validate"])
    assert good.exit_code == 0 and good.stdout.startswith("ok ")  # warnings go to stderr


def test_validate_refuses_operators_bigger_than_the_network_as_the_run_does(
    tmp_path: Path,
) -> None:
    """9.6 M small-farm machines (1,344 EH/s) on the 1,291 EH/s network the market
    carries to the start: the rest of the world would be nothing. ``--validate`` said
    "ok" where the run then failed."""
    app = typer.Typer()
    register(app)
    app.command("other")(lambda: None)
    file = _industry(tmp_path, op_count=2400, op_machines_each={"mean": 4000, "cv": 0.5})
    for extra in (["--validate"], ["--paths", "2", "--horizon", "30"]):
        done = CliRunner().invoke(app, ["industry", str(file), *extra])
        assert done.exit_code == 2, done.output
        assert "rest_of_world.hashrate_ehs" in done.output
        assert "more than the whole network" in done.output and "Traceback" not in done.output


def test_validate_checks_the_outputs_as_the_run_would(tmp_path: Path) -> None:
    """``--validate`` said "ok" to a --json, --report or --store the run then refused
    before simulating; it writes none of them."""
    app = typer.Typer()
    register(app)
    app.command("other")(lambda: None)
    file = _industry(tmp_path)
    for option, target in (("--json", "no/x.json"), ("--report", "no/x.html"),
                           ("--store", "no/s.duckdb"), ("--json", file.name)):  # fmt: skip
        done = CliRunner().invoke(app, ["industry", str(file), "--validate", option,
                                        str(tmp_path / target)])  # fmt: skip
        assert done.exit_code == 2 and option in done.output, done.output
    done = CliRunner().invoke(app, ["industry", str(file), "--validate",
                                    "--json", str(tmp_path / "x.json")])  # fmt: skip
    assert done.exit_code == 0 and not (tmp_path / "x.json").exists()


def test_hashshock_validate_takes_an_industry_file(tmp_path: Path) -> None:
    from hashshock.cli.app import app

    done = CliRunner().invoke(app, ["validate", str(_industry(tmp_path))])
    assert done.exit_code == 0 and done.stdout.startswith("ok "), done.output
    # what the file lists, the operators they stand for and the fleets that run them
    said = " ".join(done.stdout.split())
    assert "1 operator or class (10 operators, simulated as 2 fleets)" in said, said
    assert "2 scenarios" in done.stdout  # the industry's defaults, as `industry --validate`
    bad = CliRunner().invoke(app, ["validate", str(_industry(tmp_path, op_count=0))])
    assert bad.exit_code == 2 and "count" in bad.output


def test_json_never_overwrites_a_template_fleet(tmp_path: Path) -> None:
    """``--json`` onto a fleet the industry reads (here a template) is refused before any
    work and the file is left as it was."""
    import shutil

    template = tmp_path / "farm.yaml"
    shutil.copy(SMALL_FARM, template)
    before = template.read_bytes()
    app = typer.Typer()
    register(app)
    app.command("other")(lambda: None)
    file = _industry(tmp_path, op_template=str(template))
    done = CliRunner().invoke(app, ["industry", str(file), "--json", str(template)])
    assert done.exit_code == 2 and "input files" in done.output
    assert template.read_bytes() == before


def test_terminal_summary_fits_80_columns(tmp_path: Path) -> None:
    """Every bundled scenario at once, 80 columns: no line longer, nothing cut (no
    ellipsis), every scenario and vendor line named whole in every table."""
    import io

    from rich.console import Console

    from hashshock.cli.industry import render_industry
    from hashshock.industry.api import industry
    from hashshock.inputs.files import read_yaml_mapping

    bundled = load_industry().path
    assert bundled is not None
    lines = read_yaml_mapping(bundled)["vendor_lines"]  # the bundled names, longest too
    names = ["baseline", "customs-2024", "mitigation", "sanctions", "quiet-end"]
    data = industry(load_industry(_industry(tmp_path, vendor_lines=lines)), names, 5, 30).to_dict()
    text = io.StringIO()
    render_industry(Console(file=text, width=80), data, 1.0)
    printed = text.getvalue().splitlines()
    assert any("Who breaks first: sanctions" in line for line in printed)
    assert max(len(line.rstrip()) for line in printed) <= 80
    assert "…" not in text.getvalue()
    words = [set(line.replace("│", " ").replace("┃", " ").split()) for line in printed]
    lines_of = data["scenarios"]["baseline"]["vendors"]
    assert lines_of, "the test industry has vendor lines"
    for name in [*names, *lines_of]:
        assert any(name in w for w in words), name
    # each scenario is a row of the hashrate, vendor (once a line) and used-market tables
    for name in names:
        assert sum(name in w for w in words) >= 2 + len(lines_of), name
    # the share of the network from day 0 to the last day, as the JSON has it: a few
    # farms' small share (0.04 %) to two digits, not "0.0% → 0.0%"
    share = data["scenarios"]["sanctions"]["us"]["share_of_network"]["p50"]
    row = next(line for line in printed if line.startswith("│ sanctions"))
    assert f"{percent(share[0])} → {percent(share[-1])}" in row and "0.0%" not in row
    unit, scale = hashrate_unit(data)  # the industry's hashrates in PH/s, every table
    assert unit == "PH/s" and "sold, PH/s" in text.getvalue()
    # each line's cancelled EH/s by the last day and the most paths cut on one day (a stop
    # that ends before the horizon shows too), as the JSON has them
    start = next(i for i, line in enumerate(printed) if line.startswith("Vendor lead time"))
    rows = [[c.strip() for c in line.split("│")[1:-1]]
            for line in printed[start:] if line.startswith("│")]  # fmt: skip
    seen, line_name = 0, ""
    for cells in rows[: len(lines_of) * len(names)]:
        line_name = cells[0] or line_name
        said = data["scenarios"][cells[1]]["vendors"][line_name]
        cancelled, cut = said["cancelled_ehs"]["p50"][-1], max(said["supply_cut_share"])
        parts = max(said.get("components_cut_share") or [0.0])
        shown = probability(cut) if cut else f"{probability(parts)}†" if parts else "—"
        assert cells[4:] == ["—" if not cancelled else f"{cancelled * scale:,.1f}", shown]
        seen += cut > 0
    assert seen, "sanctions cut Bitmain's supply on some path within 30 days"
    # why a cut line's quote can read shorter than baseline's: said under the table
    assert "a cut line keeps a short queue" in text.getvalue()


def test_a_quote_that_is_a_lower_bound_is_marked(tmp_path: Path) -> None:
    """A line far too slow for the farms' monthly growth orders: from some day on, an
    order would not start within the schedule followed after the horizon on every path;
    the JSON says so (``bound_share``), its quote is the bound (the line's lead plus the
    days to the horizon's end plus those followed after it), and the terminal marks the
    longest median and p95 "≥" and says why; a band with the bound on fewer paths than
    lie above it is not marked."""
    import copy
    import io

    from rich.console import Console

    from hashshock.cli.industry import render_industry
    from hashshock.industry.api import industry
    from hashshock.industry.queues import AFTER_HORIZON_DAYS

    days, lead_days = 60, 42
    slow = {"name": "slow", "vendor": "bitmain", "capacity_ehs_per_year": 1e-5,
            "us_share": 1.0, "model": "antminer-s21-xp", "lead_days": lead_days}  # fmt: skip
    growth = {"share_per_year": 0.5, "model": "antminer-s21-xp", "every_months": 1}
    file = _industry(tmp_path, op_growth=growth, vendor_lines=[slow])
    data = industry(load_industry(file), ["baseline"], 5, days).to_dict()
    quotes = data["scenarios"]["baseline"]["vendors"]["slow"]["lead_time_days"]
    share = quotes["bound_share"]
    assert share[0] == 0.0 and share[-1] == 1.0, "no queue on day 0, no start at the end"
    assert all(0.0 <= v <= 1.0 for v in share)
    for day in (d for d in range(days) if share[d] == 1.0):
        assert quotes["p50"][day] == lead_days + days - day + AFTER_HORIZON_DAYS

    def row(data: dict[str, Any]) -> tuple[str, str]:
        text = io.StringIO()
        render_industry(Console(file=text, width=80), data, 1.0)
        printed = text.getvalue()
        line = next(line for line in printed.splitlines() if line.startswith("│ slow"))
        return line.split("│")[3].strip(), printed

    longest = f"{max(quotes['p50']):,.0f}/{max(quotes['p95']):,.0f}"
    shown, printed = row(data)
    assert shown == "≥" + longest.replace("/", "/≥")
    assert f"≥: at least: the order would not start within {AFTER_HORIZON_DAYS:,}" in printed
    for at, marked in ((0.0, longest), (0.2, longest.replace("/", "/≥"))):
        changed = copy.deepcopy(data)
        bands = changed["scenarios"]["baseline"]["vendors"]["slow"]["lead_time_days"]
        bands["bound_share"] = [at] * days
        shown, printed = row(changed)
        assert shown == marked
        assert ("≥: at least" in printed) == bool(at)


def test_who_breaks_first_shows_the_change_from_baseline(tmp_path: Path) -> None:
    """With baseline among the scenarios, a shock's ranking shows each group's P break
    less baseline's in percentage points (what the shock adds), and the lender's
    baseline loss beside the shock's; without baseline, neither."""
    import io

    from rich.console import Console

    from hashshock.cli.industry import render_industry
    from hashshock.industry.api import industry

    loan = {"borrower": "farms", "principal_usd": 1e6, "rate_per_year": 0.1,
            "maturity_date": "2028-01-01"}  # fmt: skip
    file = _industry(tmp_path, portfolio={"loans": [loan]})
    data = industry(load_industry(file), ["baseline", "sanctions"], 5, 30).to_dict()
    rows = {name: data["scenarios"][name]["first_to_break"]["financial"][0]
            for name in ("baseline", "sanctions")}  # fmt: skip
    rows["baseline"]["probability_break"], rows["sanctions"]["probability_break"] = 0.25, 0.62
    data["operators"][0]["has_finance"] = True  # its template has none: breaks set by hand

    def printed(data: dict[str, Any]) -> str:
        text = io.StringIO()
        render_industry(Console(file=text, width=80), data, 1.0)
        return text.getvalue()

    def farms_row(data: dict[str, Any]) -> list[str]:
        text = printed(data)
        ranking = text[text.index("Who breaks first: sanctions") :]
        return next(line for line in ranking.splitlines() if "farms" in line).split("│")[1:-1]

    assert [cell.strip() for cell in farms_row(data)[1:4]] == ["0%", "62%", "+37"]
    # a loan to a class of 10 operators lends each of them $1 M
    assert "95th percentile loss $0 (0% of $10.0M lent), baseline $0" in printed(data)
    data["scenarios"]["sanctions"]["lender"]["expected_loss_usd"] = 2.5e6
    assert "lender: expected loss $2.5M (25% of $10.0M lent), baseline $0" in printed(data)
    assert "a tail below baseline's" not in printed(data)
    data["scenarios"]["baseline"]["lender"]["loss_p95_usd"] = 3e6  # the tail falls ...
    assert "a tail below baseline's" not in printed(data)  # ... with no supply cut: not why
    cut = {**data["scenarios"]["sanctions"], "vendors": {"line": {"supply_cut_share": [0, 1]}}}
    said = tail_below_baseline(cut, data["scenarios"]["baseline"])  # a line cut: said why
    assert said is not None and said.startswith("a tail below baseline's: while a vendor's")
    data["scenarios"]["baseline"]["lender"]["loss_p95_usd"] = 0.0
    # what breaks them: each covenant (and cash below zero) against baseline's
    for name, p in (("baseline", 0.25), ("sanctions", 0.62)):
        data["scenarios"][name]["groups"]["farms"]["covenants"] = {
            "liquidity": {"probability": p, "day_p50": 20},
            "ltv": {"probability": 0.0, "day_p50": None},  # never breached: not shown
        }  # fmt: skip
    causes = printed(data).split("What breaks them: sanctions")[1].split("lender:")[0]
    cells = [[c.strip() for c in line.split("│")[1:-1]]
             for line in causes.splitlines() if line.startswith("│")]  # fmt: skip
    assert cells == [["farms", "liquidity", "62%", "+37", "20"]]
    del data["scenarios"]["baseline"]
    assert len(farms_row(data)) == 6  # no Δ base column
    assert "baseline $" not in printed(data)


def test_baseline_alone_shows_its_own_ranking_and_lender(tmp_path: Path) -> None:
    """A lender asking what the book is worth with no shock gets who breaks, what breaks
    them and the loss — not an empty page with the legends of tables it left out."""
    import io

    from rich.console import Console

    from hashshock.cli.industry import render_industry
    from hashshock.industry.api import industry

    loan = {"borrower": "farms", "principal_usd": 1e6, "rate_per_year": 0.1,
            "maturity_date": "2028-01-01"}  # fmt: skip
    file = _industry(tmp_path, portfolio={"loans": [loan]})
    data = industry(load_industry(file), ["baseline"], 5, 30).to_dict()
    text = io.StringIO()
    render_industry(Console(file=text, width=80), data, None)
    printed = text.getvalue()
    assert "Who breaks first: baseline" in printed and "lender: expected loss" in printed
    assert "interest received" in printed and "Δ base:" not in printed.split("Who breaks")[1]


def test_lender_losses_follow_defaults(tmp_path: Path) -> None:
    """A class whose every member runs out of cash on its first payment (day 29): each
    loan maturing after that defaults on every path; one maturing before never does."""
    from hashshock.industry.api import industry

    broke = {"cash_usd": 0, "loans": [{"name": "l", "principal_usd": 1.0e8,
             "rate_per_year": 0.1, "maturity_date": "2027-12-01"}]}  # fmt: skip
    file = _industry(tmp_path, op_finance=broke, portfolio={"loans": [
        {"borrower": "farms", "principal_usd": 1e6, "rate_per_year": 0.1,
         "maturity_date": "2028-01-01", "recovery_share": 0.25},
        {"borrower": "farms", "principal_usd": 1e6, "rate_per_year": 0.1,
         "maturity_date": "2026-12-15"},
    ]})  # fmt: skip
    lender = industry(load_industry(file), ["baseline"], 10, 60).to_dict()["scenarios"]["baseline"][
        "lender"
    ]
    late, early = lender["loans"]
    assert late["probability_default"] == 1.0 and early["probability_default"] == 0.0
    assert late["principal_usd"] == 10 * 1e6
    assert late["expected_loss_usd"] == round(10 * 1e6 * 0.75)
    assert lender["expected_loss_usd"] == lender["loss_p95_usd"] == late["expected_loss_usd"]
    # interest: none paid before the default on day 29 (the first payment's day, which the
    # cash, run out that day, could not pay); the early loan is repaid on day 14 with 15
    # days' simple interest, by each of the 10 operators
    assert late["interest_income_usd"] == 0
    assert early["interest_income_usd"] == round(10 * 1e6 * 0.1 * 15 / 365)
    assert lender["interest_income_usd"] == early["interest_income_usd"]
    assert lender["net_income_usd"] == lender["interest_income_usd"] - lender["expected_loss_usd"]


def test_lender_is_owed_what_the_schedule_leaves_on_the_default_day(tmp_path: Path) -> None:
    """Every member breaks on day 29. Paid every 10 days to maturity on day 99 (10
    payments, on days 9, 19, …, 99), a linear loan has repaid 2 instalments of B/10 by
    then (day 29's is not paid: the cash ran out that day): owed 0.8 B. A bullet loan
    owes B; an annuity repays less principal early than a linear loan, so owes between
    the two."""
    from hashshock.industry.api import industry

    broke = {"cash_usd": 0, "loans": [{"name": "l", "principal_usd": 1.0e8,
             "rate_per_year": 0.1, "maturity_date": "2027-12-01"}]}  # fmt: skip
    loan = {
        "borrower": "farms",
        "principal_usd": 1e6,
        "rate_per_year": 0.1,
        "payment_every_days": 10,
        "maturity_date": "2027-03-10",
        "recovery_share": 0.25,
    }
    file = _industry(
        tmp_path,
        op_finance=broke,
        portfolio={
            "loans": [{**loan, "amortisation": kind} for kind in ("bullet", "linear", "annuity")]
        },
    )
    lender = industry(load_industry(file), ["baseline"], 10, 60).to_dict()["scenarios"]["baseline"][
        "lender"
    ]
    bullet, linear, annuity = lender["loans"]
    for row in lender["loans"]:
        assert row["probability_default"] == 1.0
        assert row["operators"] == 10 and isinstance(row["operators"], int)  # not 10.0
    assert bullet["exposure_at_default_each_usd"] == 1e6
    assert linear["exposure_at_default_each_usd"] == pytest.approx(0.8e6, abs=1)
    assert linear["expected_loss_usd"] == pytest.approx(10 * 0.8e6 * 0.75, abs=10)
    assert linear["exposure_at_default_each_usd"] < annuity["exposure_at_default_each_usd"] < 1e6
    for row in lender["loans"]:  # a class's row: EL = PD × operators × EAD each × LGD
        assert row["operators"] == 10
        assert row["expected_loss_usd"] == pytest.approx(
            row["probability_default"] * 10 * row["exposure_at_default_each_usd"] * 0.75, abs=10
        )
    assert lender["expected_loss_usd"] == pytest.approx(
        sum(row["expected_loss_usd"] for row in lender["loans"]), abs=3
    )


def test_portfolio_file_secured_loans_and_operators_own_loans(tmp_path: Path) -> None:
    """A portfolio file replaces the industry's: a loan secured by the machines recovers
    their used value less liquidation costs, at most its principal (all of it lost when
    liquidation costs take everything); the operators' own loans join the portfolio."""
    from hashshock.industry.api import industry

    broke = {"cash_usd": 0, "loans": [{"name": "rig", "principal_usd": 1.0e8,
             "rate_per_year": 0.1, "maturity_date": "2027-12-01"}]}  # fmt: skip
    file = _industry(tmp_path, op_finance=broke)
    loan = {"borrower": "farms", "principal_usd": 1e6, "rate_per_year": 0.1,
            "maturity_date": "2028-01-01", "secured_by_machines": True}  # fmt: skip
    portfolio = tmp_path / "lender.yaml"
    portfolio.write_text(yaml.safe_dump({"operators_own_loans": True, "loans": [
        loan, {**loan, "liquidation_cost_share": 1.0}]}))  # fmt: skip
    data = industry(load_industry(file), ["baseline"], 10, 60, portfolio=portfolio).to_dict()
    secured, worthless, own = data["scenarios"]["baseline"]["lender"]["loans"]
    assert secured["probability_default"] == worthless["probability_default"] == 1.0
    assert 0 < secured["expected_loss_usd"] < worthless["expected_loss_usd"] == 10 * 1e6
    assert own["loan"] == "farms/rig" and own["probability_default"] == 1.0
    assert own["principal_usd"] > 0


@pytest.mark.parametrize(("scenarios", "problem"), [
    ("", "no scenario given"), (" , ", "no scenario given"),
    ("baseline,baseline", "baseline named more than once"),
    ("sanctions,quiet-end,sanctions", "sanctions named more than once"),
])  # fmt: skip
def test_no_scenario_or_one_twice_exits_2(tmp_path: Path, scenarios: str, problem: str) -> None:
    """As `compare`: an empty list ran nothing and printed empty tables; a repeated
    baseline ran once and was reported once."""
    app = typer.Typer()
    register(app)
    for extra in ([], ["--validate"]):
        args = [str(_industry(tmp_path)), "--scenarios", scenarios, "-n", "2", *extra]
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 2, result.output
        lines = result.output.strip().splitlines()
        said = f"error: scenarios (--scenarios): {problem} — fix: "
        assert len(lines) == 1 and lines[0].startswith(said)


def test_portfolio_loans_that_cannot_default_are_warned_of_or_refused(tmp_path: Path) -> None:
    """A loan to operators without a finance block (they never break financially) would
    report a 0 % default probability as if it were safe: warned of; one matured by the
    start cannot default nor pay interest at all: refused, as a fleet's own would be."""
    loan = {"borrower": "farms", "principal_usd": 1e6, "rate_per_year": 0.1,
            "maturity_date": "2028-01-01"}  # fmt: skip
    no_finance = load_industry(_industry(tmp_path, portfolio={"loans": [loan]}))
    (warning,) = no_finance.portfolio_warnings
    assert warning.startswith("portfolio loans[0]: farms has no finance block")
    lender = tmp_path / "lender.yaml"  # the same loan from --portfolio: that file named
    lender.write_text(yaml.safe_dump({"loans": [loan]}))
    (warning,) = with_portfolio(load_industry(_industry(tmp_path)), lender).portfolio_warnings
    assert warning.startswith(f"{lender}: loans[0]: farms has no finance block")
    finance = {"cash_usd": 1e6, "loans": [{"name": "l", "principal_usd": 1e6,
               "rate_per_year": 0.1, "maturity_date": "2027-12-01"}]}  # fmt: skip
    matured = {**loan, "maturity_date": "2026-12-01"}
    file = _industry(tmp_path, op_finance=finance, portfolio={"loans": [loan, matured]})
    with pytest.raises(InputError) as caught:
        load_industry(file)
    assert caught.value.field is not None
    assert caught.value.field.startswith("portfolio.loans[1]")
    assert caught.value.field.endswith(".maturity_date")
    assert "not after the start (2026-12-01)" in caught.value.problem


def test_portfolio_file_with_an_unknown_borrower_exits_2(tmp_path: Path) -> None:
    app = typer.Typer()
    register(app)
    file = _industry(tmp_path)
    portfolio = tmp_path / "lender.yaml"
    portfolio.write_text(yaml.safe_dump({"loans": [{
        "borrower": "frams", "principal_usd": 1e6, "rate_per_year": 0.1,
        "maturity_date": "2028-01-01"}]}))  # fmt: skip
    result = CliRunner().invoke(app, [str(file), "--portfolio", str(portfolio), "--validate"])
    assert result.exit_code == 2
    assert "lender.yaml" in result.output and "did you mean farms" in result.output
    portfolio.write_text(portfolio.read_text().replace("frams", "farms"))
    result = CliRunner().invoke(app, [str(file), "--portfolio", str(portfolio), "--validate"])
    assert result.exit_code == 0 and f"portfolio {portfolio} (1 loan)" in result.stdout


def test_an_industry_too_large_for_memory_fails_fast(tmp_path: Path) -> None:
    """What every member keeps until it is priced grows with members × scenarios × paths
    × days: an industry that cannot fit is refused before any plan is compiled, with
    the estimate and the fix — and by `--validate` of the same run (it said ok)."""
    app = typer.Typer()
    register(app)
    file = _industry(tmp_path, op_count=100, op_simulated=100)
    started = time.perf_counter()
    for validate in ([], ["--validate"]):
        result = CliRunner().invoke(app, [str(file), "--paths", "20000", "--horizon", "1098",
                                          *validate])  # fmt: skip
        assert result.exit_code == 2, result.output
        assert "memory available" in result.output and "simulated:" in result.output
    assert time.perf_counter() - started < 60  # refused before simulating (hours of work)


def test_report_and_json_may_not_share_a_name(tmp_path: Path) -> None:
    app = typer.Typer()
    register(app)
    file = _industry(tmp_path)
    same = tmp_path / "out.html"
    result = CliRunner().invoke(app, [str(file), "--json", str(same), "--report", str(same)])
    assert result.exit_code == 2 and "also the --json output" in result.output
    assert not same.exists()


def test_no_bundled_pledge_is_called_on_day_0() -> None:
    """The bundled `us` pledges are below their margin-call LTV at the bundled start price
    (a margin call on day 0 would be a data error), and the check names the operator."""
    import dataclasses

    from hashshock.industry.api import pledge_warnings
    from hashshock.market import load_market
    from hashshock.market.start import market_start

    loaded = load_industry()
    start = market_start(load_market(None), loaded.industry.start_date)
    assert pledge_warnings(loaded, start) == []
    crashed = dataclasses.replace(start, btc_price_usd=start.btc_price_usd / 3)
    (warning,) = pledge_warnings(loaded, crashed)
    assert "(abtc).finance.btc_pledges[0]" in warning and "called on day 0" in warning


def test_a_long_scenario_name_folds_and_is_never_cut() -> None:
    """A scenario file's name longer than its column (the bundled `us`, whose EH/s take
    room) wraps onto a second line rather than losing its end to an ellipsis."""
    import io

    from rich.console import Console

    from hashshock.cli.industry import render_industry
    from hashshock.industry.api import industry

    long_name = ROOT / "examples" / "scenarios" / "sanctions-commodity-fans.yaml"
    data = industry(None, ["baseline", "sanctions", str(long_name)], 3, 365).to_dict()
    text = io.StringIO()
    render_industry(Console(file=text, width=80), data, 1.0)
    printed = text.getvalue()
    assert "…" not in printed
    assert max(len(line.rstrip()) for line in printed.splitlines()) <= 80
    joined = "".join(line.split("│")[1].strip() for line in printed.splitlines()
                     if line.startswith("│ sanctions-") or line.startswith("│ -fans"))  # fmt: skip
    assert "sanctions-commodity-fans" in joined


def test_used_prices_against_baseline_and_an_old_network_are_said() -> None:
    """The used-market table gives each shock's largest rise and fall of a tier's median
    price against baseline's (the supply-cut premium the clearing factor alone hides);
    a day-0 network carried far from its snapshot gets a note naming the snapshot, the
    days and the market file's US share."""
    from hashshock.cli.industry import _price_moves
    from hashshock.industry.notes import CARRIED_NOTE_DAYS
    from hashshock.industry.notes import carried_network as _carried_note

    base = {"price_usd_per_th": {"under19": {"p50": [10.0, 10.0, 10.0]},
                                 "38to68": {"p50": [2.0, 2.0, 0.0]}}}  # fmt: skip
    shock = {"price_usd_per_th": {"under19": {"p50": [10.0, 12.3, 11.0]},
                                  "38to68": {"p50": [2.0, 1.8, 1.0]}}}  # fmt: skip
    assert _price_moves(shock, base) == "+23% / -10%"
    assert _price_moves(base, base) == "0%"
    market = {"snapshot_date": "2025-12-29", "carried_days": 337, "us_share_reference": 0.36}
    note = _carried_note({"market": market})
    assert note is not None and all(t in note for t in ("2025-12-29", "337 days"))
    us = {"us": {"share_of_network": {"p50": [0.261, 0.25]}}}
    note = _carried_note({"market": market, "scenarios": {"baseline": us}})
    assert note is not None and "start at 26.1% of it" in note and "36%" in note
    assert _carried_note({"market": dict(market, carried_days=CARRIED_NOTE_DAYS)}) is None
    assert _carried_note({"market": dict(market, network_given=True)}) is None  # as asked
    assert _carried_note({}) is None


def test_a_portfolio_file_may_keep_the_industry_files_portfolio_key(tmp_path: Path) -> None:
    """The portfolio block copied from an industry file with its ``portfolio:`` line gives
    the same loans as without it (the help says "as the industry file's portfolio:")."""
    from hashshock.industry.load import with_portfolio

    loans = {"loans": [{"borrower": "farms", "principal_usd": 1e6, "rate_per_year": 0.1,
                        "maturity_date": "2028-01-01"}]}  # fmt: skip
    loaded = load_industry(_industry(tmp_path))
    bare, wrapped = tmp_path / "bare.yaml", tmp_path / "wrapped.yaml"
    bare.write_text(yaml.safe_dump(loans))
    wrapped.write_text(yaml.safe_dump({"portfolio": loans}))
    got = [with_portfolio(loaded, f).industry.portfolio for f in (bare, wrapped)]
    assert got[0] == got[1] and len(got[0].loans) == 1
    # in Python, the file's fields as a mapping are the same portfolio; "~" is a home folder
    assert with_portfolio(loaded, loans).industry.portfolio == got[0]
    assert with_portfolio(loaded, {"portfolio": loans}).industry.portfolio == got[0]
    home = tmp_path / "home"
    home.mkdir()
    (home / "lender.yaml").write_text(yaml.safe_dump(loans))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOME", str(home))
        assert with_portfolio(loaded, "~/lender.yaml").industry.portfolio == got[0]


@pytest.mark.parametrize("given", ["file", "mapping"])
def test_an_empty_portfolio_is_refused(tmp_path: Path, given: str) -> None:
    """A portfolio replaces the industry's: one with no loans ran and reported no lender
    at all ("portfolio ... (0 loans)"); a mapping's error names it where a file would be."""
    from hashshock.industry.load import with_portfolio

    file = tmp_path / "lender.yaml"
    file.write_text("{}\n")
    with pytest.raises(InputError) as caught:
        with_portfolio(load_industry(_industry(tmp_path)), file if given == "file" else {})
    assert str(caught.value.file) == (str(file) if given == "file" else "portfolio")
    assert "has no loans" in caught.value.problem and "loans:" in (caught.value.fix or "")
    bad = {"loans": [{"borrower": "farms"}]}
    with pytest.raises(InputError) as caught:
        with_portfolio(load_industry(_industry(tmp_path)), bad)
    assert caught.value.file == "portfolio" and caught.value.field is not None
    assert caught.value.field.startswith("loans[0].")


def test_a_kind_spelt_like_another_is_warned_of(tmp_path: Path) -> None:
    """A kind labels its operators in the JSON: a typo would label one apart. The kind
    fewer operators use is the one named; unlike kinds are left alone."""
    farm = {"template": str(SMALL_FARM), "count": 10, "machines_each": {"mean": 400, "cv": 0.5},
            "simulated": 1}  # fmt: skip
    operators = [{"name": "a", "kind": "small-farm", **farm},
                 {"name": "b", "kind": "small-farm", **farm},
                 {"name": "c", "kind": "smal-farm", **farm},
                 {"name": "d", "kind": "small-public", **farm}]  # fmt: skip
    loaded = load_industry(_industry(tmp_path, operators=operators))
    (warning,) = loaded.kind_warnings
    assert warning.startswith("operators[2] (c): kind 'smal-farm' is spelt like 'small-farm'")
    assert warning in loaded.warnings
    # said by the command with --quiet too, as run says its warnings: -q drops the summary
    from hashshock.cli.app import app

    file = _industry(tmp_path, operators=operators)
    done = CliRunner().invoke(app, ["industry", str(file), "-n", "2", "--horizon", "30",
                                    "-s", "baseline", "-q"])  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "kind 'smal-farm' is spelt like 'small-farm'" in " ".join(done.stderr.split())
    assert done.stdout == ""


def test_groups_that_break_without_a_shock_are_named() -> None:
    """A group broken on most baseline paths ranks high in who breaks first because of its
    inputs; the terminal says so, and is silent when no group does."""
    from hashshock.industry.notes import BREAKS_UNDER_BASELINE
    from hashshock.industry.notes import broken_without_a_shock as _broken_without_a_shock

    note = _broken_without_a_shock({"greenidge": 1.0, "farms": 0.2})
    assert note.startswith("greenidge (100%) breaks with no shock too (baseline)")
    assert "farms" not in note and "its inputs" in note
    two = _broken_without_a_shock({"a": 0.95, "b": BREAKS_UNDER_BASELINE})
    assert "a (95%), b (50%) break with no shock" in two and "their inputs" in two
    assert _broken_without_a_shock({"a": 0.49}) == "" and _broken_without_a_shock({}) == ""
    # the lender's loss is named only where it lends: not to a group it has no loan to
    assert "the lender's baseline loss" in _broken_without_a_shock({"a": 1.0}, True, None, {"a"})
    alone = _broken_without_a_shock({"a": 1.0}, True, None, {"b"})
    assert "lender" not in alone and "(baseline): that comes from its inputs" in alone


def test_what_breaks_a_group_without_a_shock_is_named() -> None:
    """The covenant breached on most baseline paths (or cash below zero, when likelier)
    and its median day: an LTV covenant broken from day 29 on every path is an input's."""
    from hashshock.industry.notes import baseline_causes, broken_without_a_shock

    groups = {
        "prairie": {"covenants": {"ltv": {"probability": 1.0, "day_p50": 29},
                                  "dscr": {"probability": 0.3, "day_p50": 200}},
                    "cash_out": {"probability": 0.0, "day_p50": None}},
        "farms": {"covenants": {}, "cash_out": {"probability": 0.6, "day_p50": 150}},
        "calm": {"covenants": {}, "cash_out": {"probability": 0.0, "day_p50": None}},
    }  # fmt: skip
    # of two covenants breached on every path, the earlier: the later comes after the break
    groups["early"] = {"covenants": {"ltv": {"probability": 1.0, "day_p50": 300},
                                     "liquidity": {"probability": 1.0, "day_p50": 0}},
                       "cash_out": {"probability": 0.55, "day_p50": 3}}  # fmt: skip
    causes = baseline_causes({"scenarios": {"baseline": {"groups": groups}}})
    assert causes == {"prairie": "its ltv covenant, day 29", "farms": "cash below zero, day 150",
                      "early": "its liquidity covenant, day 0"}  # fmt: skip
    note = broken_without_a_shock({"prairie": 1.0, "farms": 0.6}, True, causes)
    assert note.startswith("prairie (100%: its ltv covenant, day 29), farms (60%: cash below "
                           "zero, day 150) break with no shock")  # fmt: skip


def test_a_class_finance_scales_with_each_member_and_a_named_operators_does_not(
    tmp_path: Path,
) -> None:
    """A class's ``finance:`` is that of a member of the mean size: each member's cash,
    loans and liquidity floor scale with its size (they were the same for a farm of 100
    machines and one of 1,000); a named operator's are as given."""
    loan = {"name": "l", "principal_usd": 200_000, "rate_per_year": 0.1,
            "maturity_date": "2029-12-01"}  # fmt: skip
    floor = {"name": "floor", "type": "min_liquidity", "value": 100_000}
    finance = {"cash_usd": 1_000_000, "loans": [loan], "covenants": [floor]}
    loaded = load_industry(_industry(tmp_path, op_finance=finance, op_simulated=4))
    mean = 400
    for member in loaded.members:
        fin = member.loaded.fleet.finance
        assert fin is not None
        size = member.loaded.machines
        assert fin.cash_usd == pytest.approx(1_000_000 * size / mean, rel=0.01)
        assert fin.loans[0].principal_usd == pytest.approx(200_000 * size / mean, rel=0.01)
        assert fin.covenants[0].value == pytest.approx(100_000 * size / mean, rel=0.01)
    assert len({m.loaded.machines for m in loaded.members}) > 1
    one = _industry(tmp_path, op_finance=finance, op_count=None, op_machines_each=None,
                    op_simulated=None, op_machines=1000)  # fmt: skip
    data = yaml.safe_load(one.read_text())
    data["operators"][0] = {k: v for k, v in data["operators"][0].items() if v is not None}
    one.write_text(yaml.safe_dump(data))
    (named,) = load_industry(one).members
    assert named.loaded.fleet.finance is not None
    assert named.loaded.fleet.finance.cash_usd == 1_000_000


def test_a_line_that_sells_nothing_to_us_buyers_is_said(tmp_path: Path) -> None:
    """Accepted (a scenario may be about it), but its orders would wait to the horizon's
    end without a word."""
    lines = [{"name": "mbt", "vendor": "microbt", "capacity_ehs_per_year": 60, "us_share": 0}]
    (said,) = load_industry(_industry(tmp_path, vendor_lines=lines)).line_warnings
    assert "vendor_lines[0] (mbt): sells nothing to US buyers" in said
    lines[0]["us_share"] = 0.3
    assert load_industry(_industry(tmp_path, vendor_lines=lines)).line_warnings == []


def test_a_class_sized_by_its_total_needs_no_mean(tmp_path: Path) -> None:
    """``machines_each: {cv: 0.8}`` with ``total_machines``: the members' mean is the total
    over the count, as the docs say (it was refused, "mean: field required"); neither
    is refused naming both."""
    file = _industry(tmp_path, op_machines_each={"cv": 0.8}, op_total_machines=4000)
    members = load_industry(file).members
    mean = sum(m.loaded.machines for m in members) / len(members)
    assert mean == pytest.approx(400, rel=0.02)
    with pytest.raises(InputError) as caught:
        load_industry(_industry(tmp_path, op_machines_each={"cv": 0.8}))
    assert "machines_each needs a mean" in caught.value.message
    assert "total_machines" in caught.value.message


def test_a_template_may_be_a_bundled_one_by_name(tmp_path: Path) -> None:
    """``template: small-farm`` is the bundled template of that name (a file of that name
    next to the industry file comes first); an unknown name lists the bundled ones."""
    from hashshock.industry.load import bundled_templates

    by_name = load_industry(_industry(tmp_path, op_template="small-farm"))
    assert by_name.members[0].loaded.path == bundled_templates()["small-farm"]
    with pytest.raises(InputError) as caught:
        load_industry(_industry(tmp_path, op_template="small-farms"))
    assert "or a bundled template (" in caught.value.message
    assert "small-farm" in caught.value.message


def test_events_that_cannot_act_are_said_for_an_industry(tmp_path: Path) -> None:
    """As ``hashshock run`` says it: an event starting after the horizon changes nothing
    (it ran as baseline without a word)."""
    from hashshock.industry.api import industry
    from hashshock.inputs.scenario import Scenario

    late = Scenario.model_validate({"name": "late", "events": [{
        "name": "stop", "type": "parts_supply_stop", "vendors": ["bitmain"],
        "start_day": 900}]})  # fmt: skip
    result = industry(load_industry(_industry(tmp_path)), ["baseline", late], 2, 60,
                      say_warnings=False)  # fmt: skip
    assert ("scenario late: event 'stop' starts on day 900, after the 60-day horizon: it "
            "changes nothing") in result.warnings  # fmt: skip


def _warnings(file: Path, portfolio: str | None = None, horizon: int = 365) -> list[str]:
    """What `hashshock industry --validate` and the run say of ``file``'s inputs, less the
    day-0 market's notes (the bundled snapshot is stale at the default start)."""
    from hashshock.industry.api import checked_warnings, validate_industry
    from hashshock.industry.load import with_portfolio

    checked = validate_industry(file, ["baseline"], horizon)
    loaded = checked.loaded if portfolio is None else with_portfolio(checked.loaded, portfolio)
    return [w for w in checked_warnings(checked, loaded) if not w.startswith("market on")]


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"rest_of_world": {"growth_per_year": 5}}, "rest_of_world.growth_per_year: 5 is 500%"),
        ({"op_growth": {"share_per_year": 3, "model": "antminer-s21-xp"}},
         "operators[0] (farms).growth.share_per_year: 3 is 300%"),
        ({"vendor_lines": [{"name": "late", "vendor": "canaan", "capacity_ehs_per_year": 5,
                            "start_date": "2029-01-01"}]},
         "vendor_lines[0] (late): start_date 2029-01-01 is after the horizon's last day "
         "(2027-11-30)"),
    ],
)  # fmt: skip
def test_growth_as_a_percentage_and_a_line_after_the_horizon_are_said(
    tmp_path: Path, changes: dict[str, Any], says: str
) -> None:
    assert _warnings(_industry(tmp_path)) == []
    assert any(says in w for w in _warnings(_industry(tmp_path, **changes))), says


def test_a_class_loan_larger_than_an_operator_carries_says_it_is_lent_to_each(
    tmp_path: Path,
) -> None:
    loan = {"borrower": "farms", "principal_usd": 6e6, "rate_per_year": 0.1,
            "maturity_date": "2028-01-01"}  # fmt: skip
    file = _industry(tmp_path, op_finance={"cash_usd": 1e5}, portfolio={"loans": [loan]})
    (said,) = [w for w in _warnings(file) if "portfolio loans[0]" in w]
    assert "lent to each of its 10 operators: $60,000,000 in all" in said
    assert "give each operator's share if it is the whole class's" in said


def test_a_member_s_fleet_warning_names_its_operator_not_the_template(tmp_path: Path) -> None:
    """A class scaled from a template past the US installed base: the warning names the
    operator of the industry file, not only the template's file."""
    file = _industry(tmp_path, op_count=1, op_machines_each=None, op_simulated=None,
                     op_machines=3_000_000)  # fmt: skip
    said = [w for w in _warnings(file) if "more than the whole US installed base" in w]
    assert said and all(w.startswith("operators[0] (farms): ") for w in said), said


def test_the_docs_industry_file_validates_with_nothing_to_say(tmp_path: Path) -> None:
    """docs/industry.md's example industry file, its fleet and templates made real, passes
    with no warning of its own: its portfolio's loans are the debts the borrowers carry."""
    text = (ROOT / "docs" / "industry.md").read_text(encoding="utf-8")
    block = text.split("## The industry file", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    made_real = (block.replace("fleets/big-miner.yaml",
                               str(ROOT / "examples" / "midsize-public-miner" / "fleet.yaml"))
                 .replace("templates/s21-fleet.yaml", "modern-bitmain")
                 .replace("templates/small-farm.yaml", "small-farm"))  # fmt: skip
    file = tmp_path / "industry.yaml"
    file.write_text(made_real, encoding="utf-8")
    assert _warnings(file) == []


def test_the_industry_manifest_changes_with_a_model_s_figures(tmp_path: Path) -> None:
    """As a run's: a fleet's own catalogue row replacing a bundled model with other
    figures (same slug, same file name) gives another inputs digest."""
    from tests.conftest import small_fleet

    import hashshock

    bundled = ROOT / "src" / "hashshock" / "data" / "models.csv"
    header, *rows = bundled.read_text(encoding="utf-8").splitlines()
    s19j = next(r for r in rows if r.startswith("antminer-s19j-pro,"))
    fields = s19j.split(",")
    fields[4], fields[5] = str(float(fields[4]) * 0.9), str(float(fields[5]) * 0.9)
    digests = []
    for folder, row in (("same", s19j), ("tired", ",".join(fields))):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "models.csv").write_text(f"{header}\n{row}\n", encoding="utf-8")
        fleet = {**small_fleet(catalog="models.csv"), "start_date": "2026-12-01"}
        (tmp_path / folder / "fleet.yaml").write_text(yaml.safe_dump(fleet), encoding="utf-8")
        industry = {"name": "one", "start_date": "2026-12-01",
                    "operators": [{"name": "a", "fleet": "fleet.yaml"}]}  # fmt: skip
        file = tmp_path / folder / "industry.yaml"
        file.write_text(yaml.safe_dump(industry), encoding="utf-8")
        result = hashshock.industry(str(file), ["baseline"], paths=2, horizon_days=5)
        digests.append(result.to_dict()["manifest"]["inputs_sha256"])
    assert digests[0] != digests[1]


def test_a_day_0_well_below_the_nameplate_is_explained() -> None:
    """Delivered EH/s on day 0 below 90 % of the operators' nameplate: the note gives both,
    says why (repairs, machines switched off below their power's cost at the day-0
    hashprice) and names the groups of lowest availability; none at 95 %."""
    from hashshock.industry.notes import day_zero_delivery

    def data(delivered: float) -> dict[str, Any]:
        groups = {"hosted": {"availability": {"3m": {"p50": 0.37}}},
                  "farms": {"availability": {"3m": {"p50": 0.40}}},
                  "big": {"availability": {"3m": {"p50": 0.95}}}}  # fmt: skip
        us = {"hashrate_ehs": {"p50": [delivered]}, "hashprice_usd_per_ph_day": {"p50": [30.73]}}
        return {"operators": [{"nameplate_ehs": 300.0}, {"nameplate_ehs": 100.0}],
                "scenarios": {"baseline": {"us": us, "groups": groups}}}  # fmt: skip

    note = day_zero_delivery(data(340.0))
    assert note is not None and note.startswith(
        "the operators deliver 340.0 of their 400.0 EH/s nameplate on day 0 (85%)"
    )
    assert "$30.73/PH/day" in note and "hosted 37%, farms 40% (p50, baseline)" in note
    assert "big" not in note
    assert day_zero_delivery(data(380.0)) is None


def test_an_industry_without_network_feedback_below_its_nameplate_writes_its_outputs(
    tmp_path: Path,
) -> None:
    """Without network feedback there is no shared hashprice: the day-0 note read it and
    raised KeyError after the whole run, before the JSON and report were written."""
    from hashshock.cli.app import app

    file = tmp_path / "nofb.yaml"
    file.write_text(yaml.safe_dump({
        "name": "x", "start_date": "2026-12-01", "network_feedback": False,
        "operators": [{"name": "a", "template": "small-farm", "machines": 1000}],
    }), encoding="utf-8")  # fmt: skip
    out, page = tmp_path / "x.json", tmp_path / "x.html"
    done = CliRunner().invoke(app, ["industry", str(file), "--paths", "4", "--horizon", "20",
                                    "--json", str(out), "--report", str(page)])  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "hashprice_usd_per_ph_day" not in json.loads(out.read_text())["scenarios"][
        "baseline"]["us"]  # fmt: skip
    assert "day-0 hashprice" in " ".join(done.output.split()) and page.exists()


def test_a_bundled_templates_error_is_named_in_the_users_file(tmp_path: Path) -> None:
    """A bundled template moved to a far start date can break (a loan repaid before the
    start): the error was named in the bundled file, which the user does not edit; it is
    named in the industry file, under the operator, with what to change there. (A size
    past a cohort's limit is named at the size itself:
    :func:`test_sizes_past_what_the_engine_holds_name_the_operators_own_field`.)"""
    for size, start, words in (({"machines": 500}, "2031-06-01", "maturity_date"),):
        file = tmp_path / "industry.yaml"
        file.write_text(yaml.safe_dump({"name": "t", "start_date": start, "operators": [
            {"name": "c", "template": "small-farm", **size}]}))  # fmt: skip
        with pytest.raises(InputError) as caught:
            load_industry(file)
        assert caught.value.file == str(file)
        assert caught.value.field == "operators[0] (c).template"
        assert words in caught.value.problem and "small-farm.yaml scaled" in caught.value.problem
        assert "hashrate_ehs, machines" in caught.value.fix


def test_an_operators_own_finance_says_what_of_the_templates_it_drops(tmp_path: Path) -> None:
    """An operator's ``finance:`` replaces its template's whole: giving only cash drops
    the template's loans, covenants and switch-off policy (a small farm then ran machines
    it would switch off, doubling its revenue). Said, once for a class; not said without
    an override."""
    file = tmp_path / "industry.yaml"
    file.write_text(yaml.safe_dump({"name": "t", "start_date": "2026-12-01", "operators": [
        {"name": "plain", "template": "small-farm", "machines": 2000},
        {"name": "cashonly", "template": "small-farm", "count": 5,
         "machines_each": {"mean": 400, "cv": 0.5}, "simulated": 2,
         "finance": {"cash_usd": 60000}}]}))  # fmt: skip
    loaded = load_industry(file)
    said = {w for m in loaded.members for w in m.loaded.warnings if "replaces" in w}
    (line,) = said
    assert "small-farm.yaml's whole" in line and "switch_off_unprofitable" in line
    # a class's finance is scaled to each member: the scaling added empty loans and
    # covenants, and the class was told only of the switch-off policy it lost
    assert "covenants, loans, switch_off_unprofitable are not used" in line
    assert all(m.loaded.fleet.finance is not None and not m.loaded.fleet.finance.loans
               for m in loaded.members if m.group == "cashonly")  # fmt: skip
    assert all(not m.loaded.warnings for m in loaded.members if m.group == "plain")


def test_what_a_fleet_operator_cannot_take_is_named(tmp_path: Path) -> None:
    """A fleet file is run as it is: a count, a size or a finance given beside it is
    named (it said "count/finance" for a count alone, and "drop the sizes"); a class's
    total_machines without machines_each says so (it said "got none")."""
    from hashshock.industry.load import industry_from_mapping

    farm = str(ROOT / "examples" / "small-farm" / "fleet.yaml")
    for extra, named in (({"count": 3}, "count needs a template"),
                         ({"machines": 3, "finance": {"cash_usd": 1}},
                          "machines, finance need a template")):  # fmt: skip
        operator = {"name": "a", "fleet": farm, **extra}
        with pytest.raises(InputError, match=named):
            industry_from_mapping({"name": "t", "start_date": "2026-12-01",
                                   "operators": [operator]})  # fmt: skip
    totalled = {"name": "a", "template": "small-farm", "count": 5, "total_machines": 2000}
    with pytest.raises(InputError, match="total_machines needs machines_each too"):
        industry_from_mapping({"name": "t", "start_date": "2026-12-01",
                               "operators": [totalled]})  # fmt: skip


def test_an_industry_result_is_read_only_as_a_run_s_is(tmp_path: Path) -> None:
    """``x = r.us_hashrate_ths(0); x /= 1e6`` changed the result's own figures, and its
    warnings could be appended to: both are refused, and the JSON stays what it was."""
    import dataclasses

    from tests.conftest import small_fleet

    import hashshock

    fleet = {**small_fleet(), "start_date": "2026-12-01"}
    (tmp_path / "fleet.yaml").write_text(yaml.safe_dump(fleet), encoding="utf-8")
    industry = {"name": "one", "start_date": "2026-12-01",
                "operators": [{"name": "a", "fleet": "fleet.yaml"}]}  # fmt: skip
    (tmp_path / "industry.yaml").write_text(yaml.safe_dump(industry), encoding="utf-8")
    result = hashshock.industry(str(tmp_path / "industry.yaml"), ["baseline"], paths=2,
                                horizon_days=5, say_warnings=False)  # fmt: skip
    before = result.to_json()
    ths = result.us_hashrate_ths(0)
    with pytest.raises(ValueError, match="read-only"):
        ths /= 1e6
    with pytest.raises(AttributeError):
        result.warnings.append("x")  # type: ignore[attr-defined]
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.warnings = ()  # type: ignore[misc]
    assert result.to_json() == before


def test_delta_base_is_explained_with_one_scenario_shown(tmp_path: Path) -> None:
    """``--scenarios sanctions`` alone still has a Δ base column (baseline is run for it):
    its caption was printed only when two scenarios were shown."""
    app = typer.Typer()
    register(app)
    args = [str(_industry(tmp_path)), "--scenarios", "sanctions", "-n", "2", "--horizon", "30"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "Δ base: the median over paths" in result.output
