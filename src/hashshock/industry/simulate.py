"""Simulate an industry: every member's fleet through the engine, one shared network.

Per scenario, every member's plan runs through the same engine as ``hashshock run``
(:func:`hashshock.engine.simulate`): the scenario's events drawn from the run's seed and
the same BTC price paths for all (one world), failures and other operator-level draws
from the member's own seed (:func:`member_seed`), steered by that scenario's market alone. With
``network_feedback`` (the default) the members' delivered hashrate then sets the world
hashrate, difficulty and the one hashprice every member is paid
(:mod:`hashshock.industry.network`), and money is priced on it: each member's engine
runs once per scenario and keeps what its cash flows owe to the engine alone
(:class:`hashshock.finance.reprice.FixedFlows`), which is priced on the shared network
once it is known. Without feedback each member is priced on the scenario's market
alone, as ``hashshock run`` prices a fleet. Members run as tasks on an executor
(:mod:`hashshock.execution`): one task per member.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import numpy as np
from numpy.typing import NDArray

from hashshock.engine.output import EngineOutput
from hashshock.execution.base import Executor, InProcess, Progress, Task
from hashshock.finance.cashflow import compute_cashflows
from hashshock.finance.reprice import FixedFlows
from hashshock.finance.scenario_money import money_for, scenario_market
from hashshock.finance.steering import MarketLike, build_economy
from hashshock.industry.checkpoints import CHECKPOINT_DAYS
from hashshock.industry.distress import OpenOrders, Settled, first_of, first_true
from hashshock.industry.load import LoadedIndustry
from hashshock.industry.network import SharedNetwork
from hashshock.industry.queues import LineFlows, queue_orders
from hashshock.industry.spot import Spot
from hashshock.inputs.load import load_scenario
from hashshock.inputs.scenario import Scenario
from hashshock.market import MarketConfig, load_market
from hashshock.market.simulate import MarketPaths
from hashshock.plan import Plan
from hashshock.prepare import (
    BASELINE,
    Prepared,
    ScenarioLike,
    check_horizon,
    estimate_for,
    prepare,
    validate,
)
from hashshock.results.run import RunResult
from hashshock.sizing import RunEstimate, check_fits

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass
class MemberRun:
    """What one member's run under one scenario leaves for the industry's results.

    ``hashrate_ths`` and ``cash_usd`` are ``[P, T]`` (cash is ``None`` without a finance
    block); first days are ``[P]``, −1 for never; checkpoints ``[P]`` by name.
    """

    hashrate_ths: FloatArray
    cash_usd: FloatArray | None
    revenue_usd: FloatArray | None  # [P] over the horizon
    stage_days: dict[str, IntArray]
    covenant_breach_day: IntArray
    cash_out_day: IntArray
    delivered_at: dict[str, FloatArray]
    nameplate_at: dict[str, FloatArray]
    growth: OrderedGrowth | None = None  # None: the member has no open orders
    fixed: FixedFlows | None = None  # until priced on the shared network
    bought_ths: FloatArray | None = None  # [P, T] replacement machines bought, TH/s
    collateral_at_break: FloatArray | None = None  # [P] machines' used value, USD (NaN: none)
    open_orders: OpenOrders | None = None  # until priced: its orders, for distress
    waiting_machines: NDArray[np.int32] | None = None  # [P, T] until replacements are ordered

    @property
    def break_day(self) -> IntArray:
        """First covenant breach or cash-out, −1 if neither."""
        return first_of(self.covenant_breach_day, self.cash_out_day)


@dataclass
class OrderedGrowth:
    """A member's open machine orders, kept per order rather than per day (a [P, T] array
    per member is the industry's memory): nameplate TH/s [O], due day [O], cancelled
    [O, P] and arrival day [O, P] (−1: never) over ``days``. :attr:`cancelled` and
    :attr:`late` are the [P, T] nameplate TH/s by day."""

    ths: FloatArray
    due_day: IntArray
    gone: NDArray[np.bool_]
    arrival_day: IntArray
    days: int

    @property
    def cancelled(self) -> FloatArray:
        """[P, T]: orders cancelled on or before the day (counted from their due day)."""
        out = np.zeros((self.gone.shape[1], self.days))
        for ths, due, gone in zip(self.ths, self.due_day, self.gone, strict=True):
            if 0 <= due < self.days:
                out[gone, due:] += ths
        return out

    @property
    def late(self) -> FloatArray:
        """[P, T]: orders due on or before the day, not cancelled, not yet delivered."""
        day = np.arange(self.days)
        out = np.zeros((self.gone.shape[1], self.days))
        for ths, due, gone, arrival in zip(self.ths, self.due_day, self.gone, self.arrival_day,
                                           strict=True):  # fmt: skip
            until = np.where(arrival >= 0, arrival, self.days)[:, None]
            out += ths * ((day >= due) & (day < until) & ~gone[:, None])
        return out


def ordered_growth(
    member: Prepared, k: int, out: EngineOutput, twins: frozenset[int] = frozenset()
) -> OrderedGrowth | None:
    """:class:`OrderedGrowth` of member ``member`` under scenario ``k`` (its engine run
    ``out``); ``None`` without orders. Twins (orders placed again with another vendor,
    :mod:`hashshock.industry.orders`) are not planned growth and are left out."""
    orders = member.loaded.fleet.orders
    kept = [o for o in range(len(orders)) if o not in twins]
    if not kept:
        return None
    plan = member.plans[k]
    each = np.array([member.loaded.model_of(orders[o].model).hashrate_ths for o in kept])
    return OrderedGrowth(
        plan.order_count[kept] * each, plan.order_due_day[kept].astype(np.int64),
        out.order_cancelled[kept].copy(), out.order_arrival_day[kept].copy(),
        out.hashrate_ths.shape[1],
    )  # fmt: skip


def value_on(series: FloatArray, day: IntArray) -> FloatArray:
    """[P]: ``series`` [P, T] on each path's ``day`` (NaN where the day is −1)."""
    rows = np.arange(series.shape[0])
    return np.where(day >= 0, series[rows, np.maximum(day, 0)], np.nan)


