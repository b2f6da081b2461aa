"""Goodness of fit: the fitted Weibull against Kaplan–Meier, and a test of shape = 1.

1. Kaplan–Meier (lifelines ``KaplanMeierFitter``) on the same slot-level data, with
   the same left truncation (``entry``) and weights: under minimal repair it estimates
   the per-slot survival without assuming a shape — conditional on surviving to the
   youngest age any slot enters the data, a₀, so S(a)/S(a₀) = exp(−(H(a) − H(a₀))) (a₀ = 0
   when some machine is seen from its install). At every distinct failure age we ask
   whether the fitted exp(−((a/η)^k − (a₀/η)^k)) lies inside KM's pointwise 95% band
   (exponential Greenwood). ``share_inside_km_band`` is the share of ages where it does.
   When no slot is at risk at some age before later failures (machines entering only
   after all others left), KM is not defined there and the check is not made. A
   failure known only within ± h of its age (dated between two scans) is inside where
   the curve over [a − h, a + h] meets the band.
2. Likelihood ratio of shape = 1 (constant hazard): the exponential fit has the closed
   form λ̂ = T/D (T slot-years at risk, D failures) and ℓ₀ = −D·(log(T/D) + 1) in the
   same terms as lifelines' Weibull log-likelihood ℓ₁; 2(ℓ₁ − ℓ₀) ~ χ²₁.

Verdict: ``good`` if the Weibull lies inside KM's band at ≥ 90% of failure ages,
``fair`` at ≥ 70%, else ``poor``; ``unchecked`` where KM is not defined.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Literal

import numpy as np

from hashshock.fit.history import FloatArray

Verdict = Literal["good", "fair", "poor", "unchecked"]
GOOD_SHARE = 0.90
FAIR_SHARE = 0.70
LR_LEVEL = 0.05
#: Smallest p-value said as a number (below it: "p < 1e-16").
P_FLOOR = 1e-16


def said_p(p_value: float) -> str:
    """``p = 0.0056``; a p-value below double precision's reach reads ``p < 1e-16``, not
    ``p = 0``."""
    return f"p < {P_FLOOR:.0e}" if p_value < P_FLOOR else f"p = {p_value:.2g}"


@dataclass(frozen=True)
class GoodnessOfFit:
    """How well the Weibull describes the data (see the module docstring)."""

    share_inside_km_band: float | None  # None: Kaplan–Meier not defined on this data
    failure_ages_checked: int
    lr_shape_1_statistic: float
    lr_shape_1_p_value: float
    verdict: Verdict
    summary: str


def exponential_log_likelihood(failures: float, slot_years: float) -> float:
    """ℓ₀ = −D·(log(T/D) + 1): the constant-hazard MLE's log-likelihood (times in years)."""
    return -failures * (math.log(slot_years / failures) + 1.0)


def share_inside_km(
    entry: FloatArray, exit_: FloatArray, event: FloatArray, weight: FloatArray,
    lam: float, rho: float, half: FloatArray | None = None,
) -> tuple[float | None, int]:  # fmt: skip
    """Share of distinct failure ages where exp(−((t/λ)^ρ − (t₀/λ)^ρ)) is inside KM's 95%
    band, t₀ the youngest entry age (module docstring); ``None`` where KM is undefined.
    A failure known only to lie within ± ``half`` of its age (scans) is inside where the
    curve over that interval meets the band."""
    from lifelines import KaplanMeierFitter  # lazy: lifelines takes seconds to import
    from lifelines.exceptions import StatError

    km = KaplanMeierFitter()
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            km.fit(exit_, event, entry=entry, weights=weight)
        except StatError:  # nobody at risk at some age before later failures
            return None, 0
    timeline = np.asarray(km.timeline, dtype=np.float64)
    band = np.asarray(km.confidence_interval_survival_function_, dtype=np.float64)
    ages = np.unique(exit_[event > 0])
    rows = np.clip(np.searchsorted(timeline, ages, side="right") - 1, 0, len(timeline) - 1)
    start = float(entry.min()) if entry.size else 0.0
    widest = np.zeros(ages.size)  # each age's widest interval (0: failures dated exactly)
    if half is not None:
        failed = event > 0
        np.maximum.at(widest, np.searchsorted(ages, exit_[failed]), half[failed])

    def fitted(age: FloatArray) -> FloatArray:
        age = np.maximum(age, start)
        return np.asarray(np.exp(-((age / lam) ** rho - (start / lam) ** rho)), np.float64)

    lower, upper = band[rows, 0], band[rows, 1]
    ok = np.isfinite(lower) & np.isfinite(upper)
    # S falls with age: over [a − h, a + h] it runs from S(a − h) down to S(a + h)
    inside = (
        ok & (lower - 1e-12 <= fitted(ages - widest)) & (fitted(ages + widest) <= upper + 1e-12)
    )
    return float(inside.mean()) if ages.size else 1.0, int(ages.size)


def goodness_of_fit(
    entry: FloatArray, exit_: FloatArray, event: FloatArray, weight: FloatArray,
    lam: float, rho: float, log_likelihood: float, half: FloatArray | None = None,
) -> GoodnessOfFit:  # fmt: skip
    """Compare the fitted Weibull (λ in years, ρ) with KM and with shape = 1 (``half``:
    each failure's half interval, years, :func:`share_inside_km`)."""
    from scipy.stats import chi2

    share, checked = share_inside_km(entry, exit_, event, weight, lam, rho, half)
    failures = float((event * weight).sum())
    slot_years = float((weight * (exit_ - entry)).sum())
    stat = max(0.0, 2.0 * (log_likelihood - exponential_log_likelihood(failures, slot_years)))
    p_value = float(chi2.sf(stat, 1))
    verdict: Verdict = (
        "unchecked" if share is None
        else "good" if share >= GOOD_SHARE else "fair" if share >= FAIR_SHARE else "poor"
    )  # fmt: skip
    said = said_p(p_value)
    if p_value >= LR_LEVEL:
        trend = f"constant hazard (k = 1) not rejected, {said}"
    elif rho > 1:
        trend = f"hazard rises with age (k > 1, {said})"
    else:
        trend = f"hazard falls with age (k < 1, {said})"
    caution = " — treat k and m1 with care" if verdict == "poor" else ""
    compared = (
        "not compared with Kaplan–Meier (no machine is at risk at some age before later "
        "failures: the log's machines enter only after others left)" if share is None
        else f"Weibull inside Kaplan–Meier's 95% band at {share:.0%} of the {checked} "
        "distinct failure ages (failures at one age count once)"
    )  # fmt: skip
    summary = f"{verdict}: {compared}; {trend}{caution}"
    return GoodnessOfFit(
        share_inside_km_band=share, failure_ages_checked=checked, lr_shape_1_statistic=stat,
        lr_shape_1_p_value=p_value, verdict=verdict, summary=summary,
    )  # fmt: skip
