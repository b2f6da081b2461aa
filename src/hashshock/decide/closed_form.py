"""METRIC / VARI-METRIC expected backorders and Sherbrooke's marginal analysis.

Notation of Sherbrooke, *Optimal Inventory Modeling of Systems: Multi-Echelon
Techniques*, 2nd ed. (Kluwer, 2004), chapters 2-5, for one echelon (each spare pool is a
"base" resupplied by repair or purchase with ample capacity):

* **Palm's theorem** (Palm 1938; Sherbrooke eq. 2.3): if failures arrive as a Poisson
  process of rate λ (parts per day) and each resupply takes an independent time of mean
  T days (any distribution), the number X of parts in resupply (the *pipeline*) is
  Poisson with mean μ = λ·T. A mixture of routes (in-house repair with probability i,
  vendor repair v, scrap and re-buy s) has T = i·T_in + v·T_vendor + s·T_buy.
* **Backorders** (eq. 2.8-2.10): with a base-stock level s (one-for-one, (s−1, s)
  policy), on hand − backorders = s − X, so the backorders are (X − s)⁺ and

      EBO(s) = Σ_{x>s} (x − s)·P(X = x),    EBO(s + 1) = EBO(s) − P(X > s),   EBO(0) = μ.

* **VARI-METRIC** (Sherbrooke 1986, Operations Research 34(2):311-319; book ch. 4):
  when the pipeline's variance-to-mean ratio V = σ²/μ exceeds 1, X is taken as negative
  binomial with the same mean and variance (r = μ/(V − 1), p = 1/V); V = 1 is METRIC's
  Poisson. In one echelon with Poisson demand Palm's theorem gives V = 1 exactly; V > 1
  stands for extra demand variance (uncertain failure rates).
* **Availability** (eq. 5.1, additive form for many systems): with N machines and
  w_j machine-equivalents lost per backorder of pool j (1 for a part that stops the
  machine, 1/boards for a hashboard: the machine keeps running on its other boards),

      A(s) = 1 − Σ_j w_j·EBO_j(s_j) / N.

* **Marginal analysis** (ch. 2.5, after Fox 1966): add, one unit at a time, the unit
  with the largest availability gain per dollar, w_j·P(X_j > s_j) / (N·c_j). Because
  each EBO_j is convex in s_j, every point of the resulting curve is optimal for its
  cost: no stock of equal or lower cost has a higher availability (tests/decide check
  this against exhaustive search). Units a pool already holds are kept: the curve
  starts at today's stock and its cost is what must be *bought*.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: Each pool's curve is cut where P(X > s) falls below this (availability lost beyond it
#: is below 1e-9 machine-equivalents per pool).
TAIL = 1e-9
#: Frontier points kept for output (the curve has one point per unit).
FRONTIER_POINTS = 200


def pipeline_tail(mean: float, variance_to_mean: float, stock_max: int) -> FloatArray:
    """P(X > s) for s = 0 … stock_max: Poisson(mean) when ``variance_to_mean`` ≤ 1 (METRIC),
    else the negative binomial of that mean and variance (VARI-METRIC)."""
    from scipy import stats

    s = np.arange(stock_max + 1)
    if mean <= 0:
        return np.zeros(stock_max + 1)
    if variance_to_mean <= 1.0 + 1e-12:
        return np.asarray(stats.poisson.sf(s, mean), dtype=np.float64)
    r = mean / (variance_to_mean - 1.0)
    return np.asarray(stats.nbinom.sf(s, r, 1.0 / variance_to_mean), dtype=np.float64)


def stock_bound(mean: float, variance_to_mean: float = 1.0) -> int:
    """The stock beyond which P(X > s) < :data:`TAIL` (where each pool's curve stops)."""
    from scipy import stats

    if mean <= 0:
        return 0
    if variance_to_mean <= 1.0 + 1e-12:
        return int(stats.poisson.isf(TAIL, mean)) + 1
    r = mean / (variance_to_mean - 1.0)
    return int(stats.nbinom.isf(TAIL, r, 1.0 / variance_to_mean)) + 1


def expected_backorders(mean: float, stock: int, variance_to_mean: float = 1.0) -> float:
    """EBO(s) of a pipeline of ``mean`` parts at base stock ``stock`` (parts)."""
    if stock <= 0:
        return float(mean)
    tail = pipeline_tail(mean, variance_to_mean, stock - 1)
    return float(max(mean - tail.sum(), 0.0))


@dataclass(frozen=True)
class PoolInputs:
    """What the closed form needs per pool ``j`` (arrays of length J).

    ``pipeline_mean`` μ_j (parts, = λ_j·T_j), ``variance_to_mean`` V_j, ``unit_cost_usd``
    c_j (USD per part), ``weight`` w_j (machine-equivalents lost per backorder),
    ``current`` the stock held today (parts, free), ``machines`` N.
    """

    pipeline_mean: FloatArray
    variance_to_mean: FloatArray
    unit_cost_usd: FloatArray
    weight: FloatArray
    current: IntArray
    machines: float

    def availability(self, stock: IntArray) -> float:
        """A(s) = 1 − Σ w_j EBO_j(s_j) / N."""
        ebo = [expected_backorders(m, int(s), v) for m, s, v in
               zip(self.pipeline_mean, stock, self.variance_to_mean, strict=True)]  # fmt: skip
        return 1.0 - float(np.dot(self.weight, ebo)) / self.machines

    def cost(self, stock: IntArray) -> float:
        """USD to buy beyond the current stock: Σ c_j (s_j − current_j)⁺."""
        extra = np.maximum(np.asarray(stock) - self.current, 0)
        return float(np.dot(extra, self.unit_cost_usd))


@dataclass(frozen=True)
class Frontier:
    """The marginal-analysis curve from today's stock: after k units bought (k = 0: none)
    the cost ``cost_usd[k]`` (USD) and availability ``availability[k]``; unit k + 1 went to
    pool ``order[k]``."""

    inputs: PoolInputs
    order: IntArray
    cost_usd: FloatArray
    availability: FloatArray

    def stock_at(self, k: int) -> IntArray:
        """Stock per pool after the first ``k`` units bought."""
        bought = np.bincount(self.order[:k], minlength=len(self.inputs.pipeline_mean))
        return (self.inputs.current + bought).astype(np.int64)

    def first_reaching(self, target: float) -> int | None:
        """The fewest units whose availability is ≥ ``target`` (None: not on the curve)."""
        hits = np.flatnonzero(self.availability >= target)
        return int(hits[0]) if hits.size else None

    def within_budget(self, budget_usd: float) -> int:
        """The most units whose cost is ≤ ``budget_usd``."""
        return int(np.searchsorted(self.cost_usd, budget_usd, side="right")) - 1

    def points(self, n: int = FRONTIER_POINTS) -> list[tuple[float, float]]:
        """(cost USD, availability) at up to ``n`` points of the curve, first and last in."""
        steps = np.unique(np.linspace(0, self.cost_usd.size - 1, n).round().astype(int))
        return [(float(self.cost_usd[k]), float(self.availability[k])) for k in steps]


def marginal_analysis(inputs: PoolInputs) -> Frontier:
    """Sherbrooke's marginal analysis over every pool (module docstring), vectorised.

    Each pool's gains w_j P(X_j > s)/N fall with s, so ordering all (pool, unit) gains per
    dollar from the highest reproduces the one-unit-at-a-time greedy exactly (a stable
    sort keeps each pool's units in order). The curve starts at today's stock.
    """
    gains, costs, owners = [], [], []
    for j, (mean, vtm) in enumerate(zip(inputs.pipeline_mean, inputs.variance_to_mean,
                                        strict=True)):  # fmt: skip
        held = int(inputs.current[j])
        bound = max(stock_bound(float(mean), float(vtm)), held)
        tail = pipeline_tail(float(mean), float(vtm), bound)[held:bound]
        gains.append(inputs.weight[j] * tail / inputs.machines)
        costs.append(np.full(tail.size, float(inputs.unit_cost_usd[j])))
        owners.append(np.full(tail.size, j, dtype=np.int64))
    gain_all = np.concatenate(gains) if gains else np.zeros(0)
    cost_all = np.concatenate(costs) if costs else np.zeros(0)
    owner_all = np.concatenate(owners) if owners else np.zeros(0, dtype=np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(cost_all > 0, gain_all / np.where(cost_all > 0, cost_all, 1.0), np.inf)
    rank = np.lexsort((np.arange(ratio.size), -ratio))
    start = inputs.availability(inputs.current)
    availability = np.concatenate([[start], start + np.cumsum(gain_all[rank])])
    cost = np.concatenate([[0.0], np.cumsum(cost_all[rank])])
    return Frontier(inputs, owner_all[rank], cost, np.minimum(availability, 1.0))
