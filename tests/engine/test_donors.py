"""Cannibalisation (docs/model.md, *Cannibalisation*, C1–C3).

* parts are conserved: what the donors give is never more than they hold, never
  negative, and each part of a donor is counted once (the fleet's stock identity holds
  with the parts taken from donors as an inflow) under every kind of event;
* the rule itself, on one day: a short shelf takes exactly its shortfall, no more than
  its donors hold, and a donor stripped of a part stays stripped;
* more donors never deliver fewer TH/s-days on paired paths under sanctions;
* without donors every output is the run's without the mechanism, bit for bit, and the
  inputs' hash is unchanged.
"""

from __future__ import annotations

import dataclasses
from dataclasses import replace
from typing import Any

import numpy as np
from tests.conftest import small_fleet
from tests.engine.helpers import plan_for

from hashshock.engine import simulate
from hashshock.engine.core import Simulation
from hashshock.engine.output import EngineOutput
from hashshock.inputs.load import fleet_from_mapping
from hashshock.plan import Plan

#: A supply stop from day 20 for the rest of the run and a closed repair centre: spares
#: run out and are not replaced (the sanctions' mechanism, docs/decisions.md).
SANCTIONS = [
    {"type": "parts_supply_stop", "start_day": 20, "vendors": ["bitmain"]},
    {"type": "repair_centre_closed", "start_day": 20, "vendors": ["bitmain"]},
]
EVERY_EVENT = [
    {"type": "customs_hold", "hold_probability": 0.5, "hold_days": 20},
    {"type": "parts_supply_stop", "start_day": 40, "duration_days": 60},
    {"type": "repair_centre_closed", "start_day": 30, "duration_days": 50},
    {"type": "lead_time_change", "start_day": 20, "extra_days": 30},
]
#: Parts of an S19j Pro (data/models.csv): hashboards, fans, PSUs, control boards.
S19J_PARTS = np.array([3, 4, 1, 1])


def with_donors(machines: int, **fleet: Any) -> dict[str, Any]:
    """The small fleet with ``machines`` S19j Pro donors at site a (none: 0)."""
    mapping = small_fleet(**fleet)
    if machines:
        mapping["sites"][0]["donors"] = {"antminer-s19j-pro": machines}
    return mapping


def donor_parts_by_part(plan: Plan) -> np.ndarray:
    return np.bincount(plan.pool_part, weights=plan.donor_parts(), minlength=4).astype(int)


def test_donor_parts_are_their_models_parts_counted_once() -> None:
    """C1: 5 S19j Pros hold 15 hashboards, 20 fans, 5 PSUs, 5 control boards, all in the
    pools of site a's antminer-s19 family and none in the S21's."""
    plan = plan_for(with_donors(5))
    assert donor_parts_by_part(plan).tolist() == (5 * S19J_PARTS).tolist()
    s21 = np.array([family == "antminer-s21" for family in plan.pool_family])
    assert plan.donor_parts()[s21].sum() == 0


def test_parts_are_conserved_and_donors_give_at_most_what_they_hold() -> None:
    plan = plan_for(with_donors(20), EVERY_EVENT, horizon=240)
    sim = Simulation(plan, 40, seed=5)
    out = sim.run()
    taken = out.parts_from_donors.sum(axis=1)  # [P, 4]
    assert taken.sum() > 0 and (out.parts_from_donors >= 0).all()
    assert (taken <= donor_parts_by_part(plan)).all()
    # Per pool, what the donors hold at the end is what they held less what was taken.
    left = sim.donor_parts  # [P, J]
    assert (left >= 0).all() and np.array_equal(out.donor_parts_left, left)
    given = np.zeros_like(taken)
    np.add.at(given.T, plan.pool_part, (plan.donor_parts() - left).T)
    assert np.array_equal(given, taken)
    initial = np.array([plan.pool_on_hand[plan.pool_part == k].sum() for k in range(4)])
    stock = out.spares_on_hand[:, -1] + out.parts_in_repair[:, -1] + out.parts_on_order[:, -1]
    flows = initial + out.failures - out.scrapped - out.swaps + out.ordered + taken
    assert np.array_equal(stock, flows)


