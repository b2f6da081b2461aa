"""What changed between two stored runs: their inputs, then their outcomes.

Inputs are compared field by field (the fleet, scenario and market documents saved with
each run, and the run's own settings); outcomes metric by metric (the ``summary`` table).
A probability that moved less than its Monte Carlo noise is flagged: the two runs' 95%
Wilson intervals overlap.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hashshock.dists import from_spec
from hashshock.finance.covenants import wilson_interval
from hashshock.inputs.errors import InputError, shown
from hashshock.store.query import StoredRun, load_runs
from hashshock.store.records import summary_metrics
from hashshock.sweep.fieldpath import item_name

#: Run settings compared before the input documents.
SETTINGS = ("scenario", "fleet_name", "paths", "horizon_days", "seed", "start_date", "version")
_MANIFEST = ("inputs_sha256", "market_sha256", "snapshot_date", "snapshot_origin")


@dataclass(frozen=True)
class Change:
    where: str
    before: Any
    after: Any
    note: str = ""


@dataclass
class RunDiff:
    a: str
    b: str
    inputs: list[Change] = field(default_factory=list)
    outcomes: list[Change] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        def rows(changes: list[Change]) -> list[dict[str, Any]]:
            return [{"where": c.where, "before": c.before, "after": c.after, "note": c.note}
                    for c in changes]  # fmt: skip

        return {"a": self.a, "b": self.b, "inputs": rows(self.inputs),
                "outcomes": rows(self.outcomes), "notes": self.notes}  # fmt: skip


def _walk(before: Any, after: Any, where: str, out: list[Change]) -> None:
    if _same_delay(before, after):
        return
    if isinstance(before, dict) and isinstance(after, dict) and _comparable(before, after):
        for key in list(before) + [k for k in after if k not in before]:
            _walk(before.get(key), after.get(key), f"{where}.{key}", out)
    elif (isinstance(before, list) and isinstance(after, list)
          and all(isinstance(x, dict) for x in before + after)):  # fmt: skip
        # item by item, as a sweep's path names them (an event by its name, else its
        # position): an item only one side has against an empty one, each field that
        # changed named (a list of events added was one value too long to show)
        items_a, items_b = _by_name(before), _by_name(after)
        for key in list(items_a) + [k for k in items_b if k not in items_a]:
            _walk(items_a.get(key, {}), items_b.get(key, {}), f"{where}[{key}]", out)
    elif before != after:
        out.append(Change(where, before, after))


def _by_name(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """``items`` by what a sweep's path calls them (:func:`item_name`)."""
    return {item_name(item, i, items): item for i, item in enumerate(items)}


def _comparable(before: dict[str, Any], after: dict[str, Any]) -> bool:
    """Whether two mappings are compared key by key: not two delays of different kinds
    (``triangular`` against ``uniform``: one change of the whole delay, not a change of
    ``dist`` and of each parameter one side lacks)."""
    return before.get("dist") == after.get("dist") or not {"dist"} & (set(before) | set(after))


def _same_delay(before: Any, after: Any) -> bool:
    """Whether ``before`` and ``after`` are one delay written two ways (a run saved before
    delays were kept as written holds its weights, ``{dist: empirical, …}``; a newer one
    the parameters they come from)."""
    written = [isinstance(x, dict) and "dist" in x for x in (before, after)]
    if not any(written) or before == after:
        return False
    try:
        a, b = from_spec(before), from_spec(after)
    except (ValueError, TypeError):
        return False
    return a.support == b.support and a.weights == b.weights


def _inputs(a: StoredRun, b: StoredRun, diff: RunDiff) -> None:
    for key in SETTINGS:
        if a.data.get(key) != b.data.get(key):
            diff.inputs.append(Change(key, a.data.get(key), b.data.get(key)))
    ma, mb = a.data.get("manifest") or {}, b.data.get("manifest") or {}
    for kind in ("fleet", "scenario", "market"):
        da, db = a.inputs.get(kind), b.inputs.get(kind)
        if da and db:
            if da["sha256"] != db["sha256"]:
                _walk(da["content"], db["content"], kind, diff.inputs)
        elif da or db:
            diff.notes.append(f"only one run kept its {kind} file; compare its hash below")
    known = {c.where.split(".")[0] for c in diff.inputs}
    # A hash only says "something changed": leave it out when the documents said what.
    explained = {"inputs_sha256": {"fleet", "scenario"}, "market_sha256": {"market"}}
    for key in _MANIFEST:
        if ma.get(key) != mb.get(key) and not explained.get(key, set()) & known:
            diff.inputs.append(Change(f"manifest.{key}", ma.get(key), mb.get(key)))


def _noise(metric: str, x: float, y: float, paths_a: int, paths_b: int) -> str:
    if not metric.endswith("probability") and ".probability_" not in metric:
        return ""
    if metric.endswith(("_ci95.low", "_ci95.high")):
        return ""
    lo_a, hi_a = wilson_interval(round(x * paths_a), paths_a)
    lo_b, hi_b = wilson_interval(round(y * paths_b), paths_b)
    overlap = lo_a <= hi_b and lo_b <= hi_a
    return "within Monte Carlo noise: the 95% intervals overlap" if overlap else ""


def diff_runs(a: StoredRun | str, b: StoredRun | str, store: str | Path | None = None) -> RunDiff:
    """Inputs and outcomes that differ from run ``a`` to run ``b`` (stored runs, or their
    ids or unique prefixes in ``store``)."""
    for name, run in (("a", a), ("b", b)):
        if not isinstance(run, str | StoredRun):
            raise InputError(None, name, f"{shown(run)} is not a stored run",
                             "give a run's id (hashshock runs list) or a StoredRun")  # fmt: skip
    a, b = (load_runs([r], store)[0] if isinstance(r, str) else r for r in (a, b))
    diff = RunDiff(a.run_id, b.run_id)
    _inputs(a, b, diff)
    before, after = summary_metrics(a.data), summary_metrics(b.data)
    paths_a, paths_b = int(a.data.get("paths") or 1), int(b.data.get("paths") or 1)
    for metric in list(before) + [m for m in after if m not in before]:
        if metric in SETTINGS:
            continue
        x, y = before.get(metric), after.get(metric)
        if x == y:
            continue
        note = "" if x is None or y is None else _noise(metric, x, y, paths_a, paths_b)
        diff.outcomes.append(Change(metric, x, y, note))
    if not diff.inputs:
        same = "same inputs, settings and seed"
        diff.notes.append(f"{same}: the outcomes should be identical" if not diff.outcomes
                          else f"{same}, yet outcomes differ: check the versions")  # fmt: skip
    elif a.data.get("seed") != b.data.get("seed"):
        diff.notes.append("different seeds: part of every difference is Monte Carlo noise")
    if a.data.get("horizon_days") != b.data.get("horizon_days"):
        diff.notes.append(
            f"different horizons ({a.data.get('horizon_days')} and {b.data.get('horizon_days')} "
            "days): totals and end-of-horizon values are not comparable"
        )
    if a.data.get("fleet_name") != b.data.get("fleet_name"):
        diff.notes.append(
            f"different fleets ({a.data.get('fleet_name')} and {b.data.get('fleet_name')}): "
            "money and counts differ with their size, not only with the inputs"
        )
    return diff
