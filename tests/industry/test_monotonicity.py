"""Monotonicity on paired random numbers: a larger stockpile, same paths and seed."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import yaml

from hashshock.industry.api import industry
from hashshock.industry.load import industry_from_mapping
from hashshock.industry.simulate import MemberRun
from hashshock.market.config import market_from_mapping

ROOT = Path(__file__).resolve().parents[2]
FARM = ROOT / "src" / "hashshock" / "data" / "industry" / "us" / "templates" / "small-farm.yaml"
PATHS, DAYS, SEED = 100, 365, 3


def _farm_under_sanctions(tmp_path: Path, spares_multiple: int) -> MemberRun:
    fleet = yaml.safe_load(FARM.read_text())
    fleet["spares"] = [dict(s, on_hand=s["on_hand"] * spares_multiple) for s in fleet["spares"]]
    file = tmp_path / f"farm-{spares_multiple}.yaml"
    file.write_text(yaml.safe_dump(fleet))
    loaded = industry_from_mapping({
        "name": "one-farm", "start_date": "2026-12-01",
        "operators": [{"name": "farm", "fleet": str(file)}],
    })  # fmt: skip
    return industry(loaded, ["baseline", "sanctions"], PATHS, DAYS, SEED).member_runs(1)[0]


def test_larger_stockpile_never_delivers_less(tmp_path: Path) -> None:
    """On every path, more spares deliver at least as many TH/s-days; decline and
    financial breaks are no more likely. (A break can come earlier on a single path: the
    larger base-stock target also buys more parts, which costs cash.)"""
    runs = [_farm_under_sanctions(tmp_path, k) for k in (1, 3, 10)]
    for less, more in itertools.pairwise(runs):
        assert (more.hashrate_ths.sum(axis=1) >= less.hashrate_ths.sum(axis=1)).all()
        declined = [(r.stage_days["hashrate_decline"] >= 0).mean() for r in (less, more)]
        assert declined[1] <= declined[0]
        broke = [(r.break_day >= 0).mean() for r in (less, more)]
        assert broke[1] <= broke[0]
    assert np.mean(runs[-1].stage_days["spares_depleted"] >= 0) < np.mean(
        runs[0].stage_days["spares_depleted"] >= 0
    )


HOSTED = FARM.with_name("hosted-client.yaml")


def test_dearer_used_machines_never_breach_ltv_earlier() -> None:
    """A larger used-price premium while Bitmain's supply is cut (the market's
    ``jump_on_supply_cut``) makes the machines behind an ASIC loan worth more: on every
    path the LTV covenant, and the member's first break, come no earlier. This is why a
    lender holding LTV-tested loans can lose less under sanctions than under baseline
    (docs/industry.md, "A lender's view")."""
    loaded = industry_from_mapping({
        "name": "one-client", "start_date": "2026-12-01",
        "operators": [{"name": "client", "template": str(HOSTED), "machines": 3000}],
    })  # fmt: skip
    runs = []
    for premium in (0.0, 0.24, 0.6):
        tiers = {t: {"jump_on_supply_cut": premium} for t in ("under19", "19to25", "25to38")}
        market = market_from_mapping({"used_prices": {"tiers": tiers}})
        runs.append(industry(loaded, ["baseline", "sanctions"], PATHS, DAYS, SEED,
                             market=market).member_runs(1)[0])  # fmt: skip
    never = np.iinfo(np.int64).max
    for cheaper, dearer in itertools.pairwise(runs):
        for days in ("ltv", None):
            first = [r.covenant_days[days] if days else r.break_day for r in (cheaper, dearer)]
            a, b = (np.where(d >= 0, d, never) for d in first)
            assert (b >= a).all()
    ltv = [float((r.covenant_days["ltv"] >= 0).mean()) for r in runs]
    assert ltv[-1] < ltv[0]  # the premium matters on these paths, not only never hurts
