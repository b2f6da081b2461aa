"""Bundled cost data: part costs, machine prices, tariffs, channels, finance defaults."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from hashshock.inputs.catalog import PART_TYPES
from hashshock.inputs.files import read_csv_rows


def _path(name: str) -> Path:
    return Path(str(resources.files("hashshock") / "data" / name))


@dataclass(frozen=True)
class PartCost:
    new_part_usd: float
    in_house_repair_usd: float
    vendor_repair_usd: float
    shipping_usd_per_leg: float
    swap_labour_usd: float


@cache
def part_costs() -> dict[str, PartCost]:
    """Per part type, USD (``data/part_costs.csv``)."""
    return {
        row["part"]: PartCost(
            float(row["new_part_usd"]),
            float(row["in_house_repair_usd"]),
            float(row["vendor_repair_usd"]),
            float(row["shipping_usd_per_leg"]),
            float(row["swap_labour_usd"]),
        )
        for row in read_csv_rows(_path("part_costs.csv"))
    }


@cache
def machine_prices() -> dict[str, float]:
    """New-machine price per model, USD per TH/s (``data/machine_prices.csv``)."""
    return {
        row["model"]: float(row["new_usd_per_th"])
        for row in read_csv_rows(_path("machine_prices.csv"))
    }


@dataclass(frozen=True)
class Channel:
    lead_time_days: int
    price_factor: float
    doa_share: float


@cache
def channels() -> dict[str, Channel]:
    """Replacement channels (``data/channels.csv``)."""
    return {
        row["channel"]: Channel(int(row["lead_time_days"]), float(row["price_factor"]),
                                float(row["doa_share"]))
        for row in read_csv_rows(_path("channels.csv"))
    }  # fmt: skip


@cache
def finance_defaults() -> dict[str, float]:
    return {
        row["setting"]: float(row["value"]) for row in read_csv_rows(_path("finance_defaults.csv"))
    }


#: The ``*`` origin: the rates of origins without rows of their own.
ANY_ORIGIN = "*"


@dataclass(frozen=True)
class TariffSteps:
    """One origin's rows as a step function: ``starts`` (proleptic ordinals of the start
    dates, ascending) and ``rates`` (percent), each rate applying from its start on."""

    starts: NDArray[np.int64]
    rates: NDArray[np.float64]

    def on(self, days: NDArray[np.int64]) -> tuple[NDArray[np.bool_], NDArray[np.float64]]:
        """For each day (ordinal): whether a row applies, and the rate of the latest row
        starting on or before it (0 where none does)."""
        latest = np.searchsorted(self.starts, days, side="right") - 1
        applies = latest >= 0
        if not self.rates.size:
            return applies, np.zeros(days.shape)
        return applies, np.where(applies, self.rates[np.maximum(latest, 0)], 0.0)


def _steps(rows: list[tuple[date, float]]) -> TariffSteps:
    """Rows sorted by (start, rate): of two rows starting on the same day the higher
    rate is the latest, as it always was."""
    ordered = sorted(rows)
    starts = np.array([d.toordinal() for d, _ in ordered], dtype=np.int64)
    return TariffSteps(starts, np.array([r for _, r in ordered], dtype=np.float64))


#: The step function of an origin without rows: no row ever applies.
_NO_ROWS = TariffSteps(np.zeros(0, dtype=np.int64), np.zeros(0))


@dataclass(frozen=True)
class TariffTable:
    """Total ad valorem duty by origin over time (``data/tariffs.csv``), percent.

    The rate for an origin on a day is that of its latest row starting on or
    before the day; origins without rows use the ``*`` rows.
    """

    rows: tuple[tuple[str, date, float], ...]
    # Each origin's step function, built once with the table: a money plan looks up
    # every vendor's origins on every day, for every member and scenario of an industry.
    _steps: dict[str, TariffSteps] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_origin: dict[str, list[tuple[date, float]]] = {ANY_ORIGIN: []}
        for origin, start, rate in self.rows:
            by_origin.setdefault(origin, []).append((start, rate))
        object.__setattr__(self, "_steps", {o: _steps(r) for o, r in by_origin.items()})

    def rate_pct(self, origin: str, days: list[date]) -> NDArray[np.float64]:
        """Percent duty for ``origin`` on each of ``days``."""
        return self.rate_pct_on(origin, np.array([d.toordinal() for d in days], dtype=np.int64))

    def daily_rate_pct(self, origin: str, start: date, horizon_days: int) -> NDArray[np.float64]:
        """[T] percent duty for ``origin`` on ``horizon_days`` days from ``start``."""
        first = start.toordinal()
        return self.rate_pct_on(origin, np.arange(first, first + horizon_days, dtype=np.int64))

    def rate_pct_on(self, origin: str, days: NDArray[np.int64]) -> NDArray[np.float64]:
        """Percent duty for ``origin`` on ``days`` (proleptic ordinals): its own latest
        row, else the latest ``*`` row, else 0."""
        own_applies, own = self._steps.get(origin, _NO_ROWS).on(days)
        _, generic = self._steps[ANY_ORIGIN].on(days)
        # + 0.0 turns a rate of -0.0 into 0.0, as the rows' ``rate or 0.0`` always did.
        return np.asarray(np.where(own_applies, own, generic) + 0.0, dtype=np.float64)

    def with_overrides(self, extra: list[tuple[str, date, float]]) -> TariffTable:
        return TariffTable(self.rows + tuple(extra))


#: The country whose import duties ``data/tariffs.csv`` lists (the US tariff schedule,
#: HTS 8543.70): a site elsewhere pays none of them; its own country's are not modelled.
DUTY_COUNTRY = "US"


@cache
def tariff_table() -> TariffTable:
    rows = tuple(
        (row["origin"], date.fromisoformat(row["start_date"]), float(row["rate_pct"]))
        for row in read_csv_rows(_path("tariffs.csv"))
    )
    return TariffTable(rows)


def part_index(part: str) -> int:
    return [str(p) for p in PART_TYPES].index(part)
