"""Money: loan schedules, cash conservation, covenant crossing points, bad finance input."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import pytest
from pydantic import ValidationError
from tests.conftest import small_fleet
from tests.engine.helpers import plan_for
from typer.testing import CliRunner

from hashshock.cli.app import app
from hashshock.engine import DOWN_CAUSES, simulate
from hashshock.finance import (
    build_economy,
    compile_money,
    compute_cashflows,
    evaluate_covenants,
    margin_calls,
)
from hashshock.finance.cashflow import CashFlows
from hashshock.finance.covenants import evaluate_covenant
from hashshock.finance.loans import schedule
from hashshock.finance.moneyplan import covenant_spec, pledge_spec
from hashshock.inputs.finance import Covenant, Finance, Loan
from hashshock.inputs.load import fleet_from_mapping

START = date(2026, 1, 1)
TIERS = ("under19", "19to25", "25to38", "38to68", "above68")


@dataclass
class FlatMarket:
    """A deterministic market: constant price, hashprice and used prices."""

    btc_price_usd: np.ndarray
    btc_per_th_day: np.ndarray
    hashprice_usd_per_ph_day: np.ndarray
    used_price_usd_per_th: dict[str, np.ndarray]

    @classmethod
    def make(
        cls,
        paths: int,
        days: int,
        hashprice: float = 45.0,
        price: float = 90_000.0,
        used: float = 10.0,
    ) -> FlatMarket:
        full = np.full((paths, days), 1.0)
        return cls(
            price * full,
            hashprice / 1000 / price * full,
            hashprice * full,
            {t: used * full for t in TIERS},
        )


def _loan(**kw: Any) -> Loan:
    base = {
        "name": "l",
        "principal_usd": 1_200_000,
        "rate_per_year": 0.1,
        "maturity_date": START + timedelta(days=359),
        "payment_every_days": 30,
    }
    base.update(kw)
    return Loan.model_validate(base)


@pytest.mark.parametrize("kind", ["linear", "bullet", "annuity"])
def test_loans_repay_principal_and_pay_interest_on_balance(kind: str) -> None:
    s = schedule(_loan(amortisation=kind), START, 400)
    assert s.principal.sum() == pytest.approx(1_200_000)
    assert s.outstanding[-1] == 0
    # Interest = Σ daily balance × rate / 365 (accrued, paid on payment days).
    assert s.interest.sum() == pytest.approx((s.outstanding * 0.1 / 365).sum(), rel=1e-9)
    if kind == "annuity":
        pay_days = np.flatnonzero(s.debt_service > 0)
        assert np.ptp(s.debt_service[pay_days[:-1]]) < 1e-6 * s.debt_service.max() + 1e3
    if kind == "bullet":
        assert np.count_nonzero(s.principal) == 1


@pytest.mark.parametrize("kind", ["linear", "bullet", "annuity"])
@pytest.mark.parametrize("horizon", [1, 45, 60, 200, 400])
def test_what_a_loan_is_owed_at_the_end_is_its_balance_and_unpaid_interest(
    kind: str, horizon: int
) -> None:
    """Owed after the horizon's last day: the principal not repaid, plus the interest of
    each day since the last payment day at rate/365 on the balance (0 once repaid) —
    what ``strategies`` counts against a fleet's cash."""
    s = schedule(_loan(amortisation=kind), START, horizon)
    balance = 1_200_000 - s.principal.sum()
    paid_days = np.flatnonzero(s.interest > 0)
    since = paid_days[-1] + 1 if paid_days.size else 0
    unpaid = (s.outstanding[since:] * 0.1 / 365).sum() if balance > 0 else 0.0
    assert s.owed_end_usd == pytest.approx(balance + unpaid, rel=1e-12)


@pytest.mark.parametrize(("term_days", "stub_days"), [(1096, 16), (361, 1)])
def test_a_linear_loan_repays_in_proportion_to_time(term_days: int, stub_days: int) -> None:
    """Payments fall every 30 days from the start and on maturity: a 3-year loan paid 37
    equal instalments (2.7 % too little each), and one maturing a day after its 12th
    payment day paid a whole instalment twice in two days. Full periods repay equal
    shares of the principal, the stub at maturity its days' share."""
    loan = _loan(amortisation="linear", maturity_date=START + timedelta(days=term_days - 1))
    s = schedule(loan, START, term_days + 10)
    paid = s.principal[s.principal > 0]
    assert paid.sum() == pytest.approx(1_200_000)
    np.testing.assert_allclose(paid[:-1], 1_200_000 * 30 / term_days)
    assert paid[-1] == pytest.approx(1_200_000 * stub_days / term_days)


