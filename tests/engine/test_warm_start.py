"""Pipelines started in their steady state (``pipelines_at_start: steady``,
docs/model.md "Day 0") against Little's law and Palm's theorem worked by hand, and the
engine's own invariants: the inventory position is the base-stock level on every path,
the mean pipeline is flat from day 0 (where an empty start fills it over the delay), a
path's pipelines do not depend on the paths run beside it, and lots reaching the border
after day 0 meet the scenario's customs holds."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from tests.conftest import small_fleet
from tests.engine.helpers import plan_for, with_constant_hazard

from hashshock.decide.evaluate import with_stock
from hashshock.dists import Fixed
from hashshock.engine import simulate
from hashshock.engine.core import Simulation
from hashshock.inputs.errors import InputError
from hashshock.inputs.load import fleet_from_mapping
from hashshock.plan import Plan
from hashshock.plan.warm import day0_failures, warm_start

PSU = 2
PSU_RATE = 4e-4  # daily failure probability of a PSU slot
TURNAROUND = 28
PSU_ROUTE = {"in_house_share": 0.25, "in_house_days": 10, "scrap_share": 0.25,
             "crosses_border": False, "vendor_turnaround_days": TURNAROUND}  # fmt: skip
AMPLE = [{"site": "a", "part": p, "on_hand": 5000} for p in ("hashboard", "fan", "control_board")]


def _psu_fleet(psus: int = 60, **extra: object) -> dict[str, object]:
    fleet = small_fleet(
        spares=[{"site": "a", "part": "psu", "on_hand": psus}, *AMPLE],
        repair_routes={"psu": PSU_ROUTE},
        **extra,
    )
    fleet["sites"][0]["technicians"] = 50  # type: ignore[index]
    return fleet


def _warm(plan: Plan) -> Plan:
    """``plan`` (its hazard perhaps replaced) with its pipelines in their steady state and
    every base-stock level left to the default."""
    return warm_start(plan, np.zeros(plan.n_pools, np.bool_))


def _psu_plan(
    horizon: int = 200,
    events: list[dict[str, object]] | None = None,
    fans: float = 0.0,
    psus: float = PSU_RATE,
) -> Plan:
    cold = plan_for(_psu_fleet(), events=events, horizon=horizon)
    return _warm(with_constant_hazard(cold, [0.0, fans, psus, 0.0]))


def _psu_delays(plan: Plan) -> tuple[float, float, float]:
    """Whole-day delays of the PSU's three routes, worked from the fleet above and the
    bundled vendor's transit, clearance and lead (fixed days)."""
    vendor = int(plan.pool_vendor[np.flatnonzero(plan.pool_part == PSU)[0]])
    transit = int(plan.vendor_transit_days[vendor])
    clearance = int(plan.vendor_clearance_days[vendor])
    lead = plan.vendor_parts_lead[vendor]
    assert lead.is_fixed
    return 10.0, 2 * transit + TURNAROUND, lead.mean + transit + clearance


def test_day0_pipelines_are_littles_law_worked_by_hand() -> None:
    """λ = running machines × PSUs each × −ln(1 − h); each route holds λ·share·E[delay]
    (fixed delays: arrivals spread evenly over the delay's days)."""
    plan = _psu_plan()
    warm = plan.warm
    assert warm is not None
    in_house_days, vendor_days, order_days = _psu_delays(plan)
    for j in np.flatnonzero(plan.pool_part == PSU):
        machines = plan.cohort_initial[plan.cohort_pool[:, PSU] == j].sum()
        rate = machines * -np.log1p(-PSU_RATE)  # one PSU a machine
        assert day0_failures(plan)[j] == pytest.approx(rate)
        assert warm.in_house[j].sum() == pytest.approx(rate * 0.25 * in_house_days)
        assert warm.vendor[j].sum() == pytest.approx(rate * 0.5 * vendor_days)
        assert warm.orders[j].sum() == pytest.approx(rate * 0.25 * order_days)
        # Palm: what arrives on day d is what was sent within the delay before day 0
        np.testing.assert_allclose(warm.vendor[j][: int(vendor_days)], rate * 0.5)
        assert not warm.vendor[j][int(vendor_days) :].any()
        # the base-stock level left out: the shelf plus the parts on their way, the mean
        assert warm.parts[j] == round(warm.mean_parts[j])
        assert plan.pool_target[j] == plan.pool_on_hand[j] + warm.parts[j]


