"""Engine mechanisms checked against results from outside the engine.

* failure counts against the Weibull intensity integrated over the run;
* Little's law / Palm's theorem for the repair pipeline (mean = λ·E[delay],
  Poisson, so variance = mean);
* customs holds and closed repair centres shift the pipeline by exactly the
  documented amount;
* conservation of machines and parts; determinism; common random numbers.
"""

from __future__ import annotations

import numpy as np
import pytest
from tests.conftest import small_fleet
from tests.engine.helpers import plan_for, with_constant_hazard

from hashshock.engine import simulate
from hashshock.engine.core import Simulation

AMPLE_SPARES = [
    {"site": "a", "part": p, "on_hand": 5000} for p in ("hashboard", "fan", "psu", "control_board")
]


def _ample_fleet(**routes: dict[str, object]) -> dict[str, object]:
    fleet = small_fleet(spares=AMPLE_SPARES, repair_routes=routes)
    fleet["sites"][0]["technicians"] = 50
    return fleet


def test_same_seed_same_output_bit_for_bit() -> None:
    plan = plan_for(events=[{"type": "customs_hold", "hold_probability": 0.5, "hold_days": 20}])
    a = simulate(plan, 30, seed=7)
    b = simulate(plan, 30, seed=7)
    c = simulate(plan, 30, seed=8)
    for name in ("hashrate_ths", "spares_on_hand", "machines_down", "first_stockout_day"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    assert not np.array_equal(a.hashrate_ths, c.hashrate_ths)


def test_common_random_numbers_until_the_shock_starts() -> None:
    base = plan_for(horizon=200)
    shocked = plan_for(
        events=[{"type": "parts_supply_stop", "start_day": 120},
                {"type": "repair_centre_closed", "start_day": 120}],
        horizon=200,
    )  # fmt: skip
    a = simulate(base, 50, seed=3)
    b = simulate(shocked, 50, seed=3)
    assert np.array_equal(a.hashrate_ths[:, :120], b.hashrate_ths[:, :120])
    assert np.array_equal(a.spares_on_hand[:, :120], b.spares_on_hand[:, :120])
    assert not np.array_equal(a.spares_on_hand[:, 120:], b.spares_on_hand[:, 120:])


def test_failure_counts_match_integrated_hazard() -> None:
    plan = plan_for(_ample_fleet(), horizon=365)
    paths = 200
    out = simulate(plan, paths, seed=11)
    per_machine = np.concatenate(
        [plan.cohort_boards[:, None], plan.cohort_stop_parts], axis=1
    )  # [C, 4] parts of each type per machine
    expected = (plan.cohort_initial[:, None] * per_machine * plan.hazard.sum(axis=2)).sum(axis=0)
    mean = out.failures.mean(axis=0)
    stderr = out.failures.std(axis=0, ddof=1) / np.sqrt(paths)
    # Machines down for a swap (a day or so) are not at risk: allow 1% below the oracle.
    assert np.all(mean <= expected + 4 * stderr)
    assert np.all(mean >= 0.99 * expected - 4 * stderr)


def _pipeline_check(turnaround_extra: int, events: list[dict[str, object]], crosses: bool) -> None:
    fleet = _ample_fleet(
        hashboard={"in_house_share": 0.0, "scrap_share": 0.0, "crosses_border": crosses,
                   "vendor_turnaround_days": {"dist": "uniform", "low": 21, "high": 35}},
    )  # fmt: skip
    plan = with_constant_hazard(plan_for(fleet, events, horizon=300), [2e-4, 0.0, 0.0, 0.0])
    paths = 400
    out = simulate(plan, paths, seed=5)
    boards_installed = int((plan.cohort_initial * plan.cohort_boards).sum())
    rate = boards_installed * 2e-4  # failures per day (boards almost never wait)
    mean_delay = 2 * 7 + 28 + turnaround_extra  # transit out and back + mean turnaround
    in_repair = out.parts_in_repair[:, 200:, 0].astype(float)  # steady state
    assert in_repair.mean() == pytest.approx(rate * mean_delay, rel=0.03)
    # Palm's theorem: the number in an M/G/∞ pipeline is Poisson → variance = mean.
    day = in_repair[:, -1]
    dispersion = day.var(ddof=1) / day.mean()
    assert abs(dispersion - 1.0) < 4 * np.sqrt(2.0 / (paths - 1))


def test_repair_pipeline_littles_law_and_palm() -> None:
    _pipeline_check(0, [], crosses=False)


def test_customs_hold_lengthens_the_return_leg_by_hold_plus_clearance() -> None:
    hold = [{"type": "customs_hold", "hold_probability": 1.0, "hold_days": 30,
             "shipments": ["repairs"]}]  # fmt: skip
    _pipeline_check(30 + 3, hold, crosses=True)


def test_closed_repair_centre_keeps_every_part_sent_to_it() -> None:
    fleet = _ample_fleet(
        hashboard={"in_house_share": 0.0, "scrap_share": 0.0},
        fan={"in_house_share": 0.0, "scrap_share": 0.0},
        psu={"in_house_share": 0.0, "scrap_share": 0.0},
        control_board={"in_house_share": 0.0, "scrap_share": 0.0},
    )
    plan = plan_for(fleet, [{"type": "repair_centre_closed"}], horizon=120)
    out = simulate(plan, 20, seed=2)
    # Nothing comes back: every part that failed is still in (or waiting for) repair.
    assert np.array_equal(out.parts_in_repair[:, -1, :], out.failures)


def test_machines_and_parts_are_conserved() -> None:
    plan = plan_for(
        small_fleet(orders=[{"model": "antminer-s21", "count": 40, "due_date": "2026-03-01",
                             "site": "a"}]),
        [{"type": "customs_hold", "hold_probability": 0.5, "hold_days": 20},
         {"type": "remote_disable", "share": 0.5, "start_day": 100, "duration_days": 10},
         {"type": "parts_supply_stop", "start_day": 150, "duration_days": 60}],
        horizon=300,
    )  # fmt: skip
    sim = Simulation(plan, 40, seed=9)
    out = sim.run()
    machines = (
        sim.running + sim.waiting.sum(axis=2) + sim.machine_swaps.in_transit + sim.disabled.sum(0)
    )
    assert np.array_equal(machines, sim.installed)
    delivered = np.where(sim.orders.arrival_day[0] >= 0, 40, 0) * (
        sim.orders.arrival_day[0] < plan.horizon_days
    )
    assert np.array_equal(sim.installed.sum(axis=1), plan.machines + delivered)
    initial = np.array([plan.pool_on_hand[plan.pool_part == k].sum() for k in range(4)])
    stock = out.spares_on_hand[:, -1] + out.parts_in_repair[:, -1] + out.parts_on_order[:, -1]
    flows = initial + out.failures - out.scrapped - out.swaps + out.ordered
    assert np.array_equal(stock, flows)
    # Boards: dead ones never exceed the slots of machines that have them.
    assert np.all(sim.dead_run <= plan.cohort_boards * sim.running)


def test_no_technicians_means_no_swaps_and_machines_pile_up() -> None:
    fleet = small_fleet()
    fleet["sites"][0]["technicians"] = 0
    out = simulate(plan_for(fleet, horizon=120), 10, seed=1)
    assert out.swaps.sum() == 0
    waiting = out.machines_down[:, :, 0] + out.machines_down[:, :, 4]
    assert np.all(np.diff(waiting, axis=1) >= 0)
    assert np.array_equal(waiting[:, -1], out.failures[:, 1:].sum(axis=1))
    # Those whose spare is on the shelf wait for a technician, the rest for a part.
    stop_spares = out.spares_on_hand[:, :, 1:].sum(axis=2)
    for_hands = out.machines_down[:, :, 4]
    assert np.all(for_hands <= np.minimum(stop_spares, waiting))
    assert for_hands[:, -1].sum() > 0


def test_with_hands_to_spare_no_machine_waits_for_a_technician() -> None:
    fleet = small_fleet()
    fleet["sites"][0]["technicians"] = 1000
    out = simulate(plan_for(fleet, horizon=120), 10, seed=1)
    assert out.machines_down[:, :, 0].sum() > 0  # machines did wait, for parts
    assert not out.machines_down[:, :, 4].any()


def test_remote_disable_stops_the_vendor_share_for_its_window() -> None:
    plan = plan_for(
        events=[{"type": "remote_disable", "vendors": ["bitmain"], "share": 1.0,
                 "start_day": 30, "duration_days": 10}],
        horizon=60,
    )  # fmt: skip
    out = simulate(plan, 5, seed=1)
    assert np.all(out.hashrate_ths[:, 30:40] == 0)
    assert np.all(out.machines_down[:, 35, 3] > 250)
    calm = simulate(plan_for(horizon=60), 5, seed=1)  # the same fleet without the event
    assert np.all(out.hashrate_ths[:, 41:] > 0.97 * calm.hashrate_ths[:, 41:])


def test_order_cancelled_under_disruption_and_held_at_customs() -> None:
    order = {"model": "antminer-s21", "count": 100, "due_date": "2026-02-01", "site": "a"}
    cancel = plan_for(
        small_fleet(orders=[order]),
        [{"type": "order_disruption", "cancel_probability": 1.0}],
        horizon=90,
    )
    out = simulate(cancel, 5, seed=1)
    assert np.all(out.machines_installed[:, -1] == 300)
    held = plan_for(
        small_fleet(orders=[order]),
        [{"type": "customs_hold", "hold_probability": 1.0, "hold_days": 20,
          "shipments": ["machines"]}],
        horizon=90,
    )  # fmt: skip
    out = simulate(held, 5, seed=1)
    assert np.all(out.first_customs_hold_day == 31)
    assert np.all(out.machines_down[:, 31:51, 2] == 100)
    assert np.all(out.machines_installed[:, 50] == 300)
    assert np.all(out.machines_installed[:, 51] == 400)
    # the 100 machines held 20 days are storage: 100 units a day on days 31-50
    assert np.all(out.storage_unit_days[:, 31:51] == 100)
    assert np.all(out.storage_unit_days[:, :31] == 0) and np.all(out.storage_unit_days[:, 51:] == 0)
    assert np.all(out.customs_held_unit_days == 100 * 20)


@pytest.mark.parametrize(
    ("countries", "held_at"), [(None, "a"), (["CA"], "b"), (["US", "CA"], "ab")]
)
def test_customs_hold_only_lots_bound_for_their_country(
    countries: list[str] | None, held_at: str
) -> None:
    """US customs held machines bound for a Canadian site too: a ``customs_hold`` holds
    only what enters its ``countries`` (default US). Two orders, one to the US site a
    and one to the Canadian site b, every lot held 20 days where held: each held order
    is down at customs 20 days, the other arrives on its due day; the same in the
    reference simulation's rule (tests/reference)."""
    fleet = small_fleet(
        orders=[
            {"model": "antminer-s21", "count": 100, "due_date": "2026-02-01", "site": "a"},
            {"model": "antminer-s21", "count": 40, "due_date": "2026-02-01", "site": "b"},
        ]
    )
    fleet["sites"].append({"name": "b", "country": "CA", "technicians": 2})
    hold = {
        "type": "customs_hold",
        "hold_probability": 1.0,
        "hold_days": 20,
        "shipments": ["machines"],
    }
    if countries is not None:
        hold["countries"] = countries
    out = simulate(plan_for(fleet, [hold], horizon=90), 5, seed=1)
    at_customs = {"a": 100, "b": 40}
    expected = sum(at_customs[site] for site in held_at)
    assert np.all(out.machines_down[:, 31:51, 2] == expected)
    assert np.all(out.customs_held_unit_days == expected * 20)
    assert np.all(out.machines_installed[:, 31] == 300 + 140 - expected)


def test_metric_expected_backorders() -> None:
    """METRIC (Sherbrooke): with base stock s and no scrap, backorders = (X − s)⁺ where the
    pipeline X ~ Poisson(λT) (Palm), so E[BO] = Σ_{x>s} (x − s)·P(X = x)."""
    from scipy.stats import poisson

    spares = 6
    others = ("hashboard", "fan", "control_board")
    psu_route = {
        "in_house_share": 0.0,
        "scrap_share": 0.0,
        "crosses_border": False,
        "vendor_turnaround_days": 28,
    }
    fleet = small_fleet(
        spares=[{"site": "a", "part": "psu", "on_hand": spares}]
        + [{"site": "a", "part": p, "on_hand": 5000} for p in others],
        repair_routes={"psu": psu_route},
    )
    fleet["sites"][0]["technicians"] = 50
    plan = with_constant_hazard(plan_for(fleet, horizon=260), [0.0, 0.0, 4e-4, 0.0])
    paths = 500
    out = simulate(plan, paths, seed=21)
    # PSUs are split into two pools (one per family); check the whole PSU pipeline per pool
    # via the identity on the aggregate: backorders = Σ_pools (X_j − s_j)⁺.
    pools = np.flatnonzero(plan.pool_part == 2)
    machines = np.array([plan.cohort_initial[plan.cohort_pool[:, 2] == j].sum() for j in pools])
    delay = 2 * 7 + 28  # out and back transit + turnaround, no customs
    expected = 0.0
    for j, n in zip(pools, machines, strict=True):
        lam_t = n * 4e-4 * delay  # machines at risk ≈ all (backorders are a few)
        s = int(plan.pool_on_hand[j])
        x = np.arange(s + 1, s + 200)
        expected += float(((x - s) * poisson.pmf(x, lam_t)).sum())
    observed = out.backorders[:, 120:, 2].astype(float)  # steady state
    per_path = observed.mean(axis=1)
    stderr = per_path.std(ddof=1) / np.sqrt(paths)
    assert abs(per_path.mean() - expected) < 4 * stderr + 0.02 * expected


@pytest.mark.parametrize("part", ["hashboard", "fan", "psu", "control_board"])
def test_customs_storage_counts_the_days_held_inside_the_horizon(part: str) -> None:
    """Units are charged on the days they sit at the border, not on the day they ship;
    the daily series adds up to the run's total part-days held, each part counted as its
    share of a machine (data/parts.csv); nothing past the horizon counts."""
    from hashshock.inputs.catalog import PART_TYPES, part_defaults

    hold = [{"type": "customs_hold", "hold_probability": 1.0, "hold_days": 30,
             "shipments": ["parts", "repairs"]}]  # fmt: skip
    hazard = [2e-3 if name == part else 0.0 for name in PART_TYPES]
    out = simulate(with_constant_hazard(plan_for(events=hold, horizon=120), hazard), 20, seed=4)
    daily = out.storage_unit_days
    share = part_defaults()[part].storage_share_of_machine  # type: ignore[index]
    assert np.all(daily >= -1e-9) and np.all(out.customs_held_unit_days > 0)
    np.testing.assert_allclose(daily.sum(axis=1), share * out.customs_held_unit_days)
    for p in range(20):
        first = out.first_customs_hold_day[p]
        assert first >= 0 and np.all(daily[p, :first] == 0) and daily[p, first] > 0


def test_an_event_that_starts_after_the_horizon_changes_nothing() -> None:
    late = [{"type": "customs_hold", "hold_probability": 1.0, "hold_days": 60, "start_day": 200}]
    out = simulate(plan_for(events=late, horizon=120), 10, seed=2)
    calm = simulate(plan_for(horizon=120), 10, seed=2)
    assert np.all(out.first_customs_hold_day == -1)
    assert np.all(out.storage_unit_days == 0) and np.all(out.customs_held_unit_days == 0)
    np.testing.assert_array_equal(out.hashrate_ths, calm.hashrate_ths)
