"""Where a member's replacement machines mine (docs/industry.md, "Replacement orders"):
in the power its machines waiting for parts beyond baseline's leave idle, new machines
first, each at its own uptime and power on the hashprice."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from hashshock.industry.spot import ReplacementEconomics

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: What the kernel is given for "no replacements of this kind owned".
_NONE = np.zeros((0, 0))


@dataclass(frozen=True)
class Room:
    """Where a member's replacement machines can mine: in the power its machines waiting
    for parts beyond baseline's leave idle — ``waiting`` and ``baseline`` [P, T] machines
    waiting for a part under the scenario and under baseline on the same paths, ``each``
    the fleet's nameplate TH/s per machine. A site's power is what its installed machines
    draw: once repaired machines come back, replacements beyond the room stand idle. New
    replacements, the more efficient, take the room first; used ones what is left. Each
    delivers and draws power as its :class:`~hashshock.industry.spot.ReplacementEconomics`
    says on the hashprice of the market the engines were steered by, kept as the slices
    it reaches each day [P, T] (:meth:`of`: computed once for every round)."""

    waiting: NDArray[np.int32]
    baseline: NDArray[np.int32]
    each: float
    new: ReplacementEconomics
    used: ReplacementEconomics
    new_reached: NDArray[np.integer]
    used_reached: NDArray[np.integer]
    # each kind's levels (ReplacementEconomics.levels) that its reached slices index
    new_levels: tuple[FloatArray, FloatArray]
    used_levels: tuple[FloatArray, FloatArray]

    @classmethod
    def of(cls, waiting: NDArray[np.int32], baseline: NDArray[np.int32], each: float,
           hashprice_usd_per_ph_day: FloatArray, new: ReplacementEconomics,
           used: ReplacementEconomics) -> Room:  # fmt: skip
        """The room on the hashprice [P, T] USD/PH/day the engines were steered by."""
        return cls(waiting, baseline, each, new, used, new.reached(hashprice_usd_per_ph_day),
                   used.reached(hashprice_usd_per_ph_day), new.levels(), used.levels())  # fmt: skip

    def on(self, rows: IntArray) -> Room:
        return dataclasses.replace(
            self, waiting=self.waiting[rows], baseline=self.baseline[rows],
            new_reached=self.new_reached[rows], used_reached=self.used_reached[rows],
        )  # fmt: skip

    def mining(self, new_ths: FloatArray | None, used_ths: FloatArray | None
               ) -> tuple[FloatArray, FloatArray]:  # fmt: skip
        """[P, T] TH/s delivered and USD of power a day of ``new_ths`` and ``used_ths``
        [P, T] nameplate TH/s of replacements owned (``None``: none): the new ones in the
        room first (:func:`room_mining`)."""
        from hashshock.industry.compiled import room_mining  # numba: on first use

        delivered, power = np.empty(self.waiting.shape), np.empty(self.waiting.shape)
        new_running, new_drawn = self.new_levels
        used_running, used_drawn = self.used_levels
        room_mining(self.waiting, self.baseline, self.each,
                    _NONE if new_ths is None else new_ths, self.new_reached, new_running,
                    new_drawn, _NONE if used_ths is None else used_ths, self.used_reached,
                    used_running, used_drawn, delivered, power)  # fmt: skip
        return delivered, power
