"""Compile the engine's phase kernel (``hashshock.engine.step.run_phase``) into numba's
cache: ``python -m tests.compile_kernels``.

``tests/conftest.py`` runs this beside the suite when the cache is cold (a fresh clone,
as in CI): the phase kernel and the day kernel (``run_days``, which the first tests
compile) each take a minute or more to compile, on one core each. A process that
needs a kernel loads it from the cache if it is there by then, else compiles it too.
"""

from __future__ import annotations

from pathlib import Path

from hashshock.engine import step
from hashshock.engine.core import Simulation
from hashshock.inputs.load import load_fleet, load_scenario
from hashshock.plan import compile_plan

#: Any fleet will do: the kernel's argument types are the same for every plan.
FLEET = Path(__file__).resolve().parents[1] / "examples" / "small-farm" / "fleet.yaml"


def main() -> None:
    plan = compile_plan(load_fleet(FLEET), load_scenario("baseline"), 2)
    Simulation(plan, 1, 0)._phase(step.ARRIVALS, 0)


if __name__ == "__main__":
    main()
