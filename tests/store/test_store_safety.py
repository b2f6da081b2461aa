"""Two processes saving at once lose nothing; a save killed halfway leaves the store
readable and as it was; an old schema migrates forward."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import numpy as np
import pytest

from hashshock.inputs.errors import InputError
from hashshock.store.db import check_store, connect
from hashshock.store.query import list_runs, load_runs
from hashshock.store.schema import MONEY_SERIES, SCHEMA_VERSION, V0_TABLES, version_of

SAVER = textwrap.dedent("""
    import json, sys
    from hashshock.store.save import save_results
    runs = json.load(open(sys.argv[1]))
    for _ in range(int(sys.argv[3])):
        print(" ".join(save_results(runs, sys.argv[2])), flush=True)
""")

HALTING_SAVER = textwrap.dedent("""
    import json, sys, time
    import hashshock.store.save as save
    real = save.insert_frame
    def insert(con, table, rows):
        real(con, table, rows)
        if table == "money":
            print("mid-save", flush=True)
            time.sleep(120)
    save.insert_frame = insert
    save.save_results(json.load(open(sys.argv[1])), sys.argv[2])
""")


def test_two_processes_saving_at_once_lose_nothing(store: Path, runs_json: Path) -> None:
    rounds = 4
    command = [sys.executable, "-c", SAVER, str(runs_json), str(store), str(rounds)]
    procs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]  # fmt: skip
    ids: list[str] = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        ids += out.split()
    assert len(ids) == 2 * rounds * 2 and len(set(ids)) == len(ids)
    assert {r["run_id"] for r in list_runs(store, limit=1000)} == set(ids)
    assert len(load_runs(ids, store)) == len(ids)


def test_a_save_killed_halfway_leaves_the_store_as_it_was(
    store: Path, runs_json: Path, runs
) -> None:
    from hashshock.store.save import save_results

    kept = save_results(runs, store)
    proc = subprocess.Popen([sys.executable, "-c", HALTING_SAVER, str(runs_json), str(store)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "mid-save", (
            proc.stderr.read() if proc.stderr else ""
        )
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    assert {r["run_id"] for r in list_runs(store)} == set(kept)
    with duckdb.connect(str(store), read_only=True) as con:
        for table in ("manifest", "summary", "daily", "money", "results"):
            orphans = con.execute(
                f"SELECT count(*) FROM {table} WHERE run_id NOT IN (SELECT unnest(?))", [kept]
            ).fetchone()
            assert orphans == (0,), table
    save_results(runs[:1], store)  # and it takes new saves
    assert len(list_runs(store)) == 3


def _v0_store(path: Path) -> None:
    """A store as version 0 wrote it: money series among the daily bands, no p25/p75."""
    with duckdb.connect(str(path)) as con:
        for statement in V0_TABLES:
            con.execute(statement)
        con.execute(
            "INSERT INTO manifest (run_id, scenario, start_date, saved_at, paths, horizon_days, "
            "seed) VALUES ('0ld0ld00', 'sanctions', DATE '2026-12-01', now(), 10, 2, 0)"
        )
        con.execute("INSERT INTO results VALUES ('0ld0ld00', '{}')")
        for series in ("hashrate_ths", "cash_usd"):
            for day in range(2):
                con.execute(
                    "INSERT INTO daily VALUES "
                    "('0ld0ld00', ?, DATE '2026-12-01' + ?, ?, NULL, 1, 2, 3)",
                    [day, day, series],
                )


def test_v0_store_migrates_to_the_current_version(store: Path) -> None:
    _v0_store(store)
    with connect(store, write=False) as con:
        assert version_of(con) == SCHEMA_VERSION == 3
        sweeps = con.execute("SELECT count(*) FROM sweeps").fetchone()
        industries = con.execute(
            "SELECT (SELECT count(*) FROM industries), (SELECT count(*) FROM industry_summary)"
        ).fetchone()
        money = con.execute(
            "SELECT series, day, p5, p25, p50, p75, p95 FROM money ORDER BY day"
        ).fetchall()
        daily = con.execute("SELECT DISTINCT series FROM daily").fetchall()
        label = con.execute("SELECT label FROM manifest").fetchall()
    assert money == [("cash_usd", 0, 1, None, 2, None, 3), ("cash_usd", 1, 1, None, 2, None, 3)]
    assert daily == [("hashrate_ths",)]
    assert "cash_usd" in MONEY_SERIES and label == [(None,)] and sweeps == (0,)
    assert industries == (0, 0)
    assert [r["run_id"] for r in list_runs(store)] == ["0ld0ld00"]


def test_a_newer_store_is_refused(store: Path) -> None:
    with connect(store, write=True):
        pass
    with duckdb.connect(str(store)) as con:
        con.execute("UPDATE store_meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(InputError, match="newer hashshock"):
        list_runs(store)


def test_a_damaged_store_is_named_not_a_traceback(store: Path, runs, invoke) -> None:
    """A store cut short (a copy that stopped, a disk that failed) is refused with one
    line naming it, by a read and by a save; the file is left as it was."""
    from hashshock.store.save import save_results

    save_results(runs, store)
    damaged = store.with_name("damaged.duckdb")
    data = store.read_bytes()
    damaged.write_bytes(data[: len(data) // 2])
    before = damaged.read_bytes()
    code, _, err = invoke("runs", "list", "--store", str(damaged))
    assert code == 2 and "Traceback" not in err
    assert "damaged.duckdb" in err and "could not be read or written" in err
    assert "looks damaged: move it aside" in err and "free space" not in err
    with pytest.raises(InputError, match="could not be read or written"):
        save_results(runs, damaged)
    assert damaged.read_bytes() == before


@pytest.mark.parametrize("version", ["abc", "-5", "", "²"])
def test_a_store_whose_schema_version_is_garbled_is_named_damaged(
    store: Path, invoke, version: str
) -> None:
    """A version that is not a whole number from 0 (it raised ValueError, or a negative
    one looked for a migration that does not exist) is one line naming the store."""
    with connect(store, write=True):
        pass
    with duckdb.connect(str(store)) as con:
        con.execute(f"UPDATE store_meta SET value = '{version}' WHERE key = 'schema_version'")
    code, _, err = invoke("runs", "list", "--store", str(store))
    assert code == 2 and "Traceback" not in err, err
    assert "is damaged: its schema version is not a number" in err and str(store) in err
    with pytest.raises(InputError, match="is damaged"):
        list_runs(store)


def test_reading_an_empty_database_writes_nothing_to_it(store: Path, invoke) -> None:
    """An empty DuckDB file given to a read holds no runs: `runs list` lists none, a run
    asked for by id is not there, and the file is left as it was (a listing used to
    create the store's tables in it); a save to it makes it a store."""
    with duckdb.connect(str(store)):
        pass
    before = store.read_bytes()
    code, _, _ = invoke("runs", "list", "--store", str(store))
    assert code == 0 and list_runs(store) == []
    code, _, err = invoke("runs", "show", "abcd1234", "--store", str(store))
    assert code == 2 and "holds no runs yet" in err
    code, _, err = invoke("runs", "rm", "abcd1234", "--store", str(store))  # a removal too
    assert code == 2 and "holds no runs yet" in err
    assert store.read_bytes() == before
    with connect(store, write=True) as con:
        assert version_of(con) == SCHEMA_VERSION


def test_a_commit_that_fails_reports_its_own_error(
    store: Path, runs, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A COMMIT that fails (a full disk) ends DuckDB's transaction: the ROLLBACK after it
    used to raise "no transaction is active" over the real error; now the save fails as
    an input error naming the store and the disk's reason, and the store keeps what it
    had."""
    from hashshock.store import save
    from hashshock.store.save import save_results

    first = save_results(runs, store)
    real = save.transaction

    class Failing:
        """A connection whose COMMIT fails as a full disk's does, ending the transaction."""

        def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
            self.con = con

        def execute(self, sql: str, *args: object) -> object:
            if sql == "COMMIT":
                self.con.execute("ROLLBACK")
                raise duckdb.IOException("Failed to commit: No space left on device")
            return self.con.execute(sql, *args)

    monkeypatch.setattr(save, "transaction", lambda con: real(Failing(con)))  # type: ignore[arg-type]
    with pytest.raises(InputError, match="No space left on device") as info:
        save_results(runs, store)
    assert info.value.file == str(store)
    monkeypatch.undo()
    assert {r["run_id"] for r in list_runs(store)} == set(first)


def test_export_from_python_never_writes_over_the_store_or_another_file(
    store: Path, runs, tmp_path: Path
) -> None:
    """`export_run` checks its output as `runs export --out` does: the store it reads (a
    parquet export replaced it, every run lost) and a file not named for the format (a
    fleet YAML became CSV) are refused and left as they were; a path as text works."""
    from hashshock.store import export_run
    from hashshock.store.save import save_results

    run_id = save_results(runs, store)[0]
    fleet = tmp_path / "fleet.yaml"
    fleet.write_text("name: mine\n", encoding="utf-8")
    before = store.read_bytes(), fleet.read_bytes()
    for fmt, out, says in (("parquet", store, "input files"), ("csv", fleet, "suffix")):
        with pytest.raises(InputError, match=says):
            export_run(run_id, fmt, out, store)
    assert (store.read_bytes(), fleet.read_bytes()) == before
    written = export_run(run_id, "csv", str(tmp_path / "bands.csv"), store)
    assert written.read_text(encoding="utf-8").startswith("run_id,")


def test_store_and_report_functions_name_a_wrong_argument(store: Path, runs) -> None:
    """From Python, None or a mapping where an id, a store or runs belong is one
    InputError naming the argument (they were AttributeErrors and TypeErrors from
    inside); a negative limit says so (it surfaced as DuckDB's error, as a damaged store)."""
    from hashshock.report import write_report
    from hashshock.report.data import report_dict
    from hashshock.results.labelled import to_dataset
    from hashshock.store import diff_runs, list_runs, load_runs, remove_runs
    from hashshock.store.save import save_results

    save_results(runs, store)
    calls = [
        (lambda: list_runs({}), "store (--store)"),  # type: ignore[arg-type]
        (lambda: list_runs(store, limit="x"), "limit (--limit)"),  # type: ignore[arg-type]
        (lambda: list_runs(store, limit=-1), "limit (--limit)"),
        (lambda: load_runs([None], store), "run id"),  # type: ignore[list-item]
        (lambda: remove_runs([None], store), "run id"),  # type: ignore[list-item]
        (lambda: diff_runs(None, None, store), "a"),  # type: ignore[arg-type]
        (lambda: report_dict(None), "result"),  # type: ignore[arg-type]
        (lambda: write_report(None, store.with_suffix(".html")), "results"),  # type: ignore[arg-type]
        (lambda: write_report(["x"], store.with_suffix(".html")), "result"),  # type: ignore[list-item]
        (lambda: to_dataset(None), "results"),  # type: ignore[arg-type]
    ]
    for call, field in calls:
        with pytest.raises(InputError) as caught:
            call()
        assert caught.value.field == field, str(caught.value)
    assert len(list_runs(store)) == len(runs)
    assert len(list_runs(store, limit=np.int64(1))) == 1  # numpy's integers are whole numbers


def test_no_store_or_images_folder_inside_the_installed_package() -> None:
    """As every other output: a store or an images folder inside the package would write
    among its bundled data."""
    import hashshock
    from hashshock.outputs import check_output_dir
    from hashshock.store.db import check_store

    data = Path(hashshock.__file__).resolve().parent / "data"
    with pytest.raises(InputError, match="inside the installed hashshock package"):
        check_store(data / "runs.duckdb")
    with pytest.raises(InputError, match="inside the installed hashshock package"):
        check_output_dir(data / "images", "--images")
    assert not (data / "runs.duckdb").exists()


@pytest.mark.parametrize("wait", ["abc", "-1", "nan"])
def test_a_wait_that_is_not_seconds_is_said(
    store: Path, invoke, monkeypatch: pytest.MonkeyPatch, wait: str
) -> None:
    """``HASHSHOCK_STORE_WAIT=abc`` was taken as 30 s unsaid: it is one line naming it."""
    with connect(store, write=True):
        pass
    monkeypatch.setenv("HASHSHOCK_STORE_WAIT", wait)
    code, _, err = invoke("runs", "list", "--store", str(store))
    assert code == 2 and "Traceback" not in err
    assert f"HASHSHOCK_STORE_WAIT: '{wait}' is not a number of seconds (0 or more)" in err
    monkeypatch.setenv("HASHSHOCK_STORE_WAIT", "inf")  # as long as it takes: accepted
    assert invoke("runs", "list", "--store", str(store))[0] == 0


def test_a_store_made_read_only_is_read_and_never_written(store: Path, runs) -> None:
    """A store its owner made read-only (chmod 444) took a save and a removal when the user
    was root: refused, as an output file of that mode is, and still read."""
    from hashshock.store.query import remove_runs
    from hashshock.store.save import save_results

    (kept,) = save_results(runs[:1], store)
    store.chmod(0o444)
    try:
        before = store.read_bytes()
        with pytest.raises(InputError, match="is read-only"):
            save_results(runs[1:], store)
        with pytest.raises(InputError, match="is read-only"):
            remove_runs([kept], store)
        assert store.read_bytes() == before
        assert [r["run_id"] for r in list_runs(store)] == [kept]
        # said before a run simulates, not after it (its runs lost with an exit 1)
        with pytest.raises(InputError, match="is read-only"):
            check_store(store)
        assert check_store(store, must_exist=True, write=False) == store  # to read: fine
    finally:
        store.chmod(0o644)


def test_a_store_cut_short_is_named_damaged_not_another_kind_of_file(store: Path, runs) -> None:
    """Cut to its first 4 kB, DuckDB cannot open it at all: it was "not a DuckDB
    database", though it starts as one."""
    from hashshock.store.save import save_results

    save_results(runs[:1], store)
    store.write_bytes(store.read_bytes()[:4000])
    with pytest.raises(InputError, match="is a DuckDB file DuckDB cannot open") as raised:
        list_runs(store)
    assert "looks damaged: move it aside" in raised.value.fix
