"""The failures pass (:mod:`hashshock.engine.failures`): one day of failures against
the binomial law of the per-machine competing-risk model."""

from __future__ import annotations

import numpy as np
import pytest
from tests.engine.helpers import plan_for, with_constant_hazard

from hashshock.engine import simulate


def test_one_day_of_failures_is_binomial() -> None:
    """Day 0 with constant hazard: stops ~ Binomial(n, 1 − Π(1 − h)^{slots}) per cohort."""
    hazard = [0.0, 2e-3, 1e-3, 5e-4]
    plan = with_constant_hazard(plan_for(horizon=1), hazard)
    paths = 20_000
    out = simulate(plan, paths, seed=2)
    machines = plan.cohort_initial - plan.cohort_initial_down.sum(axis=1)
    q_run = np.prod((1.0 - np.array(hazard[1:])) ** plan.cohort_stop_parts, axis=1)
    n, p = machines, 1.0 - q_run
    mean, var = float((n * p).sum()), float((n * p * (1 - p)).sum())
    stops = out.failures[:, 1:].sum(axis=1).astype(float)
    assert abs(stops.mean() - mean) < 5 * np.sqrt(var / paths)
    # Dispersion of a sum of binomials: var/mean = 1 − p (not Poisson's 1).
    assert stops.var(ddof=1) == pytest.approx(var, rel=5 * np.sqrt(2 / paths))
