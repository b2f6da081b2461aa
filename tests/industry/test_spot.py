"""Replacement orders on the spot (hashshock.industry.spot): what is ordered, and that
they take only what contracted orders leave of a line."""

from __future__ import annotations

import copy
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
        {"name": "floor", "type": "min_liquidity", "value": 1.0e11}]})  # fmt: skip
    ordered = [r.to_dict()["scenarios"]["sanctions"]["us"]["replacement_ordered_ehs"]["p95"][-1]
               for r in (rich, floored)]  # fmt: skip
    assert ordered[0] > 0
    assert ordered[1] == 0


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
