"""The numbers a report shows: the JSON contract plus fan-chart quantiles and distributions.

:func:`report_dict` extends ``RunResult.to_dict()`` (README "JSON output") with two keys
computed from the per-path arrays:

* ``quantiles``: ``{series: {p5, p25, p50, p75, p95}}`` per day, for the fan charts —
  ``hashrate_ths`` (TH/s), ``availability`` (share of nameplate), ``cash_usd``,
  ``hashprice_usd_per_ph_day``, ``btc_price_usd``, ``revenue_usd_cum`` and
  ``ebitda_usd_cum`` (USD summed from day 0), ``spares_on_hand.<part>`` (parts),
  ``machines_down.<cause>`` (machines), and
  against baseline on the same paths ``hashrate_lost_vs_baseline_ths`` (TH/s) and
  ``cash_gap_vs_baseline_usd`` (baseline's cash minus this scenario's, USD);
* ``distributions.covenant_first_breach``: per covenant, the share of paths whose first
  breach falls in each ``bin_days``-day bin.

p5, p50 and p95 are computed and rounded exactly as the contract's daily bands, so a
chart's median equals ``to_dict()["daily"][...]["p50"]``. A dict read from saved JSON has
no ``quantiles``; :func:`series` then falls back on the contract's bands.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from hashshock.engine.output import DOWN_CAUSES
from hashshock.inputs.errors import InputError, shown
from hashshock.inputs.files import read_json
from hashshock.outputs import NOT_JSON_SUFFIXES

if TYPE_CHECKING:
    from hashshock.results import RunResult

#: Percentiles of the fan charts (outer band, inner band, median).
QUANTILES = (5, 25, 50, 75, 95)
KEYS = tuple(f"p{q}" for q in QUANTILES)
#: Width of a bin of the first-breach-day distribution, days.
BREACH_BIN_DAYS = 7
#: Keys a run's JSON must have for a report.
REQUIRED = ("scenario", "dates", "daily", "stages", "first_to_break", "manifest")

Bands = dict[str, list[float]]


def quantile_bands(per_path: NDArray[Any], digits: int) -> Bands:
    """``{p5, p25, p50, p75, p95}`` over paths (axis 0) of a [P, T] array, rounded.

    Same values as ``np.percentile(per_path, q, axis=0)``; computed on the transposed
    array because selecting along contiguous rows is several times faster.
    """
    by_day = np.ascontiguousarray(np.asarray(per_path, dtype=np.float64).T)
    q = np.percentile(by_day, QUANTILES, axis=1)
    return {key: [round(float(v), digits) for v in row] for key, row in zip(KEYS, q, strict=True)}


def _breach_histogram(first_day: NDArray[np.int64], horizon: int) -> dict[str, Any]:
    bins = -(-horizon // BREACH_BIN_DAYS)
    hit = first_day[first_day >= 0]
    counts = np.bincount(hit // BREACH_BIN_DAYS, minlength=bins)[:bins]
    share = counts / max(first_day.size, 1)
    return {"bin_days": BREACH_BIN_DAYS, "share": [round(float(s), 5) for s in share]}


def report_dict(result: RunResult) -> dict[str, Any]:
    """``result.to_dict()`` plus ``quantiles`` and ``distributions`` (module docstring)."""
    from hashshock.results import RunResult

    if not isinstance(result, RunResult):
        raise InputError(None, "result", f"{shown(result)} is not a run's result",
                         "give a RunResult (hashshock.run, compare) or its to_dict()")  # fmt: skip
    data = result.to_dict()
    out = result.output
    quantiles: dict[str, Bands] = {
        "hashrate_ths": quantile_bands(out.hashrate_ths, 2),
        "availability": quantile_bands(result.availability, 5),
    }
    for k, part in enumerate(result.part_names):
        quantiles[f"spares_on_hand.{part}"] = quantile_bands(out.spares_on_hand[:, :, k], 2)
    for k, cause in enumerate(DOWN_CAUSES):
        quantiles[f"machines_down.{cause}"] = quantile_bands(out.machines_down[:, :, k], 2)
    baseline = result.baseline_hashrate_ths
    if baseline is not None and result.scenario != "baseline":
        quantiles["hashrate_lost_vs_baseline_ths"] = quantile_bands(baseline - out.hashrate_ths, 2)
    distributions: dict[str, Any] = {}
    money = result.money
    if money is not None:
        flows = money.flows
        quantiles["cash_usd"] = quantile_bands(flows.cash_usd, 0)
        quantiles["revenue_usd_cum"] = quantile_bands(np.cumsum(flows.revenue_usd, axis=1), 0)
        quantiles["ebitda_usd_cum"] = quantile_bands(np.cumsum(flows.ebitda_usd, axis=1), 0)
        quantiles["hashprice_usd_per_ph_day"] = quantile_bands(
            money.market.hashprice_usd_per_ph_day, 3
        )
        quantiles["btc_price_usd"] = quantile_bands(money.market.btc_price_usd, 0)
        if result.baseline_money is not None and result.scenario != "baseline":
            gap = result.baseline_money.flows.cash_usd - flows.cash_usd
            quantiles["cash_gap_vs_baseline_usd"] = quantile_bands(gap, 0)
        distributions["covenant_first_breach"] = {  # a covenant never tested has none
            c.name: _breach_histogram(c.first_breach_day, result.horizon_days)
            for c in money.covenants if c.tested
        }  # fmt: skip
    data["quantiles"] = quantiles
    data["distributions"] = distributions
    return data


def series(data: dict[str, Any], name: str) -> Bands:
    """The bands of series ``name`` (e.g. ``"spares_on_hand.fan"``): the five quantiles when
    the dict has them, else whatever the contract's ``daily`` holds ({} if nothing)."""
    full = data.get("quantiles", {}).get(name)
    if full:
        return dict(full)
    node: Any = data.get("daily", {})
    for key in name.split("."):
        node = node.get(key) if isinstance(node, dict) else None
    return {k: v for k, v in node.items() if k in KEYS} if isinstance(node, dict) else {}