@dataclass
class IndustryInputs:
    """Everything an industry run builds before simulating: one :class:`Prepared` per
    member (its plans, baseline first, and money), the scenarios and the market."""

    loaded: LoadedIndustry
    requested: list[Scenario]
    to_run: list[Scenario]
    members: list[Prepared]
    market: MarketConfig
    horizon_days: int


def _scenarios(scenarios: Sequence[ScenarioLike]) -> tuple[list[Scenario], list[Scenario]]:
    requested = [s if isinstance(s, Scenario) else load_scenario(s) for s in scenarios]
    to_run = [next((s for s in requested if s.name == BASELINE), None) or load_scenario(BASELINE)]
    return requested, to_run + [s for s in requested if s.name != BASELINE]


def prepare_industry(
    loaded: LoadedIndustry,
    scenarios: Sequence[ScenarioLike],
    horizon_days: int = 365,
    market: str | Path | MarketConfig | None = None,
    paths: int | None = None,
    check_money: bool = False,
) -> IndustryInputs:
    """Check and compile every member for every scenario (``check_money``: also build the
    money inputs on a one-path market, as ``hashshock validate`` does)."""
    check_horizon(horizon_days)
    config = market if isinstance(market, MarketConfig) else load_market(market)
    requested, to_run = _scenarios(scenarios)
    if paths is not None:
        check_fits(industry_estimate(loaded, len(to_run), paths, horizon_days), INDUSTRY_FIX)
    members = []
    for member in loaded.members:
        if check_money:
            members.append(validate(member.loaded, to_run, horizon_days, config))
        else:
            members.append(prepare(member.loaded, to_run, horizon_days, config, paths))
    # prepare() checked names and duplicates on to_run; keep the caller's order for output
    return IndustryInputs(loaded, requested, to_run, members, config, horizon_days)


#: Bytes an industry keeps per member, scenario, path and day until its members are
#: priced on the shared network: delivered TH/s, the fixed cash flows and the TH/s installed
#: they are priced on, machines waiting for parts, then TH/s and cash once priced
#: (measured: 58 on the full-scale bundled `us`, baseline and sanctions, the growth in
#: peak memory from 10 to 100 paths of `bench/bench_industry.py --full`'s industry).
BYTES_PER_MEMBER_PATH_DAY = 64
INDUSTRY_FIX = (
    "use fewer paths or a shorter --horizon, fewer scenarios at once, or fewer simulated "
    "members per class (simulated:)"
)


def industry_estimate(loaded: LoadedIndustry, scenarios: int, paths: int, days: int) -> RunEstimate:
    """Memory and engine time of an industry run: what every member keeps, plus its plans'
    tables, plus the largest member's engine run (one runs at a time)."""
    runs = [estimate_for(m.loaded, scenarios, paths, days) for m in loaded.members]
    tables = [estimate_for(m.loaded, scenarios, 0, days) for m in loaded.members]
    kept = len(loaded.members) * scenarios * paths * days * BYTES_PER_MEMBER_PATH_DAY
    total = kept + sum(t.bytes for t in tables) + max(r.bytes for r in runs)
    return RunEstimate(
        bytes=total, seconds=sum(r.seconds for r in runs), scenarios=scenarios, paths=paths,
        days=days, cohorts=sum(r.cohorts for r in runs),
    )  # fmt: skip


