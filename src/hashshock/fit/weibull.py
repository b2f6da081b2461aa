"""Maximum-likelihood Weibull fit of per-slot failure intensity, with 95% intervals.

Model (docs/model.md "Failures"): each slot of a part type fails as a non-homogeneous
Poisson process with cumulative intensity H(a) = (a/η)^k at machine age a (days); with
minimal repair a machine with n slots has the process of intensity n·h(a). Over the
exposure intervals (eᵢ, xᵢ] of :class:`~hashshock.fit.history.Exposures` the
log-likelihood is

    ℓ(η, k) = Σ_failures log(n·h(xᵢ)) − Σᵢ n·(H(xᵢ) − H(eᵢ)),   h = H'.          (1)

lifelines' ``WeibullFitter`` (survival exp(−(t/λ)^ρ), left truncation via ``entry``,
frequency ``weights``) maximises Σ wᵢ [δᵢ log h(xᵢ) − H(xᵢ) + H(eᵢ)]. Giving it every
interval once (weight 1) plus, when n > 1, the same interval censored with weight n − 1
gives Σ δᵢ log h(xᵢ) − Σ n (H(xᵢ) − H(eᵢ)): equation (1) less the constant D·log n, so
the same maximum and the same curvature. Hence k = ρ and η = λ per slot, whatever the
mix of n. For machines that all have n slots this is the machine-level fit with scale
η' = η·n^(−1/k), m₁ = (365/η')^k / n.

Times are given to lifelines in years (days / 365) for conditioning, so
m₁ = (365/η)^k = λ_yr^(−k) is the expected failures per slot in the first 365 days.
95% intervals: delta method on the log scale from the fitter's variance matrix V of
(λ, ρ): se(log k) = √V_ρρ / ρ; log m₁ = −ρ·log λ has gradient g = (−ρ/λ, −log λ),
se(log m₁) = √(gᵀVg); interval = estimate · exp(±1.96·se).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from hashshock.dists import Z95
from hashshock.fit.gof import GoodnessOfFit, goodness_of_fit
from hashshock.fit.history import DAYS_PER_YEAR, Exposures, FloatArray

SHAPE_RANGE = (0.2, 10.0)
"""Shapes ``read_failure_rates`` accepts; a fit outside is treated as degenerate."""
MAX_FIRST_YEAR = 5.0
"""Largest m₁ ``read_failure_rates`` accepts."""


class FitFailed(Exception):
    """The data cannot support a Weibull fit; ``str()`` says why in plain words."""


@dataclass(frozen=True)
class SlotData:
    """Slot-level pseudo-observations for lifelines (times in years), equation (1)."""

    entry: FloatArray
    exit: FloatArray
    event: FloatArray
    weight: FloatArray
    half: FloatArray  # half the width of the interval a failure lies in (years; 0: exact)

    @property
    def failures(self) -> int:
        return int((self.event * self.weight).sum())

    @property
    def slot_years(self) -> float:
        """Σ w·(exit − entry): slot-years at risk."""
        return float((self.weight * (self.exit - self.entry)).sum())


def slot_data(exp: Exposures) -> SlotData:
    """Each interval once (weight 1) plus its censored copy of weight n − 1 when n > 1."""
    extra = exp.slots > 1
    entry = np.concatenate([exp.entry, exp.entry[extra]]) / DAYS_PER_YEAR
    exit_ = np.concatenate([exp.exit, exp.exit[extra]]) / DAYS_PER_YEAR
    event = np.concatenate([exp.event.astype(np.float64), np.zeros(int(extra.sum()))])
    weight = np.concatenate([np.ones(len(exp)), (exp.slots[extra] - 1).astype(np.float64)])
    half = np.concatenate([exp.failure_half_days, np.zeros(int(extra.sum()))]) / DAYS_PER_YEAR
    return SlotData(entry=entry, exit=exit_, event=event, weight=weight, half=half)


@dataclass(frozen=True)
class WeibullFit:
    """A per-slot Weibull fit.

    ``shape`` is k (dimensionless); ``first_year_failures_per_part`` is m₁, expected
    failures per part slot in the first 365 days of machine age; ``scale_days`` is
    η = 365·m₁^(−1/k) in days; the ``*_ci95`` pairs are 95% intervals (delta method).
    ``log_likelihood`` is lifelines' (times in years; equation (1) less D·log n).
    """

    shape: float
    shape_ci95: tuple[float, float]
    first_year_failures_per_part: float
    first_year_failures_per_part_ci95: tuple[float, float]
    scale_days: float
    log_likelihood: float
    gof: GoodnessOfFit


def delta_intervals(
    lam: float, rho: float, variance: Any
) -> tuple[tuple[float, float], tuple[float, float]]:
    """95% intervals of k = ρ and m₁ = λ^(−ρ) from the variance matrix of (λ, ρ)."""
    v = np.asarray(variance, dtype=np.float64)
    se_log_k = math.sqrt(v[1, 1]) / rho
    g = np.array([-rho / lam, -math.log(lam)])
    se_log_m = math.sqrt(float(g @ v @ g))
    m1 = lam ** (-rho)
    return (
        (rho * math.exp(-Z95 * se_log_k), rho * math.exp(Z95 * se_log_k)),
        (m1 * math.exp(-Z95 * se_log_m), m1 * math.exp(Z95 * se_log_m)),
    )


def _run_lifelines(data: SlotData) -> tuple[float, float, Any, float]:
    """λ (years), ρ, variance matrix and log-likelihood from lifelines' WeibullFitter."""
    from lifelines import WeibullFitter  # lazy: lifelines takes seconds to import

    # Start at the exponential MLE (ρ = 1, λ = slot-years / failures): the default start
    # (mean duration) is far off when failures are rare, as they are here.
    start = np.array([data.slot_years / max(data.failures, 1), 1.0])
    fitter = WeibullFitter()
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            fitter.fit(
                data.exit, data.event, entry=data.entry, weights=data.weight,
                initial_point=start, timeline=np.array([1.0]),
            )  # fmt: skip
        except Exception as exc:  # lifelines raises several kinds on degenerate data
            raise FitFailed(f"the Weibull fit did not converge ({type(exc).__name__})") from exc
    return (
        float(fitter.lambda_),
        float(fitter.rho_),
        fitter.variance_matrix_.to_numpy(),
        float(fitter.log_likelihood_),
    )


