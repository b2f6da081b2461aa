"""Which quantities of engine and reference outputs are compared, and on which days."""

from __future__ import annotations

from typing import Protocol

import numpy as np
from numpy.typing import NDArray
from tests.reference.stats import Check, Verdict, mean_check, proportion_check, stage_checks

from hashshock.engine.output import DOWN_CAUSES
from hashshock.inputs.catalog import PART_TYPES

#: Per-part daily arrays compared on the checkpoint days.
PART_SERIES = ("spares_on_hand", "parts_in_repair", "backorders", "parts_on_order")
#: Per-part run totals compared.
PART_TOTALS = ("failures", "scrapped", "swaps", "ordered")


class Output(Protocol):
    """What both ``EngineOutput`` and ``ReferenceOutput`` provide."""

    hashrate_ths: NDArray[np.float64]
    machines_installed: NDArray[np.int64]
    spares_on_hand: NDArray[np.int32]
    backorders: NDArray[np.int32]
    parts_in_repair: NDArray[np.int32]
    parts_on_order: NDArray[np.int32]
    machines_down: NDArray[np.int32]
    first_customs_hold_day: NDArray[np.int64]
    customs_held_unit_days: NDArray[np.float64]
    first_stockout_day: NDArray[np.int64]
    failures: NDArray[np.int64]
    scrapped: NDArray[np.int64]
    swaps: NDArray[np.int64]
    ordered: NDArray[np.int64]
    order_arrival_day: NDArray[np.int64]
    order_cancelled: NDArray[np.bool_]
    bench_waits: NDArray[np.float64]
    parts_transferred: NDArray[np.int32]
    parts_from_donors: NDArray[np.int32]


def checkpoints(horizon: int, count: int = 4) -> list[int]:
    """``count`` evenly spread days, the last one the horizon's last day."""
    return [round(horizon * (i + 1) / count) - 1 for i in range(count)]


def compare(engine: Output, reference: Output, days: list[int], alpha: float = 0.01) -> Verdict:
    """Compare the two runs on every quantity below; Bonferroni at family level ``alpha``."""
    found: list[Check | None] = []
    for day in days:
        found.append(mean_check(f"hashrate d{day}", engine.hashrate_ths[:, day],
                                reference.hashrate_ths[:, day]))  # fmt: skip
        found.append(mean_check(f"machines installed d{day}", engine.machines_installed[:, day],
                                reference.machines_installed[:, day]))  # fmt: skip
        found.append(mean_check(f"machines down d{day}", engine.machines_down[:, day].sum(1),
                                reference.machines_down[:, day].sum(1)))  # fmt: skip
        for i, cause in enumerate(DOWN_CAUSES):
            found.append(mean_check(f"down {cause} d{day}", engine.machines_down[:, day, i],
                                    reference.machines_down[:, day, i]))  # fmt: skip
        for series in PART_SERIES:
            for p, part in enumerate(PART_TYPES):
                found.append(mean_check(f"{series} {part} d{day}",
                                        getattr(engine, series)[:, day, p],
                                        getattr(reference, series)[:, day, p]))  # fmt: skip
    # Machine-days down by cause over the horizon: a cause that lasts a day or two at a
    # time (waiting for a technician) is seldom seen on the checkpoint days.
    for i, cause in enumerate(DOWN_CAUSES):
        found.append(mean_check(f"down {cause} machine-days", engine.machines_down[:, :, i].sum(1),
                                reference.machines_down[:, :, i].sum(1)))  # fmt: skip
    for total in PART_TOTALS:
        for p, part in enumerate(PART_TYPES):
            found.append(mean_check(f"{total} {part}", getattr(engine, total)[:, p],
                                    getattr(reference, total)[:, p]))  # fmt: skip
    # Units × days held at customs inside the horizon (parts, repairs and machines).
    found.append(mean_check("customs unit-days held", engine.customs_held_unit_days,
                            reference.customs_held_unit_days))  # fmt: skip
    # Each repair bench that served parts in either run: parts served, waited, days waited.
    for s in range(engine.bench_waits.shape[1]):
        if engine.bench_waits[:, s, 0].any() or reference.bench_waits[:, s, 0].any():
            for i, what in enumerate(("served", "waited", "days waited")):
                found.append(mean_check(f"bench {s} {what}", engine.bench_waits[:, s, i],
                                        reference.bench_waits[:, s, i]))  # fmt: skip
    # Spares sent between sites (lateral transshipment), per part, if either run sent any.
    if engine.parts_transferred.any() or reference.parts_transferred.any():
        for p, part in enumerate(PART_TYPES):
            found.append(mean_check(f"transferred {part}",
                                    engine.parts_transferred[:, :, p].sum(axis=1),
                                    reference.parts_transferred[:, :, p].sum(axis=1)))  # fmt: skip
    # Parts taken from donor machines (cannibalisation), per part, if either run took any.
    if engine.parts_from_donors.any() or reference.parts_from_donors.any():
        for p, part in enumerate(PART_TYPES):
            found.append(mean_check(f"from donors {part}",
                                    engine.parts_from_donors[:, :, p].sum(axis=1),
                                    reference.parts_from_donors[:, :, p].sum(axis=1)))  # fmt: skip
    checks = [c for c in found if c is not None]
    for p, part in enumerate(PART_TYPES):
        checks += stage_checks(f"stockout {part}", engine.first_stockout_day[:, p],
                               reference.first_stockout_day[:, p])  # fmt: skip
    checks += stage_checks("customs hold", engine.first_customs_hold_day,
                           reference.first_customs_hold_day)  # fmt: skip
    horizon = engine.hashrate_ths.shape[1]
    for o in range(engine.order_cancelled.shape[0]):
        checks.append(proportion_check(f"order {o} cancelled", engine.order_cancelled[o],
                                       reference.order_cancelled[o]))  # fmt: skip
        # Arrival days as a stage: −1 if cancelled or not arrived within the horizon.
        arrived = [np.where(out.order_arrival_day[o] < horizon, out.order_arrival_day[o], -1)
                   for out in (engine, reference)]  # fmt: skip
        checks += stage_checks(f"order {o} arrival", *arrived)
    return Verdict(checks, alpha)
