"""Results as labelled arrays: an xarray Dataset, and a long pandas DataFrame.

>>> import hashshock
>>> from hashshock.results.labelled import to_dataset, to_dataframe
>>> runs = hashshock.compare("examples/small-farm/fleet.yaml", ["baseline", "sanctions"],
...                          paths=200, horizon_days=180)  # doctest: +SKIP
>>> ds = to_dataset(runs)  # doctest: +SKIP
>>> sanctions = ds.availability.sel(scenario="sanctions")  # doctest: +SKIP
>>> sanctions.quantile([0.05, 0.5, 0.95], dim="path")  # doctest: +SKIP

Dimensions: ``scenario``, ``path`` (0 … P−1), ``day`` (0 … T−1, with the coordinate
``date``), ``part`` (``hashboard``, ``fan``, ``psu``, ``control_board``), and where needed
``cause`` (why machines are down), ``stage`` and ``covenant``. Units are in the names:
TH/s, USD, MW; counts are machines or parts; a first-day variable is −1 when it never
happens within the horizon. The runs must come from one ``compare`` call (same fleet,
paths, horizon and seed).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import xarray as xr

from hashshock.engine.output import DOWN_CAUSES
from hashshock.inputs.errors import InputError, shown

if TYPE_CHECKING:
    from hashshock.results import RunResult

_DAILY = ("hashrate_ths", "nameplate_ths", "machines_installed", "power_mw")
_BY_PART = ("spares_on_hand", "backorders", "parts_in_repair", "parts_on_order")
_MONEY = ("revenue_usd", "ebitda_usd", "cash_usd")
_MARKET = ("btc_price_usd", "hashprice_usd_per_ph_day")
_TOTALS = ("failures", "scrapped", "first_stockout_day")
_DIMS = ("scenario", "path", "day")
#: The first-day variables, and their value on a path where the day never came (their
#: ``never`` attribute: ``.where(da != da.attrs["never"])`` leaves them out of a mean).
FIRST_DAYS = ("stage_first_day", "first_stockout_day", "covenant_first_breach_day")
NEVER = -1
#: Each variable's ``units`` attribute (first days: day of the run, −1 when it never came).
UNITS = {
    "hashrate_ths": "TH/s", "nameplate_ths": "TH/s", "availability": "share of nameplate",
    "machines_installed": "machines", "power_mw": "MW", "spares_on_hand": "parts",
    "backorders": "machines waiting", "parts_in_repair": "parts", "parts_on_order": "parts",
    "machines_down": "machines", "stage_first_day": "day", "first_stockout_day": "day",
    "failures": "parts", "scrapped": "parts", "revenue_usd": "USD a day",
    "ebitda_usd": "USD a day", "cash_usd": "USD", "btc_price_usd": "USD",
    "hashprice_usd_per_ph_day": "USD/PH/day", "covenant_first_breach_day": "day",
}  # fmt: skip


def _as_list(results: RunResult | Sequence[RunResult]) -> list[RunResult]:
    """``results`` as a list, if they can share one set of labels: one scenario each, on
    the same fleet, market, paths, horizon, seed and start (runs of one ``compare`` call,
    or of calls with those inputs: they share the baseline run), else an InputError."""
    from hashshock.results import RunResult

    items = [results] if not isinstance(results, Sequence) else list(results)
    if not items:
        raise InputError(None, "results", "no results",
                         "pass the RunResult(s) of hashshock.run or compare")  # fmt: skip
    wrong = [r for r in items if not isinstance(r, RunResult)]
    if wrong or isinstance(results, str):
        raise InputError(None, "results", f"{shown(wrong[0] if wrong else results)} is "
                         "not a run's result", "pass the RunResult(s) of hashshock.run or "
                         "compare (a saved run's JSON has no per-path arrays)")  # fmt: skip
    first = items[0]

    def key(r: RunResult) -> tuple[object, ...]:
        return (r.paths, r.horizon_days, r.seed, r.start_date, r.fleet_name, r.machines,
                r.nameplate_ths, r.manifest.get("market_sha256"))  # fmt: skip

    for r in items[1:]:
        same_baseline = (r.baseline_hashrate_ths is None or first.baseline_hashrate_ths is None
                         or np.array_equal(r.baseline_hashrate_ths,
                                           first.baseline_hashrate_ths))  # fmt: skip
        if key(r) != key(first) or not same_baseline:
            raise InputError(None, "results", f"{r.scenario} and {first.scenario} differ in "
                             "fleet, market, paths, horizon, seed or start date",
                             "pass the results of one compare call")  # fmt: skip
    names = [r.scenario for r in items]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise InputError(None, "results", f"{twice[0]} is given more than once (a scenario "
                         "is a label)", "pass each scenario once, or the runs to compare "
                         "to to_dataset one call at a time")  # fmt: skip
    return items


def to_dataset(results: RunResult | Sequence[RunResult]) -> xr.Dataset:
    """Per-path arrays of ``results`` as one Dataset (module docstring for dims and units).

    Daily [scenario, path, day]: ``hashrate_ths`` (delivered), ``nameplate_ths``,
    ``availability`` (delivered / nameplate installed), ``machines_installed``,
    ``power_mw``; with money also ``revenue_usd``, ``ebitda_usd`` (per day), ``cash_usd``
    (balance), ``btc_price_usd``, ``hashprice_usd_per_ph_day``. By part [scenario, path,
    day, part]: ``spares_on_hand``, ``backorders``, ``parts_in_repair``,
    ``parts_on_order``; ``machines_down`` [scenario, path, day, cause]. Per path:
    ``stage_first_day`` [scenario, path, stage], ``first_stockout_day``, ``failures``,
    ``scrapped`` [scenario, path, part], ``covenant_first_breach_day`` [scenario, path,
    covenant].
    """
    runs = _as_list(results)
    first = runs[0]
    outs = [r.output for r in runs]
    data: dict[str, tuple[tuple[str, ...], np.ndarray]] = {}
    for name in _DAILY:
        data[name] = (_DIMS, np.stack([getattr(o, name) for o in outs]))
    data["availability"] = (_DIMS, np.stack([r.availability for r in runs]))
    for name in _BY_PART:
        data[name] = ((*_DIMS, "part"), np.stack([getattr(o, name) for o in outs]))
    data["machines_down"] = ((*_DIMS, "cause"), np.stack([o.machines_down for o in outs]))
    by_run = [r.stage_first_days() for r in runs]  # once a run: the decline's pass costs
    stages = list(by_run[0])
    data["stage_first_day"] = (("scenario", "path", "stage"), np.stack(
        [np.stack([days[s] for s in stages], axis=1) for days in by_run]))  # fmt: skip
    for name in _TOTALS:
        data[name] = (("scenario", "path", "part"), np.stack([getattr(o, name) for o in outs]))
    coords: dict[str, object] = {
        "scenario": [r.scenario for r in runs], "path": np.arange(first.paths),
        "day": np.arange(first.horizon_days), "part": list(first.part_names),
        "cause": list(DOWN_CAUSES), "stage": stages,
        "date": ("day", pd.to_datetime(first.dates).values),
        "inputs_sha256": ("scenario", [r.manifest.get("inputs_sha256", "") for r in runs]),
    }  # fmt: skip
    moneys = [r.money for r in runs]
    if all(m is not None for m in moneys):
        flows = [m.flows for m in moneys if m is not None]
        markets = [m.market for m in moneys if m is not None]
        for name in _MONEY:
            data[name] = (_DIMS, np.stack([getattr(f, name) for f in flows]))
        for name in _MARKET:
            data[name] = (_DIMS, np.stack([getattr(m, name) for m in markets]))
        # a covenant the horizon never tests has no breach day to give (not "never")
        tested = [c.name for c in moneys[0].covenants if c.tested] if moneys[0] is not None else []
        if tested:
            coords["covenant"] = tested
            data["covenant_first_breach_day"] = (("scenario", "path", "covenant"), np.stack([
                np.stack([c.first_breach_day for c in m.covenants if c.tested], axis=1)
                for m in moneys if m is not None]))  # fmt: skip
    attrs = {"fleet_name": first.fleet_name, "paths": first.paths, "seed": first.seed,
             "horizon_days": first.horizon_days, "start_date": first.start_date.isoformat(),
             "version": first.version}  # fmt: skip
    dataset = xr.Dataset(data, coords=coords, attrs=attrs)
    for variable in dataset.data_vars:
        dataset[variable].attrs["units"] = UNITS[str(variable)]
        if str(variable) in FIRST_DAYS:  # a mean over paths would average the −1s in
            dataset[variable].attrs["never"] = NEVER
    return dataset


def to_dataframe(
    data: xr.Dataset | RunResult | Sequence[RunResult], variables: Sequence[str] | None = None
) -> pd.DataFrame:
    """Daily variables in long form: one row per scenario, path, day (and part), with the
    columns ``scenario, path, day, date, part, variable, value``.

    ``part`` is empty (NaN) for fleet-wide variables; ``machines_down`` becomes one
    variable per cause (``machines_down.in_repair`` …). ``variables`` picks some (default:
    every daily variable — 4 scenarios × 1,000 paths × 365 days is tens of millions of
    rows, so pick; one name alone is one variable). Per-path variables have no day: use
    ``to_dataset(...)[name]``.
    """
    ds = data if isinstance(data, xr.Dataset) else to_dataset(data)
    daily = [str(v) for v in ds.data_vars if "day" in ds[v].dims]
    if isinstance(variables, str):  # a str is a sequence of letters, not of names
        variables = [variables]
    chosen = list(variables) if variables is not None else daily
    unknown = [v for v in chosen if v not in daily]
    if unknown:
        raise InputError(None, "variables", f"not daily variables: {', '.join(unknown)}",
                         f"choose from {', '.join(daily)}")  # fmt: skip
    frames, labels = [], []
    for name in chosen:
        array = ds[name]
        pieces = ([(f"{name}.{c}", array.sel(cause=c, drop=True)) for c in ds.cause.values]
                  if "cause" in array.dims else [(name, array)])  # fmt: skip
        for label, piece in pieces:
            frame = piece.drop_vars("date").to_dataframe(name="value").reset_index()
            frame = frame.drop(columns=[c for c in frame.columns if c == "inputs_sha256"])
            frame["variable"] = label
            frames.append(frame)
            labels.append(label)
    out = pd.concat(frames, ignore_index=True)
    if "part" not in out.columns:
        out["part"] = None
    out["part"] = pd.Categorical(out["part"], categories=list(ds.part.values))
    # categorical as part is: tens of millions of rows repeat a few names (as Python
    # strings, several GB)
    out["scenario"] = pd.Categorical(out["scenario"], categories=list(ds.scenario.values))
    out["variable"] = pd.Categorical(out["variable"], categories=labels)
    out["date"] = ds.date.values[out["day"].to_numpy()]
    out["value"] = out["value"].astype(np.float64)
    return out[["scenario", "path", "day", "date", "part", "variable", "value"]]
