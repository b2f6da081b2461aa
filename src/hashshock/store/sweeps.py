"""Saving sweeps to the run store: the sweep's whole JSON in ``sweeps``, every point and
metric as a row of ``sweep_points`` (queryable with SQL, docs/sweeps.md "Output"); one
transaction per sweep, so a save lands whole or not at all."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hashshock.store.documents import as_json, load_document, save_document

if TYPE_CHECKING:
    from hashshock.sweep.result import SweepResult


#: Columns of ``sweep_points``.
POINT_COLUMNS = ("sweep_id", "point", "role", "varies", "inputs_json", "metric", "value",
                 "error")  # fmt: skip


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
    return save_document(
        store, "sweeps", "sweep_id",
        lambda found, saved_at: [
            found, saved_at, head["name"], head["method"], head["paths"], head["horizon_days"],
            head["seed"], head["version"], len(data["points"]), len(data["failed_points"]),
            as_json(data),
        ],
        "sweep_points", POINT_COLUMNS, lambda found: _point_rows(found, data),
    )  # fmt: skip


def load_sweep(sweep_id: str, store: str | Path | None = None) -> SweepResult:
    """A saved sweep by its id."""
    from hashshock.sweep.result import result_from_dict

    data = load_document(store, "sweeps", "sweep_id", sweep_id, "sweep")
    return result_from_dict(data, f"sweep {sweep_id}")
