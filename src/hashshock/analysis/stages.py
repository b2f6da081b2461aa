"""The three collapse stages and which part breaks first.

Definitions (README "JSON output"):

* *customs_delay* — first day a shipment bound for the fleet (parts, repairs or
  machines) is held at customs beyond normal clearance;
* *spares_depleted* — first day a part type has zero spares on hand (in some
  pool) while machines wait for it;
* *hashrate_decline* — first day the 7-day mean delivered hashrate is at least
  10% below the same path under ``baseline`` (common random numbers) and stays so for
  30 days (or to the horizon's end): a decline, not a dip. (Without the 30 days, a fleet
  that had switched most machines off as unprofitable "declined" when a growth order
  arrived a week late.)
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from hashshock.lazyjit import compiled_on_first_call
from hashshock.running import cumsum_rows
from hashshock.stage_rules import (
    DECLINE_PERSIST_DAYS,
    DECLINE_THRESHOLD,
    DECLINE_WINDOW_DAYS,
    MIN_SHARE_FOR_DAYS,
)


def _rolling_mean(values: NDArray[np.float64], window: int) -> NDArray[np.float64]:
    """Trailing mean over ``window`` days along axis 1 (shorter windows at the start)."""
    csum = cumsum_rows(values)
    out = csum.copy()
    out[:, window:] = csum[:, window:] - csum[:, :-window]
    counts = np.minimum(np.arange(1, values.shape[1] + 1), window)
    return np.asarray(out / counts, dtype=np.float64)


def first_decline_day(
    hashrate: NDArray[np.float64],
    baseline: NDArray[np.float64],
    threshold: float = DECLINE_THRESHOLD,
    window: int = DECLINE_WINDOW_DAYS,
    persist: int = DECLINE_PERSIST_DAYS,
) -> NDArray[np.int64]:
    """[P]: first day the trailing ``window``-day mean hashrate ≤ ``threshold`` × baseline's
    on that day and each of the ``persist`` − 1 days after it (or to the horizon's end);
    −1: never.

    >>> base = np.full((1, 12), 100.0)
    >>> hit = np.array([[100.0] * 5 + [50.0] * 7])
    >>> int(first_decline_day(hit, base, window=2, persist=3)[0])
    5
    >>> dip = np.array([[100.0] * 5 + [50.0] * 2 + [100.0] * 5])
    >>> int(first_decline_day(dip, base, window=1, persist=3)[0])
    -1
    """
    ours = _rolling_mean(hashrate, window)
    ref = _rolling_mean(baseline, window)
    below = (ours <= threshold * ref) & (ref > 0)
    first = np.empty(below.shape[0], dtype=np.int64)
    _first_lasting_kernel()(below, persist, first)
    return first


def _first_lasting(below: NDArray[np.bool_], persist: int, first: NDArray[np.int64]) -> None:
    """``first[p]``: the first day t with ``below[p, t]`` and each of the ``persist`` − 1
    days after it (or to the horizon's end); −1: none. Backwards over the days, ``run``
    counting how many days from t on stay below: the last start found is the first."""
    days = below.shape[1]
    for p in range(below.shape[0]):
        run = 0
        found = -1
        for t in range(days - 1, -1, -1):
            run = run + 1 if below[p, t] else 0
            if run >= persist or run == days - t:
                found = t
        first[p] = found


_first_lasting_kernel = compiled_on_first_call(_first_lasting)


def _day_or_none(value: float) -> int | None:
    return None if np.isnan(value) else round(float(value))


def stage_summary(first_day: NDArray[np.int64]) -> dict[str, float | int | None]:
    """``{probability, day_p10, day_p50, day_p90}`` of a per-path first-day array (−1: never).

    Days are percentiles over the paths where the stage happens, and ``None``
    when it happens on fewer than ``MIN_SHARE_FOR_DAYS`` of the paths.
    """
    happened = first_day >= 0
    probability = float(happened.mean()) if first_day.size else 0.0
    if probability < MIN_SHARE_FOR_DAYS or not happened.any():
        return {"probability": round(probability, 4), "day_p10": None, "day_p50": None,
                "day_p90": None}  # fmt: skip
    p10, p50, p90 = np.percentile(first_day[happened], [10, 50, 90])
    return {
        "probability": round(probability, 4),
        "day_p10": _day_or_none(p10),
        "day_p50": _day_or_none(p50),
        "day_p90": _day_or_none(p90),
    }


def first_to_break(
    first_stockout: NDArray[np.int64], parts: tuple[str, ...]
) -> list[dict[str, float | int | str | None]]:
    """Per part: how often its stock-out comes first, and its median stock-out day.

    ``probability_first`` is the share of all paths on which this part is the
    first to stock out (ties split equally), so the values sum to the share of
    paths with any stock-out; ``first_day_p50`` is the median day on those paths (the
    day it broke first), ``stockout_day_p50`` its median stock-out day on every path
    where it stocks out. Sorted most-likely first.
    """
    P = first_stockout.shape[0]
    happened = first_stockout >= 0
    days = np.where(happened, first_stockout, np.iinfo(np.int64).max)
    earliest = days.min(axis=1, keepdims=True)
    is_first = happened & (days == earliest)
    ties = np.maximum(is_first.sum(axis=1, keepdims=True), 1)
    share_first = (is_first / ties).sum(axis=0) / max(P, 1)
    rows: list[dict[str, float | int | str | None]] = []
    for k, part in enumerate(parts):
        summary = stage_summary(first_stockout[:, k])
        when_first = first_stockout[is_first[:, k], k]
        rows.append(
            {
                "part": part,
                "probability_first": round(float(share_first[k]), 4),
                "first_day_p50": _day_or_none(np.median(when_first)) if when_first.size else None,
                "probability_stockout": summary["probability"],
                "stockout_day_p50": summary["day_p50"],
            }
        )
    rows.sort(key=lambda r: (-float(r["probability_first"] or 0), str(r["part"])))
    return rows
