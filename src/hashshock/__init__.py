"""hashshock: stress-test Bitcoin mining fleets against ASIC supply-chain shocks.

The Python API mirrors the CLI::

    import hashshock
    result = hashshock.run("fleet.yaml", "sanctions", paths=1000, horizon_days=365, seed=0)
    result.to_dict()          # the JSON contract (README "JSON output")

The names below are imported on first use (PEP 562), so ``import hashshock`` and
the command line's help stay fast: the engine and its compiled kernels load only
when something is simulated.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from hashshock.api import compare, run
    from hashshock.inputs.errors import InputError
    from hashshock.inputs.load import load_fleet, load_scenario
    from hashshock.results import RunResult

#: Public name → the module that defines it.
_LAZY = {
    "compare": "hashshock.api",
    "run": "hashshock.api",
    "InputError": "hashshock.inputs.errors",
    "load_fleet": "hashshock.inputs.load",
    "load_scenario": "hashshock.inputs.load",
    "RunResult": "hashshock.results",
}

__all__ = [
    "InputError",
    "RunResult",
    "__version__",
    "compare",
    "load_fleet",
    "load_scenario",
    "run",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'hashshock' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
