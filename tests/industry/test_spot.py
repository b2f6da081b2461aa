"""Replacement orders on the spot (hashshock.industry.spot): what is ordered, and that
they take only what contracted orders leave of a line."""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hashshock.industry.api import industry
from hashshock.industry.load import industry_from_mapping, load_industry
from hashshock.industry.result import IndustryResult
from hashshock.industry.spot import spot_orders
from hashshock.inputs.files import read_yaml_mapping

PATHS, DAYS, SEED = 12, 365, 1


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**31), st.floats(0.0, 1.0), st.integers(1, 60))
def test_orders_cover_a_share_of_the_extra_machines_waiting_once(
    seed: int, share: float, review: int
) -> None:
    """On review days the orders add up to share × the extra machines waiting (never
    less than ordered before, never a negative order), and nothing between reviews."""
    rng = np.random.default_rng(seed)
    waiting = rng.integers(0, 50, (3, 120)).astype(np.int32)
    base = rng.integers(0, 30, (3, 120)).astype(np.int32)
    ordered = spot_orders(waiting, base, share, review)
    assert (ordered >= 0).all()
    off_review = np.ones(120, dtype=bool)
    off_review[::review] = False
    assert (ordered[:, off_review] == 0).all()
    placed = np.cumsum(ordered, axis=1)
    extra = np.maximum(waiting.astype(float) - base, 0.0)
    for day in range(0, 120, review):
        np.testing.assert_allclose(placed[:, day], np.maximum.accumulate(
            share * extra[:, ::review], axis=1)[:, day // review])  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**31), st.floats(0.0, 1.0), st.integers(1, 60), st.floats(0.0, 3.0))
def test_orders_never_exceed_what_cash_above_the_floor_pays_for(
    seed: int, share: float, review: int, richer: float
) -> None:
    """With B(r) machines affordable on each review day, the machines on order by r are
    the running maximum of min(share · X, B) — never more than cash paid for when each
    order was placed; no limit gives the unlimited orders bit for bit; more cash on
    every review day never orders fewer machines."""
    rng = np.random.default_rng(seed)
    waiting = rng.integers(0, 50, (3, 120)).astype(np.int32)
    base = rng.integers(0, 30, (3, 120)).astype(np.int32)
    reviews = len(range(0, 120, review))
    budget = rng.uniform(0.0, 20.0, (3, reviews))
    placed = np.cumsum(spot_orders(waiting, base, share, review, budget), axis=1)
    extra = np.maximum(waiting.astype(float) - base, 0.0)[:, ::review]
    np.testing.assert_allclose(placed[:, ::review], np.maximum.accumulate(
        np.minimum(share * extra, budget), axis=1))  # fmt: skip
    unlimited = spot_orders(waiting, base, share, review)
    np.testing.assert_array_equal(
        spot_orders(waiting, base, share, review, np.full((3, reviews), np.inf)), unlimited
    )
    more = np.cumsum(spot_orders(waiting, base, share, review, budget * (1.0 + richer)), axis=1)
    assert (more >= placed - 1e-9).all()


def _bundled(replacement: bool) -> dict[str, Any]:
    bundled = load_industry()
    assert bundled.path is not None
    data = copy.deepcopy(read_yaml_mapping(bundled.path))
    for op in data["operators"]:
        op["template"] = str(bundled.path.parent / op["template"])
    if not replacement:
        data.pop("replacement")
    return data


@pytest.fixture(scope="module")
def paired() -> tuple[IndustryResult, IndustryResult]:
    runs = [industry(industry_from_mapping(_bundled(r)), ["baseline", "sanctions"], PATHS, DAYS,
                     SEED) for r in (False, True)]  # fmt: skip
    return runs[0], runs[1]


def test_spot_orders_take_only_what_contracted_orders_leave(
    paired: tuple[IndustryResult, IndustryResult],
) -> None:
    """Contracted orders ship as without replacements; contracted plus spot output never
    exceeds a line's capacity; a spot order waits at least as long as a contracted one."""
    without, with_spot = paired
    assert without.runs.lines is not None and with_spot.runs.lines is not None
    spots = with_spot.runs.spots
    assert spots is not None and spots[0] is None and spots[1] is not None
    for k in (0, 1):
        for a, b in zip(without.runs.lines[k], with_spot.runs.lines[k], strict=True):
            np.testing.assert_array_equal(a.made, b.made)
    flows = {line.name: line for line in with_spot.runs.lines[1]}
    for line in spots[1].lines:
        contracted = flows[line.name]
        assert (contracted.made + line.made <= contracted.capacity * (1 + 1e-9) + 1e-6).all()
        # leftover capacity is spread over its day: a spot order can start up to a day
        # before the contracted backlog of that day is done
        spot_lead = np.nan_to_num(line.lead_days, posinf=1e9)
        assert (spot_lead >= np.nan_to_num(contracted.lead_days, posinf=1e9) - 1.0).all()


def test_a_spot_machine_arrives_no_sooner_than_the_lines_lead_time(
    paired: tuple[IndustryResult, IndustryResult],
) -> None:
    """A spot order waits the line's lead time with no queue, plus the queue: no spot
    machine is delivered sooner than the shortest such lead after the first spot order
    on its path."""
    _, with_spot = paired
    spots = with_spot.runs.spots
    assert spots is not None and spots[1] is not None and with_spot.runs.lines is not None
    shortest = min(line.base_lead_days for line in with_spot.runs.lines[1])
    ordering = spots[1].ordered_ths > 0
    first = np.where(ordering.any(axis=1), ordering.argmax(axis=1), DAYS)
    days = np.arange(DAYS)[None, :]
    delivered = [d for d in spots[1].delivered_ths if d is not None]
    assert delivered and any(d[:, -1].max() > 0 for d in delivered)
    for mine in delivered:
        assert (mine[days < (first + shortest)[:, None]] == 0).all()


def test_replacements_deliver_hashrate_under_sanctions(
    paired: tuple[IndustryResult, IndustryResult],
) -> None:
    """Machines ordered on the spot arrive and mine: under sanctions some EH/s of
    replacements are delivered within the year, and before any member's money reacts
    (the first two months) US hashrate is never lower with them."""
    without, with_spot = paired
    data = with_spot.to_dict()["scenarios"]["sanctions"]["us"]
    assert data["replacement_ordered_ehs"]["p50"][-1] > 0
    assert data["replacement_delivered_ehs"]["p95"][-1] > 0
    early = slice(0, 60)
    assert (with_spot.us_hashrate_ths(1)[:, early] >= without.us_hashrate_ths(1)[:, early]
            - 1e-6).all()  # fmt: skip


def _small_farms(finance: dict[str, Any]) -> IndustryResult:
    """The bundled small farms alone (2 members), with ``finance``, under sanctions."""
    data = _bundled(True)
    data["operators"] = [dict(op, simulated=2, finance=finance) for op in data["operators"]
                         if op["name"] == "small-farms"]  # fmt: skip
    data.pop("portfolio")
    return industry(industry_from_mapping(data), ["baseline", "sanctions"], PATHS, DAYS, SEED)


def test_an_operator_at_its_liquidity_floor_buys_no_replacements() -> None:
    """Spot orders are paid from cash above the floor: farms with cash to spare replace
    machines under sanctions, the same farms whose floor is above any cash they could
    have order none."""
    rich = _small_farms({"cash_usd": 1.0e9})
    floored = _small_farms({"cash_usd": 2.0e5, "covenants": [
        {"name": "floor", "type": "min_liquidity", "value": 1.0e12}]})  # fmt: skip
    ordered = [r.to_dict()["scenarios"]["sanctions"]["us"]["replacement_ordered_ehs"]["p95"][-1]
               for r in (rich, floored)]  # fmt: skip
    assert ordered[0] > 0
    assert ordered[1] == 0


def test_replacements_mine_only_where_waiting_machines_leave_room() -> None:
    """A site's power is what its machines draw: replacement machines (new and used)
    mine in the room the machines waiting for parts beyond baseline's leave, and stand
    idle, still owned, once repaired machines come back — a temporary stop does not
    leave a fleet larger than baseline's. One path, four days; the fleet delivers 0.5 of
    its nameplate (half of it switched off), a replacement 0.97 of its own (its uptime);
    3 machines of 100 TH/s wait beyond baseline, then 1, then none."""
    from hashshock.finance.reprice import FixedFlows
    from hashshock.industry.distress import Room, Seller, _position
    from hashshock.inputs.industry import Distress

    days = 4
    fixed = FixedFlows(np.zeros((1, days)), np.zeros((1, days)), np.full((1, days), 500.0),
                       np.full((1, days), 1000.0), 0.0, {}, ())  # fmt: skip
    seller = Seller(member=None, scenario=1, weight=1.0, fixed=fixed,  # type: ignore[arg-type]
                    bought_ths=None, spot_ths=np.array([[0.0, 200.0, 200.0, 200.0]]),
                    spot_paid_usd=np.zeros((1, days)),
                    room=Room(np.array([[3, 3, 1, 0]], dtype=np.int32),
                              np.zeros((1, days), dtype=np.int32), 100.0,
                              np.full((1, days), 0.97)))  # fmt: skip
    never = np.array([-1])
    position = _position(seller, never, Distress(sell_share=0.0))
    mining = np.minimum([0.0, 200.0, 200.0, 200.0], [300.0, 300.0, 100.0, 0.0])
    np.testing.assert_allclose(position.hashrate_ths[0], 500.0 + 0.97 * mining)
    np.testing.assert_allclose(position.nameplate_ths[0], [1000.0, 1200.0, 1200.0, 1200.0])
    unbounded = _position(dataclasses.replace(seller, room=None), never,
                          Distress(sell_share=0.0))  # fmt: skip
    np.testing.assert_allclose(unbounded.hashrate_ths[0], [500.0, 600.0, 600.0, 600.0])


def test_a_replacement_runs_at_its_own_uptime_while_it_covers_its_power() -> None:
    """Small farms switch unprofitable machines off (about 40 % of their nameplate
    delivers): a replacement runs at the fleet's uptime, not at that ratio, on the days
    the hashprice covers its power (break-even = J/TH × 24 × $/MWh / 1000, worked here
    from the lines' models and the farm's power price), and stands off below."""
    from hashshock.industry.orders import alternative_lines
    from hashshock.industry.simulate import prepare_industry
    from hashshock.industry.spot import replacement_running
    from hashshock.inputs.catalog import bundled_catalog

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
    running = replacement_running(loaded.industry, plan, money, hashprice)
    np.testing.assert_allclose(running, [[0.0, uptime, uptime]])
    assert 0.9 < uptime < 1.0


def test_a_replacement_pays_its_own_power_whatever_the_fleet_delivers() -> None:
    """A fleet switched off (0 TH/s delivered) and one delivering 400 TH/s: the same
    replacements delivering 97 TH/s cost 97 × the power of a TH/s-day either way (they
    were free beside a fleet delivering nothing), and the fleet's own machines are what
    its running costs follow."""
    from hashshock.finance.reprice import FixedFlows
    from hashshock.industry.distress import Room, Seller, _position
    from hashshock.inputs.industry import Distress

    days, power = 2, 0.0252  # USD a TH/s-day: 17.5 J/TH at $60/MWh
    for own in (0.0, 400.0):
        fixed = FixedFlows(np.zeros((1, days)), np.zeros((1, days)), np.full((1, days), own),
                           np.full((1, days), 1000.0), 0.0, {}, ())  # fmt: skip
        room = Room(np.array([[1, 1]], dtype=np.int32), np.zeros((1, days), dtype=np.int32),
                    100.0, np.full((1, days), 0.97), power)  # fmt: skip
        seller = Seller(member=None, scenario=1, weight=1.0, fixed=fixed,  # type: ignore[arg-type]
                        bought_ths=None, spot_ths=np.full((1, days), 100.0),
                        spot_paid_usd=np.zeros((1, days)), room=room)  # fmt: skip
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
    from hashshock.industry.spot import ReplacementEconomics, paying

    economics = ReplacementEconomics(uptime=0.95, power_usd_per_ths_day=0.0168,
                                     breakeven_usd_per_ph_day=16.8)  # fmt: skip
    margin = economics.margin(np.array([[40.0, 16.0]]))
    np.testing.assert_allclose(margin, [[0.95 * (0.040 - 0.0168), 0.0]])
    price = np.full((1, 2), 16.0)
    limit = np.array([[5.0, 5.0]])
    np.testing.assert_array_equal(paying(limit, price, margin, 730), [[5.0, 0.0]])
    np.testing.assert_array_equal(paying(limit, price, margin, 700), [[0.0, 0.0]])
    np.testing.assert_array_equal(paying(None, price, margin, 730), [[np.inf, 0.0]])
    assert paying(limit, price, margin, None) is limit
    assert paying(None, price, None, 730) is None


def test_replacements_that_do_not_pay_back_are_not_ordered() -> None:
    """The small farms under sanctions: a rule no machine meets (one day) orders nothing;
    a longer payback never orders less, and no rule orders the most (even ten years
    leaves out the review days below a replacement's break-even, which never pay back)."""

    def ordered(payback: int | None) -> float:
        data = _bundled(True)
        data["operators"] = [dict(op, simulated=2) for op in data["operators"]
                             if op["name"] == "small-farms"]  # fmt: skip
        data.pop("portfolio")
        if payback is not None:
            data["replacement"]["max_payback_days"] = payback
        run = industry(industry_from_mapping(data), ["baseline", "sanctions"], PATHS, DAYS, SEED)
        spots = run.runs.spots
        assert spots is not None and spots[1] is not None
        return float(spots[1].ordered_ths.sum())

    free, never, decade, two_years = ordered(None), ordered(1), ordered(3650), ordered(730)
    assert free > 0 and never == 0 and decade > 0
    assert never <= two_years <= decade <= free


def test_replacements_at_a_curtailing_site_stand_while_it_curtails() -> None:
    """Two sites, the second with three times the first's nameplate curtailing below
    $35/PH/day: a replacement delivers the fleet's uptime above $35, a quarter of it
    between the break-even and $35 (the first site's share), nothing below the
    break-even — worked by hand from the fleet's cohorts."""
    from tests.conftest import small_fleet
    from tests.engine.helpers import scenario

    from hashshock.finance.moneyplan import compile_money
    from hashshock.industry.spot import ReplacementEconomics
    from hashshock.inputs.load import fleet_from_mapping
    from hashshock.plan import compile_plan

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
    economics = ReplacementEconomics.of(load_industry().industry, plan,
                                        compile_money(loaded, plan))  # fmt: skip
    assert economics.curtailing == ((0.75, 35.0),)
    breakeven = economics.breakeven_usd_per_ph_day
    assert breakeven is not None and breakeven < 34.0
    running = economics.running(np.array([[breakeven - 0.01, 34.99, 35.0]]))
    np.testing.assert_allclose(running, [[0.0, 0.25 * economics.uptime, economics.uptime]])
