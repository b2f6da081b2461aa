"""What runs for a sweep's points, in this process or on a cluster worker.

Each point's numbers are those :func:`hashshock.compare` gives for its inputs (the same
market, money inputs, engine call and money; tests/sweep/test_equivalence.py), but only
the work they need is done:

* points whose engine runs are the same (:mod:`hashshock.sweep.baseline`) form a
  *group*: one task runs the engine once and prices each point on it;
* baseline's run is made once per distinct baseline and handed to the groups that
  need it — only when a metric compares with baseline, or the scenario is network-wide
  and money is measured;
* without a money metric no money is computed (the engine still gets the market its
  policies read);
* a scenario's market depends only on the market inputs, the dates, the paths, the
  seed, the days the scenario cuts new supply and (network-wide) the hashrate lost
  against baseline: it is kept per process (:data:`MARKET_CACHE` of them) for the next
  point that needs the same one.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

import numpy as np
from numpy.typing import NDArray

from hashshock.inputs.errors import InputError
from hashshock.inputs.load import LoadedFleet
from hashshock.inputs.scenario import Scenario
from hashshock.market import MarketConfig
from hashshock.sweep.metrics import BaselineRef, Metric, evaluate_all

if TYPE_CHECKING:
    from hashshock.engine.output import EngineOutput
    from hashshock.finance.scenario_money import Money
    from hashshock.finance.steering import MarketLike
    from hashshock.plan import Plan
    from hashshock.prepare import Prepared
    from hashshock.results import RunResult

#: Markets kept per process (about 45 MB each at 1,000 paths × 365 days).
MARKET_CACHE = 4
BASELINE = "baseline"


@dataclass(frozen=True)
class Needs:
    """What a point's metrics need beyond its own engine run."""

    money: bool
    baseline: bool
    baseline_money: bool


@dataclass(frozen=True)
class PointJob:
    """One point's validated inputs and what to measure. ``cache`` scopes reused
    markets to one sweep."""

    index: int
    loaded: LoadedFleet
    scenario: Scenario
    market: MarketConfig
    horizon_days: int
    paths: int
    seed: int
    metrics: tuple[Metric, ...]
    needs: Needs
    cache: str
    baseline: Scenario  # the built-in baseline, loaded once for the sweep

    def prepared(self) -> Prepared:
        """Compiled plans (baseline first) and money inputs, checked as compare checks
        them (baseline given, so it is not read again)."""
        from hashshock.prepare import prepare

        wanted = (
            [self.scenario] if self.scenario.name == BASELINE else [self.baseline, self.scenario]
        )
        return prepare(self.loaded, wanted, self.horizon_days, self.market, self.paths)


@dataclass(frozen=True)
class PointOutcome:
    """A point's metrics, or why it could not run (``error``, one line)."""

    index: int
    metrics: dict[str, float | None] | None
    error: str | None = None


@dataclass
class BaseOutcome:
    """The base group's outcomes (the base point first), baseline's run for the groups
    that share it, and the report dicts of the base runs (baseline first)."""

    outcomes: list[PointOutcome]
    baseline: BaselineRef | None
    runs: list[dict[str, Any]] = field(default_factory=list)


_markets: OrderedDict[str, MarketLike] = OrderedDict()
_lock = threading.Lock()


def clear_markets() -> None:
    """Forget the markets kept by this process."""
    with _lock:
        _markets.clear()


def _market_key(config: MarketConfig, plan: Plan, paths: int, seed: int, token: str,
                lost: NDArray[np.float64] | None) -> str:  # fmt: skip
    from hashshock.finance.scenario_money import market_supply_cut

    cut = market_supply_cut(plan, paths, seed)
    digest = hashlib.sha256()
    for part in (token, config.model_dump_json(), plan.start_date.isoformat(),
                 str(plan.horizon_days), str(paths), str(seed)):  # fmt: skip
        digest.update(part.encode("utf-8") + b"\0")
    digest.update(cut.tobytes() if cut is not None else b"no supply cut")
    digest.update(b"local" if lost is None else np.ascontiguousarray(lost).tobytes())
    return digest.hexdigest()


def point_market(config: MarketConfig, plan: Plan, paths: int, seed: int, token: str,
                 lost: NDArray[np.float64] | None = None) -> MarketLike:  # fmt: skip
    """``scenario_market(config, plan, paths, seed, lost)`` as compare builds it — the
    local market a run's engine reads, or with ``lost`` (share of baseline's hashrate
    lost, [P, T]) the network-wide one — kept for the next point of the same sweep that
    needs the same one. It depends only on these and on the days the plan's scenario
    cuts new supply."""
    from hashshock.finance.scenario_money import scenario_market

    key = _market_key(config, plan, paths, seed, token, lost)
    with _lock:
        if key in _markets:
            _markets.move_to_end(key)
            return _markets[key]
    market = scenario_market(config, plan, paths, seed, lost)
    with _lock:
        _markets[key] = market
        while len(_markets) > MARKET_CACHE:
            _markets.popitem(last=False)
    return market


class _BaselineHashrate:
    """Baseline's run as far as ``lost_share`` reads it."""

    def __init__(self, ref: BaselineRef) -> None:
        self.hashrate_ths = ref.hashrate_ths


