"""Who breaks first: operators and classes compared path by path.

A class's members are weighed by the nameplate they stand for (weight × nameplate TH/s).
A group (an operator, or a class) reaches an event on a path on the first day at least
``GROUP_SHARE`` of its nameplate belongs to members that have reached it (for a single
operator: its own first day). Never within the horizon is −1 and counts as later than
any day.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from hashshock.analysis import stage_summary

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]

#: Share of a group's nameplate whose members must have reached an event for the group to.
GROUP_SHARE = 0.5
_NEVER = np.iinfo(np.int64).max


def group_first_day(days: IntArray, weights: FloatArray) -> IntArray:
    """[P]: first day ``GROUP_SHARE`` of the weight has reached the event.

    ``days`` is [M, P] (members × paths, −1 never), ``weights`` [M].

    >>> group_first_day(np.array([[3, -1], [5, 2], [-1, -1]]), np.array([1.0, 1.0, 1.0]))
    array([ 5, -1])
    """
    finite = np.where(days >= 0, days, _NEVER)
    order = np.argsort(finite, axis=0, kind="stable")
    ordered = np.take_along_axis(finite, order, axis=0)
    share = np.cumsum(weights[order], axis=0) / weights.sum()
    reached = share >= GROUP_SHARE - 1e-12
    first = np.take_along_axis(ordered, reached.argmax(axis=0)[None, :], axis=0)[0]
    return np.where(first == _NEVER, -1, first).astype(np.int64)


def _finite(days: IntArray) -> IntArray:
    return np.where(days >= 0, days, _NEVER)


def break_before(days: dict[str, IntArray]) -> dict[str, dict[str, float]]:
    """``out[g][h]``: share of paths on which ``g`` breaks strictly before ``h`` (``h``
    never breaking counts as later; the same day counts half)."""
    names = list(days)
    out: dict[str, dict[str, float]] = {}
    for g in names:
        dg, row = _finite(days[g]), {}
        for h in names:
            if h == g:
                continue
            dh = _finite(days[h])
            ties = (dg == dh) & (dg != _NEVER)
            row[h] = round(float(((dg < dh) + 0.5 * ties).mean()), 4)
        out[g] = row
    return out


def first_to_break(days: dict[str, IntArray]) -> list[dict[str, float | int | str | None]]:
    """Per group: the share of paths on which it breaks first of all (ties split), its
    probability of breaking and its median day; sorted most likely first."""
    names = list(days)
    stacked = np.stack([_finite(days[n]) for n in names])  # [G, P]
    earliest = stacked.min(axis=0, keepdims=True)
    is_first = (stacked == earliest) & (stacked != _NEVER)
    share = (is_first / np.maximum(is_first.sum(axis=0, keepdims=True), 1)).mean(axis=1)
    rows: list[dict[str, float | int | str | None]] = []
    for g, name in enumerate(names):
        summary = stage_summary(days[name])
        rows.append({"group": name, "probability_first": round(float(share[g]), 4),
                     "probability_break": summary["probability"],
                     "day_p50": summary["day_p50"]})  # fmt: skip
    rows.sort(key=lambda r: (-float(r["probability_first"] or 0.0),
                             -float(r["probability_break"] or 0.0), str(r["group"])))  # fmt: skip
    return rows


def group_days(
    member_days: Sequence[IntArray], member_group: Sequence[str], weights: FloatArray
) -> dict[str, IntArray]:
    """Each group's first day (:func:`group_first_day`) from its members' [P] days."""
    out: dict[str, IntArray] = {}
    for group in dict.fromkeys(member_group):
        idx = [i for i, g in enumerate(member_group) if g == group]
        out[group] = group_first_day(np.stack([member_days[i] for i in idx]), weights[idx])
    return out
