"""Hashrate lost beyond part swaps: machine downtime and degraded hashboards.

Two sources of lost hashrate that a fleet has even with every spare on the shelf
(docs/calibration.md gives the sources and the calibration):

* **Downtime** — machines offline for reasons other than a broken part (reboots,
  overheating, network and pool outages): a share ``d`` of each running machine's
  time, per site. A machine offline earns nothing and draws no power, so both
  hashrate and power of running machines are multiplied by the *uptime* ``1 − d``.
* **Degraded hashboards** — a board often loses chips or voltage domains and runs
  at reduced hashrate before it fails outright. A share ``p`` of board failures is
  preceded by a degraded phase of mean length ``L`` days (exponential), during which
  the board has lost a share ``f`` of its hashrate; the failure itself (the moment
  the board is pulled) is the engine's board failure, repaired like any board.
  With the board's failure intensity ``λ(a)`` per day at machine age ``a`` (the
  Weibull of ``data/failure_rates.csv``: ``λ(a) = (k/η)(a/η)^{k−1}``), a working
  board is degraded at age ``a`` with probability (the count of boards whose
  failure falls within their degraded phase ahead, Little's law for a
  non-stationary arrival rate)

  .. math:: q(a) = p \\int_0^\\infty λ(a + s)\\, e^{−s/L}\\, ds
            \\approx p L \\sum_i w_i\\, λ(a + L x_i)               \\qquad (R1)

  (Gauss–Laguerre nodes ``x_i``, weights ``w_i``), and delivers on average the
  *board yield* ``1 − f · q(a)`` of its nameplate share. For a constant
  hazard ``λ`` (R1) is ``p λ L``.
* **Wear** — working boards lose hashrate slowly with age (thermal paste, dust,
  aging chips): a share ``w`` of nameplate a year after ``a₀`` days, at most ``c``:

  .. math:: W(a) = \\min(c,\\ w \\cdot \\max(0, a − a_0) / 365)             \\qquad (R2)

The *board yield* ``(1 − f · q(a)) (1 − W(a))`` is the mean share of its nameplate a
working board delivers at age ``a``; the engine multiplies the hashrate of each
cohort's working boards by it on each day. Degradation and wear do not change
power draw (a worn board is less efficient).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache

import numpy as np
from numpy.typing import NDArray

from hashshock.inputs.catalog import FailurePrior, ModelSpec, failure_prior, site_defaults
from hashshock.inputs.fleet import Fleet

FloatArray = NDArray[np.float64]
DAYS_PER_YEAR = 365.0
#: Gauss–Laguerre nodes for (R1); 12 nodes integrate the smooth Weibull intensity to
#: well under 0.1 % of q (tests/plan/test_realisation.py checks against direct quadrature).
_LAGUERRE_NODES = 12


@dataclass(frozen=True)
class Degradation:
    """Degraded-board parameters: ``share`` p, ``loss`` f, ``days`` L (0 ⇒ off)."""

    share: float
    loss: float
    days: float

    @property
    def active(self) -> bool:
        return self.share > 0 and self.loss > 0 and self.days > 0


@dataclass(frozen=True)
class Wear:
    """Board wear: ``per_year`` w, ``starts_after_days`` a₀, ``cap`` c (w = 0 ⇒ off)."""

    per_year: float
    starts_after_days: float
    cap: float

    def loss(self, age_days: FloatArray) -> FloatArray:
        """``W(a)`` of (R2)."""
        years = np.maximum(age_days - self.starts_after_days, 0.0) / DAYS_PER_YEAR
        return np.minimum(self.per_year * years, self.cap)


def wear_of(fleet: Fleet) -> Wear:
    """The fleet's board wear over the defaults of ``data/sites.csv``."""
    given = fleet.operations.board_wear
    if not given.enabled:
        return Wear(0.0, 0.0, 0.0)
    defaults = site_defaults()
    return Wear(
        per_year=_pick(given.per_year, defaults["board_wear_per_year"]),
        starts_after_days=_pick(given.starts_after_days, defaults["wear_starts_after_days"]),
        cap=_pick(given.cap, defaults["board_wear_cap"]),
    )


def degradation_of(fleet: Fleet) -> Degradation:
    """The fleet's degraded-board parameters over the defaults of ``data/sites.csv``."""
    given = fleet.operations.board_degradation
    if not given.enabled:
        return Degradation(0.0, 0.0, 0.0)
    defaults = site_defaults()
    return Degradation(
        share=_pick(given.share_of_failures, defaults["degraded_board_share_of_failures"]),
        loss=_pick(given.hashrate_loss, defaults["degraded_board_hashrate_loss"]),
        days=_pick(given.days, defaults["degraded_board_days"]),
    )