def _json_word(value: Any) -> str:
    """A value of a JSON file as the file writes it (``null``, not Python's ``None``)."""
    return "null" if value is None else shown(value)


def _check(data: Any, source: str, command: str = "hashshock run --json") -> dict[str, Any]:
    """``data`` if it is a run's JSON as ``command`` writes it (the fix names that command)."""
    fix = f"write the file again with `{command}`"
    if not isinstance(data, dict):
        raise InputError(source, None, "is not a run's JSON object", "give a file from --json")
    for key, other in (("optimise", "optimise"), ("strategies_run", "strategies")):
        if key in data:
            raise InputError(
                source, None, f"is a `hashshock {other}` result, whose report draws the "
                "runs it simulates again",
                f"add --report FILE to the `hashshock {other}` command",
            )  # fmt: skip
    for key in REQUIRED:
        if key not in data:
            raise InputError(
                source, key, "missing — this is not a hashshock run's JSON",
                "give a file written by --json of `hashshock run`, `compare`, `sweep` or "
                "`industry`",
            )  # fmt: skip
    # the kinds the drawing reads: a hand-edited null read "AttributeError: 'NoneType'…"
    kinds: dict[str, type] = {
        "dates": list,
        "daily": dict,
        "stages": dict,
        "first_to_break": list,
        "manifest": dict,
        "finance": dict,
    }
    for key, kind in kinds.items():
        value = data.get(key)
        if (key != "finance" or value is not None) and not isinstance(value, kind):
            said = "an object ({…})" if kind is dict else "a list ([…])"
            raise InputError(source, key, f"is {_json_word(value)}, not {said}", fix)
    for name, stage in data["stages"].items():
        if not isinstance(stage, dict):
            raise InputError(source, f"stages.{name}", f"is {_json_word(stage)}, not an object "
                             "({…})", fix)  # fmt: skip
    days = len(data["dates"])
    for key in ("paths", "horizon_days"):
        value = data.get(key, 1)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InputError(source, key, f"{value!r} is not a whole number of at least 1",
                             fix)  # fmt: skip
    if data.get("horizon_days", days) != days:
        raise InputError(
            source, "horizon_days", f"is {data['horizon_days']} for {days} dates",
            fix,
        )  # fmt: skip
    daily = data["daily"] if isinstance(data["daily"], dict) else {}
    hashrate = daily.get("hashrate_ths")
    if not isinstance(hashrate, dict) or not isinstance(hashrate.get("p50"), list):
        raise InputError(source, "daily.hashrate_ths", "is missing or not bands of numbers",
                         fix)  # fmt: skip
    _check_days(daily, "daily", days, source, fix)
    return data


