"""Reverse stress test: the smallest shock at which a covenant breaks on at least a given
share of paths (``probability``, 50% by default; a lender may ask for 10% or 90%).

Two shock families, each a single number searched on common random numbers (same seed
for every evaluation): first on an even grid of :data:`GRID_STEPS` steps from no shock
to the largest, then by bisection between the last grid size that holds and the first
that breaches. The grid is there because the breach share need not grow with the shock:
a parts cut's costs land when it ends (the backlog's parts), so a cut ending after the
last covenant test can breach less than a shorter one, and a search from the largest
shock down would say "holds".

* ``parts-cut`` — days that the vendor's spare parts supply and repair centre are
  cut from day 0 (0 … horizon);
* ``btc-drop`` — an immediate, permanent fall of the BTC price by a share
  (0 … 0.95) on every path.
"""

from __future__ import annotations

import copy
import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from hashshock.api import market_manifest, simulate_scenarios
from hashshock.execution.choose import check_progress
from hashshock.finance.covenants import first_test_day, wilson_interval
from hashshock.finance.moneyplan import covenant_spec
from hashshock.inputs.catalog import vendor_defaults
from hashshock.inputs.errors import InputError, is_number, shown, unknown_name_fix
from hashshock.inputs.load import LoadedFleet, load_fleet
from hashshock.inputs.scenario import Scenario
from hashshock.market.config import as_market
from hashshock.notices import warn_all
from hashshock.prepare import FleetLike, MarketInput, check_horizon, check_run_args
from hashshock.results.jsontext import JsonText

Shock = Literal["parts-cut", "btc-drop"]
SHOCKS: tuple[Shock, ...] = ("parts-cut", "btc-drop")
#: The breach probability searched for unless another is given.
TARGET_PROBABILITY = 0.5
#: Even steps from no shock to the largest, evaluated before the bisection.
GRID_STEPS = 8
#: A BTC drop's resolution: shares of the price to 4 decimals (0.01 %), the answer's grid.
SHARE_DECIMALS = 4


@dataclass(repr=False, frozen=True)
class Breakpoint(JsonText):
    """The answer of :func:`find_breakpoint`: ``value`` the smallest shock (``unit``: days
    of cut, or share of the BTC price) breaching ``covenant`` on at least
    ``target_probability`` of ``paths`` (``None``: it holds at the largest), the breach
    probability there, and every size tried with its probability (``evaluations``)."""

    covenant: str
    shock: str
    value: float | None  # smallest shock size breaching with ≥ target; None: not in range
    unit: str
    probability_at_value: float | None
    evaluations: list[dict[str, float]]
    target_probability: float = TARGET_PROBABILITY
    paths: int = 0
    # What the search ran on, so that its JSON says how to run it again:
    fleet: str = ""
    horizon_days: int = 0
    seed: int = 0
    vendor: str | None = None  # a parts cut's; None for a BTC drop
    market: dict[str, Any] = field(default_factory=dict)  # api.market_manifest, no shock

    def __repr__(self) -> str:
        # One line: the default printed the whole market manifest and every size tried.
        return (f"Breakpoint(covenant={self.covenant!r}, shock={self.shock!r}, "
                f"outcome={self.outcome!r}, value={self.value!r}, unit={self.unit!r}, "
                f"paths={self.paths})")  # fmt: skip

    @property
    def probability_interval(self) -> tuple[float, float] | None:
        """95 % Wilson interval of the breach probability at ``value`` over the paths: the
        answer's own Monte Carlo error (another seed moves it within about this)."""
        if self.probability_at_value is None or self.paths <= 0:
            return None
        breached = round(self.probability_at_value * self.paths)
        low, high = wilson_interval(breached, self.paths)
        return round(low, 4), round(high, 4)

    @property
    def outcome(self) -> str:
        """``holds`` (below the target probability at every size tried), ``breached``
        (already at no shock) or ``breaks`` (at ``value``)."""
        if self.value is None:
            return "holds"
        return "breached" if self.value == 0 else "breaks"

    def to_dict(self) -> dict[str, Any]:
        from hashshock import __version__

        interval = self.probability_interval
        start = self.market.get("market_start", {}).get("date")
        return {"covenant": self.covenant, "shock": self.shock, "outcome": self.outcome,
                "largest_tried": max((e["size"] for e in self.evaluations), default=None),
                "target_probability": self.target_probability, "value": self.value,
                "unit": self.unit, "probability_at_value": self.probability_at_value,
                "probability_at_value_ci95": None if interval is None else list(interval),
                "paths": self.paths, "fleet": self.fleet, "horizon_days": self.horizon_days,
                "seed": self.seed, "start_date": start, "version": __version__,
                "vendor": self.vendor, "market": copy.deepcopy(self.market),
                "evaluations": copy.deepcopy(self.evaluations)}  # fmt: skip


