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

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import cast

import numpy as np
from numpy.typing import NDArray

from hashshock.analysis.checkpoints import CHECKPOINT_DAYS
from hashshock.engine.output import DOWN_CAUSES, EngineOutput
from hashshock.execution.base import Executor, InProcess, Progress
from hashshock.finance.cashflow import market_free, revenue_of, running_cash_usd
from hashshock.finance.covenants import first_margin_call
from hashshock.finance.reprice import FixedFlows
from hashshock.finance.scenario_money import money_for, scenario_market, spares_value
from hashshock.finance.steering import MarketLike, build_economy
from hashshock.industry.distress import (
    OpenOrders,
    Settled,
    breaking_days,
    first_breach,
    first_of,
    first_true,
)
from hashshock.industry.load import LoadedIndustry
from hashshock.industry.network import (
    SharedNetwork,
    check_planned_growth,
    check_rest_of_world,
    network_of_rest,
)
from hashshock.industry.ordered import OrderedGrowth, ordered_growth
from hashshock.industry.queues import LineFlows, queue_orders
from hashshock.industry.spot import Spot
from hashshock.industry.used import EnginePurchases
from hashshock.inputs.errors import InputError
from hashshock.inputs.scenario import Scenario
from hashshock.market import MarketConfig
from hashshock.market.config import as_market
from hashshock.market.simulate import MarketPaths
from hashshock.market.start import market_start
from hashshock.plan import Plan
from hashshock.prepare import (
    MarketInput,
    Prepared,
    ScenarioLike,
    check_horizon,
    estimate_for,
    prepare,
    scenarios_to_run,
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
    block; both ``None`` in a run cut into blocks of paths once its blocks are joined: the
    industry keeps their sums, :class:`Totals`); first days are ``[P]``, −1 for never;
    checkpoints ``[P]`` by name.
    """

    hashrate_ths: FloatArray | None
    cash_usd: FloatArray | None
    revenue_usd: FloatArray | None  # [P] over the horizon
    stage_days: dict[str, IntArray]
    covenant_days: dict[str, IntArray]  # each covenant's first breach, by name
    cash_out_day: IntArray
    delivered_at: dict[str, FloatArray]
    nameplate_at: dict[str, FloatArray]
    growth: OrderedGrowth | None = None  # None: the member has no open orders
    fixed: FixedFlows | None = None  # until priced on the shared network
    bought_ths: FloatArray | None = None  # [P, T] used machines bought, TH/s (until priced)
    engine_used: EnginePurchases | None = None  # what they cost the engine (idem)
    collateral_at_break: FloatArray | None = None  # [P] machines' used value, USD (NaN: none)
    open_orders: OpenOrders | None = None  # until priced: its orders, for distress
    waiting_machines: NDArray[np.int32] | None = None  # [P, T] until replacements are ordered
    # [P, R] on each review day, cash above the liquidity floor on the scenario's market, USD
    spendable_usd: FloatArray | None = None
    cash_end_usd: FloatArray | None = None  # [P] cash on the last day (None: no finance)
    spares_value_usd: FloatArray | None = None  # [P] spares at cost on the last day (idem)
    donors_bought: FloatArray | None = None  # [P] used machines bought as donors
    donor_spend_usd: FloatArray | None = None  # [P] their price, USD
    # [P] first day a BTC pledge is called (−1: never; None: no pledge): not a break
    margin_call_day: IntArray | None = None

    @property
    def delivered_ths(self) -> FloatArray:
        """[P, T] delivered TH/s, while the run has them (before its blocks are joined)."""
        assert self.hashrate_ths is not None, "a joined run keeps only the industry's sums"
        return self.hashrate_ths

    @property
    def covenant_breach_day(self) -> IntArray:
        """[P]: first breach of any covenant, −1 if none."""
        return first_breach(self.covenant_days, self.cash_out_day)

    @property
    def break_day(self) -> IntArray:
        """First covenant breach or cash-out, −1 if neither."""
        return first_of(*self.covenant_days.values(), self.cash_out_day)


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


def stopped(out: EngineOutput) -> NDArray[np.int32]:
    """[P, T] installed machines stopped for a part, whether it is missing or on the shelf
    waiting for a technician: their power and room stand idle either way, for the
    replacements a member orders (:mod:`hashshock.industry.spot`, ``room``)."""
    causes = [DOWN_CAUSES.index(c) for c in ("waiting_for_part", "waiting_for_technician")]
    return np.asarray(out.machines_down[:, :, causes].sum(axis=2, dtype=np.int32))


def prepare_industry(
    loaded: LoadedIndustry,
    scenarios: Sequence[ScenarioLike],
    horizon_days: int = 365,
    market: MarketInput = None,
    paths: int | None = None,
    check_money: bool = False,
) -> IndustryInputs:
    """Check and compile every member for every scenario (``check_money``: also build the
    money inputs on a one-path market, as ``hashshock validate`` does)."""
    check_horizon(horizon_days)
    config = as_market(market)
    # Until the engines have run, the operators' nameplate stands for their hashrate.
    nameplate = sum(m.weight * m.loaded.nameplate_ths for m in loaded.members)
    try:  # the industry file's rest of the world against the market: name the file
        config = network_of_rest(config, loaded.industry.rest_of_world, nameplate)
        if loaded.industry.rest_of_world.hashrate_ehs is None:  # the market's less theirs
            start = market_start(config, loaded.industry.start_date)
            check_rest_of_world(config, start, nameplate)
    except InputError as exc:
        if exc.file is not None or not (exc.field or "").startswith("rest_of_world"):
            raise
        raise InputError(loaded.path, exc.field, exc.problem, exc.fix) from None
    check_planned_growth(loaded, market_start(config, loaded.industry.start_date))
    requested, to_run = scenarios_to_run(scenarios)
    if paths is not None:
        check_fits(industry_estimate(loaded, len(to_run), paths, horizon_days), INDUSTRY_FIX)
    members = []
    one_paths: dict[dt.date, MarketPaths] = {}  # members' one-path markets, by start date
    for member in loaded.members:
        if check_money:
            members.append(validate(member.loaded, to_run, horizon_days, config, one_paths))
        else:
            members.append(prepare(member.loaded, to_run, horizon_days, config, paths))
    # prepare() checked names and duplicates on to_run; keep the caller's order for output
    return IndustryInputs(loaded, requested, to_run, members, config, horizon_days)


#: Bytes an industry keeps per member, scenario, path and day until its members are
#: priced on the shared network: delivered TH/s, the fixed cash flows and the TH/s installed
#: they are priced on, machines waiting for parts, then TH/s and cash once priced
#: (measured: 58 on the full-scale bundled `us`, baseline and sanctions, the growth in
#: peak memory from 10 to 100 paths of `bench/bench_industry.py --full`'s industry; members
#: whose engines buy used machines, replacements or donors, keep 8 more, their TH/s
#: bought, and 24 on the days they buy, their price).
BYTES_PER_MEMBER_PATH_DAY = 64
INDUSTRY_FIX = (
    "use fewer paths or a shorter --horizon, fewer scenarios at once, or fewer simulated "
    "members per class (simulated:)"
)


#: What a block of an industry's paths may keep of its members' runs until they are
#: priced, bytes (:data:`BYTES_PER_MEMBER_PATH_DAY`): an industry whose paths would keep
#: more is run in blocks of paths, one after the other. A constant, not the machine's
#: memory, so that the blocks (and the numbers) are the same on every machine. Each block
#: runs every member's engine again (a few ms a call whatever its paths: 455 members ×
#: 2 scenarios in 14 blocks of 3 GiB spent about 90 s on them at 1,000 paths), so blocks
#: are as large as the 8 GiB of issue 19's target allows.
BLOCK_BYTES = 5 * 2**30


def path_blocks(members: int, scenarios: int, paths: int, days: int) -> list[tuple[int, int]]:
    """The blocks of paths ``(first, count)`` an industry runs one after the other."""
    per_path = max(members * scenarios * days * BYTES_PER_MEMBER_PATH_DAY, 1)
    size = max(1, min(paths, BLOCK_BYTES // per_path))
    return [(first, min(size, paths - first)) for first in range(0, paths, size)]


#: Bytes a joined run keeps per member, scenario and path (its first days, checkpoints and
#: money at the end), and per scenario, path and day (the industry's sums, the shared
#: network's market, the used market, the vendor lines): estimates, from the arrays' count.
BYTES_PER_MEMBER_PATH = 160
BYTES_PER_SCENARIO_PATH_DAY = 480


def industry_estimate(loaded: LoadedIndustry, scenarios: int, paths: int, days: int) -> RunEstimate:
    """Memory and engine time of an industry run: what every member keeps for a block of
    paths (:func:`path_blocks`), plus its plans' tables, plus the largest member's engine
    run on a block (one runs at a time), plus what the joined run keeps."""
    members = len(loaded.members)
    block = path_blocks(members, scenarios, paths, days)[0][1]
    runs = [estimate_for(m.loaded, scenarios, block, days) for m in loaded.members]
    whole = [estimate_for(m.loaded, scenarios, paths, days) for m in loaded.members]
    tables = [estimate_for(m.loaded, scenarios, 0, days) for m in loaded.members]
    kept = members * scenarios * block * days * BYTES_PER_MEMBER_PATH_DAY
    joined = (
        scenarios * paths * (members * BYTES_PER_MEMBER_PATH + days * BYTES_PER_SCENARIO_PATH_DAY)
    )
    total = kept + joined + sum(t.bytes for t in tables) + max(r.bytes for r in runs)
    return RunEstimate(
        bytes=total, seconds=sum(r.seconds for r in whole), scenarios=scenarios, paths=paths,
        days=days, cohorts=sum(r.cohorts for r in whole),
    )  # fmt: skip


def reference_plan(inputs: IndustryInputs, k: int) -> Plan:
    """Scenario ``k``'s plan of the first member that buys from Bitmain: the events are
    the same for every member, so its days of cut supply are everyone's."""
    plans = [m.plans[k] for m in inputs.members]
    return next((p for p in plans if "bitmain" in p.vendor_names), plans[0])


