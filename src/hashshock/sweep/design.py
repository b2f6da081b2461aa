"""The points of a sweep: which value each input takes at each point.

Every sweep has a *base* point (every input at the value the base files give it);
then, by method:

* ``grid``: every combination of the inputs' values (full factorial);
* ``oneway``: each input over its values with the others at base (spider chart);
* ``tornado``: each input alone at its low and high percentile (10th and 90th by
  default, as Crystal Ball does), the others at base: 2 × inputs points;
* ``sobol``: Saltelli's scheme over Sobol' sequences (SALib), N × (inputs + 2) points;
* ``lhs``: a Latin hypercube of N points (SALib).

A range ``low``/``high`` is a uniform distribution on [low, high]; ``p10``/``p90`` are that
uniform's 10th and 90th percentiles, so [low, high] = [p10 − w/8, p90 + w/8] with
w = p90 − p10. Inputs whose base value is a whole number (or marked ``integer``) take
whole values (rounded half to even) where the sweep computes them (steps, percentiles,
samples); ``values`` are used as given.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hashshock.sweep.spec import SweepInput, SweepSpec

Value = float | int | str | bool


@dataclass(frozen=True)
class InputRange:
    """An input with what the sweep needs of it: the uniform [low, high] (None for an input
    given by values), its base value and whether it takes whole values."""

    spec: SweepInput
    base: Any
    low: float | None
    high: float | None
    integer: bool

    @property
    def name(self) -> str:
        return self.spec.name

    def value(self, x: float) -> Value:
        """``x`` as this input takes it (whole if it is an integer input)."""
        return round(x) if self.integer else float(x)

    def computed(self, x: float) -> Value:
        """A value computed from the range (a grid step, a percentile), as :meth:`value`,
        to 12 significant digits: 0.1 + 0.7 × 0.2 is 0.24, not 0.24000000000000002."""
        return self.value(float(f"{x:.12g}"))

    def at_percentile(self, q: float) -> Value:
        """The value at percentile ``q`` (0-100) of the input's uniform distribution."""
        p = self.spec
        if p.p10 is not None and p.p90 is not None and q in (10.0, 90.0):
            return self.value(p.p10 if q == 10.0 else p.p90)  # as given, not recomputed
        assert self.low is not None and self.high is not None
        return self.computed(self.low + (self.high - self.low) * q / 100.0)

    def levels(self) -> list[Value]:
        """grid / oneway: the values given, or ``steps`` equally spaced over the range."""
        if self.spec.values is not None:
            return list(self.spec.values)  # as given: a value that does not fit is reported
        assert self.low is not None and self.high is not None and self.spec.steps is not None
        grid = np.linspace(self.low, self.high, self.spec.steps)
        out: list[Value] = []
        for x in grid:
            v = self.computed(float(x))
            if v not in out:
                out.append(v)
        return out


def input_range(spec: SweepInput, base: Any, declared_whole: bool | None = None) -> InputRange:
    """What the sweep needs of input ``spec`` whose base value is ``base``;
    ``declared_whole``: whether its field is declared a whole number, which a field left
    unset (``base`` None) follows (None: not known, the spec's own numbers say)."""
    low: float | None
    high: float | None
    if spec.low is not None and spec.high is not None:
        low, high = spec.low, spec.high
    elif spec.p10 is not None and spec.p90 is not None:
        width = (spec.p90 - spec.p10) / 0.8
        low, high = spec.p10 - 0.1 * width, spec.p90 + 0.1 * width
    else:
        low = high = None
    if spec.integer is not None:
        integer = spec.integer
    elif base is None and declared_whole is not None:
        integer = declared_whole  # overhead 0 to 1 is dollars, not 0 or 1 whole ones
    elif base is None:
        given = [spec.low, spec.high, spec.p10, spec.p90, *(spec.values or [])]
        integer = all(float(v).is_integer() for v in given if isinstance(v, int | float))
    else:
        integer = isinstance(base, int) and not isinstance(base, bool)
    return InputRange(spec, base, low, high, integer)


@dataclass(frozen=True)
class PointPlan:
    """One point: its role (``base``, ``low``, ``high``, ``level``, ``grid``, ``sample``),
    the input it varies (one-at-a-time methods) and the value of every varied input."""

    role: str
    values: dict[int, Value]
    input: int | None = None


def _problem(ranges: list[InputRange]) -> dict[str, Any]:
    return {
        "num_vars": len(ranges),
        "names": [r.name for r in ranges],
        "bounds": [[r.low, r.high] for r in ranges],
    }


def sobol_matrix(ranges: list[InputRange], n: int, seed: int) -> NDArray[np.float64]:
    """Saltelli's sample over scrambled Sobol' sequences: ``[n × (d + 2), d]`` (first-order
    and total indices, no second order)."""
    from SALib.sample import sobol

    matrix = sobol.sample(_problem(ranges), n, calc_second_order=False, scramble=True, seed=seed)
    return np.asarray(matrix, dtype=np.float64)


def lhs_matrix(ranges: list[InputRange], n: int, seed: int) -> NDArray[np.float64]:
    """A Latin hypercube of ``n`` points ``[n, d]``: each input's range cut into ``n``
    equal strata, one point in each."""
    from SALib.sample import latin

    return np.asarray(latin.sample(_problem(ranges), n, seed=seed), dtype=np.float64)


def plan_points(spec: SweepSpec, ranges: list[InputRange]) -> list[PointPlan]:
    """The base point, then the method's points (module docstring)."""
    base = PointPlan("base", {})
    method = spec.method
    if method == "tornado":
        lo, hi = spec.percentiles
        points = [base]
        for i, r in enumerate(ranges):
            points.append(PointPlan("low", {i: r.at_percentile(lo)}, i))
            points.append(PointPlan("high", {i: r.at_percentile(hi)}, i))
        return points
    if method == "oneway":
        return [base] + [PointPlan("level", {i: v}, i)
                         for i, r in enumerate(ranges) for v in r.levels()]  # fmt: skip
    if method == "grid":
        combos = itertools.product(*(r.levels() for r in ranges))
        return [base] + [PointPlan("grid", dict(enumerate(combo))) for combo in combos]
    n, seed = spec.sample_count, spec.sample_seed
    matrix = sobol_matrix(ranges, n, seed) if method == "sobol" else lhs_matrix(ranges, n, seed)
    return [base] + [
        PointPlan("sample", {i: r.value(float(x)) for i, (r, x) in enumerate(zip(ranges, row,
                                                                             strict=True))})
        for row in matrix
    ]  # fmt: skip


def count_points(spec: SweepSpec, ranges: list[InputRange]) -> int:
    """How many points :func:`plan_points` gives, without building them."""
    d = len(ranges)
    if spec.method == "tornado":
        return 1 + 2 * d
    if spec.method == "oneway":
        return 1 + sum(len(r.levels()) for r in ranges)
    if spec.method == "grid":
        return 1 + int(np.prod([len(r.levels()) for r in ranges]))
    n = spec.sample_count
    return 1 + (n * (d + 2) if spec.method == "sobol" else n)
