"""The vectorised Monte Carlo engine. It reads a :class:`~hashshock.plan.Plan`, nothing else.

The names below load on first use, so that the money layer's light engine modules
(:mod:`hashshock.engine.policies`, :mod:`hashshock.engine.output`) come without numba.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hashshock._lazy import lazy_exports

if TYPE_CHECKING:
    from hashshock.engine.core import Simulation, simulate
    from hashshock.engine.output import DOWN_CAUSES, EngineOutput
    from hashshock.engine.threads import close_thread_pools

__getattr__, __dir__ = lazy_exports(
    __name__,
    globals(),
    {
        "Simulation": "hashshock.engine.core",
        "simulate": "hashshock.engine.core",
        "DOWN_CAUSES": "hashshock.engine.output",
        "EngineOutput": "hashshock.engine.output",
        "close_thread_pools": "hashshock.engine.threads",
    },
)
__all__ = ["DOWN_CAUSES", "EngineOutput", "Simulation", "close_thread_pools", "simulate"]