def _finance_fleet(**finance: Any) -> dict[str, Any]:
    fin = {
        "cash_usd": 2_000_000,
        "loans": [
            {
                "name": "term",
                "principal_usd": 3_000_000,
                "rate_per_year": 0.12,
                "maturity_date": "2027-06-30",
            }
        ],
    }
    fin.update(finance)
    return small_fleet(
        finance=fin,
        orders=[{"model": "antminer-s21", "count": 50, "due_date": "2026-02-15", "site": "a"}],
    )


def _flows(
    fleet: dict[str, Any],
    events: list[dict[str, Any]] | None = None,
    paths: int = 20,
    days: int = 200,
    **market: float,
) -> tuple[Any, Any, CashFlows]:
    loaded = fleet_from_mapping(fleet)
    plan = plan_for(fleet, events, horizon=days)
    mk = FlatMarket.make(paths, days, **market)
    money = compile_money(loaded, plan)
    out = simulate(plan, paths, 3, economy=build_economy(money, mk))
    return loaded, out, compute_cashflows(money, plan, out, mk)


def test_cash_is_conserved_and_flows_are_priced() -> None:
    _, out, flows = _flows(
        _finance_fleet(),
        [
            {"type": "customs_hold", "hold_probability": 1.0, "hold_days": 20},
            {"type": "order_disruption", "cancel_probability": 0.5},
        ],
    )
    change = flows.cash_usd[:, -1] - flows.cash_start_usd
    total = flows.totals()
    inflow = total["revenue_usd"] + total["refunds_usd"]
    outflow = sum(total[name] for name in CashFlows.OUTFLOWS)
    np.testing.assert_allclose(change, inflow - outflow, rtol=1e-9)
    # Revenue is hashrate × hashprice; power is MW × 24 h × $40/MWh (default price).
    np.testing.assert_allclose(flows.revenue_usd, out.hashrate_ths / 1000 * 45.0)
    np.testing.assert_allclose(flows.power_usd, out.power_mw * 24 * 40.0)
    assert np.all(flows.storage_usd.sum(axis=1) > 0)
    assert np.all(flows.parts_usd.sum(axis=1) > 0)
    assert flows.debt_service_usd.sum(axis=1)[0] > 0


def _cash_flows_with(
    cash: np.ndarray,
    ebitda: np.ndarray | None = None,
    collateral: np.ndarray | None = None,
    loan: Loan | None = None,
) -> CashFlows:
    P, T = cash.shape
    zero = np.zeros((P, T))
    loans = (schedule(loan, START, T),) if loan else ()
    debt = sum((s.debt_service for s in loans), np.zeros(T))
    return CashFlows(
        zero,
        zero,
        zero,
        zero,
        zero,
        zero,
        zero,
        zero,
        zero,
        zero,
        np.broadcast_to(debt, (P, T)).copy(),
        zero if ebitda is None else ebitda,
        cash,
        zero if collateral is None else collateral,
        loans,
        float(cash[0, 0]),
    )


def test_liquidity_covenant_fires_on_the_crossing_day() -> None:
    cash = np.array([np.linspace(10e6, 0, 101)])  # falls through 4e6 on day 60
    covenant = Covenant(name="liq", type="min_liquidity", value=4e6)
    result = evaluate_covenant(
        covenant_spec(covenant, START), _cash_flows_with(cash), np.zeros((1, 101))
    )
    assert result.first_breach_day[0] == 61  # 10e6 - 0.1e6·61 = 3.9e6 < 4e6; day 60 is exactly 4e6


def test_dscr_covenant_fires_on_first_test_date_after_crossing() -> None:
    T = 400
    loan = _loan(
        principal_usd=1_000_000, rate_per_year=0.0, maturity_date=START + timedelta(days=399)
    )
    ebitda = np.full((1, T), 6000.0)
    ebitda[0, 200:] = 2000.0  # DSCR collapses from day 200
    flows = _cash_flows_with(np.ones((1, T)) * 1e9, ebitda=ebitda, loan=loan)
    covenant = Covenant(name="dscr", type="min_dscr", value=1.25, test_every_days=90)
    first = evaluate_covenant(
        covenant_spec(covenant, START), flows, np.zeros((1, T))
    ).first_breach_day[0]
    # Independent check: loop over the test windows (d-90, d] by hand.
    service = flows.loans[0].debt_service
    expected = -1
    for d in range(89, T, 90):
        window = slice(d - 89, d + 1)
        owed = service[window].sum()
        if owed > 0 and ebitda[0, window].sum() / owed < 1.25:
            expected = d
            break
    assert expected > 200 and first == expected