def reference_plan(inputs: IndustryInputs, k: int) -> Plan:
    """Scenario ``k``'s plan of the first member that buys from Bitmain: the events are
    the same for every member, so its days of cut supply are everyone's."""
    plans = [m.plans[k] for m in inputs.members]
    return next((p for p in plans if "bitmain" in p.vendor_names), plans[0])


def _scenario_markets(inputs: IndustryInputs, paths: int, seed: int) -> list[MarketPaths]:
    """One market per scenario, shared by all members (steers their engines)."""
    return [
        cast(MarketPaths, scenario_market(inputs.market, reference_plan(inputs, k), paths, seed))
        for k in range(len(inputs.to_run))
    ]


def member_seed(seed: int, index: int) -> int:
    """The seed of member ``index``'s own draws (failures, routing, repairs, order
    disruptions): the run's seed for the first member — so an industry of one operator is
    ``hashshock run`` with that seed — and for the others 63 bits of
    ``SeedSequence(seed, spawn_key=(index,))``. Events are drawn from the run's seed."""
    if index == 0:
        return seed
    state = np.random.SeedSequence(entropy=seed, spawn_key=(index,)).generate_state(1, np.uint64)
    return int(state[0] >> np.uint64(1))


@dataclass(frozen=True)
class MemberOrders:
    """A member's machine orders as the industry sets them: per scenario the ship day of
    each order [O, P] from the vendor queues (``None``: the engine's own rules), and the
    indices of its twin orders."""

    ship_days: Sequence[IntArray | None]
    twins: frozenset[int] = frozenset()
    replacing: bool = False  # keep the machines waiting for parts (replacement orders)


def member_runs(
    member: Prepared,
    markets: Sequence[MarketLike],
    paths: int,
    seed: int,
    own_seed: int,
    orders: MemberOrders,
    price_now: bool = True,
) -> list[MemberRun]:
    """The member under each scenario (baseline first), its engine steered by ``markets``;
    events from ``seed``, the member's own draws from ``own_seed``; orders ship as
    ``orders`` says. Its money is priced on ``markets`` (``price_now``), or left as
    :class:`FixedFlows` for :func:`price_on` to price on the shared network."""
    from hashshock.engine import simulate

    runs: list[MemberRun] = []
    baseline_hashrate: FloatArray | None = None
    days = member.horizon_days
    for k, (plan, money_plan, market) in enumerate(
        zip(member.plans, member.money, markets, strict=True)
    ):
        economy = build_economy(money_plan, market)
        out = simulate(plan, paths, own_seed, None, economy, seed, orders.ship_days[k])
        baseline_hashrate = out.hashrate_ths if baseline_hashrate is None else baseline_hashrate
        run = RunResult(scenario="", scenario_description="", fleet_name="", paths=paths,
                        horizon_days=days, seed=seed, start_date=plan.start_date, version="",
                        machines=0, nameplate_ths=0.0, part_names=(), output=out,
                        baseline_hashrate_ths=baseline_hashrate)  # fmt: skip
        # Copies: the engine's arrays are views of one block that a view would keep alive.
        hashrate = out.hashrate_ths.copy()
        cash = revenue = fixed = bought = collateral = open_orders = None
        breach = cash_out = np.full(paths, -1, dtype=np.int64)
        if member.loaded.fleet.finance is not None and price_now:
            money = money_for(money_plan, plan, out, market)
            cash = money.flows.cash_usd
            revenue = money.flows.revenue_usd.sum(axis=1)
            cash_out = first_true(cash < 0)
            if money.covenants:
                breach = first_of(*(c.first_breach_day for c in money.covenants))
            collateral = value_on(money.flows.collateral_usd, first_of(breach, cash_out))
        elif member.loaded.fleet.finance is not None:
            flows = compute_cashflows(money_plan, plan, out, market)
            # the engine's TH/s, until priced: the run's and the flows' are one array
            fixed = FixedFlows.of(flows, money_plan, hashrate, out.nameplate_ths.copy())
            if len(plan.order_count):
                ths = np.array([member.loaded.model_of(o.model).hashrate_ths
                                for o in member.loaded.fleet.orders])  # fmt: skip
                balance = money_plan.order_value_usd * (1.0 - money_plan.deposit_share)
                open_orders = OpenOrders(out.order_arrival_day.copy(),
                                         plan.order_count * ths, balance)  # fmt: skip
            if out.machines_bought.any():
                each = member.loaded.nameplate_ths / max(member.loaded.machines, 1)
                bought = np.asarray(out.machines_bought * each, dtype=np.float64)
        checkpoints = {n: d for n, d in CHECKPOINT_DAYS.items() if d < days}
        runs.append(MemberRun(
            hashrate_ths=hashrate, cash_usd=cash, revenue_usd=revenue,
            stage_days={n: v.copy() for n, v in run.stage_first_days().items()},
            covenant_breach_day=breach, cash_out_day=cash_out,
            delivered_at={n: out.hashrate_ths[:, d].copy() for n, d in checkpoints.items()},
            nameplate_at={n: out.nameplate_ths[:, d].copy() for n, d in checkpoints.items()},
            growth=ordered_growth(member, k, out, orders.twins), fixed=fixed,
            bought_ths=bought, collateral_at_break=collateral, open_orders=open_orders,
            waiting_machines=out.machines_down[:, :, 0].copy() if orders.replacing else None,
        ))  # fmt: skip
    return runs


