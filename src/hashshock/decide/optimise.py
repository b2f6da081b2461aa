"""The cheapest spares stock per pool holding an availability target through the horizon,
and the availability-versus-budget frontier (``hashshock optimise``).

1. **Closed form** (:mod:`hashshock.decide.closed_form`): VARI-METRIC marginal analysis
   in steady state from the plan's failure rates, resupply times and prices gives a
   whole curve of optimal stocks; its first point reaching the target is the start.
2. **Simulation** under the scenario, on common random numbers (one seed for every
   evaluation, :mod:`hashshock.decide.evaluate`), where the shock makes the closed form
   wrong:

   * if the closed-form stock already holds the target, bisection down the closed-form
     curve finds its cheapest point that does;
   * else greedy marginal allocation (from the closed-form stock, or from today's stock
     when the budget binds, keeping the better of the two): each step *screens* one
     increment Δ_j per pool (a quarter of the pool's level, at least one part) on fewer
     paths — one simulation carries one pool of each part type, since each part type's
     backorders are counted apart, so J pools take max_k J_k simulations — measuring each
     increment's gain in every path's worst window per dollar; it adds the increments
     within half of the best gain per dollar (within a budget, each cut to the parts the
     budget still allows, best first), *confirms* the new stock on the full paths, and
     when the target is reached bisects over the last step's increments (best first) for
     the fewest needed;
   * a stock holding the target (either route) is then *cut* and *swapped*
     (:mod:`hashshock.decide.trim`) until no single-pool cut and no screened swap holds
     it at a lower cost. With a budget the closed form can reach, the search without
     it runs first: its answer, if the budget affords it, is the budget's.
3. **The answer** is the cheapest stock simulated on the full paths (by any of the
   above, or on the frontier's closed-form curve) that holds the target within the
   budget; if none does, the cheapest within the budget whose objective is within one
   standard error of the best's (from its order-statistic interval, step 4): a climb
   that adds parts gaining nothing, or the paths' noise, does not count their cost.
4. **Verification**: the chosen stock (and the closed form's) on an independent seed,
   with confidence intervals; and the chosen stock once more with the sites' own
   technicians, saying whether machines wait for hands that no stock gives
   (:class:`~hashshock.decide.verify.TechnicianWait`).

"Holds the target" (``--at p50|p5``): the p-th percentile over paths of each path's worst
30-day mean parts availability (:data:`hashshock.decide.evaluate.WINDOW_DAYS`) is at or
above the target. Cost is what must be bought beyond today's stock (USD, a new part
delivered with duty, the money layer's ``pool_unit_cost`` on day 0).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hashshock.decide.closed_form import Frontier, marginal_analysis
from hashshock.decide.evaluate import WINDOW_DAYS, Simulator, StockRun, economies_for
from hashshock.decide.pools import PoolTable, pool_table
from hashshock.decide.stats import quantile_standard_error
from hashshock.decide.trim import polish

# re-exported: callers and tests import them from here
from hashshock.decide.verify import TechnicianWait as TechnicianWait
from hashshock.decide.verify import Verification as Verification
from hashshock.decide.verify import verified_note as verified_note
from hashshock.execution.base import Executor, InProcess
from hashshock.frozen import make_read_only
from hashshock.inputs.errors import InputError
from hashshock.prepare import Prepared
from hashshock.results.jsontext import JsonText

IntArray = NDArray[np.int64]
#: Increment screened per pool and step, as a share of its level (tuning choice).
STEP_SHARE = 0.25
#: Increments added in a step: those within this share of the best gain per dollar.
ACCEPT_SHARE = 0.5
#: Greedy steps at most before giving up on the target.
MAX_STEPS = 40
#: Closed-form stocks simulated to draw the frontier across budgets.
FRONTIER_CHECKS = 6
#: A frontier point must beat every cheaper one at this resolution (a share to 4
#: decimals: the 0.01 % the terminal shows): dearer stocks that hold as much are not on it.
FRONTIER_DECIMALS = 4
PERCENTILES = {"p50": 50.0, "p5": 5.0}


@dataclass(frozen=True)
class Target:
    """Availability target (share, 0-1) at a percentile over paths."""

    availability: float
    at: str = "p50"

    @property
    def percentile(self) -> float:
        return PERCENTILES[self.at]


def check_window(horizon_days: int) -> None:
    """The target is a worst :data:`~hashshock.decide.evaluate.WINDOW_DAYS`-day mean: a
    shorter horizon has no such window (and a shock has not begun to empty the shelves)."""
    if horizon_days < WINDOW_DAYS:
        raise InputError(
            None, "horizon_days (--horizon)",
            f"{horizon_days} days is shorter than the {WINDOW_DAYS}-day window the target is "
            "measured on",
            f"set horizon_days (--horizon) to {WINDOW_DAYS} or more (a shock takes months to "
            "empty shelves)",
        )  # fmt: skip


def check_target(availability: float, at: str, budget_usd: float | None) -> Target:
    """A target the optimiser can aim at, else an :class:`InputError` with the fix."""
    if not 0.0 < availability < 1.0:
        if 50.0 <= availability < 100.0:  # a percentage: 97 meant 97 % (1.5 did not mean 1.5 %)
            fix = f"give it as a share: availability={availability / 100:g}"
        elif 1.0 < availability < 50.0:
            fix = "give a share between 0 and 1, e.g. availability=0.97"
        elif availability >= 1.0:
            fix = "no finite stock holds 100 %: give a share below 1, e.g. availability=0.97"
        else:
            fix = "give a share between 0 and 1, e.g. 0.97"
        raise InputError(None, "availability (--target)",
                         f"availability={availability:g} is impossible", fix)  # fmt: skip
    if not isinstance(at, str) or at not in PERCENTILES:  # a list is unhashable: no KeyError
        raise InputError(None, "at (--at)", f"unknown percentile {at!r}",
                         'use p50 or p5, one string (at="p50"), not a list')  # fmt: skip
    if budget_usd is not None and not (budget_usd >= 0 and math.isfinite(budget_usd)):
        raise InputError(None, "budget_usd (--budget)", f"{budget_usd:g} USD is not a budget",
                         "give the USD to spend on spares, 0 or more")  # fmt: skip
    return Target(availability, at)


@dataclass(frozen=True)
class Point:
    """A simulated stock: its cost (USD beyond today's stock) and objective."""

    cost_usd: float
    availability: float
    role: str


@dataclass(frozen=True)
class OptimiseResult(JsonText):
    """Everything ``hashshock optimise`` prints and writes (:meth:`to_dict`)."""

    fleet: str
    scenario: str
    target: Target
    budget_usd: float | None
    paths: int
    screen_paths: int
    horizon_days: int
    seed: int
    pools: PoolTable
    frontier: Frontier
    closed_form_stock: IntArray
    closed_form_predicted: float
    chosen_stock: IntArray
    chosen_objective: float
    reached: bool
    note: str
    points: Sequence[Point] = ()
    verify_chosen: Verification | None = None
    verify_closed_form: Verification | None = None
    technicians: TechnicianWait | None = None  # the chosen stock with today's technicians
    evaluations: int = 0
    ordered: bool = False  # stock ordered on day 0 rather than on the shelf
    #: When the target is not reached: the best stock found within the budget, and the
    #: noise (share, one standard error of its objective) within which the chosen is as good.
    best_found: Point | None = None
    noise: float | None = None

    def __post_init__(self) -> None:
        # as RunResult's: a stock changed in place would disagree with to_dict()
        object.__setattr__(self, "points", tuple(self.points))
        make_read_only(self)

    def __repr__(self) -> str:
        # One line, as RunResult's: the default prints every pool and frontier point.
        return (f"OptimiseResult(fleet={self.fleet!r}, scenario={self.scenario!r}, "
                f"paths={self.paths}, horizon_days={self.horizon_days}, seed={self.seed}, "
                f"pools={len(self.chosen_stock)}, reached={self.reached}, "
                f"evaluations={self.evaluations})")  # fmt: skip

    @property
    def chosen_cost_usd(self) -> float:
        """What the chosen stock costs beyond today's, USD (parts at cost, duty and
        shipping included)."""
        return self.pools.inputs.cost(self.chosen_stock)

    @property
    def closed_form_cost_usd(self) -> float:
        return self.pools.inputs.cost(self.closed_form_stock)

    def gap(self) -> dict[str, float | None]:
        """How far apart the two answers are: the closed form's prediction (steady-state
        mean availability) minus its stock's mean availability over the horizon simulated
        under the scenario (share, on the verification seed: like for like, not the
        target's worst 30 days), and the simulation's stock's cost minus the closed
        form's (USD)."""
        check = self.verify_closed_form
        simulated = None if check is None else check.mean_availability
        return {
            "availability": None if simulated is None else self.closed_form_predicted - simulated,
            "cost_usd": self.chosen_cost_usd - self.closed_form_cost_usd,
        }

    def frontier_envelope(self) -> list[Point]:
        """The simulated points that beat every cheaper point (to
        :data:`FRONTIER_DECIMALS`; monotone in cost), and the chosen stock whatever its
        rounding: it beats every cheaper point (the cheapest holding the target, or the
        cheapest within the noise of the best), but a cheaper miss can show the same four
        decimals (0.969952 and 0.970010 are both 0.9700), which would drop the answer."""
        best = -1.0
        out: list[Point] = []
        chosen = (self.chosen_cost_usd, self.chosen_objective)
        for p in sorted(self.points, key=lambda p: (p.cost_usd, -p.availability)):
            is_chosen = (p.cost_usd, p.availability) == chosen and chosen not in (
                (q.cost_usd, q.availability) for q in out)  # fmt: skip
            if round(p.availability, FRONTIER_DECIMALS) > best or is_chosen:
                out.append(p)
                best = max(best, round(p.availability, FRONTIER_DECIMALS))
        return out

    def to_dict(self) -> dict[str, Any]:
        from hashshock import __version__

        def verification(v: Verification | None) -> dict[str, Any] | None:
            return None if v is None else {
                "seed": v.seed, "objective": v.objective, "objective_ci95": list(v.objective_ci),
                "share_of_paths_holding": v.share_holding,
                "share_of_paths_holding_ci95": list(v.share_holding_ci),
                "mean_availability": v.mean_availability,
                "mean_availability_ci95": list(v.mean_availability_ci),
            }  # fmt: skip

        t = self.pools
        pools = [{
            "site": t.site[j], "part": t.part[j], "family": t.family[j],
            "demand_per_day": float(t.demand_per_day[j]),
            "resupply_days": float(t.resupply_days[j]),
            "pipeline_mean": float(t.inputs.pipeline_mean[j]),
            "unit_cost_usd": float(t.inputs.unit_cost_usd[j]),
            "current": int(t.inputs.current[j]),
            "closed_form": int(self.closed_form_stock[j]), "chosen": int(self.chosen_stock[j]),
        } for j in range(len(t.site))]  # fmt: skip
        return {
            "optimise": {
                "fleet": self.fleet, "scenario": self.scenario,
                "target": {"availability": self.target.availability, "at": self.target.at},
                "budget_usd": self.budget_usd, "paths": self.paths,
                "screen_paths": self.screen_paths, "horizon_days": self.horizon_days,
                "seed": self.seed, "version": __version__, "evaluations": self.evaluations,
                "stock_from": "ordered on day 0" if self.ordered else "shelf on day 0",
            },
            "reached": self.reached, "note": self.note,
            "verified_note": verified_note(self.target, self.verify_chosen, self.reached),
            "technicians_note": "" if self.technicians is None else self.technicians.note(),
            "closed_form": {"cost_usd": self.closed_form_cost_usd,
                            "predicted_availability": self.closed_form_predicted,
                            "simulated": verification(self.verify_closed_form)},
            "gap": self.gap(),
            "chosen": {"cost_usd": self.chosen_cost_usd, "objective": self.chosen_objective,
                       "verified": verification(self.verify_chosen),
                       "waiting_for_technician": None if self.technicians is None else {
                           "share_mean_p50": self.technicians.mean_share,
                           "share_last_day_p50": self.technicians.last_day_share},
                       "best_found": None if self.best_found is None else {
                           "cost_usd": self.best_found.cost_usd,
                           "objective": self.best_found.availability},
                       "noise": self.noise},
            "pools": pools,
            "frontier": {
                "closed_form": [{"cost_usd": c, "availability": a}
                                for c, a in self.frontier.points()],
                "simulated": [{"cost_usd": p.cost_usd, "availability": p.availability,
                               "role": p.role} for p in self.frontier_envelope()],
                "simulated_all": [{"cost_usd": p.cost_usd, "availability": p.availability,
                                   "role": p.role} for p in self.points],
            },
        }  # fmt: skip


class _Search:
    """The simulation stage's state: one simulator, the objective, the points seen."""

    def __init__(self, sim: Simulator, table: PoolTable, target: Target, paths: int,
                 screen_paths: int, seed: int) -> None:  # fmt: skip
        self.sim, self.table, self.target = sim, table, target
        self.paths, self.screen_paths, self.seed = paths, screen_paths, seed
        self.points: list[Point] = []
        self.seen: dict[bytes, float] = {}
        self.stocks: dict[bytes, IntArray] = {}
        self.worst: dict[bytes, NDArray[np.float64]] = {}  # each path's worst window
        self.noise = 0.0  # the answer's noise when the target is out of reach (share)
        self.best: IntArray | None = None  # the best stock then

    def objective(self, run: StockRun) -> float:
        worst, _ = run.worst_window()
        return float(np.percentile(worst, self.target.percentile))

    def confirm(self, stocks: list[IntArray], role: str) -> list[float]:
        """Objectives of ``stocks`` on the full paths (one batch); a stock already
        simulated is not run again (same seed, same paths: the same number)."""
        new = list({s.tobytes(): s for s in stocks if s.tobytes() not in self.seen}.values())
        cost = self.table.inputs.cost
        for s, run in zip(new, self.sim.run(new, self.paths, self.seed) if new else [],
                          strict=True):  # fmt: skip
            value = self.objective(run)
            self.points.append(Point(cost(s), value, role))
            self.seen[s.tobytes()] = value
            self.stocks[s.tobytes()] = s
            self.worst[s.tobytes()] = run.worst_window()[0]
        return [self.seen[s.tobytes()] for s in stocks]

    def answer(self, budget_usd: float | None) -> IntArray:
        """The cheapest stock seen that holds the target within the budget; if none does,
        the cheapest within the noise of the best within it: one standard error of the
        best's objective (:func:`~hashshock.decide.stats.quantile_standard_error`, from
        the order-statistic interval the verification reports), at least the frontier's
        resolution. A stock a few hundredths of a point "better" for 60 % more money is
        the paths' noise, not a gain (module docstring, step 3); :attr:`noise` keeps it."""
        cost = self.table.inputs.cost

        def cheapest(stocks: Iterable[IntArray]) -> IntArray:
            # of stocks that cost the same to the cent, the better: two at $5,905.56 gave
            # the worse (sums of float prices may differ in their last bit)
            return min(stocks, key=lambda s: (round(cost(s), 2), -self.seen[s.tobytes()]))

        within = [s for s in self.stocks.values() if budget_usd is None or cost(s) <= budget_usd]
        holding = [s for s in within if self.holds(self.seen[s.tobytes()])]
        if holding:
            return cheapest(holding)
        best = max(within, key=lambda s: (self.seen[s.tobytes()], -cost(s)))
        self.best = best
        self.noise = max(quantile_standard_error(self.worst[best.tobytes()],
                                                 self.target.percentile / 100),
                         0.5 * 10.0**-FRONTIER_DECIMALS)  # fmt: skip
        floor = self.seen[best.tobytes()] - self.noise
        return cheapest(s for s in within if self.seen[s.tobytes()] >= floor)

    def holds(self, value: float) -> bool:
        return value >= self.target.availability

    def bisect(self, stocks: Callable[[int], IntArray], lo: int, hi: int, within: int = 1,
               role: str = "bisection") -> int:  # fmt: skip
        """The smallest i in (lo, hi] whose stock holds the target, given that hi's
        does and lo's does not — to ``within``: an i at most that much above it."""
        while hi - lo > within:
            mid = (lo + hi) // 2
            if self.holds(self.confirm([stocks(mid)], role)[0]):
                hi = mid
            else:
                lo = mid
        return hi

    def increments(self, stock: IntArray) -> IntArray:
        level = np.maximum(stock, np.ceil(self.table.inputs.pipeline_mean)).astype(np.float64)
        return np.maximum(1, np.ceil(STEP_SHARE * level)).astype(np.int64)

    def screen(self, stock: IntArray, delta: IntArray, parts: IntArray) -> NDArray[np.float64]:
        """Availability gained per dollar by each pool's increment ``delta`` (screening;
        a negative increment: its cut's loss per dollar saved, negative)."""
        groups: list[list[int]] = []
        for kind in np.unique(parts):
            for i, pool in enumerate(np.flatnonzero(parts == kind)):
                if i == len(groups):
                    groups.append([])
                groups[i].append(int(pool))
        stocks = [stock]
        for group in groups:
            bumped = stock.copy()
            bumped[group] += delta[group]
            stocks.append(bumped)
        runs = self.sim.run(stocks, self.screen_paths, self.seed)
        worst, first = runs[0].worst_window()
        share = min(1.0, 4 * self.target.percentile / 100)
        focus = worst <= np.percentile(worst, 100 * share)
        base = runs[0].lost_in(first)[focus]
        gain = np.zeros(len(stock))
        for group, run in zip(groups, runs[1:], strict=True):
            lost = run.lost_in(first)[focus]
            for j in group:
                part = int(parts[j])
                gain[j] = float((base[:, part] - lost[:, part]).mean())
        # |Δ|: a negative Δ (a cut, decide/trim.py) gives the availability lost per dollar
        # saved, as a negative gain
        price = np.abs(delta) * self.table.inputs.unit_cost_usd
        return np.where(price > 0, gain / np.where(price > 0, price, 1.0),
                        np.where(gain > 0, np.inf, 0.0))  # fmt: skip


def _pool_parts(prepared: Prepared) -> IntArray:
    return prepared.plans[-1].pool_part.astype(np.int64)


def optimise(
    prepared: Prepared, target: Target, budget_usd: float | None = None, paths: int = 1000,
    seed: int = 0, executor: Executor | None = None, screen_paths: int | None = None,
    progress: Callable[[str], None] | None = None, ordered: bool = False,
) -> OptimiseResult:  # fmt: skip
    """The cheapest stock per pool holding ``target`` under the prepared scenario (its
    last plan; baseline's when only baseline was asked), within ``budget_usd`` if given.
    Every evaluation runs on ``executor`` (default: in this process). A stock is on the
    shelf on day 0, or with ``ordered`` ordered on day 0 (:func:`~hashshock.decide.
    evaluate.with_stock`)."""
    check_window(prepared.horizon_days)
    plan, money = prepared.plans[-1], prepared.money[-1]
    table = pool_table(plan, money.pool_unit_cost[:, 0])
    curve = marginal_analysis(table.inputs)
    budget_k = curve.within_budget(budget_usd) if budget_usd is not None else len(curve.order)
    target_k = curve.first_reaching(target.availability)
    start_k = budget_k if target_k is None else min(target_k, budget_k)
    start = curve.stock_at(start_k)
    screen = screen_paths or min(paths, max(50, paths // 4))
    verify_seed = (seed + 1) % 2**63  # the largest seed's check runs on seed 0
    keys = [(paths, seed), (screen, seed), (paths, verify_seed)]
    sim = Simulator(plan, economies_for(plan, money, prepared.market, keys),
                    executor or InProcess(), ordered=ordered)  # fmt: skip
    search = _Search(sim, table, target, paths, screen, seed)
    say = progress or (lambda _text: None)

    parts = _pool_parts(prepared)
    free_k = len(curve.order) if target_k is None else target_k
    if budget_usd is not None and target_k is not None and target_k <= budget_k:
        # The search without the budget first: its answer, when the budget affords it,
        # is the budget's too (a budget above an answer never changes it); the climb
        # within the budget takes other steps and can stop short of a stock it affords.
        mark = len(search.points)
        free, free_note = _route(search, curve, free_k, None, parts, say)
        search.points[mark:] = [p if p.role == "closed form" else
                                dataclasses.replace(p, role=f"{p.role} (without the budget)")
                                for p in search.points[mark:]]  # fmt: skip
        afford = search.holds(search.seen[free.tobytes()]) and (
            table.inputs.cost(free) <= budget_usd)  # fmt: skip
        chosen, note = (free, free_note) if afford else _route(
            search, curve, start_k, budget_usd, parts, say)  # fmt: skip
    else:
        chosen, note = _route(search, curve, start_k, budget_usd, parts, say)
    say("frontier and verification")
    near_one = curve.first_reaching(1.0 - (1.0 - target.availability) / 4)
    top = max(1.5 * max(table.inputs.cost(chosen), table.inputs.cost(start)),
              float(curve.cost_usd[near_one if near_one is not None else -1]))  # fmt: skip
    steps = sorted({curve.within_budget(top * i / (FRONTIER_CHECKS - 1))
                    for i in range(FRONTIER_CHECKS)})  # fmt: skip
    checks = [s for s in (curve.stock_at(k) for k in steps) if s.tobytes() not in search.seen]
    if checks:
        search.confirm(checks, "closed-form curve")
    chosen = search.answer(budget_usd)
    chosen_value = search.seen[chosen.tobytes()]
    reached = search.holds(chosen_value)
    if not reached and not note:
        note = "the target is not reached within the budget"
    best = (
        None
        if reached or search.best is None
        else Point(table.inputs.cost(search.best), search.seen[search.best.tobytes()], "best found")
    )
    verified = sim.run([chosen, start], paths, verify_seed)
    hands = TechnicianWait.of(sim.staffed(chosen, paths, verify_seed), verified[0])
    return OptimiseResult(
        fleet=prepared.loaded.fleet.name, scenario=plan.scenario_name, target=target,
        budget_usd=budget_usd, paths=paths, screen_paths=screen,
        horizon_days=plan.horizon_days, seed=seed, pools=table, frontier=curve,
        closed_form_stock=start, closed_form_predicted=float(curve.availability[start_k]),
        chosen_stock=chosen, chosen_objective=chosen_value, reached=reached, note=note,
        points=search.points, verify_chosen=Verification.of(verified[0], target, verify_seed),
        verify_closed_form=Verification.of(verified[1], target, verify_seed),
        technicians=hands, evaluations=sim.evaluations[0], ordered=ordered, best_found=best,
        noise=None if reached else search.noise,
    )  # fmt: skip


def _route(search: _Search, curve: Frontier, start_k: int, budget_usd: float | None,
           parts: IntArray, say: Callable[[str], None]) -> tuple[IntArray, str]:  # fmt: skip
    """Steps 1-2 of the module docstring from the closed form's stock ``start_k`` units up
    its curve: the stock found and a note (empty when it holds the target)."""
    start = curve.stock_at(start_k)
    say("closed-form stock on the full paths")
    value = search.confirm([start], "closed form")[0]
    if search.holds(value) and start_k > 0:
        if search.holds(search.confirm([curve.stock_at(0)], "today's stock")[0]):
            return curve.stock_at(0), "today's stock already holds the target"
        say("bisecting down the closed-form curve")
        found = curve.stock_at(search.bisect(curve.stock_at, 0, start_k))
        return polish(search, found, parts, say), ""
    if search.holds(value):
        return start, "today's stock already holds the target"
    target_k = curve.first_reaching(search.target.availability)
    budget_k = curve.within_budget(budget_usd) if budget_usd is not None else len(curve.order)
    if target_k is not None and target_k <= budget_k:
        return _greedy(search, start, budget_usd, parts, say)
    # The budget binds: the closed form spent it by steady-state value; let the
    # simulation spend it from today's stock, and keep the better of the two.
    grown, note = _greedy(search, curve.stock_at(0), budget_usd, parts, say)
    search.confirm([grown], "chosen")
    return (grown if search.seen[grown.tobytes()] > value else start), note


def _greedy(search: _Search, start: IntArray, budget_usd: float | None, parts: IntArray,
            say: Callable[[str], None]) -> tuple[IntArray, str]:  # fmt: skip
    """Simulation-based marginal allocation upward from ``start`` (module docstring)."""
    stock = start.copy()
    cost = search.table.inputs.cost
    for step in range(MAX_STEPS):
        say(f"greedy step {step + 1}: screening {len(stock)} increments")
        delta = search.increments(stock)
        ratio = search.screen(stock, delta, parts)
        best = float(ratio.max()) if ratio.size else 0.0
        if not best > 0:
            return stock, "no increment improves availability any further"
        order: list[int] = [int(j) for j in np.argsort(-ratio, kind="stable")
                 if ratio[j] > 0 and ratio[j] >= ACCEPT_SHARE * best]  # fmt: skip
        if budget_usd is not None:  # before stock_with binds the order it takes from
            order = _within_budget(stock, delta, order, cost, budget_usd)
            if not order:
                return stock, "the target is not reached within the budget"

        def stock_with(n: int, order: list[int] = order, delta: IntArray = delta,
                       base: IntArray = stock) -> IntArray:  # fmt: skip
            out = base.copy()
            out[order[:n]] += delta[order[:n]]
            return out

        new = stock_with(len(order))
        if search.holds(search.confirm([new], "greedy")[0]):
            kept = len(order)
            if kept > 1:
                say("bisecting over the last step's increments")
                kept = search.bisect(stock_with, 0, kept)
            return polish(search, stock_with(kept), parts, say), ""
        stock = new
    return stock, f"the target is not reached after {MAX_STEPS} greedy steps"


def _within_budget(stock: IntArray, delta: IntArray, order: list[int],
                   cost: Callable[[IntArray], float], budget_usd: float) -> list[int]:  # fmt: skip
    """The pools of ``order`` (best gain per dollar first) whose increments fit in what
    the budget leaves, each taken whole if it fits, else cut to the parts that do
    (``delta`` is cut in place), else left out: a step that cannot afford its best
    increment still buys what the budget allows of it and of the next ones."""
    chosen = stock.copy()
    kept = []
    for j in order:
        low, high = 0, int(delta[j])  # the most parts of pool j that fit: bisection
        while low < high:
            mid = (low + high + 1) // 2
            chosen[j] += mid
            low, high = (mid, high) if cost(chosen) <= budget_usd else (low, mid - 1)
            chosen[j] -= mid
        if low > 0:
            chosen[j] += low
            delta[j] = low
            kept.append(j)
    return kept
