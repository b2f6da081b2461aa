"""hashshock: stress-test Bitcoin mining fleets against ASIC supply-chain shocks.

The Python API mirrors the CLI::

    import hashshock
    result = hashshock.run("fleet.yaml", "sanctions", paths=1000, horizon_days=365, seed=0)
    result.to_dict()          # the JSON contract (README "JSON output")
"""

__version__ = "0.1.0"

from hashshock.api import compare, run
from hashshock.inputs.errors import InputError
from hashshock.inputs.load import load_fleet, load_scenario
from hashshock.results import RunResult

__all__ = [
    "InputError",
    "RunResult",
    "__version__",
    "compare",
    "load_fleet",
    "load_scenario",
    "run",
]
