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
from hashshock.inputs.scenario import Scenario

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


def _queued(loaded: LoadedIndustry, scenario: Any = "sanctions") -> Queued:
    """The queues under ``scenario`` (default sanctions: the listing cancels 90 % of
    Bitmain orders)."""
    chosen = ["baseline"] if scenario == "baseline" else ["baseline", scenario]
    inputs = prepare_industry(loaded, chosen, DAYS)
    seeds = [member_seed(SEED, i) for i in range(len(loaded.members))]
    plans = [m.plans[-1] for m in inputs.members]
    return queue_orders(loaded.industry, list(loaded.members), plans, seeds, PATHS, SEED)


def _lead_change(vendor: str, extra: int, start: int, end: int) -> Scenario:
    return Scenario.model_validate({"name": f"slow-{vendor}", "events": [{
        "name": "slow", "type": "lead_time_change", "vendors": [vendor], "start_day": start,
        "end_day": end, "extra_days": extra, "shipments": ["machines"]}]})  # fmt: skip


def test_a_lead_time_change_delays_the_vendors_own_line_not_an_alternative() -> None:
    """A licence delay of Bitmain's machines (days 30 to 200) ships each Bitmain order
    joining then 90 days after the queue makes it, and its line quotes 90 days more on
    those days; the same change on MicroBT, an alternative line, is the queue's to make
    (its orders and quotes as with no event)."""
    loaded = _industry(2.0)
    plain = _queued(loaded, "baseline")
    slow = _queued(loaded, _lead_change("bitmain", 90, 30, 200))
    inputs = prepare_industry(loaded, ["baseline"], DAYS)
    for i, (before, after) in enumerate(zip(plain.ship_days, slow.ship_days, strict=True)):
        assert before is not None and after is not None
        plan = inputs.members[i].plans[0]
        join = demand_paths(plan, PATHS, member_seed(SEED, i), SEED).join_day
        twins = {t.order for t in loaded.members[i].twins}
        for o in range(len(plan.order_count)):
            if o in twins or plan.vendor_names[plan.order_vendor[o]] != "bitmain":
                continue
            during = (join[o] >= 30) & (join[o] < 200)
            assert (after[o] == np.where(during, before[o] + 90, before[o])).all()
    quote = {line.name: line.lead_days for line in slow.lines}
    base_quote = {line.name: line.lead_days for line in plain.lines}
    days = np.arange(DAYS)
    np.testing.assert_allclose(quote["bitmain"] - base_quote["bitmain"],
                               np.broadcast_to(np.where((days >= 30) & (days < 200), 90, 0),
                                               (PATHS, DAYS)))  # fmt: skip
    other = _queued(loaded, _lead_change("microbt", 90, 30, 200))
    for before, after in zip(plain.ship_days, other.ship_days, strict=True):
        assert np.array_equal(before, after)  # type: ignore[arg-type]
    np.testing.assert_array_equal({line.name: line.lead_days for line in other.lines}["microbt"],
                                  base_quote["microbt"])  # fmt: skip


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