def test_the_inventory_position_is_the_base_stock_level_on_every_path() -> None:
    """Given today's shelf, the pipelines hold S − on_hand parts (position = S), spread
    over the routes and arrival days in proportion to Palm's means (repairs and spares on
    order alike)."""
    plan = _psu_plan(psus=2e-3)
    paths = 2000
    sim = Simulation(plan, paths, seed=3)
    position = sim.on_hand + sim.repairs.in_transit + sim.replenishments.in_transit
    np.testing.assert_array_equal(position, np.broadcast_to(plan.pool_target, position.shape))
    warm = plan.warm
    assert warm is not None
    j = int(np.flatnonzero(plan.pool_part == PSU)[0])
    parts = plan.pool_target[j] - plan.pool_on_hand[j]
    for pipeline, means in ((sim.repairs, warm.in_house[j] + warm.vendor[j]),
                            (sim.replenishments, warm.orders[j])):  # fmt: skip
        share = means / warm.mean_parts[j]  # by arrival day
        by_day = pipeline.ring[:, :, j].astype(float)
        assert share[: by_day.shape[1]].sum() > 0.05
        for d in range(min(by_day.shape[1], len(share))):
            p = share[d]
            sd = np.sqrt(parts * p * (1 - p) / paths)
            assert abs(by_day[:, d].mean() - parts * p) < 4.5 * sd + 1e-9, d


def test_the_mean_pipeline_is_flat_from_day_0_where_an_empty_start_fills_it() -> None:
    """Little's law from the first day: the PSUs in repair and on order stay at
    λ·E[delay] (ample spares and technicians, constant hazard), where the same fleet
    started empty has nothing on day 0 and fills over the delay."""
    warm_plan = _psu_plan(horizon=120, psus=2e-3)
    cold_plan = dataclasses.replace(warm_plan, warm=None)
    paths = 400
    warm, cold = simulate(warm_plan, paths, seed=11), simulate(cold_plan, paths, seed=11)
    in_house_days, vendor_days, order_days = _psu_delays(warm_plan)
    rate = day0_failures(warm_plan)[warm_plan.pool_part == PSU].sum()
    in_repair = rate * (0.25 * in_house_days + 0.5 * vendor_days)
    on_order = rate * 0.25 * order_days
    for day in (0, 10, 30, 60, 100):
        for series, expected in ((warm.parts_in_repair, in_repair),
                                 (warm.parts_on_order, on_order)):  # fmt: skip
            values = series[:, day, PSU].astype(float)
            # machines stopped waiting for nothing: the rate stays λ (failures are Poisson)
            stderr = max(values.std(ddof=1), np.sqrt(expected)) / np.sqrt(paths)
            assert abs(values.mean() - expected) < 4 * stderr + 0.01 * expected, day
    assert cold.parts_in_repair[:, 0, PSU].mean() < 0.1 * in_repair
    # and the shelf stays where the file put it (λ·E[D] ≈ 22 PSUs lower from an empty
    # start): the mean on hand within 4 standard errors of the file's, from day 0 on
    on_hand = warm_plan.pool_on_hand[warm_plan.pool_part == PSU].sum()
    for start in (warm, cold):
        shelf = start.spares_on_hand[:, :, PSU].astype(float)
        stderr = shelf.std(axis=0, ddof=1) / np.sqrt(paths)
        gap = np.abs(shelf.mean(axis=0) - on_hand)
        assert (gap < 4 * stderr + 0.5).all() == (start is warm)


