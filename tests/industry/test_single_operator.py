"""An industry of one operator reproduces `hashshock run` on its fleet, bit for bit."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import hashshock
from hashshock.industry.api import industry
from hashshock.industry.load import industry_from_mapping

ROOT = Path(__file__).resolve().parents[2]
FLEET = ROOT / "examples" / "midsize-public-miner" / "fleet.yaml"
SCENARIOS = ["baseline", "quiet-end"]  # priced on their own market by `run` (not network-wide)
PATHS, DAYS, SEED = 24, 120, 5


def _one_operator(feedback: bool) -> dict[str, object]:
    one: dict[str, object] = {
        "name": "one",
        "start_date": "2026-12-01",
        "network_feedback": feedback,
        "operators": [{"name": "midsize", "fleet": str(FLEET)}],
    }
    if feedback:  # the engine's machines: none sold, no order cancelled on a break
        one["distress"] = {"sell_share": 0.0, "cancel_orders": False}
    return one


@pytest.fixture(scope="module")
def runs() -> list[hashshock.RunResult]:
    return hashshock.compare(FLEET, SCENARIOS, paths=PATHS, horizon_days=DAYS, seed=SEED)


@pytest.mark.parametrize("feedback", [False, True])
def test_same_engine_numbers(runs: list[hashshock.RunResult], feedback: bool) -> None:
    loaded = industry_from_mapping(_one_operator(feedback))
    result = industry(loaded, SCENARIOS, PATHS, DAYS, SEED)
    for k, run in enumerate(runs):
        member = result.member_runs(k)[0]
        # The engine's output is the same with or without feedback: it is steered by the
        # scenario's market alone (docs/industry.md).
        assert np.array_equal(member.hashrate_ths, run.output.hashrate_ths)
        assert np.array_equal(result.us_hashrate_ths(k), run.output.hashrate_ths)
        assert run.money is not None and member.cash_usd is not None
        # Spares on the shelves do not depend on the market: the same as `run`'s.
        assert member.spares_value_usd is not None
        assert np.array_equal(member.spares_value_usd, run.money.spares_value_usd)
        if not feedback:  # priced on the same market as `run`: the same cash, bit for bit
            assert np.array_equal(member.cash_usd, run.money.flows.cash_usd)
            # and each covenant breaks on the same paths and days, under the same name,
            # but for the hashrate commitment, which does not break a member (an
            # investor's promise: docs/industry.md, "Distress spreads")
            covenants = {c.name: c.first_breach_day for c in run.money.covenants
                         if c.type != "hashrate_commitment"}  # fmt: skip
            assert len(covenants) < len(run.money.covenants)
            assert list(member.covenant_days) == list(covenants)
            for name, days in covenants.items():
                assert np.array_equal(member.covenant_days[name], days)
            group = result.to_dict()["scenarios"][SCENARIOS[k]]["groups"]["midsize"]
            said = run.to_dict()["finance"]["covenants"]
            for name, event in group["covenants"].items():
                assert event["probability"] == said[name]["probability_breach"]
            money, finance = group["money"], run.to_dict()["finance"]
            assert money["spares_value_end_usd"] == pytest.approx(
                finance["spares_value_usd_end"], abs=1.0)  # fmt: skip
            if k > 0:
                assert money["cash_and_spares_at_risk_usd"] == pytest.approx(
                    finance["vs_baseline"]["cash_and_spares_at_risk_usd"], abs=1.0)  # fmt: skip
        stages = run.stage_first_days()
        for name, days in member.stage_days.items():
            assert np.array_equal(days, stages[name])


def test_unlimited_vendor_lines_change_nothing() -> None:
    """Vendor lines with more capacity than anyone orders, and no market feedback: the
    orders ship on their own days and the engine's numbers are `compare`'s, bit for bit
    (customs-2024 holds orders at the border after they ship)."""
    scenarios = ["baseline", "customs-2024"]
    lines = [
        {"name": v, "vendor": v, "capacity_ehs_per_year": 5000} for v in ("bitmain", "microbt")
    ]
    mapping = {**_one_operator(False), "vendor_lines": lines}
    result = industry(industry_from_mapping(mapping), scenarios, PATHS, DAYS, SEED)
    runs = hashshock.compare(FLEET, scenarios, paths=PATHS, horizon_days=DAYS, seed=SEED)
    assert result.runs.lines is not None
    for k, run in enumerate(runs):
        member = result.member_runs(k)[0]
        assert np.array_equal(member.hashrate_ths, run.output.hashrate_ths)
        stages = run.stage_first_days()
        for name, days in member.stage_days.items():
            assert np.array_equal(days, stages[name])
        for line in result.runs.lines[k]:
            assert (line.made <= line.capacity).all()


def test_an_industry_s_scenario_object_or_mapping_brings_its_included_events() -> None:
    """A scenario given as an object or a mapping that includes a bundled one runs its
    events, as ``run`` does: the industry's operator sees the same customs holds as the
    included scenario's own run."""
    from hashshock.inputs.scenario import Scenario

    loaded = industry_from_mapping(_one_operator(False))
    fields = {"name": "mine", "include": ["sanctions"]}
    sizes = {"paths": 8, "horizon_days": 120, "seed": SEED}
    stages = []
    for scenario in ("sanctions", fields, Scenario.model_validate(fields)):
        data = industry(loaded, ["baseline", scenario], **sizes).to_dict()
        shocked = next(v for k, v in data["scenarios"].items() if k != "baseline")
        stages.append(shocked["groups"]["midsize"]["stages"])
    assert stages[0]["customs_delay"]["probability"] > 0
    assert stages[1] == stages[0] and stages[2] == stages[0]