def _scenario_markets(inputs: IndustryInputs, paths: int, seed: int) -> list[MarketPaths]:
    """One market per scenario, shared by all members (steers their engines). With the
    network shared, every scenario is the whole market's, as the shared network's used
    prices take it (a cut moves them whether or not the scenario says ``network_wide``);
    without it, each member's market is its own run's."""
    market_wide = inputs.loaded.industry.network_feedback

    def plan(k: int) -> Plan:
        own = reference_plan(inputs, k)
        return dataclasses.replace(own, network_wide=True) if market_wide else own

    return [
        cast(MarketPaths, scenario_market(inputs.market, plan(k), paths, seed))
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
    # replacement orders every so many days (0: none): keep the machines waiting for parts
    # and the cash the member could pay with
    review_days: int = 0

    def on_paths(self, first: int, count: int) -> MemberOrders:
        """The orders of paths ``first`` … ``first + count − 1``."""
        rows = slice(first, first + count)
        ship_days = [None if d is None else d[:, rows] for d in self.ship_days]
        return dataclasses.replace(self, ship_days=ship_days)


def member_runs(
    member: Prepared,
    markets: Sequence[MarketLike],
    paths: int,
    seed: int,
    own_seed: int,
    orders: MemberOrders,
    price_now: bool = True,
    first_path: int = 0,
    broke: Sequence[IntArray | None] | None = None,
) -> list[MemberRun]:
    """The member under each scenario (baseline first), its engine steered by ``markets``;
    events from ``seed``, the member's own draws from ``own_seed``; orders ship as
    ``orders`` says. Its money is priced on ``markets`` (``price_now``), or left as
    :class:`FixedFlows` to be priced on the shared network. ``first_path``: these are the
    run's paths ``first_path`` … on (``markets`` and ``orders`` are theirs). ``broke``:
    per scenario the day [P] it broke in the pass before (−1: never), after which its
    engine buys no machine (a broken operator buys neither replacements nor donors)."""
    from hashshock.engine import simulate

    runs: list[MemberRun] = []
    baseline_hashrate: FloatArray | None = None
    days = member.horizon_days
    for k, (plan, money_plan, market) in enumerate(
        zip(member.plans, member.money, markets, strict=True)
    ):
        economy = build_economy(money_plan, market)
        if broke is not None and broke[k] is not None:
            economy = dataclasses.replace(economy, buying_stops=broke[k])
        out = simulate(plan, paths, own_seed, None, economy, seed, orders.ship_days[k],
                       first_path)  # fmt: skip
        baseline_hashrate = out.hashrate_ths if baseline_hashrate is None else baseline_hashrate
        run = RunResult(scenario="", scenario_description="", fleet_name="", paths=paths,
                        horizon_days=days, seed=seed, start_date=plan.start_date, version="",
                        machines=0, nameplate_ths=0.0, part_names=(), output=out,
                        baseline_hashrate_ths=baseline_hashrate)  # fmt: skip
        # Copies: the engine's arrays are views of one block that a view would keep alive.
        hashrate = out.hashrate_ths.copy()
        cash = cash_end = revenue = fixed = bought = collateral = open_orders = None
        engine_used = None
        spendable = None
        cash_out = np.full(paths, -1, dtype=np.int64)
        covenant_days: dict[str, IntArray] = {}
        if member.loaded.fleet.finance is not None and price_now:
            money = money_for(money_plan, plan, out, market)
            cash = money.flows.cash_usd
            cash_end = cash[:, -1].copy()
            revenue = money.flows.revenue_usd.sum(axis=1)
            cash_out = first_true(cash < 0)
            covenant_days = breaking_days(money.covenants)
            collateral = value_on(money.flows.collateral_usd,
                                  first_of(*covenant_days.values(), cash_out))  # fmt: skip
        elif member.loaded.fleet.finance is not None:
            # Only what the shared network prices later (revenue, EBITDA and collateral
            # are worked out then), and the cash the spot orders may spend.
            free = market_free(money_plan, plan, out)
            # the engine's TH/s, until priced: the run's and the flows' are one array
            fixed = FixedFlows.of(free, money_plan, hashrate, out.nameplate_ths.copy())
            if orders.review_days:
                floor = member.loaded.fleet.finance.liquidity_floor_usd()
                running = running_cash_usd(revenue_of(out.hashrate_ths, market), free,
                                           money_plan.cash_start_usd)  # fmt: skip
                spendable = running[:, :: orders.review_days] - floor
            if len(plan.order_count):
                ths = np.array([member.loaded.model_of(o.model).hashrate_ths
                                for o in member.loaded.fleet.orders])  # fmt: skip
                balance = money_plan.order_value_usd * (1.0 - money_plan.deposit_share)
                open_orders = OpenOrders(out.order_arrival_day.copy(),
                                         plan.order_count * ths, balance)  # fmt: skip
            replacement = money_plan.replacement
            used = replacement is not None and replacement.used_tier is not None
            if (used and out.machines_bought.any()) or out.donors_bought.any():
                # used replacement machines (the fleet's mean) and donors (their own
                # models), both wanted on the used market and priced where it settles
                each = member.loaded.nameplate_ths / max(member.loaded.machines, 1)
                bought = out.donors_bought_ths.copy()  # not a view of the engine's block
                paid = out.donor_spend
                if used:
                    bought = bought + out.machines_bought * each
                    paid = paid + out.replacement_spend
                engine_used = EnginePurchases.of(paid, out.donor_spend, fixed.tier_share,
                                                 market.used_price_usd_per_th)  # fmt: skip
        checkpoints = {n: d for n, d in CHECKPOINT_DAYS.items() if d < days}
        runs.append(MemberRun(
            hashrate_ths=hashrate, cash_usd=cash, revenue_usd=revenue,
            stage_days={n: v.copy() for n, v in run.stage_first_days().items()},
            covenant_days=covenant_days, cash_out_day=cash_out,
            delivered_at={n: out.hashrate_ths[:, d].copy() for n, d in checkpoints.items()},
            nameplate_at={n: out.nameplate_ths[:, d].copy() for n, d in checkpoints.items()},
            growth=ordered_growth(member, k, out, orders.twins), fixed=fixed,
            bought_ths=bought, engine_used=engine_used, collateral_at_break=collateral,
            open_orders=open_orders,
            waiting_machines=stopped(out) if orders.review_days else None,
            spendable_usd=spendable,
            cash_end_usd=cash_end,
            donors_bought=out.donors_bought.sum(axis=1, dtype=np.float64),
            donor_spend_usd=out.donor_spend.sum(axis=1),
            margin_call_day=(first_margin_call(money_plan.pledges, market.btc_price_usd)
                             if money_plan.pledges else None),
            spares_value_usd=(spares_value(money_plan, plan, out)
                              if member.loaded.fleet.finance is not None else None),
        ))  # fmt: skip
    return runs


@dataclass
class Totals:
    """One scenario's sums over members (weighted), [P, T] TH/s: delivered; planned growth
    cancelled and late (:class:`OrderedGrowth`; ``None``: no member has open orders);
    replacement machines delivered, nameplate, new and used (those working on arrival;
    ``None``: none ordered); and how far the
    hashprice the last pass's engines were steered by was from the shared one."""

    us_ths: FloatArray
    growth_cancelled_ths: FloatArray | None = None
    growth_late_ths: FloatArray | None = None
    spot_delivered_ths: FloatArray | None = None
    steering_gap: FloatArray | None = None  # [P] with feedback: :func:`steering_gap`


@dataclass
class IndustryRuns:
    """Every member's runs (``runs[member][scenario]``, scenarios as ``inputs.to_run``),
    each scenario's sums over members and, with network feedback, its shared network."""

    inputs: IndustryInputs
    runs: list[list[MemberRun]]
    networks: list[SharedNetwork] | None
    paths: int
    seed: int
    lines: list[list[LineFlows]] | None = None  # per scenario, with vendor lines
    settlements: list[Settled] | None = None  # per scenario, with network feedback
    spots: list[Spot | None] | None = None  # per scenario, with replacement orders
    totals: list[Totals] = field(default_factory=list)  # per scenario


def us_hashrate(weights: Sequence[float], hashrates: Sequence[FloatArray]) -> FloatArray:
    """Σ weight × delivered TH/s over members, [P, T]."""
    total = np.zeros_like(hashrates[0])
    for weight, hashrate in zip(weights, hashrates, strict=True):
        total += weight * hashrate
    return total


def totals_of(runs: IndustryRuns) -> list[Totals]:
    """Each scenario's :class:`Totals` from the members' runs."""
    members = runs.inputs.loaded.members
    weights = [m.weight for m in members]
    out = []
    for k in range(len(runs.inputs.to_run)):
        mine = [r[k] for r in runs.runs]
        totals = Totals(us_hashrate(weights, [r.delivered_ths for r in mine]))
        ordered = [(w, r.growth) for w, r in zip(weights, mine, strict=True)
                   if r.growth is not None]  # fmt: skip
        if ordered:
            ws = [w for w, _ in ordered]
            totals.growth_cancelled_ths = us_hashrate(ws, [g.cancelled for _, g in ordered])
            totals.growth_late_ths = us_hashrate(ws, [g.late for _, g in ordered])
        spot = runs.spots[k] if runs.spots is not None else None
        if spot is not None:
            delivered = [(w, d) for w, d in zip(weights, spot.delivered_ths, strict=True)
                         if d is not None]  # fmt: skip
            if delivered:
                totals.spot_delivered_ths = us_hashrate(
                    [w for w, _ in delivered], [d for _, d in delivered]
                )
            used = runs.settlements[k].used_received_ths if runs.settlements else None
            if used is not None:
                new = totals.spot_delivered_ths
                totals.spot_delivered_ths = used if new is None else new + used
        out.append(totals)
    return out


def simulate_industry(
    inputs: IndustryInputs,
    paths: int,
    seed: int,
    executor: Executor | None = None,
    progress: Progress | None = None,
) -> IndustryRuns:
    """Run every member under every scenario on ``executor`` (default: in this process),
    in blocks of paths if the run would keep too much (:func:`path_blocks`): every path
    settles on its own, so the blocks give the numbers of one run, bit for bit."""
    run_on = executor or InProcess()
    markets = _scenario_markets(inputs, paths, seed)
    own_seeds = [member_seed(seed, i) for i in range(len(inputs.members))]
    orders, lines = _member_orders(inputs, own_seeds, paths, seed)
    blocks = path_blocks(len(inputs.members), len(inputs.to_run), paths, inputs.horizon_days)
    done = 0

    def step(finished: int, total: int) -> None:
        if progress is not None:
            progress(done * total + finished, len(blocks) * total)

    from hashshock.industry.blocks import compact, join
    from hashshock.industry.passes import Block, simulate_block

    parts = []
    for first, count in blocks:
        block = Block(first, count, [m.on_paths(first, count) for m in markets],
                      [o.on_paths(first, count) for o in orders],
                      None if lines is None else [[line.on_paths(first, count) for line in ls]
                                                  for ls in lines])  # fmt: skip
        part = simulate_block(inputs, block, seed, own_seeds, run_on, step)
        if len(blocks) == 1:
            return part
        compact(part)  # what the results read, before the next block
        parts.append(part)
        done += 1
    return join(parts, paths, lines)


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
    review = industry.replacement.review_days if industry.replacement is not None else 0
    per_scenario = [
        queue_orders(industry, members, [p.plans[k] for p in inputs.members], own_seeds,
                     paths, seed)
        for k in range(n_scenarios)
    ]  # fmt: skip
    orders = [
        MemberOrders([q.ship_days[m] for q in per_scenario], twins[m], review)
        for m in range(len(members))
    ]
    return orders, [q.lines for q in per_scenario]
