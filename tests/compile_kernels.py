"""Compile the engine's two large kernels into numba's cache:
``python -m tests.compile_kernels days`` (``hashshock.engine.step.run_days`` and the
kernels a whole run uses) or ``phase`` (``hashshock.engine.step.run_phase``).

``tests/conftest.py`` runs both at once before the suite when the cache is cold (a fresh
clone, as in CI): each takes a minute or more to compile on one core, and every test
process (pytest-xdist's workers too) then loads them from the cache rather than
compiling them again side by side.
"""

from __future__ import annotations

import sys
from pathlib import Path

from hashshock.engine import step
from hashshock.engine.core import Simulation
from hashshock.inputs.load import load_fleet, load_scenario
from hashshock.plan import compile_plan

#: Any fleet will do: the kernel's argument types are the same for every plan.
FLEET = Path(__file__).resolve().parents[1] / "examples" / "small-farm" / "fleet.yaml"
#: The kernels each argument compiles.
KERNELS = ("days", "phase")


def main(kernel: str) -> None:
    plan = compile_plan(load_fleet(FLEET), load_scenario("baseline"), 2)
    if kernel == "days":
        Simulation(plan, 1, 0).run()
    else:
        Simulation(plan, 1, 0)._phase(step.ARRIVALS, 0)


if __name__ == "__main__":
    main(sys.argv[1])