@pytest.mark.parametrize("window", [90, 180, 365])
def test_dscr_window_sums_the_days_up_to_each_test(window: int) -> None:
    """A trailing-twelve-month (or any) DSCR tested quarterly: each test sums EBITDA and
    debt service over the ``window_days`` up to it (the days simulated, early on). A
    longer window averages the collapse in, so it breaches no earlier."""
    T = 800
    loan = _loan(
        principal_usd=3_000_000, rate_per_year=0.0, maturity_date=START + timedelta(days=799)
    )
    ebitda = np.full((1, T), 10_000.0)
    ebitda[0, 200:] = 2000.0  # ≈ 3,850 USD a day of debt service: DSCR 2.6, then 0.52
    flows = _cash_flows_with(np.ones((1, T)) * 1e9, ebitda=ebitda, loan=loan)
    covenant = Covenant(name="dscr", type="min_dscr", value=1.25, test_every_days=90,
                        window_days=window)  # fmt: skip
    first = evaluate_covenant(
        covenant_spec(covenant, START), flows, np.zeros((1, T))
    ).first_breach_day[0]
    service = flows.loans[0].debt_service
    expected = -1
    for d in range(89, T, 90):  # by hand: the window (d − window, d], cut at day 0
        days = slice(max(d + 1 - window, 0), d + 1)
        if ebitda[0, days].sum() < 1.25 * service[days].sum():
            expected = d
            break
    assert first == expected > 200
    quarterly = Covenant(name="q", type="min_dscr", value=1.25, test_every_days=90)
    assert first >= evaluate_covenant(covenant_spec(quarterly, START), flows,
                                      np.zeros((1, T))).first_breach_day[0]  # fmt: skip


def test_a_window_on_a_covenant_that_sums_nothing_is_refused() -> None:
    with pytest.raises(ValidationError, match="window_days does nothing on a max_ltv"):
        Covenant(name="ltv", type="max_ltv", value=0.8, window_days=365)


def test_ltv_and_hashrate_commitment_crossings() -> None:
    T = 200
    loan = _loan(
        principal_usd=1_000_000, amortisation="bullet", maturity_date=START + timedelta(days=500)
    )
    collateral = np.array([np.linspace(2_000_000, 1_000_000, T)])  # LTV crosses 0.8 at 1.25M
    flows = _cash_flows_with(np.ones((1, T)), collateral=collateral, loan=loan)
    ltv = Covenant(name="ltv", type="max_ltv", value=0.8, test_every_days=10)
    first = evaluate_covenant(covenant_spec(ltv, START), flows, np.zeros((1, T))).first_breach_day[
        0
    ]
    crossing = int(np.argmax(0.8 * collateral[0] < 1_000_000))
    assert first == crossing + (9 - crossing % 10)  # the next test day (days ≡ 9 mod 10)
    hashrate = np.array([np.r_[np.full(100, 1000.0), np.full(100, 800.0)]])
    commitment = Covenant.model_validate(
        {
            "name": "hr",
            "type": "hashrate_commitment",
            "quarters": [
                {"quarter_end": START + timedelta(days=90), "min_ths": 950},
                {"quarter_end": START + timedelta(days=181), "min_ths": 950},
            ],
        }
    )
    first = evaluate_covenant(covenant_spec(commitment, START), flows, hashrate).first_breach_day[0]
    assert first == 181


def test_margin_call_when_btc_falls_below_threshold() -> None:
    fin = Finance.model_validate(
        {
            "btc_pledges": [
                {"name": "p", "btc": 100, "obligation_usd": 4_000_000, "margin_call_ltv": 0.8}
            ]
        }
    )
    price = np.array([np.linspace(80_000, 40_000, 81)])  # 4M/(100·p) > 0.8 ⇔ p < 50,000
    result = margin_calls(tuple(pledge_spec(p, START, 81) for p in fin.btc_pledges), price)
    assert result["probability"] == 1.0
    assert result["day_p50"] == int(np.argmax(price[0] < 50_000))


