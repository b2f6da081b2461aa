"""The articles' claims on the bundled `us` industry, with documented thresholds
(docs/industry.md, "What the tests hold it to")."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from hashshock.industry.api import industry
from hashshock.industry.load import load_industry
from hashshock.industry.result import IndustryResult

PATHS, DAYS, SEED = 40, 365, 0
#: Well-capitalised miners: large public, cash or liquidity above $1 B or all-S21 fleets.
WELL_CAPITALISED = ("mara", "cleanspark", "riot", "iren-us", "cipher")


@pytest.fixture(scope="module")
def result() -> IndustryResult:
    return industry(None, ["baseline", "quiet-end", "sanctions"], PATHS, DAYS, SEED)


@pytest.fixture(scope="module")
def data(result: IndustryResult) -> dict[str, Any]:
    return result.to_dict()


def test_sanctions_small_farms_break_before_well_capitalised(data: dict[str, Any]) -> None:
    """Operationally (hashrate 10 % below baseline), small farms go first on most paths;
    financially they break at least as often as without the shock."""
    sanctions = data["scenarios"]["sanctions"]
    before = sanctions["break_before"]["operational"]["small-farms"]
    for miner in WELL_CAPITALISED:
        assert before[miner] > 0.5, miner
    farms = sanctions["groups"]["small-farms"]
    baseline_farms = data["scenarios"]["baseline"]["groups"]["small-farms"]
    assert (
        farms["break"]["financial"]["probability"]
        >= baseline_farms["break"]["financial"]["probability"]
    )
    assert farms["stages"]["spares_depleted"]["probability"] >= 0.9
    for miner in WELL_CAPITALISED:
        group = sanctions["groups"][miner]
        assert group["break"]["financial"]["probability"] == 0.0, miner


def test_sanctions_us_share_falls(result: IndustryResult) -> None:
    """At 12 months US share is lower than baseline's on ≥ 90 % of paths, by ≥ 0.5 pp at
    the median, and US delivered hashrate is lower by ≥ 3 %."""
    names = result.scenario_names
    assert result.runs.networks is not None
    base, hit = (result.runs.networks[names.index(n)] for n in ("baseline", "sanctions"))
    drop = hit.us_share[:, -1] - base.us_share[:, -1]
    assert (drop < 0).mean() >= 0.9
    assert np.median(drop) <= -0.005
    us_base = result.us_hashrate_ths(0)[:, -1]
    us_hit = result.us_hashrate_ths(names.index("sanctions"))[:, -1]
    assert np.median(us_hit / us_base) <= 0.97


def test_quiet_end_barely_moves(result: IndustryResult) -> None:
    """Under quiet-end US share stays within 0.2 pp of baseline's at the median over paths
    on every day, and within 1 pp on every path and day (a class member that breaks a
    few days apart sells its machines on other days), and US hashrate within 0.5 % at
    the median."""
    names = result.scenario_names
    assert result.runs.networks is not None
    base, quiet = (result.runs.networks[names.index(n)] for n in ("baseline", "quiet-end"))
    gap = np.abs(quiet.us_share - base.us_share)
    assert np.median(gap, axis=0).max() <= 0.002
    assert gap.max() <= 0.01
    ratio = result.us_hashrate_ths(names.index("quiet-end")) / result.us_hashrate_ths(0)
    assert abs(np.median(ratio) - 1.0) <= 0.005


def test_sanctions_swamp_the_alternative_vendors(data: dict[str, Any]) -> None:
    """Orders cancelled at Bitmain and placed again queue at the other lines: under
    sanctions MicroBT's median lead time peaks at least 5 days above its peak under
    baseline and above 7 weeks, and Bitmain's US line (its imported components cut)
    quotes more than 2 months at the median on some day; under baseline that line never
    quotes more than its 6 weeks."""

    def peak(scenario: str, line: str, band: str = "p50") -> float:
        return max(data["scenarios"][scenario]["vendors"][line]["lead_time_days"][band])

    assert peak("sanctions", "microbt") >= peak("baseline", "microbt") + 5
    assert peak("sanctions", "microbt") > 49
    assert peak("sanctions", "bitmain-us-line") > 60
    assert peak("baseline", "bitmain-us-line") <= 42
    # Its own supply is never cut, its components' is: on every path where they are cut
    # on the last day its capacity is (1 − imported share) of baseline's (p5 = p50 = p95
    # when all paths are cut).
    us = {name: data["scenarios"][name]["vendors"]["bitmain-us-line"]
          for name in ("baseline", "sanctions")}  # fmt: skip
    assert max(us["sanctions"]["supply_cut_share"]) == 0
    assert "components_cut_share" not in us["baseline"] or not any(
        us["baseline"]["components_cut_share"]
    )
    assert us["sanctions"]["components_cut_share"][-1] == 1.0
    base, cut = (us[n]["capacity_ehs_per_year"]["p50"][-1] for n in ("baseline", "sanctions"))
    (line,) = [v for v in load_industry().industry.vendor_lines if v.name == "bitmain-us-line"]
    assert line.imported_components_share is not None
    assert cut == pytest.approx(base * (1 - line.imported_components_share), rel=1e-3)


def test_sanctions_make_used_antminers_hot(result: IndustryResult) -> None:
    """With Bitmain's new supply cut, the efficient used machines already in the US are
    worth more: at 3 months the < 19 and 19–25 J/TH tiers' used price is above
    baseline's on ≥ 90 % of paths, by ≥ 10 % at the median."""
    names = result.scenario_names
    settled = result.runs.settlements
    assert settled is not None
    base = settled[0].network.market.used_price_usd_per_th
    hit = settled[names.index("sanctions")].network.market.used_price_usd_per_th
    for tier in ("under19", "19to25"):
        ratio = hit[tier][:, 90] / base[tier][:, 90]
        assert (ratio > 1).mean() >= 0.9, tier
        assert np.median(ratio) >= 1.1, tier


def test_sanctions_spot_buyers_wait_well_beyond_six_weeks(data: dict[str, Any]) -> None:
    """Operators replacing the Bitmain machines they cannot repair buy on the spot from
    what contracted orders leave: under sanctions a spot order at MicroBT waits more than
    10 weeks at the median on some day, at Bitmain's US line more than 3 months."""
    vendors = data["scenarios"]["sanctions"]["vendors"]
    assert max(vendors["microbt"]["spot_lead_time_days"]["p50"]) > 70
    assert max(vendors["bitmain-us-line"]["spot_lead_time_days"]["p50"]) > 90
    assert "spot_lead_time_days" not in data["scenarios"]["baseline"]["vendors"]["microbt"]
