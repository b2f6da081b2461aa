"""Failure clocks from the plan's daily hazard (docs/model.md "Failures").

A part slot of type *p* in cohort *c* fails on day *t* with probability
``plan.hazard[c, p, t]``, independently per slot and day, while its machine runs.
Rather than flipping a coin per slot and day, a machine draws the first day on which
*any* of its stop-part slots fails, and each working board the first day it fails:
with ``Λ(t) = Σ_{s<t} −log(1 − p_s)`` and ``E ~ Exp(1)`` the first failure day from
``t0`` is the smallest ``t ≥ t0`` with ``Λ(t + 1) − Λ(t0) > E``. This is exactly the
daily Bernoulli rule (``P(no failure on day t) = 1 − p_t``), only cheaper. A machine
that stops, is swapped or disabled simply draws new clocks when it runs again
(the days are independent, so this is exact too).

The cause of a stop follows the documented check order fan, PSU, control board: the
machine stops for the first type (in that order) with a failed slot.
"""

from __future__ import annotations

from bisect import bisect_right

import numpy as np
from tests.reference.timing import NEVER

from hashshock.plan import Plan


class FailureClocks:
    """Per-cohort cumulative hazards of "machine stops" and "one board fails"."""

    def __init__(self, plan: Plan) -> None:
        hazard = np.clip(plan.hazard, 0.0, 1.0 - 1e-15)  # [C, 4, T]
        slots = plan.cohort_stop_parts.astype(np.float64)  # [C, 3]
        self.horizon = plan.horizon_days
        stop_rate = (slots[:, :, None] * -np.log1p(-hazard[:, 1:, :])).sum(axis=1)  # [C, T]
        board_rate = -np.log1p(-hazard[:, 0, :])  # [C, T]
        self._stop_cum = [_cumulative(row) for row in stop_rate]
        self._board_cum = [_cumulative(row) for row in board_rate]
        # P(some slot of the first k stop-part types fails on day t), k = 1..3.
        q = 1.0 - (1.0 - hazard[:, 1:, :]) ** slots[:, :, None]  # [C, 3, T]
        self._cause_cum = 1.0 - np.cumprod(1.0 - q, axis=1)

    def _next(self, cum: list[float], day: int, rng: np.random.Generator) -> int:
        if day >= self.horizon:
            return NEVER
        target = cum[day] + rng.exponential()
        hit = bisect_right(cum, target) - 1
        return hit if hit < self.horizon else NEVER

    def next_stop_day(self, cohort: int, day: int, rng: np.random.Generator) -> int:
        """First day ``≥ day`` on which some stop-part slot of a running machine fails."""
        return self._next(self._stop_cum[cohort], day, rng)

    def next_board_day(self, cohort: int, day: int, rng: np.random.Generator) -> int:
        """First day ``≥ day`` on which one working hashboard slot fails."""
        return self._next(self._board_cum[cohort], day, rng)

    def stop_cause(self, cohort: int, day: int, rng: np.random.Generator) -> int:
        """Index (0 fan, 1 PSU, 2 control board) of the part that stopped the machine.

        Given that some stop part failed on ``day``, the cause is the first type, in
        check order, with a failed slot.
        """
        cum = self._cause_cum[cohort, :, day]
        u = rng.random() * cum[-1]
        return min(int(np.searchsorted(cum, u, side="right")), 2)


def _cumulative(rate: np.ndarray) -> list[float]:
    return [0.0, *np.cumsum(rate).tolist()]
