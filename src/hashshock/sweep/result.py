"""A sweep's result: its points with their inputs and metrics, the method's analysis and
the base runs; ``to_dict()`` is the JSON ``hashshock sweep --json`` writes (docs/sweeps.md,
"Output") and :func:`result_from_dict` reads it back.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hashshock.inputs.errors import InputError, from_validation_error
from hashshock.inputs.files import read_json
from hashshock.sweep.spec import Method

Value = float | int | str | bool


@dataclass
class SweepPoint:
    """One point: ``role`` (base, low, high, level, grid, sample), the input it varies
    alone (one-at-a-time methods), the values of the inputs it sets (by input name),
    its metrics (None if it failed) and why it failed."""

    index: int
    role: str
    inputs: dict[str, Value]
    metrics: dict[str, float | None] | None
    varies: str | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"index": self.index, "role": self.role}
        if self.varies is not None:
            out["varies"] = self.varies
        out["inputs"] = self.inputs
        out["metrics"] = self.metrics
        if self.error is not None:
            out["error"] = self.error
        return out


@dataclass(repr=False, frozen=True)
class SweepResult:
    """Everything a sweep found (module docstring)."""

    name: str
    method: str
    paths: int
    horizon_days: int
    seed: int
    version: str
    metrics: list[str]
    inputs: list[dict[str, Any]]
    points: list[SweepPoint]
    analysis: dict[str, Any]
    base_runs: list[dict[str, Any]] = field(default_factory=list)
    spec_file: str | None = None  # the spec's file, absolute (None: given as a mapping)
    start_date: str | None = None  # day 0 of every point (YYYY-MM-DD)
    # what the method was asked for: a tornado's percentiles, a sampled sweep's samples
    settings: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        # One line, not every point's runs.
        return (f"SweepResult(name={self.name!r}, method={self.method!r}, "
                f"points={len(self.points)}, inputs={len(self.inputs)}, "
                f"metrics={self.metrics!r}, paths={self.paths:,}, seed={self.seed})")  # fmt: skip

    @property
    def base(self) -> SweepPoint:
        """The point at the spec's own inputs (the first)."""
        return self.points[0]

    @property
    def failed(self) -> list[SweepPoint]:
        """The points whose inputs were invalid, each with its ``error``."""
        return [p for p in self.points if p.error is not None]

    def to_dict(self, runs: bool = True) -> dict[str, Any]:
        """The JSON form; ``runs=False`` leaves out the base runs' full results."""
        out: dict[str, Any] = {
            "sweep": {
                "name": self.name, "method": self.method, "paths": self.paths,
                "horizon_days": self.horizon_days, "seed": self.seed, "version": self.version,
                "spec_file": self.spec_file, "metrics": self.metrics, "inputs": self.inputs,
                **({"start_date": self.start_date} if self.start_date else {}),
                **({"settings": self.settings} if self.settings else {}),
            },
            "base": {"metrics": self.base.metrics},
            self.method: self.analysis,
            "points": [p.to_dict() for p in self.points],
            "failed_points": [{"index": p.index, "inputs": p.inputs, "error": p.error}
                              for p in self.failed],
        }  # fmt: skip
        if runs:
            out["base_runs"] = self.base_runs
        return copy.deepcopy(out)  # the caller's to change: none of it the result's own

    def to_json(self, indent: int | None = None) -> str:
        """:meth:`to_dict` as JSON text (``indent``: spaces, None for one line)."""
        return json.dumps(self.to_dict(), indent=indent, allow_nan=False)


class _Read(BaseModel):
    """A part of a sweep's JSON as :meth:`SweepResult.to_dict` writes it (other keys,
    such as the base point's copy of its metrics, are left to the writer)."""

    model_config = ConfigDict(extra="ignore", strict=False)


class _Head(_Read):
    name: str
    method: Method
    paths: int = Field(ge=1)
    horizon_days: int = Field(ge=1)
    seed: int
    version: str
    metrics: list[str]
    inputs: list[dict[str, Any]]
    spec_file: str | None = None
    start_date: str | None = None
    settings: dict[str, Any] | None = None


class _Point(_Read):
    index: int = Field(ge=0)
    role: str
    inputs: dict[str, Value]
    metrics: dict[str, int | float | None] | None  # as written: a whole number stays one
    varies: str | None = None
    error: str | None = None


class _Sweep(_Read):
    sweep: _Head
    points: list[_Point] = Field(min_length=1)
    base_runs: list[dict[str, Any]] = []


def result_from_dict(data: Any, source: str = "sweep") -> SweepResult:
    """A :class:`SweepResult` from its JSON form; :class:`InputError` naming the field when
    it is not one (a JSON edited by hand, or written by something else)."""
    if not isinstance(data, dict) or not isinstance(data.get("sweep"), dict):
        raise InputError(source, "sweep", "missing — this is not a sweep's JSON",
                         "give a file written by `hashshock sweep --json`")  # fmt: skip
    try:
        read = _Sweep.model_validate(data)
    except ValidationError as exc:
        error = from_validation_error(exc, source)
        raise InputError(error.file, error.field, error.problem,
                         "write it again with `hashshock sweep --json`") from None  # fmt: skip
    head = read.sweep
    again = "write it again with `hashshock sweep --json`"
    if head.method not in data:  # the charts are drawn from it: none would be drawn
        raise InputError(source, head.method, f"missing: the {head.method} sweep's analysis",
                         again)  # fmt: skip
    analysis = data[head.method]
    if not isinstance(analysis, dict):
        raise InputError(source, head.method, f"is {type(analysis).__name__}, not the "
                         f"{head.method}'s analysis (a mapping)", again)  # fmt: skip
    for metric in head.metrics:
        if not isinstance(analysis.get(metric), dict):
            problem = "missing" if metric not in analysis else "not a mapping"
            raise InputError(source, f"{head.method}.{metric}", f"{problem}: the analysis of "
                             "a metric the sweep lists", again)  # fmt: skip
    points = [SweepPoint(p.index, p.role, p.inputs, p.metrics, p.varies, p.error)
              for p in read.points]  # fmt: skip
    return SweepResult(
        name=head.name, method=head.method, paths=head.paths, horizon_days=head.horizon_days,
        seed=head.seed, version=head.version, metrics=head.metrics, inputs=head.inputs,
        points=points, analysis=analysis, base_runs=read.base_runs, spec_file=head.spec_file,
        start_date=head.start_date, settings=dict(head.settings or {}),
    )  # fmt: skip


def load_result(path: str | Path) -> SweepResult:
    """Read a sweep's JSON file."""
    file = Path(path).expanduser()
    data = read_json(file, "write it again with `hashshock sweep --json`")
    return result_from_dict(data, str(file))
