"""What a replacement machine delivers and costs (hashshock.industry.spot.ReplacementEconomics)
and where it mines (hashshock.industry.room.Room): new machines from the lines, used
ones of the buyer's own tiers, worked by hand."""

from __future__ import annotations

import dataclasses

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.conftest import small_fleet
from tests.engine.helpers import scenario

from hashshock.finance.moneyplan import MoneyPlan, compile_money
from hashshock.finance.reprice import FixedFlows
from hashshock.industry.distress import Seller, _position
from hashshock.industry.load import load_industry
from hashshock.industry.orders import alternative_lines
from hashshock.industry.room import Room
from hashshock.industry.spot import ReplacementEconomics, paying
from hashshock.inputs.catalog import bundled_catalog
from hashshock.inputs.industry import Distress
from hashshock.inputs.load import fleet_from_mapping
from hashshock.plan import compile_plan
from hashshock.plan.model import Plan


def _flat(delivered: float, power_usd_per_ths_day: float = 0.0) -> ReplacementEconomics:
    """A replacement delivering ``delivered`` of its nameplate every day."""
    return ReplacementEconomics(np.array([-np.inf]), np.array([delivered]),
                                np.array([power_usd_per_ths_day]))  # fmt: skip


def _fleet(**finance: object) -> tuple[Plan, MoneyPlan]:
    """The test fleet (200 S19j Pro of 100 TH/s at 30.5 J/TH, 100 S21 of 200 TH/s at
    17.5 J/TH: half its nameplate each) on one site, with a second site ``b`` added."""
    fleet = small_fleet(finance={"cash_usd": 1.0e6, **finance})
    fleet["sites"].append({"name": "b", "country": "US", "technicians": 2,
                           "curtail_below_hashprice_usd_per_ph_day": 35.0})  # fmt: skip
    fleet["spares"] = []
    loaded = fleet_from_mapping(fleet)
    plan = compile_plan(loaded, scenario(), 30)
    return plan, compile_money(loaded, plan)


def _seller(fixed_ths: float, days: int, room: Room, spot: float, used: float
            ) -> tuple[Seller, tuple[np.ndarray, None]]:  # fmt: skip
    fixed = FixedFlows(np.zeros((1, days)), np.zeros((1, days)), np.full((1, days), fixed_ths),
                       np.full((1, days), 1000.0), 0.0, {}, ())  # fmt: skip
    seller = Seller(member=None, scenario=1, weight=1.0, fixed=fixed,  # type: ignore[arg-type]
                    bought_ths=None, spot_ths=np.full((1, days), spot),
                    spot_paid_usd=np.zeros((1, days)), room=room)  # fmt: skip
    return seller, (np.full((1, days), used), None)


def test_replacements_mine_only_where_waiting_machines_leave_room() -> None:
    """A site's power is what its machines draw: replacement machines (new and used)
    mine in the room the machines waiting for parts beyond baseline's leave, and stand
    idle, still owned, once repaired machines come back — a temporary stop does not
    leave a fleet larger than baseline's. One path, four days; the fleet delivers 0.5 of
    its nameplate (half of it switched off), a replacement 0.97 of its own (its uptime);
    3 machines of 100 TH/s wait beyond baseline, then 1, then none."""
    days = 4
    fixed = FixedFlows(np.zeros((1, days)), np.zeros((1, days)), np.full((1, days), 500.0),
                       np.full((1, days), 1000.0), 0.0, {}, ())  # fmt: skip
    room = Room.of(np.array([[3, 3, 1, 0]], dtype=np.int32), np.zeros((1, days), dtype=np.int32),
                100.0, np.full((1, days), 50.0), _flat(0.97), _flat(0.97))  # fmt: skip
    seller = Seller(member=None, scenario=1, weight=1.0, fixed=fixed,  # type: ignore[arg-type]
                    bought_ths=None, spot_ths=np.array([[0.0, 200.0, 200.0, 200.0]]),
                    spot_paid_usd=np.zeros((1, days)), room=room)  # fmt: skip
    never = np.array([-1])
    position = _position(seller, never, Distress(sell_share=0.0))
    mining = np.minimum([0.0, 200.0, 200.0, 200.0], [300.0, 300.0, 100.0, 0.0])
    np.testing.assert_allclose(position.hashrate_ths[0], 500.0 + 0.97 * mining)
    np.testing.assert_allclose(position.nameplate_ths[0], [1000.0, 1200.0, 1200.0, 1200.0])
    unbounded = _position(dataclasses.replace(seller, room=None), never,
                          Distress(sell_share=0.0))  # fmt: skip
    np.testing.assert_allclose(unbounded.hashrate_ths[0], [500.0, 600.0, 600.0, 600.0])


