"""Saving sweeps to the run store: the sweep's whole JSON in ``sweeps``, every point and
metric as a row of ``sweep_points`` (queryable with SQL, docs/sweeps.md "Output"); one
transaction per sweep, so a save lands whole or not at all."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hashshock.inputs.errors import InputError
from hashshock.store.db import connect, new_id, transaction
from hashshock.store.db import store_path as resolve_store

if TYPE_CHECKING:
    from hashshock.sweep.result import SweepResult


def _point_rows(sweep_id: str, data: dict[str, Any]) -> list[tuple[Any, ...]]:
    """One row per point and metric (a failed point: one row, metric and value null)."""
    rows: list[tuple[Any, ...]] = []
    for point in data["points"]:
        inputs = json.dumps(point["inputs"], sort_keys=True)
        head = (sweep_id, point["index"], point["role"], point.get("varies"), inputs)
        metrics = point.get("metrics")
        if not metrics:
            rows.append((*head, None, None, point.get("error")))
            continue
        rows += [(*head, name, value, None) for name, value in metrics.items()]
    return rows


def save_sweep(result: SweepResult, store: str | Path | None = None) -> str:
    """Save ``result`` and return its id (``sweeps.sweep_id``)."""
    data = result.to_dict()
    head = data["sweep"]
    path = resolve_store(store)
    saved_at = datetime.now(UTC).replace(tzinfo=None)
    with connect(path, write=True) as con, transaction(con):
        sweep_id = new_id(con, "sweeps", "sweep_id")
        con.execute(
            "INSERT INTO sweeps VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [sweep_id, saved_at, head["name"], head["method"], head["paths"],
             head["horizon_days"], head["seed"], head["version"], len(data["points"]),
             len(data["failed_points"]), json.dumps(data, separators=(",", ":"))],
        )  # fmt: skip
        rows = _point_rows(sweep_id, data)
        if rows:
            con.executemany("INSERT INTO sweep_points VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    return sweep_id


def load_sweep(sweep_id: str, store: str | Path | None = None) -> SweepResult:
    """A saved sweep by its id."""
    from hashshock.sweep.result import result_from_dict

    path = resolve_store(store)
    with connect(path, write=False) as con:
        row = con.execute("SELECT data FROM sweeps WHERE sweep_id = ?", [sweep_id]).fetchone()
    if row is None:
        raise InputError(path, "SWEEP_ID", f"no saved sweep '{sweep_id}'",
                         "see SELECT sweep_id, name FROM sweeps in the store")  # fmt: skip
    return result_from_dict(json.loads(row[0]), f"sweep {sweep_id}")