def test_switch_off_unprofitable_machines_at_low_hashprice() -> None:
    fleet = _finance_fleet(switch_off_unprofitable=True)
    # S19j Pro breaks even at 30.5 J/TH × 24 h × $40/MWh / 1000 ≈ $29.3/PH/day.
    _, low, _ = _flows(fleet, hashprice=25.0, days=30)
    _, high, _ = _flows(fleet, hashprice=45.0, days=30)
    s21_share = 100 * 200 / (100 * 200 + 200 * 100)
    assert np.allclose(low.hashrate_ths.sum(1) / high.hashrate_ths.sum(1), s21_share, atol=0.02)
    # The 200 S19j Pros are down as switched off, less those down for another cause:
    switched_off = low.machines_down[:, :, DOWN_CAUSES.index("switched_off")]
    other_causes = low.machines_down.sum(axis=2) - switched_off
    assert (switched_off <= 200).all() and (switched_off >= 200 - other_causes).all()
    assert switched_off.min() > 0
    assert (high.machines_down[:, :, DOWN_CAUSES.index("switched_off")] == 0).all()


@pytest.mark.parametrize(
    ("finance", "expected"),
    [
        (
            {
                "loans": [
                    {
                        "name": "a",
                        "principal_usd": -5,
                        "rate_per_year": 0.1,
                        "maturity_date": "2027-01-01",
                    }
                ]
            },
            "finance.loans[0].principal_usd",
        ),
        (
            {"covenants": [{"name": "d", "type": "min_dscr", "value": 1.2, "loan": "nope"}]},
            "is not a loan here",
        ),
        ({"covenants": [{"name": "ltv", "type": "max_ltv", "value": 70}]}, "fraction"),
        ({"covenants": [{"name": "d", "type": "min_dscr"}]}, "needs a value"),
        ({"covenants": [{"name": "h", "type": "hashrate_commitment"}]}, "needs quarters"),
        (
            {
                "loans": [
                    {
                        "name": "a",
                        "principal_usd": 5,
                        "rate_per_year": 11,
                        "maturity_date": "2027-01-01",
                    }
                ]
            },
            "rate_per_year",
        ),
        (
            {"replacement": {"availability_target": 0.97, "model": "antminer-s22"}},
            "finance.replacement.model",
        ),
    ],
)
def test_bad_finance_inputs_fail_clearly(
    write_yaml: Any, finance: dict[str, Any], expected: str
) -> None:
    path = write_yaml(small_fleet(finance=finance), "fleet.yaml")
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    assert expected in result.output and "fix:" in result.output and str(path) in result.output


def test_grey_market_and_replacements_keep_hashrate_up_under_a_supply_cut() -> None:
    cut = [{"type": "parts_supply_stop"}, {"type": "repair_centre_closed"}]
    _, plain, _ = _flows(_finance_fleet(), cut, days=240)
    fleet = _finance_fleet(
        replacement={"grey_market_parts": True, "availability_target": 0.97, "budget_usd": 500_000}
    )
    _, out, flows = _flows(fleet, cut, days=240)
    assert out.hashrate_ths[:, -1].mean() > plain.hashrate_ths[:, -1].mean()
    assert np.all(out.parts_shipped_grey.sum(axis=(1, 2)) > 0)
    spent = out.replacement_spend.sum(axis=1)
    assert np.all(spent <= 500_000 + 1e-6)
    assert np.all(flows.capex_usd.sum(axis=1) >= spent)


def test_the_grey_market_buys_only_parts_cheaper_than_a_used_machine_of_their_pool() -> None:
    """A hashboard bought grey at $1,057 went into an S19j Pro worth $250: a part dearer
    than a whole used machine of its pool (that machine, a donor, is the cheaper spare)
    waits for the vendor. At $0.01/TH nothing is worth buying grey, at $100/TH every
    part, and at $1/TH (an S19j Pro $104, an S21 $200) fans but no hashboard."""
    from hashshock.inputs.catalog import PART_TYPES

    cut = [{"type": "parts_supply_stop"}, {"type": "repair_centre_closed"}]
    fleet = _finance_fleet(replacement={"grey_market_parts": True})
    money = compile_money(fleet_from_mapping(fleet), plan_for(fleet, cut, horizon=240))
    pools = plan_for(fleet, cut, horizon=240).pool_part.astype(int)
    cost = {PART_TYPES[k]: money.grey_unit_cost[pools == k] for k in range(len(PART_TYPES))}
    assert cost["hashboard"].min() > 200 and cost["fan"].max() < 104  # the premise, from data

    def grey(used: float) -> dict[str, int]:
        _, out, _ = _flows(fleet, cut, days=240, used=used)
        bought = np.asarray(out.parts_shipped_grey).sum(axis=(0, 1))
        return dict(zip(PART_TYPES, bought.tolist(), strict=True))

    assert sum(grey(0.01).values()) == 0
    assert all(n > 0 for n in grey(100.0).values())
    middle = grey(1.0)
    assert middle["hashboard"] == 0 and middle["fan"] > 0