def test_a_nan_hashprice_reaches_only_the_slices_that_run_every_day() -> None:
    economics = ReplacementEconomics(np.array([20.0, -np.inf, 10.0]), np.array([0.2, 0.5, 0.3]),
                                     np.zeros(3))  # fmt: skip
    hashprice = np.array([[np.nan, 15.0, 25.0, 5.0, -np.inf, np.inf]])
    reached = economics.reached(hashprice)
    np.testing.assert_array_equal(reached, [[1, 2, 3, 1, 1, 3]])
    running, _ = economics.levels()
    np.testing.assert_allclose(running[reached], [[0.5, 0.8, 1.0, 0.5, 0.5, 1.0]])


def test_new_replacements_take_the_room_before_used_ones() -> None:
    """Room for 300 TH/s, 200 new (0.97 delivered, $0.02 of power a delivered TH/s-day)
    and 200 used (0.9, $0.04) owned: the 200 new mine, and 100 of the used — the
    efficient machines take the freed power first; each pays its own power."""
    days = 2
    room = Room.of(np.full((1, days), 3, dtype=np.int32), np.zeros((1, days), dtype=np.int32),
                100.0, np.full((1, days), 50.0), _flat(0.97, 0.02), _flat(0.9, 0.04))  # fmt: skip
    seller, used = _seller(400.0, days, room, spot=200.0, used=200.0)
    at = _position(seller, np.array([-1]), Distress(sell_share=0.0), used)
    assert at.replacement_ths is not None and at.replacement_costs_usd is not None
    np.testing.assert_allclose(at.replacement_ths[0], 200 * 0.97 + 100 * 0.9)
    np.testing.assert_allclose(at.replacement_costs_usd[0], 200 * 0.97 * 0.02 + 100 * 0.9 * 0.04)
    np.testing.assert_allclose(at.nameplate_ths[0], 1400.0)  # all owned, mining or not


def test_a_replacement_runs_at_its_own_uptime_while_it_covers_its_power() -> None:
    """Small farms switch unprofitable machines off (about 40 % of their nameplate
    delivers): a new replacement runs at the fleet's uptime, not at that ratio, on the
    days the hashprice covers its power (break-even = J/TH × 24 × $/MWh / 1000, worked
    here from the lines' models and the farm's power price), and stands off below."""
    from hashshock.industry.simulate import prepare_industry

    loaded = load_industry()
    index = next(i for i, m in enumerate(loaded.members) if m.group == "small-farms")
    prepared = prepare_industry(loaded, ["baseline"]).members[index]
    plan, money = prepared.plans[0], prepared.money[0]
    assert money.cohort_breakeven_hashprice is not None  # the class switches off
    lines = alternative_lines(loaded.industry)
    j_per_th = (sum(s * bundled_catalog().get(str(line.model)).efficiency_j_per_th
                    for line, s in lines) / sum(s for _, s in lines))  # fmt: skip
    weight = plan.cohort_initial * plan.cohort_ths_per_machine
    price = float((money.cohort_power_price * weight).sum() / weight.sum())
    breakeven = j_per_th * 24 * price / 1000
    uptime = float((plan.cohort_uptime * weight).sum() / weight.sum())
    hashprice = np.array([[breakeven - 0.01, breakeven + 0.01, 40.0]])
    economics = ReplacementEconomics.new(loaded.industry, plan, money)
    np.testing.assert_allclose(economics.running(hashprice), [[0.0, uptime, uptime]])
    np.testing.assert_allclose(economics.at(hashprice)[1],
                               [[0.0, *[uptime * j_per_th * 24 * price / 1e6] * 2]])  # fmt: skip
    assert 0.9 < uptime < 1.0


def test_a_replacement_pays_its_own_power_whatever_the_fleet_delivers() -> None:
    """A fleet switched off (0 TH/s delivered) and one delivering 400 TH/s: the same
    replacements delivering 97 TH/s cost 97 × the power of a TH/s-day either way (they
    were free beside a fleet delivering nothing), and the fleet's own machines are what
    its running costs follow."""
    days, power = 2, 0.0252  # USD a TH/s-day: 17.5 J/TH at $60/MWh
    for own in (0.0, 400.0):
        room = Room.of(
            np.array([[1, 1]], dtype=np.int32),
            np.zeros((1, days), dtype=np.int32),
            100.0,
            np.full((1, days), 50.0),
            _flat(0.97, power),
            _flat(0.97, power),
        )
        seller, _ = _seller(own, days, room, spot=100.0, used=0.0)
        at = _position(seller, np.array([-1]), Distress(sell_share=0.0))
        assert at.replacement_ths is not None and at.replacement_costs_usd is not None
        np.testing.assert_allclose(at.replacement_ths[0], 97.0)
        np.testing.assert_allclose(at.replacement_costs_usd[0], 97.0 * power)
        np.testing.assert_allclose(at.hashrate_ths[0] - at.replacement_ths[0], own)


