"""The vectorised Monte Carlo engine. It reads a :class:`~hashshock.plan.Plan`, nothing else."""

from hashshock.engine.core import Simulation, simulate
from hashshock.engine.output import DOWN_CAUSES, EngineOutput

__all__ = ["DOWN_CAUSES", "EngineOutput", "Simulation", "simulate"]
