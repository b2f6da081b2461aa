"""Saving, reading, diffing, exporting and removing runs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from hashshock.inputs.errors import InputError
from hashshock.report.data import report_dict
from hashshock.store.db import check_store
from hashshock.store.diff import diff_runs
from hashshock.store.export import export_run
from hashshock.store.query import list_runs, load_runs, remove_runs
from hashshock.store.save import save_results


def test_saved_runs_read_back_whole(store: Path, runs, inputs) -> None:
    ids = save_results(runs, store, **inputs, label="first try")
    assert len(set(ids)) == 2
    back = load_runs(ids, store)
    for result, stored in zip(runs, back, strict=True):
        expected = report_dict(result)
        assert {k: v for k, v in stored.data.items() if k != "run_id"} == json.loads(
            json.dumps(expected)
        )
        assert stored.label == "first try"
        assert set(stored.inputs) == {"fleet", "scenario"}
        assert stored.inputs["scenario"]["name"] == result.scenario
        shown = repr(stored)  # one line in a notebook, as a run's, not its whole report
        assert "\n" not in shown and len(shown) < 300 and stored.run_id in shown
    listed = list_runs(store)
    assert {r["run_id"] for r in listed} == set(ids)
    assert (
        next(r for r in listed if r["scenario"] == "sanctions")["availability_end_p50"]
        == runs[1].to_dict()["daily"]["availability"]["p50"][-1]
    )


def test_a_batch_lists_in_the_order_it_was_saved(store: Path, runs) -> None:
    """The runs of one compare share their saved time: they listed in the order of their
    random ids (sanctions, baseline, customs-2024, mitigation for baseline first); newest
    batch first, each batch in the order its scenarios were saved."""
    first = save_results([*runs, *runs, *runs], store)  # six: random ids rarely sort so
    second = save_results([*runs[::-1], *runs[::-1], *runs[::-1]], store)
    listed = [r["run_id"] for r in list_runs(store)]
    assert listed == second + first


def test_sql_tables_hold_the_bands(store: Path, runs) -> None:
    run_id = save_results(runs[1:], store)[0]
    data = report_dict(runs[1])
    with duckdb.connect(str(store), read_only=True) as con:
        p50 = [
            r[0]
            for r in con.execute(
                "SELECT p50 FROM daily WHERE run_id = ? AND series = 'hashrate_ths' ORDER BY day",
                [run_id],
            ).fetchall()
        ]
        cash = [
            r[0]
            for r in con.execute(
                "SELECT p25 FROM money WHERE run_id = ? AND series = 'cash_usd' ORDER BY day",
                [run_id],
            ).fetchall()
        ]
        fan = [
            r[0]
            for r in con.execute(
                "SELECT p50 FROM daily WHERE run_id = ? AND series = 'spares_on_hand' "
                "AND part = 'fan' ORDER BY day",
                [run_id],
            ).fetchall()
        ]
        prob = con.execute(
            "SELECT value FROM summary WHERE run_id = ? AND metric = "
            "'stages.spares_depleted.probability'",
            [run_id],
        ).fetchone()
        scenario = con.execute(
            "SELECT scenario, seed FROM manifest WHERE run_id = ?", [run_id]
        ).fetchone()
    assert p50 == data["daily"]["hashrate_ths"]["p50"]
    assert cash == data["quantiles"]["cash_usd"]["p25"]
    assert fan == data["daily"]["spares_on_hand"]["fan"]["p50"]
    assert prob[0] == data["stages"]["spares_depleted"]["probability"]
    assert scenario == ("sanctions", runs[1].seed)


def test_ids_by_prefix_and_removal(store: Path, runs) -> None:
    ids = save_results(runs, store)
    assert load_runs([ids[0][:5]], store)[0].run_id == ids[0]
    assert load_runs([ids[0][:5].upper()], store)[0].run_id == ids[0]  # copied from a note
    with pytest.raises(InputError, match="too short"):
        load_runs(["ab"], store)
    with pytest.raises(InputError, match="no run 'ffffffff'"):
        load_runs(["ffffffff"], store)
    assert remove_runs([ids[0], ids[0][:5]], store) == [ids[0]]  # one run, said once
    assert [r["run_id"] for r in list_runs(store)] == [ids[1]]
    with duckdb.connect(str(store), read_only=True) as con:
        for table in ("manifest", "inputs", "summary", "daily", "money", "results"):
            assert con.execute(
                f"SELECT count(*) FROM {table} WHERE run_id = ?", [ids[0]]
            ).fetchone() == (0,)


def test_diff_names_changed_inputs_and_outcomes(store: Path, runs, inputs, write_yaml) -> None:
    import yaml
    from tests.store.conftest import SMALL

    import hashshock
    from hashshock.inputs.load import load_fleet

    data = yaml.safe_load(SMALL.read_text(encoding="utf-8"))
    data["spares"][1]["on_hand"] = 40
    more = load_fleet(write_yaml(data, "more-fans.yaml"))
    stocked = hashshock.compare(more, ["sanctions"], paths=40, horizon_days=90, seed=2)
    a = save_results(runs[1:], store, fleet=inputs["fleet"], scenarios=inputs["scenarios"])[0]
    b = save_results(stocked, store, fleet=more, scenarios=inputs["scenarios"])[0]
    diff = diff_runs(*load_runs([a, b], store))
    assert [(c.where, c.before, c.after) for c in diff.inputs] == [
        ("fleet.spares[1].on_hand", 12, 40)
    ]
    fan_first = next(c for c in diff.outcomes if c.where == "first_to_break.fan.probability_first")
    assert (
        fan_first.before
        == runs[1].to_dict()["first_to_break"][
            [r["part"] for r in runs[1].to_dict()["first_to_break"]].index("fan")
        ]["probability_first"]
    )
    same = diff_runs(*load_runs([a, a], store))
    assert same.inputs == [] and same.outcomes == []
    # From Python, ids (or prefixes) serve as well as loaded runs; one id is one run.
    assert diff_runs(a[:6], b, store) == diff
    assert [r.run_id for r in load_runs(a, store)] == [a]
    assert "should be identical" in same.notes[0]


def test_exports(store: Path, runs, tmp_path: Path) -> None:
    run_id = save_results(runs[1:], store)[0]
    export_run(run_id, "json", tmp_path / "r.json", store)
    assert json.loads((tmp_path / "r.json").read_text())["run_id"] == run_id
    export_run(run_id, "csv", tmp_path / "r.csv", store)
    header = (tmp_path / "r.csv").read_text().splitlines()[0]
    assert header == "run_id,table,day,date,series,part,p5,p25,p50,p75,p95"
    export_run(run_id, "parquet", tmp_path / "r.parquet", store)
    with duckdb.connect() as con:
        rows = con.execute(
            f"SELECT count(*), count(DISTINCT series) FROM '{tmp_path / 'r.parquet'}'"
        ).fetchone()
        csv_rows = con.execute(f"SELECT count(*) FROM '{tmp_path / 'r.csv'}'").fetchone()
        # the store's types (through pandas, a DATE came out a TIMESTAMP)
        types = dict(con.execute(f"DESCRIBE SELECT * FROM '{tmp_path / 'r.parquet'}'")
                     .fetchall()[i][:2] for i in range(11))  # fmt: skip
    assert rows[0] == csv_rows[0] and rows[1] > 10
    assert types["date"] == "DATE" and types["day"] in ("INTEGER", "BIGINT")


def test_an_export_replaces_only_an_earlier_export(store: Path, runs, tmp_path: Path) -> None:
    """Exporting again to the same file replaces it; a file of the user's with the same
    ending — a repair log, a JSON of other data, another table's Parquet — is refused
    and kept as it was."""
    from hashshock.inputs.errors import InputError

    run_id = save_results(runs[1:], store)[0]
    for fmt in ("csv", "json", "parquet"):
        mine = tmp_path / f"export.{fmt}"
        export_run(run_id, fmt, mine, store)
        export_run(run_id, fmt, mine, store)  # its own earlier export: replaced
    repairs = tmp_path / "repairs.csv"
    repairs.write_text("machine,part,date\nm1,fan,2026-01-02\n")
    notes = tmp_path / "notes.json"
    notes.write_text('{"owner": "me"}')
    package = tmp_path / "package.json"  # a version key alone is anybody's
    package.write_text('{"name": "my-dashboard", "version": "1.4.2"}')
    settings = tmp_path / "settings.json"
    settings.write_text('{"settings": {"version": 2}}')
    other = tmp_path / "other.parquet"
    with duckdb.connect() as con:
        con.execute(f"COPY (SELECT 1 AS a) TO '{other}' (FORMAT PARQUET)")
    for fmt, path in (("csv", repairs), ("json", notes), ("json", package), ("json", settings),
                      ("parquet", other)):  # fmt: skip
        before = path.read_bytes()
        said = "a hashshock JSON" if fmt == "json" else f"a {fmt} export of the same columns"
        with pytest.raises(InputError, match=f"(?i)exists and is not {said}"):
            export_run(run_id, fmt, path, store)
        assert path.read_bytes() == before


@pytest.mark.parametrize("fmt", ["csv", "parquet", "json"])
def test_every_export_writes_through_a_link_and_keeps_permissions(
    store: Path, runs, tmp_path: Path, fmt: str
) -> None:
    """A parquet export (written by DuckDB) keeps the guarantees of every output: a link
    is written through to its target, an existing file keeps its mode, and no temporary
    file is left beside it."""
    import os

    run_id = save_results(runs[1:], store)[0]
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / f"real.{fmt}"
    target.write_bytes(b"")  # empty: nothing of the user's to lose
    target.chmod(0o664)
    link = tmp_path / "out" / f"link.{fmt}"
    link.symlink_to(target)
    export_run(run_id, fmt, link, store)
    assert link.is_symlink() and target.stat().st_size > 3
    assert os.stat(target).st_mode & 0o777 == 0o664
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [f"link.{fmt}", f"real.{fmt}"]


def test_a_parquet_export_to_a_device_writes_to_it_and_leaves_it(store: Path, runs) -> None:
    """A parquet export (a file DuckDB writes by name) to a device goes through a scratch
    file: the device stays a device (a rename would have replaced it) and no scratch is
    left."""
    import stat
    import tempfile

    run_id = save_results(runs[1:], store)[0]
    before = set(Path(tempfile.gettempdir()).glob("hashshock-*.tmp"))
    export_run(run_id, "parquet", "/dev/null", store)
    assert stat.S_ISCHR(Path("/dev/null").stat().st_mode)
    assert set(Path(tempfile.gettempdir()).glob("hashshock-*.tmp")) == before


def test_foreign_and_broken_stores_are_refused(tmp_path: Path) -> None:
    junk = tmp_path / "junk.duckdb"
    junk.write_bytes(b"not a database" * 500)
    with pytest.raises(InputError, match="not a hashshock run store"):
        list_runs(junk)
    other = tmp_path / "other.duckdb"
    with duckdb.connect(str(other)) as con:
        con.execute("CREATE TABLE t (x INTEGER)")
    with pytest.raises(InputError, match="not a hashshock run store"):
        check_store(other)
    with pytest.raises(InputError, match="no run store here"):
        check_store(tmp_path / "missing.duckdb", must_exist=True)
    with pytest.raises(InputError, match="folder does not exist"):
        check_store(tmp_path / "no" / "runs.duckdb")


def test_runs_list_at_80_columns_keeps_short_cells_whole(store: Path, runs) -> None:
    """The table was 72 columns wide, yet "100 × 180" and "12-07 22:37" took two lines
    each: cells that fit are not wrapped."""
    from hashshock.cli.app import app

    save_results(runs, store)
    done = CliRunner().invoke(app, ["runs", "list", "--store", str(store)],
                              env={"COLUMNS": "80"})  # fmt: skip
    assert done.exit_code == 0, done.output
    lines = done.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert sum(f"{runs[0].paths} × {runs[0].horizon_days}" in line for line in lines) == 2
    assert sum(bool(re.search(r"\d\d-\d\d \d\d:\d\d", line)) for line in lines) == 2


def test_runs_cli(store: Path, runs, invoke, tmp_path: Path) -> None:
    ids = save_results(runs, store)
    code, out, err = invoke("runs", "list", "--store", str(store), "--json")
    assert code == 0 and {r["run_id"] for r in json.loads(out)} == set(ids)
    code, out, _ = invoke("runs", "show", ids[1], "--store", str(store), "--json")
    assert (
        json.loads(out)["summary"]["stages.spares_depleted.probability"]
        == runs[1].to_dict()["stages"]["spares_depleted"]["probability"]
    )
    code, out, _ = invoke("runs", "diff", ids[0], ids[1], "--store", str(store))
    assert code == 0 and "scenario: baseline → sanctions" in out
    code, _, err = invoke(
        "runs",
        "export",
        ids[0],
        "-f",
        "parquet",
        "-o",
        str(tmp_path / "x.csv"),
        "--store",
        str(store),
    )
    assert code == 2 and "suffix" in err
    for args, expected in (
        (["show", "0000000"], "no run"),
        (["rm", "abcd"], "no run"),
        (["export", ids[0], "-f", "xml"], "unknown format"),
        (["list"], "no run store here"),
    ):
        where = str(store) if "list" not in args else str(tmp_path / "none.duckdb")
        code, _, err = invoke("runs", *args, "--store", where)
        assert code == 2 and expected in err and err.count("\n") == 1, (args, err)
    code, _, err = invoke("runs", "list", "--store", str(tmp_path))  # a folder, not the file
    assert code == 2 and "is a folder, not a store file" in err
    code, out, _ = invoke("runs", "rm", ids[0], "--store", str(store))
    assert code == 0 and ids[0] in out


def test_runs_text_reads_as_run_prints_and_says_what_cannot_compare(
    store: Path, runs, invoke
) -> None:
    """Money in $, probabilities in %; a filter matching nothing is not called an empty
    store; runs of different horizons are said not to compare."""
    import hashshock
    from hashshock.cli.runs import metric_text

    assert metric_text("finance.revenue_usd.p50", 44_370_000.0) == "$44.4M"
    assert metric_text("finance.cash_usd_end.p50", -107_100.0) == "-$107.1k"
    assert metric_text("stages.spares_depleted.probability", 0.49) == "49.0%"
    assert metric_text("stages.spares_depleted.day_p50", 38.0) == "38"
    assert metric_text("finance.covenants.dscr.tested", True) == "true"  # not Python's True
    from tests.store.conftest import SMALL

    short = hashshock.compare(SMALL, ["baseline"], paths=40, horizon_days=30, seed=2)
    ids = save_results([runs[0], *short], store)
    code, out, _ = invoke("runs", "list", "--fleet", "nosuch", "--store", str(store))
    assert code == 0 and "no saved runs of fleet 'nosuch'" in out
    code, out, _ = invoke("runs", "diff", *ids, "--store", str(store))
    assert code == 0 and "different horizons (90 and 30 days)" in out


def test_a_diff_names_each_field_of_events_added(store: Path, runs, inputs, invoke) -> None:
    """Baseline against sanctions: the scenario's events (none against several) are named
    field by field, by the event's name as a sweep's path names it —
    `scenario.events[border-enforcement].type: — → customs_hold` — not one list cut at 60
    characters with "…", which hid what changed."""
    a, b = save_results(runs, store, fleet=inputs["fleet"], scenarios=inputs["scenarios"])
    diff = diff_runs(*load_runs([a, b], store))
    first = "scenario.events[border-enforcement]"
    added = {c.where: c.after for c in diff.inputs if c.where.startswith(f"{first}.")}
    assert added.get(f"{first}.type") == "customs_hold" and all(
        c.before is None for c in diff.inputs if c.where.startswith("scenario.events[")
    )
    code, out, _ = invoke("runs", "diff", a, b, "--store", str(store))
    assert code == 0
    assert f"{first}.type: — → customs_hold" in " ".join(out.split())
    # A long value (a description, a distribution's values) is cut to its start, and said
    # so; --all shows every value whole.
    from hashshock.cli.runs import INPUT_CHARS, _value

    long = [c for c in diff.inputs if len(_value(c.after)) > INPUT_CHARS]
    assert long and "--all shows them whole" in out
    code, whole, _ = invoke("runs", "diff", a, b, "--store", str(store), "--all")
    assert code == 0 and "…" not in whole
    for change in long:
        assert _value(change.after) in " ".join(whole.split())
        assert _value(change.after) not in " ".join(out.split())


def test_a_yes_or_no_outcome_reads_true_or_false(store: Path, runs, invoke) -> None:
    """`runs show` printed `finance.covenants.dscr.tested │ 1` (the summary table keeps
    numbers): a yes/no outcome reads true or false, in the terminal, JSON and a diff."""
    data = json.loads(json.dumps(runs[1].to_dict()))
    untested = {"type": "min_dscr", "tested": False, "first_test_day": 365}
    data["finance"]["covenants"] = {"dscr": untested}
    tested = {**data, "finance": {**data["finance"], "covenants": {"dscr": {
        "type": "min_dscr", "tested": True, "probability_breach": 0.25}}}}  # fmt: skip
    a, b = save_results([data, tested], store)
    code, out, _ = invoke("runs", "show", a, "--store", str(store))
    line = next(x for x in out.splitlines() if "finance.covenants.dscr.tested" in x)
    assert code == 0 and line.split()[-2:] == ["false", "│"]
    code, out, _ = invoke("runs", "show", a, "--store", str(store), "--json")
    assert json.loads(out)["summary"]["finance.covenants.dscr.tested"] is False
    code, out, _ = invoke("runs", "diff", a, b, "--store", str(store))
    assert "finance.covenants.dscr.tested: false → true" in out
    with duckdb.connect(str(store), read_only=True) as con:  # the SQL table: numbers
        assert con.execute("SELECT value FROM summary WHERE run_id = ? AND metric = "
                           "'finance.covenants.dscr.tested'", [b]).fetchone() == (1.0,)  # fmt: skip


def test_a_diff_says_a_delay_as_written_and_an_event_by_its_name(
    store: Path, runs, inputs, write_yaml, invoke
) -> None:
    """Sanctions against a file that includes it with a longer customs hold (the mode of a
    triangular 60 → 90 days): the diff said `scenario.events[0].hold_days.weights:
    [0.0163…] → [0.0082…]`, the discretised weights kept with each run and the event by
    its position. It names the parameter the user changed, the event as sweeps do."""
    import yaml

    from hashshock.inputs.load import builtin_scenarios, load_scenario

    sanctions = yaml.safe_load(builtin_scenarios()["sanctions"].read_text(encoding="utf-8"))
    border = {**sanctions["events"][0],
              "hold_days": {"dist": "triangular", "low": 30, "mode": 90, "high": 180}}  # fmt: skip
    longer = load_scenario(write_yaml(
        {"name": "sanctions", "include": ["sanctions"], "events": [border]}, "x.yaml"
    ))  # fmt: skip
    a = save_results(runs[1:], store, fleet=inputs["fleet"], scenarios=[inputs["scenarios"][1]])
    b = save_results(runs[1:], store, fleet=inputs["fleet"], scenarios=[longer])
    diff = diff_runs(*load_runs([a[0], b[0]], store))
    assert [(c.where, c.before, c.after) for c in diff.inputs if c.where != "scenario.sources"
            and c.where != "scenario.description"] == [
        ("scenario.events[border-enforcement].hold_days.mode", 60, 90)
    ]  # fmt: skip
    code, out, _ = invoke("runs", "diff", a[0], b[0], "--store", str(store))
    assert code == 0
    assert "scenario.events[border-enforcement].hold_days.mode: 60 → 90" in out
    assert "weights" not in out
    # The run's manifest keeps its digest of the inputs as they run (discretised).
    assert load_runs(a[0], store)[0].data["manifest"] == runs[1].to_dict()["manifest"]


def test_a_delay_kept_as_weights_by_an_older_version_is_the_same_delay(
    store: Path, runs, inputs
) -> None:
    """A run saved before delays were kept as written holds their weights
    (``{dist: empirical, …}``): against a newer run of the same inputs, that is no
    change of input."""
    import dataclasses

    (run_id,) = save_results(runs[1:], store, fleet=inputs["fleet"],
                             scenarios=[inputs["scenarios"][1]])  # fmt: skip
    new = load_runs(run_id, store)[0]
    weights = inputs["scenarios"][1].model_dump(mode="json")
    assert weights["events"][0]["hold_days"]["dist"] == "empirical"
    old = dataclasses.replace(new, inputs={**new.inputs, "scenario": {
        **new.inputs["scenario"], "sha256": "older", "content": weights}})  # fmt: skip
    assert diff_runs(old, new).inputs == []


def test_an_edit_to_a_file_the_inputs_name_changes_their_digest_and_shows_in_a_diff(
    store: Path, tmp_path: Path
) -> None:
    """The failure rates a fleet names and a market's price deck are read from CSV files:
    editing one (same names) changed the runs but neither digest, and `runs diff` said
    "inputs: no change"."""
    import yaml
    from tests.store.conftest import SMALL

    import hashshock
    from hashshock.inputs.load import load_fleet
    from hashshock.market import load_market

    data = yaml.safe_load(SMALL.read_text(encoding="utf-8"))
    data["failure_rates"] = "rates.csv"
    (tmp_path / "fleet.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    header = "part,applies_to,weibull_shape,first_year_failures_per_part,source\n"
    deck = {"price": {"model": "deck", "csv": "deck.csv"}}
    (tmp_path / "market.yaml").write_text(yaml.safe_dump(deck), encoding="utf-8")
    saved = []
    for rate, price in (("0.015", 90_000), ("0.075", 45_000)):
        (tmp_path / "rates.csv").write_text(header + f"fan,*,1.6,{rate},mine\n", encoding="utf-8")
        (tmp_path / "deck.csv").write_text(
            f"date,price_usd\n2026-12-01,{price}\n2027-12-01,{price}\n", encoding="utf-8"
        )
        fleet, market = load_fleet(tmp_path / "fleet.yaml"), load_market(tmp_path / "market.yaml")
        result = hashshock.run(fleet, "baseline", paths=10, horizon_days=30, market=market)
        saved.append((result, save_results([result], store, fleet=fleet, market=market)[0]))
    (first, a), (second, b) = saved
    for key in ("inputs_sha256", "market_sha256"):
        assert first.manifest[key] != second.manifest[key], key
    changed = {c.where.split("[")[0] for c in diff_runs(*load_runs([a, b], store)).inputs}
    assert {"fleet.failure_rates_read", "market.price.csv_read.usd"} <= changed, changed


def test_a_snapshot_of_the_users_edited_on_the_same_day_changes_the_digest(
    store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two `data update`s on one day wrote two BTC prices into one snapshot file: the runs
    differed (revenue $222k against $173k) under one market_sha256, and `runs diff` said
    "inputs: no change … check the versions"."""
    from tests.store.conftest import SMALL

    import hashshock
    from hashshock.inputs.load import load_fleet
    from hashshock.market import load_market
    from hashshock.market.snapshot import load_snapshot, user_snapshot_path

    monkeypatch.setenv("HASHSHOCK_DATA_DIR", str(tmp_path / "data"))
    bundled = load_snapshot()
    fleet = load_fleet(SMALL)
    saved = []
    for price in (91_000.0, 70_000.0):
        mine = user_snapshot_path()
        mine.parent.mkdir(parents=True, exist_ok=True)
        mine.write_text(bundled.model_copy(update={"btc_price_usd": price}).to_yaml())
        market = load_market(None)
        result = hashshock.run(fleet, "baseline", paths=10, horizon_days=30, market=market)
        saved.append((result, save_results([result], store, fleet=fleet, market=market)[0]))
    (first, a), (second, b) = saved
    assert first.manifest["market_sha256"] != second.manifest["market_sha256"]
    changed = {c.where for c in diff_runs(*load_runs([a, b], store)).inputs}
    assert "market.snapshot_read.btc_price_usd" in changed, changed


