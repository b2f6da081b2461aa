"""Machine histories and the machine-part exposures that :mod:`hashshock.fit.weibull` fits.

A :class:`MachineHistory` is what a failure log or a scan history says about one
machine: its model, install date, observation window and the dates its parts failed.
:func:`build_exposures` turns histories into exposure intervals of the machine-part
failure process (docs/calibration.md, "Fit failure rates from your own data").

Ages are in days since the start of the install date. Conventions:

* observation starts at the start of ``observed_from`` (age = whole days since install),
* observation ends at the end of ``observed_until`` (age = whole days + 1),
* the j-th of c failures of one machine and part type dated day d is taken at age
  d + (j − ½)/c: failures are spread evenly over their day, so no interval is empty.

With minimal repair the failures of part type p of one machine form a non-homogeneous
Poisson process with cumulative intensity n·H(a), H(a) = (a/η)^k (docs/model.md,
"Failures"). Its likelihood over [a₀, a_end] with failures at a₁ < … < a_m factors into
left-truncated survival terms: (a₀, a₁] event, (a₁, a₂] event, …, (a_m, a_end] censored.
One :class:`Exposures` entry is one such interval.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise

import numpy as np
import numpy.typing as npt

from hashshock.inputs.catalog import PART_TYPES, ModelSpec, PartType

DAYS_PER_YEAR = 365.0
"""Days per year in machine-years and in m₁ (failures in the first 365 days)."""


@dataclass(frozen=True)
class MachineHistory:
    """One machine as the data describe it.

    ``failures`` maps a part type to the dates its slots failed (several allowed, same
    date allowed); a part type left out had no failure while observed. ``where`` names
    the file and row the machine first appears on (for messages). ``part_windows`` gives
    the parts observed over fewer days than the machine (scans that read its fans but not
    its boards): their first and last day, or ``None`` for a part never observed.
    """

    machine: str
    model: ModelSpec
    install: date
    observed_from: date
    observed_until: date
    failures: Mapping[PartType, tuple[date, ...]] = field(default_factory=dict)
    where: str = ""
    part_windows: Mapping[PartType, tuple[date, date] | None] = field(default_factory=dict)
    #: per part, for each of ``failures``' dates in their order, half the width (days) of
    #: the interval the failure is known to lie in (scans: between the two scans that
    #: bound it, dated at its middle); a part left out: exact dates (a failure log)
    failure_half_days: Mapping[PartType, tuple[float, ...]] = field(default_factory=dict)

    def failure_ages(self, part: PartType) -> list[float]:
        """Failure ages in days, sorted, same-day failures spread over the day."""
        return [age for age, _ in self.failure_ages_and_half_days(part)]

    def failure_ages_and_half_days(self, part: PartType) -> list[tuple[float, float]]:
        """:meth:`failure_ages` with each failure's ``failure_half_days`` (0: exact)."""
        dates = self.failures.get(part, ())
        halves = self.failure_half_days.get(part) or (0.0,) * len(dates)
        by_day: dict[int, list[float]] = {}
        for when, half in zip(dates, halves, strict=True):
            by_day.setdefault((when - self.install).days, []).append(half)
        out: list[tuple[float, float]] = []
        for day in sorted(by_day):
            c = len(by_day[day])
            out.extend((day + (j + 0.5) / c, half) for j, half in enumerate(sorted(by_day[day])))
        return out

    @property
    def start_age(self) -> float:
        """Age in days at the start of observation (the start of ``observed_from``)."""
        return float((self.observed_from - self.install).days)

    @property
    def end_age(self) -> float:
        """Age in days at the end of observation (the end of ``observed_until``)."""
        return float((self.observed_until - self.install).days + 1)

    def ages_observed(self, part: PartType) -> tuple[float, float] | None:
        """``part``'s observed ages in days, as :attr:`start_age` and :attr:`end_age` of
        its own window (``part_windows``); ``None`` if it was never observed — a part
        whose counts no scan read would otherwise count as observed, never failing."""
        if part not in self.part_windows:
            return self.start_age, self.end_age
        window = self.part_windows[part]
        if window is None:
            return None
        return float((window[0] - self.install).days), float((window[1] - self.install).days + 1)


FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
StrArray = npt.NDArray[np.str_]


@dataclass(frozen=True)
class Exposures:
    """Exposure intervals of machine-part failure processes, one array entry per interval.

    ``entry`` and ``exit`` are machine ages in days (the interval is (entry, exit]);
    ``event`` says whether it ends in a failure; ``slots`` is n, the slots of that part
    type per machine (catalogue); ``half_days`` half the width of the interval a
    failure's true age lies in (days; 0 for an exact date, or no failure).
    """

    machine: StrArray
    family: StrArray
    part: StrArray
    slots: IntArray
    entry: FloatArray
    exit: FloatArray
    event: BoolArray
    half_days: FloatArray | None = None  # None: every failure dated exactly

    @property
    def failure_half_days(self) -> FloatArray:
        """``half_days``, zeros when not given."""
        return np.zeros(len(self)) if self.half_days is None else self.half_days

    def __len__(self) -> int:
        return int(self.entry.shape[0])

    def select(self, part: PartType, family: str | None = None) -> Exposures:
        """The intervals of one part type (and one model family if given)."""
        mask = self.part == part
        if family is not None:
            mask &= self.family == family
        return Exposures(
            machine=self.machine[mask], family=self.family[mask], part=self.part[mask],
            slots=self.slots[mask], entry=self.entry[mask], exit=self.exit[mask],
            event=self.event[mask], half_days=self.failure_half_days[mask],
        )  # fmt: skip

    @property
    def failures(self) -> int:
        """Number of failures (intervals ending in one)."""
        return int(self.event.sum())

    @property
    def machines(self) -> int:
        """Number of distinct machines."""
        return int(np.unique(self.machine).shape[0])

    @property
    def machine_years(self) -> float:
        """Machine-years observed: Σ (exit − entry) / 365 over intervals."""
        return float((self.exit - self.entry).sum() / DAYS_PER_YEAR)

    @property
    def families(self) -> list[str]:
        """Model families present, sorted."""
        return sorted({str(f) for f in self.family})

    @property
    def slot_counts(self) -> list[int]:
        """Distinct slots-per-machine values present, sorted."""
        return sorted({int(n) for n in self.slots})


def build_exposures(
    histories: Iterable[MachineHistory], parts: Iterable[PartType] = PART_TYPES
) -> Exposures:
    """The exposure intervals of every machine and part type in ``parts``.

    Part types a model has no slot of (e.g. fans of an immersion model) are left out.
    For each machine-part: (a₀, a₁], (a₁, a₂], …, (a_m, a_end] with the failure ages
    aᵢ of :meth:`MachineHistory.failure_ages`, a₀ = ``start_age``, a_end = ``end_age``.
    """
    chosen = tuple(parts)
    machine: list[str] = []
    family: list[str] = []
    part_col: list[str] = []
    slots: list[int] = []
    entry: list[float] = []
    exit_: list[float] = []
    event: list[bool] = []
    half_days: list[float] = []
    for h in histories:
        for part in chosen:
            n = h.model.parts_per_machine(part)
            ages = h.ages_observed(part)
            if n <= 0 or ages is None:
                continue
            start, end = ages
            failed_at = h.failure_ages_and_half_days(part)
            bounds = [start, *(age for age, _ in failed_at)]
            spans = [(a, b, True, half) for (a, b), (_, half) in
                     zip(pairwise(bounds), failed_at, strict=True)]  # fmt: skip
            if end > bounds[-1]:
                spans.append((bounds[-1], end, False, 0.0))
            for a, b, failed, half in spans:
                machine.append(h.machine)
                family.append(h.model.family)
                part_col.append(part)
                slots.append(n)
                entry.append(a)
                exit_.append(b)
                event.append(failed)
                half_days.append(half)
    return Exposures(
        machine=np.array(machine, dtype=np.str_),
        family=np.array(family, dtype=np.str_),
        part=np.array(part_col, dtype=np.str_),
        slots=np.array(slots, dtype=np.int64),
        entry=np.array(entry, dtype=np.float64),
        exit=np.array(exit_, dtype=np.float64),
        event=np.array(event, dtype=np.bool_),
        half_days=np.array(half_days, dtype=np.float64),
    )