def test_a_paths_pipelines_do_not_depend_on_the_paths_beside_it() -> None:
    plan = _psu_plan(horizon=60)
    whole = simulate(plan, 48, 5)
    first = simulate(plan, 12, 5)
    block = simulate(plan, 36, 5, first_path=12)
    for name in ("parts_in_repair", "parts_on_order", "spares_on_hand", "backorders"):
        np.testing.assert_array_equal(getattr(whole, name)[:12], getattr(first, name), name)
        np.testing.assert_array_equal(getattr(whole, name)[12:], getattr(block, name), name)


def test_lots_on_their_way_are_held_by_a_customs_hold_from_day_0() -> None:
    """Spares ordered before day 0 reach the border from day 0: a hold starting then
    holds them, so the first hold falls in the first days, where an empty start's first
    lot reaches the border after its lead time."""
    hold = [{"type": "customs_hold", "hold_probability": 1.0, "hold_days": 30,
             "shipments": ["parts"]}]  # fmt: skip
    # fans too (all scrapped, so all reordered): a lot reaches the border most days
    warm_plan = _psu_plan(horizon=120, events=hold, fans=2e-3)
    cold_plan = dataclasses.replace(warm_plan, warm=None)
    warm, cold = simulate(warm_plan, 100, 2), simulate(cold_plan, 100, 2)
    *_, order_days = _psu_delays(warm_plan)
    first_warm, first_cold = warm.first_customs_hold_day, cold.first_customs_hold_day
    assert (first_warm >= 0).all() and (first_cold >= 0).all()
    assert np.median(first_warm) <= 2
    assert first_warm.max() < first_cold.min()
    assert first_cold.min() >= order_days - 5  # clearance: the border is before the shelf
    # held 30 days more: more on order than without the hold a month in
    free = simulate(_psu_plan(horizon=120, fans=2e-3), 100, 2)
    assert warm.parts_on_order[:, 20, PSU].mean() > free.parts_on_order[:, 20, PSU].mean()


def test_a_fleet_that_does_not_reorder_holds_a_poisson_count_of_repairs() -> None:
    """No position to condition on: Palm's Poisson count, its mean and variance both
    λ·E[D] (within 4 standard errors on 4,000 paths), and nothing on order."""
    fleet = _psu_fleet(pipelines_at_start="steady", replenishment={"enabled": False})
    plan = _warm(with_constant_hazard(plan_for(fleet, horizon=30), [0.0, 0.0, 2e-3, 0.0]))
    warm = plan.warm
    assert warm is not None and not warm.orders.any()
    paths = 4000
    sim = Simulation(plan, paths, seed=1)
    assert not sim.replenishments.in_transit.any()
    for j in np.flatnonzero(plan.pool_part == PSU):
        held = sim.repairs.in_transit[:, j].astype(float)
        mean = warm.mean_parts[j]
        assert abs(held.mean() - mean) < 4 * np.sqrt(mean / paths)
        # the variance of a sample variance of a Poisson: (μ + 2μ²) / n, nearly
        assert abs(held.var(ddof=1) - mean) < 4 * np.sqrt((mean + 2 * mean**2) / paths)


def test_a_given_base_stock_level_is_kept_and_orders_what_it_lacks() -> None:
    """A level the file gives is kept; the pipelines hold their mean as without it, and
    the day-0 reorder orders what the level lacks beyond the shelf and them."""
    fleet = _psu_fleet(pipelines_at_start="steady")
    fleet["spares"][0]["target"] = 90  # type: ignore[index]
    plan = plan_for(fleet, horizon=30)
    warm = plan.warm
    assert warm is not None
    psu = plan.pool_part == PSU
    assert plan.pool_target[psu].sum() == 90
    default = plan_for(_psu_fleet(pipelines_at_start="steady"), horizon=30)
    assert default.warm is not None
    np.testing.assert_array_equal(warm.parts, default.warm.parts)
    lacking = 90 - plan.pool_on_hand[psu].sum() - warm.parts[psu].sum()
    assert lacking > 0
    out, base = simulate(plan, 50, seed=1), simulate(default, 50, seed=1)
    assert (out.parts_on_order[:, 0, PSU] - base.parts_on_order[:, 0, PSU] == lacking).all()


