"""Export a stored run: ``json`` (its report dict), ``csv`` or ``parquet`` (its daily and
money bands as one long table: run_id, table, day, date, series, part, p5 … p95). A saved
sweep or industry run exports its JSON, or its rows (``sweep_points``,
``industry_summary``) as a table."""

from __future__ import annotations

import json
import re
from pathlib import Path

from hashshock.inputs.errors import InputError
from hashshock.outputs import (
    atomic_write_bytes,
    atomic_write_file,
    check_output,
    check_replaceable,
    csv_columns,
    looks_like_output_json,
)
from hashshock.store.db import connect, store_path
from hashshock.store.documents import load_document
from hashshock.store.query import load_runs
from hashshock.store.saved import BY_NAME, saved_kind

FORMATS = ("csv", "parquet", "json")
#: The long table each kind exports as CSV or Parquet ($id: its full id).
_ROWS = {
    "run": (
        "SELECT run_id, 'daily' AS \"table\", day, date, series, part, p5, p25, p50, p75, p95 "
        "FROM daily WHERE run_id = $id UNION ALL "
        "SELECT run_id, 'money', day, date, series, NULL, p5, p25, p50, p75, p95 "
        'FROM money WHERE run_id = $id ORDER BY "table", series, part, day'
    ),
    "sweep": "SELECT * FROM sweep_points WHERE sweep_id = $id ORDER BY point, metric",
    "industry": (
        "SELECT * FROM industry_summary WHERE industry_id = $id ORDER BY scenario, operator, "
        "metric"
    ),
}  # fmt: skip


def export_bytes(ref: str, fmt: str, store: str | Path | None = None) -> bytes:
    """What ``ref`` names in format ``fmt`` (``csv`` or ``json``; parquet needs a file)."""
    kind, found = saved_kind(ref, store)
    if fmt == "json":
        if kind == "run":
            data = load_runs([found], store)[0].data
        else:
            saved = BY_NAME[kind]
            data = load_document(store, saved.head, saved.id_column, found, saved.noun)
        return (json.dumps(data, indent=2) + "\n").encode("utf-8")
    if fmt != "csv":
        raise InputError(None, "--format", f"{fmt!r} cannot go to stdout", "give --out FILE")
    with connect(store_path(store), write=False) as con:
        frame = con.execute(_ROWS[kind], {"id": found}).df()
    return str(frame.to_csv(index=False)).encode("utf-8")


def export_run(ref: str, fmt: str, out: str | Path, store: str | Path | None = None) -> Path:
    """Write the run ``ref`` to ``out`` (atomically) in format ``fmt``: a file named for
    the format (``.csv``, ``.parquet``, ``.json``), never the store it reads."""
    if fmt not in FORMATS:
        raise InputError(None, "--format", f"unknown format {fmt!r}", "use csv, parquet or json")
    checked = check_output(out, "--out", [store_path(store)], (f".{fmt}",))
    if checked is None:
        raise InputError(None, "--out", "a file is needed here", "give --out FILE")
    out = checked
    if fmt != "parquet":
        data = export_bytes(ref, fmt, store)
        what = "a hashshock JSON" if fmt == "json" else "a CSV export of the same columns"
        check_replaceable(out, "--out", what,
                          lambda path: _same_kind(path, fmt, data))  # fmt: skip
        atomic_write_bytes(out, data, "--out")
        return out
    kind, found = saved_kind(ref, store)
    # copied from the store itself, its columns' types kept (read into pandas first, a DATE
    # came out a TIMESTAMP and an empty text column of type NULL); COPY takes no
    # parameters, and an id the store resolved is letters, digits and dashes
    assert re.fullmatch(r"[0-9A-Za-z_-]+", found), found
    query = _ROWS[kind].replace("$id", f"'{found}'")
    with connect(store_path(store), write=False) as con:
        columns = [c[0] for c in con.execute(f"{query} LIMIT 0").description]
    # another kind's export (a sweep's rows onto a run's) is said as not of these columns
    check_replaceable(out, "--out", "a Parquet export of the same columns",
                      lambda path: _parquet_columns(path) == columns)  # fmt: skip

    def copy_to(tmp: str) -> None:
        quoted = tmp.replace("'", "''")
        with connect(store_path(store), write=False) as con:
            con.execute(f"COPY ({query}) TO '{quoted}' (FORMAT PARQUET)")

    atomic_write_file(out, copy_to, "--out")
    return out


def _same_kind(path: Path, fmt: str, data: bytes) -> bool:
    """Whether the existing ``path`` is an export like ``data``: a CSV of the same columns,
    or a JSON document hashshock wrote (:func:`~hashshock.outputs.looks_like_output_json`).
    Anything else — a repair log, a fleet file, a package.json — is the user's, not
    replaced (:func:`check_replaceable`)."""
    if fmt == "csv":
        header = data.split(b"\n", 1)[0].decode("utf-8").strip()
        return csv_columns(path) == {name.strip() for name in header.split(",")}
    return looks_like_output_json(path)


def _parquet_columns(path: Path) -> list[str] | None:
    """The column names of the Parquet file ``path`` (None: it is not one)."""
    import duckdb

    try:
        with duckdb.connect() as scratch:
            quoted = str(path).replace("'", "''")
            found = scratch.execute(f"SELECT * FROM read_parquet('{quoted}') LIMIT 0")
            return [column[0] for column in found.description]
    except duckdb.Error:
        return None