def _parts_cut(days: float, vendor: str) -> Scenario:
    span = round(days)
    events: list[dict[str, Any]] = []
    if span > 0:
        events = [
            {"type": "parts_supply_stop", "vendors": [vendor], "start_day": 0, "end_day": span},
            {"type": "repair_centre_closed", "vendors": [vendor], "start_day": 0, "end_day": span},
        ]
    return Scenario.model_validate({"name": f"parts-cut-{span}d", "events": events})


def check_covenant(loaded: LoadedFleet, covenant: str, horizon_days: int | None = None) -> None:
    """``covenant`` must name one of the fleet's covenants (else an input error naming the
    closest) and, with ``horizon_days``, be tested within them: a covenant never tested
    cannot breach, and "holds even at the largest shock" would be said of a test never
    made."""
    fin = loaded.fleet.finance
    names = [c.name for c in fin.covenants] if fin else []
    if not isinstance(covenant, str):
        raise InputError(
            loaded.path, "covenant (--covenant)", f"{shown(covenant)} is not a covenant's name",
            f"give one of {', '.join(names) or 'its covenants'}",
        )  # fmt: skip
    if covenant not in names:
        raise InputError(
            loaded.path, "covenant (--covenant)", f"no covenant named '{covenant}'",
            unknown_name_fix(covenant, names, "covenant") if names
            else "add a finance.covenants entry to the fleet file",
        )  # fmt: skip
    assert fin is not None
    spec = next(c for c in fin.covenants if c.name == covenant)
    first = first_test_day(covenant_spec(spec, loaded.fleet.start_date))
    if horizon_days is not None and (first is None or first >= horizon_days):
        every = f" (every {spec.test_every_days} days)"
        every = "" if spec.type == "hashrate_commitment" else every
        when = ("has no quarter ending after the start date" if first is None
                else f"is first tested on day {first}{every}")  # fmt: skip
        raise InputError(
            None, "horizon_days (--horizon)",
            f"{horizon_days} days end before covenant {covenant} is tested: it {when}",
            f"set horizon_days (--horizon) to {first + 1} or more" if first is not None
            else "add a quarter ending within the horizon to the covenant",
        )  # fmt: skip


