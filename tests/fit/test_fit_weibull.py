"""The Weibull fit: recovery of known rates, slot conversion, goodness of fit, degenerate data."""

from __future__ import annotations

import math
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from hashshock.fit import (
    Cohort,
    Exposures,
    FitFailed,
    MachineHistory,
    build_exposures,
    fit_weibull,
    load_histories,
    simulate_log,
)
from hashshock.fit.gof import exponential_log_likelihood
from hashshock.fit.weibull import slot_data
from hashshock.inputs.catalog import FailurePrior, bundled_catalog

AS_OF = date(2026, 11, 30)
K_TRUE, M1_TRUE = 1.8, 0.04


def _z(ci95: tuple[float, float], truth: float) -> float:
    """|log(estimate / truth)| in standard errors, from a log-symmetric 95% interval."""
    lo, hi = ci95
    return abs(math.log(math.sqrt(lo * hi) / truth)) / (math.log(hi / lo) / (2 * 1.96))


def _priors(k: float = K_TRUE, m1: float = M1_TRUE) -> tuple[FailurePrior, ...]:
    return (FailurePrior("fan", "*", k, m1, "test"),)


def _exposures(tmp_path: Path, cohorts: list[Cohort], seed: int, **kw: Any) -> Exposures:
    text = simulate_log(cohorts, observed_until=AS_OF, seed=seed, priors=_priors(), **kw)
    path = tmp_path / f"sim-{seed}.csv"
    path.write_text(text, encoding="utf-8")
    return build_exposures(load_histories([path], as_of=AS_OF).histories)


# Installs spread over four years, a log that starts in 2024 (left truncation for the
# older machines) and machines leaving at 10 %/yr (right censoring before the end).
COHORTS = [
    Cohort("antminer-s19", 100, date(2021, 6, 1), "a"),
    Cohort("antminer-s19", 100, date(2022, 9, 1), "b"),
    Cohort("antminer-s19", 100, date(2024, 3, 1), "c"),
    Cohort("antminer-s19", 100, date(2025, 1, 1), "d"),
]
CENSORED = {"observed_from": date(2024, 1, 1), "retire_per_year": 0.1}


def test_simulated_data_have_truncation_and_censoring(tmp_path: Path) -> None:
    exp = _exposures(tmp_path, COHORTS, 0, **CENSORED).select("fan")
    assert (exp.entry > 0).sum() > 100  # left-truncated windows and repair intervals
    last = exp.exit[~exp.event]
    assert (last < (AS_OF - date(2025, 1, 1)).days + 1).any()  # some leave early
    assert exp.failures > 100


def test_known_weibull_recovered_within_its_95_intervals(tmp_path: Path) -> None:
    """Over 20 seeds the 95% intervals cover the true k and m1 at least 15 times each."""
    covered_k = covered_m = 0
    for seed in range(20):
        fit = fit_weibull(_exposures(tmp_path, COHORTS, seed, **CENSORED).select("fan"))
        lo, hi = fit.shape_ci95
        covered_k += lo <= K_TRUE <= hi
        lo, hi = fit.first_year_failures_per_part_ci95
        covered_m += lo <= M1_TRUE <= hi
        assert fit.scale_days == pytest.approx(
            365 * fit.first_year_failures_per_part ** (-1 / fit.shape)
        )
    assert covered_k >= 15 and covered_m >= 15, (covered_k, covered_m)


def test_four_fan_machine_converts_to_per_slot_rate(tmp_path: Path) -> None:
    """m1 per slot = (365/η')^k / n with η' the machine-level Weibull scale (n = 4 fans)."""
    from lifelines import WeibullFitter

    exp = _exposures(tmp_path, COHORTS, 1).select("fan")
    assert exp.slot_counts == [4]
    fit = fit_weibull(exp)
    machine_level = WeibullFitter().fit(
        exp.exit / 365, exp.event, entry=exp.entry / 365, initial_point=np.array([5.0, 1.0])
    )
    assert fit.shape == pytest.approx(machine_level.rho_, rel=1e-3)
    per_slot = machine_level.lambda_ ** (-machine_level.rho_) / 4  # (365/η')^k / n, η' in years
    assert fit.first_year_failures_per_part == pytest.approx(per_slot, rel=1e-3)
    assert _z(fit.first_year_failures_per_part_ci95, M1_TRUE) < 3  # per slot, not 4x that