def fit_weibull(exp: Exposures) -> WeibullFit:
    """Fit k and m₁ of one part type to its exposures; raises :class:`FitFailed`.

    Refused before fitting: no failure, or every failure at one age (the likelihood has
    no maximum). Refused after: non-finite estimates or variances, or k outside
    0.2-10 or m₁ above 5 (values ``read_failure_rates`` would reject).
    """
    failures = exp.failures
    if failures == 0:
        raise FitFailed("no failures")
    ages = np.unique(exp.exit[exp.event])
    if ages.shape[0] < 2:
        raise FitFailed("every failure is at the same age: the shape cannot be estimated")
    data = slot_data(exp)
    lam, rho, variance, loglik = _run_lifelines(data)
    values = np.asarray(variance, dtype=np.float64)
    if not (math.isfinite(lam) and math.isfinite(rho) and lam > 0 and rho > 0):
        raise FitFailed("the Weibull fit gave no finite estimate")
    if not np.isfinite(values).all() or values[0, 0] <= 0 or values[1, 1] <= 0:
        raise FitFailed("the Weibull fit's variance cannot be estimated")
    m1 = lam ** (-rho)
    if not SHAPE_RANGE[0] <= rho <= SHAPE_RANGE[1] or not 0 < m1 <= MAX_FIRST_YEAR:
        raise FitFailed(f"the fit (shape {rho:.3g}, m1 {m1:.3g}) is implausible")
    shape_ci, m1_ci = delta_intervals(lam, rho, values)
    gof = goodness_of_fit(data.entry, data.exit, data.event, data.weight, lam, rho, loglik,
                          data.half)  # fmt: skip
    return WeibullFit(
        shape=rho, shape_ci95=shape_ci, first_year_failures_per_part=m1,
        first_year_failures_per_part_ci95=m1_ci, scale_days=lam * DAYS_PER_YEAR,
        log_likelihood=loglik, gof=gof,
    )  # fmt: skip