def test_evaluate_covenants_and_finance_block_round_trip() -> None:
    loaded, out, flows = _flows(
        _finance_fleet(
            covenants=[{"name": "liquidity", "type": "min_liquidity", "value": 1_000_000}]
        )
    )
    fin = loaded.fleet.finance
    assert fin is not None
    specs = tuple(covenant_spec(c, START) for c in fin.covenants)
    results = evaluate_covenants(specs, flows, out.hashrate_ths)
    summary = results[0].summary()
    lo, hi = summary["probability_breach_ci95"]  # type: ignore[misc]
    assert lo <= summary["probability_breach"] <= hi


def test_repair_or_replace_follows_used_prices() -> None:
    """Repair only if cost ≤ 50% of min(new part, used donor machine) (FACTS.md 2.5 [S62])
    — the donor only when the fleet buys donors, whose parts replace the scrapped one;
    else a scrapped part is reordered new, and only the new part's price is its
    replacement (valued at a cheap used machine, $200 board repairs were scrapped and the
    boards rebought at $600 with duty)."""
    fleet = _finance_fleet(repair_or_replace=True, replacement={"donor_machines": True})
    # Used machines almost free: a donor beats every repair, so every broken part is scrapped.
    _, cheap, _ = _flows(fleet, used=0.01, days=120)
    assert cheap.repairs_vendor.sum() == 0 and cheap.repairs_in_house.sum() == 0
    assert np.array_equal(cheap.scrapped, cheap.failures)
    # Without donors, used prices change nothing: the reorder is the replacement.
    plain = _finance_fleet(repair_or_replace=True)
    _, free, _ = _flows(plain, used=0.01, days=120)
    _, costly, _ = _flows(plain, used=1000.0, days=120)
    assert np.array_equal(free.scrapped, costly.scrapped)
    assert free.repairs_vendor[:, :, 0].sum() > 0
    # Used machines dear: the new part is the replacement. A control board costs $65 new
    # (+21.6% duty, +$10 shipping ≈ $89): a $65 + 2×$10 vendor repair is over half of
    # that and is scrapped; a $30 in-house repair and hashboard/PSU repairs are kept.
    _, dear, _ = _flows(fleet, used=1000.0, days=120)
    assert dear.repairs_vendor[:, :, 3].sum() == 0
    assert dear.repairs_in_house[:, :, 3].sum() > 0
    assert dear.repairs_vendor[:, :, 0].sum() > 0 and dear.repairs_vendor[:, :, 2].sum() > 0


def test_donors_are_the_cheapest_model_of_a_family_whatever_the_file_order() -> None:
    """Donors of a site's family are its model with the fewest TH/s (the cheapest used),
    the same whichever cohort comes first in the file."""
    from hashshock.finance.moneyplan import compile_money
    from hashshock.inputs.load import load_scenario
    from hashshock.plan import compile_plan

    cohorts = [
        {"model": "antminer-s19-xp", "count": 100, "site": "a", "install_date": "2023-01-01"},
        {"model": "antminer-s19j-pro", "count": 200, "site": "a", "install_date": "2022-01-01"},
    ]
    specs = []
    for order in (cohorts, cohorts[::-1]):
        loaded = fleet_from_mapping(small_fleet(cohorts=order, finance={
            "cash_usd": 1e6, "replacement": {"donor_machines": True}}))  # fmt: skip
        plan = compile_plan(loaded, load_scenario("baseline"), 30)
        donors = compile_money(loaded, plan).donors
        assert donors is not None
        specs.append((donors.tiers, donors.machine_ths.tolist(), donors.parts.sum()))
    assert specs[0] == specs[1]
    assert specs[0][1] == [100.0]  # the S19j Pro's TH/s, not the S19 XP's


