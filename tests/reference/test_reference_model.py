"""The reference simulation checked against results from outside both implementations.

These validate the reference itself (so a pass of the equivalence tests means
something): failure counts against the integrated Weibull hazard, Little's law and
Palm's theorem for the vendor repair pipeline (with and without a customs hold),
conservation of parts and machines, and determinism.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from tests.conftest import small_fleet
from tests.engine.helpers import with_constant_hazard
from tests.reference.fleets import REFERENCE_PROCESSES, plan
from tests.reference.sim import simulate_reference

from hashshock.inputs.load import fleet_from_mapping
from hashshock.inputs.scenario import Scenario
from hashshock.plan import Plan, compile_plan

PARTS = ("hashboard", "fan", "psu", "control_board")


def _ample_plan(events: list[dict[str, Any]], horizon: int, **routes: Any) -> Plan:
    """The 300-machine test fleet with more spares and technicians than it can use."""
    fleet = small_fleet(spares=[{"site": "a", "part": p, "on_hand": 400} for p in PARTS],
                        repair_routes=routes)  # fmt: skip
    fleet["sites"][0]["technicians"] = 50
    scenario = Scenario.model_validate({"name": "t", "events": events})
    return compile_plan(fleet_from_mapping(fleet), scenario, horizon)


def test_reference_failures_match_integrated_hazard() -> None:
    p = _ample_plan([], 365)
    paths = 60
    out = simulate_reference(p, paths, seed=1, processes=REFERENCE_PROCESSES)
    per_machine = np.concatenate([p.cohort_boards[:, None], p.cohort_stop_parts], axis=1)
    expected = (p.cohort_initial[:, None] * per_machine * p.hazard.sum(axis=2)).sum(axis=0)
    mean = out.failures.mean(axis=0)
    stderr = np.sqrt(expected / paths)  # Poisson counts
    # Machines in a one-day swap are not at risk: at most ~1% below the oracle.
    assert np.all(mean <= expected + 4 * stderr), (mean, expected)
    assert np.all(mean >= 0.99 * expected - 4 * stderr), (mean, expected)


@pytest.mark.parametrize(("events", "extra_days"), [
    ([], 0),
    ([{"type": "customs_hold", "hold_probability": 1.0, "hold_days": 30,
       "shipments": ["repairs"]}], 30 + 3),
    # Canada's customs hold nothing bound for this fleet's US site: clearance only.
    ([{"type": "customs_hold", "hold_probability": 1.0, "hold_days": 30,
       "shipments": ["repairs"], "countries": ["CA"]}], 3),
])  # fmt: skip
def test_reference_repair_pipeline_littles_law_and_palm(
    events: list[dict[str, Any]], extra_days: int
) -> None:
    route = {"in_house_share": 0.0, "scrap_share": 0.0, "crosses_border": bool(events),
             "vendor_turnaround_days": {"dist": "uniform", "low": 21, "high": 35}}  # fmt: skip
    p = with_constant_hazard(_ample_plan(events, 200, hashboard=route), [2e-4, 0.0, 0.0, 0.0])
    paths = 150
    out = simulate_reference(p, paths, seed=2, processes=REFERENCE_PROCESSES)
    rate = int((p.cohort_initial * p.cohort_boards).sum()) * 2e-4
    expected = rate * (2 * 7 + 28 + extra_days)
    in_repair = out.parts_in_repair[:, 150:, 0].astype(float)  # steady state
    stderr = np.sqrt(expected / paths)  # Poisson per day; days are positively correlated
    assert abs(in_repair.mean() - expected) < 4 * stderr
    day = in_repair[:, -1]
    assert abs(day.var(ddof=1) / day.mean() - 1.0) < 4 * np.sqrt(2.0 / (paths - 1))


def test_reference_conserves_parts_and_machines() -> None:
    p = plan("mixed")
    out = simulate_reference(p, 20, seed=3)
    initial = np.array([p.pool_on_hand[p.pool_part == k].sum() for k in range(4)])
    stock = out.spares_on_hand + out.parts_in_repair + out.parts_on_order  # [P, T, 4]
    flows = initial + out.failures - out.scrapped - out.swaps + out.ordered  # [P, 4]
    assert np.array_equal(stock[:, -1], flows)
    ordered_machines = int(p.order_count.sum())
    down = out.machines_down[:, :, [0, 1, 3, 4]].sum(axis=2)
    assert np.all(down <= out.machines_installed)
    assert np.all(
        out.machines_installed + out.machines_down[:, :, 2] <= p.machines + ordered_machines
    )
    assert np.all(out.machines_installed[:, 0] == p.machines)


def test_reference_is_deterministic_whatever_the_processes() -> None:
    p = plan("sanctions", 60)
    a = simulate_reference(p, 5, seed=5)
    b = simulate_reference(p, 5, seed=5)
    c = simulate_reference(p, 5, seed=5, processes=2)
    for name in vars(a):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
        assert np.array_equal(getattr(a, name), getattr(c, name)), name
