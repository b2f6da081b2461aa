"""Helpers to build plans for engine tests without files."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
from tests.conftest import small_fleet

from hashshock.inputs.load import fleet_from_mapping
from hashshock.inputs.scenario import Scenario
from hashshock.plan import Plan, compile_plan


def scenario(events: list[dict[str, Any]] | None = None, name: str = "test") -> Scenario:
    return Scenario.model_validate({"name": name, "events": events or []})


def plan_for(
    fleet: dict[str, Any] | None = None,
    events: list[dict[str, Any]] | None = None,
    horizon: int = 365,
    name: str = "test",
) -> Plan:
    loaded = fleet_from_mapping(fleet or small_fleet())
    return compile_plan(loaded, scenario(events, name), horizon)


def with_constant_hazard(plan: Plan, per_day: list[float]) -> Plan:
    """The same plan with a constant daily failure probability per part type."""
    hazard = np.broadcast_to(np.array(per_day)[None, :, None], plan.hazard.shape).copy()
    return replace(plan, hazard=hazard)
