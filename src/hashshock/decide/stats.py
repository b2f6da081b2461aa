"""Confidence intervals over Monte Carlo paths (95 %, two-sided)."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from hashshock.dists import Z95


def interval_of_quantile(values: NDArray[np.float64], q: float) -> tuple[float, float]:
    """Distribution-free interval of the q-quantile (order statistics: the ranks
    n·q ∓ z·√(n·q·(1 − q)), the binomial's normal approximation)."""
    ordered = np.sort(np.asarray(values, dtype=np.float64))
    n = ordered.size
    spread = Z95 * math.sqrt(n * q * (1.0 - q))
    lo = int(np.clip(math.floor(n * q - spread), 0, n - 1))
    hi = int(np.clip(math.ceil(n * q + spread), 0, n - 1))
    return float(ordered[lo]), float(ordered[hi])


def mean_interval(values: NDArray[np.float64]) -> tuple[float, float]:
    """Mean ± z·s/√n (central limit theorem over independent paths)."""
    data = np.asarray(values, dtype=np.float64)
    mean = float(data.mean())
    if data.size < 2:
        return mean, mean
    half = Z95 * float(data.std(ddof=1)) / math.sqrt(data.size)
    return mean - half, mean + half


def quantile_standard_error(values: NDArray[np.float64], q: float) -> float:
    """Standard error of the q-quantile of ``values`` (same units), read off its 95 %
    order-statistic interval (:func:`interval_of_quantile`, the interval the verification
    reports, docs/decisions.md step 4): half its width over z, the normal approximation
    that interval's ranks rest on."""
    lo, hi = interval_of_quantile(values, q)
    return (hi - lo) / (2.0 * Z95)
