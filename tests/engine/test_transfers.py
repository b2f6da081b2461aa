"""Lateral transshipment (docs/model.md, *Lateral transshipment*, T1–T3).

* parts are conserved: what a site sends is on order at the other until it arrives,
  and the stock identity of the fleet holds on every path under every kind of event;
* the rule itself, on one day: an empty pool gets what it lacks, donors in site order
  give only what their own waiting machines do not need, and nothing is sent twice;
* two identical sites sharing their spares (a one-day transfer) have fewer machines
  waiting for a part than the same sites apart, on paired paths;
* the time a transfer takes and its cost act as they should.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
from tests.conftest import small_fleet
from tests.engine.helpers import plan_for

from hashshock.engine import simulate
from hashshock.engine.core import Simulation

PARTS = (("hashboard", 3), ("fan", 4), ("psu", 2), ("control_board", 2))


def twin_sites(transfer_days: int | None, **site: Any) -> dict[str, Any]:
    """Two identical sites a and b, 200 S19j Pros each, thin spares at both."""
    fleet = small_fleet(
        sites=[{"name": s, "technicians": 2, **site} for s in "ab"],
        cohorts=[{"model": "antminer-s19j-pro", "count": 200, "site": s,
                  "install_date": "2022-01-01"} for s in "ab"],
        spares=[{"site": s, "part": p, "on_hand": n} for s in "ab" for p, n in PARTS],
    )  # fmt: skip
    if transfer_days is not None:
        fleet["transshipment"] = {"transfer_days": transfer_days, "cost_usd_per_part": 40}
    return fleet


def test_parts_are_conserved_and_transfers_are_on_order_until_they_arrive() -> None:
    events = [{"type": "customs_hold", "hold_probability": 0.5, "hold_days": 20},
              {"type": "parts_supply_stop", "start_day": 60, "duration_days": 90},
              {"type": "repair_centre_closed", "start_day": 30, "duration_days": 40}]  # fmt: skip
    plan = plan_for(twin_sites(3), events, horizon=240)
    sim = Simulation(plan, 40, seed=5)
    out = sim.run()
    assert out.parts_transferred.sum() > 0  # the rule acted
    initial = np.array([plan.pool_on_hand[plan.pool_part == k].sum() for k in range(4)])
    stock = out.spares_on_hand[:, -1] + out.parts_in_repair[:, -1] + out.parts_on_order[:, -1]
    flows = initial + out.failures - out.scrapped - out.swaps + out.ordered
    assert np.array_equal(stock, flows)
    # What is in transfer on the last day was sent within the last transfer days.
    in_transfer = np.zeros((40, 4), np.int64)
    np.add.at(in_transfer.T, plan.pool_part, sim.transfers.in_transit.T)
    assert np.array_equal(in_transfer, out.parts_transferred[:, -3:].sum(axis=1))


def test_one_day_of_the_rule() -> None:
    """Day 0 with site a's fan shelf empty and 5 of its machines waiting for a fan: b
    (6 on its shelf, 1 machine of its own waiting and technicians for it) sends 5 once;
    they are on order at a, then on a's shelf after the transfer days."""
    fleet = twin_sites(2)
    fleet["spares"] = [{"site": s, "part": p, "on_hand": 100} for s in "ab" for p, _ in PARTS]
    fleet["spares"][1]["on_hand"] = 0  # a's fans
    fleet["cohorts"][0]["degraded"] = {"machines_down": {"fan": 5}}
    fleet["cohorts"][1]["degraded"] = {"machines_down": {"fan": 1}}
    plan = plan_for(fleet, horizon=4)
    on_hand = plan.pool_on_hand.copy()
    on_hand[(plan.pool_part == 1) & (plan.pool_site == 1)] = 6  # b's fans
    plan = replace(plan, hazard=np.zeros_like(plan.hazard), pool_on_hand=on_hand)
    out = simulate(plan, 1, seed=1)
    assert out.parts_transferred[0, :, 1].tolist() == [5, 0, 0, 0]
    # b swapped its own machine, kept nothing beyond it, and sent 5 to a.
    assert out.swaps[0, 1] == 1 + 5  # a's 5 are swapped on day 2, when they arrive
    assert out.backorders[0, :, 1].tolist() == [5, 5, 0, 0]


def test_two_sites_sharing_spares_have_fewer_machines_waiting_on_paired_paths() -> None:
    """Twin sites, thin shelves, a one-day transfer (0 days asked) against none, 300
    paths: the machine-days waiting for a part fall on average, by more than 4 standard
    errors of the paired difference."""
    apart = simulate(plan_for(twin_sites(None), horizon=365), 300, 2)
    pooled = simulate(plan_for(twin_sites(0), horizon=365), 300, 2)
    waiting_apart = apart.backorders[:, :, 1:].sum(axis=(1, 2))
    waiting_pooled = pooled.backorders[:, :, 1:].sum(axis=(1, 2))
    gain = waiting_apart - waiting_pooled
    assert gain.mean() > 4 * gain.std(ddof=1) / np.sqrt(len(gain))
    assert pooled.hashrate_ths.mean() > apart.hashrate_ths.mean()


def test_a_longer_transfer_leaves_more_machines_waiting() -> None:
    quick = simulate(plan_for(twin_sites(1), horizon=300), 200, 3)
    slow = simulate(plan_for(twin_sites(20), horizon=300), 200, 3)
    assert slow.backorders.sum() > quick.backorders.sum()
    assert slow.parts_on_order.sum() > quick.parts_on_order.sum()


def test_sites_with_no_family_in_common_are_told_transshipment_changes_nothing() -> None:
    """Spares fit one model family: between sites running different families no part can
    move, which the fleet's warnings say (the run is the same with or without it)."""
    from hashshock.inputs.load import fleet_from_mapping

    shared = twin_sites(1)
    assert not [w for w in fleet_from_mapping(shared).warnings if "transshipment" in w]
    apart = twin_sites(1)
    apart["cohorts"][1]["model"] = "whatsminer-m60s"
    apart["cohorts"][1]["install_date"] = "2025-01-01"
    apart["spares"] = [s for s in apart["spares"] if s["site"] == "a"]
    (said,) = [w for w in fleet_from_mapping(apart).warnings if "transshipment" in w]
    assert "no model family runs at two sites" in said
    alone = {k: v for k, v in apart.items() if k != "transshipment"}
    with_it = simulate(plan_for(apart, [], horizon=60), 8, 1)
    without = simulate(plan_for(alone, [], horizon=60), 8, 1)
    np.testing.assert_array_equal(with_it.hashrate_ths, without.hashrate_ths)


def test_the_run_reports_the_parts_moved_and_taken_from_donors() -> None:
    """The run's totals carry the spares sent between sites and the parts taken from donor
    machines, per part over the horizon, as the engine counted them (they were in no
    output: an operator could not see either mechanism work)."""
    import hashshock

    fleet = twin_sites(1)
    fleet["sites"][0]["donors"] = {"antminer-s19j-pro": 20}
    run = hashshock.run(fleet, "baseline", paths=12, horizon_days=150, seed=3)
    totals = run.to_dict()["totals"]
    out = run.output
    for key, counted in (("transferred_mean", out.parts_transferred),
                         ("from_donors_mean", out.parts_from_donors)):  # fmt: skip
        for k, part in enumerate(run.part_names):
            assert totals[key][part] == round(float(counted[:, :, k].sum(axis=1).mean()), 2)
        assert sum(totals[key].values()) > 0, key