def test_the_payback_rule_worked_by_hand() -> None:
    """c ≤ D · u · (h / 1000 − e): at $16/TH, uptime 0.95 and $0.0168 of power a TH/s-day,
    h = $40/PH/day earns 0.95 × (0.040 − 0.0168) = $0.02204 a day, paying back in 726
    days — inside 730, not inside 700; below break-even nothing pays back; no rule (or no
    margin) leaves the cash limit as it is, and no cash limit becomes no limit."""
    economics = ReplacementEconomics(np.array([16.8]), np.array([0.95]), np.array([0.0168]))
    margin = economics.margin(np.array([[40.0, 16.0]]))
    np.testing.assert_allclose(margin, [[0.95 * (0.040 - 0.0168), 0.0]])
    price = np.full((1, 2), 16.0)
    limit = np.array([[5.0, 5.0]])
    np.testing.assert_array_equal(paying(limit, price, margin, 730), [[5.0, 0.0]])
    np.testing.assert_array_equal(paying(limit, price, margin, 700), [[0.0, 0.0]])
    np.testing.assert_array_equal(paying(None, price, margin, 730), [[np.inf, 0.0]])
    assert paying(limit, price, margin, None) is limit
    assert paying(None, price, None, 730) is None


def test_new_replacements_at_a_curtailing_site_stand_while_it_curtails() -> None:
    """Two sites, the second with three times the first's nameplate curtailing below
    $35/PH/day: a new replacement delivers the fleet's uptime above $35, a quarter of it
    between the break-even and $35 (the first site's share), nothing below the
    break-even — worked by hand from the fleet's cohorts."""
    fleet = small_fleet(finance={"cash_usd": 1.0e6, "switch_off_unprofitable": True})
    fleet["sites"].append({"name": "b", "country": "US", "technicians": 2,
                           "curtail_below_hashprice_usd_per_ph_day": 35.0})  # fmt: skip
    fleet["cohorts"] = [
        {"model": "antminer-s21", "count": 100, "site": "a", "install_date": "2024-06-01"},
        {"model": "antminer-s21", "count": 300, "site": "b", "install_date": "2024-06-01"},
    ]
    fleet["spares"] = []
    loaded = fleet_from_mapping(fleet)
    plan = compile_plan(loaded, scenario(), 30)
    economics = ReplacementEconomics.new(load_industry().industry, plan,
                                         compile_money(loaded, plan))  # fmt: skip
    breakeven = float(economics.threshold.min())
    assert breakeven < 34.0
    np.testing.assert_allclose(np.sort(economics.threshold), [breakeven, 35.0])
    uptime = float(economics.delivered.sum())
    running = economics.running(np.array([[breakeven - 0.01, 34.99, 35.0]]))
    np.testing.assert_allclose(running, [[0.0, 0.25 * uptime, uptime]])


def test_a_used_replacement_has_the_buyers_own_tiers_efficiency() -> None:
    """A used replacement is a machine of the buyer's own mix of tiers (what it is priced
    at): on the test fleet, half its nameplate S19j Pro (30.5 J/TH), half S21 (17.5 J/TH),
    switching unprofitable machines off, it delivers each cohort's share × uptime while
    the hashprice covers that cohort's power (J/TH × 24 × $/MWh / 1000) and draws that
    cohort's power — between the two break-evens only the S21 half runs; a new one (the
    lines' models) runs whole there."""
    plan, money = _fleet(switch_off_unprofitable=True)
    used = ReplacementEconomics.used(plan, money)
    j_per_th = plan.cohort_power_w / plan.cohort_ths_per_machine
    np.testing.assert_allclose(j_per_th, [30.5, 17.5])
    price = money.cohort_power_price
    breakeven = j_per_th * 24 * price / 1000
    between = float(breakeven.mean())
    hashprice = np.array([[breakeven[1] - 0.01, between, breakeven[0] + 0.01]])
    uptime = plan.cohort_uptime
    np.testing.assert_allclose(used.running(hashprice),
                               [[0.0, 0.5 * uptime[1], 0.5 * uptime.sum()]])  # fmt: skip
    power = 0.5 * uptime * j_per_th * 24 * price / 1e6
    np.testing.assert_allclose(used.at(hashprice)[1], [[0.0, power[1], power.sum()]])
    new = ReplacementEconomics.new(load_industry().industry, plan, money)
    assert new.running(np.array([[between]]))[0, 0] > 0.9


