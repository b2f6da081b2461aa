"""What the plan compiler keeps between plans gives the numbers it would compute afresh,
and no plan can change what is kept: per-part hazard rows and board-yield rows are kept
read-only and copied into each plan; :func:`compile_plans` compiles the fleet once and
gives each scenario a plan of its own arrays, equal to :func:`compile_plan`'s."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest
from tests.reference.fleets import two_site_fleet

from hashshock.dists import Fixed, Uniform
from hashshock.inputs.catalog import FailurePrior
from hashshock.inputs.load import fleet_from_mapping, load_scenario
from hashshock.plan import Plan, compile_plan, compile_plans
from hashshock.plan.compile import (
    bundled_fixed,
    bundled_uniform,
    part_hazard,
    weibull_daily_probability,
)
from hashshock.plan.realisation import (
    Degradation,
    Wear,
    cohort_board_yield,
    degraded_share,
)

BOARD = FailurePrior("hashboard", "*", 1.3, 0.04, "test")
ON = Degradation(share=0.2, loss=0.3, days=30.0)
WEAR = Wear(per_year=0.01, starts_after_days=548.0, cap=0.15)
SCENARIOS = ("baseline", "sanctions")


def test_a_kept_hazard_row_is_the_weibull_computed_afresh_and_read_only() -> None:
    part_hazard.cache_clear()
    ages = 400 + np.arange(90, dtype=np.float64)
    fresh = weibull_daily_probability(ages, 1.3, 0.04 * 1.5)
    first = part_hazard(400, 90, 1.3, 0.04 * 1.5)
    again = part_hazard(400, 90, 1.3, 0.04 * 1.5)
    assert again is first  # kept
    assert first.tobytes() == fresh.tobytes()
    with pytest.raises(ValueError, match="read-only"):
        first[0] = 1.0


@pytest.mark.parametrize("degradation", [ON, Degradation(0.0, 0.3, 30.0)])
def test_a_kept_yield_row_is_the_yield_computed_afresh_and_read_only(
    degradation: Degradation,
) -> None:
    cohort_board_yield.cache_clear()
    ages = 200 + np.arange(600, dtype=np.float64)
    fresh = np.ones(600)
    if degradation.active:
        fresh -= degradation.loss * degraded_share(ages, BOARD, degradation, 2.0)
    fresh *= 1.0 - WEAR.loss(ages)
    prior = BOARD if degradation.active else None
    first = cohort_board_yield(200, 600, prior, degradation, WEAR, 2.0)
    assert cohort_board_yield(200, 600, prior, degradation, WEAR, 2.0) is first
    assert first.tobytes() == fresh.tobytes()
    with pytest.raises(ValueError, match="read-only"):
        first[0] = 1.0


def test_a_kept_bundled_delay_is_the_distribution_built_afresh_and_immutable() -> None:
    for kept, fresh in ((bundled_uniform(21, 35), Uniform(21, 35)), (bundled_fixed(7), Fixed(7))):
        assert kept == fresh and str(kept) == str(fresh)
        assert kept.pmf.tobytes() == fresh.pmf.tobytes()
        assert kept._cdf.tobytes() == fresh._cdf.tobytes()
        with pytest.raises(ValueError, match="read-only"):
            kept.pmf[0] = 1.0
        with pytest.raises(ValueError, match="read-only"):
            kept._cdf[0] = 1.0
    assert bundled_uniform(21, 35) is bundled_uniform(21, 35)


def _fields(plan: Plan) -> dict[str, Any]:
    return {f.name: getattr(plan, f.name) for f in dataclasses.fields(plan)}


def _assert_same(one: Plan, other: Plan) -> None:
    for name, value in _fields(one).items():
        theirs = getattr(other, name)
        if isinstance(value, np.ndarray):
            assert value.dtype == theirs.dtype and value.shape == theirs.shape, name
            assert value.tobytes() == theirs.tobytes(), name
        elif name == "events":
            assert [e.name for e in value] == [e.name for e in theirs]
        else:
            assert value == theirs, name


def test_compile_plans_equals_compile_plan_for_each_scenario_and_shares_no_array() -> None:
    loaded = fleet_from_mapping(two_site_fleet())
    scenarios = [load_scenario(s) for s in SCENARIOS]
    plans = compile_plans(loaded, scenarios, 120)
    assert [p.scenario_name for p in plans] == list(SCENARIOS)
    for plan, scenario in zip(plans, scenarios, strict=True):
        _assert_same(plan, compile_plan(loaded, scenario, 120))
    for name, value in _fields(plans[0]).items():
        if isinstance(value, np.ndarray):
            assert value.flags.writeable, name
            assert not np.shares_memory(value, getattr(plans[1], name)), name


def test_changing_a_plan_changes_no_later_plan() -> None:
    loaded = fleet_from_mapping(two_site_fleet())
    baseline = load_scenario("baseline")
    first = compile_plan(loaded, baseline, 60)
    kept_hazard, kept_yield = first.hazard.copy(), first.cohort_board_yield.copy()
    first.hazard[:] = 0.5
    first.cohort_board_yield[:] = 0.0
    later = compile_plan(fleet_from_mapping(two_site_fleet()), baseline, 60)
    assert later.hazard.tobytes() == kept_hazard.tobytes()
    assert later.cohort_board_yield.tobytes() == kept_yield.tobytes()
