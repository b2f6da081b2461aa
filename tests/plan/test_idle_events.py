"""Events that cannot act are accepted with a warning, said once, in the run's JSON."""

from __future__ import annotations

from typing import Any

import pytest
from tests.conftest import EXAMPLES, small_fleet

import hashshock
from hashshock.inputs.load import builtin_scenarios
from hashshock.inputs.scenario import Scenario


def _warnings(*events: dict[str, Any], fleet: Any = None, horizon: int = 60) -> list[str]:
    scenario = Scenario.model_validate({"name": "s", "events": list(events)})
    run = hashshock.run(fleet or small_fleet(), scenario, paths=2, horizon_days=horizon)
    return [w for w in run.to_dict()["warnings"] if w.startswith("scenario s:")]


def test_an_event_after_the_horizon_and_a_disable_of_an_absent_vendor_warn() -> None:
    late = {"type": "customs_hold", "name": "late", "hold_probability": 0.5, "hold_days": 30,
            "start_day": 90}  # fmt: skip
    away = {"type": "remote_disable", "name": "away", "vendors": ["microbt"], "share": 0.2}
    (after,) = _warnings(late)
    assert "event 'late' starts on day 90, after the 60-day horizon" in after
    (absent,) = _warnings(away)
    assert "event 'away' disables vendors none of the fleet's machines come from" in absent
    assert _warnings(late, horizon=120) == []
    # a date past the longest delay a run holds (a typo: 2040 for 2027) was a traceback
    for year in (2040, 9999):
        (far,) = _warnings({**late, "start_day": None, "start_date": f"{year}-12-31"})
        assert "starts 3,650 days or more after the start date, after the 60-day" in far
    assert _warnings({**away, "vendors": ["bitmain"]}) == []


@pytest.mark.parametrize("scenario", sorted(builtin_scenarios()))
def test_the_bundled_scenarios_act_on_the_examples(scenario: str) -> None:
    """No false alarm: every bundled scenario can act on every example over a year."""
    for fleet in sorted(EXAMPLES.glob("*/fleet.yaml")):
        run = hashshock.run(fleet, scenario, paths=2, horizon_days=365)
        assert not [w for w in run.to_dict()["warnings"] if w.startswith("scenario ")], fleet


def test_an_event_begun_before_the_start_runs_for_what_is_left_of_it() -> None:
    """A supply stop from 40 days before the start date for 50 days runs days 0–9, as the
    same stop from day 0 for 10 days does (it ran for 50 from day 0); one that ended before
    the start date changes nothing and says so."""
    fleet = small_fleet()
    start = hashshock.load_fleet(fleet).fleet.start_date
    from datetime import timedelta

    stop = {"type": "parts_supply_stop", "name": "stop", "vendors": ["bitmain"]}
    early = {**stop, "start_date": str(start - timedelta(days=40)), "duration_days": 50}
    same = {**stop, "start_day": 0, "duration_days": 10}

    def run(*events: dict[str, Any]) -> dict[str, Any]:
        scenario = Scenario.model_validate({"name": "s", "events": list(events)})
        return hashshock.run(fleet, scenario, paths=20, horizon_days=120, seed=4).to_dict()

    assert run(early)["daily"] == run(same)["daily"]
    (ended,) = _warnings({**early, "duration_days": 40})
    assert "event 'stop' began 40 days before the start date and ended before it" in ended
    assert run({**early, "duration_days": 40})["daily"] == run()["daily"]


def test_an_event_under_way_on_day_0_warns_a_fleet_started_steady() -> None:
    """Steady pipelines are filled as in normal times: a supply stop begun before the
    start date says so on a fleet started steady, and nothing on one started empty."""
    fleet = small_fleet()
    start = hashshock.load_fleet(fleet).fleet.start_date
    from datetime import timedelta

    stop = {"type": "parts_supply_stop", "name": "stop", "vendors": ["bitmain"],
            "start_date": str(start - timedelta(days=10)), "duration_days": 50}  # fmt: skip
    (under_way,) = _warnings(stop, fleet=small_fleet(pipelines_at_start="steady"))
    assert "began 10 days before the start date" in under_way
    assert "as in normal times" in under_way
    assert _warnings(stop) == []
