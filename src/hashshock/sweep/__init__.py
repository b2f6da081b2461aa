"""Sweeps and sensitivity analysis: many runs of one base with some inputs varied.

>>> import hashshock.sweep
>>> result = hashshock.sweep("examples/sweeps/tornado.yaml")   # doctest: +SKIP
>>> result.to_dict()["tornado"]["covenant_breach:dscr"]["rows"][0]   # doctest: +SKIP

``hashshock.sweep(spec)`` runs a spec — a YAML file, its mapping or a
:class:`~hashshock.sweep.spec.SweepSpec` — and returns a
:class:`~hashshock.sweep.result.SweepResult` (docs/sweeps.md). The package itself is
callable, so ``hashshock.sweep(spec)`` works whether ``hashshock.sweep`` is reached as
the package or as the function. Methods: ``grid``, ``oneway``, ``tornado``, ``sobol``
and ``lhs`` (the last two sampled with SALib).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hashshock._lazy import lazy_exports, make_callable

if TYPE_CHECKING:
    from hashshock.sweep.report import write_sweep_report
    from hashshock.sweep.result import SweepResult, load_result
    from hashshock.sweep.run import sweep
    from hashshock.sweep.spec import SweepSpec, load_spec

_getattr, __dir__ = lazy_exports(
    __name__,
    globals(),
    {
        "sweep": "hashshock.sweep.run",
        "SweepResult": "hashshock.sweep.result",
        "load_result": "hashshock.sweep.result",
        "SweepSpec": "hashshock.sweep.spec",
        "load_spec": "hashshock.sweep.spec",
        "write_sweep_report": "hashshock.sweep.report",
    },
)


def __getattr__(name: str) -> Any:
    return _getattr(name)


make_callable(__name__, "hashshock.sweep.run", "sweep")

__all__ = ["SweepResult", "SweepSpec", "load_result", "load_spec", "sweep", "write_sweep_report"]