@dataclass
class IndustryRuns:
    """Every member's runs (``runs[member][scenario]``, scenarios as ``inputs.to_run``) and,
    with network feedback, the shared network of each scenario."""

    inputs: IndustryInputs
    runs: list[list[MemberRun]]
    networks: list[SharedNetwork] | None
    paths: int
    seed: int
    lines: list[list[LineFlows]] | None = None  # per scenario, with vendor lines
    settlements: list[Settled] | None = None  # per scenario, with network feedback
    spots: list[Spot | None] | None = None  # per scenario, with replacement orders


def us_hashrate(weights: Sequence[float], hashrates: Sequence[FloatArray]) -> FloatArray:
    """Σ weight × delivered TH/s over members, [P, T]."""
    total = np.zeros_like(hashrates[0])
    for weight, hashrate in zip(weights, hashrates, strict=True):
        total += weight * hashrate
    return total


def simulate_industry(
    inputs: IndustryInputs,
    paths: int,
    seed: int,
    executor: Executor | None = None,
    progress: Progress | None = None,
) -> IndustryRuns:
    """Run every member under every scenario on ``executor`` (default: in this process)."""
    run_on = executor or InProcess()
    markets = _scenario_markets(inputs, paths, seed)
    members = inputs.members
    industry = inputs.loaded.industry
    feedback = industry.network_feedback
    own_seeds = [member_seed(seed, i) for i in range(len(members))]
    orders, lines = _member_orders(inputs, own_seeds, paths, seed)
    tasks = [Task(member_runs, (m, markets, paths, seed, own_seeds[i], orders[i], not feedback),
                  name="industry-member") for i, m in enumerate(members)]  # fmt: skip

    def step(finished: int, total: int) -> None:
        if progress is not None:
            progress(finished, total)

    runs: list[list[MemberRun]] = run_on.run(tasks, step)
    if not feedback:
        return IndustryRuns(inputs, runs, None, paths, seed, lines)
    from hashshock.industry.couple import settle_scenario, spot_for

    spots = spot_for(inputs, runs, lines)
    settlements = [
        settle_scenario(inputs, markets[k], [r[k] for r in runs], k, paths, seed, spots[k])
        for k in range(len(inputs.to_run))
    ]
    for member_runs_ in runs:
        for run in member_runs_:
            run.waiting_machines = None
    networks = [s.network for s in settlements]
    return IndustryRuns(inputs, runs, networks, paths, seed, lines, settlements, spots)


def _member_orders(
    inputs: IndustryInputs, own_seeds: list[int], paths: int, seed: int
) -> tuple[list[MemberOrders], list[list[LineFlows]] | None]:
    """Each member's orders under every scenario: through the vendor queues when the
    industry has vendor lines (:func:`hashshock.industry.queues.queue_orders`)."""
    members = list(inputs.loaded.members)
    n_scenarios = len(inputs.to_run)
    twins = [frozenset(t.order for t in m.twins) for m in members]
    industry = inputs.loaded.industry
    if not industry.vendor_lines:
        return [MemberOrders([None] * n_scenarios, t) for t in twins], None
    replacing = industry.replacement is not None
    per_scenario = [
        queue_orders(industry, members, [p.plans[k] for p in inputs.members], own_seeds,
                     paths, seed)
        for k in range(n_scenarios)
    ]  # fmt: skip
    orders = [
        MemberOrders([q.ship_days[m] for q in per_scenario], twins[m], replacing)
        for m in range(len(members))
    ]
    return orders, [q.lines for q in per_scenario]
