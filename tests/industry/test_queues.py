"""Members' orders through the vendor lines: twins ship only where their original was
cancelled and placed again, and more capacity elsewhere never delays anyone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from hashshock.engine.orders import demand_paths
from hashshock.industry.load import LoadedIndustry, industry_from_mapping
from hashshock.industry.queues import Queued, queue_orders
from hashshock.industry.simulate import member_seed, prepare_industry

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "examples" / "small-farm" / "fleet.yaml"
PATHS, DAYS, SEED = 64, 365, 2


def _industry(microbt_ehs: float) -> LoadedIndustry:
    data: dict[str, Any] = {
        "name": "t",
        "start_date": "2026-12-01",
        "operators": [{
            "name": "farms", "template": str(TEMPLATE), "count": 50,
            "machines_each": {"mean": 2000, "cv": 0.5}, "simulated": 3,
            "growth": {"share_per_year": 0.6, "model": "antminer-s21-xp"},
        }],
        "vendor_lines": [
            {"name": "bitmain", "vendor": "bitmain", "capacity_ehs_per_year": 100},
            {"name": "microbt", "vendor": "microbt", "capacity_ehs_per_year": microbt_ehs,
             "model": "whatsminer-m60s"},
        ],
        "redirect": {"from_vendors": ["bitmain"], "share": 1.0},
    }  # fmt: skip
    return industry_from_mapping(data)


def _queued(loaded: LoadedIndustry) -> Queued:
    inputs = prepare_industry(loaded, ["baseline", "sanctions"], DAYS)
    k = 1  # sanctions: the listing cancels 90 % of Bitmain orders
    seeds = [member_seed(SEED, i) for i in range(len(loaded.members))]
    plans = [m.plans[k] for m in inputs.members]
    return queue_orders(loaded.industry, list(loaded.members), plans, seeds, PATHS, SEED)


def test_twins_ship_only_where_the_original_was_cancelled() -> None:
    loaded = _industry(2.0)
    queued = _queued(loaded)
    moved = 0
    for member, ship in zip(loaded.members, queued.ship_days, strict=True):
        assert ship is not None and member.twins
        for twin in member.twins:
            placed = ship[twin.order] >= 0
            assert not (placed & (ship[twin.original] >= 0)).any()
            moved += int(placed.sum())
    assert moved > 0
    for line in queued.lines:
        assert (line.made <= line.capacity * (1 + 1e-9)).all()  # float sums of TH/s


def test_more_alternative_capacity_never_delays_an_order() -> None:
    """Paired random numbers: the same orders, MicroBT's capacity × 4."""
    tight, ample = _queued(_industry(1.0)), _queued(_industry(4.0))
    for less, more in zip(tight.ship_days, ample.ship_days, strict=True):
        assert less is not None and more is not None
        assert np.array_equal(less < 0, more < 0)
        shipped = less >= 0
        assert (more[shipped] <= less[shipped]).all()
    lead = {line.name: line.lead_days for line in tight.lines}
    lead_more = {line.name: line.lead_days for line in ample.lines}
    assert (lead_more["microbt"] <= lead["microbt"] + 1e-9).all()
    assert (lead_more["microbt"] < lead["microbt"]).any()


def test_every_order_is_made_waiting_or_cancelled() -> None:
    """On Bitmain's line under sanctions, on the last day every order of the vendor
    that asked to join is made, waiting or cancelled by the scenario (TH/s,
    weighted), and orders are cancelled only on paths and days the vendor's supply is
    cut (the listing's order disruption)."""
    loaded = _industry(2.0)
    queued = _queued(loaded)
    line = next(line for line in queued.lines if line.vendor == "bitmain")
    made = line.made[:, :-1].sum(axis=1)  # before the last day, when the backlog is read
    assert (line.cancelled[:, -1] > 0).all()  # 90 % of twelve orders: some on every path
    inputs = prepare_industry(loaded, ["baseline", "sanctions"], DAYS)
    asked = np.zeros(PATHS)
    for i, member in enumerate(inputs.members):
        plan = member.plans[1]
        demand = demand_paths(plan, PATHS, member_seed(SEED, i), SEED)
        twins = {t.order for t in loaded.members[i].twins}
        for o in range(len(plan.order_count)):
            if o in twins or plan.vendor_names[plan.order_vendor[o]] != "bitmain":
                continue
            ths = loaded.members[i].loaded.model_of(loaded.members[i].loaded.fleet.orders[o].model)
            joins = np.ceil(demand.join_day[o]) <= DAYS - 1  # waiting on the last day
            work = float(plan.order_count[o]) * ths.hashrate_ths * loaded.members[i].weight
            asked += np.where(joins, work, 0.0)
    np.testing.assert_allclose(made + line.backlog[:, -1] + line.cancelled[:, -1], asked,
                               rtol=1e-9)  # fmt: skip
    new_cancel = np.diff(line.cancelled, axis=1, prepend=0.0) > 0
    assert not (new_cancel & ~line.supply_cut).any()
