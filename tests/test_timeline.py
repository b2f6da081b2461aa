"""The articles' three-stage collapse, reproduced through the mechanism by the examples.

With bundled defaults the mid-size example under ``sanctions`` must show the
customs delay in months 0-2, spares depleted in months 2-6 and the hashrate
decline in months 6-12; ``baseline`` shows no decline; the well-capitalised
fleet lasts longer and the small farm breaks sooner.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest
from tests.conftest import EXAMPLES

import hashshock

PATHS = 200
MONTH = 30.4


@cache
def _run(example: str, scenario: str, horizon: int = 365) -> dict[str, Any]:
    result = hashshock.run(EXAMPLES / example / "fleet.yaml", scenario, paths=PATHS,
                           horizon_days=horizon, seed=2026)  # fmt: skip
    return result.to_dict()


def _stages(example: str, scenario: str, horizon: int = 365) -> dict[str, Any]:
    return dict(_run(example, scenario, horizon)["stages"])


def test_midsize_sanctions_timeline() -> None:
    stages = _stages("midsize-public-miner", "sanctions")
    customs, depleted, decline = (
        stages["customs_delay"],
        stages["spares_depleted"],
        stages["hashrate_decline"],
    )
    assert customs["probability"] > 0.9 and customs["day_p50"] <= 2 * MONTH
    assert depleted["probability"] > 0.9 and 2 * MONTH <= depleted["day_p50"] <= 6 * MONTH
    assert decline["probability"] > 0.5 and 6 * MONTH <= decline["day_p50"] <= 12 * MONTH
    assert customs["day_p50"] < depleted["day_p50"] < decline["day_p50"]


def test_midsize_baseline_has_no_decline_and_no_stockout() -> None:
    """Baseline's own decline stage is measured against itself and cannot fire, so the
    absence of a collapse is checked on absolute figures: the median availability a
    year on within 3 % of day 0's (ageing machines fail a little more), the p5 path
    within 5 %, no part stocked out and nothing held at customs on any path."""
    run = _run("midsize-public-miner", "baseline")
    availability = run["daily"]["availability"]
    assert availability["p50"][-1] >= 0.97 * availability["p50"][0]
    assert availability["p5"][-1] >= 0.95 * availability["p5"][0]
    assert run["stages"]["customs_delay"]["probability"] == 0.0
    assert run["stages"]["spares_depleted"]["probability"] == 0.0


@pytest.mark.parametrize("scenario", ["customs-2024", "quiet-end", "mitigation"])
def test_milder_paths_do_not_collapse_within_a_year(scenario: str) -> None:
    stages = _stages("midsize-public-miner", scenario)
    assert stages["hashrate_decline"]["probability"] < 0.5


def test_stockpile_lasts_longer_and_small_farm_breaks_sooner() -> None:
    mid = _stages("midsize-public-miner", "sanctions", 730)
    rich = _stages("well-capitalised", "sanctions", 730)
    small = _stages("small-farm", "sanctions", 730)

    def day(stages: dict[str, Any], stage: str) -> float:
        s = stages[stage]
        return float("inf") if s["day_p50"] is None or s["probability"] < 0.5 else s["day_p50"]

    for stage in ("spares_depleted", "hashrate_decline"):
        assert day(small, stage) < day(mid, stage) < day(rich, stage), stage
    assert day(rich, "spares_depleted") > day(mid, "spares_depleted") + 180