def test_machines_with_two_and_four_fans_pool_on_the_per_slot_rate(tmp_path: Path) -> None:
    cohorts = [
        Cohort("antminer-s19", 300, date(2022, 1, 1), "four"),
        Cohort("whatsminer-m50s", 600, date(2022, 1, 1), "two"),
    ]
    exp = _exposures(tmp_path, cohorts, 3).select("fan")
    assert exp.slot_counts == [2, 4]
    fit = fit_weibull(exp)
    assert _z(fit.first_year_failures_per_part_ci95, M1_TRUE) < 3
    assert _z(fit.shape_ci95, K_TRUE) < 3


def test_slot_data_adds_one_censored_copy_weighted_n_minus_1() -> None:
    exp = Exposures(
        machine=np.array(["m", "m"]), family=np.array(["f", "f"]),
        part=np.array(["fan", "fan"]), slots=np.array([4, 4]),
        entry=np.array([0.0, 100.5]), exit=np.array([100.5, 365.0]),
        event=np.array([True, False]),
    )  # fmt: skip
    data = slot_data(exp)
    assert list(data.weight) == [1, 1, 3, 3]
    assert list(data.event) == [1, 0, 0, 0]
    assert data.slot_years == pytest.approx(4 * 365 / 365)  # 4 slots for 365 days


def test_closed_form_exponential_matches_lifelines(tmp_path: Path) -> None:
    from lifelines import ExponentialFitter

    data = slot_data(_exposures(tmp_path, COHORTS[:2], 4).select("fan"))
    fitter = ExponentialFitter().fit(data.exit, data.event, entry=data.entry, weights=data.weight)
    ours = exponential_log_likelihood(data.failures, data.slot_years)
    assert ours == pytest.approx(fitter.log_likelihood_, rel=1e-6)


def _history(i: int, failures: list[int], end: int = 1000) -> MachineHistory:
    install = date(2022, 1, 1)
    return MachineHistory(
        machine=f"m{i}", model=bundled_catalog().get("antminer-s21"), install=install,
        observed_from=install, observed_until=install + timedelta(days=end - 1),
        failures={"psu": tuple(install + timedelta(days=d) for d in failures)},
    )  # fmt: skip


def test_goodness_of_fit_flags_a_bathtub_hazard() -> None:
    """15% die in the first month, the rest wear out steeply: no Weibull fits that."""
    rng = np.random.default_rng(0)
    histories = []
    for i in range(1500):
        days = [int(rng.integers(0, 30))] if rng.random() < 0.15 else []
        h = (30 / 2000) ** 4
        while (age := 2000 * (h := h + rng.exponential()) ** 0.25) < 1800:
            days.append(int(age))
        histories.append(_history(i, days, 1800))
    fit = fit_weibull(build_exposures(histories, ("psu",)))
    assert fit.gof.verdict == "poor"
    assert fit.gof.share_inside_km_band < 0.7


def test_goodness_of_fit_accepts_data_from_a_weibull(tmp_path: Path) -> None:
    fit = fit_weibull(_exposures(tmp_path, COHORTS, 5, **CENSORED).select("fan"))
    assert fit.gof.verdict == "good"
    assert fit.gof.lr_shape_1_p_value < 0.05  # k = 1.8: the test sees the wear-out


def test_goodness_of_fit_accepts_a_weibull_seen_only_after_install(tmp_path: Path) -> None:
    """Machines installed years before the log starts: Kaplan–Meier then estimates survival
    from the youngest entry age on, S(a)/S(a₀), and the Weibull is compared with that —
    not with S(a) from install, which put every such fit outside the band ("poor")."""
    old = [Cohort("antminer-s19", 300, date(2018 + i, 3, 1), f"s{i}") for i in range(3)]
    fit = fit_weibull(_exposures(tmp_path, old, 6, observed_from=date(2023, 1, 1),
                                 retire_per_year=0.1).select("fan"))  # fmt: skip
    assert fit.gof.verdict == "good", fit.gof.summary
    assert fit.gof.share_inside_km_band is not None and fit.gof.share_inside_km_band >= 0.9


def test_goodness_of_fit_is_unchecked_where_kaplan_meier_is_undefined() -> None:
    """One machine seen only at ages before any other is: nobody at risk between them,
    so KM is undefined there (lifelines raised, and the whole fit died); the Weibull is
    still fitted and the verdict says the check was not made."""
    install = date(2022, 1, 1)
    young = MachineHistory(
        machine="young", model=bundled_catalog().get("antminer-s21"), install=install,
        observed_from=install, observed_until=install + timedelta(days=9), failures={},
    )  # fmt: skip
    later = date(2023, 1, 1)
    rng = np.random.default_rng(1)
    old = [MachineHistory(
        machine=f"m{i}", model=bundled_catalog().get("antminer-s21"), install=install,
        observed_from=later, observed_until=later + timedelta(days=1200),
        failures={"psu": (later + timedelta(days=int(rng.integers(10, 1200))),)}
        if i % 3 == 0 else {},
    ) for i in range(40)]  # fmt: skip
    fit = fit_weibull(build_exposures([young, *old], ("psu",)))
    assert fit.gof.verdict == "unchecked" and fit.gof.share_inside_km_band is None
    assert "not compared with Kaplan–Meier" in fit.gof.summary


