"""Strategies compared on common random numbers (``hashshock strategies``).

Each strategy's fleet runs baseline and the scenario exactly as ``hashshock compare``
runs them (:func:`hashshock.api.simulate_prepared`), one task per strategy on an
:mod:`hashshock.execution` executor, all on one seed: the same failures, event draws
and BTC price paths, so the differences between strategies are the strategies'.

A strategy's costs are money the simulation does not know of: they are added to each
path's flows after the run — the upfront payment as capital spending on ``starts_day``,
the running cost as operating cost (it lowers EBITDA, so the DSCR covenant sees it) —
and cash and covenants are computed again from the adjusted flows
(:func:`hashshock.finance.covenants.evaluate_covenants`).

The engine of each strategy reads the local market, as compare steers it; under a
network-wide scenario its money is priced on the network that *doing nothing* leaves
(the fleet's loss against baseline standing in for the network's, as in compare): one
operator's strategy does not move the network's difficulty.

A strategy that changes the fleet's machine orders (moves them to another vendor, adds or
cancels some) settles them on day 0: the money layer takes every order's deposit as paid
before the start, so the machines the strategy orders beyond doing nothing's pay their
deposit then, and those of doing nothing's it no longer orders are refunded the contract's
share of theirs (:class:`OrderBook`, matched model by model and machine by machine: an
order rescheduled, moved to another site or split keeps its deposit).

Net benefit against doing nothing = what the fleet owns at the end with the strategy −
without it, paired path by path: cash, plus the spares on its shelves at cost
(:func:`hashshock.finance.scenario_money.spares_value`), plus its installed machines at
the used-ASIC index (the LTV covenant's collateral), plus its donor machines still whole
at that index (:mod:`hashshock.finance.donor_value`), less what its machines waiting on
the last day lack (:func:`hashshock.finance.scenario_money.missing_parts_value`: a part
whose spare is on the shelf at that spare's cost, so that a part bought counts once,
fitted or not; a part nobody has at its cost, but at most the share of a machine it
stands for): stock bought and left over, or machines bought, are still owned; stock
drawn down and donors stripped are spent. Valuing the waiting machine whole counted a
part twice when it waited on the shelf for a technician, and made sending the
technicians home look like a gain. What the machine did not earn is already in the
cash. The mean comes with a 95 % interval over paths
(central limit); the JSON also gives the change in cash alone.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, cast

import numpy as np
from numpy.typing import NDArray

from hashshock.analysis.checkpoints import CHECKPOINT_DAYS as MONTHS
from hashshock.analysis.checkpoints import days_read
from hashshock.decide.stats import mean_interval
from hashshock.decide.strategy import Strategy
from hashshock.engine.output import DOWN_CAUSES
from hashshock.execution.base import Executor, InProcess, Task
from hashshock.finance.covenants import evaluate_covenants, wilson_interval
from hashshock.frozen import ReadOnlyDict, make_read_only
from hashshock.inputs.errors import InputError
from hashshock.inputs.load import LoadedFleet
from hashshock.inputs.scenario import Scenario
from hashshock.market import MarketConfig
from hashshock.results.jsontext import JsonText

if TYPE_CHECKING:
    from hashshock.engine.output import EngineOutput
    from hashshock.finance.moneyplan import MoneyPlan
    from hashshock.results import RunResult

FloatArray = NDArray[np.float64]
#: Checkpoints, days: 3, 6 and 12 months (the last day when the horizon is shorter).
CHECKPOINT_DAYS = tuple(MONTHS.values())


def checkpoints(horizon: int) -> list[int]:
    """The checkpoint days inside the horizon, and its last day (a 180-day run showed day
    91 alone, a 730-day one stopped at day 364)."""
    return days_read(CHECKPOINT_DAYS, horizon)


@dataclass(frozen=True)
class OrderBook:
    """A fleet's machine orders as its money plan values them: each order's model, count,
    due date and site; the deposit it holds (USD: the deposit share × its value, paid
    before the start); the share of it the contract refunds if the fleet cancels."""

    keys: tuple[tuple[str, int, str, str], ...]
    deposits_usd: tuple[float, ...]
    refund_share: tuple[float, ...]

    @classmethod
    def of(cls, loaded: LoadedFleet, contract: MoneyPlan) -> OrderBook:
        """The orders of ``loaded`` valued by ``contract``, its baseline money plan (no
        disruption: the refund shares are the contract's)."""
        keys = tuple((o.model, o.count, o.due_date.isoformat(), o.site)
                     for o in loaded.fleet.orders)  # fmt: skip
        deposits = tuple(float(contract.deposit_share * v) for v in contract.order_value_usd)
        return cls(keys, deposits, tuple(float(r) for r in contract.refund_share))

    def switched_usd(self, done_nothing: OrderBook) -> tuple[float, float]:
        """(deposits paid, deposits refunded) on day 0, USD, against ``done_nothing``'s
        orders, matched model by model and machine by machine: as many of a model's
        machines as both books order keep the deposit already paid, whatever their due
        dates, sites or split into orders (a rescheduled order is not a cancelled one);
        the machines this book orders beyond those pay their orders' deposit, and those
        of ``done_nothing`` beyond them are refunded the contract's share of theirs (the
        orders listed last first, in both)."""
        paid = refunded = 0.0
        for model in {key[0] for key in (*self.keys, *done_nothing.keys)}:
            mine = self._machines(model, refunded=False)
            theirs = done_nothing._machines(model, refunded=True)
            both = min(sum(n for n, _ in mine), sum(n for n, _ in theirs))
            paid += _beyond(mine, both)
            refunded += _beyond(theirs, both)
        return paid, refunded

    def _machines(self, model: str, refunded: bool) -> list[tuple[int, float]]:
        """(machines, USD each) of each order of ``model``, in the book's order: the
        deposit each holds, or the share of it the contract refunds."""
        return [(key[1], (share if refunded else 1.0) * deposit / key[1])
                for key, deposit, share in zip(self.keys, self.deposits_usd, self.refund_share,
                                               strict=True)
                if key[0] == model]  # fmt: skip


def _beyond(orders: list[tuple[int, float]], matched: int) -> float:
    """USD of the machines of ``orders`` (machines, USD each) after the first ``matched``."""
    total = 0.0
    for machines, each in orders:
        total += max(machines - max(matched, 0), 0) * each
        matched -= machines
    return total


@dataclass(frozen=True)
class Outcome:
    """One strategy's per-path results (arrays of length P unless said)."""

    availability: Mapping[int, FloatArray]  # day → delivered / nameplate
    hashrate_ths: Mapping[int, FloatArray]  # day → delivered TH/s
    revenue_usd: FloatArray | None
    cash_end_usd: FloatArray | None
    breached: Mapping[str, NDArray[np.bool_]] = field(default_factory=dict)
    spares_value_usd: FloatArray | None = None  # at cost, on the last day
    machines_value_usd: FloatArray | None = None  # at the used-ASIC index, on the last day
    donors_value_usd: FloatArray | None = None  # whole donors at that index, on the last day
    missing_parts_usd: FloatArray | None = None  # what waiting machines lack, last day
    #: what the loans are owed at the end (principal and interest accrued), USD
    debt_usd: float = 0.0
    order_deposits_usd: float = 0.0  # paid on day 0 for orders doing nothing has not
    deposits_refunded_usd: float = 0.0  # on day 0 for doing nothing's orders cancelled
    #: day → machines waiting for a technician, their spare on the shelf
    waiting_for_technician: Mapping[int, FloatArray] = field(default_factory=dict)

    @property
    def orders_net_usd(self) -> float:
        """Deposits paid less refunded on day 0 for the orders the strategy changed."""
        return self.order_deposits_usd - self.deposits_refunded_usd

    @property
    def owned_parts_usd(self) -> dict[str, FloatArray] | None:
        """What the fleet owns on the last day, per path, by part (USD; what the waiting
        machines lack and what the loans are owed counted negative): ``cash``, ``spares``
        at cost, ``machines`` and whole ``donors`` at the used index, ``missing_parts``,
        ``debt`` — without it a loan repaid later (a bullet for an instalment loan, a
        smaller principal) read as a gain of the cash it had not yet repaid."""
        if self.cash_end_usd is None:
            return None
        zero = np.zeros_like(self.cash_end_usd)
        missing = zero if self.missing_parts_usd is None else self.missing_parts_usd
        parts = {"cash": self.cash_end_usd, "spares": self.spares_value_usd,
                 "machines": self.machines_value_usd, "donors": self.donors_value_usd,
                 "missing_parts": -missing, "debt": zero - self.debt_usd}  # fmt: skip
        return {name: zero if v is None else v for name, v in parts.items()}

    @property
    def owned_end_usd(self) -> FloatArray | None:
        """What the fleet owns on the last day, per path: the sum of
        :attr:`owned_parts_usd`."""
        parts = self.owned_parts_usd
        if parts is None:
            return None
        return np.asarray(sum(parts.values()), dtype=np.float64)


@dataclass(frozen=True)
class Network:
    """The network doing nothing leaves: the share of baseline's hashrate the fleet loses
    on each path and day [P, T] (None: the scenario is not network-wide); and its orders,
    which the strategies' are settled against."""

    lost_share: FloatArray | None
    orders: OrderBook | None = None


def run_do_nothing(
    loaded: LoadedFleet, scenario: Scenario, market: MarketConfig, horizon: int, paths: int,
    seed: int, strategy: Strategy,
) -> tuple[Outcome, Network]:  # fmt: skip
    """Baseline and ``scenario`` on today's fleet exactly as compare runs them; the
    outcome, and the network-wide loss the other strategies are priced on."""
    from hashshock import api
    from hashshock.finance.scenario_money import lost_share
    from hashshock.prepare import prepare

    prepared = prepare(loaded, [scenario], horizon, market, paths)
    run = api.simulate_prepared(prepared, paths, seed)[-1]
    lost = None
    if scenario.network_wide and run.baseline_hashrate_ths is not None:
        baseline = cast("EngineOutput", SimpleNamespace(hashrate_ths=run.baseline_hashrate_ths))
        lost = np.array(lost_share(run.output, baseline))
    orders = OrderBook.of(loaded, prepared.money[0])
    network = Network(lost if scenario.name != "baseline" else None, orders)
    return _outcome(run, prepared.money[-1], strategy, horizon), network


def run_strategy(loaded: LoadedFleet, scenario: Scenario, market: MarketConfig, horizon: int,
                 paths: int, seed: int, strategy: Strategy,
                 done_nothing: tuple[Outcome, Network]) -> Outcome:  # fmt: skip
    """``scenario`` on the strategy's fleet: the engine on the local market (as compare
    steers it), money on the network doing nothing leaves (one operator's strategy does
    not move the network; a task: here or on a worker)."""
    from hashshock import api
    from hashshock.finance.scenario_money import money_for
    from hashshock.finance.steering import build_economy
    from hashshock.parallel import simulate_one
    from hashshock.prepare import prepare
    from hashshock.sweep.tasks import point_market

    network = done_nothing[1]
    prepared = prepare(loaded, [scenario], horizon, market, paths)
    plan, money_plan = prepared.plans[-1], prepared.money[-1]
    local = point_market(market, plan, paths, seed, "strategies")
    out = simulate_one(plan, paths, seed, build_economy(money_plan, local))
    priced = local if network.lost_share is None else point_market(
        market, plan, paths, seed, "strategies", network.lost_share)  # fmt: skip
    run = api.run_result(loaded, scenario, out, None, paths, horizon, seed,
                         money=money_for(money_plan, plan, out, priced))  # fmt: skip
    assert network.orders is not None
    switched = OrderBook.of(loaded, prepared.money[0]).switched_usd(network.orders)
    return _outcome(run, money_plan, strategy, horizon, switched)


def _outcome(run: RunResult, money_plan: MoneyPlan, strategy: Strategy, horizon: int,
             switched: tuple[float, float] = (0.0, 0.0)) -> Outcome:  # fmt: skip
    """Per-path results of ``run`` with the strategy's costs and the deposits of the orders
    it ``switched`` (paid, refunded; module docstring) added."""
    days = checkpoints(horizon)
    availability = {d: np.array(run.availability[:, d], dtype=np.float64) for d in days}
    hashrate = {d: np.array(run.output.hashrate_ths[:, d], dtype=np.float64) for d in days}
    hands = DOWN_CAUSES.index("waiting_for_technician")
    waiting = {d: np.array(run.output.machines_down[:, d, hands], dtype=np.float64)
               for d in days}  # fmt: skip
    if run.money is None:
        return Outcome(availability, hashrate, None, None, order_deposits_usd=switched[0],
                       deposits_refunded_usd=switched[1],
                       waiting_for_technician=waiting)  # fmt: skip
    flows = run.money.flows
    upfront, running = strategy.cost_by_day(horizon)
    upfront[0] += switched[0]
    refunds = np.zeros(horizon)
    refunds[0] = switched[1]
    adjusted = dataclasses.replace(
        flows,
        capex_usd=flows.capex_usd + upfront[None, :],
        refunds_usd=flows.refunds_usd + refunds[None, :],
        overhead_usd=flows.overhead_usd + running[None, :],
        ebitda_usd=flows.ebitda_usd - running[None, :],
        cash_usd=flows.cash_usd - np.cumsum(upfront + running - refunds)[None, :],
    )  # fmt: skip
    covenants = evaluate_covenants(money_plan.covenants, adjusted, run.output.hashrate_ths)
    return Outcome(
        availability, hashrate, np.array(flows.revenue_usd.sum(axis=1), dtype=np.float64),
        np.array(adjusted.cash_usd[:, -1], dtype=np.float64),
        {c.name: np.array(c.first_breach_day >= 0) for c in covenants if c.tested},
        np.array(run.money.spares_value_usd, dtype=np.float64),
        np.array(flows.collateral_usd[:, -1], dtype=np.float64),
        np.array(run.money.donors_value_usd, dtype=np.float64),
        np.array(run.money.missing_parts_usd, dtype=np.float64),
        sum(loan.owed_end_usd for loan in flows.loans), *switched, waiting,
    )  # fmt: skip


def _by_part(outcome: Outcome, base: Outcome) -> dict[str, float]:
    """The net benefit's mean by part (USD, the strategy's less doing nothing's, paired
    over paths): they add up to ``net_benefit_usd``, so a reader can see where it comes
    from — cash spent, spares left, machines bought, parts still lacking."""
    mine, theirs = outcome.owned_parts_usd, base.owned_parts_usd
    assert mine is not None and theirs is not None
    return {name: float((mine[name] - theirs[name]).mean()) for name in mine}


@dataclass(frozen=True)
class StrategiesResult(JsonText):
    """Every strategy's outcome (do nothing first) and the choices under the thresholds."""

    fleet: str
    scenario: str
    paths: int
    horizon_days: int
    seed: int
    strategies: Sequence[Strategy]
    outcomes: Sequence[Outcome]
    thresholds: Mapping[str, float]

    def __post_init__(self) -> None:
        # as RunResult's: an outcome changed in place would disagree with to_dict() — its
        # arrays read-only, its lists tuples, its mappings read-only (strategies are frozen)
        object.__setattr__(self, "strategies", tuple(self.strategies))
        object.__setattr__(self, "outcomes", tuple(self.outcomes))
        object.__setattr__(self, "thresholds", ReadOnlyDict(self.thresholds))
        for outcome in self.outcomes:
            for name in ("availability", "hashrate_ths", "breached", "waiting_for_technician"):
                object.__setattr__(outcome, name, ReadOnlyDict(getattr(outcome, name)))
        make_read_only(self.outcomes)

    def __repr__(self) -> str:
        # One line, as RunResult's: the default prints every path's arrays (≈ 100 kB).
        names = ", ".join(s.name for s in self.strategies)
        return (f"StrategiesResult(fleet={self.fleet!r}, scenario={self.scenario!r}, "
                f"paths={self.paths}, horizon_days={self.horizon_days}, seed={self.seed}, "
                f"strategies=[{names}])")  # fmt: skip

    def cost_of(self, i: int) -> float:
        """What strategy ``i`` costs against doing nothing (USD): minus its mean net
        benefit (module docstring: machines' capex, parts, revenue gained and its own
        costs all in, and what is still owned at the end), or its own costs over the
        horizon when the fleet has no money."""
        mine, base = self.outcomes[i].owned_end_usd, self.outcomes[0].owned_end_usd
        if mine is None or base is None:
            return self.outlay_usd(i)
        return float((base - mine).mean())

    def outlay_usd(self, i: int) -> float:
        """Strategy ``i``'s own costs over the horizon and the deposits of the orders it
        changed, less those refunded (USD)."""
        own = self.strategies[i].total_cost_usd(self.horizon_days)
        return own + self.outcomes[i].orders_net_usd

    def cheapest_under(self) -> dict[str, str | None]:
        """Per covenant with a threshold: the cheapest strategy (:meth:`cost_of`: the
        largest net benefit) whose breach probability is at most it (None: none is)."""
        return {name: self._cheapest({name: limit}) for name, limit in self.thresholds.items()}

    def cheapest_under_every_limit(self) -> str | None:
        """The cheapest strategy whose breach probability is within every threshold at
        once (None: none is, or there is no threshold)."""
        return self._cheapest(self.thresholds) if self.thresholds else None

    def _cheapest(self, limits: Mapping[str, float]) -> str | None:
        """The strategy within ``limits`` with the largest net benefit; net benefits equal
        to the dollar (a stockpile left on the shelf, worth what it cost, against doing
        nothing) go to the smaller outlay over the horizon, then to the first listed."""
        fits = [(round(self.cost_of(i)), self.outlay_usd(i), i)
                for i, o in enumerate(self.outcomes)
                if all(name in o.breached and float(o.breached[name].mean()) <= limit
                       for name, limit in limits.items())]  # fmt: skip
        return self.strategies[min(fits)[2]].name if fits else None

    def rows(self) -> list[dict[str, Any]]:
        """One JSON row per strategy."""
        base = self.outcomes[0]
        rows = []
        for i, (strategy, outcome) in enumerate(zip(self.strategies, self.outcomes, strict=True)):
            row: dict[str, Any] = {
                "name": strategy.name, "description": strategy.description,
                "file": strategy.origin, "source": strategy.source,
                "edits": [e.model_dump(mode="json") for e in strategy.edits],
                "upfront_usd": strategy.costs.upfront_usd,
                "running_usd_per_month": strategy.costs.running_usd_per_month,
                "starts_day": strategy.costs.starts_day,
                "order_deposits_usd": outcome.order_deposits_usd,
                "deposits_refunded_usd": outcome.deposits_refunded_usd,
                "cost_over_horizon_usd": self.outlay_usd(i),
                "availability_p50": {str(d): float(np.median(v))
                                     for d, v in outcome.availability.items()},
                "hashrate_ths_p50": {str(d): float(np.median(v))
                                     for d, v in outcome.hashrate_ths.items()},
                "machines_waiting_for_technician_p50": {
                    str(d): float(np.median(v))
                    for d, v in outcome.waiting_for_technician.items()},
            }  # fmt: skip
            mine, theirs = outcome.owned_end_usd, base.owned_end_usd
            if mine is not None and theirs is not None:
                assert outcome.revenue_usd is not None and outcome.cash_end_usd is not None
                assert base.cash_end_usd is not None and outcome.spares_value_usd is not None
                assert outcome.machines_value_usd is not None
                assert outcome.donors_value_usd is not None
                assert outcome.missing_parts_usd is not None
                gain = mine - theirs
                row.update({
                    "revenue_usd_p50": float(np.median(outcome.revenue_usd)),
                    "cash_end_usd_p50": float(np.median(outcome.cash_end_usd)),
                    "spares_value_end_usd_p50": float(np.median(outcome.spares_value_usd)),
                    "machines_value_end_usd_p50": float(np.median(outcome.machines_value_usd)),
                    "donors_value_end_usd_p50": float(np.median(outcome.donors_value_usd)),
                    "missing_parts_end_usd_p50": float(np.median(outcome.missing_parts_usd)),
                    "debt_end_usd": outcome.debt_usd,  # the loans' schedule: every path's
                    "net_benefit_usd": float(gain.mean()),
                    # one path has no spread to tell: no interval, not a zero-wide one
                    "net_benefit_ci95": list(mean_interval(gain)) if gain.size > 1 else None,
                    "net_benefit_cash_usd": float((outcome.cash_end_usd
                                                   - base.cash_end_usd).mean()),
                    "net_benefit_by_part_usd": _by_part(outcome, base),
                    "covenants": {
                        name: {"probability_breach": float(hit.mean()),
                               "probability_breach_ci95": list(wilson_interval(int(hit.sum()),
                                                                               hit.size))}
                        for name, hit in outcome.breached.items()
                    },
                })  # fmt: skip
            else:
                row.update({"net_benefit_usd": None, "net_benefit_ci95": None, "covenants": {}})
            rows.append(row)
        return rows

    def to_dict(self) -> dict[str, Any]:
        from hashshock import __version__

        return {
            "strategies_run": {"fleet": self.fleet, "scenario": self.scenario,
                               "paths": self.paths, "horizon_days": self.horizon_days,
                               "seed": self.seed, "version": __version__,
                               "checkpoint_days": checkpoints(self.horizon_days)},
            "strategies": self.rows(),
            "max_breach": dict(self.thresholds),  # the caller's to change, not ours
            "cheapest_under_max_breach": self.cheapest_under(),
            "cheapest_under_every_limit": self.cheapest_under_every_limit(),
        }  # fmt: skip


def check_costs(strategies: Sequence[Strategy], horizon: int) -> None:
    """Refuse a strategy whose costs start after the horizon: it would look free."""
    for strategy in strategies:
        costs = strategy.costs
        if costs.starts_day >= horizon:
            paid = costs.upfront_usd or costs.running_usd_per_month
            raise InputError(
                strategy.origin, "costs.starts_day", f"day {costs.starts_day} is past the "
                f"horizon ({horizon} days), so " + (f"{strategy.name} would look free"
                                                    if paid else "it does nothing"),
                "start the costs within the horizon, or lengthen --horizon",
            )  # fmt: skip


def compare_strategies(
    fleets: Sequence[LoadedFleet], strategies: Sequence[Strategy], scenario: Scenario,
    market: MarketConfig, horizon: int, paths: int, seed: int,
    thresholds: dict[str, float] | None = None, executor: Executor | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> StrategiesResult:  # fmt: skip
    """Run each strategy's fleet (``fleets[i]`` is ``strategies[i]`` applied; the first is
    doing nothing) on ``executor`` (default: in this process), on one seed."""
    check_costs(strategies, horizon)
    args = (scenario, market, horizon, paths, seed)
    tasks = [Task(run_do_nothing, (fleets[0], *args, strategies[0]), name="do-nothing")]
    tasks += [Task(run_strategy, (fleet, *args, strategy), after=(0,), name="strategy")
              for fleet, strategy in zip(fleets[1:], strategies[1:], strict=True)]  # fmt: skip
    done = (executor or InProcess()).run(tasks, progress)
    outcomes: list[Outcome] = [done[0][0], *done[1:]]
    return StrategiesResult(fleets[0].fleet.name, scenario.name, paths, horizon, seed,
                            strategies, outcomes, dict(thresholds or {}))  # fmt: skip
