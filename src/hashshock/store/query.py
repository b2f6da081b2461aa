"""Reading the store: list runs, find one by id (or a unique prefix), load, remove
(:mod:`hashshock.store.saved` for what an id can name)."""

from __future__ import annotations

import json
import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from hashshock.inputs.errors import InputError, shown
from hashshock.store.db import connect, store_path
from hashshock.store.saved import listed, remove_saved, resolve_saved


@dataclass(frozen=True)
class StoredRun:
    """A run read back from the store: its report dict and the inputs saved with it."""

    run_id: str
    saved_at: str
    label: str | None
    data: dict[str, Any]
    inputs: dict[str, dict[str, Any]]  # kind → {"name", "sha256", "content" (parsed)}

    def __repr__(self) -> str:
        # One line, as RunResult's: the default printed the whole report dict (≈ 60 kB).
        fleet, scenario = self.data.get("fleet_name"), self.data.get("scenario")
        return (f"StoredRun(run_id={self.run_id!r}, saved_at={self.saved_at!r}, "
                f"label={self.label!r}, fleet={fleet!r}, scenario={scenario!r}, "
                f"inputs={sorted(self.inputs)})")  # fmt: skip


def _resolve(con: duckdb.DuckDBPyConnection, path: Path, ref: str) -> str:
    """The full id of the fleet run ``ref``; a sweep's or an industry run's id is refused
    with what takes it."""
    kind, found = resolve_saved(con, path, ref)
    if kind.name != "run":
        raise InputError(
            path, "run id", f"{ref!r} is a saved {kind.noun}, not a run of a fleet",
            f"`hashshock runs show {found}`, `runs export {found}` and `runs rm {found}` take "
            f"it, and `hashshock report {found}` draws it",
        )  # fmt: skip
    return found


def resolve_ids(refs: Sequence[str], store: str | Path | None = None) -> list[str]:
    """Full ids of ``refs`` (ids or unique prefixes); unknown ones raise InputError."""
    path = store_path(store)
    with connect(path, write=False) as con:
        return [_resolve(con, path, ref) for ref in refs]


def list_runs(
    store: str | Path | None = None, fleet: str | None = None, scenario: str | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:  # fmt: skip
    """Saved runs, newest first, with their key outcomes (at most ``limit``, a whole
    number of at least 1, or all)."""
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, numbers.Integral)
                              or limit < 1):  # fmt: skip
        raise InputError(None, "limit (--limit)", f"{shown(limit)} is not a number of runs",
                         "give a whole number of at least 1, or None for all")  # fmt: skip
    where, args = [], []
    for column, value in (("fleet_name", fleet), ("scenario", scenario)):
        if value:
            where.append(f"m.{column} = ?")
            args.append(value)
    query = (
        "SELECT m.run_id, m.saved_at, m.batch_id, m.label, m.fleet_name, m.scenario, m.paths, "
        "m.horizon_days, m.seed, m.start_date, m.version, m.inputs_sha256, "
        "max(CASE WHEN s.metric = 'availability.end.p50' THEN s.value END) "
        "AS availability_end_p50, "
        "max(CASE WHEN s.metric = 'stages.spares_depleted.probability' THEN s.value END) "
        "AS spares_depleted_probability "
        "FROM manifest m LEFT JOIN summary s USING (run_id) "
        + (f"WHERE {' AND '.join(where)} " if where else "")
        # a batch (one compare) in the order it was saved: its scenarios as asked
        + "GROUP BY ALL ORDER BY m.saved_at DESC, min(m.rowid), m.run_id"
        + (f" LIMIT {int(limit)}" if limit else "")
    )  # fmt: skip
    return listed(store, query, args)


def load_runs(refs: Sequence[str] | str, store: str | Path | None = None) -> list[StoredRun]:
    """The runs ``refs`` (ids or unique prefixes; one string is one run), in order."""
    if isinstance(refs, str):
        refs = [refs]  # not its letters
    path = store_path(store)
    with connect(path, write=False) as con:
        out = []
        for ref in refs:
            run_id = _resolve(con, path, ref)
            saved_at, label = con.execute(
                "SELECT saved_at, label FROM manifest WHERE run_id = ?", [run_id]
            ).fetchone() or (None, None)
            row = con.execute("SELECT data FROM results WHERE run_id = ?", [run_id]).fetchone()
            if row is None:
                raise InputError(
                    path, f"run {run_id}", "has no stored results",
                    "remove it (hashshock runs rm) and save the run again",
                )  # fmt: skip
            inputs = {
                kind: {"name": name, "sha256": sha, "content": json.loads(content)}
                for kind, name, sha, content in con.execute(
                    "SELECT kind, name, sha256, content FROM inputs WHERE run_id = ?", [run_id]
                ).fetchall()
            }
            out.append(StoredRun(
                run_id=run_id,
                saved_at=saved_at.isoformat(timespec="seconds") + "Z" if saved_at else "",
                label=label, data=json.loads(row[0]), inputs=inputs,
            ))  # fmt: skip
        return out


def remove_runs(refs: Sequence[str], store: str | Path | None = None) -> list[str]:
    """Delete saved runs (and sweeps or industry runs: ids or unique prefixes) in one
    transaction; return the ids removed."""
    return remove_saved(list(refs), store)
