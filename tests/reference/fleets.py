"""The small fleets and scenarios of the equivalence tests, and cached runs."""

from __future__ import annotations

import os
from functools import cache
from typing import Any

from tests.reference.sim import ReferenceOutput, simulate_reference

from hashshock.engine import simulate
from hashshock.engine.output import EngineOutput
from hashshock.inputs.load import fleet_from_mapping, load_scenario
from hashshock.inputs.scenario import Scenario
from hashshock.plan import Plan, compile_plan

HORIZON = 180
ENGINE_PATHS = 4000
REFERENCE_PATHS = 300
ENGINE_SEED = 20260101
REFERENCE_SEED = 77
#: Worker processes for the reference's replications: one a core (its output does not
#: depend on the number).
REFERENCE_PROCESSES = min(len(os.sched_getaffinity(0)), 4)


def two_site_fleet() -> dict[str, Any]:
    """~420 machines of three models at two US sites, thin spares, two open orders.

    Thin shelves and one technician per site make stock-outs, backlogs and the
    technician limit happen within the horizon; the fan and PSU routes are changed so
    that every route (scrap, in-house with and without vendor components, vendor) is
    used.
    """
    return {
        "name": "reference-fleet",
        "start_date": "2026-01-01",
        "sites": [
            {"name": "a", "country": "US", "technicians": 1},
            {"name": "b", "country": "US", "technicians": 1},
        ],
        "cohorts": [
            {"model": "antminer-s19j-pro", "count": 200, "site": "a", "install_date": "2022-01-01"},
            {"model": "antminer-s21", "count": 100, "site": "a", "install_date": "2024-06-01"},
            {"model": "whatsminer-m50s", "count": 120, "site": "b", "install_date": "2023-03-01"},
        ],
        "spares": [
            {"site": "a", "part": "hashboard", "on_hand": 6},
            {"site": "a", "part": "fan", "on_hand": 10},
            {"site": "a", "part": "psu", "on_hand": 4},
            {"site": "a", "part": "control_board", "on_hand": 3},
            {"site": "b", "part": "hashboard", "on_hand": 3},
            {"site": "b", "part": "fan", "on_hand": 4, "target": 6},
            {"site": "b", "part": "psu", "on_hand": 2},
            {"site": "b", "part": "control_board", "on_hand": 2},
        ],
        "repair_routes": {
            "fan": {"in_house_share": 0.3, "scrap_share": 0.5, "in_house_days": 3},
            "psu": {"in_house_days": {"dist": "triangular", "low": 2, "mode": 4, "high": 9}},
        },
        "orders": [
            {"model": "antminer-s21", "count": 60, "due_date": "2026-02-15", "site": "a"},
            {"model": "whatsminer-m50s", "count": 40, "due_date": "2026-03-15", "site": "b"},
        ],
    }  # fmt: skip


#: A scenario exercising the events the built-ins above do not: events that end
#: (backlogs released), turnaround and lead-time changes, delayed orders, remote
#: disable, holds on repairs only, an event that happens on some paths only.
MIXED_EVENTS: list[dict[str, Any]] = [
    {"type": "repair_centre_closed", "vendors": ["bitmain"], "group": "g", "start_day": 20,
     "duration_days": {"dist": "uniform", "low": 30, "high": 60}},
    {"type": "parts_supply_stop", "vendors": ["bitmain"], "parts": ["hashboard", "fan"],
     "group": "g", "start_day": 20, "duration_days": {"dist": "uniform", "low": 30, "high": 60}},
    {"type": "repair_turnaround_change", "extra_days": 14, "parts": ["psu", "control_board"]},
    {"type": "lead_time_change", "vendors": ["microbt"], "extra_days": 20, "start_day": 30,
     "shipments": ["parts"]},
    {"type": "order_disruption", "vendors": ["bitmain"], "delay_probability": 0.6,
     "delay_days": {"dist": "uniform", "low": 10, "high": 30}},
    {"type": "remote_disable", "vendors": ["bitmain"], "share": 0.5, "probability": 0.7,
     "start_day": {"dist": "uniform", "low": 60, "high": 90},
     "duration_days": {"dist": "uniform", "low": 60, "high": 110}},
    {"type": "customs_hold", "vendors": ["microbt"], "shipments": ["repairs", "machines"],
     "hold_probability": 0.5, "hold_days": {"dist": "uniform", "low": 5, "high": 20},
     "start_day": 40, "end_day": 120},
]  # fmt: skip


