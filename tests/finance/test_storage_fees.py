"""Each customs hold charges its own storage fee, on the days it can hold units.

The engine books storage per path and day (``storage_unit_days``), not per hold; the
money plan prices each day at the fee of the hold whose window — earliest start to latest
end plus longest hold — covers it (``finance/moneyplan.py`` ``storage_fees``). Holds
that may hold units on the same days must share their fee, or the scenario is refused.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from tests.conftest import small_fleet

import hashshock
from hashshock.finance.moneyplan import storage_fees
from hashshock.inputs.errors import InputError
from hashshock.inputs.load import fleet_from_mapping
from hashshock.inputs.scenario import Scenario
from hashshock.plan import compile_plan
from hashshock.prepare import validate

HORIZON = 150


def hold(**fields: Any) -> dict[str, Any]:
    return {"type": "customs_hold", "hold_probability": 1.0, **fields}


#: Units can be at the border on days 0..78 (last border day 59, held up to 20 days) and
#: from day 90 (the second hold has no end).
EARLY = hold(name="early", end_day=60, hold_days=20, storage_fee_usd_per_unit_day=10.0)
LATE = hold(name="late", start_day=90, hold_days=20, storage_fee_usd_per_unit_day=50.0)


def scenario(*events: dict[str, Any]) -> Scenario:
    return Scenario.model_validate({"name": "holds", "events": list(events)})


def fees(*events: dict[str, Any]) -> np.ndarray:
    plan = compile_plan(fleet_from_mapping(small_fleet()), scenario(*events), HORIZON)
    return storage_fees(plan)


def test_each_hold_charges_its_own_fee_on_its_days() -> None:
    fee = fees(EARLY, LATE)
    assert np.all(fee[:79] == 10.0)
    assert np.all(fee[79:90] == 0.0)
    assert np.all(fee[90:] == 50.0)


def test_a_drawn_start_and_duration_widen_the_window_to_their_extremes() -> None:
    drawn = hold(
        start_day={"dist": "uniform", "low": 10, "high": 20},
        duration_days={"dist": "uniform", "low": 5, "high": 10},
        hold_days={"dist": "triangular", "low": 5, "mode": 10, "high": 30},
        storage_fee_usd_per_unit_day=7.0,
    )
    fee = fees(drawn)
    # first border day 10; last 20 + 10 - 1 = 29, held up to 30 days: days 10..58
    assert np.all(fee[10:59] == 7.0)
    assert np.all(fee[:10] == 0.0) and np.all(fee[59:] == 0.0)


def test_a_hold_that_never_happens_charges_nothing() -> None:
    assert np.all(fees(dict(EARLY, probability=0.0)) == 0.0)
    assert np.all(fees(dict(EARLY, hold_probability=0.0)) == 0.0)


def test_overlapping_holds_with_one_fee_are_accepted() -> None:
    fee = fees(EARLY, dict(LATE, start_day=40, storage_fee_usd_per_unit_day=10.0))
    assert np.all(fee == 10.0)


def test_overlapping_holds_with_different_fees_are_refused_before_running() -> None:
    overlapping = dict(LATE, start_day=70)  # its units meet the early hold's on days 70..78
    with pytest.raises(InputError) as caught:
        validate(small_fleet(), [scenario(EARLY, overlapping)], horizon_days=HORIZON)
    error = caught.value
    assert error.file == "scenario holds"
    assert error.field == "events[1].storage_fee_usd_per_unit_day"
    assert "'early'" in error.problem and "70 to 78" in error.problem
    assert "same fee" in error.fix


def test_storage_is_priced_day_by_day_and_the_engine_holds_nothing_outside_the_windows() -> None:
    run = hashshock.compare(
        small_fleet(), [scenario(EARLY, LATE)], paths=20, horizon_days=HORIZON, seed=3
    )[0]
    assert run.money is not None
    units = run.output.storage_unit_days
    assert units[:, :79].sum() > 0 and units[:, 90:].sum() > 0
    assert np.all(units[:, 79:90] == 0)
    storage = run.money.flows.storage_usd
    np.testing.assert_allclose(storage[:, :79], 10.0 * units[:, :79])
    np.testing.assert_allclose(storage[:, 90:], 50.0 * units[:, 90:])
