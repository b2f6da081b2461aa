"""Everything a run builds before it simulates, and the checks on a call's arguments.

:func:`prepare` loads and checks the fleet, scenarios and market and compiles one plan
per scenario; :func:`validate` adds the money inputs on a one-path market. Both stay
clear of the engine (no numba), so ``hashshock validate`` is quick; passing
:func:`validate` means :func:`hashshock.compare` on the same inputs runs
(tests/test_validate_then_run.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from hashshock.finance.moneyplan import MoneyPlan, compile_money
from hashshock.finance.steering import build_economy
from hashshock.inputs.errors import InputError, check_whole, shown
from hashshock.inputs.finance import Finance
from hashshock.inputs.fleet import Fleet
from hashshock.inputs.load import (
    LoadedFleet,
    check_scenario_against_fleet,
    load_fleet,
    load_scenario,
)
from hashshock.inputs.scenario import Scenario
from hashshock.market import MarketConfig, simulate_market
from hashshock.market.config import as_market
from hashshock.market.simulate import MarketPaths
from hashshock.market.start import MarketStart, check_network_holds, market_start
from hashshock.plan import Plan, compile_plans
from hashshock.sizing import RunEstimate, check_fits, estimate_run

FleetLike = str | Path | LoadedFleet | Fleet | dict[str, Any]
ScenarioLike = str | Path | Scenario | Mapping[str, Any]
#: A market as the API takes it: a market YAML's path, its fields as a mapping, a loaded
#: :class:`MarketConfig`, or None for the bundled one.
MarketInput = str | Path | MarketConfig | dict[str, Any] | None

MAX_HORIZON_DAYS = 3 * 366
BASELINE = "baseline"


def scenarios_to_run(
    scenarios: Sequence[ScenarioLike], with_baseline: bool = True
) -> tuple[list[Scenario], list[Scenario]]:
    """The scenarios asked for (checked, names unique) and those to run: baseline first
    (the decline stage is measured against it) unless ``with_baseline`` is False and
    neither asked for nor needed by a network-wide scenario, then the others."""
    requested = [load_scenario(s) for s in scenario_list(scenarios)]
    check_scenario_names(requested)
    baseline = next((s for s in requested if s.name == BASELINE), None)
    if baseline is None and (with_baseline or any(s.network_wide for s in requested)):
        baseline = load_scenario(BASELINE)
    to_run = [*([baseline] if baseline else []), *(s for s in requested if s.name != BASELINE)]
    return requested, to_run


#: Most Monte Carlo paths one call may ask for (memory grows with paths × days × cohorts).
MAX_PATHS = 1_000_000


def check_horizon(horizon_days: object) -> None:
    check_whole(horizon_days, "horizon_days (--horizon)", 1, MAX_HORIZON_DAYS, "days (3 years)")


def check_run_args(paths: object, seed: object, workers: object = None) -> None:
    check_whole(paths, "paths (--paths)", 1, MAX_PATHS, "paths")
    check_whole(seed, "seed (--seed)", 0, 2**63 - 1, "")
    if workers is not None:
        check_whole(workers, "workers (--workers)", 1, 64, "worker processes")


@dataclass
class Prepared:
    """Everything a run builds before it simulates: validated inputs, one plan per
    scenario to run (baseline first, unless prepared ``with_baseline=False`` and not
    needed) and the market configuration."""

    loaded: LoadedFleet
    requested: list[Scenario]
    to_run: list[Scenario]
    plans: list[Plan]
    money: list[MoneyPlan]  # one per plan, compiled beside it
    market: MarketConfig
    horizon_days: int


def estimate_for(loaded: LoadedFleet, scenarios: int, paths: int, horizon_days: int,
                 money: bool | None = None) -> RunEstimate:  # fmt: skip
    """:func:`hashshock.sizing.estimate_run` for this fleet (cohorts, orders, pools), with
    its money when ``money`` (default: when it has a finance block)."""
    fleet = loaded.fleet
    families: dict[str, set[str]] = {}
    units = [(c.site, c.model) for c in fleet.cohorts] + [(o.site, o.model) for o in fleet.orders]
    for site, model in units:
        families.setdefault(site, set()).add(loaded.model_of(model).family)
    pools = 4 * sum(len(f) for f in families.values())
    cohorts = len(fleet.cohorts) + len(fleet.orders) + 1
    return estimate_run(scenarios, paths, horizon_days, cohorts, pools,
                        money=fleet.finance is not None if money is None else money)  # fmt: skip


#: A mapping with any of these keys is one scenario's fields, not names as its keys.
SCENARIO_KEYS = frozenset(Scenario.model_fields)


def check_scenario_list(scenarios: object) -> None:
    """``scenarios`` must be a list of names, files, mappings or scenarios, not one string
    (which Python would read letter by letter) or one scenario's mapping (read key by
    key; a mapping keyed by names is their collection), nor anything that is not a
    list."""
    if not isinstance(scenarios, str | Path | Scenario | Iterable):
        raise InputError(
            None, "scenarios", f"{shown(scenarios)} is not a list of scenarios",
            "give a list of names, files, mappings or scenarios, e.g. ['sanctions']",
        )  # fmt: skip
    one_mapping = isinstance(scenarios, Mapping) and bool(SCENARIO_KEYS & set(scenarios))
    if isinstance(scenarios, str | Path | Scenario) or one_mapping:
        names = (
            [n.strip() for n in str(scenarios).split(",")] if isinstance(scenarios, str) else None
        )
        raise InputError(
            None, "scenarios", f"{scenarios!r} is one {type(scenarios).__name__}, not a list",
            f"give a list: {names!r}" if names else "give a list: [scenario]",
        )  # fmt: skip


def scenario_list(scenarios: object) -> list[ScenarioLike]:
    """``scenarios`` checked (:func:`check_scenario_list`) and as a list; a set's in the
    order of their names, so that the results' order does not change from one process to
    the next (a set of strings is ordered by the process's hash seed)."""
    check_scenario_list(scenarios)
    assert isinstance(scenarios, Iterable)
    if isinstance(scenarios, set | frozenset):
        return sorted(scenarios, key=lambda s: s.name if isinstance(s, Scenario) else str(s))
    return list(scenarios)


def check_scenario_names(requested: Sequence[Scenario]) -> None:
    """At least one scenario, each named once (``--scenarios``)."""
    if not requested:
        raise InputError(None, "scenarios (--scenarios)", "no scenario given",
                         "name at least one scenario")  # fmt: skip
    names = [s.name for s in requested]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise InputError(
            None, "scenarios (--scenarios)", f"{', '.join(twice)} named more than once",
            "name each scenario once (they share common random numbers anyway); a "
            "scenario file is named by its name: field, else by its file name, so give "
            "a file that shares a built-in's name a name of its own",
        )  # fmt: skip
    for scenario in requested:
        if scenario.name == BASELINE and scenario.events:
            raise InputError(
                None, "scenarios (--scenarios)", f"a scenario named {BASELINE} has "
                f"{len(scenario.events)} event(s), but {BASELINE} is the no-shock "
                "reference every scenario is measured against",
                "give that scenario file a name of its own (its name: field, else its "
                "file name)",
            )  # fmt: skip


def pledges_called_on_day_0(
    finance: Finance | None, start: MarketStart, where: str
) -> tuple[str, ...]:
    """A warning for each BTC pledge of ``finance`` in margin call at the start's BTC
    price: its obligation / (BTC × price) already above its margin-call LTV, so the run
    reports a margin call on day 0 of every path. ``where`` starts each line (the file)."""
    out = []
    for i, pledge in enumerate(finance.btc_pledges if finance else []):
        if pledge.until_date is not None and pledge.until_date <= start.date:
            continue
        ltv = pledge.obligation_usd / max(pledge.btc * start.btc_price_usd, 1e-9)
        if ltv > pledge.margin_call_ltv:
            out.append(
                f"{where}finance.btc_pledges[{i}] ({pledge.name}): the obligation "
                f"${pledge.obligation_usd:,.0f} is {ltv:.2f} of its {pledge.btc:,.6g} BTC at "
                f"the start's price ${start.btc_price_usd:,.0f}, above its margin-call LTV "
                f"{pledge.margin_call_ltv:g}, so it is called on day 0: check the obligation, "
                "the BTC pledged or the price"
            )
    return tuple(out)


def prepare(
    fleet: FleetLike,
    scenarios: Sequence[ScenarioLike],
    horizon_days: int = 365,
    market: MarketInput = None,
    paths: int | None = None,
    with_baseline: bool = True,
) -> Prepared:
    """Load and check the inputs and compile their plans, short of simulating.

    Every problem is an :class:`InputError` naming the file, the field and the fix;
    a set of inputs that passes here runs. With ``paths``, a run that could not fit in
    memory is refused before anything large is built (:mod:`hashshock.sizing`).
    ``with_baseline=False``: baseline is run only if asked for or a network-wide scenario
    needs it (a caller reading no decline stage and no baseline money saves its run).
    """
    check_horizon(horizon_days)
    # A list before the fleet is read, and read once: an iterator given is spent by it.
    listed = scenario_list(scenarios)
    loaded = load_fleet(fleet)
    requested, to_run = scenarios_to_run(listed, with_baseline)
    for scenario in requested:
        check_scenario_against_fleet(scenario, loaded)
    config = as_market(market)
    # The day-0 market: given values must agree, and the network hold the fleet.
    start = market_start(config, loaded.fleet.start_date)
    check_network_holds(config, start, loaded.nameplate_ths)
    where = f"{loaded.path}: " if loaded.path else ""
    called = pledges_called_on_day_0(loaded.fleet.finance, start, where)
    if called:
        loaded = replace(loaded, warnings=loaded.warnings + called)
    if paths is not None:
        check_fits(estimate_for(loaded, len(to_run), paths, horizon_days))
    plans = compile_plans(loaded, to_run, horizon_days)  # the fleet's arrays compiled once
    _check_machines_within(loaded, plans[0], horizon_days)
    money = [compile_money(loaded, plan) for plan in plans]
    return Prepared(loaded, requested, to_run, plans, money, config, horizon_days)


def _check_machines_within(loaded: LoadedFleet, plan: Plan, horizon_days: int) -> None:
    """A fleet of orders only, all due after the horizon, installs no machine within it:
    its availability would read 0 % of nothing (refused, as a fleet of no machine is)."""
    due = plan.order_due_day[plan.order_count > 0]  # an order of no machine brings none
    if any(c.count for c in loaded.fleet.cohorts) or not len(due):
        return
    first = int(np.min(due))
    if first >= horizon_days:
        raise InputError(
            loaded.path, "horizon_days (--horizon)", f"the fleet has no machine installed and "
            f"its first order is due on day {first}, after the {horizon_days}-day horizon: "
            "nothing runs within it", f"run a horizon past day {first}, or give a cohort",
        )  # fmt: skip


def validate(
    fleet: FleetLike,
    scenarios: Sequence[ScenarioLike] = (BASELINE,),
    horizon_days: int = 365,
    market: MarketInput = None,
    one_paths: dict[dt.date, MarketPaths] | None = None,
    paths: int | None = None,
) -> Prepared:
    """:func:`prepare`, plus the money inputs each plan's run would build (on a one-path
    market): what ``hashshock validate`` checks. Passing it means :func:`compare` on the
    same inputs runs (of ``paths``, when given: a run too large for memory is refused
    before its plans are built). ``one_paths`` keeps the one-path markets by start date
    for the next call on the same market (an industry's members share theirs)."""
    prepared = prepare(fleet, scenarios, horizon_days, market, paths)
    start = prepared.loaded.fleet.start_date
    markets: dict[dt.date, MarketPaths] = {} if one_paths is None else one_paths
    if start not in markets:
        markets[start] = simulate_market(prepared.market, start, horizon_days, 1, 0)
    one_path = markets[start]
    for money in prepared.money:
        build_economy(money, one_path)
    return prepared


def input_files(
    loaded: LoadedFleet, scenarios: Sequence[ScenarioLike], market: MarketConfig
) -> list[Path]:
    """The user's files a run reads: the fleet file and the files it names, scenario
    files, the market YAML and its CSVs and snapshot (outputs must never overwrite them)."""
    files: list[Path] = []
    if loaded.path is not None:
        files.append(loaded.path)
        base = loaded.path.parent
        fleet = loaded.fleet
        files += [base / name for name in (fleet.cohorts_csv, fleet.catalog, fleet.failure_rates)
                  if name]  # fmt: skip
    files += [Path(s) for s in scenarios if isinstance(s, str | Path) and Path(s).is_file()]
    if market._file is not None:
        files.append(Path(market._file))
    csv = getattr(market.price, "csv", None)
    if csv is not None:
        files.append(Path(csv))
    snapshot = market.network.snapshot
    if snapshot is not None and snapshot.file is not None:
        files.append(snapshot.file)
    return files
