"""BTC pledged to a vendor is exposed where a scenario cancels that vendor's orders
(hashshock.finance.covenants.margin_calls): the paths are the engine's own cancellations,
and the value is the BTC at the price of the last day it is held."""

from __future__ import annotations

import numpy as np
import pytest
from tests.conftest import small_fleet

import hashshock
from hashshock.inputs.errors import InputError
from hashshock.inputs.scenario import Scenario

PLEDGE = {"name": "deal", "btc": 50, "obligation_usd": 1_000_000}
ORDERS = [
    {"model": "antminer-s21", "count": 100, "due_date": "2026-03-01", "site": "a"},
    {"model": "whatsminer-m60s", "count": 50, "due_date": "2026-03-01", "site": "a"},
]
HALF = {"name": "half", "events": [{"type": "order_disruption", "vendors": ["bitmain"],
                                    "cancel_probability": 0.5}]}  # fmt: skip


def _run(horizon_days: int = 120, **pledge: object) -> hashshock.RunResult:
    fleet = small_fleet(orders=ORDERS, finance={"btc_pledges": [{**PLEDGE, **pledge}]})
    scenario = Scenario.model_validate(HALF)
    return hashshock.run(fleet, scenario, paths=60, horizon_days=horizon_days, seed=4,
                         workers=1)  # fmt: skip


def test_an_order_due_after_the_horizon_exposes_nothing_within_it() -> None:
    """A 60-day run said a pledge exposed on 89 % of paths by an order due on day 76: an
    order is cancelled on its due day, after such a run (its refund is not in the cash)."""
    run = _run(horizon_days=50, vendor="bitmain")  # the orders are due on day 59
    assert run.money is not None
    said = run.money.margin_calls["pledges"]["deal"]
    assert said["probability_exposed"] == 0.0  # tracked, and not exposed
    # nor one due after the pledge's BTC was released: nothing of it is held then
    released = _run(vendor="bitmain", until_date="2026-02-15")
    assert released.money is not None
    assert released.money.margin_calls["pledges"]["deal"]["probability_exposed"] == 0.0
    held = _run(vendor="bitmain", until_date="2026-04-01")
    assert held.money is not None
    assert held.money.margin_calls["pledges"]["deal"]["probability_exposed"] > 0


def test_a_pledge_is_exposed_on_the_paths_its_vendors_orders_are_cancelled() -> None:
    run = _run(vendor="bitmain")
    assert run.money is not None
    cancelled = run.output.order_cancelled[0]  # the Bitmain order
    assert 0 < cancelled.mean() < 1
    said = run.money.margin_calls["pledges"]["deal"]
    assert said["probability_exposed"] == pytest.approx(cancelled.mean(), abs=1e-4)
    value = 50 * run.money.market.btc_price_usd[:, -1]
    assert said["exposed_usd_p50"] == round(float(np.median(value[cancelled])))


@pytest.mark.parametrize("pledge", [{"vendor": "microbt"}, {}])
def test_no_exposure_without_a_cancelled_order_of_its_vendor(pledge: dict[str, object]) -> None:
    """MicroBT's order is never cancelled here; a pledge naming no vendor is not tracked
    (one released by the start is refused: tests/inputs/test_bad_values.py)."""
    run = _run(**pledge)
    assert run.money is not None
    said = run.money.margin_calls["pledges"]["deal"]
    assert said.get("probability_exposed", 0.0) == 0.0


def test_an_unknown_vendor_is_refused_with_a_hint() -> None:
    fleet = small_fleet(finance={"btc_pledges": [{**PLEDGE, "vendor": "bitmian"}]})
    with pytest.raises(InputError, match="unknown vendor 'bitmian' — fix: did you mean bitmain"):
        hashshock.run(fleet, "baseline", paths=2, horizon_days=5)


def test_the_money_table_and_a_note_show_the_exposure() -> None:
    from rich.console import Console

    from hashshock.cli.render_money import render_money

    console = Console(record=True, width=100)
    render_money(console, [_run(vendor="bitmain").to_dict()])
    text = " ".join(console.export_text().split())
    table, note = text.split("BTC pledges exposed: ")
    assert "pledge" in table and "exposed" in table and "50%" in table  # the row (wrapped)
    assert note.startswith("under half, deal (50 BTC held by bitmain) on 50% of paths")