def test_a_change_below_the_digits_shown_is_shown_with_more() -> None:
    """`runs diff` listed "availability.end.p50: 93.5% → 93.5%" as a change, then as
    "0.93512 → 0.93498", a share where every other line has a percentage: now in the
    same unit with the digits that tell the two apart."""
    from hashshock.cli.runs import change_texts

    assert change_texts("availability.end.p50", 0.93512, 0.93498) == ("93.51%", "93.50%")
    assert change_texts("availability.end.p50", 0.759161, 0.759163) == ("75.9161%", "75.9163%")
    assert change_texts("availability.end.p50", 0.935, 0.912) == ("93.5%", "91.2%")
    assert change_texts("finance.cash_usd_end.p50", 1_234_501.0, 1_234_549.0) == (
        "$1,234,501", "$1,234,549")  # fmt: skip
    assert change_texts("stages.customs_delay.day_p50", 41.0, 41.4) == ("41", "41.4")


def test_run_label_keeps_a_note_with_the_saved_runs(store: Path) -> None:
    """The store has a label (`runs list` hints at it) that no command could set."""
    from typer.testing import CliRunner

    from hashshock.cli.app import app

    farm = str(Path(__file__).resolve().parents[2] / "examples" / "small-farm" / "fleet.yaml")
    base = ["run", farm, "-n", "4", "--horizon", "5", "-q"]
    done = CliRunner().invoke(app, [*base, "--store", str(store), "--label", "week 49"])
    assert done.exit_code == 0, done.output
    assert [r["label"] for r in list_runs(store)] == ["week 49"]
    for label, said in (("x", "none are saved"), ("a\nb", "control characters"),
                        ("y" * 201, "201 characters")):  # fmt: skip
        extra = [] if said == "none are saved" else ["--store", str(store)]
        done = CliRunner().invoke(app, [*base, *extra, "--label", label])
        assert done.exit_code == 2 and said in done.output, done.output


def test_one_run_alone_is_saved_as_to_dataset_takes_it(store: Path, runs) -> None:
    """save_results(run) was refused where to_dataset(run) and load_runs("id") take one."""
    (run_id,) = save_results(runs[0], store)
    assert load_runs(run_id, store)[0].data["scenario"] == runs[0].scenario