def _engine(job: PointJob, prepared: Prepared, k: int) -> EngineOutput:
    """Plan ``k`` of ``prepared`` on the engine, with compare's economy."""
    from hashshock.engine import simulate
    from hashshock.finance.steering import build_economy

    plan = prepared.plans[k]
    market = point_market(job.market, plan, job.paths, job.seed, job.cache)
    return simulate(plan, job.paths, job.seed, None, build_economy(prepared.money[k], market))


def _money(job: PointJob, prepared: Prepared, k: int, out: EngineOutput,
           baseline: BaselineRef | None) -> Money:  # fmt: skip
    """Run ``k``'s money as compare prices it: on the local market, or for a
    network-wide scenario on the market slowed by the hashrate lost against baseline."""
    from hashshock.engine.output import EngineOutput
    from hashshock.finance.scenario_money import lost_share, money_for

    plan = prepared.plans[k]
    market = point_market(job.market, plan, job.paths, job.seed, job.cache)
    if prepared.to_run[k].network_wide and prepared.to_run[k].name != BASELINE:
        assert baseline is not None
        lost = lost_share(out, cast(EngineOutput, _BaselineHashrate(baseline)))
        market = point_market(job.market, plan, job.paths, job.seed, job.cache, lost)
    return money_for(prepared.money[k], plan, out, market)


def _result(job: PointJob, scenario: Scenario, out: EngineOutput, money: Money | None,
            baseline: BaselineRef | None) -> RunResult:  # fmt: skip
    from hashshock.api import run_result

    hashrate = None if baseline is None else baseline.hashrate_ths
    return run_result(job.loaded, scenario, out, hashrate, job.paths, job.horizon_days,
                      job.seed, money=money)  # fmt: skip


def _own_baseline(job: PointJob, prepared: Prepared) -> tuple[EngineOutput, BaselineRef]:
    out = _engine(job, prepared, 0)
    money = _money(job, prepared, 0, out, None) if job.needs.baseline_money else None
    return out, BaselineRef.of(out.hashrate_ths, money)


def _measure(job: PointJob, prepared: Prepared, out: EngineOutput,
             baseline: BaselineRef | None) -> PointOutcome:  # fmt: skip
    """The point's metrics on the engine output ``out`` of its scenario."""
    k = len(prepared.plans) - 1  # the scenario (or baseline itself)
    money = _money(job, prepared, k, out, baseline) if job.needs.money else None
    if prepared.to_run[k].name == BASELINE:
        # baseline is measured against itself: its own money, not the group leader's
        # (points sharing an engine run may differ in cash, prices or loans)
        baseline = BaselineRef.of(out.hashrate_ths, money)
    run = _result(job, prepared.to_run[k], out, money, baseline)
    return PointOutcome(job.index, evaluate_all(list(job.metrics), run, baseline))


def _priced(jobs: list[PointJob], out: EngineOutput, baseline: BaselineRef | None,
            first: Prepared | None = None) -> list[PointOutcome]:  # fmt: skip
    """Every job of a group measured on the group's engine output (``first``: the first
    job's inputs, prepared already)."""
    outcomes = []
    for i, job in enumerate(jobs):
        try:
            prepared = first if i == 0 and first is not None else job.prepared()
        except InputError as exc:
            outcomes.append(PointOutcome(job.index, None, exc.message))
            continue
        outcomes.append(_measure(job, prepared, out, baseline))
    return outcomes


def run_group(
    jobs: list[PointJob], shared: BaseOutcome | BaselineRef | None = None
) -> list[PointOutcome]:
    """Points that share one engine run (the first job's): simulate it once and measure
    each. ``shared`` is baseline's run on the same paths when another task made it;
    otherwise the group makes its own if its metrics need it."""
    refused: list[PointOutcome] = []
    while True:  # the first job whose inputs pass compare's checks leads the group
        first = jobs[0]
        try:
            prepared = first.prepared()
            break
        except InputError as exc:
            refused.append(PointOutcome(first.index, None, exc.message))
            jobs = jobs[1:]
            if not jobs:
                return refused
    baseline = shared.baseline if isinstance(shared, BaseOutcome) else shared
    if first.scenario.name == BASELINE:
        out, baseline = _own_baseline(first, prepared)
        return refused + _priced(jobs, out, baseline, prepared)
    if baseline is None and first.needs.baseline:
        _, baseline = _own_baseline(first, prepared)
    return refused + _priced(jobs, _engine(first, prepared, 1), baseline, prepared)


def run_baseline(job: PointJob) -> BaselineRef:
    """Baseline's run on ``job``'s fleet and market (``job.scenario`` is baseline), for
    the groups that share it."""
    return _own_baseline(job, job.prepared())[1]


def run_base(jobs: list[PointJob], with_runs: bool) -> BaseOutcome:
    """The base point (``jobs[0]``) through :func:`hashshock.api.simulate_prepared` —
    baseline and the scenario with money, exactly as compare gives them — then the
    other points that share its engine run, measured on it; baseline's run for the
    groups that share it; with ``with_runs`` the runs' report dicts."""
    from hashshock import api
    from hashshock.report.data import report_dict

    base = jobs[0]
    results = api.simulate_prepared(base.prepared(), base.paths, base.seed)
    baseline = BaselineRef.of(results[0].output.hashrate_ths, results[0].money)
    outcomes = [PointOutcome(base.index, evaluate_all(list(base.metrics), results[-1], baseline))]
    if len(jobs) > 1:
        outcomes += _priced(jobs[1:], results[-1].output, baseline)
    runs = [report_dict(r) for r in results] if with_runs else []
    return BaseOutcome(outcomes, baseline, runs)
