"""Industry runs in the run store: the JSON back as it was saved, every summary row the
JSON's figure at its place, a failed save leaves nothing, and ``hashshock industry
--save`` end to end."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pytest
import typer
from typer.testing import CliRunner

import hashshock
from hashshock.cli.industry import register
from hashshock.inputs.errors import InputError
from hashshock.store import documents
from hashshock.store.industries import load_saved_industry, save_industry


@pytest.fixture(scope="module")
def data() -> dict[str, Any]:
    """The bundled ``us`` with its lender, 4 paths × 300 days (groups break by then)."""
    result = hashshock.industry(None, ["baseline", "sanctions"], paths=4, horizon_days=300)
    return dict(json.loads(json.dumps(result.to_dict())))


def _rows(store: Path, industry_id: str) -> dict[tuple[str, str, str], float | None]:
    with duckdb.connect(str(store), read_only=True) as con:
        found = con.execute(
            "SELECT scenario, operator, metric, value FROM industry_summary WHERE industry_id = ?",
            [industry_id],
        ).fetchall()
    return {(s, o, m): v for s, o, m, v in found}


def test_saved_json_comes_back_and_rows_are_its_figures(data: dict[str, Any],
                                                       tmp_path: Path) -> None:  # fmt: skip
    store = tmp_path / "runs.duckdb"
    industry_id = save_industry(data, store)
    assert load_saved_industry(industry_id, store) == data
    rows = _rows(store, industry_id)
    for name, scenario in data["scenarios"].items():
        us = scenario["us"]
        assert rows[name, "", "us_hashrate_ehs"] == us["hashrate_ehs"]["p50"][-1]
        assert rows[name, "", "share_of_network_day0"] == us["share_of_network"]["p50"][0]
        for key in ("loss_p95_usd", "interest_income_usd", "net_income_usd", "net_income_p5_usd"):
            assert rows[name, "", f"lender:{key}"] == scenario["lender"][key]
        grey = scenario["used_market"]["grey_total_ehs"]["p50"]
        assert rows[name, "", "used:grey_total_ehs"] == grey
        for group, figures in scenario["groups"].items():
            for kind, event in figures["break"].items():
                assert rows[name, group, f"break:{kind}:probability"] == event["probability"]
                assert rows[name, group, f"break:{kind}:day_p50"] == event["day_p50"]
            for covenant, event in figures["covenants"].items():
                assert (
                    rows[name, group, f"covenant:{covenant}:probability"] == (event["probability"])
                )
            for point, band in figures["availability"].items():
                assert rows[name, group, f"availability:{point}"] == band["p50"]
        for row in scenario["first_to_break"]["financial"]:
            assert rows[name, row["group"], "first:financial"] == row["probability_first"]
        for loan in scenario["lender"]["loans"]:
            key = (name, loan["borrower"], f"loan:{loan['loan']}:probability_default")
            assert rows[key] == loan["probability_default"]
            key = (name, loan["borrower"], f"loan:{loan['loan']}:interest_income_usd")
            assert rows[key] == loan["interest_income_usd"]
    assert any(v is None for (_, _, m), v in rows.items() if m.endswith("day_p50"))  # NULL


def test_a_failed_save_leaves_the_store_as_it_was(
    data: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = tmp_path / "runs.duckdb"
    first = save_industry(data, store)

    def fail(*_: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(documents, "insert_frame", fail)
    with pytest.raises(OSError, match="disk full"):
        save_industry(data, store)
    with duckdb.connect(str(store), read_only=True) as con:
        assert con.execute("SELECT industry_id FROM industries").fetchall() == [(first,)]
    with pytest.raises(InputError, match="no saved industry run 'nothere'"):
        load_saved_industry("nothere", store)


def test_hashshock_industry_saves_and_says_its_id(tmp_path: Path) -> None:
    app = typer.Typer()
    register(app)
    store = tmp_path / "runs.duckdb"
    done = CliRunner().invoke(app, ["--paths", "3", "--horizon", "30", "--store", str(store)])
    assert done.exit_code == 0, done.output
    said = done.output.strip().splitlines()[-1]
    assert said.startswith("saved industry ")
    saved = load_saved_industry(said.split()[-1], store)
    assert saved["paths"] == 3 and list(saved["scenarios"]) == ["baseline", "sanctions"]
    refused = CliRunner().invoke(app, ["--paths", "3", "--save", "--store", str(tmp_path)])
    assert refused.exit_code == 2 and "is a folder" in refused.output


def test_hashshock_report_draws_a_saved_industry_run_or_sweep(
    data: dict[str, Any], tmp_path: Path
) -> None:
    """``hashshock report ID`` draws the saved industry run's page, as from its JSON; an
    id of neither a run, a sweep nor an industry run says so."""
    from hashshock.cli.report import register as register_report

    app = typer.Typer()
    register_report(app)
    app.callback()(lambda: None)  # a group: the command goes by its name
    store = tmp_path / "runs.duckdb"
    industry_id = save_industry(data, store)
    page = tmp_path / "industry.html"
    done = CliRunner().invoke(app, ["report", industry_id, "--store", str(store), "-o",
                                    str(page)])  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "(industry)" in done.output and "Who breaks first" in page.read_text(encoding="utf-8")
    missing = CliRunner().invoke(app, ["report", "ffffffff", "--store", str(store), "-o",
                                       str(tmp_path / "x.html")])  # fmt: skip
    assert missing.exit_code == 2 and "no run 'ffffffff'" in missing.output


def test_the_runs_commands_take_a_saved_industry_run(
    data: dict[str, Any],
    tmp_path: Path,
    invoke,
    runs,  # type: ignore[no-untyped-def]
) -> None:
    """An industry run saved with fleet runs is listed with them, shown as `industry`
    prints it, exported (its JSON, or its summary rows as CSV), refused by `diff` with
    what takes it, and removed with its rows — not "no run" to every command."""
    from hashshock.store.save import save_results

    store = tmp_path / "runs.duckdb"
    found = save_industry(data, store)
    fleet_runs = save_results(runs, store)
    code, out, _ = invoke("runs", "list", "--store", str(store), "--json")
    listed = {r["run_id"]: r["kind"] for r in json.loads(out)}
    assert code == 0 and listed == {found: "industry", **dict.fromkeys(fleet_runs, "run")}
    code, out, _ = invoke("runs", "list", "--store", str(store))
    assert code == 0 and found in out and "industry" in out
    code, out, _ = invoke("runs", "show", found[:5], "--store", str(store))
    assert code == 0 and "Who breaks first: sanctions" in out
    code, out, _ = invoke("runs", "show", found, "--store", str(store), "--json")
    assert json.loads(out) == data
    code, out, _ = invoke("runs", "export", found, "-f", "csv", "--store", str(store))
    lines = out.strip().splitlines()
    assert code == 0 and lines[0] == "industry_id,scenario,operator,metric,value"
    assert len(lines) - 1 == len(_rows(store, found))
    code, _, err = invoke("runs", "diff", found, fleet_runs[0], "--store", str(store))
    assert code == 2 and "is a saved industry run" in err and f"runs show {found}" in err
    code, out, _ = invoke("runs", "rm", found, "--store", str(store))
    assert code == 0 and found in out
    assert _rows(store, found) == {}
    code, out, _ = invoke("runs", "list", "--store", str(store), "--json")
    assert {r["run_id"] for r in json.loads(out)} == set(fleet_runs)


def test_runs_list_limit_counts_every_kind_together(
    data: dict[str, Any],
    tmp_path: Path,
    invoke,
    runs,  # type: ignore[no-untyped-def]
) -> None:
    """`runs list --limit 3 --json` gave three fleet runs and three sweeps and industry
    runs besides: the limit is of the listing, the newest entries of every kind."""
    from hashshock.store.save import save_results

    store = tmp_path / "runs.duckdb"
    older = save_industry(data, store)
    fleet_runs = save_results(runs, store)  # saved together: listed as saved
    newer = save_industry(data, store)
    code, out, _ = invoke("runs", "list", "--store", str(store), "--limit", "2", "--json")
    assert code == 0
    assert {r["run_id"] for r in json.loads(out)} == {newer, fleet_runs[0]}
    code, out, _ = invoke("runs", "list", "--store", str(store), "--limit", "2")
    assert code == 0 and newer in out and older not in out and "--limit N shows more" in out
    code, out, _ = invoke("runs", "list", "--store", str(store), "--limit", "4", "--json")
    assert {r["run_id"] for r in json.loads(out)} == {older, newer, *fleet_runs}
    code, out, _ = invoke("runs", "list", "--store", str(store), "--limit", "4")
    assert code == 0 and "shows more" not in out


def test_donors_are_kept_when_fleets_buy_them(data: dict[str, Any], tmp_path: Path) -> None:
    """An industry whose fleets buy donors keeps how many each group bought and their
    price (here the run's JSON with donors written in, as an industry with donor buyers
    gives them)."""
    with_donors = json.loads(json.dumps(data))
    for scenario in with_donors["scenarios"].values():
        scenario["us"]["donors"] = {"bought_mean": 1234.5, "spend_usd_mean": 987654}
        for group in scenario["groups"].values():
            group["donors"] = {"bought_mean": 12.0, "spend_usd_mean": 3456}
    store = tmp_path / "runs.duckdb"
    rows = _rows(store, save_industry(with_donors, store))
    for name, scenario in with_donors["scenarios"].items():
        assert rows[name, "", "donors:bought"] == 1234.5
        assert rows[name, "", "donors:spend_usd"] == 987654
        for group in scenario["groups"]:
            assert rows[name, group, "donors:bought"] == 12.0
    assert not any(m.startswith("donors:") for (_, _, m) in _rows(
        store, save_industry(data, store)))  # fmt: skip


def test_only_an_industry_run_is_saved_as_one(data: dict[str, Any], tmp_path: Path) -> None:
    """A run's JSON, an empty mapping or None given to save_industry is an InputError
    naming what is missing (it was a KeyError from inside), and nothing is saved."""
    store = tmp_path / "runs.duckdb"
    run_json = {"scenario": "baseline", "paths": 2, "dates": [], "daily": {}}
    for wrong, field in ((run_json, "result.industry"), ({}, "result.industry"),
                         (None, "result")):  # fmt: skip
        with pytest.raises(InputError) as caught:
            save_industry(wrong, store)  # type: ignore[arg-type]
        assert caught.value.field == field and "not an industry run" in caught.value.message
    with pytest.raises(InputError, match="store"):
        save_industry(data, {})  # type: ignore[arg-type]
    assert not store.exists()