def test_replacements_stop_with_the_fleets_buying() -> None:
    """``buying_stops`` (an operator that broke, its industry's settlement): no machine
    bought after its day on the paths that stop, the run up to it unchanged, the other
    paths as without it."""
    import dataclasses

    cut = [{"type": "parts_supply_stop"}, {"type": "repair_centre_closed"}]
    fleet = _finance_fleet(replacement={"availability_target": 0.97, "budget_usd": 5_000_000})
    loaded = fleet_from_mapping(fleet)
    plan = plan_for(fleet, cut, horizon=240)
    paths = 200
    economy = build_economy(compile_money(loaded, plan), FlatMarket.make(paths, 240))
    free = simulate(plan, paths, 3, economy=economy)
    stops = np.where(np.arange(paths) % 2 == 0, 5, -1).astype(np.int64)
    stopped = simulate(plan, paths, 3,
                       economy=dataclasses.replace(economy, buying_stops=stops))  # fmt: skip
    assert free.machines_bought[::2, 6:].sum() > 0
    assert stopped.machines_bought[::2, 6:].sum() == 0
    np.testing.assert_array_equal(stopped.machines_bought[:, :6], free.machines_bought[:, :6])
    # the paths that go on buying do so on the days the others stopped: their machines
    # (and those dead on arrival) are their own
    later = free.machines_bought[:, 6:] > 0
    assert (later[::2] & later[1::2]).any()
    for name in ("machines_bought", "hashrate_ths", "replacement_spend"):
        np.testing.assert_array_equal(getattr(stopped, name)[1::2], getattr(free, name)[1::2])


def test_a_runs_totals_are_its_flows_summed_once_and_read_only() -> None:
    """A run's summary and its comparisons read each flow's total: summed once per run
    (``CashFlows.total``), the same numbers as summing the [P, T] flow, and not to be
    written into (another reader shares them)."""
    import hashshock

    result = hashshock.run("examples/midsize-public-miner/fleet.yaml", "sanctions", 20, 60)
    assert result.money is not None
    flows = result.money.flows
    for name, total in flows.totals().items():
        np.testing.assert_array_equal(total, getattr(flows, name).sum(axis=1))
        assert flows.total(name) is total and not total.flags.writeable


def test_collateral_counts_ordered_machines_only_once_they_arrive() -> None:
    """Machines on order were priced into the collateral of those installed (the tiers'
    mix counted every order): an order of S21s due after the horizon priced a fleet of
    S19s as S21s, its LTV 0.22 for 0.81. The installed TH/s are marked at the mix of the
    machines installed that day on that path: an order counts from its arrival, not
    before, and not at all when it never comes."""
    from hashshock.finance.cashflow import installed_tier_shares

    prices = {"under19": 20.0, "19to25": 12.0, "25to38": 3.0, "38to68": 1.0, "above68": 0.5}
    days, paths = 200, 8
    order = {"model": "antminer-s21", "count": 200, "site": "a"}
    for due, arrives in (("2026-12-01", False), ("2026-02-15", True)):
        fleet = small_fleet(orders=[{**order, "due_date": due}])
        plan = plan_for(fleet, horizon=days)
        market = FlatMarket.make(paths, days)
        market.used_price_usd_per_th = {t: np.full((paths, days), p) for t, p in prices.items()}
        money = compile_money(fleet_from_mapping(fleet), plan)
        out = simulate(plan, paths, 3, economy=build_economy(money, market))
        flows = compute_cashflows(money, plan, out, market)
        per_th = flows.collateral_usd / out.nameplate_ths
        start = (200 * 100 * prices["25to38"] + 100 * 200 * prices["under19"]) / 40_000
        with_order = (200 * 100 * prices["25to38"] + 300 * 200 * prices["under19"]) / 80_000
        arrival = out.order_arrival_day[0]
        day = np.arange(days)[None, :]
        came = (arrival >= 0)[:, None] & (day >= arrival[:, None])
        assert came.any() == arrives
        np.testing.assert_allclose(per_th, np.where(came, with_order, start), rtol=1e-9)
        shares = installed_tier_shares(money, plan, out)
        np.testing.assert_allclose(sum(shares.values()), 1.0)


