"""``operations.failure_rate_multiplier`` scales every part's m₁ in the plan's hazard."""

from __future__ import annotations

import numpy as np
import pytest
from tests.conftest import small_fleet

import hashshock
from hashshock.inputs.catalog import PART_TYPES, failure_prior
from hashshock.inputs.errors import InputError
from hashshock.inputs.load import fleet_from_mapping, load_scenario
from hashshock.plan import compile_plan
from hashshock.plan.compile import weibull_daily_probability


def _fleet(multiplier: float | None) -> dict[str, object]:
    ops = {} if multiplier is None else {"operations": {"failure_rate_multiplier": multiplier}}
    return small_fleet(**ops)


@pytest.mark.parametrize("k", [0.5, 2.0, 7.25])
def test_the_plan_hazard_uses_m1_times_k(k: float) -> None:
    loaded = fleet_from_mapping(_fleet(k))
    plan = compile_plan(loaded, load_scenario("baseline"), 90)
    start = loaded.fleet.start_date
    for c, cohort in enumerate(loaded.fleet.cohorts):
        spec = loaded.model_of(cohort.model)
        ages = (start - cohort.install_date).days + np.arange(90, dtype=np.float64)
        for p, part in enumerate(PART_TYPES):
            prior = failure_prior(part, spec, loaded.failure_rates)
            expected = weibull_daily_probability(
                ages, prior.weibull_shape, prior.first_year_failures_per_part * k
            )
            np.testing.assert_array_equal(plan.hazard[c, p], expected)


def test_the_default_is_one_and_changes_nothing() -> None:
    default = compile_plan(fleet_from_mapping(_fleet(None)), load_scenario("baseline"), 60)
    one = compile_plan(fleet_from_mapping(_fleet(1.0)), load_scenario("baseline"), 60)
    assert fleet_from_mapping(_fleet(None)).fleet.operations.failure_rate_multiplier == 1.0
    np.testing.assert_array_equal(default.hazard, one.hazard)


def test_more_failures_with_a_larger_multiplier() -> None:
    failures = []
    for k in (0.5, 1.0, 2.0):
        run = hashshock.run(_fleet(k), "baseline", paths=20, horizon_days=90, seed=4)
        failures.append(float(run.output.failures.sum(axis=1).mean()))
    assert failures[0] < failures[1] < failures[2]


@pytest.mark.parametrize("bad", [0, -1, 21])
def test_a_multiplier_out_of_range_is_an_input_error(bad: float) -> None:
    with pytest.raises(InputError, match="failure_rate_multiplier"):
        fleet_from_mapping(_fleet(bad))
