"""Results kept whole in the run store (a sweep, an industry run): one row of its head and
its whole JSON in a table of its own, its figures as rows of a second table for SQL,
saved in one transaction (a save lands whole or not at all) and read back by id."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from hashshock.inputs.errors import InputError
from hashshock.store.db import connect, insert_frame, new_id, transaction
from hashshock.store.db import store_path as resolve_store


def save_document(
    store: str | Path | None, table: str, id_column: str,
    head: Callable[[str, datetime], list[Any]], detail: str, columns: Sequence[str],
    rows: Callable[[str], list[tuple[Any, ...]]],
) -> str:  # fmt: skip
    """Insert ``head(id, saved_at)`` (the values of one row of ``table``, its JSON last)
    and ``rows(id)`` into ``detail`` (its ``columns``, the id first); return the new id."""
    import pandas as pd

    path = resolve_store(store)
    saved_at = datetime.now(UTC).replace(tzinfo=None)
    with connect(path, write=True) as con, transaction(con):
        found = new_id(con, table, id_column)
        values = head(found, saved_at)
        con.execute(f"INSERT INTO {table} VALUES ({', '.join('?' * len(values))})", values)
        listed = rows(found)
        if listed:  # DuckDB reads a None (NaN) of the frame as NULL
            insert_frame(con, detail, pd.DataFrame(listed, columns=list(columns)))
    return found


def as_json(data: dict[str, Any]) -> str:
    """A document's JSON as stored (compact)."""
    return json.dumps(data, separators=(",", ":"))


def load_document(
    store: str | Path | None, table: str, id_column: str, found: str, noun: str
) -> dict[str, Any]:
    """The JSON of ``table``'s row ``found`` (a ``noun`` in messages)."""
    path = resolve_store(store)
    with connect(path, write=False) as con:
        data = _data(con, table, id_column, found)
    if data is None:
        raise InputError(path, id_column.upper(), f"no saved {noun} '{found}'",
                         f"see SELECT {id_column}, name FROM {table} in the store")  # fmt: skip
    return data


def _data(con: duckdb.DuckDBPyConnection, table: str, id_column: str,
          found: str) -> dict[str, Any] | None:  # fmt: skip
    row = con.execute(f"SELECT data FROM {table} WHERE {id_column} = ?", [found]).fetchone()
    return None if row is None else dict(json.loads(row[0]))


def find_document(store: str | Path | None, found: str) -> tuple[str, dict[str, Any]] | None:
    """The kind (``sweep``, ``industry``) and JSON of the saved sweep or industry run whose
    id (or unique prefix) is ``found``; ``None`` if neither is (a run's id, say)."""
    from hashshock.store.saved import resolve_saved

    path = resolve_store(store)
    with connect(path, write=False) as con:
        try:
            kind, full = resolve_saved(con, path, found)
        except InputError:  # the runs' own lookup says what is wrong
            return None
        data = None if kind.name == "run" else _data(con, kind.head, kind.id_column, full)
    return None if data is None else (kind.name, data)
