"""An industry's HTML report: the industry view's sections (US hashrate and share, vendor
lines and the used market, who breaks first, operators and classes, the lender), drawn
from the industry's JSON alone, in one self-contained page (docs/industry.md, "The
report")."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hashshock.inputs.errors import InputError

if TYPE_CHECKING:
    from hashshock.industry.result import IndustryResult
    from hashshock.report.sections import ReportInput

#: Keys every industry JSON has (``hashshock industry --json``).
INDUSTRY_KEYS = ("industry", "operators", "scenarios")


def is_industry(data: Any) -> bool:
    """Whether ``data`` (parsed JSON) is an industry's result: its keys, and every
    scenario with its US series and groups."""
    if not isinstance(data, dict) or not all(key in data for key in INDUSTRY_KEYS):
        return False
    scenarios = data["scenarios"]
    return (
        isinstance(scenarios, dict)
        and bool(scenarios)
        and all(isinstance(s, dict) and "us" in s and "groups" in s for s in scenarios.values())
    )


def load_industry_json(path: str | Path) -> dict[str, Any]:
    """Read an industry's JSON (``hashshock industry --json``); raises ``InputError``."""
    source = Path(path)
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(source, None, f"cannot be read as JSON ({exc})",
                         "give the file `hashshock industry --json` wrote") from None  # fmt: skip
    if not is_industry(data):
        raise InputError(source, None, "is not an industry's JSON (no industry, operators "
                         "and scenarios)", "give the file `hashshock industry --json` "
                         "wrote")  # fmt: skip
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
