"""Counter-based random numbers for compiled kernels, and delay tables.

Inside the compiled daily step every cell (path × cohort, or path × pool) draws
from its own stream. Each path has a 64-bit base mixed from the day's key (one
``SeedSequence`` per concern and day, see :mod:`hashshock.streams`) and the
path; the path's uniforms are the splitmix64 sequence ``mix(base + n·γ)`` (Steele,
Lea & Flood 2014, "Fast splittable pseudorandom number generators"), and cell ``c``
owns the counters ``n = c·2⁴⁴ + i + 1``: a block of 2⁴⁴ draws that no other cell of
the path touches, reached with one multiply-add and no extra mixing.
A cell's numbers therefore depend only on (seed, concern, day, path, cell) and the
count already drawn, never on the thread or process that computes them: results are
the same bit for bit for any number of threads, and a path's numbers do not depend
on how many paths run.

Delay distributions enter kernels as :class:`DelayTables`: each distribution's
support and cumulative probabilities padded into 2-D arrays, sampled by inversion.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

import numba as nb
import numpy as np
from numpy.typing import NDArray

from hashshock.dists import DayDistribution
from hashshock.streams import GOLDEN, MIX_1, MIX_2

_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_TWO_M53 = 2.0**-53
#: γ·2⁴⁴ mod 2⁶⁴: the step from one cell's block of counters to the next.
CELL_STRIDE = np.uint64((int(GOLDEN) << 44) & ((1 << 64) - 1))


@nb.njit(cache=True, inline="always")
def mix64(z: np.uint64) -> np.uint64:
    """splitmix64's output function: a bijective 64-bit mixer."""
    z = (z ^ (z >> _S30)) * MIX_1
    z = (z ^ (z >> _S27)) * MIX_2
    return z ^ (z >> _S31)


@nb.njit(cache=True, inline="always")
def path_stream(key: np.uint64, path: int) -> np.uint64:
    """Base of ``path``'s streams under the day's ``key``."""
    return mix64(key ^ mix64(np.uint64(path) * GOLDEN + MIX_1))


@nb.njit(cache=True, inline="always")
def cell_stream(path_base: np.uint64, cell: int) -> np.uint64:
    """Base of ``cell``'s stream within its path's (from :func:`path_stream`)."""
    return path_base + np.uint64(cell) * CELL_STRIDE


@nb.njit(cache=True, inline="always")
def stream(key: np.uint64, path: int, cell: int) -> np.uint64:
    """Base of the stream of ``cell`` on ``path`` under the day's ``key``."""
    return cell_stream(path_stream(key, path), cell)


@nb.njit(cache=True, inline="always")
def bits(base: np.uint64, i: int) -> np.uint64:
    """The ``i``-th 64-bit output of a stream."""
    return mix64(base + np.uint64(i + 1) * GOLDEN)


@nb.njit(cache=True, inline="always")
def uniform(base: np.uint64, i: int) -> float:
    """The ``i``-th uniform of a stream, in (0, 1] (53 bits)."""
    return (float(bits(base, i) >> _S11) + 1.0) * _TWO_M53


def _ziggurat_tables() -> tuple[NDArray[np.uint64], NDArray[np.float64], NDArray[np.float64]]:
    """Layers of the exponential ziggurat (Marsaglia & Tsang 2000, *J. Stat. Softw.* 5(8)):
    256 layers of area ``_ZIG_V`` each, right edge of the base layer ``_ZIG_R``.

    Returns ``k`` (the 53-bit threshold under which a draw is inside its layer's core),
    ``w`` (draw → x scale) and ``f`` (the density at each layer's edge).
    """
    scale = 2.0**53
    x = _ZIG_R
    q = _ZIG_V / math.exp(-x)
    k = np.zeros(256, np.uint64)
    w = np.zeros(256, np.float64)
    f = np.zeros(256, np.float64)
    k[0] = np.uint64(x / q * scale)
    w[0] = q / scale
    w[255] = x / scale
    f[0] = 1.0
    f[255] = math.exp(-x)
    outer = x
    for layer in range(254, 0, -1):
        x = -math.log(_ZIG_V / x + math.exp(-x))
        k[layer + 1] = np.uint64(x / outer * scale)
        outer = x
        f[layer] = math.exp(-x)
        w[layer] = x / scale
    return k, w, f


_ZIG_R = 7.697117470131487
_ZIG_V = 3.949659822581572e-3
_ZIG_K, _ZIG_W, _ZIG_F = _ziggurat_tables()
_LOW8 = np.uint64(255)


@nb.njit(cache=True)
def _exponential_slow(base: np.uint64, layer: int, x: float, retry: int) -> float:
    """The ziggurat's rare branches: the tail, the wedges, and redraws."""
    while True:
        if layer == 0:  # the tail beyond R is R + Exp(1) (memorylessness)
            return _ZIG_R - math.log(uniform(base, retry))
        u = uniform(base, retry)
        retry += 1
        if _ZIG_F[layer] + u * (_ZIG_F[layer - 1] - _ZIG_F[layer]) < math.exp(-x):
            return x
        z = bits(base, retry)
        retry += 1
        layer = int(z & _LOW8)
        magnitude = z >> _S11
        x = float(magnitude) * float(_ZIG_W[layer])
        if magnitude < _ZIG_K[layer]:
            return x


@nb.njit(cache=True, inline="always")
def exponential(base: np.uint64, i: int, retry: int) -> float:
    """An Exp(1) draw from the ``i``-th output of a stream, by the ziggurat.

    About 99% of draws take one table lookup and a multiply; the rest use further
    numbers of the stream from index ``retry`` on (give each draw its own range).
    The layer comes from the low 8 bits and the magnitude from the top 53, so the two
    are independent.
    """
    z = bits(base, i)
    layer = int(z & _LOW8)
    magnitude = z >> _S11
    x = float(magnitude) * float(_ZIG_W[layer])
    if magnitude < _ZIG_K[layer]:
        return x
    slow: float = _exponential_slow(base, layer, x, retry)
    return slow


@nb.njit(cache=True, inline="always")
def table_sample(tables: DelayTables, row: int, u: float) -> int:
    """Inverse CDF of distribution ``row`` of ``tables``: its smallest support point
    with ``u ≤ F``."""
    cdf = tables.cdf
    lo = 0
    hi = tables.length[row] - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if u <= cdf[row, mid]:
            hi = mid
        else:
            lo = mid + 1
    return int(tables.values[row, lo])


class DelayTables(NamedTuple):
    """Several day distributions as padded arrays: ``values``/``cdf`` [D, K], ``length`` [D].

    A named tuple, so compiled kernels take it whole.
    """

    values: NDArray[np.int64]
    cdf: NDArray[np.float64]
    length: NDArray[np.int64]

    @classmethod
    def of(cls, dists: Sequence[DayDistribution]) -> DelayTables:
        width = max((len(d.support) for d in dists), default=1)
        values = np.zeros((len(dists), width), np.int64)
        cdf = np.ones((len(dists), width), np.float64)
        length = np.zeros(len(dists), np.int64)
        for row, dist in enumerate(dists):
            n = len(dist.support)
            values[row, :n] = dist.values
            cdf[row, :n] = np.cumsum(dist.pmf)
            cdf[row, n - 1] = 1.0  # rounding must not leave a gap below 1
            length[row] = n
        return cls(values, cdf, length)