def find_breakpoint(
    fleet: FleetLike,
    covenant: str,
    shock: Shock = "parts-cut",
    paths: int = 200,
    horizon_days: int = 365,
    seed: int = 0,
    *,
    vendor: str | None = None,
    market: MarketInput = None,
    iterations: int = 10,
    on_step: Callable[[float, float], None] | None = None,
    probability: float = TARGET_PROBABILITY,
) -> Breakpoint:
    """The smallest shock breaching ``covenant`` on a share ≥ ``probability`` of paths
    (0 < probability ≤ 1): an even grid, then bisection (module docstring).

    ``shock``: ``"parts-cut"`` (days from day 0 that ``vendor``'s spare parts and repair
    centre are cut, 0 to ``horizon_days``; ``vendor`` default ``"bitmain"``) or
    ``"btc-drop"`` (share of the BTC price lost on day 0, 0 to 0.95); ``iterations``:
    bisection steps after the grid (1 to 60; a parts cut takes as many as reach one day);
    ``on_step`` is called with (shock size, breach probability) after each evaluation.
    Returns a :class:`Breakpoint` (``value`` None: the covenant holds on more than
    1 − ``probability`` of paths even at the largest shock). Bad arguments raise an
    :class:`~hashshock.inputs.errors.InputError` before anything is simulated."""
    check_shock(shock)
    check_progress(on_step, "on_step", "(shock size, probability)")
    if (isinstance(iterations, bool) or not isinstance(iterations, numbers.Integral)
            or not 1 <= iterations <= 60):  # fmt: skip
        raise InputError(None, "iterations", f"{iterations!r} is not a number of bisection "
                         "steps", "give a whole number from 1 to 60 (default 10)")  # fmt: skip
    iterations = int(iterations)
    if shock == "parts-cut":
        vendor = "bitmain" if vendor is None else vendor
        check_vendor(vendor)
    elif vendor is not None:  # as the command refuses --vendor with --shock btc-drop
        raise InputError(None, "vendor", f"names whose parts are cut, and shock {shock!r} "
                         "cuts none", "leave vendor out, or use shock='parts-cut'")  # fmt: skip
    loaded = load_fleet(fleet)
    if vendor is not None:
        check_vendor_in_fleet(loaded, vendor)
    probability = check_target(probability)
    check_run_args(paths, seed)
    check_horizon(horizon_days)
    # numpy integers pass the checks; plain ints keep the result writable as JSON
    paths, seed, horizon_days = int(paths), int(seed), int(horizon_days)
    check_covenant(loaded, covenant, horizon_days)
    config = as_market(market)
    evaluations: list[dict[str, float]] = []
    said: list[str] = []  # the runs' warnings, issued once at the end

    def breach(size: float) -> float:
        if shock == "parts-cut":
            scenario, factor = _parts_cut(size, vendor), 1.0
        else:
            scenario, factor = Scenario.model_validate({"name": f"btc-drop-{size:.3f}"}), 1 - size
        # The shocked scenario alone: a breach share needs no baseline run beside it.
        result = simulate_scenarios(loaded, [scenario], paths, horizon_days, seed, None, None,
                                    config, factor, with_baseline=False)[-1]  # fmt: skip
        assert result.money is not None
        said.extend(result.warnings)
        found = next(c for c in result.money.covenants if c.name == covenant)
        p = float((found.first_breach_day >= 0).mean())
        evaluations.append({"size": round(size, SHARE_DECIMALS),
                            "probability_breach": round(p, 4)})  # fmt: skip
        if on_step is not None:
            on_step(size, p)
        return p

    days = shock == "parts-cut"
    largest = float(horizon_days) if days else 0.95
    unit = "days" if days else "share of BTC price"

    def answer(value: float | None, p: float | None) -> Breakpoint:
        warn_all(said)
        market_ran = market_manifest(config, loaded.fleet.start_date, 1.0)
        return Breakpoint(covenant, shock, value, unit, p, evaluations, probability, paths,
                          loaded.fleet.name, horizon_days, seed, vendor, market_ran)  # fmt: skip

    grid = [largest * k / GRID_STEPS for k in range(GRID_STEPS + 1)]
    if days:
        grid = sorted({float(round(size)) for size in grid})
    else:
        grid = [round(size, SHARE_DECIMALS) for size in grid]
    lo, first = grid[0], None
    for size in grid:
        p = breach(size)
        if p >= probability:
            first = (size, p)
            break
        lo = size
    if first is None:
        return answer(None, None)
    hi, p_hi = first
    if hi == 0:
        return answer(0.0, p_hi)
    steps = max(iterations, math.ceil(math.log2(hi - lo))) if days else iterations
    for _ in range(steps):
        # Sizes on the answer's own grid (whole days; shares to 4 decimals), so that the
        # answer is a size evaluated: rounded afterwards, it could fall below the breach.
        mid = float(round((lo + hi) / 2)) if days else round((lo + hi) / 2, SHARE_DECIMALS)
        if mid in (lo, hi):
            break
        p_mid = breach(mid)
        if p_mid >= probability:
            hi, p_hi = mid, p_mid
        else:
            lo = mid
    return answer(hi, p_hi)


def check_shock(shock: object, option: str = "shock") -> None:
    """``shock`` must be one of the two families (module docstring)."""
    if shock not in SHOCKS:
        raise InputError(None, option, f"unknown shock {shock!r}",
                         f"use {' or '.join(SHOCKS)}")  # fmt: skip


def check_vendor_in_fleet(loaded: LoadedFleet, vendor: str, option: str = "vendor") -> None:
    """A parts cut of a vendor none of the fleet's machines (installed or ordered) come
    from changes nothing: every size would "hold", after a search of many runs."""
    fleet = loaded.fleet
    models = [c.model for c in fleet.cohorts] + [o.model for o in fleet.orders]
    vendors = sorted({loaded.model_of(model).vendor for model in models})
    if vendor not in vendors:
        raise InputError(None, option, f"none of the fleet's machines are {vendor}'s, so a "
                         "cut of its parts and repair changes nothing",
                         f"give one of {', '.join(vendors)}")  # fmt: skip


def check_vendor(vendor: object, option: str = "vendor") -> None:
    """A parts cut's vendor must be one of ``data/vendors.csv``'s."""
    vendors = sorted(vendor_defaults())
    if vendor not in vendors:
        raise InputError(None, option, f"unknown vendor {vendor!r}",
                         unknown_name_fix(str(vendor), vendors, "vendor"))  # fmt: skip


def check_target(probability: float) -> float:
    """The breach probability searched for, a share of paths above 0 (as a ``float``:
    numpy's pass)."""
    if not is_number(probability) or not 0 < probability <= 1:
        raise InputError(None, "probability (--probability)", f"{probability!r} is not a "
                         "share of paths in (0, 1]", "give e.g. 0.1, 0.5 or 0.9")  # fmt: skip
    return float(probability)
