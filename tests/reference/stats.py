"""Two-sample comparisons of engine and reference outputs, Bonferroni-corrected.

Every compared quantity is a per-path number (a day's count, a run total, a stage
day), so engine and reference give two independent samples and the null hypothesis
is "same distribution":

* means: two-sample z test with the *pooled* variance (the variance of the
  difference under that null; Welch's unpooled variance breaks down when one sample
  of a rare count is all zeros). Quantities whose non-modal values are too rare
  for a normal approximation in the reference sample are skipped, not passed;
* proportions (does a stage happen within the horizon): Fisher's exact test;
* stage days where the stage happens: two-sample Kolmogorov–Smirnov test (scipy;
  conservative for discrete days).

A comparison rejects when its p-value is below ``alpha / m`` (Bonferroni over the
``m`` comparisons made), so the whole family errs with probability at most ``alpha``.
Quantities that are the same constant on every path of both runs are listed as
``equal`` and not counted in ``m``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

#: Skip a mean comparison if fewer reference paths than this are expected to differ
#: from the most common value (normal tails are unreliable for rarer counts).
MIN_EXPECTED_NON_MODAL = 15
#: KS tests need at least this many paths with the stage in each sample.
MIN_KS_SAMPLE = 20


@dataclass(frozen=True)
class Check:
    """One comparison: summaries of both samples, the statistic and its p-value."""

    name: str
    test: str  # "z", "fisher", "ks" or "equal" (same constant in both samples)
    engine: float
    reference: float
    statistic: float
    p_value: float


def mean_check(name: str, engine: ArrayLike, reference: ArrayLike) -> Check | None:
    """Pooled two-sample z test on the means (``None`` if too rare to test)."""
    a = np.asarray(engine, dtype=np.float64).ravel()
    b = np.asarray(reference, dtype=np.float64).ravel()
    pooled = np.concatenate([a, b])
    values, counts = np.unique(pooled, return_counts=True)
    if len(values) == 1:  # both samples are the same constant: equal, nothing to test
        return Check(name, "equal", float(a.mean()), float(b.mean()), 0.0, 1.0)
    non_modal = 1.0 - counts.max() / pooled.size
    if non_modal * b.size < MIN_EXPECTED_NON_MODAL:
        return None
    se = pooled.std(ddof=1) * np.sqrt(1.0 / a.size + 1.0 / b.size)
    z = float((a.mean() - b.mean()) / se)
    return Check(name, "z", float(a.mean()), float(b.mean()), z, float(2 * stats.norm.sf(abs(z))))


def proportion_check(name: str, engine: ArrayLike, reference: ArrayLike) -> Check:
    """Fisher's exact test that an event happens on the same share of paths."""
    a = np.asarray(engine, dtype=bool).ravel()
    b = np.asarray(reference, dtype=bool).ravel()
    if a.all() == b.all() and a.any() == b.any() and (a.all() or not a.any()):
        return Check(name, "equal", float(a.mean()), float(b.mean()), 0.0, 1.0)
    table = [[int(a.sum()), int((~a).sum())], [int(b.sum()), int((~b).sum())]]
    odds, p = stats.fisher_exact(table)
    return Check(name, "fisher", float(a.mean()), float(b.mean()), float(odds), float(p))


def distribution_check(name: str, engine: ArrayLike, reference: ArrayLike) -> Check | None:
    """Two-sample KS test (``None`` if either sample is too small); summaries are medians."""
    a = np.asarray(engine, dtype=np.float64).ravel()
    b = np.asarray(reference, dtype=np.float64).ravel()
    if min(a.size, b.size) < MIN_KS_SAMPLE:
        return None
    result = stats.ks_2samp(a, b)
    return Check(name, "ks", float(np.median(a)), float(np.median(b)),
                 float(result.statistic), float(result.pvalue))  # fmt: skip


def stage_checks(name: str, engine: ArrayLike, reference: ArrayLike) -> list[Check]:
    """Probability (Fisher) and day distribution (KS) of a first-day array (−1 = never)."""
    a = np.asarray(engine).ravel()
    b = np.asarray(reference).ravel()
    out: list[Check | None] = [
        proportion_check(f"{name} happens", a >= 0, b >= 0),
        distribution_check(f"{name} day", a[a >= 0], b[b >= 0]),
    ]
    return [c for c in out if c is not None]


@dataclass
class Verdict:
    """All checks of one engine-vs-reference comparison, Bonferroni-corrected."""

    checks: list[Check]
    alpha: float

    @property
    def tested(self) -> list[Check]:
        """The checks that count for Bonferroni (not constant in both samples)."""
        return [c for c in self.checks if c.test != "equal"]

    @property
    def threshold(self) -> float:
        return self.alpha / max(1, len(self.tested))

    @property
    def rejected(self) -> list[Check]:
        return [c for c in self.checks if c.p_value < self.threshold]

    @property
    def min_p(self) -> float:
        return min(c.p_value for c in self.checks)

    def worst(self, n: int = 5) -> list[Check]:
        return sorted(self.checks, key=lambda c: c.p_value)[:n]

    def report(self, checks: Sequence[Check] | None = None) -> str:
        rows = [
            f"{len(self.tested)} checks (+{len(self.checks) - len(self.tested)} equal "
            f"constants), reject below p = {self.threshold:.2e}"
        ]
        for c in checks if checks is not None else self.worst():
            rows.append(f"  {c.name:<40} {c.test:<6} engine {c.engine:10.4g} "
                        f"reference {c.reference:10.4g} stat {c.statistic:8.3g} "
                        f"p {c.p_value:.2e}")  # fmt: skip
        return "\n".join(rows)