def test_a_stock_level_keeps_its_pipelines_mean_off_the_shelf() -> None:
    """The optimiser's level S on a fleet started in its steady state: the shelf is S
    less the pipelines' mean (METRIC's S = on hand + due in)."""
    plan = _psu_plan()
    assert plan.warm is not None
    level = np.full(plan.n_pools, 200, np.int64)
    stocked = with_stock(plan, level)
    np.testing.assert_array_equal(stocked.pool_target, level)
    np.testing.assert_array_equal(
        stocked.pool_on_hand, np.maximum(level - np.rint(plan.warm.parts).astype(np.int64), 0)
    )


def test_the_fleet_field_is_checked_and_left_out_of_the_inputs_when_empty() -> None:
    with pytest.raises(InputError, match="pipelines_at_start"):
        fleet_from_mapping(small_fleet(pipelines_at_start="full"))
    empty = fleet_from_mapping(small_fleet()).fleet
    assert "pipelines_at_start" not in empty.model_dump()
    steady = fleet_from_mapping(small_fleet(pipelines_at_start="steady")).fleet
    assert steady.model_dump()["pipelines_at_start"] == "steady"


def test_pipelines_computed_for_other_delays_are_refused() -> None:
    """A plan whose lead time is cut after its pipelines were computed would land parts
    on the wrong ring day: refused, naming the fix."""
    plan = _psu_plan(horizon=120, fans=2e-3)
    leads = tuple(Fixed(5) for _ in plan.vendor_parts_lead)
    stale = dataclasses.replace(plan, vendor_parts_lead=leads)
    with pytest.raises(ValueError, match="compute the pipelines again"):
        simulate(stale, 4, seed=1)
    simulate(_warm(dataclasses.replace(stale, warm=None)), 4, seed=1)  # computed again: runs


def test_a_bench_holds_its_service_time_of_parts_and_keeps_the_shelf() -> None:
    """At a site with a repair bench the in-house parts on their way are those within its
    service time (Little: λ·i·E[max(S, 1)], here a fixed 1-day service, where the
    route's 30 days would hold 30 times as many); a bench with room to spare keeps the
    shelf at the file's from day 0 on (within 4 standard errors + 0.5)."""
    route = {**PSU_ROUTE, "in_house_share": 0.9, "in_house_days": 30, "scrap_share": 0.05}
    fleet = _psu_fleet(pipelines_at_start="steady")
    fleet["repair_routes"] = {"psu": route}
    fleet["cohorts"] = [{"model": "antminer-s21", "count": 3000, "site": "a",
                         "install_date": "2024-06-01"}]  # fmt: skip
    fleet["sites"][0]["repair_bench"] = {"technicians": 10, "service_days": 1}  # type: ignore[index]
    plan = _warm(with_constant_hazard(plan_for(fleet, horizon=120), [0.0, 0.0, 4e-4, 0.0]))
    assert plan.warm is not None and plan.site_bench
    psu = plan.pool_part == PSU
    rate = 3000 * -np.log1p(-4e-4)
    assert plan.warm.in_house[psu].sum() == pytest.approx(rate * 0.9 * 1)
    paths = 200
    out = simulate(plan, paths, seed=2)
    shelf = out.spares_on_hand[:, :, PSU].astype(float)
    stderr = shelf.std(axis=0, ddof=1) / np.sqrt(paths)
    gap = np.abs(shelf.mean(axis=0) - plan.pool_on_hand[psu].sum())
    assert (gap < 4 * stderr + 0.5).all()


def test_an_exponential_service_in_whole_days() -> None:
    """⌈X⌉ of an exponential X of mean m: E = 1 / (1 − e^{−1/m}), the weights summing
    to 1 within the 10⁻⁴ left beyond its last day."""
    from hashshock.dists import Exponential
    from hashshock.plan.warm import bench_days

    for mean in (0.5, 3.0, 8.0):
        days = bench_days(Exponential(mean))
        exact = 1.0 / (1.0 - np.exp(-1.0 / mean))
        assert days.mean == pytest.approx(exact, rel=2e-3)
