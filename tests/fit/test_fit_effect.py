"""What a fitted row changes: next year's failures at the fleet's ages, bundled rows replaced."""

from __future__ import annotations

import csv
import io
import math
from datetime import date, timedelta
from pathlib import Path

import pytest
from scipy.integrate import quad

from hashshock.fit import (
    Cohort,
    MachineHistory,
    fit_failure_rates,
    load_histories,
    simulate_log,
)
from hashshock.fit.effect import next_year_failures, row_effects
from hashshock.inputs.catalog import FailurePrior, bundled_catalog, failure_priors

AS_OF = date(2026, 12, 1)


@pytest.mark.parametrize(("shape", "age"), [(1.0, 0.0), (1.0, 900.0), (1.6, 0.0), (1.6, 1100.0),
                                            (0.7, 400.0)])  # fmt: skip
def test_next_year_failures_integrate_the_hazard(shape: float, age: float) -> None:
    """Equation (1) is the integral of n·h(a) over the year, h = H' with
    H(a) = m₁ (a/365)^k; with k = 1 it is n·m₁ at any age."""
    m1, slots = 0.02, 3

    def hazard(a: float) -> float:
        return slots * m1 * shape / 365 * (a / 365) ** (shape - 1)

    integral, _ = quad(hazard, age, age + 365)
    assert next_year_failures(shape, m1, age, slots) == pytest.approx(integral, rel=1e-7)
    if shape == 1.0:
        assert next_year_failures(shape, m1, age, slots) == pytest.approx(slots * m1)


def test_a_lower_first_year_rate_can_mean_more_failures_at_the_fleets_age() -> None:
    """The case a first-year ratio hides: m₁ × 0.54 with a steeper shape gives more
    control-board failures to three-year-old machines (worked by hand)."""
    bundled = next_year_failures(1.1, 0.008, 3 * 365, 1)
    fitted = next_year_failures(1.42, 0.54 * 0.008, 3 * 365, 1)
    assert bundled == pytest.approx(0.008 * (4**1.1 - 3**1.1))
    assert fitted == pytest.approx(0.54 * 0.008 * (4**1.42 - 3**1.42))
    assert fitted / bundled > 1.0


def _histories(
    tmp_path: Path, cohorts: list[Cohort], priors: tuple[FailurePrior, ...] = ()
) -> tuple[tuple[MachineHistory, ...], str]:
    """Histories observed over [as_of, as_of + 365): failures of the year after as_of."""
    text = simulate_log(cohorts, observed_from=AS_OF, seed=11, priors=priors,
                        observed_until=AS_OF + timedelta(days=364))  # fmt: skip
    path = tmp_path / "year.csv"
    path.write_text(text, encoding="utf-8")
    return load_histories([path], as_of=AS_OF + timedelta(days=364)).histories, text


def test_expected_failures_match_a_simulated_year(tmp_path: Path) -> None:
    """The fitted row's expected failures are the mean of the failures the engine's
    failure process draws for these machines in the year after as_of (Poisson count,
    within 4 standard deviations)."""
    cohorts = [Cohort("antminer-s19j-pro", 2000, date(2021, 6, 1), "a"),
               Cohort("antminer-s21", 2000, date(2024, 9, 1), "b")]  # fmt: skip
    fan = FailurePrior("fan", "*", 1.8, 0.05, "test")
    histories, text = _histories(tmp_path, cohorts, (fan,))
    effect = row_effects(histories, {("fan", "*"): fan}, AS_OF)[("fan", "*")]
    drawn = sum(row["part"] == "fan" for row in csv.DictReader(io.StringIO(text)))
    assert abs(drawn - effect.fitted) < 4 * math.sqrt(effect.fitted)
    # The bundled side is each machine's own bundled row: the same sum by hand.
    catalog = bundled_catalog()
    bundled = sum(
        c.count * next_year_failures(1.6, 0.015, (AS_OF - c.install_date).days,
                                     catalog.get(c.model).parts_per_machine("fan"))
        for c in cohorts
    )  # fmt: skip
    assert next(p for p in failure_priors() if p.part == "fan").weibull_shape == 1.6
    assert effect.bundled == pytest.approx(bundled)


def test_bundled_rows_as_fitted_change_nothing(tmp_path: Path) -> None:
    histories, _ = _histories(tmp_path, [Cohort("antminer-s19", 50, date(2022, 1, 1), "a")])
    same = next(p for p in failure_priors() if p.part == "psu" and p.applies_to == "*")
    effect = row_effects(histories, {("psu", "*"): same}, AS_OF)[("psu", "*")]
    assert effect.fitted == pytest.approx(effect.bundled) and effect.ratio == pytest.approx(1)


def test_fitted_rows_name_the_bundled_rows_they_replace(tmp_path: Path) -> None:
    """A fitted S19 family row hides the bundled S19 XP hashboard row; the * row then
    hides no S19 row, and with no family row it hides every model or family row."""
    cohorts = [Cohort("antminer-s19-xp", 50, date(2023, 1, 1), "a"),
               Cohort("antminer-s21", 50, date(2024, 1, 1), "b")]  # fmt: skip
    histories, _ = _histories(tmp_path, cohorts)
    family = bundled_catalog().get("antminer-s19-xp").family
    bundled_specific = [p.applies_to for p in failure_priors()
                        if p.part == "hashboard" and p.applies_to != "*"]  # fmt: skip
    assert "antminer-s19-xp" in bundled_specific
    row = FailurePrior("hashboard", "*", 1.4, 0.012, "test")
    alone = row_effects(histories, {("hashboard", "*"): row}, AS_OF)
    assert set(alone[("hashboard", "*")].overrides) == set(bundled_specific)
    both = row_effects(histories, {("hashboard", "*"): row, ("hashboard", family): row}, AS_OF)
    assert "antminer-s19-xp" in both[("hashboard", family)].overrides
    assert "antminer-s19-xp" not in both[("hashboard", "*")].overrides
    # The S19 XP's bundled hashboard rate is 2.5 × the * row's: the same fitted row
    # gives those machines fewer failures than the engine expects without it.
    ratio = both[("hashboard", family)].ratio
    assert ratio is not None and ratio == pytest.approx(0.012 / 0.030)


def test_the_fit_reports_next_years_failures_and_replaced_rows() -> None:
    """On the bundled example log: every fitted row has its effect; the note names the
    S19 XP row the S19 family's hashboard row replaces."""
    report = fit_failure_rates("examples/midsize-public-miner/repairs.csv", as_of=AS_OF)
    fitted = [r for r in report.results if r.fit is not None]
    assert fitted and all(r.effect is not None and r.effect.fitted > 0 for r in fitted)
    assert any("replaces the bundled row(s) for antminer-s19-xp" in n for n in report.notes)


def test_next_years_failures_do_not_move_with_the_day_the_fit_is_run() -> None:
    """Ages are taken at each machine's last day in the log, not at --as-of (today by
    default): the same log fitted a year later says the same."""
    from hashshock.fit import fit_loaded, load_histories

    log = [Path("examples/midsize-public-miner/repairs.csv")]
    now = fit_failure_rates(log, as_of=AS_OF)
    a_year = AS_OF + timedelta(days=365)  # run a year on: today then too
    later = fit_loaded(load_histories(log, as_of=a_year, today=a_year))
    assert [r.effect for r in now.results] == [r.effect for r in later.results]
