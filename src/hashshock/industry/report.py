"""An industry's HTML report: the industry view's sections (US hashrate and share, vendor
lines and the used market, who breaks first, operators and classes, the lender), drawn
from the industry's JSON alone, in one self-contained page (docs/industry.md, "The
report")."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hashshock.inputs.errors import InputError
from hashshock.inputs.files import read_json

if TYPE_CHECKING:
    from hashshock.industry.result import IndustryResult
    from hashshock.report.sections import ReportInput

#: Keys every industry JSON has (``hashshock industry --json``).
INDUSTRY_KEYS = ("industry", "paths", "horizon_days", "operators", "dates", "scenarios")


def industry_problem(data: Any) -> tuple[str | None, str] | None:
    """What keeps ``data`` (parsed JSON) from being an industry's result — the field and
    the problem — or None: its keys, operators, and every scenario with its US series and
    groups."""
    if not isinstance(data, dict):
        return None, "is not a JSON object"
    for key in INDUSTRY_KEYS:
        if key not in data:
            return key, "missing"
    for key in ("paths", "horizon_days"):
        value = data[key]
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            return key, f"{value!r} is not a whole number of at least 1"
    if not isinstance(data["dates"], list) or len(data["dates"]) != data["horizon_days"]:
        return "dates", f"is not a list of the horizon's {data['horizon_days']} dates"
    if not isinstance(data["operators"], list) or not data["operators"]:
        return "operators", "is not a list of operators, or is empty"
    scenarios = data["scenarios"]
    if not isinstance(scenarios, dict) or not scenarios:
        return "scenarios", "is not a mapping of scenarios, or is empty"
    for name, scenario in scenarios.items():
        for key in ("us", "groups"):
            if not isinstance(scenario, dict) or not isinstance(scenario.get(key), dict):
                return f"scenarios.{name}.{key}", "missing or not a mapping"
    return None


def is_industry(data: Any) -> bool:
    """Whether ``data`` (parsed JSON) is an industry's result (:func:`industry_problem`)."""
    return industry_problem(data) is None


def load_industry_json(path: str | Path) -> dict[str, Any]:
    """Read an industry's JSON (``hashshock industry --json``); raises ``InputError``
    naming what is missing or wrong."""
    source = Path(path).expanduser()
    fix = "give the file `hashshock industry --json` wrote"
    data = read_json(source, fix)
    problem = industry_problem(data)
    if problem is not None:
        field, text = problem
        raise InputError(
            source, field, f"{text}, so this is not an industry's JSON as written", fix
        )
    return dict(data)


def industry_report_input(data_or_result: IndustryResult | dict[str, Any]) -> ReportInput:
    """The :class:`~hashshock.report.sections.ReportInput` of an industry: no runs, the
    industry's JSON in ``extras["industry"]``."""
    from hashshock.report.sections import ReportInput

    data = data_or_result if isinstance(data_or_result, dict) else data_or_result.to_dict()
    if not is_industry(data):
        raise InputError(None, "industry", "not an industry's result (no industry, operators "
                         "and scenarios)", "pass IndustryResult or its to_dict()")  # fmt: skip
    return ReportInput(runs=[], labels=[], extras={"industry": data})


def write_industry_report(
    data_or_result: IndustryResult | dict[str, Any], path: str | Path,
    title: str | None = None, images: str | Path | None = None,
    image_formats: Sequence[str] = ("png",), option: str = "--out",
) -> Path:  # fmt: skip
    """Write the industry's report to ``path`` (an ``.html`` file) atomically; with
    ``images`` also every chart as PNG/SVG (1280 × 720) into that folder. Returns the path.
    """
    from hashshock.report.write import check_report_path, write_page

    report = industry_report_input(data_or_result)
    data = report.extras["industry"]
    target = check_report_path(path, [], option)
    heading = title or f"hashshock industry — {data['industry']}: {', '.join(data['scenarios'])}"
    return write_page(report, target, heading, images, image_formats, option)