def test_one_day_of_the_rule() -> None:
    """No failures; 10 S19j Pros wait for a fan, 2 fans on the shelf, 1 donor (4 fans)
    and technicians to spare: day 0 takes all 4 of the donor's fans (short by 8), 6 are
    swapped; days 1 and 2 find 4 waiting, an empty shelf and the donor stripped of its
    fans: nothing more is taken, and no other part."""
    fleet = with_donors(1, sites=[{"name": "a", "technicians": 50}])
    fleet["cohorts"][0]["degraded"] = {"machines_down": {"fan": 10}}
    plan = plan_for(fleet, horizon=3)
    fans = (plan.pool_part == 1) & np.array([f == "antminer-s19" for f in plan.pool_family])
    on_hand = np.where(fans, 2, plan.pool_on_hand)
    plan = replace(plan, hazard=np.zeros_like(plan.hazard), pool_on_hand=on_hand, replenish=False)
    out = simulate(plan, 1, seed=1)
    assert out.parts_from_donors[0, :, 1].tolist() == [4, 0, 0]
    assert out.parts_from_donors[0, :, [0, 2, 3]].sum() == 0
    assert out.swaps[0, 1] == 6
    assert out.backorders[0, :, 1].tolist() == [4, 4, 4]
    s21_fans = on_hand[~fans & (plan.pool_part == 1)].sum()  # the S21's, untouched
    assert out.spares_on_hand[0, :, 1].tolist() == [s21_fans] * 3


def test_more_donors_never_deliver_less_under_sanctions_on_paired_paths() -> None:
    """0, 10 and 40 donors under a lasting supply stop, 100 paired paths: delivered
    TH/s-days never fall with more donors, path by path, and rise on average."""
    delivered = []
    for machines in (0, 10, 40):
        plan = plan_for(with_donors(machines), SANCTIONS, horizon=365)
        delivered.append(simulate(plan, 100, seed=3).hashrate_ths.sum(axis=1))
    none, some, many = delivered
    assert (some >= none).all() and (many >= some).all()
    assert many.mean() > some.mean() > none.mean()


def test_absent_donors_change_nothing() -> None:
    """A fleet without donors dumps as before (same inputs hash) and its plan has none."""
    loaded = fleet_from_mapping(small_fleet())
    assert "donors" not in loaded.fleet.sites[0].model_dump()
    assert plan_for(small_fleet()).donors == ()


def test_donors_never_needed_change_no_output() -> None:
    """Shelves that never run short (every pool 500 spares, replenished) with 30 donors:
    no part is taken, every output equals the run without donors, bit for bit, and the
    donors hold all their parts on the last day."""
    ample = [{"site": "a", "part": p, "on_hand": 500}
             for p in ("hashboard", "fan", "psu", "control_board")]  # fmt: skip
    without = simulate(plan_for(with_donors(0, spares=ample), EVERY_EVENT, horizon=200), 30, 2)
    plan = plan_for(with_donors(30, spares=ample), EVERY_EVENT, horizon=200)
    with_ = simulate(plan, 30, 2)
    assert with_.parts_from_donors.sum() == 0 and without.failures.sum() > 0
    for field in dataclasses.fields(EngineOutput):
        if field.name == "donor_parts_left":
            continue
        a, b = getattr(without, field.name), getattr(with_, field.name)
        assert np.array_equal(a, b), field.name
    assert not without.donor_parts_left.any()
    assert (with_.donor_parts_left == plan.donor_parts()).all()


def test_machines_set_aside_are_donors_of_their_own_model() -> None:
    """10 of the 200 S19j Pros set aside (cohorts[].set_aside) run as 190 mining and 10
    held as donors at the site, bit for bit; the defaults that scale with machines
    (spares of pools without an entry, technicians) still count the 200."""
    family_spares = [{"site": "a", "part": p, "family": f, "on_hand": 5}
                     for p in ("hashboard", "fan", "psu", "control_board")
                     for f in ("antminer-s19", "antminer-s21")]  # fmt: skip
    aside = small_fleet(spares=family_spares)
    aside["cohorts"][0]["set_aside"] = 10
    held = with_donors(10, spares=family_spares)
    held["cohorts"][0]["count"] = 190
    plans = [plan_for(fleet, SANCTIONS, horizon=200) for fleet in (aside, held)]
    assert plans[0].donors == plans[1].donors and plans[0].cohort_initial[0] == 190
    outs = [simulate(plan, 30, seed=8) for plan in plans]
    assert outs[0].parts_from_donors.sum() > 0
    for field in dataclasses.fields(EngineOutput):
        a, b = (getattr(out, field.name) for out in outs)
        assert np.array_equal(a, b), field.name
    defaults = small_fleet(spares=[], sites=[{"name": "a"}])
    by_default = plan_for(defaults)
    defaults["cohorts"][0]["set_aside"] = 10
    set_aside = plan_for(defaults)
    assert np.array_equal(set_aside.pool_on_hand, by_default.pool_on_hand)
    assert np.array_equal(set_aside.site_swaps_per_day, by_default.site_swaps_per_day)
