"""hashshock: stress-test Bitcoin mining fleets against ASIC supply-chain shocks.

The Python API mirrors the CLI::

    import hashshock
    result = hashshock.run("fleet.yaml", "sanctions", paths=1000, horizon_days=365, seed=0)
    result.to_dict()          # the JSON contract (README "JSON output")

``compare``, ``industry``, ``sweep``, ``optimise``, ``strategies`` and
``find_breakpoint`` are the other commands' (each result's ``to_dict()`` is the
command's ``--json``).

The names below are imported on first use (PEP 562), so ``import hashshock`` and
the command line's help stay fast: the engine and its compiled kernels load only
when something is simulated.
"""

from __future__ import annotations

from hashshock._lazy import lazy_exports

#: typing.TYPE_CHECKING without importing typing (a command handed to the daemon imports
#: this package first: typing and inspect are a third of its import time).
TYPE_CHECKING = False

__version__ = "0.1.0"

if TYPE_CHECKING:
    from typing import Any

    from hashshock.api import compare, run
    from hashshock.breakpoint import find_breakpoint
    from hashshock.decide.api import optimise, strategies
    from hashshock.industry import industry
    from hashshock.inputs.errors import InputError
    from hashshock.inputs.load import load_fleet, load_scenario
    from hashshock.notices import HashshockWarning
    from hashshock.results import RunResult
    from hashshock.sweep import sweep

_lazy_getattr, __dir__ = lazy_exports(
    __name__,
    globals(),
    {
        "compare": ".api",
        "find_breakpoint": ".breakpoint",
        "optimise": ".decide.api",
        "strategies": ".decide.api",
        "industry": ".industry",
        "run": ".api",
        "InputError": ".inputs.errors",
        "HashshockWarning": ".notices",
        "load_fleet": ".inputs.load",
        "load_scenario": ".inputs.load",
        "RunResult": ".results",
    },
)


def __getattr__(name: str) -> Any:
    if name == "sweep":  # a callable package: hashshock.sweep(spec) runs a sweep
        import importlib

        return importlib.import_module("hashshock.sweep")
    return _lazy_getattr(name)


__all__ = [
    "HashshockWarning",
    "InputError",
    "RunResult",
    "__version__",
    "compare",
    "find_breakpoint",
    "industry",
    "load_fleet",
    "load_scenario",
    "optimise",
    "run",
    "strategies",
    "sweep",
]