def test_us_duties_are_paid_only_by_what_is_bound_for_a_us_site() -> None:
    """data/tariffs.csv is the US schedule: a Canadian site's spares and machine orders
    paid US duty. Now a site abroad pays the price alone (with shipping), a US site the
    price × (1 + the table's duty on that day)."""
    from hashshock.finance.data import machine_prices, part_costs, tariff_table

    order = {"model": "antminer-s21", "count": 100, "due_date": "2026-02-01"}
    fleet = small_fleet(orders=[{**order, "site": "a"}, {**order, "site": "b"}])
    fleet["sites"].append({"name": "b", "country": "CA", "technicians": 2})
    fleet["cohorts"].append({"model": "antminer-s21", "count": 50, "site": "b",
                             "install_date": "2024-06-01"})  # fmt: skip
    plan = plan_for(fleet, horizon=60)
    money = compile_money(fleet_from_mapping(fleet), plan)
    ths = 100 * plan.cohort_ths_per_machine[plan.order_cohort[0]]
    price = ths * machine_prices()["antminer-s21"]
    due = (date(2026, 2, 1) - plan.start_date).days
    origin = plan.vendor_machines_origin[int(plan.order_vendor[0])]
    duty = tariff_table().daily_rate_pct(origin, plan.start_date, 60)[due] / 100
    assert duty > 0.1  # Bitmain's machines pay more than the MFN 2.6 %
    np.testing.assert_allclose(money.order_value_usd, [price * (1 + duty), price])
    abroad = [j for j in range(plan.n_pools) if plan.site_countries[plan.pool_site[j]] == "CA"]
    home = [j for j in range(plan.n_pools) if plan.site_countries[plan.pool_site[j]] == "US"]
    assert abroad and home
    for j in abroad:
        part = plan.part_names[plan.pool_part[j]]
        landed = part_costs()[part]
        assert money.pool_unit_cost[j, 0] == pytest.approx(
            landed.new_part_usd + landed.shipping_usd_per_leg
        )
    cost = {plan.part_names[plan.pool_part[j]]: money.pool_unit_cost[j, 0] for j in abroad}
    assert all(money.pool_unit_cost[j, 0] > cost[plan.part_names[plan.pool_part[j]]]
               for j in home if plan.part_names[plan.pool_part[j]] in cost)  # fmt: skip


def test_only_a_network_wide_cut_moves_the_used_market() -> None:
    """A week's delay of one fleet's Bitmain order read its machines 24 % dearer at the
    used index (all it owns $6.3 M up): the supply-cut premium is the whole market's,
    raised by a shock to every US miner on the vendor, not by one fleet's own event."""
    import hashshock

    delay = {"type": "order_disruption", "vendors": ["bitmain"], "start_day": 0,
             "duration_days": 365, "cancel_probability": 0.0, "delay_probability": 1.0,
             "delay_days": 7}  # fmt: skip
    fleet = _finance_fleet()
    sizes = {"paths": 20, "horizon_days": 60, "seed": 3}
    base, local, wide = hashshock.compare(fleet, [
        "baseline", {"name": "local", "events": [delay]},
        {"name": "wide", "events": [delay], "network_wide": True}], **sizes)  # fmt: skip
    prices = [r.money.market.used_price_usd_per_th for r in (base, local, wide)]  # type: ignore[union-attr]
    assert all(np.array_equal(prices[0][t], prices[1][t]) for t in prices[0])
    assert prices[2]["under19"][:, -1].mean() > prices[0]["under19"][:, -1].mean()


def test_a_dscr_covenant_is_not_tested_once_its_loan_is_repaid() -> None:
    """A bullet loan repaid on day 182 read DSCR 0.36 at the day-269 test (its balloon as
    the quarter's debt service) and a 98 % breach: a loan gone is not tested."""
    import hashshock

    fleet = _finance_fleet()
    fleet["finance"] = {"cash_usd": 5_000_000, "loans": [
        {"name": "bul", "principal_usd": 1_000_000, "rate_per_year": 0.10,
         "amortisation": "bullet", "payment_every_days": 90,
         "maturity_date": str(date.fromisoformat(fleet["start_date"]) + timedelta(days=182))}],
        "covenants": [{"name": "dscr", "type": "min_dscr", "value": 1.25, "loan": "bul",
                       "test_every_days": 90}]}  # fmt: skip
    result = hashshock.run(fleet, paths=10, horizon_days=300, seed=1)
    assert result.money is not None
    (dscr,) = result.money.covenants
    # a thin quarter can breach before the balloon (days 89, 179); never after it
    assert set(dscr.first_breach_day.tolist()) <= {-1, 89, 179}
    assert (dscr.first_breach_day == -1).any()
    thin = dscr.first_breach_day >= 0  # the paths whose own quarters are thin
    # the balloon is not a quarter's debt service either: on a test day (day 179), nor
    # beside a loan still running (a covenant on all loans); one repaid before its first
    # test is not tested at all
    start = date.fromisoformat(fleet["start_date"])
    loans = fleet["finance"]["loans"]
    running = {"name": "run", "principal_usd": 10_000, "rate_per_year": 0.1,
               "maturity_date": str(start + timedelta(days=900))}  # fmt: skip
    for maturity, loan, extra in ((179, "bul", []), (120, None, [running])):
        loans[0]["maturity_date"] = str(start + timedelta(days=maturity))
        fleet["finance"]["loans"] = [loans[0], *extra]
        fleet["finance"]["covenants"][0]["loan"] = loan
        fleet["finance"]["cash_usd"] = 5_000_000
        again = hashshock.run(fleet, paths=10, horizon_days=300, seed=1)
        assert again.money is not None
        (dscr,) = again.money.covenants
        late = dscr.first_breach_day >= maturity
        assert not (late & ~thin).any(), (maturity, dscr.first_breach_day)
    fleet["finance"]["loans"] = [{**loans[0], "maturity_date": str(start + timedelta(days=50))}]
    fleet["finance"]["covenants"][0]["loan"] = "bul"
    early = hashshock.run(fleet, paths=4, horizon_days=300, seed=1)
    assert early.money is not None and not early.money.covenants[0].tested


