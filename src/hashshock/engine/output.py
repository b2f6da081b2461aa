"""What one engine run produces: per-path, per-day arrays (no labels, no analysis)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from hashshock.frozen import make_read_only

#: Causes on the ``machines_down`` axis, in order: stopped with no spare on their pool's
#: shelf, away for a swap, ordered and held at customs, remote-disabled, stopped with a
#: spare on the shelf but no technician-day for the swap today, and working machines
#: switched off (the hashprice below their break-even or their site's curtailment line).
DOWN_CAUSES = ("waiting_for_part", "in_repair", "held_at_customs", "disabled",
               "waiting_for_technician", "switched_off")  # fmt: skip


@dataclass
class EngineOutput:
    """Arrays of one run. ``P`` paths, ``T`` days, part axis in ``PART_TYPES`` order.

    Counts are machines or parts; hashrate in TH/s; ``-1`` in a first-day array
    means "never within the horizon".
    """

    hashrate_ths: NDArray[np.float64]  # [P, T] delivered hashrate
    nameplate_ths: NDArray[np.float64]  # [P, T] nameplate of installed machines
    machines_installed: NDArray[np.int64]  # [P, T]
    spares_on_hand: NDArray[np.int32]  # [P, T, 4]
    backorders: NDArray[np.int32]  # [P, T, 4] machines (boards) waiting for a spare
    parts_in_repair: NDArray[np.int32]  # [P, T, 4] in-house, vendor, and their backlogs
    parts_on_order: NDArray[np.int32]  # [P, T, 4] replenishment ordered, not yet arrived
    machines_down: NDArray[np.int32]  # [P, T, 6] by DOWN_CAUSES
    first_customs_hold_day: NDArray[np.int64]  # [P]
    first_stockout_day: NDArray[np.int64]  # [P, 4]
    customs_held_unit_days: NDArray[np.float64]  # [P] units × days held inside the horizon
    failures: NDArray[np.int64]  # [P, 4] parts failed over the run
    scrapped: NDArray[np.int64]  # [P, 4] parts scrapped over the run
    swaps: NDArray[np.int64]  # [P, 4] swaps done over the run
    ordered: NDArray[np.int64]  # [P, 4] spares ordered from vendors over the run
    # Daily flows (what the money layer prices):
    power_mw: NDArray[np.float64]  # [P, T] power drawn by machines switched on
    swaps_daily: NDArray[np.int32]  # [P, T, 4] swaps done
    repairs_in_house: NDArray[np.int32]  # [P, T, 4] repairs started on site
    repairs_vendor: NDArray[np.int32]  # [P, T, 4] parts sent to the vendor repair centre
    parts_shipped: NDArray[np.int32]  # [P, T, 4] spares shipped by the vendor (paid)
    parts_shipped_grey: NDArray[np.int32]  # [P, T, 4] spares bought on the grey market
    storage_unit_days: NDArray[np.float64]  # [P, T] units held at customs on each day
    power_cost: NDArray[np.float64]  # [P, T] Σ MWh drawn × cohort power price (if given)
    parts_spend: NDArray[np.float64]  # [P, T] Σ spares shipped × pool unit cost (if given)
    grey_spend: NDArray[np.float64]  # [P, T] Σ grey spares bought × grey unit cost (if given)
    machines_bought: NDArray[np.int32]  # [P, T] replacement machines bought
    replacement_spend: NDArray[np.float64]  # [P, T] their cost (in the unit_cost's currency)
    donors_bought: NDArray[np.int32]  # [P, T] used machines bought for their parts
    donors_bought_ths: NDArray[np.float64]  # [P, T] their nameplate TH/s
    donor_spend: NDArray[np.float64]  # [P, T] their cost (in the unit_cost's currency)
    # Each site's repair bench (docs/model.md, Repair bench), zero without one:
    bench_waits: NDArray[np.float64]  # [P, S, 3] parts served, parts that waited, days waited
    parts_transferred: NDArray[np.int32]  # [P, T, 4] spares sent between sites (transshipment)
    parts_from_donors: NDArray[np.int32]  # [P, T, 4] parts taken from donors (cannibalisation)
    donor_parts_left: NDArray[np.int64]  # [P, J] parts still in donors on the last day, by pool
    # Each pool on the last day (the daily series sum the pools of a part type):
    pool_on_hand_end: NDArray[np.int64]  # [P, J] spares on its shelf
    pool_waiting_end: NDArray[np.int64]  # [P, J] machines (boards) waiting at it for a spare
    order_arrival_day: NDArray[np.int64]  # [O, P] −1: cancelled
    order_cancelled: NDArray[np.bool_]  # [O, P]

    def make_read_only(self) -> None:
        """Mark every array read-only: results share them (each scenario's decline stage
        reads baseline's hashrate), so a caller's change in place would reach the others;
        numpy refuses it instead, and ``.copy()`` gives an array to change."""
        make_read_only(self)

    @property
    def paths(self) -> int:
        return int(self.hashrate_ths.shape[0])

    @property
    def days(self) -> int:
        return int(self.hashrate_ths.shape[1])
