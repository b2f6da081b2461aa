"""A sweep's HTML report: its "Sensitivity" section (tornado, spider or Sobol' charts,
the inputs, points that failed) above the base runs' usual sections, in one
self-contained page (docs/report.md)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hashshock.sweep.result import SweepResult, result_from_dict


def sweep_report_input(result: SweepResult | dict[str, Any], source: str = "sweep") -> Any:
    """The :class:`~hashshock.report.sections.ReportInput` of a sweep: the base runs (none
    for an industry's sweep: its Sensitivity section alone), with the sweep in
    ``extras["sweep"]``. ``source`` names the sweep's file in errors."""
    from hashshock.report.data import runs_from_json
    from hashshock.report.sections import ReportInput
    from hashshock.report.write import report_input

    data = result.to_dict() if isinstance(result, SweepResult) else result
    parsed = result if isinstance(result, SweepResult) else result_from_dict(data, source)
    extras = {"sweep": {k: v for k, v in data.items() if k != "base_runs"}}
    if not parsed.base_runs:  # an industry's sweep (no fleet runs), or runs not kept
        return ReportInput(runs=[], labels=[], extras=extras)
    for run in parsed.base_runs:  # a file's: its fix names the command that writes it
        runs_from_json(run, source, "hashshock sweep --json")
    return report_input(parsed.base_runs, extras)


def write_sweep_report(
    result: SweepResult | dict[str, Any], path: str | Path, title: str | None = None,
    images: str | Path | None = None, image_formats: Sequence[str] = ("png",),
    option: str = "--report", source: str = "sweep",
) -> Path:  # fmt: skip
    """Write the sweep's report to ``path`` (an ``.html`` file) atomically; with
    ``images`` also every chart as PNG/SVG into that folder. ``source`` names the
    sweep's file in errors."""
    from hashshock.report.write import check_report_path, write_page

    report = sweep_report_input(result, source)
    head = report.extras["sweep"]["sweep"]
    target = check_report_path(path, [], option)
    heading = title or f"hashshock sweep — {head['name']} ({head['method']})"
    return write_page(report, target, heading, images, image_formats, option)
