"""The two ways the engine runs a day give the same numbers, bit for bit.

Most days run path by path over spans of days in one kernel; days when the driver
acts between phases (remote disabling, money-driven policies) run phase by phase
for all paths. Forcing every day through the phase-by-phase route must not change
a single number, with every event kind and policy in play.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from numpy.typing import NDArray
from tests.conftest import small_fleet
from tests.engine.helpers import plan_for, with_constant_hazard

from hashshock.engine.core import Simulation
from hashshock.engine.output import EngineOutput
from hashshock.engine.policies import EconomyInputs, GreyMarket
from hashshock.plan import Plan

PATHS = 24

EVERY_EVENT = [
    {"type": "customs_hold", "hold_probability": 0.5, "hold_days": 20},
    {"type": "parts_supply_stop", "start_day": 40, "duration_days": 60},
    {"type": "repair_centre_closed", "start_day": 30, "duration_days": 50},
    {"type": "repair_turnaround_change", "start_day": 10, "extra_days": 15},
    {"type": "lead_time_change", "start_day": 20, "extra_days": 30},
    {"type": "remote_disable", "share": 0.3, "start_day": 90, "duration_days": 10},
]


class _PhaseByPhase(Simulation):
    """Every day phase by phase, as if the driver had to act on each."""

    def hook_days(self) -> NDArray[np.bool_]:
        return np.ones(self.T, dtype=bool)


def _assert_same(plan: Plan, economy: EconomyInputs | None = None) -> EngineOutput:
    spans = Simulation(plan, PATHS, seed=3, economy=economy)
    assert not spans.hook_days().all()  # some days do run in spans
    by_spans = spans.run()
    by_phases = _PhaseByPhase(plan, PATHS, seed=3, economy=economy).run()
    for field in dataclasses.fields(EngineOutput):
        a, b = getattr(by_spans, field.name), getattr(by_phases, field.name)
        assert np.array_equal(a, b), field.name
    return by_spans


@pytest.mark.parametrize("events", [[], EVERY_EVENT], ids=["baseline", "every-event"])
def test_spans_and_phases_agree(events: list[dict[str, object]]) -> None:
    orders = [{"model": "antminer-s21", "count": 40, "due_date": "2026-03-01", "site": "a"}]
    out = _assert_same(plan_for(small_fleet(orders=orders), events, horizon=150))
    assert out.failures.sum() > 0 and out.swaps.sum() > 0  # the runs did something


def test_spans_and_phases_agree_with_a_repair_bench() -> None:
    """In-house repairs queueing at a one-technician bench (docs/model.md, *Repair bench*),
    with every event: the supply stop's backlog joins the queue when it ends."""
    fleet = small_fleet(repair_routes={"psu": {"in_house_share": 0.8}})
    fleet["sites"][0]["repair_bench"] = {
        "technicians": 1, "service_days": {"dist": "exponential", "mean": 4.0}}  # fmt: skip
    out = _assert_same(plan_for(fleet, EVERY_EVENT, horizon=150))
    assert out.bench_waits[:, 0, 1].sum() > 0  # parts waited


def test_spans_and_phases_agree_with_lateral_transshipment() -> None:
    """Two sites sharing fan spares (docs/model.md, *Lateral transshipment*) under every
    event: site b has none of its own, so a sends it what it lacks."""
    fleet = small_fleet(sites=[{"name": "a", "technicians": 2}, {"name": "b", "technicians": 2}],
                        transshipment={"transfer_days": 3})  # fmt: skip
    fleet["cohorts"][1].update(site="b", model="antminer-s19j-pro")
    fleet["spares"].append({"site": "b", "part": "fan", "on_hand": 0})
    out = _assert_same(plan_for(fleet, EVERY_EVENT, horizon=150))
    assert out.parts_transferred.sum() > 0


def test_spans_and_phases_agree_with_donors() -> None:
    """Donor machines at the site (docs/model.md, *Cannibalisation*) under every event:
    short shelves take parts from them until they are stripped."""
    fleet = small_fleet()
    fleet["sites"][0]["donors"] = {"antminer-s19j-pro": 8, "antminer-s21": 3}
    out = _assert_same(plan_for(fleet, EVERY_EVENT, horizon=150))
    assert out.parts_from_donors.sum() > 0


def test_spans_and_phases_agree_with_money_policies() -> None:
    """Switch-off below break-even, priced spares and grey-market buying while the
    parts supply is stopped (grey days run phase by phase, the rest in spans)."""
    plan = plan_for(events=[EVERY_EVENT[1]], horizon=150)
    rng = np.random.default_rng(0)
    economy = EconomyInputs(
        hashprice_usd_per_ph_day=rng.uniform(30.0, 60.0, (PATHS, plan.horizon_days)),
        cohort_breakeven_hashprice=np.full(plan.n_cohorts, 40.0),
        grey_market=GreyMarket(lead_days=10, doa_share=0.1),
        cohort_power_price=np.full(plan.n_cohorts, 50.0),
        pool_unit_cost=np.full((plan.n_pools, plan.horizon_days), 100.0),
        grey_unit_cost=np.full(plan.n_pools, 180.0),
    )
    out = _assert_same(plan, economy)
    assert out.parts_shipped_grey.sum() > 0
    assert (out.power_mw == 0).any()  # some days every machine was switched off


def test_spans_and_phases_agree_when_technicians_are_short() -> None:
    """Swaps bound by technician-days, not spares: demand waits at pools that have
    spares, so a day without failures is not one on which the pools stand still (the
    spans' shortcut for such days must not take it)."""
    site = {"name": "a", "country": "US", "technicians": 1, "swaps_per_technician_day": 1}
    spares = [
        {"site": "a", "part": part, "on_hand": 40}
        for part in ("hashboard", "fan", "psu", "control_board")
    ]
    fleet = small_fleet(sites=[site], spares=spares)
    plan = with_constant_hazard(plan_for(fleet, horizon=150), [0.0006] * 4)
    out = _assert_same(plan)
    waiting_at_spares = (out.backorders > 0) & (out.spares_on_hand > 0)
    assert waiting_at_spares.any()
