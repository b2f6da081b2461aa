"""The method's analysis of a sweep's points, per metric (docs/sweeps.md, "Reading the
results"): the tornado's swings, the one-way (spider) lines, the grid's main effects,
Sobol' indices, or the Latin hypercube's rank correlations."""

from __future__ import annotations

from typing import Any

from hashshock.sweep import analysis
from hashshock.sweep.design import InputRange
from hashshock.sweep.result import SweepPoint
from hashshock.sweep.spec import SweepSpec


def _metric(point: SweepPoint, name: str) -> float | None:
    return None if point.metrics is None else point.metrics.get(name)


def _tornado(ranges: list[InputRange], points: list[SweepPoint], name: str) -> dict[str, Any]:
    lows = {p.varies: p for p in points if p.role == "low"}
    highs = {p.varies: p for p in points if p.role == "high"}
    names = [r.name for r in ranges]
    return analysis.tornado(
        names, [lows[n].inputs[n] for n in names], [highs[n].inputs[n] for n in names],
        [_metric(lows[n], name) for n in names], [_metric(highs[n], name) for n in names],
        _metric(points[0], name),
    )  # fmt: skip


def _oneway(ranges: list[InputRange], points: list[SweepPoint], name: str) -> dict[str, Any]:
    out = {}
    for r in ranges:
        mine = [p for p in points if p.role == "level" and p.varies == r.name]
        out[r.name] = analysis.spider([p.inputs[r.name] for p in mine],
                                      [_metric(p, name) for p in mine], r.base,
                                      _metric(points[0], name))  # fmt: skip
    return {"base": _metric(points[0], name), "inputs": out}


def _grid(ranges: list[InputRange], points: list[SweepPoint], name: str) -> dict[str, Any]:
    grid = [p for p in points if p.role == "grid"]
    return {"base": _metric(points[0], name), "main_effects": {
        r.name: analysis.main_effects(r.levels(), [p.inputs[r.name] for p in grid],
                                      [_metric(p, name) for p in grid])
        for r in ranges
    }}  # fmt: skip


def summarise(
    spec: SweepSpec, ranges: list[InputRange], points: list[SweepPoint]
) -> dict[str, Any]:
    """``{metric: analysis}`` for the spec's method."""
    out: dict[str, Any] = {}
    names = [r.name for r in ranges]
    samples = [p for p in points if p.role == "sample"]
    for metric in spec.metrics:
        if spec.method == "tornado":
            out[metric] = _tornado(ranges, points, metric)
        elif spec.method == "oneway":
            out[metric] = _oneway(ranges, points, metric)
        elif spec.method == "grid":
            out[metric] = _grid(ranges, points, metric)
        elif spec.method == "sobol":
            bounds = [(float(r.low or 0.0), float(r.high or 0.0)) for r in ranges]
            out[metric] = analysis.sobol_indices(
                names, bounds, [_metric(p, metric) for p in samples], spec.confidence,
                spec.resamples, spec.sample_seed,
            )  # fmt: skip
        else:
            columns = [[float(p.inputs[n]) for p in samples] for n in names]
            out[metric] = analysis.rank_correlations(
                names, columns, [_metric(p, metric) for p in samples]
            )
    return out
