"""Day-granular SimPy time: day ``d`` runs from ``d + 0.0`` to ``d + 1.0``.

docs/model.md fixes the order of the failure steps within a day; the reference puts
every other step of a day at a fixed *phase* (a fraction of the day) so the order is
explicit and the same every day:

=====================  =====  ===================================================
phase                  time   what happens
=====================  =====  ===================================================
``EVENTS``             0.00   scenario events start/end (flags); remote-disable ends
``ARRIVALS``           0.10   parts back from repair, spare lots, swaps finished,
                              machine orders due or released from customs
``DISABLE``            0.15   remote-disable starts: running machines stopped
``STOP_FAILURES``      0.20   step 1: stop-part failures of running machines
``BOARD_FAILURES``     0.30   step 3: hashboard failures of machines still running
``ROUTING``            0.40   failed parts routed (scrap / in-house / vendor), backlogs
``SWAPS``              0.50   spares then technicians allocated, swaps start
``REPLENISH``          0.70   base-stock orders placed, spare lots shipped
``RECORD``             0.90   the day's outputs recorded
=====================  =====  ===================================================
"""

from __future__ import annotations

import math

import simpy

EVENTS = 0.0
ARRIVALS = 0.1
DISABLE = 0.15
STOP_FAILURES = 0.2
BOARD_FAILURES = 0.3
ROUTING = 0.4
SWAPS = 0.5
REPLENISH = 0.7
RECORD = 0.9

#: A day that never comes (no failure within the horizon, event never ends).
NEVER = 1 << 40


def today(env: simpy.Environment) -> int:
    """The whole day the simulation clock is in."""
    return math.floor(env.now + 1e-6)


def until(env: simpy.Environment, day: int, phase: float) -> simpy.Timeout:
    """A timeout firing at ``phase`` of ``day`` (at once if that moment has passed)."""
    return env.timeout(max(0.0, day + phase - env.now))


def first_day_at_risk(env: simpy.Environment, phase: float) -> int:
    """The first day whose ``phase`` step is still ahead of the clock."""
    day = today(env)
    return day if env.now < day + phase - 1e-9 else day + 1