@pytest.mark.parametrize(
    "failures, reason",
    [
        ({}, "no failures"),
        ({0: [200]}, "same age"),
        ({i: [300] for i in range(20)}, "same age"),
    ],
)
def test_degenerate_data_fail_with_a_reason(failures: dict[int, list[int]], reason: str) -> None:
    histories = [_history(i, failures.get(i, [])) for i in range(30)]
    with pytest.raises(FitFailed, match=reason):
        fit_weibull(build_exposures(histories, ("psu",)))


def test_two_failures_never_hang_or_escape() -> None:
    """Tiny data either fit with finite intervals or fail with FitFailed."""
    histories = [_history(0, [10]), _history(1, [990])] + [_history(i, []) for i in range(2, 5)]
    try:
        fit = fit_weibull(build_exposures(histories, ("psu",)))
    except FitFailed:
        return
    assert all(math.isfinite(v) for v in (*fit.shape_ci95, *fit.first_year_failures_per_part_ci95))


@pytest.mark.parametrize(("m1", "machines", "said"), [
    (M1_TRUE, 400, []),  # near the bundled fan rate, many failures: nothing to say
    (1.5, 200, ["more than one a slot", "× the bundled rate"]),  # a log counting twice?
    (M1_TRUE, 12, ["fewer than 30: its intervals are rough"]),
])  # fmt: skip
def test_a_fit_says_when_it_is_rough_or_odd(
    tmp_path: Path, m1: float, machines: int, said: list[str]
) -> None:
    """docs/calibration.md: fewer than 30 failures give rough intervals; a first-year
    rate above one failure per slot, or ten times the bundled one, is more often the
    log's counting than the fleet's: the report says so, beside the number."""
    from hashshock.fit.rates import fit_loaded

    cohorts = [Cohort("antminer-s19", machines, date(2023, 1, 1), "a")]
    text = simulate_log(cohorts, observed_until=AS_OF, seed=4, priors=_priors(1.0, m1))
    path = tmp_path / "log.csv"
    path.write_text(text, encoding="utf-8")
    report = fit_loaded(load_histories([path], as_of=AS_OF), min_failures=5)
    (fan,) = [r for r in report.results if r.part == "fan"]
    assert fan.fit is not None
    notes = [n for n in report.notes if n.startswith("fan:")]
    for words in said:
        assert any(words in n for n in notes), (words, notes)
    if not said:
        assert not notes and 0.1 < (fan.ratio_to_default or 0.0) < 10


def test_failures_dated_between_scans_are_compared_over_their_interval() -> None:
    """20,000 slots of one install date, a Weibull (k 1.5, m₁ 5 %) seen by scans 30 days
    apart, each failure dated halfway between the scans that bound it: the true curve sat
    outside Kaplan–Meier's narrow band at half the ages ("poor" for a fleet of 5,000
    scanned monthly, the fit right). Compared over each failure's ± 15 days it is inside;
    a curve of twice the rate is outside still."""
    from hashshock.fit.gof import share_inside_km

    rng = np.random.default_rng(2)
    k, m1, slots, every, until = 1.5, 0.05, 20_000, 30.0, 720.0
    lam = m1 ** (-1 / k)  # years
    ages = lam * rng.weibull(k, slots) * 365.0  # days, first failure of each slot
    failed = ages <= until
    midpoint = (np.floor(ages / every) + 0.5) * every  # halfway between the bounding scans
    exit_ = np.where(failed, midpoint, until) / 365.0
    entry, event, weight = np.zeros(slots), failed.astype(np.float64), np.ones(slots)
    half = np.where(failed, every / 2 / 365.0, 0.0)
    exact, checked = share_inside_km(entry, exit_, event, weight, lam, k)
    assert exact is not None and exact < 0.7 and checked == until // every
    within, _ = share_inside_km(entry, exit_, event, weight, lam, k, half)
    assert within == 1.0
    wrong, _ = share_inside_km(entry, exit_, event, weight, lam / 2 ** (1 / k), k, half)
    assert wrong is not None and wrong < 0.2
