"""Rows of the store from a run's report dict: manifest, summary metrics, daily bands.

:func:`summary_metrics` flattens the scalar outcomes of a run into ``{metric: value}`` —
the ``summary`` table, and what ``runs diff`` compares.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pandas as pd

from hashshock.report.data import KEYS, series
from hashshock.store.schema import MONEY_SERIES

_FLEET_SERIES = ("hashrate_ths", "availability", "nameplate_ths", "hashrate_lost_vs_baseline_ths")
_PART_SERIES = (
    "spares_on_hand",
    "backorders",
    "parts_in_repair",
    "parts_on_order",
    "machines_down",
)
_SKIP = {"daily", "dates", "quantiles", "distributions", "manifest", "fleet", "run_id"}


def _flatten(node: Any, prefix: str, out: dict[str, float | bool]) -> None:
    if isinstance(node, bool):  # kept: `runs show` says true, not 1 (the table stores 1.0)
        out[prefix] = node
    elif isinstance(node, int | float):
        out[prefix] = float(node)
    elif isinstance(node, dict):
        for key, value in node.items():
            _flatten(value, f"{prefix}.{key}" if prefix else str(key), out)
    elif isinstance(node, list) and len(node) == 2 and prefix.endswith("_ci95"):
        _flatten({"low": node[0], "high": node[1]}, prefix, out)


def summary_metrics(data: dict[str, Any]) -> dict[str, float | bool]:
    """Every scalar outcome of a run, by dotted name (``stages.spares_depleted.probability``,
    ``first_to_break.fan.probability_first``, ``availability.end.p50`` …); nulls left out,
    numbers as floats, a yes/no (``finance.covenants.dscr.tested``) as a bool."""
    out: dict[str, float | bool] = {}
    scalars = {k: v for k, v in data.items() if k not in _SKIP and k != "first_to_break"}
    for key in ("scenario", "scenario_description", "fleet_name", "start_date", "version"):
        scalars.pop(key, None)
    _flatten(scalars, "", out)
    for row in data.get("first_to_break", []):
        part = str(row["part"])
        _flatten({k: v for k, v in row.items() if k != "part"}, f"first_to_break.{part}", out)
    for name in ("availability", "hashrate_ths"):
        bands = series(data, name)
        for band, values in bands.items():
            if values:
                out[f"{name}.end.{band}"] = float(values[-1])
    return out


def manifest_row(run_id: str, batch_id: str, label: str | None, saved_at: Any,
                 data: dict[str, Any], manifest_json: str) -> dict[str, Any]:  # fmt: skip
    manifest = data.get("manifest") or {}
    fleet = data.get("fleet") or {}
    snapshot = manifest.get("snapshot_date")
    return {
        "run_id": run_id, "saved_at": saved_at, "batch_id": batch_id, "label": label,
        "fleet_name": data.get("fleet_name"), "scenario": data["scenario"],
        "scenario_description": data.get("scenario_description"),
        "paths": data.get("paths"), "horizon_days": data.get("horizon_days"),
        "seed": data.get("seed"), "start_date": date.fromisoformat(data["start_date"]),
        "version": data.get("version"), "inputs_sha256": manifest.get("inputs_sha256"),
        "market_sha256": manifest.get("market_sha256"),
        "snapshot_date": date.fromisoformat(snapshot) if snapshot else None,
        "snapshot_origin": manifest.get("snapshot_origin"),
        "machines": fleet.get("machines"), "nameplate_ths": fleet.get("nameplate_ths"),
        "manifest_json": manifest_json,
    }  # fmt: skip


def _series_names(data: dict[str, Any]) -> list[tuple[str, str | None]]:
    """(series, part) of every daily band of a run (part None for fleet-wide series)."""
    names: list[tuple[str, str | None]] = [(s, None) for s in (*_FLEET_SERIES, *MONEY_SERIES)]
    daily = data.get("daily") or {}
    for group in _PART_SERIES:
        names += [(f"{group}.{part}", part) for part in daily.get(group) or {}]
    return names


def band_frames(run_id: str, data: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``daily`` and ``money`` rows of a run: one row per series (and part) and day;
    bands the run does not have (p25/p75 from saved JSON, p5/p95 of p50-only series) are
    NULL."""
    start = date.fromisoformat(data["start_date"])
    days = len(data["dates"])
    dates = [start + timedelta(days=d) for d in range(days)]
    tables: dict[str, dict[str, list[Any]]] = {
        table: {"series": [], "part": [], **{key: [] for key in KEYS}}
        for table in ("daily", "money")
    }
    for name, part in _series_names(data):
        bands = series(data, name)
        if not bands:
            continue
        columns = tables["money" if name in MONEY_SERIES else "daily"]
        columns["series"] += [name.split(".")[0] if part else name] * days
        columns["part"] += [part] * days
        for key in KEYS:
            columns[key] += bands.get(key) or [None] * days
    frames = []
    for table, columns in tables.items():
        rows = len(columns["series"])
        frame = pd.DataFrame({
            "run_id": [run_id] * rows, "day": list(range(days)) * (rows // days),
            "date": dates * (rows // days), "series": columns["series"],
        })  # fmt: skip
        if table == "daily":
            frame["part"] = pd.array(columns["part"], dtype="string")
        for key in KEYS:
            frame[key] = pd.array(columns[key], dtype="Float64")
        frames.append(frame)
    return frames[0], frames[1]
