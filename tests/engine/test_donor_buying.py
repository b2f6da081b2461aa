"""Donors bought during the run (docs/model.md, *Cannibalisation*, C4).

* the rule itself, on one review day, against numbers worked by hand: the donors
  bought cover the scarcest part, within the share and the budget, and the parts coming
  (shelf, repairs, spares on their way, donors held and bought) are counted first;
* donors arrive after the lead, less the dead on arrival, with their model's parts;
* conservation over a run: parts taken from donors never exceed what the donors
  delivered hold, spend is donors × their price and stays within the budget;
* under sanctions donors keep more TH/s-days than none, and no more than shelves that
  never run short; with no budget every output is the run's without the policy.
"""

from __future__ import annotations

import dataclasses

import numba
import numpy as np
from tests.conftest import small_fleet
from tests.engine.helpers import plan_for
from tests.engine.test_donors import S19J_PARTS, SANCTIONS

from hashshock.engine import simulate
from hashshock.engine.core import Simulation
from hashshock.engine.output import EngineOutput
from hashshock.engine.policies import DonorBuying, EconomyInputs
from hashshock.plan import Plan
from hashshock.plan.model import DonorPlan

UNIT_USD = 100.0


def buying(plan: Plan, paths: int, budget: float = 1e12, share: float = 1.0,
           review: int = 7, lead: int = 3, doa: float = 0.0) -> EconomyInputs:  # fmt: skip
    """Donors of both families at site a, ``UNIT_USD`` each."""
    groups = [DonorPlan(0, "antminer-s19", 1, (3, 4, 1, 1), "antminer-s19"),
              DonorPlan(0, "antminer-s21", 1, (3, 4, 1, 1), "antminer-s21")]  # fmt: skip
    parts = np.stack([plan.donor_parts((g,)) for g in groups])
    cost = np.full((len(groups), paths, plan.horizon_days), UNIT_USD)
    policy = DonorBuying(review_days=review, share=share, lead_days=lead, doa_share=doa,
                         parts=parts, unit_cost=cost, budget=np.full(paths, budget),
                         ths_each=np.array([100.0, 200.0]))  # fmt: skip
    return EconomyInputs(donors=policy)


def s19_pool(plan: Plan, part: int) -> int:
    return next(j for j in range(plan.n_pools)
                if plan.pool_part[j] == part and plan.pool_family[j] == "antminer-s19")  # fmt: skip


def review_day(share: float = 1.0, budget: float = 1e12) -> Simulation:
    """One path, S19j Pros: 9 wait for a fan (1 on the shelf, 2 in repair), 3 for a PSU
    (none anywhere), 5 dead boards (2 on the shelf, 3 on their way); the S21s want
    nothing. The review of day 0 alone, after the day's phases."""
    plan = plan_for(horizon=30)
    sim = Simulation(plan, 1, seed=1, economy=buying(plan, 1, budget, share))
    fan, board = s19_pool(plan, 1), s19_pool(plan, 0)
    sim.waiting[:] = 0
    sim.dead_run[:] = 0
    sim.on_hand[:] = 0
    sim.waiting[0, 0, 0] = 9  # fans: the first stop part
    sim.waiting[0, 0, 1] = 3  # PSUs
    sim.dead_run[0, 0] = 5
    sim.on_hand[0, fan] = 1
    sim.on_hand[0, board] = 2
    sim.repairs.add(0, 4, np.eye(plan.n_pools, dtype=np.int64)[None, fan] * 2)
    sim.replenishments.add(0, 4, np.eye(plan.n_pools, dtype=np.int64)[None, board] * 3)
    sim._buy_donors(0)
    return sim


def test_one_review_buys_for_the_scarcest_part() -> None:
    """Short: fans 9 − 1 − 2 = 6 (6/4 donors), PSUs 3 (3 donors), boards 5 − 2 − 3 = 0:
    ⌈max(1.5, 3)⌉ = 3 donors of the S19 family, none of the S21's; at share 0.5,
    ⌈1.5⌉ = 2; with 250 USD of budget, 2 (100 USD each)."""
    for sim, expected in ((review_day(), 3), (review_day(share=0.5), 2),
                          (review_day(budget=250.0), 2)):  # fmt: skip
        assert sim.out.donors_bought[0, 0] == expected
        assert sim.out.donor_spend[0, 0] == expected * UNIT_USD
        assert sim.donors_coming.in_transit[0].tolist() == [expected, 0]


def test_donors_on_their_way_count_as_coming() -> None:
    """The next review with the same waiting machines buys nothing: 3 donors on their
    way hold 12 fans and 3 PSUs, enough for the 6 and 3 short."""
    sim = review_day()
    sim._buy_donors(7)
    assert sim.out.donors_bought[0, 7] == 0


def test_donors_arrive_after_the_lead_with_their_parts() -> None:
    """3 donors bought on day 0 with a 3-day lead arrive on day 3: 9 boards, 12 fans,
    3 PSUs and 3 control boards in the S19 family's pools."""
    sim = review_day()
    sim._arrive_donors(2)
    assert sim.donor_parts.sum() == 0
    sim._arrive_donors(3)
    plan = sim.plan
    held = [int(sim.donor_parts[0, s19_pool(plan, k)]) for k in range(4)]
    assert held == (3 * S19J_PARTS).tolist() and sim.donor_parts.sum() == 3 * S19J_PARTS.sum()


