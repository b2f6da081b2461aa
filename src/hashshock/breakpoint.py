"""Reverse stress test: the smallest shock at which a covenant breaks on ≥ 50% of paths.

Two shock families, each a single number searched by bisection on common
random numbers (same seed for every evaluation, so the breach probability is
a nearly monotone function of the shock size):

* ``parts-cut`` — days that the vendor's spare parts supply and repair centre are
  cut from day 0 (0 … horizon);
* ``btc-drop`` — an immediate, permanent fall of the BTC price by a share
  (0 … 0.95) on every path.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from hashshock.api import simulate_scenarios
from hashshock.inputs.errors import InputError, unknown_name_fix
from hashshock.inputs.load import LoadedFleet
from hashshock.inputs.scenario import Scenario
from hashshock.market import MarketConfig, load_market
from hashshock.prepare import FleetLike, _fleet, check_horizon, check_run_args

Shock = Literal["parts-cut", "btc-drop"]
TARGET_PROBABILITY = 0.5


@dataclass
class Breakpoint:
    covenant: str
    shock: str
    value: float | None  # smallest shock size breaching with ≥ 50%; None: not within range
    unit: str
    probability_at_value: float | None
    evaluations: list[dict[str, float]]

    def to_dict(self) -> dict[str, Any]:
        return {"covenant": self.covenant, "shock": self.shock, "value": self.value,
                "unit": self.unit, "probability_at_value": self.probability_at_value,
                "evaluations": self.evaluations}  # fmt: skip


def _parts_cut(days: float, vendor: str) -> Scenario:
    span = round(days)
    events: list[dict[str, Any]] = []
    if span > 0:
        events = [
            {"type": "parts_supply_stop", "vendors": [vendor], "start_day": 0, "end_day": span},
            {"type": "repair_centre_closed", "vendors": [vendor], "start_day": 0, "end_day": span},
        ]
    return Scenario.model_validate({"name": f"parts-cut-{span}d", "events": events})


def check_covenant(loaded: LoadedFleet, covenant: str) -> None:
    """``covenant`` must name one of the fleet's covenants; else an input error naming
    the closest."""
    fin = loaded.fleet.finance
    names = [c.name for c in fin.covenants] if fin else []
    if covenant not in names:
        raise InputError(
            loaded.path, "--covenant", f"no covenant named '{covenant}'",
            unknown_name_fix(covenant, names, "covenant") if names
            else "add a finance.covenants entry to the fleet file",
        )  # fmt: skip


def find_breakpoint(
    fleet: FleetLike,
    covenant: str,
    shock: Shock = "parts-cut",
    paths: int = 200,
    horizon_days: int = 365,
    seed: int = 0,
    vendor: str = "bitmain",
    market: str | MarketConfig | None = None,
    iterations: int = 10,
    on_step: Callable[[float, float], None] | None = None,
) -> Breakpoint:
    """Bisection for the smallest shock breaching ``covenant`` with probability ≥ 0.5."""
    loaded = _fleet(fleet)
    check_covenant(loaded, covenant)
    check_run_args(paths, seed)
    check_horizon(horizon_days)
    config = market if isinstance(market, MarketConfig) else load_market(market)
    evaluations: list[dict[str, float]] = []

    def probability(size: float) -> float:
        if shock == "parts-cut":
            scenario, factor = _parts_cut(size, vendor), 1.0
        else:
            scenario, factor = Scenario.model_validate({"name": f"btc-drop-{size:.3f}"}), 1 - size
        result = simulate_scenarios(loaded, [scenario], paths, horizon_days, seed, None, None,
                                    config, factor)[-1]  # fmt: skip
        assert result.money is not None
        breach = next(c for c in result.money.covenants if c.name == covenant)
        p = float((breach.first_breach_day >= 0).mean())
        evaluations.append({"size": round(size, 4), "probability_breach": round(p, 4)})
        if on_step is not None:
            on_step(size, p)
        return p

    lo, hi = 0.0, float(horizon_days) if shock == "parts-cut" else 0.95
    unit = "days" if shock == "parts-cut" else "share of BTC price"
    p_lo = probability(lo)
    if p_lo >= TARGET_PROBABILITY:
        return Breakpoint(covenant, shock, 0.0, unit, p_lo, evaluations)
    p_hi = probability(hi)
    if p_hi < TARGET_PROBABILITY:
        return Breakpoint(covenant, shock, None, unit, None, evaluations)
    for _ in range(iterations):
        mid = (lo + hi) / 2
        if shock == "parts-cut":
            mid = float(round(mid))
            if mid in (lo, hi):
                break
        p_mid = probability(mid)
        if p_mid >= TARGET_PROBABILITY:
            hi, p_hi = mid, p_mid
        else:
            lo = mid
    return Breakpoint(covenant, shock, round(hi, 4), unit, p_hi, evaluations)
