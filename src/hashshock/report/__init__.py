"""Charts and the shareable HTML report of runs (docs/report.md).

>>> import hashshock
>>> from hashshock.report import write_report
>>> runs = hashshock.compare("examples/small-farm/fleet.yaml", ["baseline", "sanctions"],
...                          paths=200)  # doctest: +SKIP
>>> write_report(runs, "report.html", images="slides")  # doctest: +SKIP

Names load on first use (PEP 562): checking an output path does not import plotly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hashshock._lazy import lazy_exports

if TYPE_CHECKING:
    from hashshock.report.data import load_json_runs, report_dict
    from hashshock.report.images import check_images
    from hashshock.report.sections import Section, register_section
    from hashshock.report.write import check_report_path, report_input, write_report

_LAZY = {
    "check_images": "hashshock.report.images",
    "check_report_path": "hashshock.report.write",
    "load_json_runs": "hashshock.report.data",
    "register_section": "hashshock.report.sections",
    "report_dict": "hashshock.report.data",
    "report_input": "hashshock.report.write",
    "Section": "hashshock.report.sections",
    "write_report": "hashshock.report.write",
}

__all__ = [
    "Section",
    "check_images",
    "check_report_path",
    "load_json_runs",
    "register_section",
    "report_dict",
    "report_input",
    "write_report",
]


__getattr__, __dir__ = lazy_exports(__name__, globals(), _LAZY)
