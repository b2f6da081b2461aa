"""``hashshock.industry``: the industry view in Python, as ``hashshock industry`` runs it.

>>> import hashshock
>>> result = hashshock.industry(None, ["baseline", "sanctions"], paths=50,
...                             horizon_days=180)  # doctest: +SKIP
>>> result.to_dict()["scenarios"]["sanctions"]["first_to_break"]["financial"][0]  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from hashshock.execution.base import Executor, Progress
from hashshock.execution.choose import check_executor, check_progress
from hashshock.finance.cashflow import collateral_usd
from hashshock.finance.covenants import ltv_breached_at_start, untested, untested_warning
from hashshock.finance.moneyplan import covenant_spec
from hashshock.industry.load import (
    LoadedIndustry,
    industry_from_mapping,
    load_industry,
    with_engine_passes,
    with_portfolio,
)
from hashshock.industry.result import IndustryResult
from hashshock.industry.simulate import (
    IndustryInputs,
    prepare_industry,
    reference_plan,
    simulate_industry,
)
from hashshock.inputs.errors import check_flag, check_path_like
from hashshock.market import MarketConfig, simulate_market
from hashshock.market.simulate import MarketPaths
from hashshock.market.start import MarketStart, market_start
from hashshock.notices import warn_all
from hashshock.plan.events import idle_events
from hashshock.prepare import (
    MarketInput,
    ScenarioLike,
    check_horizon,
    check_run_args,
    pledges_called_on_day_0,
)

IndustryLike = str | Path | LoadedIndustry | dict[str, object] | None
#: A lender's portfolio: a YAML file, or a mapping of its fields (``{"loans": [...]}``).
PortfolioLike = str | Path | Mapping[str, Any] | None

#: Paths by default: an industry runs every member once per scenario (docs/industry.md).
DEFAULT_PATHS = 200


def _loaded(industry: IndustryLike) -> LoadedIndustry:
    if isinstance(industry, LoadedIndustry):
        return industry
    if isinstance(industry, dict):
        return industry_from_mapping(dict(industry))
    if industry is not None:
        check_path_like(industry, "industry", "give an industry file's path, a bundled "
                        "industry's name (us), a mapping of its fields, or None")  # fmt: skip
    return load_industry(industry)


def industry_files(
    industry: IndustryLike, scenarios: Sequence[ScenarioLike], market: MarketConfig,
    portfolio: PortfolioLike = None,
) -> tuple[LoadedIndustry, list[Path]]:  # fmt: skip
    """The industry loaded (with ``portfolio``'s loans if given), and every user file a
    run of it reads: the industry file, the portfolio, each member's fleet or template
    file and the files those name, scenario files and the market's (outputs must never
    overwrite them)."""
    from hashshock.prepare import input_files

    loaded = _loaded(industry)
    if portfolio is not None:
        loaded = with_portfolio(loaded, portfolio)
    files = [loaded.path] if loaded.path is not None else []
    files += [loaded.portfolio_file] if loaded.portfolio_file is not None else []
    for member in loaded.members:
        files += input_files(member.loaded, scenarios, market)
    return loaded, list(dict.fromkeys(files))


def validate_industry(
    industry: IndustryLike = None,
    scenarios: Sequence[ScenarioLike] = ("baseline",),
    horizon_days: int = 365,
    market: MarketInput = None,
    paths: int | None = None,
) -> IndustryInputs:
    """Check an industry file, its fleets, the scenarios and the money inputs, short of
    simulating; passing it means :func:`industry` on the same inputs runs (with ``paths``,
    that a run of so many paths fits this machine's memory too)."""
    return prepare_industry(_loaded(industry), scenarios, horizon_days, market, paths,
                            check_money=True)  # fmt: skip


def pledge_warnings(loaded: LoadedIndustry, start: MarketStart) -> list[str]:
    """:func:`~hashshock.prepare.pledges_called_on_day_0` for each operator or class (once
    for all its members), named as in the industry file."""
    out: list[str] = []
    for i, op in enumerate(loaded.industry.operators):
        member = next((m for m in loaded.members if m.group == op.name), None)
        if member is None:
            continue
        where = f"{loaded.path or 'industry'}: operators[{i}] ({op.name})."
        out += pledges_called_on_day_0(member.loaded.fleet.finance, start, where)
    return out


def covenant_warnings(loaded: LoadedIndustry, horizon_days: int) -> list[str]:
    """The covenants the horizon never tests, for each operator or class (once for all its
    members, named as in the industry file): they break no member and have no breach
    share (:func:`~hashshock.finance.covenants.untested`)."""
    out: list[str] = []
    for i, op in enumerate(loaded.industry.operators):
        member = next((m for m in loaded.members if m.group == op.name), None)
        finance = None if member is None else member.loaded.fleet.finance
        if member is None or finance is None:
            continue
        specs = tuple(covenant_spec(c, member.loaded.fleet.start_date) for c in finance.covenants)
        where = f"{loaded.path or 'industry'}: operators[{i}] ({op.name}): "
        out += [where + untested_warning(name, day, horizon_days)
                for name, day in untested(specs, horizon_days)]  # fmt: skip
    return out


def ltv_warnings(inputs: IndustryInputs) -> list[str]:
    """The LTV covenants each operator or class breaches on day 0
    (:func:`~hashshock.finance.covenants.ltv_breached_at_start`), named as in the industry
    file: each member judged on its own machines (a class's members differ in size, and a
    portfolio's new debt is the same for each), the warning said once for the class with
    the first member that breaches and how many do. The machines at the day-0 used-ASIC
    index, which is the same on every path."""
    loaded = inputs.loaded
    day_0: dict[dt.date, MarketPaths] = {}  # one path, one day: the day-0 market
    out: list[str] = []
    for i, op in enumerate(loaded.industry.operators):
        where = f"{loaded.path or 'industry'}: operators[{i}] ({op.name}): "
        members = [k for k, m in enumerate(loaded.members) if m.group == op.name]
        said: list[list[str]] = []
        for k in members:
            money, plan = inputs.members[k].money[0], inputs.members[k].plans[0]
            if not money.covenants:
                continue
            if plan.start_date not in day_0:
                day_0[plan.start_date] = simulate_market(inputs.market, plan.start_date, 1, 1, 0)
            installed = float((plan.cohort_initial * plan.cohort_ths_per_machine).sum())
            collateral = collateral_usd(money.collateral_tier_share, np.full((1, 1), installed),
                                        day_0[plan.start_date])  # fmt: skip
            warned = ltv_breached_at_start(money.covenants, money.loans, float(collateral[0, 0]))
            if warned:
                said.append(warned)
        if said:
            share = f", {len(said)} of {len(members)} members" if len(members) > 1 else ""
            out += [f"{where[:-2]}{share}: {line}" for line in said[0]]
    return out


def scenario_warnings(inputs: IndustryInputs) -> list[str]:
    """Each scenario's events that cannot act on any path
    (:func:`~hashshock.plan.events.idle_events`, judged on the plan of a member that buys
    from Bitmain: the events are every member's)."""
    return [w for k in range(len(inputs.to_run)) for w in idle_events(reference_plan(inputs, k))]


def member_warnings(loaded: LoadedIndustry) -> list[str]:
    """Each member's fleet warnings, named by its operator or class: a member scaled from a
    template would otherwise be named by the template's file (a bundled one), not by the
    operator of the industry file that sized it. Once each."""
    out = []
    for member in loaded.members:
        i = next(i for i, op in enumerate(loaded.industry.operators) if op.name == member.group)
        out += [f"operators[{i}] ({member.group}): {w}" for w in member.loaded.warnings]
    return list(dict.fromkeys(out))


def late_line_warnings(loaded: LoadedIndustry, horizon_days: int) -> list[str]:
    """Vendor lines that start shipping after the horizon: they make nothing in the run,
    and orders of their models wait to its end."""
    last = loaded.industry.start_date + dt.timedelta(days=horizon_days - 1)
    return [
        f"vendor_lines[{i}] ({line.name}): start_date {line.start_date} is after the "
        f"horizon's last day ({last}), so it ships nothing in this run — check the year, "
        "or run a longer --horizon"
        for i, line in enumerate(loaded.industry.vendor_lines)
        if line.start_date is not None and line.start_date > last
    ]


def checked_warnings(inputs: IndustryInputs, loaded: LoadedIndustry) -> list[str]:
    """Everything a run of ``inputs`` (``loaded`` with its portfolio) says of its inputs
    before simulating — the same for ``hashshock industry --validate`` as for the run."""
    return [*input_warnings(loaded, inputs.market), *scenario_warnings(inputs),
            *covenant_warnings(loaded, inputs.horizon_days), *ltv_warnings(inputs),
            *late_line_warnings(loaded, inputs.horizon_days)]  # fmt: skip


def input_warnings(loaded: LoadedIndustry, market: MarketConfig) -> list[str]:
    """What an industry run says of its inputs whatever the scenario: its members' fleets,
    BTC pledges against the day-0 price, the industry file's own warnings and the day-0
    market's notes and staleness."""
    start = market_start(market, loaded.industry.start_date)
    warnings = member_warnings(loaded)
    warnings += pledge_warnings(loaded, start)
    warnings += loaded.warnings
    return [*warnings, *start.notes, *([start.warning] if start.warning else [])]


def industry(
    industry: IndustryLike = None,
    scenarios: Sequence[ScenarioLike] = ("baseline", "sanctions"),
    paths: int = DEFAULT_PATHS,
    horizon_days: int = 365,
    seed: int = 0,
    *,
    market: MarketInput = None,
    executor: Executor | None = None,
    progress: Progress | None = None,
    portfolio: PortfolioLike = None,
    workers: int | None = None,
    engine_passes: int | None = None,
    say_warnings: bool = True,
) -> IndustryResult:
    """Simulate every operator of ``industry`` (a file, a bundled name such as ``us``, a
    mapping; ``None``: ``us``) under each scenario, on one network and one set of random
    numbers; ``executor`` (default: in this process; ``workers`` > 1: a local Dask cluster
    of that many worker processes for the call, as ``hashshock industry --workers``) runs
    the members' tasks and ``progress`` gets (tasks done, tasks in total); ``portfolio`` (a
    YAML file or a mapping of its fields) replaces the industry's lender portfolio;
    ``engine_passes`` the industry's (how many times the engines run, each pass steered by
    the network the one before settled). Results do not depend on where they ran. The
    warnings are in the result and, with ``say_warnings``, issued as
    :class:`~hashshock.notices.HashshockWarning` (a sweep's points leave them to the base).

    ``scenarios``, ``horizon_days`` (days, 1 to 1,098), ``seed`` and ``market`` are as
    :func:`hashshock.compare` takes them; ``paths`` (1 to 1,000,000) defaults to 200, not
    1,000: an industry runs every member's fleet. Returns an
    :class:`~hashshock.industry.result.IndustryResult` whose ``to_dict()`` is ``hashshock
    industry --json`` (docs/industry.md, "Output": US EH/s and share by day, who breaks
    first, money in USD). Bad input raises :class:`~hashshock.inputs.errors.InputError`
    before anything is simulated."""
    check_run_args(paths, seed, workers)
    check_horizon(horizon_days)
    check_executor(executor, workers=workers)
    check_progress(progress)
    say_warnings = check_flag(say_warnings, "say_warnings",
                              "give True (issued as Python warnings) or False")  # fmt: skip
    # numpy integers pass the checks; plain ints keep the result writable as JSON.
    paths, seed, horizon_days = int(paths), int(seed), int(horizon_days)
    loaded = _loaded(industry)
    if portfolio is not None:
        loaded = with_portfolio(loaded, portfolio)
    if engine_passes is not None:
        loaded = with_engine_passes(loaded, engine_passes)
    inputs = prepare_industry(loaded, scenarios, horizon_days, market, paths)
    if executor is None and workers is not None:
        from hashshock.execution import make_executor

        with make_executor(workers) as own:
            runs = simulate_industry(inputs, paths, seed, own, progress)
    else:
        runs = simulate_industry(inputs, paths, seed, executor, progress)
    warnings = checked_warnings(inputs, loaded)
    for scenario, settled in zip(runs.inputs.to_run, runs.settlements or [], strict=False):
        if not settled.settled:
            warnings.append(
                f"{scenario.name}: distress sales had not settled after {settled.rounds} rounds "
                "(breaks still moving earlier); the last round's figures are reported"
            )
    if say_warnings:
        warn_all(warnings)
    return IndustryResult(runs, tuple(warnings))