def test_a_used_replacement_of_a_fleet_that_never_switches_off_always_runs() -> None:
    """Without the switch-off policy and with no curtailing site, a used replacement
    delivers the fleet's nameplate-weighted uptime at any hashprice, at its
    nameplate-weighted power."""
    plan, money = _fleet(switch_off_unprofitable=False)
    assert money.cohort_breakeven_hashprice is None
    used = ReplacementEconomics.used(plan, dataclasses.replace(money, site_curtail_below=None))
    weight = plan.cohort_initial * plan.cohort_ths_per_machine
    uptime = float(np.average(plan.cohort_uptime, weights=weight))
    np.testing.assert_allclose(used.running(np.array([[0.0, 1e6]])), [[uptime, uptime]])


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.floats(-50, 100), st.floats(0, 1), st.floats(0, 0.1)),
                min_size=1, max_size=6),
       st.lists(st.floats(-60, 120), min_size=1, max_size=20))  # fmt: skip
def test_the_step_functions_are_the_sums_over_slices(
    slices: list[tuple[float, float, float]], hashprices: list[float]
) -> None:
    """u(h) and power(h) equal the direct sums over slices, and never fall as the
    hashprice rises (more of the machines cover their power)."""
    threshold, delivered, power = (np.array(column) for column in zip(*slices, strict=True))
    economics = ReplacementEconomics(threshold, delivered, power)
    h = np.sort(np.array(hashprices))[None, :]
    on = threshold[:, None] <= h[0][None, :]
    np.testing.assert_allclose(economics.running(h)[0], (delivered[:, None] * on).sum(axis=0),
                               atol=1e-12)  # fmt: skip
    np.testing.assert_allclose(economics.at(h)[1][0],
                               (delivered[:, None] * power[:, None] * on).sum(axis=0),
                               atol=1e-12)  # fmt: skip
    assert (np.diff(economics.running(h)[0]) >= -1e-12).all()


def test_an_order_half_used_is_judged_on_the_mix_of_its_machines() -> None:
    """c and m of an order half used: $16/TH new and $6/TH used make $11/TH; a new machine
    earning $0.02 and a used one (of the buyer's old tiers, switched off) $0 make $0.01 a
    TH/s-day — paying back in 1,100 days, where the new machine alone pays back in 800:
    inside 1,095 days alone, not as the order it is part of."""
    from hashshock.industry.spot import OrderEconomics

    order = OrderEconomics(new_margin=np.array([[0.02]]), used_margin=np.array([[0.0]]),
                           used_usd_per_ths=np.array([[6.0]]))  # fmt: skip
    price, margin = order.of_order(np.array([[16.0]]), 0.5)
    np.testing.assert_allclose(price, [[11.0]])
    np.testing.assert_allclose(margin, [[0.01]])
    assert paying(None, np.array([[16.0]]), order.new_margin, 1095)[0, 0] == np.inf
    assert paying(None, price, margin, 1095)[0, 0] == 0.0
    np.testing.assert_allclose(order.of_order(np.array([[16.0]]), 0.0)[1], order.new_margin)


def _room_by_arrays(room: Room, new_ths: np.ndarray | None, used_ths: np.ndarray | None
                    ) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """The room's mining as whole-array numpy (the formula the compiled kernel loops)."""
    free = np.maximum(room.waiting.astype(np.float64) - room.baseline, 0.0) * room.each
    delivered, power = np.zeros_like(free), np.zeros_like(free)
    for owned, economics, reached in ((new_ths, room.new, room.new_reached),
                                      (used_ths, room.used, room.used_reached)):  # fmt: skip
        if owned is None:
            continue
        mining = np.minimum(owned, free)
        free = free - mining
        running, drawn = economics.levels()
        delivered += mining * running[reached]
        power += mining * drawn[reached]
    return delivered, power


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**31), kinds=st.sampled_from(["both", "new", "used", "none"]),
       slices=st.integers(1, 6))  # fmt: skip
def test_the_compiled_room_equals_the_whole_array_formula_bit_for_bit(
    seed: int, kinds: str, slices: int
) -> None:
    """The settlement's kernel (hashshock.industry.compiled.room_mining) makes one pass
    over the path-days with the operations numpy made on whole arrays: same numbers, bit
    for bit, with either kind of replacement owned or none, on random rooms and steps."""
    rng = np.random.default_rng(seed)
    shape = (3, 17)

    def step() -> ReplacementEconomics:
        return ReplacementEconomics(rng.uniform(20, 60, slices), rng.uniform(0, 0.3, slices),
                                    rng.uniform(0, 0.05, slices))  # fmt: skip

    room = Room.of(rng.integers(0, 9, shape).astype(np.int32),
                   rng.integers(0, 5, shape).astype(np.int32), float(rng.uniform(50, 300)),
                   rng.uniform(10, 70, shape), step(), step())  # fmt: skip
    new = rng.uniform(0, 900, shape) if kinds in ("both", "new") else None
    used = rng.uniform(0, 900, shape) if kinds in ("both", "used") else None
    for got, want in zip(room.mining(new, used), _room_by_arrays(room, new, used), strict=True):
        assert np.array_equal(got, want)
