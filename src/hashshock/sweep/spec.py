"""The sweep spec (YAML): a base, the inputs to vary, how, and what to measure.

``hashshock.sweep.spec.SweepSpec.model_json_schema()`` is its JSON Schema. Relative
file names in ``base`` start at the spec's folder. Every check here raises an
:class:`~hashshock.inputs.errors.InputError` naming the spec file, the field and the fix.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from hashshock.inputs.errors import InputError, from_validation_error, number_fix
from hashshock.inputs.files import read_yaml_mapping
from hashshock.inputs.strict import InputModel
from hashshock.prepare import MAX_HORIZON_DAYS, MAX_PATHS

Method = Literal["grid", "oneway", "tornado", "sobol", "lhs"]
METHODS: tuple[Method, ...] = ("grid", "oneway", "tornado", "sobol", "lhs")


def _date_as_text(value: Any) -> Any:
    """A date YAML read from ``2027-01-01`` unquoted, as the text a fleet's date field
    takes (quoted, it was already; unquoted it failed as "not a valid number")."""
    return value.isoformat() if isinstance(value, dt.date) else value


Scalar = Annotated[float | int | str | bool, BeforeValidator(_date_as_text)]


def _a_number(value: Any) -> Any:
    """A range's end must be written as a number: the text ``'0.2'`` read as 0.2 would
    hide a slip (``values`` refuse it as well; True or False, every number field)."""
    if isinstance(value, str):
        raise ValueError(f"{value!r} is not a number — fix: {number_fix(value)}")
    return value


#: A range's end (``low``, ``high``, ``p10``, ``p90``): a number as written.
RangeEnd = Annotated[float | None, BeforeValidator(_a_number)]
#: Most points one sweep may run.
MAX_POINTS = 100_000


class _Strict(InputModel):
    model_config = ConfigDict(extra="forbid")


class BaseInputs(_Strict):
    """The inputs every point starts from (files relative to the spec's folder): a fleet,
    or an industry (docs/sweeps.md, "An industry as the base")."""

    fleet: str | None = Field(None, description="Fleet YAML file")
    industry: str | None = Field(
        None, description="Industry YAML file or a bundled industry's name (us), instead of "
        "a fleet",
    )  # fmt: skip
    scenario: str = Field("baseline", description="Built-in scenario name or scenario YAML file")
    market: str | None = Field(None, description="Market YAML file; default: bundled market")

    @model_validator(mode="after")
    def _one_base(self) -> BaseInputs:
        if self.fleet is not None and self.industry is not None:
            raise ValueError("gives both a fleet and an industry, and a sweep varies one — "
                             "fix: keep one of them: base: {fleet: fleet.yaml} or "
                             "base: {industry: us}")  # fmt: skip
        if self.fleet is None and self.industry is None:
            raise ValueError("give a fleet or an industry — fix: base: {fleet: fleet.yaml} or "
                             "base: {industry: us}")  # fmt: skip
        return self


class SweepInput(_Strict):
    """One input to vary: a field path and its range (``low``/``high``: a uniform
    distribution; or ``p10``/``p90``: the same uniform's 10th and 90th percentiles) or its
    ``values``."""

    path: str = Field(description="e.g. scenario.events[border-enforcement].hold_days.mode")
    label: str | None = Field(None, description="Name shown in charts; default: the path")
    low: RangeEnd = Field(None, description="Lowest value of a uniform range")
    high: RangeEnd = Field(None, description="Highest value of a uniform range")
    p10: RangeEnd = Field(None, description="10th percentile (with p90: a uniform range)")
    p90: RangeEnd = Field(None, description="90th percentile")
    values: list[Scalar] | None = Field(None, min_length=1, description="Values to try")
    steps: int | None = Field(
        None, ge=2, le=1000, description="grid / oneway from a range: equally spaced values"
    )
    integer: bool | None = Field(
        None, description="Round values to whole numbers; default: when the base value is one"
    )

    @model_validator(mode="after")
    def _one_range(self) -> SweepInput:
        given = [name for name, ok in (
            ("low/high", self.low is not None or self.high is not None),
            ("p10/p90", self.p10 is not None or self.p90 is not None),
            ("values", self.values is not None),
        ) if ok]  # fmt: skip
        if len(given) != 1:
            raise ValueError(
                "give one of low/high, p10/p90 or values — fix: e.g. {low: 0.5, high: 2}"
                if not given else f"gives {' and '.join(given)} — fix: keep one of them"
            )  # fmt: skip
        for lo, hi, a, b in (("low", "high", self.low, self.high), ("p10", "p90", self.p10,
                                                                   self.p90)):  # fmt: skip
            if (a is None) != (b is None):
                raise ValueError(f"{lo} and {hi} go together — fix: give both")
            for name, bound in ((lo, a), (hi, b)):
                if bound is not None and not math.isfinite(bound):
                    raise ValueError(f"{name} {bound} is not a finite number — fix: write one")
            if a is not None and b is not None and a > b:
                raise ValueError(f"{lo} {a:g} is above {hi} {b:g} — fix: swap them")
            if a is not None and a == b:
                raise ValueError(f"{lo} and {hi} are both {a:g}, so the input does not vary "
                                 "— fix: widen the range, or leave the input out")  # fmt: skip
        for k, value in enumerate(self.values or []):
            if isinstance(value, float) and not math.isfinite(value):
                raise ValueError(f"values[{k}] {value} is not a finite number — fix: write one")
            if value in (self.values or [])[:k]:  # the same point run twice
                first = (self.values or []).index(value)
                raise ValueError(f"values[{k}] {value!r} is values[{first}] again — fix: "
                                 "list each value once")  # fmt: skip
        return self

    @property
    def name(self) -> str:
        return self.label or self.path


#: Fields of a spec that only some methods read: given to another, they would do nothing.
METHOD_FIELDS: dict[str, tuple[str, ...]] = {
    "samples": ("sobol", "lhs"), "sampling_seed": ("sobol", "lhs"),
    "percentiles": ("tornado",), "confidence": ("sobol",), "resamples": ("sobol",),
}  # fmt: skip
#: Fewest Latin-hypercube points: the rank correlations it reports need three.
MIN_LHS_SAMPLES = 3
#: Fewest Sobol' base samples N. The intervals are a bootstrap over the N base rows, and
#: N rows have only C(2N − 1, N) distinct resamples: 3 at N = 2, 35 at N = 4, 6,435 at
#: N = 8. Below 8 the default 1,000 resamples repeat a handful, and the interval's width
#: says how few there are, not how uncertain the index is (2 samples gave S1 2.06 within
#: ±0.01: an index above 1, narrowly).
MIN_SOBOL_SAMPLES = 8


def tidy_metric(text: str) -> str:
    """A metric's name without spaces around it or its colons (``" availability : 50 "``
    is ``availability:50``): the key its figures go by everywhere."""
    return ":".join(part.strip() for part in text.strip().split(":"))


class SweepSpec(_Strict):
    """A sweep: base inputs, the inputs to vary, the method and the metrics."""

    name: str = Field("sweep", description="Name shown in the report")
    base: BaseInputs
    method: Method = Field(description="grid, oneway, tornado, sobol or lhs")
    metrics: list[str] = Field(min_length=1, description="e.g. covenant_breach:dscr")
    inputs: list[SweepInput] = Field(min_length=1)
    paths: int = Field(1000, ge=1, le=MAX_PATHS, description="Monte Carlo paths per point")
    horizon_days: int = Field(365, ge=1, le=MAX_HORIZON_DAYS)
    seed: int = Field(0, ge=0, le=2**63 - 1, description="The same for every point")
    # No lower bound here: each method says its own least (a bound of 2 here was followed
    # by "need 8" for Sobol'); at most one point fewer than a sweep runs (an LHS adds its
    # base point).
    samples: int | None = Field(
        None, le=MAX_POINTS - 1,
        description="sobol: base samples N (a power of 2; N x (inputs + 2) points); "
        "lhs: points. Default 64 (sobol), 10 per input (lhs)",
    )  # fmt: skip
    percentiles: tuple[float, float] = Field(
        (10.0, 90.0), description="tornado: the input percentiles of low and high (10, 90)"
    )
    sampling_seed: int | None = Field(None, ge=0, description="sobol/lhs samples; default: seed")
    confidence: float = Field(0.95, gt=0, lt=1, description="sobol: level of the intervals")
    resamples: int = Field(1000, ge=10, le=100_000, description="sobol: bootstrap resamples")

    @field_validator("metrics")
    @classmethod
    def _tidy_metrics(cls, metrics: list[str]) -> list[str]:
        return [tidy_metric(m) for m in metrics]

    @model_validator(mode="after")
    def _fits_method(self) -> SweepSpec:
        lo, hi = self.percentiles
        if not 0 <= lo < hi <= 100:
            raise ValueError("percentiles must rise within 0..100 — fix: e.g. [10, 90]")
        paths = [i.path for i in self.inputs]
        twice = sorted({p for p in paths if paths.count(p) > 1})
        if twice:
            raise ValueError(f"{', '.join(twice)} given twice — fix: vary each field once")
        for name, methods in METHOD_FIELDS.items():
            # set to something other than its default (a spec dumped whole and read back
            # carries every default, and `samples: null` says nothing)
            value, default = getattr(self, name), type(self).model_fields[name].default
            if value is not None and value != default and self.method not in methods:
                raise ValueError(f"{name} is for {' and '.join(methods)}, and a {self.method} "
                                 f"sweep takes none — fix: remove it, or use method: "
                                 f"{methods[0]}")  # fmt: skip
        if self.method == "lhs" and self.samples is not None and self.samples < MIN_LHS_SAMPLES:
            raise ValueError(f"samples {self.samples}: a Latin hypercube's correlations need "
                             f"{MIN_LHS_SAMPLES} points or more — fix: give samples: 10 or "
                             "more per input")  # fmt: skip
        for i, item in enumerate(self.inputs):
            ranged = item.values is None
            if item.steps is not None and (not ranged or self.method not in ("grid", "oneway")):
                why = (
                    "beside values, which are the points"
                    if not ranged
                    else (f"and a {self.method} sweep takes none (grid and oneway do)")
                )
                raise ValueError(f"inputs[{i}] ({item.path}) gives steps {why} — fix: "
                                 "remove steps")  # fmt: skip
            if self.method in ("tornado", "sobol", "lhs") and not ranged:
                raise ValueError(
                    f"inputs[{i}] ({item.path}) gives values; {self.method} needs a range — "
                    "fix: give low/high (a uniform range) or p10/p90"
                )  # fmt: skip
            if self.method in ("grid", "oneway") and ranged and item.steps is None:
                raise ValueError(
                    f"inputs[{i}] ({item.path}): {self.method} needs values or steps — "
                    "fix: add steps: 5 (equally spaced over the range) or give values"
                )  # fmt: skip
        if self.method == "sobol" and self.samples is not None:
            n = self.samples
            if n < MIN_SOBOL_SAMPLES:
                raise ValueError(f"samples {n}: Sobol' intervals need {MIN_SOBOL_SAMPLES} "
                                 "samples or more (fewer give too few distinct bootstrap "
                                 f"resamples to measure anything) — fix: use "
                                 f"{MIN_SOBOL_SAMPLES} or more, a power of 2 (32 or 64 "
                                 "to rank inputs)")  # fmt: skip
            if n & (n - 1):
                low = 1 << (n.bit_length() - 1)
                raise ValueError(f"samples {n} is not a power of 2 (Sobol' sequences need one) "
                                 f"— fix: use {low} or {low * 2}")  # fmt: skip
        return self

    @property
    def sample_seed(self) -> int:
        return self.seed if self.sampling_seed is None else self.sampling_seed

    def method_settings(self) -> dict[str, Any]:
        """What the method was asked for beyond its inputs, for the result to say what
        low, high and the intervals meant: a tornado's percentiles; the samples, their
        seed (and for Sobol' the intervals' level and resamples) of a sampled sweep."""
        if self.method == "tornado":
            return {"percentiles": list(self.percentiles)}
        if self.method == "sobol":
            return {"samples": self.sample_count, "sampling_seed": self.sample_seed,
                    "confidence": self.confidence, "resamples": self.resamples}  # fmt: skip
        if self.method == "lhs":
            return {"samples": self.sample_count, "sampling_seed": self.sample_seed}
        return {}

    @property
    def sample_count(self) -> int:
        """sobol: base samples N; lhs: points."""
        if self.samples is not None:
            return self.samples
        return 64 if self.method == "sobol" else 10 * len(self.inputs)


def spec_from_mapping(data: dict[str, Any], source: str | Path | None = None) -> SweepSpec:
    """Validate a parsed spec; errors name ``source`` (the spec file). numpy's numbers
    and paths in it count as the numbers and file names they hold."""
    from hashshock.inputs.load import plain_numbers

    try:
        return SweepSpec.model_validate(plain_numbers(data))
    except ValidationError as exc:
        raise from_validation_error(exc, source, SweepSpec) from None


def load_spec(path: str | Path) -> SweepSpec:
    """Read and validate a sweep spec YAML file (a sweep's JSON is refused by name: it is
    drawn again, by ``hashshock sweep FILE.json --report`` or
    :func:`hashshock.sweep.result.load_result`, not run)."""
    file = Path(path).expanduser()
    data = read_yaml_mapping(file, "sweep spec")
    if {"sweep", "points"} <= data.keys():  # what `hashshock sweep --json` writes
        raise InputError(file, None, "is a sweep's JSON (its results), not a spec to run",
                         "give the spec (YAML) to run it; to draw it again, "
                         "hashshock.sweep.result.load_result(FILE) or `hashshock sweep FILE "
                         "--report r.html`")  # fmt: skip
    return spec_from_mapping(data, file)


def check_points(count: int, source: str | Path | None) -> None:
    """Refuse a sweep of more than :data:`MAX_POINTS` points."""
    if count > MAX_POINTS:
        raise InputError(
            source, "inputs", f"{count:,} points is more than one sweep runs",
            f"use fewer values, inputs or samples (at most {MAX_POINTS:,})",
        )  # fmt: skip
