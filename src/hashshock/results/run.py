"""One scenario's run: engine output plus what it means (labels, stages, JSON)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hashshock.analysis import (
    bands,
    first_decline_day,
    first_to_break,
    median_band,
    median_bands,
    stage_summary,
)
from hashshock.engine.output import DOWN_CAUSES, EngineOutput
from hashshock.finance.scenario_money import Money
from hashshock.frozen import frozen, make_read_only, thawed
from hashshock.results.jsontext import JsonText
from hashshock.results.money import daily_money, finance_summary, network_effect


@dataclass(repr=False, frozen=True, eq=False)
class RunResult(JsonText):
    """A scenario simulated on a fleet. ``to_dict()`` is the documented JSON contract.

    Frozen: a field set afterwards (``result.paths = 10``) raises rather than showing in
    ``to_dict()`` beside arrays of another size; :func:`dataclasses.replace` makes a copy.
    It pickles and deep-copies (a cache, a worker process, a saved session), read-only as
    it was; two results are equal only if they are one object (their fields hold arrays:
    compare ``to_dict()`` for equal contents)."""

    scenario: str
    scenario_description: str
    fleet_name: str
    paths: int
    horizon_days: int
    seed: int
    start_date: date
    version: str
    machines: int
    nameplate_ths: float
    part_names: tuple[str, ...]
    output: EngineOutput
    baseline_hashrate_ths: NDArray[np.float64] | None = None
    manifest: Mapping[str, Any] = field(default_factory=dict)  # frozen (post-init)
    money: Money | None = None
    baseline_money: Money | None = None
    local_money: Money | None = None  # network-wide scenarios: the same run priced locally
    warnings: Sequence[str] = ()  # accepted inputs worth a second look (a tuple)
    pipelines_at_start: str = "empty"  # the fleet's repairs and orders on day 0
    machines_on_order: int = 0  # the fleet's open orders of machines at the start

    def __post_init__(self) -> None:
        # Frozen all the way: a manifest or warning changed in place would show in
        # to_dict() beside the arrays it no longer describes.
        object.__setattr__(self, "manifest", frozen(self.manifest))
        object.__setattr__(self, "warnings", tuple(self.warnings))

    def __reduce__(self) -> tuple[Any, tuple[dict[str, Any]]]:
        # The frozen manifest (a read-only mapping) does not pickle: rebuilt from plain data
        fields = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        fields["manifest"] = thawed(self.manifest)
        return _rebuilt, (fields,)

    def __repr__(self) -> str:
        # One line: the default would print every [paths, days] array (a notebook's
        # cell showing a result would run to megabytes).
        return (
            f"RunResult(scenario={self.scenario!r}, fleet={self.fleet_name!r}, "
            f"machines={self.machines}, paths={self.paths}, "
            f"horizon_days={self.horizon_days}, seed={self.seed}, "
            f"start_date={self.start_date.isoformat()}, warnings={len(self.warnings)})"
        )

    @property
    def dates(self) -> list[str]:
        """ISO date of each simulated day, day 0 first."""
        return [(self.start_date + timedelta(days=d)).isoformat() for d in range(self.horizon_days)]

    @property
    def availability(self) -> NDArray[np.float64]:
        """[P, T] delivered hashrate / nameplate of the machines installed that day."""
        out = self.output
        return np.divide(
            out.hashrate_ths, out.nameplate_ths,
            out=np.zeros_like(out.hashrate_ths), where=out.nameplate_ths > 0,
        )  # fmt: skip

    def stage_first_days(self) -> dict[str, NDArray[np.int64]]:
        """[P] first day of each stage (−1: not within the horizon)."""
        out = self.output
        stockouts = out.first_stockout_day
        any_stockout = np.where(stockouts >= 0, stockouts, np.iinfo(np.int64).max).min(axis=1)
        depleted = np.where(any_stockout == np.iinfo(np.int64).max, -1, any_stockout)
        if self.baseline_hashrate_ths is None:
            decline = np.full(self.paths, -1, dtype=np.int64)
        else:
            decline = first_decline_day(out.hashrate_ths, self.baseline_hashrate_ths)
        return {
            "customs_delay": out.first_customs_hold_day,
            "spares_depleted": depleted.astype(np.int64),
            "hashrate_decline": decline,
        }

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract of ``hashshock run --json`` (README, "JSON output")."""
        return self._with_money(self._physical_dict())

    def _physical_dict(self) -> dict[str, Any]:
        out = self.output
        parts = self.part_names
        return {
            "scenario": self.scenario,
            "scenario_description": self.scenario_description,
            "fleet_name": self.fleet_name,
            "paths": self.paths,
            "horizon_days": self.horizon_days,
            "seed": self.seed,
            "start_date": self.start_date.isoformat(),
            "version": self.version,
            "manifest": thawed(self.manifest),  # the caller's to change, not ours
            "warnings": list(self.warnings),
            "fleet": {
                "machines": self.machines,
                "nameplate_ths": round(self.nameplate_ths, 3),
                "pipelines_at_start": self.pipelines_at_start,
                "machines_on_order": self.machines_on_order,
            },
            "dates": self.dates,
            "daily": {
                "hashrate_ths": bands(out.hashrate_ths, 2),
                "availability": bands(self.availability, 5),
                "nameplate_ths": median_band(out.nameplate_ths),
                "spares_on_hand": median_bands(out.spares_on_hand, parts),
                "backorders": median_bands(out.backorders, parts),
                "parts_in_repair": median_bands(out.parts_in_repair, parts),
                "parts_on_order": median_bands(out.parts_on_order, parts),
                "machines_down": median_bands(out.machines_down, DOWN_CAUSES, upper=True),
            },
            "stages": {name: stage_summary(days) for name, days in self.stage_first_days().items()},
            "first_to_break": first_to_break(out.first_stockout_day, parts),
            "totals": {
                "failures_mean": {
                    p: round(float(out.failures[:, k].mean()), 2) for k, p in enumerate(parts)
                },
                "scrapped_mean": {
                    p: round(float(out.scrapped[:, k].mean()), 2) for k, p in enumerate(parts)
                },
                # Spares sent between sites (transshipment) and parts taken from donor
                # machines, over the horizon: the mechanisms a fleet file switches on.
                "transferred_mean": {
                    p: round(float(out.parts_transferred[:, :, k].sum(axis=1).mean()), 2)
                    for k, p in enumerate(parts)
                },
                "from_donors_mean": {
                    p: round(float(out.parts_from_donors[:, :, k].sum(axis=1).mean()), 2)
                    for k, p in enumerate(parts)
                },
                # Machines bought by the money-driven policies (docs/model.md, C4):
                "replacements_bought_mean": round(float(out.machines_bought.sum(axis=1).mean()), 2),
                "donors_bought_mean": round(float(out.donors_bought.sum(axis=1).mean()), 2),
                "donor_spend_usd_mean": round(float(out.donor_spend.sum(axis=1).mean()), 2),
                "customs_held_unit_days_p50": round(
                    float(np.median(out.customs_held_unit_days)), 1
                ),
            },
        }

    def _with_money(self, data: dict[str, Any]) -> dict[str, Any]:
        if self.money is not None:
            data["daily"].update(daily_money(self.money))
            baseline = None if self.scenario == "baseline" else self.baseline_money
            data["finance"] = finance_summary(self.money, baseline)
            if self.local_money is not None:
                data["finance"]["network_wide"] = network_effect(self.money, self.local_money)
        return data


def _rebuilt(fields: dict[str, Any]) -> RunResult:
    """A :class:`RunResult` unpickled: frozen again, its arrays read-only again."""
    result = RunResult(**fields)
    make_read_only(result)
    return result
