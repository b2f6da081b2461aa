"""Saving runs to the store: one transaction per call, so a save lands whole or not at all."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hashshock.report.data import as_dicts
from hashshock.store.db import ID_LENGTH, connect, insert_frame, new_id, transaction
from hashshock.store.db import store_path as resolve_store
from hashshock.store.records import band_frames, manifest_row, summary_metrics

if TYPE_CHECKING:
    from hashshock.inputs.load import LoadedFleet
    from hashshock.inputs.scenario import Scenario
    from hashshock.market import MarketConfig
    from hashshock.results import RunResult


def _document(kind: str, name: str, content: Any) -> dict[str, Any]:
    text = json.dumps(content, sort_keys=True, default=str)
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return {"kind": kind, "name": name, "sha256": sha, "content": text}


def input_documents(
    fleet: LoadedFleet | None = None,
    scenarios: Sequence[Scenario] = (),
    market: MarketConfig | None = None,
) -> list[dict[str, Any]]:
    """The inputs worth keeping with a run, as JSON documents (what ``runs diff`` reads).

    Delays are kept as written (``{dist: triangular, low: 30, mode: 60, high: 180}``),
    when those parameters rebuild them exactly, rather than as the weights they are
    discretised to: a diff then says ``hold_days.mode: 60 → 90``. The run manifest's
    ``inputs_sha256`` stays a digest of the discretised form (:mod:`hashshock.api`)."""
    from hashshock.sweep.fieldpath import addressable

    docs = []
    if fleet is not None:
        # the fleet's fields as written over its content, which adds what its files held
        content = {**fleet.content(), **addressable(fleet.fleet)}
        docs.append(_document("fleet", fleet.fleet.name, content))
    docs += [_document("scenario", s.name, addressable(s)) for s in scenarios]
    if market is not None:
        docs.append(_document("market", "market", market.content()))
    return docs


def save_results(
    results: Sequence[RunResult | dict[str, Any]] | RunResult,
    store: str | Path | None = None,
    *,
    fleet: LoadedFleet | None = None,
    scenarios: Sequence[Scenario] = (),
    market: MarketConfig | None = None,
    label: str | None = None,
) -> list[str]:
    """Save runs (RunResults, or report / contract dicts; one RunResult alone is one run)
    in one transaction; return their ids in order. ``fleet``, ``scenarios`` and
    ``market`` are kept with each run (a scenario with the run of its name) so that
    ``runs diff`` can say what changed."""
    import pandas as pd

    runs = as_dicts(results)
    docs = input_documents(fleet, (), market)
    by_name = {s.name: input_documents(None, [s]) for s in scenarios}
    path = resolve_store(store)
    saved_at = datetime.now(UTC).replace(tzinfo=None)
    with connect(path, write=True) as con, transaction(con):
        ids: list[str] = []
        batch = uuid.uuid4().hex[:ID_LENGTH]
        for data in runs:
            run_id = new_id(con, "manifest", "run_id", set(ids))
            ids.append(run_id)
            manifest = json.dumps(data.get("manifest") or {}, sort_keys=True, default=str)
            row = manifest_row(run_id, batch, label, saved_at, data, manifest)
            insert_frame(con, "manifest", pd.DataFrame([row]))
            documents = docs + by_name.get(str(data["scenario"]), [])
            if documents:
                insert_frame(con, "inputs", pd.DataFrame([{"run_id": run_id, **d}
                                                     for d in documents]))  # fmt: skip
            metrics = summary_metrics(data)
            insert_frame(con, "summary", pd.DataFrame(
                {"run_id": run_id, "metric": list(metrics),
                 "value": [float(v) for v in metrics.values()]}  # a yes as 1.0
            ))  # fmt: skip
            daily, money = band_frames(run_id, data)
            insert_frame(con, "daily", daily)
            insert_frame(con, "money", money)
            stored = {**data, "run_id": run_id}
            con.execute("INSERT INTO results VALUES (?, ?)",
                        [run_id, json.dumps(stored, separators=(",", ":"))])  # fmt: skip
    return ids
