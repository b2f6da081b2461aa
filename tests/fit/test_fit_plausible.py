"""A part kept at the bundled rate for want of failures: the failures the bundled rate
predicts over the observed ages, and a warning when the data disagree with it."""

from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path

import pytest
from tests.fit.conftest import Invoke, WriteLog

from hashshock.fit import fit_loaded, load_histories
from hashshock.fit.plausible import poisson_two_sided_p

HEADER = "machine,model,part,install_date,failure_date,observed_until,observed_from"
# Bundled control_board row (data/failure_rates.csv): k = 1.1, m₁ = 0.8 %; 1 per S19j Pro.
K, M1 = 1.1, 0.008
# Each machine: installed 2022-01-01, observed from age 365 days (2023-01-01) to the end
# of 2024-12-31 (age 1096 days): H(a_end) − H(a₀) = m₁·((1096/365)^k − 1).
PER_MACHINE = M1 * ((1096 / 365) ** K - 1.0)


def _log(write_log: WriteLog, machines: int, failures: int) -> Path:
    rows = [f"m{i},antminer-s19j-pro,,2022-01-01,,2024-12-31,2023-01-01" for i in range(machines)]
    rows += [f"m{i},antminer-s19j-pro,control_board,,2024-06-01,,"
             for i in range(failures)]  # fmt: skip
    return write_log(*rows, header=HEADER)


@pytest.mark.parametrize(("machines", "failures"), [(500, 0), (500, 1), (50, 0)])
def test_predicted_failures_and_poisson_tail_match_hand_computation(
    write_log: WriteLog, machines: int, failures: int
) -> None:
    """μ = machines · m₁ · ((1096/365)^k − 1), and the two-sided tail of D ≤ 1 is
    2·e^(−μ)·Σ_{x≤D} μ^x/x! (the lower tail is the smaller one here)."""
    path = _log(write_log, machines, failures)
    report = fit_loaded(load_histories([path], as_of=date(2026, 11, 30)))
    board = next(r for r in report.results if r.part == "control_board")
    mu = machines * PER_MACHINE
    assert board.fit is None and board.bundled_expected == pytest.approx(mu, rel=1e-9)
    tail = 2 * math.exp(-mu) * sum(mu**x / math.factorial(x) for x in range(failures + 1))
    assert board.bundled_p_value == pytest.approx(min(1.0, tail), rel=1e-9)
    said = [w for w in report.warnings if w.startswith("control_board:")]
    if tail < 0.01:  # 500 machines: μ ≈ 9.4, p ≈ 1.7e-4 (0) and 1.7e-3 (1)
        assert len(said) == 1 and "the data disagree" in said[0] and f"{mu:.2g}" in said[0]
    else:  # 50 machines: μ ≈ 0.94, p ≈ 0.78
        assert said == []
    (note,) = [n for n in report.notes if n.startswith("control_board:")]
    assert f"the bundled rates predict {mu:.2g} over the observed ages" in note


def test_poisson_tail_in_both_directions() -> None:
    """Known values: D = 0 under μ = 3 → 2e^(−3); D = 8 under μ = 3 → 2·P(X ≥ 8), the
    upper tail 1 − Σ_{x≤7} e^(−3)3^x/x!; D = μ's mode → capped at 1."""
    assert poisson_two_sided_p(0, 3.0) == pytest.approx(2 * math.exp(-3))
    upper = 1 - sum(math.exp(-3) * 3**x / math.factorial(x) for x in range(8))
    assert poisson_two_sided_p(8, 3.0) == pytest.approx(2 * upper)
    assert poisson_two_sided_p(3, 3.0) == 1.0
    assert poisson_two_sided_p(0, 0.0) == 1.0 and poisson_two_sided_p(2, 0.0) == 0.0


def test_many_failures_at_one_age_warn_on_stderr_and_json(
    invoke: Invoke, write_log: WriteLog
) -> None:
    """12 of 12 machines failing on their first day: the fit cannot estimate a shape and
    keeps the bundled rate, which predicts far under one failure: a warning says so."""
    rows = [f"m{i},antminer-s19j-pro,fan,2026-11-29,2026-11-30,2026-11-30," for i in range(12)]
    path = write_log(*rows, header=HEADER)
    code, stdout, err = invoke(str(path), "--as-of", "2026-11-30", "--json", "-")
    assert code == 0, err
    data = json.loads(stdout)
    fan = next(r for r in data["results"] if r["part"] == "fan")
    # 12 machines × 4 fans × m₁ (2/365)^1.6 (bundled fan row 1.6, 1.5 %)
    assert fan["expected_failures_bundled"] == pytest.approx(12 * 4 * 0.015 * (2 / 365) ** 1.6)
    assert fan["bundled_p_value"] < 1e-16
    (warning,) = [w for w in data["warnings"] if w.startswith("fan:")]
    assert "12 failures observed" in warning and "p < 1e-16" in warning
    assert "warning: fan: 12 failures observed" in err
