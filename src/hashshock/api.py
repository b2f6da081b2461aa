"""The Python API: ``hashshock.run`` and ``hashshock.compare`` mirror the CLI commands.

>>> import hashshock
>>> result = hashshock.run("examples/small-farm/fleet.yaml", "customs-2024", paths=20,
...                        horizon_days=60, seed=1)  # doctest: +SKIP
>>> result.to_dict()["stages"]["customs_delay"]["probability"]  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hashshock import __version__
from hashshock.analysis.summary import few_paths_warning
from hashshock.engine.output import EngineOutput
from hashshock.execution.base import Executor
from hashshock.execution.choose import check_executor, check_progress
from hashshock.finance.covenants import ltv_breached_at_start, untested, untested_warning
from hashshock.finance.moneyplan import covenant_spec
from hashshock.finance.scenario_money import (
    Money,
    ScenarioMarkets,
    lost_share,
    money_for,
    with_price_factor,
)
from hashshock.finance.steering import MarketLike, build_economy
from hashshock.frozen import make_read_only
from hashshock.inputs.catalog import PART_TYPES
from hashshock.inputs.load import LoadedFleet
from hashshock.inputs.scenario import Scenario
from hashshock.market import MarketConfig
from hashshock.market.start import market_start
from hashshock.notices import warn_all
from hashshock.parallel import default_workers, simulate_many
from hashshock.plan import Plan
from hashshock.plan.bench_load import overloaded_benches
from hashshock.plan.events import idle_events, orders_after_horizon
from hashshock.prepare import (
    BASELINE,
    FleetLike,
    MarketInput,
    Prepared,
    ScenarioLike,
    check_horizon,
    check_run_args,
    prepare,
    validate,
)
from hashshock.results import RunResult

__all__ = ["ProgressCallback", "compare", "prepare", "run", "simulate_prepared", "validate"]

#: Called with (days done, days in total) across all runs of one call.
ProgressCallback = Callable[[int, int], None]


def _manifest(
    loaded: LoadedFleet, scenario: Scenario, seed: int, paths: int, horizon: int
) -> dict[str, Any]:
    payload = json.dumps(
        {
            "fleet": loaded.content(),
            "scenario": scenario.model_dump(mode="json"),
            "catalog": loaded.catalog.figures(),
        },
        sort_keys=True,
        default=str,
    )
    return {
        "inputs_sha256": hashlib.sha256(payload.encode("utf-8")).hexdigest(),
        "seed": seed,
        "paths": paths,
        "horizon_days": horizon,
        "version": __version__,
    }


def market_manifest(config: MarketConfig, start_date: date, price_factor: float) -> dict[str, Any]:
    """What a result says of the market it ran on: the configuration's digest, the
    snapshot it started from and the day-0 market (``market_start``), and the factor
    on BTC prices (a breakpoint's BTC drop)."""
    payload = json.dumps(config.content(), sort_keys=True, default=str)
    start = market_start(config, start_date)
    return {
        "market_sha256": hashlib.sha256(payload.encode("utf-8")).hexdigest(),
        "snapshot_date": start.snapshot.date.isoformat(),
        "snapshot_origin": start.snapshot.origin or "bundled",
        "market_start": start.to_dict(),
        "btc_price_factor": price_factor,
    }


def run_result(
    loaded: LoadedFleet, scenario: Scenario, output: EngineOutput,
    baseline_hashrate_ths: NDArray[np.float64] | None, paths: int, horizon: int, seed: int,
    *, money: Money | None = None, baseline_money: Money | None = None,
    local_money: Money | None = None, warnings: Sequence[str] = (),
    market: Mapping[str, Any] | None = None,
) -> RunResult:  # fmt: skip
    """The :class:`RunResult` of one simulated scenario; ``baseline_hashrate_ths`` [paths,
    days] is baseline's, for the decline stage; ``local_money``: a network-wide scenario
    priced on the fleet's own market."""
    return RunResult(
        scenario=scenario.name,
        scenario_description=scenario.description.strip(),
        fleet_name=loaded.fleet.name,
        paths=paths,
        horizon_days=horizon,
        seed=seed,
        start_date=loaded.fleet.start_date,
        version=__version__,
        machines=loaded.machines,
        nameplate_ths=loaded.nameplate_ths,
        part_names=PART_TYPES,
        output=output,
        baseline_hashrate_ths=baseline_hashrate_ths,
        manifest={**_manifest(loaded, scenario, seed, paths, horizon), **(market or {})},
        pipelines_at_start=loaded.fleet.pipelines_at_start,
        machines_on_order=sum(order.count for order in loaded.fleet.orders),
        money=money,
        baseline_money=baseline_money,
        local_money=local_money,
        warnings=list(warnings),
    )


def compare(
    fleet: FleetLike,
    scenarios: Sequence[ScenarioLike],
    paths: int = 1000,
    horizon_days: int = 365,
    seed: int = 0,
    *,
    progress: ProgressCallback | None = None,
    workers: int | None = None,
    market: MarketInput = None,
    executor: Executor | None = None,
) -> list[RunResult]:
    """Run several scenarios on common random numbers (same seed, same draws).

    ``baseline`` is simulated once (added if not listed) because the
    hashrate-decline stage is measured against it path by path. Simulations
    run one after the other in this process, each on the engine's threads;
    ``workers`` > 1 starts a local Dask cluster of that many worker processes for the
    call, and an ``executor`` (:mod:`hashshock.execution`: threads, a local or remote
    Dask cluster) is used as given. Results do not depend on where they ran.
    ``scenarios`` is a list (of names, files, mappings or scenarios); the other arguments, the
    result and the errors are :func:`run`'s, one result per scenario in the order given
    (a set has none: its scenarios come in the order of their names).
    """
    check_run_args(paths, seed, workers)
    check_horizon(horizon_days)
    check_executor(executor, workers=workers)
    check_progress(progress)
    # numpy integers pass the checks; plain ints keep the result writable as JSON.
    paths, seed, horizon_days = int(paths), int(seed), int(horizon_days)
    prepared = prepare(fleet, scenarios, horizon_days, market, paths)
    results = simulate_prepared(prepared, paths, seed, progress, workers, executor=executor)
    warn_all(w for r in results for w in r.warnings)
    return results


def fleet_warnings(loaded: LoadedFleet, config: MarketConfig, plan: Plan | None = None
                   ) -> list[str]:  # fmt: skip
    """What a run of ``loaded`` on ``config`` should say whatever the scenario: the
    fleet's own warnings, the day-0 market's notes and staleness, and with its compiled
    baseline ``plan`` an overloaded repair bench, orders due after the horizon and
    covenants it never tests."""
    start = market_start(config, loaded.fleet.start_date)
    warnings = [*loaded.warnings, *start.notes, *([start.warning] if start.warning else [])]
    if plan is not None:
        warnings += overloaded_benches(plan) + orders_after_horizon(plan)
        covenants = loaded.fleet.finance.covenants if loaded.fleet.finance else []
        specs = tuple(covenant_spec(c, loaded.fleet.start_date) for c in covenants)
        warnings += [untested_warning(name, day, plan.horizon_days)
                     for name, day in untested(specs, plan.horizon_days)]  # fmt: skip
    return warnings


def simulate_scenarios(
    loaded: LoadedFleet,
    resolved: Sequence[Scenario],
    paths: int,
    horizon_days: int,
    seed: int,
    progress: ProgressCallback | None,
    workers: int | None,
    config: MarketConfig,
    price_factor: float = 1.0,
    with_baseline: bool = True,
) -> list[RunResult]:
    """Simulate ``resolved`` (plus baseline, unless ``with_baseline`` is False: see
    :func:`~hashshock.prepare.prepare`) with money; ``price_factor`` scales BTC prices.
    A run that cannot fit in memory is refused before anything large is built."""
    prepared = prepare(loaded, resolved, horizon_days, config, paths, with_baseline)
    return simulate_prepared(prepared, paths, seed, progress, workers, price_factor)


def simulate_prepared(
    prepared: Prepared,
    paths: int,
    seed: int,
    progress: ProgressCallback | None = None,
    workers: int | None = None,
    price_factor: float = 1.0,
    executor: Executor | None = None,
) -> list[RunResult]:
    """Simulate a :class:`Prepared` set of scenarios with money, on ``executor`` when
    given, else in this process (``workers`` > 1: a local Dask cluster for the call)."""
    loaded, config, plans = prepared.loaded, prepared.market, prepared.plans
    horizon_days = prepared.horizon_days
    shared = ScenarioMarkets(config, loaded.fleet.start_date, horizon_days, paths, seed)

    def market_for(plan: Plan, lost: NDArray[np.float64] | None = None) -> MarketLike:
        return with_price_factor(shared.market(plan, lost), price_factor)

    markets = [market_for(plan) for plan in plans]
    monies = prepared.money
    economies = [build_economy(mp, m) for mp, m in zip(monies, markets, strict=True)]
    target: Executor | int = (
        executor if executor is not None else (default_workers() if workers is None else workers)
    )
    outputs = simulate_many(plans, paths, seed, target, progress, economies)
    for out in outputs:
        out.make_read_only()
    # None: prepared without it (no network-wide scenario, no decline stage wanted)
    baseline = outputs[0] if prepared.to_run[0].name == BASELINE else None
    moneys = []
    local_moneys: dict[str, Money] = {}
    runs = zip(prepared.to_run, plans, monies, outputs, markets, strict=True)
    for scenario, plan, mp, out, mk in runs:
        local = None
        if scenario.network_wide and scenario.name != BASELINE:
            # The same shock across the network's Bitmain-dependent share slows network
            # growth; the fleet's engine run keeps its local-market decisions.
            local = local_moneys[scenario.name] = money_for(mp, plan, out, mk)
            assert baseline is not None  # prepare runs it for a network-wide scenario
            mk = market_for(plan, lost_share(out, baseline))
        moneys.append(money_for(mp, plan, out, mk, local))
    make_read_only([moneys, local_moneys])  # they share markets and flows, as outputs do
    warnings = [*fleet_warnings(loaded, config, plans[0]), *few_paths_warning(paths),
                *ltv_breached_at_start(monies[0].covenants, moneys[0].flows.loans,
                                       float(np.median(moneys[0].flows.collateral_usd[:, 0])),
                                       f"{loaded.path}: " if loaded.path else "")]  # fmt: skip
    by_name = {
        s.name: (out, m, plan)
        for s, out, m, plan in zip(prepared.to_run, outputs, moneys, plans, strict=True)
    }
    results = []
    for s in prepared.requested:
        out, money, plan = by_name[s.name]
        base_ths = None if baseline is None else baseline.hashrate_ths
        result = run_result(
            loaded, s, out, base_ths, paths, horizon_days, seed, money=money,
            baseline_money=None if baseline is None else moneys[0],
            local_money=local_moneys.get(s.name), warnings=[*warnings, *idle_events(plan)],
            market=market_manifest(config, loaded.fleet.start_date, price_factor),
        )  # fmt: skip
        results.append(result)
    return results


def run(
    fleet: FleetLike,
    scenario: ScenarioLike = BASELINE,
    paths: int = 1000,
    horizon_days: int = 365,
    seed: int = 0,
    *,
    progress: ProgressCallback | None = None,
    workers: int | None = None,
    market: MarketInput = None,
    executor: Executor | None = None,
) -> RunResult:
    """Simulate one scenario on a fleet (``baseline`` is run too, for the decline stage).

    Arguments, as ``hashshock run`` takes them:

    - ``fleet``: a fleet file's path, a mapping of its fields, a
      :class:`~hashshock.inputs.fleet.Fleet`, or a loaded fleet (:func:`hashshock.load_fleet`);
    - ``scenario``: a bundled scenario's name (``hashshock scenarios`` lists them), a
      scenario file, a mapping of its fields (``{"name": "mine", "include":
      ["sanctions"]}``) or a :class:`~hashshock.inputs.scenario.Scenario`;
    - ``paths``: Monte Carlo paths, 1 to 1,000,000; ``horizon_days``: days simulated from
      the fleet's start date, 1 to 1,098; ``seed``: 0 to 2**63 − 1 (same inputs and
      seed, same numbers);
    - ``progress``: called with (days done, days in total); ``workers`` > 1: a local
      Dask cluster for the call (its worker processes do not run the calling script);
    - ``market``: a market YAML's path, a mapping of its fields, or a
      :class:`~hashshock.market.MarketConfig` (default: the bundled market);
    - ``executor``: where to run (:mod:`hashshock.execution`), as :func:`compare`'s.

    The arguments after ``seed`` are keywords (``progress=``, ``market=``), in every
    function of the API: their order differs from one to another.

    Returns a :class:`~hashshock.results.RunResult`: ``to_dict()`` is the JSON of
    ``hashshock run --json`` (README, "JSON output"); labelled arrays from
    :func:`hashshock.results.labelled.to_dataset` (docs/report.md).
    Raises :class:`~hashshock.inputs.errors.InputError` (one line: file, field, fix) on
    bad input, before anything is simulated; issues
    :class:`~hashshock.notices.HashshockWarning` for inputs worth a second look.
    """
    return compare(
        fleet,
        [scenario],
        paths,
        horizon_days,
        seed,
        progress=progress,
        workers=workers,
        market=market,
        executor=executor,
    )[0]