def _check_days(node: Any, where: str, days: int, source: str, fix: str) -> None:
    """Every band of every daily series has one value per date (a cut file would draw a
    median outside its own p5–p95)."""
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key in KEYS and isinstance(value, list):
            if len(value) != days:
                raise InputError(
                    source, f"{where}.{key}", f"has {len(value)} values for {days} dates",
                    fix,
                )  # fmt: skip
        else:
            _check_days(value, f"{where}.{key}", days, source, fix)


def runs_from_json(
    data: Any, source: str, command: str = "hashshock run --json"
) -> list[dict[str, Any]]:
    """The runs in a parsed ``run --json`` object or ``compare --json`` ``{"scenarios": [...]}``
    (or a sweep's base runs, ``command`` the one that wrote them)."""
    if isinstance(data, dict) and "scenarios" in data and isinstance(data["scenarios"], list):
        if not data["scenarios"]:
            raise InputError(source, "scenarios", "is empty", "compare at least one scenario")
        return [_check(item, source, command) for item in data["scenarios"]]
    return [_check(data, source, command)]


def load_json_runs(path: str | Path) -> list[dict[str, Any]]:
    """Read runs from a JSON file written by ``run --json`` or ``compare --json``."""
    file = Path(path).expanduser()
    if not file.is_file():
        problem = "is a folder" if file.is_dir() else "file not found"
        raise InputError(file, None, problem, "give the JSON file written with --json")
    kind = file.suffix.lower()
    if kind in NOT_JSON_SUFFIXES:  # e.g. a bands CSV: not "cut short", the wrong file
        name = kind.lstrip(".").upper()
        # said letter by letter: "an HTML", "an XLSX", "a CSV" (YAML, TOML: "a")
        article = "an" if name[0] in "AEFHILMNORSX" else "a"
        raise InputError(
            file, None, f"is {article} {name} file, not a run's JSON",
            "give the JSON that run, compare, sweep or industry wrote with --json, a fleet "
            "YAML, or stored run ids (`hashshock runs list`)",
        )  # fmt: skip
    data = read_json(file, "write it again with --json (the file may be cut short)")
    return runs_from_json(data, str(file))


def as_dicts(
    results: Iterable[RunResult | dict[str, Any]] | RunResult,
) -> list[dict[str, Any]]:
    """Report dicts of ``results``: :func:`report_dict` of each RunResult, dicts checked;
    one RunResult alone is a list of one (as ``to_dataset`` takes it)."""
    from hashshock.results import RunResult

    if isinstance(results, RunResult):
        results = [results]
    if isinstance(results, str | dict) or not isinstance(results, Iterable):
        raise InputError(
            None, "results", f"{shown(results)} is not a list of runs",
            "give a list of RunResults (hashshock.run, compare) or their dicts",
        )  # fmt: skip
    out: list[dict[str, Any]] = []
    for item in results:
        out.append(_check(item, "run") if isinstance(item, dict) else report_dict(item))
    if not out:
        raise InputError(None, "results", "no run to report", "give at least one run")
    return out


#: What runs drawn on the same random numbers share (compare's scenarios, or stored runs
#: made so): beyond these, their differences mix in noise and other inputs.
DRAWN_TOGETHER_KEYS = ("fleet_name", "paths", "horizon_days", "start_date", "seed")


def drawn_together(runs: Sequence[dict[str, Any]]) -> bool:
    """Whether ``runs`` share their random numbers: the same fleet, paths, horizon, start
    date and seed (each run's gaps to its own baseline are paired in any case)."""
    return all(len({str(r.get(k)) for r in runs}) <= 1 for k in DRAWN_TOGETHER_KEYS)


def scenario_labels(runs: Sequence[dict[str, Any]]) -> list[str]:
    """One distinct label per run: the scenario — with the fleet when the runs are of
    different fleets, or when scenarios repeat — else the stored run's id or a number."""
    names = [str(r["scenario"]) for r in runs]
    several = len({str(r.get("fleet_name", "")) for r in runs}) > 1
    if len(set(names)) == len(names) and not several:
        return names
    fleets = [f"{r.get('fleet_name', '')}:{r['scenario']}" for r in runs]
    if len(set(fleets)) == len(fleets):
        return fleets
    stored = [f"{r['scenario']} ({r['run_id']})" for r in runs if r.get("run_id")]
    if len(set(stored)) == len(runs):
        return stored
    return [f"{n} #{i + 1}" for i, n in enumerate(names)]
