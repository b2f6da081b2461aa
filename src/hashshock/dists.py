"""Delay distributions on whole days.

Every delay in hashshock (repair turnaround, customs hold, event duration) is an
integer number of days drawn from one of these objects. Like Ciw's distribution
classes, each object knows its own ``mean`` and ``variance`` and its probability
mass function, so tests can use them as oracles (e.g. Palm's theorem needs the
mean turnaround).

In YAML a delay is either a number of days (``28``) or a mapping::

    {dist: uniform, low: 21, high: 35}        # integers low..high, equally likely
    {dist: triangular, low: 30, mode: 60, high: 180}
    {dist: lognormal, mean: 60, cv: 0.5}       # discretised, rounded to days
    {dist: empirical, values: [14, 28, 56], weights: [1, 2, 1]}

A repair bench's service time (``repair_bench.service_days``) may also be continuous,
``{dist: exponential, mean: 2.5}`` (:class:`Exponential`), so a bench of exponential
servers is exactly the M/M/k queue of Erlang C.

>>> round(Uniform(21, 35).mean, 9)
28.0
>>> Fixed(7).variance
0.0
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hashshock.inputs.errors import number_fix

Z95 = 1.959963984540054
"""Two-sided 95 % standard normal quantile (intervals and noise bands)."""
#: Longest delay any distribution may produce (days); keeps ring buffers bounded.
MAX_DELAY_DAYS = 3650
#: Largest coefficient of variation of a log-normal delay: at 10 nearly all its mass is
#: on day 0 and the rest beyond MAX_DELAY_DAYS; larger is a typo (and squared, overflows).
MAX_LOGNORMAL_CV = 10.0
#: The fix of a day out of range.
_DAYS_FIX = f"use 0 to {MAX_DELAY_DAYS} days (ten years; a longer delay is a typo)"


def whole_days(value: Any, name: str = "") -> int:
    """``value`` (the parameter ``name``, if given) as whole days in 0..MAX_DELAY_DAYS.

    Checked before any array is built, so a huge bound (``high: 100000000000``, or a
    number of more digits than a 64-bit integer holds) is refused at once rather than
    building its whole range. Raises ``ValueError`` (with its fix) otherwise.

    >>> whole_days(35.0, "high")
    35
    """
    what = f"{name} " if name else ""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{what}{value!r} is not a number of days — fix: {number_fix(value)}")
    if isinstance(value, numbers.Integral):
        days = int(value)
    else:
        number = float(value)
        if not math.isfinite(number) or not number.is_integer():
            raise ValueError(f"{what}{number!r} is not a whole number of days — fix: {_DAYS_FIX}")
        days = int(number)
    if not 0 <= days <= MAX_DELAY_DAYS:
        shown = f"{days:.3g}" if abs(days) >= 10**12 else str(days)  # not 25 digits
        raise ValueError(f"{what}{shown} days is outside 0..{MAX_DELAY_DAYS} — fix: {_DAYS_FIX}")
    return days


@dataclass(frozen=True)
class DayDistribution:
    """A distribution over whole days ``support`` with probabilities ``pmf``."""

    support: tuple[int, ...]
    weights: tuple[float, ...]
    label: str = ""
    _pmf: NDArray[np.float64] = field(init=False, repr=False, compare=False)
    _cdf: NDArray[np.float64] = field(init=False, repr=False, compare=False)
    _contiguous_uniform: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.support or len(self.support) != len(self.weights):
            raise ValueError("a distribution needs as many weights as values, at least one")
        # Each day checked before the arrays: 10**24 does not fit an int64.
        values = np.asarray([whole_days(v) for v in self.support], dtype=np.int64)
        weights = np.asarray(self.weights, dtype=np.float64)
        if not np.all(np.isfinite(weights)) or np.any(weights < 0) or not np.any(weights > 0):
            raise ValueError("weights must be finite, non-negative and not all zero")
        # Weights near 1e308 would sum to inf: scaled by the largest first (only then, so
        # that every other distribution's pmf stays bit for bit what it was).
        with np.errstate(over="ignore"):
            overflows = not np.isfinite(weights.sum())
        if overflows:
            weights = weights / weights.max()
        # Read-only, so that a distribution is immutable and plans may share one.
        pmf = weights / weights.sum()
        cdf = np.cumsum(pmf)
        pmf.setflags(write=False)
        cdf.setflags(write=False)
        object.__setattr__(self, "_pmf", pmf)
        object.__setattr__(self, "_cdf", cdf)
        contiguous = bool(np.all(np.diff(values) == 1)) and bool(np.all(weights == weights[0]))
        object.__setattr__(self, "_contiguous_uniform", contiguous and values.size > 1)

    @property
    def values(self) -> NDArray[np.int64]:
        """Support points in days."""
        return np.asarray(self.support, dtype=np.int64)

    @property
    def pmf(self) -> NDArray[np.float64]:
        """Probability of each support point (sums to 1)."""
        return self._pmf

    @property
    def mean(self) -> float:
        """Expected delay in days."""
        return float(np.dot(self.values, self._pmf))

    @property
    def variance(self) -> float:
        """Variance of the delay in days squared."""
        return float(np.dot((self.values - self.mean) ** 2, self._pmf))

    @property
    def max_days(self) -> int:
        """Largest delay this distribution can produce, in days."""
        return int(self.values.max())

    @property
    def is_fixed(self) -> bool:
        return len(self.support) == 1

    def sample(self, rng: np.random.Generator, size: int | tuple[int, ...]) -> NDArray[np.int64]:
        """Draw delays (days) of the given shape."""
        if self.is_fixed:
            return np.full(size, self.support[0], dtype=np.int64)
        if self._contiguous_uniform:
            return rng.integers(self.support[0], self.support[-1] + 1, size=size, dtype=np.int64)
        return self.quantile(rng.random(size))

    def quantile(self, uniforms: NDArray[np.float64]) -> NDArray[np.int64]:
        """Inverse CDF: the delay for each uniform in [0, 1) (for common random numbers)."""
        index = np.searchsorted(self._cdf, np.asarray(uniforms), side="right")
        return self.values[np.minimum(index, len(self.support) - 1)]

    def __str__(self) -> str:
        return self.label or f"days{self.support}"


def Fixed(days: int) -> DayDistribution:
    """Always ``days`` days."""
    value = whole_days(days)
    return DayDistribution((value,), (1.0,), label=f"{value} d")


def Uniform(low: int, high: int) -> DayDistribution:
    """Whole days ``low..high`` inclusive, equally likely (mean (low+high)/2)."""
    first, last = whole_days(low, "low"), whole_days(high, "high")  # before the range
    if last < first:
        raise ValueError("high must be at least low")
    days = tuple(range(first, last + 1))
    return DayDistribution(days, tuple(1.0 for _ in days), label=f"uniform {low}-{high} d")


def Triangular(low: int, mode: int, high: int) -> DayDistribution:
    """Triangular distribution on whole days (mean ≈ (low+mode+high)/3)."""
    first, last = whole_days(low, "low"), whole_days(high, "high")  # before the range
    # the mode may lie between two days (7.5): only its bounds are whole
    if isinstance(mode, bool) or not isinstance(mode, numbers.Real) or not math.isfinite(mode):
        raise ValueError(f"mode {mode!r} is not a number of days — fix: {number_fix(mode)}")
    if not low <= mode <= high or high == low:
        raise ValueError("need low <= mode <= high and low < high")
    days = np.arange(first, last + 1)
    weights = np.where(
        days <= mode,
        (days - low + 0.5) / (mode - low + 0.5),
        (high - days + 0.5) / (high - mode + 0.5),
    )
    return DayDistribution(
        tuple(int(d) for d in days),
        tuple(float(w) for w in weights),
        label=f"triangular {low}/{mode}/{high} d",
    )


def LogNormal(mean: float, cv: float) -> DayDistribution:
    """Log-normal with the given mean (days) and coefficient of variation, on whole days.

    The continuous density is integrated over each day ``[d-0.5, d+0.5)`` and
    truncated at the 99.9th percentile, so the discrete mean is close to ``mean``.
    """
    if not 0 < mean <= MAX_DELAY_DAYS or not 0 < cv <= MAX_LOGNORMAL_CV:
        raise ValueError(
            f"a log-normal needs a mean in (0, {MAX_DELAY_DAYS}] days and a cv in "
            f"(0, {MAX_LOGNORMAL_CV:g}] — fix: write e.g. {{dist: lognormal, mean: 60, cv: 0.5}}"
        )
    sigma2 = math.log1p(cv * cv)
    mu = math.log(mean) - sigma2 / 2
    sigma = math.sqrt(sigma2)
    top = min(MAX_DELAY_DAYS, math.ceil(math.exp(mu + 3.1 * sigma)))
    edges = np.arange(0, top + 2) - 0.5
    edges[0] = 1e-12
    cdf = 0.5 * (1 + _erf((np.log(edges) - mu) / (sigma * math.sqrt(2))))
    weights = np.diff(cdf)
    days = np.arange(0, top + 1)
    keep = weights > 0
    return DayDistribution(
        tuple(int(d) for d in days[keep]),
        tuple(float(w) for w in weights[keep]),
        label=f"lognormal mean {mean:g} d cv {cv:g}",
    )


def Empirical(values: list[int], weights: list[float] | None = None) -> DayDistribution:
    """Explicit days with optional weights (equal by default)."""
    days = tuple(whole_days(v, "values") for v in values)
    if weights is None:
        weights = [1.0] * len(days)
    return DayDistribution(days, tuple(float(w) for w in weights), label="empirical")


def _erf(x: NDArray[np.float64]) -> NDArray[np.float64]:
    from scipy.special import erf

    return np.asarray(erf(x), dtype=np.float64)


def from_spec(spec: Any) -> DayDistribution:
    """Build a distribution from its YAML form (a number of days or a mapping).

    Raises ``ValueError`` with a readable message for a malformed spec.
    """
    if isinstance(spec, DayDistribution):
        return spec
    if isinstance(spec, bool):
        raise ValueError("expected a number of days or a {dist: ...} mapping, got a boolean")
    if isinstance(spec, numbers.Real):  # numpy's too
        return Fixed(whole_days(spec))
    if not isinstance(spec, dict):
        raise ValueError("expected a number of days or a mapping like {dist: uniform, low, high}")
    kind = str(spec.get("dist", "")).lower()
    args = {k: v for k, v in spec.items() if k != "dist"}
    builders = {
        "fixed": (Fixed, ("days",)),
        "uniform": (Uniform, ("low", "high")),
        "triangular": (Triangular, ("low", "mode", "high")),
        "lognormal": (LogNormal, ("mean", "cv")),
        "empirical": (Empirical, ("values",)),
    }
    if kind not in builders:
        raise ValueError(f"unknown dist '{kind}'; use one of {', '.join(builders)}")
    builder, required = builders[kind]
    missing = [name for name in required if name not in args]
    if missing:
        raise ValueError(f"dist {kind} needs {', '.join(required)}; missing {', '.join(missing)}")
    for name, value in args.items():
        if name not in (*required, "weights"):
            continue  # an unknown parameter: the builder names it
        for item in value if isinstance(value, list | tuple) else [value]:  # values, weights
            if isinstance(item, bool) or not isinstance(item, numbers.Real):
                raise ValueError(f"dist {kind}: {name} {item!r} is not a number — fix: "
                                 f"{number_fix(item)}")  # fmt: skip
    try:
        built: DayDistribution = builder(**args)  # type: ignore[operator]
        return built
    except TypeError as exc:
        raise ValueError(f"dist {kind}: {exc}") from exc


def to_spec(dist: DayDistribution) -> dict[str, Any] | int:
    """A YAML/JSON form of the distribution (the empirical form for non-fixed ones)."""
    if dist.is_fixed:
        return dist.support[0]
    return {"dist": "empirical", "values": list(dist.support), "weights": list(dist.weights)}


@dataclass(frozen=True)
class Exponential:
    """A continuous exponential time of mean ``mean`` days (a repair bench's service time:
    ``docs/model.md``, *Repair bench*)."""

    mean: float

    def __post_init__(self) -> None:
        if not 0 < self.mean <= MAX_DELAY_DAYS:
            raise ValueError(f"an exponential mean must lie in (0, {MAX_DELAY_DAYS}] days")

    @property
    def variance(self) -> float:
        """Variance in days squared (mean²)."""
        return self.mean * self.mean

    def __str__(self) -> str:
        return f"exponential mean {self.mean:g} d"


#: A service time: whole days from a :class:`DayDistribution`, or continuous exponential.
ServiceTime = DayDistribution | Exponential


def service_from_spec(spec: Any) -> ServiceTime:
    """A service time from its YAML form: ``{dist: exponential, mean: m}`` or anything
    :func:`from_spec` reads. Raises ``ValueError`` for a malformed spec."""
    if isinstance(spec, Exponential):
        return spec
    if isinstance(spec, dict) and str(spec.get("dist", "")).lower() == "exponential":
        extra = sorted(set(spec) - {"dist", "mean"})
        if "mean" not in spec or extra:
            raise ValueError("dist exponential takes exactly one parameter, mean (days)")
        mean = spec["mean"]
        if isinstance(mean, bool) or not isinstance(mean, numbers.Real):
            raise ValueError(f"dist exponential: mean {mean!r} is not a number of days — fix: "
                             f"{number_fix(mean)}")  # fmt: skip
        return Exponential(float(mean))
    return from_spec(spec)


def service_to_spec(service: ServiceTime) -> dict[str, Any] | int:
    """The YAML/JSON form of a service time (see :func:`to_spec`)."""
    if isinstance(service, Exponential):
        return {"dist": "exponential", "mean": service.mean}
    return to_spec(service)
