"""What an id of the run store names: a fleet run, a sweep or an industry run.

Each kind keeps its head in one table and its rows in another (docs/report.md):

======== ============== ================ =================================
kind     head           id column        rows
======== ============== ================ =================================
run      ``manifest``   ``run_id``       ``results``, ``daily``, ``money``,
                                         ``summary``, ``inputs``
sweep    ``sweeps``     ``sweep_id``     ``sweep_points``
industry ``industries`` ``industry_id``  ``industry_summary``
======== ============== ================ =================================

Ids are drawn from one alphabet and may be shortened to any prefix of at least
:data:`MIN_PREFIX` characters that names one saved thing of any kind.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from hashshock.inputs.errors import InputError, shown
from hashshock.store.db import EmptyStore, connect, store_path

#: Shortest id prefix accepted.
MIN_PREFIX = 4


@dataclass(frozen=True)
class Kind:
    """One kind of saved thing: its head table and id column, and its other tables."""

    name: str
    head: str
    id_column: str
    rows: tuple[str, ...]
    noun: str  # in messages: "run", "sweep", "industry run"


KINDS = (
    Kind("run", "manifest", "run_id", ("results", "daily", "money", "summary", "inputs"), "run"),
    Kind("sweep", "sweeps", "sweep_id", ("sweep_points",), "sweep"),
    Kind("industry", "industries", "industry_id", ("industry_summary",), "industry run"),
)
BY_NAME = {kind.name: kind for kind in KINDS}


def resolve_saved(con: duckdb.DuckDBPyConnection, path: Path, ref: str) -> tuple[Kind, str]:
    """The kind and full id of ``ref`` (an id or a unique prefix of one) among everything
    saved; else an :class:`InputError` saying what is wrong and where to look."""
    if not isinstance(ref, str):
        raise InputError(path, "run id", f"{shown(ref)} is not an id",
                         "give an id or its first characters (hashshock runs list)")  # fmt: skip
    ref = ref.strip().lower()  # ids are lower-case hex: B14A, copied from a note, is b14a
    if len(ref) < MIN_PREFIX:
        raise InputError(
            path, "run id", f"{ref!r} is too short",
            f"give at least {MIN_PREFIX} characters (hashshock runs list)",
        )  # fmt: skip
    found = [
        (kind, str(row[0]))
        for kind in KINDS
        for row in con.execute(
            f"SELECT {kind.id_column} FROM {kind.head} WHERE starts_with({kind.id_column}, ?) "
            f"ORDER BY {kind.id_column}", [ref],
        ).fetchall()
    ]  # fmt: skip
    if not found:
        raise InputError(path, "run id", f"no run {ref!r} in this store",
                         "see `hashshock runs list` for the ids of runs, sweeps and "
                         "industry runs")  # fmt: skip
    if len(found) > 1:
        shown_ids = ", ".join(full for _, full in found[:5]) + (", …" if len(found) > 5 else "")
        raise InputError(path, "run id", f"{ref!r} matches {len(found)} saved runs "
                         f"({shown_ids})", "give more characters of the id")  # fmt: skip
    return found[0]


def saved_kind(ref: str, store: str | Path | None = None) -> tuple[str, str]:
    """``(kind, full id)`` of ``ref`` in the store (kind: ``run``, ``sweep``, ``industry``)."""
    path = store_path(store)
    with connect(path, write=False) as con:
        kind, found = resolve_saved(con, path, ref)
    return kind.name, found


def list_documents(store: str | Path | None = None, limit: int | None = None
                   ) -> list[dict[str, Any]]:  # fmt: skip
    """Saved sweeps and industry runs, newest first: kind, id (``run_id``), when, name,
    what varied (a sweep's method) or the scenarios, paths × days, seed, version."""
    query = (
        "SELECT 'sweep' AS kind, sweep_id AS run_id, saved_at, name, method AS what, paths, "
        "horizon_days, seed, version FROM sweeps UNION ALL "
        "SELECT 'industry', industry_id, saved_at, name, scenarios, paths, horizon_days, seed, "
        "version FROM industries ORDER BY saved_at DESC, run_id"
        + (f" LIMIT {int(limit)}" if limit else "")
    )  # fmt: skip
    return listed(store, query)


def newest_ids(store: str | Path | None = None, limit: int = 50) -> list[str]:
    """Ids of the ``limit`` newest things saved, of every kind together (fleet runs,
    sweeps, industry runs), newest first, as each kind's own listing orders them."""
    query = (
        " UNION ALL ".join(f"SELECT {kind.id_column} AS id, saved_at, rowid AS saved_as "
                           f"FROM {kind.head}" for kind in KINDS)
        + f" ORDER BY saved_at DESC, saved_as, id LIMIT {int(limit)}"
    )  # fmt: skip
    return [str(row["id"]) for row in listed(store, query)]


def listed(store: str | Path | None, query: str, args: Sequence[Any] = ()) -> list[dict[str, Any]]:
    """The rows of a listing ``query`` as dicts: ``saved_at`` as ISO UTC (``…Z``), other
    dates as ISO days."""
    try:
        with connect(store_path(store), write=False) as con:
            cursor = con.execute(query, list(args))
            names = [d[0] for d in cursor.description]
            rows = cursor.fetchall()
    except EmptyStore:  # a store no run was saved to yet lists nothing
        return []
    out = []
    for row in rows:
        item = dict(zip(names, row, strict=True))
        for key, value in item.items():
            if key == "saved_at":
                item[key] = value.isoformat(timespec="seconds") + "Z"
            elif isinstance(value, date):
                item[key] = value.isoformat()
        out.append(item)
    return out


def remove_saved(refs: list[str], store: str | Path | None = None) -> list[str]:
    """Delete saved runs, sweeps and industry runs (ids or unique prefixes) in one
    transaction; return the ids removed."""
    path = store_path(store)
    # found first on a read: a store with no such run (or none at all) is not written to
    with connect(path, write=False) as con:
        # One run named twice (an id and its prefix) is removed, and said, once.
        found = list(dict.fromkeys(resolve_saved(con, path, ref) for ref in refs))
    with connect(path, write=True) as con:
        con.execute("BEGIN TRANSACTION")
        try:
            for kind, saved in found:
                for table in (*kind.rows, kind.head):
                    con.execute(f"DELETE FROM {table} WHERE {kind.id_column} = ?", [saved])
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return [saved for _, saved in found]
