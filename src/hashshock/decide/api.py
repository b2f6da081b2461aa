"""The decisions from Python: :func:`optimise` (``hashshock optimise``) and
:func:`strategies` (``hashshock strategies``).

Each checks its arguments as its command does — an
:class:`~hashshock.inputs.errors.InputError` naming the argument and the fix before
anything is simulated — runs its evaluations on ``executor`` (default: threads, one per
core, as the commands do; results do not depend on it) and returns the result whose
``to_dict()`` is the command's ``--json``::

    import hashshock
    stock = hashshock.optimise("fleet.yaml", "sanctions", availability=0.97)
    stock.chosen_cost_usd, stock.to_dict()["optimise"]
    compared = hashshock.strategies("fleet.yaml", "sanctions", max_breach={"dscr": 0.3})
    compared.to_dict()["strategies"]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

# The types a caller's type checker and ``typing.get_type_hints`` resolve: imported
# here, not lazily, as whatever calls these functions loads them anyway.
from hashshock.decide.defaults import DEFAULT_AVAILABILITY
from hashshock.decide.optimise import OptimiseResult
from hashshock.decide.strategies import StrategiesResult
from hashshock.decide.strategy import Strategy
from hashshock.execution import Executor
from hashshock.execution.choose import check_placement, check_progress
from hashshock.inputs.errors import (
    InputError,
    check_flag,
    check_path_like,
    is_number,
    unknown_name_fix,
)
from hashshock.inputs.load import LoadedFleet
from hashshock.inputs.scenario import Scenario
from hashshock.market import MarketConfig
from hashshock.prepare import FleetLike, MarketInput, Prepared, ScenarioLike, prepare

#: Longest stockpile the built-in ``stockpile`` strategy may hold (months).
MAX_STOCKPILE_MONTHS = 36


def optimise(
    fleet: FleetLike,
    scenario: ScenarioLike = "baseline",
    availability: float = DEFAULT_AVAILABILITY,
    at: str = "p50",
    budget_usd: float | None = None,
    ordered: bool = False,
    paths: int = 1000,
    horizon_days: int = 365,
    seed: int = 0,
    *,
    market: MarketInput = None,
    executor: Executor | None = None,
    progress: Callable[[str], None] | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
) -> OptimiseResult:
    """The cheapest spares stock per pool (site × part × family) holding ``availability``
    (a share of installed parts working, its worst 30-day mean, at percentile ``at`` of
    the paths: ``"p50"`` or ``"p5"``) through the horizon under ``scenario``, within
    ``budget_usd`` (USD beyond today's stock) if given, and the availability-versus-budget
    frontier (docs/decisions.md). ``ordered``: the stock beyond today's is ordered on day
    0 and comes through the lead time and the scenario's holds, instead of being on the
    shelf. ``fleet``, ``scenario``, ``market``, ``paths``, ``horizon_days`` (30 or more)
    and ``seed`` are :func:`hashshock.run`'s; ``progress`` gets a line of text per step.
    The evaluations run on ``executor`` (left open), else on a Dask ``scheduler`` (or
    ``$DASK_SCHEDULER_ADDRESS``), else on ``workers`` local Dask worker processes, else
    on threads here, one per core; the result does not depend on where.

    Returns an :class:`~hashshock.decide.optimise.OptimiseResult`: ``chosen_stock`` (parts
    per pool, whole), ``chosen_cost_usd`` (USD beyond today's stock), ``chosen_objective``
    (the availability it holds), ``reached``, the ``frontier``; ``to_dict()`` is
    ``hashshock optimise --json``.
    """
    from hashshock.decide.evaluate import own_reorder_levels
    from hashshock.decide.optimise import check_target, check_window
    from hashshock.decide.optimise import optimise as search
    from hashshock.prepare import check_horizon, check_run_args

    if not is_number(availability):
        raise InputError(None, "availability", f"{availability!r} is not a share",
                         "give a share between 0 and 1, e.g. 0.97")  # fmt: skip
    if budget_usd is not None and not is_number(budget_usd):
        raise InputError(None, "budget_usd", f"{budget_usd!r} is not an amount",
                         "give the USD to spend on spares, 0 or more, or None")  # fmt: skip
    # numpy numbers pass the checks; plain floats keep the result writable as JSON
    budget_usd = None if budget_usd is None else float(budget_usd)
    goal = check_target(float(availability), at, budget_usd)
    check_run_args(paths, seed)
    check_horizon(horizon_days)
    # numpy integers pass the checks; plain ints keep the result writable as JSON
    paths, seed, horizon_days = int(paths), int(seed), int(horizon_days)
    check_window(horizon_days)
    check_progress(progress, takes="a line of text (each step of the search)", arguments=1)
    check_placement(workers, scheduler)  # before the inputs' work; reached in _pool
    ordered = check_flag(ordered, "ordered", "give True (ordered on day 0) or False (on the "
                         "shelf)")  # fmt: skip
    prepared = prepare(fleet, [scenario], horizon_days, market, paths)
    with _pool(executor, workers, scheduler) as pool:
        found = search(prepared, goal, budget_usd, paths, seed, pool, progress=progress,
                       ordered=ordered)  # fmt: skip
    _warn(prepared, paths, own_reorder_levels(prepared.loaded))
    return found


def strategies(
    fleet: FleetLike,
    scenario: ScenarioLike = "baseline",
    extra: Sequence[str | Path] = (),
    max_breach: Mapping[str, float] | None = None,
    stockpile_months: float | None = None,
    paths: int = 1000,
    horizon_days: int = 365,
    seed: int = 0,
    *,
    market: MarketInput = None,
    executor: Executor | None = None,
    progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
) -> StrategiesResult:
    """The built-in strategies and those of the ``extra`` strategy files, each against
    doing nothing under ``scenario`` on common random numbers: availability, money,
    covenant breaches and net benefit (USD, with its 95 % interval), and the cheapest
    strategy keeping each covenant of ``max_breach`` (name → largest breach probability)
    under its limit (docs/decisions.md). ``stockpile_months``: months of parts the
    built-in stockpile holds (default ``data/decide_strategies.csv``). The other
    arguments are :func:`optimise`'s; ``progress`` gets (strategies done, in all).
    Returns a :class:`~hashshock.decide.strategies.StrategiesResult`; ``to_dict()`` is
    ``hashshock strategies --json`` (money in USD, availability and breaches as shares)."""
    from hashshock.decide.strategies import compare_strategies
    from hashshock.inputs.load import load_fleet, load_scenario
    from hashshock.prepare import check_horizon, check_run_args

    check_run_args(paths, seed)
    check_horizon(horizon_days)
    paths, seed, horizon_days = int(paths), int(seed), int(horizon_days)  # as optimise's
    check_progress(progress)
    check_placement(workers, scheduler)  # before the inputs' work; reached in _pool
    if isinstance(extra, str | Path):
        raise InputError(None, "extra", f"{str(extra)!r} is one file, not a list of them",
                         f"give a list: extra=[{str(extra)!r}]")  # fmt: skip
    if not isinstance(extra, Iterable):
        raise InputError(None, "extra", f"{extra!r} is not a list of strategy files",
                         "give a list of strategy YAML files, or leave it out")  # fmt: skip
    extra = [check_path_like(file, f"extra[{k}]", "give the path of a strategy YAML file",
                             "strategy file")
             for k, file in enumerate(extra)]  # fmt: skip
    loaded, chosen = load_fleet(fleet), load_scenario(scenario)
    thresholds = check_thresholds(max_breach or {}, covenant_names(loaded), "max_breach")
    check_tested(loaded, thresholds, horizon_days)
    months = check_months(stockpile_months, "stockpile_months")
    prepared = prepare(loaded, [chosen], horizon_days, market, paths)
    listed, fleets = strategy_fleets(prepared, loaded, chosen, prepared.market, months, extra)
    with _pool(executor, workers, scheduler) as pool:
        found = compare_strategies(fleets, listed, chosen, prepared.market, horizon_days,
                                   paths, seed, thresholds, pool, progress)  # fmt: skip
    _warn(prepared, paths)
    return found


def _warn(prepared: Prepared, paths: int, more: Sequence[str] = ()) -> None:
    """The fleet's, day-0 market's and few paths' warnings, as :func:`hashshock.run`
    issues them, and ``more``."""
    from hashshock.analysis.summary import few_paths_warning
    from hashshock.api import fleet_warnings
    from hashshock.notices import warn_all

    warn_all([*fleet_warnings(prepared.loaded, prepared.market, prepared.plans[0]),
              *few_paths_warning(paths), *more])  # fmt: skip


def strategy_fleets(
    prepared: Prepared, loaded: LoadedFleet, scenario: Scenario, market: MarketConfig,
    months: float, files: Sequence[str | Path],
) -> tuple[list[Strategy], list[LoadedFleet]]:  # fmt: skip
    """The built-in strategies for this fleet and those of ``files``, checked (names, costs
    within the horizon), and the fleet each one makes (the first is doing nothing)."""
    from hashshock.decide.edits import base_set
    from hashshock.decide.strategies import check_costs
    from hashshock.decide.strategy import apply, builtin_strategies, check_names, load_strategy

    base = base_set(loaded, scenario, market)
    listed = builtin_strategies(prepared, base, months)
    listed += [load_strategy(f) for f in files]
    check_names(listed)
    check_costs(listed, prepared.horizon_days)
    fleets = [apply(s, base) for s in listed]
    _check_assets_paid(prepared, listed, fleets)
    _check_spares_paid(prepared, listed, fleets, scenario, market)
    return listed, fleets


def _assets_usd(loaded: LoadedFleet, usd_per_th: Mapping[str, float],
                horizon_days: int) -> dict[str, float]:  # fmt: skip
    """What a fleet owns on day 0 that a strategy's edits can add, USD: its cash, its
    machines and donor machines at the used-ASIC index of day 0 (``usd_per_th`` by
    efficiency tier, :func:`~hashshock.decide.strategy.used_prices_on_day0`), less what
    its loans take over the horizon — their principal and the interest paid and accrued
    in it, which the net benefit counts in the cash and the debt at the end (a rate cut
    or a principal forgiven is a gain as sure as cash)."""
    from hashshock.finance.loans import schedule
    from hashshock.market.hashprice import efficiency_tier

    def worth(model: str, count: int) -> float:
        spec = loaded.model_of(model)
        return count * spec.hashrate_ths * usd_per_th[efficiency_tier(spec.efficiency_j_per_th)]

    fleet = loaded.fleet
    return {
        "cash": fleet.finance.cash_usd if fleet.finance else 0.0,
        "machines": sum(worth(c.model, c.count) for c in fleet.cohorts),
        "donor machines": sum(worth(model, count) for site in fleet.sites
                              for model, count in (site.donors or {}).items()),
        "loan cost saved": -sum(
            loan.principal_usd + float(paid.interest.sum()) + paid.interest_accrued_end_usd
            for loan in (fleet.finance.loans if fleet.finance else [])
            for paid in [schedule(loan, fleet.start_date, horizon_days)]),
    }  # fmt: skip


def _check_assets_paid(prepared: Prepared, listed: Sequence[Strategy],
                       fleets: Sequence[LoadedFleet]) -> None:  # fmt: skip
    """A strategy file whose edits add cash, machines or donors, or cut what its loans
    cost, pays for them: what a strategy owns at the end counts, so $30 M of cash edited
    in came out a +$10 M benefit, 2,000 machines for $0 +$518k, 2,000 S21s for $1
    +$4.5 M, and a loan's rate set to 0 +$932k. What they add is valued as the net
    benefit values it (cash at face value, machines at the used-ASIC index of day 0, a
    loan's principal and interest over the horizon); ``costs.upfront_usd`` must cover
    it. Money raised is cash added with a loan of its principal (``finance.loans``,
    with its repayments): the two cancel but for the interest, which the strategy pays."""
    from hashshock.decide.strategy import used_prices_on_day0
    from hashshock.money_notes import musd

    prices = used_prices_on_day0(prepared)
    before = _assets_usd(prepared.loaded, prices, prepared.horizon_days)
    for strategy, fleet in zip(listed, fleets, strict=True):
        if not strategy._origin:
            continue
        after = _assets_usd(fleet, prices, prepared.horizon_days)
        added = {name: after[name] - before[name] for name in before}
        if sum(added.values()) <= strategy.costs.upfront_usd + 1.0:
            continue
        said = ", ".join(f"{musd(gain)} of {name}" for name, gain in added.items() if gain > 0)
        needed = sum(added.values())
        raise InputError(
            strategy._origin, "costs.upfront_usd", f"{musd(strategy.costs.upfront_usd)} "
            f"does not pay for what its edits add on day 0 ({said}; machines at the "
            "used-ASIC index): what a strategy owns at the end counts, so they would be a "
            "gain for nothing", f"give costs.upfront_usd: {needed:.0f} or more (what they "
            "cost), or add a loan to finance.loans of the principal the cash was raised by",
        )  # fmt: skip


def _shelf_usd(prepared: Prepared) -> float:
    """The spares on the shelves on day 0 at their landed cost (USD)."""
    plan, money = prepared.plans[-1], prepared.money[-1]
    return float(plan.pool_on_hand @ money.pool_unit_cost[:, 0])


def _check_spares_paid(
    prepared: Prepared, listed: Sequence[Strategy], fleets: Sequence[LoadedFleet],
    scenario: Scenario, market: MarketConfig,
) -> None:  # fmt: skip
    """A strategy file whose edits put spares on the shelves (``fleet.spares``, or a list
    that leaves parts to the defaults) pays for them: spares a strategy owns at the end
    count at their cost, so free ones were a gain (5,000 fans given for nothing came out
    +$1.1 M). The built-ins cost what they stock."""
    from hashshock.money_notes import musd

    before = _shelf_usd(prepared)
    for strategy, fleet in zip(listed, fleets, strict=True):
        if not strategy._origin:
            continue
        added = _shelf_usd(prepare(fleet, [scenario], prepared.horizon_days, market,
                                   with_baseline=False)) - before  # fmt: skip
        if added > strategy.costs.upfront_usd + 1.0:
            raise InputError(
                strategy._origin, "costs.upfront_usd", f"{musd(strategy.costs.upfront_usd)} "
                f"does not pay for the {musd(added)} of spares its edits put on the shelves "
                "on day 0 (at their landed cost, duty included)", f"give costs.upfront_usd: "
                f"{added:.0f} or more, or edits that add no spares",
            )  # fmt: skip


def check_months(months: float | None, option: str = "--stockpile-months") -> float:
    """The stockpile's months: ``months``, or the bundled default when None."""
    from hashshock.decide.strategy import defaults

    if months is None:
        return float(defaults()["stockpile_months"])
    if not is_number(months):
        raise InputError(None, option, f"{months!r} is not a number of months",
                         f"give more than 0 and at most {MAX_STOCKPILE_MONTHS} months")  # fmt: skip
    if not 0 < months <= MAX_STOCKPILE_MONTHS:
        raise InputError(None, option, f"{float(months):g} months is out of range",
                         f"give more than 0 and at most {MAX_STOCKPILE_MONTHS} months")  # fmt: skip
    return float(months)


def covenant_names(loaded: LoadedFleet) -> list[str]:
    """The names of the fleet's covenants (none without a finance block)."""
    finance = loaded.fleet.finance
    return [c.name for c in finance.covenants] if finance else []


def check_thresholds(
    limits: Mapping[str, float], covenants: Sequence[str], option: str = "--max-breach"
) -> dict[str, float]:
    """``limits`` (covenant → largest breach probability) if each names one of
    ``covenants`` and is a probability; an :class:`InputError` otherwise."""
    if not isinstance(limits, Mapping):
        raise InputError(None, option, f"{limits!r} is not a mapping of covenants",
                         'give e.g. {"dscr": 0.05}')  # fmt: skip
    checked: dict[str, float] = {}
    for name, limit in limits.items():
        number = is_number(limit)
        if not number or not (0.0 <= limit <= 1.0 and math.isfinite(limit)):
            shown = f"{float(limit):g}" if number else repr(limit)
            raise InputError(None, option, f"{shown} is not a probability",
                             f"give a share from 0 to 1, e.g. {name}=0.05")  # fmt: skip
        if name not in covenants:
            fix = (unknown_name_fix(str(name), covenants, "covenant") if covenants
                   else "add covenants to the fleet's finance: block first")  # fmt: skip
            raise InputError(None, option, f"the fleet has no covenant {name!r}", fix)
        checked[name] = float(limit)
    return checked


def check_tested(loaded: LoadedFleet, thresholds: Mapping[str, float], horizon_days: int
                 ) -> None:  # fmt: skip
    """Each covenant of ``thresholds`` is tested within ``horizon_days`` (else an
    :class:`InputError` with the horizon that reaches its first test): a limit on a
    breach share the run never measures would choose a strategy on a test never made."""
    from hashshock.breakpoint import check_covenant

    for name in thresholds:
        check_covenant(loaded, name, horizon_days)


@contextmanager
def _pool(
    executor: Executor | None, workers: int | None, scheduler: str | None
) -> Iterator[Executor]:
    """``executor`` as given (the caller closes it), else the command line's choice for
    ``workers`` and ``scheduler`` (:func:`hashshock.cli.decide_options.executor`'s),
    closed after the call."""
    from hashshock.execution import make_executor
    from hashshock.execution.choose import check_executor, cores

    check_executor(executor, workers=workers, scheduler=scheduler)
    if executor is not None:
        yield executor
        return
    with make_executor(workers, scheduler, threads=cores()) as pool:
        yield pool
