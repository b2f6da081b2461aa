"""Hashrate lost beyond part swaps: downtime and degraded boards (plan/realisation.py).

The degraded-board share (R1) is checked against closed forms, direct quadrature and an
explicit per-board simulation that knows nothing of the formula; the engine's use of
both factors is checked on common random numbers.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from scipy import integrate
from tests.reference.fleets import two_site_fleet

import hashshock
from hashshock.engine import simulate
from hashshock.inputs.catalog import FailurePrior, bundled_catalog
from hashshock.inputs.errors import InputError
from hashshock.inputs.files import read_csv_rows
from hashshock.inputs.load import fleet_from_mapping, load_scenario
from hashshock.plan import compile_plan
from hashshock.plan.realisation import (
    Degradation,
    Wear,
    board_yield,
    degraded_share,
    weibull_intensity,
)

ON = Degradation(share=0.5, loss=0.3, days=60.0)
NO_WEAR = Wear(0.0, 0.0, 0.0)


def prior(shape: float, first_year: float) -> FailurePrior:
    return FailurePrior("hashboard", "*", shape, first_year, "test")


def test_constant_hazard_gives_p_lambda_l() -> None:
    """Shape 1: λ = m₁/365 per day at every age, so q = p λ L exactly."""
    ages = np.array([10.0, 400.0, 2000.0])
    q = degraded_share(ages, prior(1.0, 0.05), ON)
    np.testing.assert_allclose(q, 0.5 * 0.05 / 365 * 60, rtol=1e-12)


@pytest.mark.parametrize("shape", [0.8, 1.4, 2.5])
@pytest.mark.parametrize("age", [30.0, 365.0, 1500.0])
def test_quadrature_matches_direct_integration(shape: float, age: float) -> None:
    p = prior(shape, 0.03)
    eta = 365 / 0.03 ** (1 / shape)

    def integrand(s: float) -> float:
        return shape / eta * ((age + s) / eta) ** (shape - 1) * math.exp(-s / ON.days)

    exact, _ = integrate.quad(integrand, 0, np.inf, limit=200)
    q = degraded_share(np.array([age]), p, ON)[0]
    assert q == pytest.approx(ON.share * exact, rel=1e-3)


def test_weibull_intensity_integrates_to_the_first_year_rate() -> None:
    """∫₀³⁶⁵ λ(a) da = H(365) = m₁ (the definition of first_year_failures_per_part)."""
    value, _ = integrate.quad(
        lambda a: float(weibull_intensity(np.array([a]), 1.4, 0.02)[0]), 0, 365
    )
    assert value == pytest.approx(0.02, rel=1e-6)


def test_explicit_per_board_simulation_agrees() -> None:
    """Board slots fail as the Weibull NHPP (minimal repair, failures drawn by inverting
    H); each failure is preceded, with probability p, by a degraded phase of Exp(L) days.
    The mean number of degraded phases covering age a is q(a), within 4 standard errors."""
    rng = np.random.default_rng(2026)
    shape, first_year = 1.6, 0.08  # a high rate so degraded boards are common enough
    eta = 365 / first_year ** (1 / shape)
    slots = 200_000
    ages = np.array([200.0, 900.0, 2000.0])
    horizon = ages.max() + 20 * ON.days
    counts = np.zeros((slots, ages.size))
    cumulative = np.zeros(slots)
    alive = np.ones(slots, dtype=bool)
    while alive.any():
        cumulative[alive] += rng.exponential(size=alive.sum())
        fail_age = eta * cumulative ** (1 / shape)  # H^{-1}
        alive &= fail_age < horizon
        idx = np.flatnonzero(alive)
        degrading = rng.random(idx.size) < ON.share
        start = fail_age[idx] - rng.exponential(ON.days, size=idx.size)
        for k, a in enumerate(ages):
            covered = degrading & (start <= a) & (a < fail_age[idx])
            counts[idx, k] += covered
    expected = degraded_share(ages, prior(shape, first_year), ON)
    mean = counts.mean(axis=0)
    se = counts.std(axis=0) / math.sqrt(slots)
    assert np.all(np.abs(mean - expected) < 4 * se + 1e-12), (mean, expected, se)


def test_yield_is_one_when_off_and_falls_with_loss_and_days() -> None:
    spec = bundled_catalog().get("antminer-s19j-pro")
    off = board_yield([spec], [1000], 30, Degradation(0.0, 0.3, 60.0), NO_WEAR)
    assert np.all(off == 1.0)
    base = board_yield([spec], [1000], 30, ON, NO_WEAR)
    assert np.all(base < 1.0) and np.all(base > 0.99)
    for more in (
        Degradation(0.5, 0.6, 60.0), Degradation(0.5, 0.3, 120.0), Degradation(0.9, 0.3, 60.0)
    ):  # fmt: skip
        assert np.all(board_yield([spec], [1000], 30, more, NO_WEAR) < base)


@pytest.mark.parametrize("k", [0.5, 3.0])
def test_the_failure_rate_multiplier_scales_m1_of_the_degraded_share(k: float) -> None:
    """q(a) with multiplier k is q(a) of a board whose m₁ is k times larger (shape kept),
    so more failures mean more degraded boards and a lower board yield."""
    ages = np.arange(100.0, 800.0, 50.0)
    scaled = degraded_share(ages, prior(1.3, 0.05), ON, failure_rate_multiplier=k)
    np.testing.assert_allclose(scaled, degraded_share(ages, prior(1.3, 0.05 * k), ON))
    spec = bundled_catalog().get("antminer-s19j-pro")
    base = board_yield([spec], [1000], 30, ON, NO_WEAR)
    moved = board_yield([spec], [1000], 30, ON, NO_WEAR, failure_rate_multiplier=k)
    assert np.all(moved < base) if k > 1 else np.all(moved > base)


def test_wear_starts_late_grows_linearly_and_stops_at_its_cap() -> None:
    wear = Wear(per_year=0.02, starts_after_days=500.0, cap=0.05)
    ages = np.array([0.0, 500.0, 500.0 + 365.0, 500.0 + 2 * 365.0, 500.0 + 10 * 365.0])
    np.testing.assert_allclose(wear.loss(ages), [0.0, 0.0, 0.02, 0.04, 0.05])
    spec = bundled_catalog().get("antminer-s21")
    off = Degradation(0.0, 0.0, 0.0)
    worn = board_yield([spec], [500], 400, off, wear)[0]
    np.testing.assert_allclose(worn, 1.0 - wear.loss(500.0 + np.arange(400.0)))
    both = board_yield([spec], [500], 400, ON, wear)[0]
    alone = board_yield([spec], [500], 400, ON, NO_WEAR)[0]
    np.testing.assert_allclose(both, alone * worn)  # the two multiply


def _fleet(**operations: Any) -> dict[str, Any]:
    data = two_site_fleet()
    data["operations"] = operations
    return data


def _run(data: dict[str, Any], scenario: str = "baseline", paths: int = 40) -> Any:
    plan = compile_plan(fleet_from_mapping(copy.deepcopy(data)), load_scenario(scenario), 120)
    return simulate(plan, paths, 11)


def test_downtime_scales_hashrate_and_power_and_nothing_else() -> None:
    """Downtime is an expected-value factor on running machines: same failures on common
    random numbers, hashrate and power times (1 − d)."""
    off = _run(_fleet(downtime_share=0.0, board_degradation={"enabled": False}))
    down = _run(_fleet(downtime_share=0.04, board_degradation={"enabled": False}))
    assert off.hashrate_ths.sum() > 0
    np.testing.assert_allclose(down.hashrate_ths, 0.96 * off.hashrate_ths, rtol=1e-12)
    np.testing.assert_allclose(down.power_mw, 0.96 * off.power_mw, rtol=1e-12)
    np.testing.assert_array_equal(down.failures, off.failures)
    np.testing.assert_array_equal(down.spares_on_hand, off.spares_on_hand)


def test_site_downtime_overrides_the_fleet_value() -> None:
    data = _fleet(downtime_share=0.0)
    data["sites"][1]["downtime_share"] = 0.1
    plan = compile_plan(fleet_from_mapping(data), load_scenario("baseline"), 10)
    site_of = plan.cohort_site
    assert np.all(plan.cohort_uptime[site_of == 0] == 1.0)
    assert np.all(plan.cohort_uptime[site_of == 1] == pytest.approx(0.9))


def test_degraded_boards_cost_hashrate_not_power_and_more_under_a_parts_cut() -> None:
    off = _run(_fleet(downtime_share=0.0, board_degradation={"enabled": False}))
    on = _run(_fleet(downtime_share=0.0, board_degradation={"hashrate_loss": 0.5, "days": 90}))
    worn = _run(_fleet(downtime_share=0.0, board_degradation={"enabled": False},
                       board_wear={"per_year": 0.05}))  # fmt: skip
    assert worn.hashrate_ths.mean() < off.hashrate_ths.mean()
    np.testing.assert_array_equal(worn.power_mw, off.power_mw)
    assert np.all(on.hashrate_ths <= off.hashrate_ths + 1e-9)
    assert on.hashrate_ths.mean() < off.hashrate_ths.mean()
    np.testing.assert_array_equal(on.power_mw, off.power_mw)


def test_the_fleet_failure_rates_file_acts(tmp_path: Path) -> None:
    rates = tmp_path / "rates.csv"
    rates.write_text(
        "part,applies_to,weibull_shape,first_year_failures_per_part,source\n"
        "fan,*,1.0,0.15,test: ten times the default\n",
        encoding="utf-8",
    )
    data = _fleet()
    data["failure_rates"] = "rates.csv"
    loaded = fleet_from_mapping(data, base_dir=tmp_path)
    plan = compile_plan(loaded, load_scenario("baseline"), 120)
    base = compile_plan(fleet_from_mapping(_fleet()), load_scenario("baseline"), 120)
    fan = 1
    assert plan.hazard[:, fan].mean() > 5 * base.hazard[:, fan].mean()
    np.testing.assert_array_equal(plan.hazard[:, 0], base.hazard[:, 0])  # boards: bundled
    assert (
        simulate(plan, 20, 3).failures[:, fan].mean()
        > 3 * simulate(base, 20, 3).failures[:, fan].mean()
    )
    data["failure_rates"] = "missing.csv"
    with pytest.raises(InputError, match=r"failure_rates.*not found"):
        fleet_from_mapping(data, base_dir=tmp_path)


def test_operations_block_is_validated() -> None:
    with pytest.raises(InputError, match="downtime_share"):
        fleet_from_mapping(_fleet(downtime_share=0.9))
    with pytest.raises(InputError, match="hashrate_loss"):
        fleet_from_mapping(_fleet(board_degradation={"hashrate_loss": 1.5}))
    assert yaml.safe_dump(_fleet(downtime_share=0.01))  # plain data


def _targets() -> dict[str, tuple[float, float]]:
    path = Path(__file__).parents[2] / "src/hashshock/data/calibration_targets.csv"
    rows = read_csv_rows(path)
    return {r["target"]: (float(r["low"]), float(r["high"])) for r in rows}


@pytest.mark.parametrize("example", ["small-farm", "midsize-public-miner", "well-capitalised"])
def test_examples_baseline_lands_in_the_sourced_range(example: str) -> None:
    """docs/calibration.md: delivered / nameplate over a baseline year lies within the range
    real fleets report (data/calibration_targets.csv), on the median path and at p5-p95."""
    low, high = _targets()["baseline_availability"]
    fleet = Path(__file__).parents[2] / "examples" / example / "fleet.yaml"
    result = hashshock.run(str(fleet), "baseline", paths=60, horizon_days=365, seed=3)
    yearly = result.availability.mean(axis=1)
    assert low <= np.percentile(yearly, 5) and np.percentile(yearly, 95) <= high, yearly
    # and no day of the median path reads like a fleet without losses
    assert np.median(result.availability, axis=0).max() < 0.99
