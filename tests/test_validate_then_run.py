"""``validate`` means ``run`` will work (hypothesis).

Generated fleets and scenarios, many of them wrong in some way: whenever
:func:`hashshock.prepare.validate` passes, a tiny run completes; whenever it refuses, it
refuses with an :class:`InputError` (never another exception), and the run refuses too.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hashshock
from hashshock.inputs.errors import InputError
from hashshock.prepare import validate

MODELS = ("antminer-s19j-pro", "antminer-s21", "whatsminer-m50s", "antminer-s19-xp")
PARTS = ("hashboard", "fan", "psu", "control_board")
SITES = ("a", "b")
INSTALLED = st.sampled_from(["2021-06-01", "2024-03-15", "2025-12-31", "2021-06-01", "2026-07-01"])
DUE = st.sampled_from(["2025-12-01", "2026-01-05", "2026-01-10", "2026-03-01"])


@st.composite
def fleets(draw: st.DrawFn) -> dict[str, Any]:
    names = SITES[: draw(st.integers(1, 2))]
    # a site that is not defined now and then (validate must refuse it)
    pick = st.sampled_from(names) if draw(st.integers(0, 9)) else st.sampled_from(SITES)
    sites: list[dict[str, Any]] = [{"name": s} for s in names]
    if draw(st.booleans()):
        sites[0]["technicians"] = draw(st.integers(0, 3))
    if draw(st.booleans()):
        sites[-1]["downtime_share"] = draw(st.sampled_from([0.0, 0.05, 0.05, 0.6]))
    cohorts = [
        {
            "model": draw(st.sampled_from(MODELS)),
            "count": draw(st.integers(0, 40)),
            "site": draw(pick),
            "install_date": draw(INSTALLED),
        }
        for _ in range(draw(st.integers(1, 3)))
    ]
    fleet: dict[str, Any] = {"start_date": "2026-01-01", "sites": sites, "cohorts": cohorts}
    fleet["spares"] = [
        {"site": draw(pick), "part": draw(st.sampled_from(PARTS)),
         "on_hand": draw(st.integers(0, 5))}
        for _ in range(draw(st.integers(0, 2)))
    ]  # fmt: skip
    if draw(st.booleans()):
        part = draw(st.sampled_from(PARTS))
        fleet["repair_routes"] = {
            part: {"in_house_share": draw(st.sampled_from([0.0, 0.5, 0.5, 0.97]))}
        }
    if draw(st.booleans()):
        fleet["orders"] = [
            {"model": draw(st.sampled_from(MODELS)), "count": draw(st.integers(0, 20)),
             "due_date": draw(DUE), "site": draw(pick)}
        ]  # fmt: skip
    if draw(st.booleans()):
        fleet["operations"] = {"board_degradation": {"enabled": draw(st.booleans())}}
    if draw(st.booleans()):
        fleet["finance"] = {
            "cash_usd": draw(st.sampled_from([0, 1_000_000])),
            "switch_off_unprofitable": draw(st.booleans()),
            "repair_or_replace": draw(st.booleans()),
        }
    return fleet


SCENARIOS = st.one_of(
    st.sampled_from(["baseline", "sanctions", "customs-2024", "remote-disable"]),
    st.builds(
        lambda kind, start, share: {
            "name": "generated",
            "events": [
                {"type": kind, "vendors": ["bitmain"], "start_day": start}
                | ({"share": share} if kind == "remote_disable" else {})
                | ({"hold_probability": share, "hold_days": 15} if kind == "customs_hold" else {})
            ],
        },
        st.sampled_from(["remote_disable", "customs_hold", "parts_supply_stop"]),
        st.integers(0, 12),
        st.sampled_from([0.0, 0.5, 1.0, 1.0, 1.5]),
    ),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
@given(fleet=fleets(), scenario=SCENARIOS)
def test_validate_passes_only_what_runs(fleet: dict[str, Any], scenario: Any) -> None:
    from hashshock.inputs.scenario import Scenario

    def resolved() -> Any:
        return Scenario.model_validate(scenario) if isinstance(scenario, dict) else scenario

    try:
        chosen = resolved()
        validate(fleet, [chosen] if chosen == "baseline" else ["baseline", chosen], 12)
    except InputError:
        try:
            hashshock.compare(fleet, [resolved()], paths=2, horizon_days=12, seed=1)
        except InputError:
            return  # both refuse with a message
        raise AssertionError("validate refused inputs that run") from None
    except Exception as exc:  # pydantic's own error for a generated scenario mapping
        from pydantic import ValidationError

        if isinstance(exc, ValidationError):
            return
        raise
    results = hashshock.compare(fleet, [chosen], paths=2, horizon_days=12, seed=1)
    assert results and results[0].to_dict()["horizon_days"] == 12