#: Repair benches for the two-site fleet: site a one technician with exponential service
#: (ρ ≈ 0.6 under its in-house repairs, about 0.08 a day), site b two with whole days.
BENCHES: dict[str, dict[str, Any]] = {
    "a": {"technicians": 1, "service_days": {"dist": "exponential", "mean": 8.0}},
    "b": {"technicians": 2, "service_days": {"dist": "triangular", "low": 5, "mode": 10,
                                             "high": 20}},
}  # fmt: skip


def bench_fleet() -> dict[str, Any]:
    """The two-site fleet with :data:`BENCHES`."""
    fleet = two_site_fleet()
    for site in fleet["sites"]:
        site["repair_bench"] = BENCHES[site["name"]]
    return fleet


def transfer_fleet() -> dict[str, Any]:
    """The two-site fleet whose site b runs S19j Pros too (one family at both sites), the
    sites sending each other spares in two days; b keeps no fans (a central store at a)."""
    fleet = two_site_fleet()
    fleet["cohorts"][2]["model"] = "antminer-s19j-pro"
    fleet["spares"][5] = {"site": "b", "part": "fan", "on_hand": 0}
    fleet["transshipment"] = {"transfer_days": 2, "cost_usd_per_part": 40}
    return fleet


#: Donor machines held at the two sites (model slug -> machines): one each, so that under
#: ``sanctions`` the short shelves strip them (3.9 of their 6 fans per path in 180 days).
DONORS: dict[str, dict[str, int]] = {"a": {"antminer-s19j-pro": 1}, "b": {"whatsminer-m50s": 1}}


def donor_fleet() -> dict[str, Any]:
    """The two-site fleet with :data:`DONORS`."""
    fleet = two_site_fleet()
    for site in fleet["sites"]:
        site["donors"] = DONORS[site["name"]]
    return fleet


def steady_fleet() -> dict[str, Any]:
    """The two-site fleet with its repairs and spares on order in their steady state on
    day 0 (``pipelines_at_start: steady``; the reference lives through the days before,
    :mod:`tests.reference.warm`)."""
    fleet = two_site_fleet()
    fleet["pipelines_at_start"] = "steady"
    return fleet


def hands_fleet() -> dict[str, Any]:
    """The two-site fleet whose one technician per site does one swap a day: on some days
    a stopped machine waits with its spare on the shelf (waiting for a technician)."""
    fleet = two_site_fleet()
    for site in fleet["sites"]:
        site["swaps_per_technician_day"] = 1
    return fleet


#: The fleets of the tests by variant name.
FLEETS = {"": two_site_fleet, "benches": bench_fleet, "transfers": transfer_fleet,
          "donors": donor_fleet, "steady": steady_fleet, "hands": hands_fleet}  # fmt: skip


def scenario(name: str) -> Scenario:
    """A built-in scenario by name, or ``mixed`` (:data:`MIXED_EVENTS`)."""
    if name == "mixed":
        return Scenario.model_validate({"name": "mixed", "events": MIXED_EVENTS})
    return load_scenario(name)


@cache
def plan(name: str, horizon: int = HORIZON, variant: str = "") -> Plan:
    """The two-site fleet (its ``variant`` in :data:`FLEETS`) under scenario ``name``."""
    return compile_plan(fleet_from_mapping(FLEETS[variant]()), scenario(name), horizon)


@cache
def engine_run(name: str, variant: str = "") -> EngineOutput:
    return simulate(plan(name, variant=variant), ENGINE_PATHS, ENGINE_SEED)


@cache
def reference_run(name: str, variant: str = "") -> ReferenceOutput:
    """The reference with the engine's documented customs approximation for repair lots.

    Without it the first-customs-hold day differs by construction (see
    ``test_repair_hold_day_follows_the_documented_mean_return_day_approximation``).
    """
    return simulate_reference(plan(name, variant=variant), REFERENCE_PATHS, REFERENCE_SEED,
                              repair_holds_at_mean_return=True,
                              processes=REFERENCE_PROCESSES)  # fmt: skip
