"""Bundled cost data: part costs, machine prices, tariffs, channels, finance defaults."""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True)
class TariffTable:
    """Total ad valorem duty by origin over time (``data/tariffs.csv``), percent.

    The rate for an origin on a day is that of its latest row starting on or
    before the day; origins without rows use the ``*`` rows.
    """

    rows: tuple[tuple[str, date, float], ...]

    def rate_pct(self, origin: str, days: list[date]) -> NDArray[np.float64]:
        own = sorted((d, r) for o, d, r in self.rows if o == origin)
        generic = sorted((d, r) for o, d, r in self.rows if o == "*")
        out = np.zeros(len(days))
        for i, day in enumerate(days):
            rate = None
            for table in (own, generic):
                applicable = [r for d, r in table if d <= day]
                if applicable:
                    rate = applicable[-1]
                    break
            out[i] = rate or 0.0
        return out

    def with_overrides(self, extra: list[tuple[str, date, float]]) -> TariffTable:
        return TariffTable(self.rows + tuple(extra))


@cache
def tariff_table() -> TariffTable:
    rows = tuple(
        (row["origin"], date.fromisoformat(row["start_date"]), float(row["rate_pct"]))
        for row in read_csv_rows(_path("tariffs.csv"))
    )
    return TariffTable(rows)


def part_index(part: str) -> int:
    return [str(p) for p in PART_TYPES].index(part)