def run(budget: float, doa: float = 0.0, paths: int = 60, spares: int | None = None
        ) -> tuple[Plan, EngineOutput]:  # fmt: skip
    fleet = small_fleet()
    if spares is not None:
        fleet["spares"] = [{"site": "a", "part": p, "on_hand": spares}
                           for p in ("hashboard", "fan", "psu", "control_board")]  # fmt: skip
    plan = plan_for(fleet, SANCTIONS, horizon=300)
    return plan, simulate(plan, paths, seed=4, economy=buying(plan, paths, budget, doa=doa))


def test_parts_taken_never_exceed_what_the_donors_delivered_hold() -> None:
    """Over a run under sanctions, 30 % dead on arrival: per part type, parts taken from
    donors ≤ the parts of the donors bought; spend = donors × 100 USD ≤ the budget."""
    budget = 20_000.0
    _, out = run(budget, doa=0.3)
    bought = out.donors_bought.sum(axis=1)  # [P]
    assert bought.sum() > 0
    taken = out.parts_from_donors.sum(axis=1)  # [P, 4]
    assert (taken <= bought[:, None] * S19J_PARTS[None, :]).all()
    assert np.allclose(out.donor_spend.sum(axis=1), bought * UNIT_USD)
    assert (out.donor_spend.sum(axis=1) <= budget).all()


def test_donors_keep_hashrate_between_none_and_ample_shelves() -> None:
    """Under sanctions, mean TH/s-days: no donors < donors bought ≤ 10,000 spares of every
    part on the shelf (shelves that never run short)."""
    _, none = run(0.0)
    _, some = run(1e9)
    _, ample = run(0.0, spares=10_000)
    delivered = [o.hashrate_ths.sum(axis=1).mean() for o in (none, some, ample)]
    assert delivered[0] < delivered[1] <= delivered[2] * (1 + 1e-9)


def test_no_budget_changes_no_output() -> None:
    """With no money to spend the policy buys nothing: every output equals the run without
    it, bit for bit (its review days run phase by phase, the others in spans)."""
    plan, with_policy = run(0.0)
    without = simulate(plan, 60, seed=4)
    for field in dataclasses.fields(EngineOutput):
        a, b = getattr(without, field.name), getattr(with_policy, field.name)
        assert np.array_equal(a, b), field.name


def test_spans_phases_threads_and_blocks_give_the_same_numbers() -> None:
    """The policy acts between whole days: a run with every day phase by phase, on one
    thread, or cut into blocks of paths (``first_path``) gives the run's numbers, bit for
    bit, 10 % dead on arrival (the driver's draws are per path)."""
    plan, whole = run(1e9, doa=0.1)
    assert whole.donors_bought.sum() > 0
    economy = buying(plan, 60, 1e9, doa=0.1)
    sim = Simulation(plan, 60, seed=4, economy=economy)
    sim.hook_days = lambda: np.ones(plan.horizon_days, dtype=bool)  # type: ignore[method-assign]
    by_phases = sim.run()
    threads = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one_thread = simulate(plan, 60, seed=4, economy=economy)
    finally:
        numba.set_num_threads(threads)
    for other in (by_phases, one_thread):
        for field in dataclasses.fields(EngineOutput):
            a, b = getattr(whole, field.name), getattr(other, field.name)
            assert np.array_equal(a, b), field.name
    blocks = [simulate(plan, b - a, seed=4, first_path=a, economy=buying(plan, b - a, 1e9, doa=0.1))
              for a, b in ((0, 25), (25, 60))]  # fmt: skip
    for name in ("hashrate_ths", "donors_bought", "donor_spend", "parts_from_donors"):
        joined = np.concatenate([getattr(block, name) for block in blocks])
        assert np.array_equal(joined, getattr(whole, name)), name


def test_no_donor_is_bought_that_would_arrive_after_the_horizon() -> None:
    """Reviews whose donors would arrive on or after the horizon buy none (lead 3)."""
    plan, out = run(1e9)
    last = plan.horizon_days - 3
    assert out.donors_bought[:, :last].sum() > 0
    assert out.donors_bought[:, last:].sum() == 0


def test_a_fleet_buys_nothing_after_its_buying_stops() -> None:
    """``buying_stops`` (an operator that broke): on each path no donor is bought after
    its day, and up to it the run is the one without the stop, bit for bit; a path whose
    stop is −1 buys as before."""
    plan = plan_for(small_fleet(), SANCTIONS, horizon=300)
    paths = 40
    free = simulate(plan, paths, seed=4, economy=buying(plan, paths))
    stops = np.where(np.arange(paths) % 2 == 0, 60, -1).astype(np.int64)
    economy = dataclasses.replace(buying(plan, paths), buying_stops=stops)
    stopped = simulate(plan, paths, seed=4, economy=economy)
    assert free.donors_bought[::2, 61:].sum() > 0  # there was something to stop
    assert stopped.donors_bought[::2, 61:].sum() == 0
    np.testing.assert_array_equal(stopped.donors_bought[:, :61], free.donors_bought[:, :61])
    np.testing.assert_array_equal(stopped.hashrate_ths[:, :61], free.hashrate_ths[:, :61])
    np.testing.assert_array_equal(stopped.donors_bought[1::2], free.donors_bought[1::2])
