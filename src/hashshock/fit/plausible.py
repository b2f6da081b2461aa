"""Do the data agree with the bundled rate a part type keeps for want of failures?

A part type with too few failures to fit (or whose fit fails) keeps its bundled rows.
That is right when the data are merely thin, wrong when they contradict the bundled
rate: 1 failure where the bundled rate predicts 100, or 12 where it predicts 0.01. The
failures the bundled rows predict over the observed exposure are, with
H(a) = m₁·(a/365)^k per slot (docs/model.md, "Failures") and each machine's bundled row
(:func:`~hashshock.inputs.catalog.failure_prior`: slug, family, then ``*``),

    μ = Σ_machines n · (H(a_end) − H(a₀)),                                     (1)

n the machine's slots of the part, [a₀, a_end] its observed ages in days
(:class:`~hashshock.fit.history.MachineHistory`: ``start_age``, ``end_age``). Under the
bundled rows the observed count D is Poisson(μ) (an NHPP's count over a window), and the
two-sided p-value is

    p = min(1, 2 · min(P(X ≤ D), P(X ≥ D))),  X ~ Poisson(μ).                  (2)
"""

from __future__ import annotations

from collections.abc import Iterable

from scipy.stats import poisson

from hashshock.fit.history import DAYS_PER_YEAR, MachineHistory
from hashshock.inputs.catalog import PartType, failure_prior

IMPLAUSIBLE_BELOW = 0.01
"""A two-sided Poisson p-value (2) below this says the data disagree with the bundled rate."""


def bundled_expected_failures(histories: Iterable[MachineHistory], part: PartType) -> float:
    """μ of equation (1): failures of ``part`` the bundled rows predict over each
    machine's observed ages (machines without the part add nothing)."""
    total = 0.0
    for h in histories:
        slots = h.model.parts_per_machine(part)
        ages = h.ages_observed(part)
        if slots <= 0 or ages is None:
            continue
        row = failure_prior(part, h.model)
        k, m1 = row.weibull_shape, row.first_year_failures_per_part
        start, end = ages[0] / DAYS_PER_YEAR, ages[1] / DAYS_PER_YEAR
        total += slots * m1 * (end**k - start**k)
    return total


def poisson_two_sided_p(observed: int, expected: float) -> float:
    """p of equation (2): how surprising ``observed`` counts are under Poisson(``expected``)."""
    if expected <= 0:
        return 1.0 if observed == 0 else 0.0
    low = float(poisson.cdf(observed, expected))
    high = float(poisson.sf(observed - 1, expected))
    return min(1.0, 2.0 * min(low, high))