def test_an_ltv_covenant_breached_on_day_0_is_warned_of() -> None:
    """A loan of 0.95 of its collateral under a max LTV of 0.7 read "breach 100 % d29" as
    if the run had caused it; the liquidity floor and the pledges were warned of already.
    (Here a max of 0.01 against the example loan; a loan of $1 under a max of 1 is not.)"""
    import hashshock

    fleet = _finance_fleet()
    fleet["finance"]["covenants"] = [{"name": "ltv", "type": "max_ltv", "value": 0.01,
                                      "loan": "term"}]  # fmt: skip
    with pytest.warns(hashshock.HashshockWarning, match=r"\(ltv\): the loan is .* on day 0"):
        result = hashshock.run(fleet, paths=4, horizon_days=40)
    assert any("on day 0" in w for w in result.warnings)
    fleet["finance"]["covenants"][0]["value"] = 1.0
    fleet["finance"]["loans"][0]["principal_usd"] = 1.0  # a dollar against the machines
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        hashshock.run(fleet, paths=4, horizon_days=40)
    assert not any("on day 0" in str(w.message) for w in caught)


def test_replacement_machines_are_collateral_in_their_own_tier() -> None:
    """556 used S19j Pro bought for an S21 fleet were marked at the S21s' price: 17 % too
    much collateral. The installed TH/s are marked tier by tier, the machines bought in
    theirs from the day they arrive (those dead on arrival in expectation)."""
    import hashshock

    s21s = [{"model": "antminer-s21", "count": 300, "site": "a", "install_date": "2024-06-01"}]
    replacement = {"availability_target": 0.99, "channel": "used-machines",
                   "model": "antminer-s19j-pro", "budget_usd": 500_000}  # fmt: skip
    fleet = small_fleet(cohorts=s21s, finance={"cash_usd": 2e6, "replacement": replacement})
    result = hashshock.run(fleet, "sanctions", paths=8, horizon_days=150, seed=2)
    money, out = result.money, result.output
    assert money is not None and out.machines_bought.any()
    spec = compile_money(fleet_from_mapping(fleet), plan_for(fleet, [], horizon=150)).replacement
    assert spec is not None
    per_machine = {"antminer-s21": 200.0, "antminer-s19j-pro": 100.0}  # TH/s, models.csv
    working = np.cumsum(out.machines_bought, axis=1)[:, -1 - spec.lead_days] * (1 - spec.doa_share)
    bought_ths = working * per_machine["antminer-s19j-pro"]
    prices = money.market.used_price_usd_per_th
    expected = ((out.nameplate_ths[:, -1] - bought_ths) * prices["under19"][:, -1]
                + bought_ths * prices["25to38"][:, -1])  # fmt: skip
    # within the dead-on-arrival machines, taken in expectation; marked as S21s they were
    # far above that
    collateral = money.flows.collateral_usd[:, -1]
    np.testing.assert_allclose(collateral, expected, rtol=1e-3)
    as_s21 = out.nameplate_ths[:, -1] * prices["under19"][:, -1]
    bought = out.machines_bought.sum(axis=1) > 0
    assert np.all(as_s21[bought] - collateral[bought] > 10 * np.abs(collateral - expected)[bought])
