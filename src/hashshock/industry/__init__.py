"""The industry view: many operators on one network (docs/industry.md).

>>> import hashshock.industry
>>> result = hashshock.industry(None, ["baseline", "sanctions"], paths=50)  # doctest: +SKIP

``hashshock.industry(file, scenarios, ...)`` runs an industry file (``None``: the bundled
``us``) and returns an :class:`~hashshock.industry.result.IndustryResult`;
``write_industry_report(result, "industry.html")`` writes its HTML report. The package
itself is callable, so ``hashshock.industry(...)`` works whether ``hashshock.industry`` is
reached as the package or as the function.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from hashshock._lazy import lazy_exports, make_callable

if TYPE_CHECKING:
    from hashshock.industry.api import industry, validate_industry
    from hashshock.industry.load import LoadedIndustry, load_industry
    from hashshock.industry.report import write_industry_report
    from hashshock.industry.result import IndustryResult

__getattr__, __dir__ = lazy_exports(
    __name__,
    globals(),
    {
        "validate_industry": "hashshock.industry.api",
        "LoadedIndustry": "hashshock.industry.load",
        "load_industry": "hashshock.industry.load",
        "IndustryResult": "hashshock.industry.result",
        "write_industry_report": "hashshock.industry.report",
    },
)


make_callable(__name__, "hashshock.industry.api", "industry")
# ``industry`` here is this callable package, so that ``hashshock.industry``,
# ``from hashshock import industry`` and ``import hashshock.industry as x`` all give it.
globals()["industry"] = sys.modules[__name__]

__all__ = [
    "IndustryResult",
    "LoadedIndustry",
    "industry",
    "load_industry",
    "validate_industry",
    "write_industry_report",
]