def site_uptime(fleet: Fleet) -> FloatArray:
    """``[S]`` uptime ``1 − d`` per site: the site's ``downtime_share``, else the fleet's
    ``operations.downtime_share``, else ``data/sites.csv``."""
    fleet_share = _pick(fleet.operations.downtime_share, site_defaults()["downtime_share"])
    return np.array([1.0 - _pick(s.downtime_share, fleet_share) for s in fleet.sites])


def weibull_intensity(age_days: FloatArray, shape: float, first_year: float) -> FloatArray:
    """``λ(a) = (k/η)(a/η)^{k−1}`` per day, ``η = 365 / m₁^{1/k}``; 0 at ages ≤ 0."""
    out = np.zeros_like(age_days, dtype=np.float64)
    if first_year <= 0:
        return out
    eta = DAYS_PER_YEAR / first_year ** (1.0 / shape)
    alive = age_days > 0
    out[alive] = shape / eta * (age_days[alive] / eta) ** (shape - 1.0)
    return out


@cache
def _laguerre() -> tuple[FloatArray, FloatArray]:
    nodes, weights = np.polynomial.laguerre.laggauss(_LAGUERRE_NODES)
    return nodes, weights


def degraded_share(
    age_days: FloatArray,
    prior: FailurePrior,
    degradation: Degradation,
    failure_rate_multiplier: float = 1.0,
) -> FloatArray:
    """``q(a)`` of (R1): the probability a working board of age ``a`` (days) is degraded.

    ``failure_rate_multiplier`` k scales the board's expected first-year failures m₁ as
    the plan's hazard does (``operations.failure_rate_multiplier``; shape unchanged)."""
    if not degradation.active:
        return np.zeros_like(age_days, dtype=np.float64)
    nodes, weights = _laguerre()
    ahead = age_days[..., None] + degradation.days * nodes
    shape = prior.weibull_shape
    rate = prior.first_year_failures_per_part * failure_rate_multiplier
    intensity = weibull_intensity(ahead, shape, rate)
    q = degradation.share * degradation.days * (intensity @ weights)
    return np.minimum(q, 1.0)


def board_yield(
    models: list[ModelSpec],
    ages: list[int],
    horizon: int,
    degradation: Degradation,
    wear: Wear,
    priors: tuple[FailurePrior, ...] = (),
    failure_rate_multiplier: float = 1.0,
) -> FloatArray:
    """``[C, T]`` mean share of its nameplate a working board of each cohort delivers
    on each day, ``(1 − f · q(age)) (1 − W(age))`` (cohort ``c`` is ``ages[c]`` days old
    on day 0; q with the board's m₁ × ``failure_rate_multiplier``, a dimensionless
    factor, 1: the rates as given)."""
    out = np.empty((len(models), horizon))
    for c, (model, age) in enumerate(zip(models, ages, strict=True)):
        # The prior is looked up only where it is used: degradation off needs none.
        prior = failure_prior("hashboard", model, priors) if degradation.active else None
        out[c] = cohort_board_yield(age, horizon, prior, degradation, wear, failure_rate_multiplier)
    return out


#: Most board-yield rows (:func:`cohort_board_yield`) kept, each 8 bytes a day (≤ 9 MB at
#: three years): an industry's members are scaled copies of a few templates, so their
#: cohorts share a few dozen models and ages.
KEPT_YIELD_ROWS = 1024


@lru_cache(maxsize=KEPT_YIELD_ROWS)
def cohort_board_yield(
    age: int,
    horizon: int,
    prior: FailurePrior | None,
    degradation: Degradation,
    wear: Wear,
    failure_rate_multiplier: float = 1.0,
) -> FloatArray:
    """``[T]`` :func:`board_yield` of one cohort ``age`` days old on day 0, its board's
    ``prior`` (``None`` only with degradation off). Kept for later plans, so read-only:
    :func:`board_yield` copies it."""
    row = np.ones(horizon)
    ages = age + np.arange(horizon, dtype=np.float64)
    if degradation.active:
        assert prior is not None, "degraded boards need the board's failure prior"
        row -= degradation.loss * degraded_share(ages, prior, degradation, failure_rate_multiplier)
    row *= 1.0 - wear.loss(ages)
    row.setflags(write=False)
    return row


def _pick(value: float | None, default: float) -> float:
    return float(default if value is None else value)
