"""What a sweep's points say: tornado swings, spider lines, main effects, Sobol indices
and rank correlations. Pure functions of the points' values and metrics (no simulation),
so they are tested on analytic functions too.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import warnings
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray

from hashshock.dists import Z95

Number = float | None
T = TypeVar("T")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _number(value: object) -> float | None:
    if value is None or isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(float(value)) else None


#: Relative difference of a metric's values taken for floating-point rounding, not a swing.
ROUNDING = 1e-9


def tornado(
    names: Sequence[str], lows: Sequence[object], highs: Sequence[object],
    low_values: Sequence[Number], high_values: Sequence[Number], base: Number,
) -> dict[str, Any]:  # fmt: skip
    """One metric's tornado: per input its value at the input's low and high point, the
    swing — the bar's whole extent, max(low, high, base) − min(low, high, base), so an
    input that moves the metric the same way at both ends (a peak or trough at the base)
    is not ranked as no effect — sorted by swing (largest first; inputs without both
    values last).

    ``lows``/``highs`` are the inputs' values there, ``low_values``/``high_values`` the
    metric's. A swing within :data:`ROUNDING` of the metric's size is the order of a sum,
    not the input (3.38 % at both ends, 1e-16 apart): it is 0.
    """
    rows: list[dict[str, Any]] = []
    swings: list[float | None] = []
    for name, lo_in, hi_in, lo, hi in zip(names, lows, highs, low_values, high_values,
                                          strict=True):  # fmt: skip
        swing = None
        if lo is not None and hi is not None:
            ends = [lo, hi] if base is None else [lo, hi, base]
            swing = max(ends) - min(ends)
            swing = 0.0 if swing <= ROUNDING * max(abs(e) for e in ends) else swing
        swings.append(swing)
        rows.append({"input": name, "low_input": lo_in, "high_input": hi_in, "low": lo,
                     "high": hi, "swing": swing})  # fmt: skip
    order = sorted(range(len(rows)), key=lambda i: (swings[i] is None, -(swings[i] or 0.0)))
    rows = [rows[i] for i in order]
    return {"base": base, "rows": rows}


def ascending(items: Sequence[T], value: Callable[[T], object]) -> list[T]:
    """``items`` ordered by their input ``value``, ascending when every value is a number
    or every one a date (``YYYY-MM-DD``); else as listed (text or true/false levels have
    no order the sweep could know, and the user's is the one they read).

    >>> ascending([("b", 2), ("a", 1)], lambda p: p[1]), ascending(["x", "a"], str)
    ([('a', 1), ('b', 2)], ['x', 'a'])
    >>> ascending(["2025-06-01", "2022-01-01", "2024-05-01"], str)
    ['2022-01-01', '2024-05-01', '2025-06-01']
    """
    keys = [_order(value(item)) for item in items]
    numbers = [k for k in keys if k is not None]
    if len(numbers) < len(items):
        return list(items)
    return [items[i] for i in sorted(range(len(items)), key=numbers.__getitem__)]


def _order(value: object) -> float | None:
    """Where ``value`` sits among its input's levels: a number, a date's day number."""
    if isinstance(value, dt.date):
        return float(value.toordinal())
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return float(dt.date.fromisoformat(value).toordinal())
        except ValueError:
            return None
    return _number(value)


def spider(
    values: Sequence[object], metric: Sequence[Number], base_input: object, base: Number
) -> list[dict[str, Any]]:
    """One input's one-way line for one metric: (input value, metric) at each level and at
    base (unless the base leaves the field unset, ``None``: its default applies), in the
    order of the input's values (numbers ascending); the base's point says ``"base":
    true``.

    >>> [p.get("base", False) for p in spider([1, 3], [0.2, 0.6], 2, 0.4)]
    [False, True, False]
    """
    pairs = [(v, m) for v, m in zip(values, metric, strict=True)]
    if base_input is not None and not any(v == base_input for v, _ in pairs):
        pairs.append((base_input, base))
    pairs = ascending(pairs, lambda p: p[0])
    return [{"input": v, "value": m, **({"base": True} if base_input is not None
                                        and v == base_input else {})}
            for v, m in pairs]  # fmt: skip


def main_effects(levels: Sequence[object], at: Sequence[object],
                 metric: Sequence[Number]) -> list[dict[str, Any]]:  # fmt: skip
    """Mean of the metric over the grid points where the input takes each level, one row
    per level in :func:`ascending` order (numbers ascending, as a one-way line's).

    >>> [e["input"] for e in main_effects([2.0, 0.5, 1.5], [0.5], [0.9])]
    [0.5, 1.5, 2.0]
    """
    out = []
    for level in ascending(levels, lambda level: level):
        hits = [m for a, m in zip(at, metric, strict=True) if a == level and m is not None]
        out.append({"input": level, "value": float(np.mean(hits)) if hits else None,
                    "points": len(hits)})  # fmt: skip
    return out


def sobol_indices(
    names: Sequence[str], bounds: Sequence[tuple[float, float]], y: Sequence[Number],
    confidence: float = 0.95, resamples: int = 1000, seed: int = 0,
) -> dict[str, Any]:  # fmt: skip
    """First-order (S1) and total (ST) Sobol' indices of one metric from the outputs ``y``
    at a Saltelli sample (SALib, no second order), each with its bootstrap interval at
    ``confidence``: ``{"S1": {name: s}, "S1_interval": {name: [lo, hi]}, "ST": ...}``.

    ``{"error": ...}`` when the metric is undefined at some point or does not vary.
    """
    from SALib.analyze import sobol

    values = [_number(v) for v in y]
    missing = sum(v is None for v in values)
    if missing:
        return {
            "error": f"undefined at {missing} of {len(values)} points (a failed point or a "
            "stage too rare for a day); narrow the ranges or measure its probability"
        }
    array: NDArray[np.float64] = np.asarray(values, dtype=np.float64)
    if float(np.var(array)) == 0.0:
        return {"error": f"the same at every point ({array[0]:g}): no variance to share out"}
    problem = {"num_vars": len(names), "names": list(names),
               "bounds": [list(b) for b in bounds]}  # fmt: skip
    with warnings.catch_warnings():
        # SALib warns when some resample is constant (a rare stage, a step metric); the
        # intervals below say how much that matters.
        warnings.simplefilter("ignore", UserWarning)
        result = sobol.analyze(
            problem, array, calc_second_order=False, num_resamples=resamples,
            # SALib seeds its bootstrap only for a true seed (`if seed:`), and draws from
            # the global generator for 0: our seed s is its s + 1
            conf_level=confidence, print_to_console=False, seed=seed + 1,
        )  # fmt: skip
    out: dict[str, Any] = {"confidence": confidence}
    for key in ("S1", "ST"):
        estimate = np.asarray(result[key], dtype=np.float64)
        half = np.asarray(result[f"{key}_conf"], dtype=np.float64)
        out[key] = {n: float(s) for n, s in zip(names, estimate, strict=True)}
        rows = zip(names, estimate, half, strict=True)
        out[f"{key}_interval"] = {n: [float(s - h), float(s + h)] for n, s, h in rows}
    broken = rough_estimates(out)
    if broken:
        samples = len(values) // (len(names) + 2)
        widest = max(h - lo for key in ("S1_interval", "ST_interval")
                     for lo, h in out[key].values()) / 2  # fmt: skip
        out["warning"] = (f"{'; '.join(broken)} — estimates from {samples} samples, "
                          f"intervals up to ±{widest:.2f}: noise; double samples")  # fmt: skip
    return out


#: A Sobol' index's interval wider than this (half the range an index can take) says
#: nothing of where the index lies (docs/sweeps.md, *Reading Sobol' indices*).
WIDE_INTERVAL = 0.5


def rough_estimates(indices: dict[str, Any]) -> list[str]:
    """What says Sobol' estimates need more samples, in words: an interval wider than
    :data:`WIDE_INTERVAL`, or a rule true indices keep (0 ≤ S1 ≤ ST ≤ 1, Σ S1 ≤ 1)
    broken beyond 0.005. The JSON's warning, the terminal's and the chart's."""
    first, total = indices["S1"], indices["ST"]
    out = []
    wide = [n for n in first if any(
        hi - lo > WIDE_INTERVAL for lo, hi in (indices["S1_interval"][n],
                                               indices["ST_interval"][n]))]  # fmt: skip
    if wide:
        out.append(f"intervals wider than {WIDE_INTERVAL} for {', '.join(wide)}")
    over = [n for n in total if not -0.005 <= total[n] <= 1.005]
    if over:
        out.append(f"ST outside [0, 1] for {', '.join(over)}")
    if sum(first.values()) > 1.005:
        out.append(f"Σ S1 = {sum(first.values()):.3f} > 1")
    above = [n for n in first if first[n] > total[n] + 0.005]
    if above:
        out.append(f"S1 > ST for {', '.join(above)}")
    below = [n for n in first if first[n] < -0.005]
    if below:
        out.append(f"S1 < 0 for {', '.join(below)}")
    return out


def rank_correlations(names: Sequence[str], columns: Sequence[Sequence[float]],
                      y: Sequence[Number]) -> dict[str, Any]:  # fmt: skip
    """Spearman's rank correlation of the metric with each input over the sampled points
    (those where the metric is defined); a ``warning`` when the sample's inputs are
    themselves rank-correlated beyond :data:`INPUT_CORRELATION_WARNING` (an input's ρ may
    then be another's), a ``note`` when the metric does not vary.

    ``noise_band``: the |ρ| an input that moves nothing exceeds on 5 % of samples. A
    Latin hypercube permutes each input's strata independently, so an inert input's
    ranks are a random permutation of the metric's: ρ then has mean 0 and variance
    exactly 1/(n − 1) (Kendall & Gibbons, *Rank Correlation Methods*, 1990, §4.6), and
    the band is 1.96/√(n − 1), n the points where the metric is defined."""
    from scipy.stats import spearmanr

    keep = [i for i, v in enumerate(y) if _number(v) is not None]
    if len(keep) < 3:
        return {"error": f"defined at {len(keep)} points; need 3 or more"}
    target = np.asarray([y[i] for i in keep], dtype=np.float64)
    if np.ptp(target) == 0:
        return {"spearman": dict.fromkeys(names), "note": f"the same, {target[0]:g}, at every "
                "point: no input moves it"}  # fmt: skip
    out: dict[str, float | None] = {}
    for name, column in zip(names, columns, strict=True):
        x = np.asarray([column[i] for i in keep], dtype=np.float64)
        if np.ptp(x) == 0 or np.ptp(target) == 0:
            out[name] = None
            continue
        rho = float(spearmanr(x, target).statistic)
        out[name] = rho if math.isfinite(rho) else None
    result: dict[str, Any] = {"spearman": out, "noise_band": Z95 / math.sqrt(len(keep) - 1)}
    pairs = [(abs(float(spearmanr(columns[a], columns[b]).statistic)), names[a], names[b])
             for a in range(len(names)) for b in range(a + 1, len(names))
             if np.ptp(columns[a]) > 0 and np.ptp(columns[b]) > 0]  # fmt: skip
    worst = max(pairs, default=None)
    if worst is not None and worst[0] > INPUT_CORRELATION_WARNING:
        result["warning"] = (
            f"the sampled inputs are themselves correlated (|ρ| = {worst[0]:.2f} between "
            f"{worst[1]} and {worst[2]} over {len(columns[0])} samples): an input's ρ may be "
            "another's; more samples, or read a tornado"
        )
    return result


#: Rank correlation between two sampled inputs beyond which their ρ are not told apart.
INPUT_CORRELATION_WARNING = 0.3
