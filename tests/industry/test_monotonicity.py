"""Monotonicity on paired random numbers: a larger stockpile, same paths and seed."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import yaml

from hashshock.industry.api import industry
from hashshock.industry.load import industry_from_mapping
from hashshock.industry.simulate import MemberRun

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
