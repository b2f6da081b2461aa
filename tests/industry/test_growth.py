"""Planned growth: cancelled US orders, late orders, and growth moved overseas."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import yaml

from hashshock.industry.api import industry
from hashshock.industry.load import industry_from_mapping
from hashshock.industry.result import IndustryResult

ROOT = Path(__file__).resolve().parents[2]
FARM = ROOT / "examples" / "small-farm" / "fleet.yaml"
PATHS, DAYS = 30, 150
ORDER_THS = 400 * 270.0  # 400 S21 XP


def _run(tmp_path: Path, takes: float) -> IndustryResult:
    fleet: dict[str, Any] = yaml.safe_load(FARM.read_text())
    fleet["orders"] = [
        {"model": "antminer-s21-xp", "count": 400, "due_date": "2027-03-01", "site": "farm"}
    ]
    template = tmp_path / "farm.yaml"
    template.write_text(yaml.safe_dump(fleet))
    loaded = industry_from_mapping({
        "name": "growing", "start_date": "2026-12-01",
        "rest_of_world": {"takes_cancelled_us_orders": takes},
        "operators": [{"name": "farms", "template": str(template), "count": 20,
                       "machines_each": {"mean": 900}, "simulated": 2}],
    })  # fmt: skip
    return industry(loaded, ["baseline", "sanctions"], PATHS, DAYS, 2)


def test_cancelled_growth_moves_overseas(tmp_path: Path) -> None:
    """Under sanctions the listing cancels Bitmain orders (90 %): the cancelled nameplate
    is installed abroad from its due day (all of it with takes_cancelled_us_orders: 1,
    none with 0), world = US + rest + moved, and the US share is lower for it."""
    moved, kept = _run(tmp_path, 1.0), _run(tmp_path, 0.0)
    due = 90  # 2027-03-01
    k = moved.scenario_names.index("sanctions")
    assert moved.runs.networks is not None and kept.runs.networks is not None
    net, net_kept = moved.runs.networks[k], kept.runs.networks[k]
    runs = moved.member_runs(k)
    cancelled = sum(10.0 * r.growth.cancelled for r in runs if r.growth is not None)
    assert np.array_equal(net.moved_overseas_ths, cancelled)
    assert (net.moved_overseas_ths[:, :due] == 0).all()
    share_cancelled = (net.moved_overseas_ths[:, -1] > 0).mean()
    assert 0.6 <= share_cancelled <= 1.0
    np.testing.assert_allclose(
        net.market.network_hashrate_ths,
        net.us_ths + net.rest_of_world_ths + net.moved_overseas_ths, rtol=1e-12,
    )  # fmt: skip
    assert (net_kept.moved_overseas_ths == 0).all()
    hit = net.moved_overseas_ths[:, -1] > 0
    assert (net.us_share[hit, due:] < net_kept.us_share[hit, due:]).all()
    us = moved.to_dict()["scenarios"]["sanctions"]["us"]
    assert us["growth_planned_ehs"] == round(2 * 10 * ORDER_THS * 900 / 500 / 1e6, 3)
    base = moved.to_dict()["scenarios"]["baseline"]["us"]
    assert base["growth_cancelled_ehs"]["p95"][-1] == 0.0
    assert max(base["growth_late_ehs"]["p95"]) == 0.0
