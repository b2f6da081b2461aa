"""Percentile bands over Monte Carlo paths."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from hashshock.words import counted

#: Fewer paths than this and a run says its figures rest on few paths: at 100 a
#: probability moves in steps of 1 % and a band's p5 and p95 are 5 paths from its ends.
FEW_PATHS = 100


def few_paths_warning(paths: int) -> list[str]:
    """What a run of fewer than :data:`FEW_PATHS` paths should say of its figures (a
    probability is a count of paths; a band's ends are its extreme paths)."""
    if paths >= FEW_PATHS:
        return []
    said = ("each probability is 0 % or 100 % and each band one value" if paths == 1 else
            f"each probability moves in steps of {100 / paths:.3g} % and each band's p5 and "
            "p95 rest on its few extreme paths")  # fmt: skip
    return [
        f"{counted(paths, 'path')}: {said} — for estimates run 1,000 paths or more "
        "(--paths; paths= in Python)"
    ]


def _rounded(values: NDArray[np.float64], digits: int) -> list[float]:
    return [round(v, digits) for v in values.tolist()]


def _percentiles(values: NDArray[np.float64], q: list[float]) -> NDArray[np.float64]:
    """``np.percentile(values, q, axis=0)``, ``[len(q), T]``, from the paths sorted first.

    The same numbers: a percentile depends on each column's sorted values only, and
    equal values are the same bits unless both 0.0 and -0.0 occur (then numpy runs on
    the values as they are); a column with a NaN is NaN, as numpy's. The paths are sorted
    day by day in a contiguous copy (a third of the time of numpy's strided sort of axis
    0), and each percentile read from its two rows (:func:`_sorted_percentile`).
    """
    zeros = values == 0.0
    if zeros.any() and np.signbit(values[zeros]).any():
        return np.asarray(np.percentile(values, q, axis=0), dtype=np.float64)
    ordered = sorted_paths(values)
    out = np.stack([_sorted_percentile(ordered, share / 100.0) for share in q])
    out[:, np.isnan(ordered[-1])] = np.nan  # NaN sorts last
    return out


def sorted_paths(values: NDArray[np.generic]) -> NDArray[np.generic]:
    """``np.sort(values, axis=0)`` (paths first: [P, T] or [P, T, K]), as a view of a copy
    with the paths last, sorted in place: each day's paths are then contiguous."""
    # A copy always (ascontiguousarray copies nothing when one axis has size 1, and the
    # sort would then reorder the caller's paths, or fail on a read-only result).
    moved = np.array(np.moveaxis(values, 0, -1), order="C", copy=True)
    moved.sort(axis=-1)
    return np.moveaxis(moved, -1, 0)


def _sorted_percentile(ordered: NDArray[np.generic], q: float) -> NDArray[np.float64]:
    """``np.percentile(ordered, 100 q, axis=0)`` of paths sorted along axis 0, from the two
    rows it falls between, by numpy's own arithmetic (its "linear" method: the virtual
    index (n − 1)·q, then a lerp from the nearer row), not from a float copy of all."""
    n = ordered.shape[0]
    virtual = (n - 1) * q
    if virtual >= n - 1:  # numpy lerps the last row with itself, its weight from index −1
        a = b = np.asarray(ordered[n - 1], dtype=np.float64)
        t = virtual + 1.0  # an infinite value gives NaN (inf − inf), as numpy's
    else:
        below = int(np.floor(virtual))
        t = virtual - below
        a = np.asarray(ordered[below], dtype=np.float64)
        b = np.asarray(ordered[below + 1], dtype=np.float64)
    diff = b - a
    # numpy lerps from the nearer row, so that t = 1 gives b exactly
    lerp: NDArray[np.float64] = b - diff * (1 - t) if t >= 0.5 else a + diff * t
    return lerp


def bands(
    per_path: NDArray[np.floating] | NDArray[np.integer], digits: int = 4
) -> dict[str, list[float]]:
    """``{p5, p50, p95}`` over paths (axis 0) of a [P, T] array, as lists of length T."""
    q = _percentiles(np.asarray(per_path, dtype=np.float64), [5, 50, 95])
    return {
        "p5": _rounded(q[0], digits),
        "p50": _rounded(q[1], digits),
        "p95": _rounded(q[2], digits),
    }


def median_band(
    per_path: NDArray[np.floating] | NDArray[np.integer], digits: int = 2
) -> dict[str, list[float]]:
    """``{p50}`` over paths of a [P, T] array."""
    return {"p50": _rounded(np.median(np.asarray(per_path, dtype=np.float64), axis=0), digits)}


def median_bands(
    counts: NDArray[np.integer], names: Sequence[str], digits: int = 2, upper: bool = False
) -> dict[str, dict[str, list[float]]]:
    """:func:`median_band` of each ``counts[:, :, k]`` ([P, T, K] whole numbers), keyed by
    ``names[k]``: the same numbers, from one sort of all K (counts have no NaN or signed
    zero, so the middle of the sorted paths is the median's pair). ``upper``: each with
    its p95 too, as :func:`bands` computes it (a count that is 0 on most paths on any one
    day — machines a remote disable stops — shows only there)."""
    if not np.issubdtype(counts.dtype, np.integer):
        raise TypeError(f"median_bands takes counts (integers), not {counts.dtype}")
    ordered = sorted_paths(counts)
    half = ordered.shape[0] // 2
    middle = ordered[half].astype(np.float64)
    if ordered.shape[0] % 2 == 0:
        middle = (ordered[half - 1] + middle) / 2.0
    out = {name: {"p50": _rounded(middle[:, k], digits)} for k, name in enumerate(names)}
    if upper:
        high = _sorted_percentile(ordered, 0.95)
        for k, name in enumerate(names):
            out[name]["p95"] = _rounded(high[:, k], digits)
    return out
