"""Which points can share an engine run, known before running anything.

An engine run is a function of its plan, the paths, the seed and the economy it is
given (:class:`hashshock.engine.policies.EconomyInputs`). Of the economy, the engine's
*steering* (:meth:`~hashshock.finance.moneyplan.MoneyPlan.steering`: switch-off and
curtailment thresholds with hashprice, grey market, repair-or-replace, replacement and
donor buying) changes what happens; the per-unit *weights*
(power price per cohort, spares' unit costs) are only summed into its cost series. So:

* two points get the same **baseline hashrate** when baseline's plans and steering are
  equal (and the market too, if some policy reads it) — a loan's rate, the starting
  cash, a power price or the BTC volatility do not change it;
* two points get the same **scenario engine output** when, in addition, the weights are
  equal.

:class:`EngineKeys` gives digests of exactly that; when metrics compare money with
baseline's, the baseline key also holds the whole money plan and the market. Equal
digests mean equal inputs (pickled bytes); unequal ones only cost a run.
"""

from __future__ import annotations

import hashlib
import pickle
from dataclasses import dataclass, field
from typing import Any

from hashshock.finance.moneyplan import MoneyPlan, compile_money
from hashshock.inputs.load import LoadedFleet, load_scenario
from hashshock.inputs.scenario import Scenario
from hashshock.market import MarketConfig
from hashshock.plan import Plan, compile_plan


def _weights(money: MoneyPlan) -> tuple[Any, ...]:
    return (money.cohort_power_price, money.pool_unit_cost, money.grey_unit_cost)


@dataclass
class EngineKeys:
    """Digests of the engine runs of a sweep's points (plans compiled once per input)."""

    horizon_days: int
    paths: int
    seed: int
    baseline_money: bool
    _keys: dict[tuple[str, int, int, int], str] = field(default_factory=dict)
    _held: list[Any] = field(default_factory=list)
    _baseline: Scenario = field(default_factory=lambda: load_scenario("baseline"))

    def _compile(self, loaded: LoadedFleet, scenario: Scenario) -> tuple[Plan, MoneyPlan]:
        plan = compile_plan(loaded, scenario, self.horizon_days)
        return plan, compile_money(loaded, plan)

    def _cached(self, kind: str, loaded: LoadedFleet, scenario: Scenario,
                market: MarketConfig) -> str | None:  # fmt: skip
        return self._keys.get((kind, id(loaded), id(scenario), id(market)))

    def _keep(self, kind: str, loaded: LoadedFleet, scenario: Scenario, market: MarketConfig,
              key: str) -> str:  # fmt: skip
        self._held += [loaded, scenario, market]  # keeps the ids taken (plans are not kept)
        self._keys[(kind, id(loaded), id(scenario), id(market))] = key
        return key

    def _digest(self, plan: Plan, money: MoneyPlan, market: MarketConfig, *parts: Any,
                with_market: bool = False) -> str:  # fmt: skip
        digest = hashlib.sha256()
        digest.update(pickle.dumps((self.paths, self.seed, plan, money.steering(), *parts),
                                   protocol=5))  # fmt: skip
        if with_market or money.steers():
            digest.update(market.model_dump_json().encode("utf-8"))
        return digest.hexdigest()

    def baseline(self, loaded: LoadedFleet, market: MarketConfig) -> str:
        """Key of what a point needs of baseline's run: its hashrate (and its money when
        metrics compare money with baseline's)."""
        found = self._cached("baseline", loaded, self._baseline, market)
        if found is not None:
            return found
        plan, money = self._compile(loaded, self._baseline)
        if self.baseline_money:
            key = self._digest(plan, money, market, money, with_market=True)
        else:
            key = self._digest(plan, money, market)
        return self._keep("baseline", loaded, self._baseline, market, key)

    def scenario(self, loaded: LoadedFleet, scenario: Scenario, market: MarketConfig) -> str:
        """Key of the point's own engine run (its output, cost series included)."""
        found = self._cached("scenario", loaded, scenario, market)
        if found is not None:
            return found
        plan, money = self._compile(loaded, scenario)
        key = self._digest(plan, money, market, _weights(money))
        return self._keep("scenario", loaded, scenario, market, key)
