"""Strategies on common random numbers: doing nothing is compare's run bit for bit, costs
land in cash and covenants exactly, a stockpile never does worse on paired paths, and
strategy files that are wrong are refused with one line naming file, field and fix."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import typer
import yaml
from tests.conftest import fits_columns, small_fleet
from tests.decide.conftest import money_fleet
from typer.testing import CliRunner

from hashshock import api
from hashshock.decide.edits import base_set
from hashshock.decide.strategies import compare_strategies, run_do_nothing, run_strategy
from hashshock.decide.strategy import (
    Costs,
    Edit,
    Strategy,
    apply,
    bench_technicians,
    builtin_strategies,
    load_strategy,
)
from hashshock.decide.strategy import defaults as strategy_defaults
from hashshock.dists import Exponential
from hashshock.inputs.load import fleet_from_mapping, load_fleet, load_scenario
from hashshock.market import load_market
from hashshock.market.hashprice import efficiency_tier
from hashshock.plan import compile_plan
from hashshock.plan.model import BenchPlan, DonorPlan
from hashshock.prepare import prepare

PATHS, HORIZON, SEED = 40, 200, 5
FAST = ["--paths", str(PATHS), "--horizon", str(HORIZON), "--seed", str(SEED)]


def test_doing_nothing_is_compare_and_a_cost_is_paid_in_cash() -> None:
    loaded, scenario, market = fleet_from_mapping(money_fleet()), load_scenario("sanctions"), \
        load_market(None)  # fmt: skip
    nothing = Strategy(name="do-nothing")
    outcome, network = run_do_nothing(loaded, scenario, market, HORIZON, PATHS, SEED, nothing)
    run = api.compare(loaded, [scenario], PATHS, HORIZON, SEED, market=market)[-1]
    assert run.money is not None and outcome.cash_end_usd is not None
    assert np.array_equal(outcome.cash_end_usd, run.money.flows.cash_usd[:, -1])
    breached = {c.name: c.first_breach_day >= 0 for c in run.money.covenants}
    assert all(np.array_equal(outcome.breached[n], breached[n]) for n in breached)
    # What the fleet owns at the end is what compare's "all owned" adds up, path by path,
    # less what its loans are owed then.
    assert outcome.owned_end_usd is not None
    owed = sum(loan.owed_end_usd for loan in run.money.flows.loans)
    assert owed > 0 and outcome.debt_usd == owed
    np.testing.assert_allclose(outcome.owned_end_usd, run.money.owned_end_usd - owed, rtol=1e-12)
    # The same fleet through the strategies' own path is the same run, bit for bit.
    again = run_strategy(loaded, scenario, market, HORIZON, PATHS, SEED, nothing,
                         (outcome, network))  # fmt: skip
    assert again.cash_end_usd is not None
    assert np.array_equal(again.cash_end_usd, outcome.cash_end_usd)
    # An upfront cost and a running cost come out of every path's cash exactly.
    paid = Strategy(name="paid", costs=Costs(upfront_usd=1e5, running_usd_per_month=1e4,
                                             starts_day=10))  # fmt: skip
    cost = run_strategy(loaded, scenario, market, HORIZON, PATHS, SEED, paid, (outcome, network))
    assert cost.cash_end_usd is not None
    expected = 1e5 + 1e4 * 12 / 365 * (HORIZON - 10)
    assert np.allclose(outcome.cash_end_usd - cost.cash_end_usd, expected)
    assert cost.breached["liquidity"].mean() >= outcome.breached["liquidity"].mean()


def test_a_stockpile_never_does_worse_on_paired_paths() -> None:
    loaded, scenario, market = fleet_from_mapping(money_fleet()), load_scenario("sanctions"), \
        load_market(None)  # fmt: skip
    prepared = prepare(loaded, [scenario], HORIZON, market, PATHS)
    base = base_set(loaded, scenario, market)
    chosen = builtin_strategies(prepared, base, 6)
    names = [s.name for s in chosen]
    assert names[:2] == ["do-nothing", "stockpile-6m"] and "repair-bench" in names
    result = compare_strategies([apply(s, base) for s in chosen], chosen, scenario, market,
                                HORIZON, PATHS, SEED, {"liquidity": 0.5})  # fmt: skip
    nothing, stockpile = result.outcomes[0], result.outcomes[1]
    last = max(nothing.availability)
    assert stockpile.availability[last].mean() > nothing.availability[last].mean()
    assert chosen[1].costs.upfront_usd > 0
    data = result.to_dict()
    assert data["strategies"][0]["net_benefit_usd"] == 0.0
    # The cheapest within the liquidity limit gives up the least cash against doing nothing.
    fits = [row for row in data["strategies"]
            if row["covenants"]["liquidity"]["probability_breach"] <= 0.5]  # fmt: skip
    best = max(fits, key=lambda row: row["net_benefit_usd"])["name"]
    assert data["cheapest_under_max_breach"]["liquidity"] == best
    # Within every limit at once: the largest net benefit among those meeting all of them.
    both = {"liquidity": 0.5, "dscr": 0.3}
    result = dataclasses.replace(result, thresholds=both)
    rows = result.to_dict()["strategies"]
    fits = [r for r in rows if all(r["covenants"][n]["probability_breach"] <= p
                                   for n, p in both.items())]  # fmt: skip
    expected = max(fits, key=lambda r: r["net_benefit_usd"])["name"] if fits else None
    assert result.cheapest_under_every_limit() == expected
    # A tie to the dollar (a stockpile left on the shelf is worth what it cost) goes to the
    # smaller outlay, not to the rounding noise of a sum: doing nothing before the stockpile.
    assert nothing.cash_end_usd is not None
    tied = dataclasses.replace(nothing, cash_end_usd=nothing.cash_end_usd + 3e-10)
    two = dataclasses.replace(result, strategies=chosen[:2], outcomes=[nothing, tied],
                              thresholds={"liquidity": 1.0})  # fmt: skip
    assert two.cost_of(1) < 0 and two.cheapest_under() == {"liquidity": "do-nothing"}
    better = dataclasses.replace(nothing, cash_end_usd=nothing.cash_end_usd + 2.0)
    two = dataclasses.replace(two, outcomes=[nothing, better])  # two dollars more is a
    assert two.cheapest_under() == {"liquidity": "stockpile-6m"}  # benefit, whatever it cost
    # Net benefit counts what is owned at the end: cash, spares at cost, machines and whole
    # donors at the used index, less the parts machines wait for at cost, paired path by
    # path; the stock the stockpile leaves is not lost money.
    for row, outcome in zip(data["strategies"], result.outcomes, strict=True):
        assert outcome.cash_end_usd is not None and nothing.cash_end_usd is not None
        assert outcome.spares_value_usd is not None and nothing.spares_value_usd is not None
        assert outcome.machines_value_usd is not None
        assert nothing.machines_value_usd is not None
        assert outcome.donors_value_usd is not None and nothing.donors_value_usd is not None
        assert outcome.missing_parts_usd is not None and nothing.missing_parts_usd is not None
        gain = (outcome.cash_end_usd - nothing.cash_end_usd
                + outcome.spares_value_usd - nothing.spares_value_usd
                + outcome.machines_value_usd - nothing.machines_value_usd
                + outcome.donors_value_usd - nothing.donors_value_usd
                - outcome.missing_parts_usd + nothing.missing_parts_usd)  # fmt: skip
        assert row["net_benefit_usd"] == pytest.approx(gain.mean(), abs=1e-6)
        by_part = row["net_benefit_by_part_usd"]
        assert sum(by_part.values()) == pytest.approx(row["net_benefit_usd"], abs=1e-6)
        assert by_part["cash"] == pytest.approx(row["net_benefit_cash_usd"], abs=1e-9)
        assert row["net_benefit_cash_usd"] == pytest.approx(
            (outcome.cash_end_usd - nothing.cash_end_usd).mean(), abs=1e-6)  # fmt: skip
    assert stockpile.spares_value_usd is not None and nothing.spares_value_usd is not None
    assert np.all(stockpile.spares_value_usd >= nothing.spares_value_usd)
    # The alternative vendor took the open Bitmain order.
    moved = next(s for s in chosen if s.name == "alt-vendors")
    assert moved.edits and moved.edits[0].value[0]["model"] == "whatsminer-m60s"
    # ... and the US-assembled Antminer, from its own vendor (US origin: no customs, no duty).
    us = next(s for s in chosen if s.name == "bitmain-us")
    assert us.edits and us.edits[0].value[0]["model"] == "antminer-s21-pro-us"
    assert base.loaded.catalog.get("antminer-s21-pro-us").vendor == "bitmain-us"


def _bench_for(fleet: dict[str, Any]) -> tuple[Strategy, Any, dict[str, float]]:
    """The built-in repair-bench strategy on ``fleet`` under baseline, the plan of the
    fleet it edits, and data/decide_strategies.csv's bench_* rows."""
    loaded, scenario, market = fleet_from_mapping(fleet), load_scenario("baseline"), \
        load_market(None)  # fmt: skip
    prepared = prepare(loaded, [scenario], HORIZON, market, PATHS)
    base = base_set(loaded, scenario, market)
    bench = next(s for s in builtin_strategies(prepared, base, 6) if s.name == "repair-bench")
    table = {k: float(v) for k, v in strategy_defaults().items()
             if k.startswith("bench_")}  # the data file's, not copies  # fmt: skip
    return bench, compile_plan(apply(bench, base), scenario, HORIZON), table


def test_the_repair_bench_strategy_sizes_a_bench_to_each_sites_repairs() -> None:
    """repair-bench: each site's bench has the fewest technicians whose occupancy, the
    site's expected in-house repairs a day (failures × the edited in-house shares) ×
    the mean service time / k, is at most data/decide_strategies.csv's bench_occupancy_max,
    exponential service (so the site's in-house repairs queue), and pays per technician."""
    fleet = small_fleet()
    fleet["sites"].append({"name": "b", "country": "US", "technicians": 1})
    fleet["cohorts"].append({"model": "antminer-s19j-pro", "count": 20000, "site": "b",
                             "install_date": "2022-01-01"})  # fmt: skip
    bench, plan, table = _bench_for(fleet)
    assert plan.routes[2].in_house_share == table["bench_in_house_share_psu"]  # PSUs
    # Independently of the strategy's code: failures a day from the hazard at the start
    # (the fleet installs nothing later), routed in house at the edited plan's shares.
    slots = np.concatenate([plan.cohort_boards[:, None], plan.cohort_stop_parts], axis=1)
    shares = np.array([route.in_house_share for route in plan.routes])
    service = table["bench_service_days_mean"]
    hands = []
    for site in range(len(plan.site_names)):
        mine = plan.cohort_site == site
        rate = -np.log1p(-plan.hazard[mine]).mean(axis=2)  # [C, 4] a slot's failures a day
        per_day = float((plan.cohort_initial[mine, None] * slots[mine] * rate * shares).sum())
        k = 1
        while per_day * service / k > table["bench_occupancy_max"]:
            k += 1
        hands.append(k)
        assert plan.site_bench[site] == BenchPlan(k, Exponential(service))
    assert hands[1] > hands[0] >= 1  # 20,000 machines need more hands than 300
    assert bench.costs.upfront_usd == table["bench_upfront_usd_per_technician"] * sum(hands)
    assert bench.costs.running_usd_per_month == \
        table["bench_running_usd_per_technician_month"] * sum(hands)  # fmt: skip


def test_a_bench_the_fleet_has_is_kept_and_a_fleet_repairing_nothing_gets_none() -> None:
    """A site's own bench of 5 technicians was cut to 1 and billed as new: it is kept
    (with its own service time), only added technicians are paid; with every route
    scrapping its parts nothing is repaired in house and the strategy changes nothing."""
    fleet = small_fleet()
    own = {"technicians": 5, "service_days": {"dist": "exponential", "mean": 0.5}}
    fleet["sites"][0]["repair_bench"] = own
    bench, plan, _ = _bench_for(fleet)
    assert plan.site_bench[0] == BenchPlan(5, Exponential(0.5))
    assert bench.costs.upfront_usd == 0 and bench.costs.running_usd_per_month == 0
    scrapped = small_fleet(
        repair_routes={
            part: {"scrap_share": 1.0, "in_house_share": 0.0}
            for part in ("hashboard", "fan", "psu", "control_board")
        }
    )
    none, _, _ = _bench_for(scrapped)
    assert not none.edits and none.costs == Costs() and "no bench" in none.description


def test_a_bigger_fleet_never_gets_a_smaller_bench() -> None:
    """Technicians and the bench's costs never fall as a site's machines grow, and a site
    repairing nothing in house gets no bench."""
    costs = []
    for count in (50, 500, 5000, 20000):
        fleet = small_fleet()
        fleet["cohorts"] = [{"model": "antminer-s19j-pro", "count": count, "site": "a",
                             "install_date": "2022-01-01"}]  # fmt: skip
        bench, plan, _ = _bench_for(fleet)
        costs.append((plan.site_bench[0].technicians, bench.costs.running_usd_per_month))
    assert costs == sorted(costs) and costs[-1] > costs[0]
    assert bench_technicians(0.0, 0.25, 0.7) == 0 and bench_technicians(1e-6, 0.25, 0.7) == 1
    assert bench_technicians(2.8, 0.25, 0.7) == 1 and bench_technicians(2.81, 0.25, 0.7) == 2


def test_the_used_donors_strategy_buys_donors_at_the_used_tier_price() -> None:
    """used-donors: ⌈2 %⌉ of site a's 200 S19j Pros (4 machines) held as donors, paid at
    their efficiency tier's used price on day 0 of the run's own market (every path's)
    × TH/s; under sanctions the donors' parts keep more machines running than doing
    nothing, on the same paths."""
    loaded, scenario, market = fleet_from_mapping(money_fleet()), load_scenario("sanctions"), \
        load_market(None)  # fmt: skip
    prepared = prepare(loaded, [scenario], HORIZON, market, PATHS)
    base = base_set(loaded, scenario, market)
    chosen = builtin_strategies(prepared, base, 6)
    donors = next(s for s in chosen if s.name == "used-donors")
    plan = compile_plan(apply(donors, base), scenario, HORIZON)
    spec = loaded.catalog.get("antminer-s19j-pro")
    assert plan.donors == (DonorPlan(0, spec.family, 4, (3, 4, 1, 1), spec.slug),)
    from hashshock.finance.scenario_money import scenario_market

    own = scenario_market(prepared.market, prepared.plans[-1], PATHS, SEED)  # the run's
    day0 = own.used_price_usd_per_th[efficiency_tier(spec.efficiency_j_per_th)][:, 0]
    assert np.ptp(day0) == 0
    assert donors.costs.upfront_usd == pytest.approx(4 * day0[0] * spec.hashrate_ths)
    pair = [chosen[0], donors]
    result = compare_strategies([apply(s, base) for s in pair], pair, scenario, market,
                                HORIZON, PATHS, SEED, {})  # fmt: skip
    nothing, used = result.outcomes
    last = max(nothing.availability)
    assert used.availability[last].mean() > nothing.availability[last].mean()


def test_the_set_aside_strategy_takes_the_least_efficient_machines() -> None:
    """set-aside-donors: ⌈2 %⌉ of site a's least efficient model (the S19j Pro, 29.5 J/TH,
    against the S21's 17.5) stop mining and give their parts; nothing is bought."""
    loaded, scenario, market = fleet_from_mapping(money_fleet()), load_scenario("baseline"), \
        load_market(None)  # fmt: skip
    prepared = prepare(loaded, [scenario], HORIZON, market, PATHS)
    base = base_set(loaded, scenario, market)
    aside = next(s for s in builtin_strategies(prepared, base, 6) if s.name == "set-aside-donors")
    plan = compile_plan(apply(aside, base), scenario, HORIZON)
    family = loaded.catalog.get("antminer-s19j-pro").family
    assert plan.donors == (DonorPlan(0, family, 4, (3, 4, 1, 1), "antminer-s19j-pro"),)
    assert plan.cohort_initial[:2].tolist() == [196, 100]
    assert aside.total_cost_usd(HORIZON) == 0


def test_sending_the_technicians_home_is_no_gain() -> None:
    """A strategy that only takes the farm's technician away (nothing saved: wages are not
    modelled) repairs less and earns less, so it cannot come out ahead. Its fans and
    boards still arrive and wait on the shelf for a hand to fit them: valued whole, the
    waiting machines counted each such part twice (shelf and machine) and the strategy
    showed a gain."""
    loaded = load_fleet(EXAMPLES / "small-farm" / "fleet.yaml")
    scenario, market = load_scenario("baseline"), load_market(None)
    nothing = Strategy(name="do-nothing")
    home = Strategy(name="no-technicians",
                    edits=[Edit(path="fleet.sites[farm].technicians", value=0)])  # fmt: skip
    start = base_set(loaded, scenario, market)
    result = compare_strategies([apply(s, start) for s in (nothing, home)], [nothing, home],
                                scenario, market, 365, PATHS, SEED)  # fmt: skip
    base, outcome = result.outcomes
    assert outcome.revenue_usd is not None and base.revenue_usd is not None
    assert outcome.revenue_usd.mean() < base.revenue_usd.mean()
    assert outcome.missing_parts_usd is not None and base.missing_parts_usd is not None
    assert outcome.missing_parts_usd.mean() > base.missing_parts_usd.mean()
    mine, theirs = outcome.owned_end_usd, base.owned_end_usd
    assert mine is not None and theirs is not None
    assert (mine - theirs).mean() < 0
    # Its machines wait for a hand, their spare on the shelf; the farm's one technician
    # keeps up (the JSON's count, and the terminal's note naming both).
    from hashshock.cli.strategies import _technician_note

    rows = result.rows()
    waiting = [row["machines_waiting_for_technician_p50"]["364"] for row in rows]
    assert waiting[0] == 0 < waiting[1]
    note = _technician_note(rows, ["90", "181", "364"])
    assert f"do-nothing 0, no-technicians {waiting[1]:,.0f}" in note


def test_the_strategies_say_when_more_technicians_change_nothing() -> None:
    """more-technicians on a fleet whose technicians keep up showed the same availability
    as doing nothing and a net benefit of its wages, with nothing said of why."""
    from hashshock.cli.strategies import _technician_note

    def row(name: str, edits: list[dict[str, Any]], waiting: float,
            availability: float = 0.9) -> dict[str, Any]:  # fmt: skip
        return {"name": name, "edits": edits, "availability_p50": {"90": 0.95, "364": availability},
                "machines_waiting_for_technician_p50": {"90": 0.0, "364": waiting}}  # fmt: skip

    staff = [{"path": "fleet.sites[rockdale].technicians", "value": 20}]
    bench = [{"path": "fleet.sites[rockdale].repair_bench.technicians", "value": 4}]
    rows = [row("do-nothing", [], 0.0), row("more-technicians", staff, 0.0),
            row("stockpile", [{"path": "fleet.spares", "value": []}], 0.0),
            row("bigger-bench", bench, 0.0, 0.928)]  # fmt: skip
    # a repair bench's technicians are no swap technicians, and it changed availability
    assert _technician_note(rows, ["90", "364"]) == (
        "more-technicians: no machine waits for a technician on the median path at any "
        "checkpoint, with them or without: they change nothing but their cost")  # fmt: skip
    rows[1]["availability_p50"]["364"] = 0.91  # said only where nothing changed
    assert _technician_note(rows, ["90", "364"]) == ""
    rows[1]["availability_p50"]["364"] = 0.9
    rows[0]["machines_waiting_for_technician_p50"]["364"] = 3.0
    assert _technician_note(rows, ["90", "364"]).startswith(
        "machines waiting for a technician on day 364 (p50)")  # fmt: skip
    assert _technician_note(rows[:1] + rows[2:], ["90"]) == ""


def test_a_waiting_machine_is_never_worth_less_than_nothing() -> None:
    """What a waiting machine lacks counts at the part's landed cost where a spare waits
    on its pool's shelf (machine and spare make a whole one), else never more than the
    share of the machine the part stands for: the whole of it for a fan, PSU or control
    board, 1/b̄ for a hashboard. Machines worth a fortune: the parts at cost; machines
    worth a dollar: the spares on the shelf at cost, and a dollar a stopped machine."""
    from hashshock.finance.cashflow import part_unit_value_usd
    from hashshock.finance.scenario_money import missing_parts_value

    loaded, scenario, market = fleet_from_mapping(money_fleet()), load_scenario("sanctions"), \
        load_market(None)  # fmt: skip
    prepared = prepare(loaded, [scenario], HORIZON, market, PATHS)
    plan, money = prepared.plans[-1], prepared.money[-1]
    out = api.simulate_prepared(prepared, PATHS, SEED)[-1].output
    # The pools' last day adds up to the daily series of each part type.
    for k in range(4):
        mine = plan.pool_part == k
        assert (out.pool_waiting_end[:, mine].sum(axis=1) == out.backorders[:, -1, k]).all()
        assert (out.pool_on_hand_end[:, mine].sum(axis=1) == out.spares_on_hand[:, -1, k]).all()
    waiting = out.backorders[:, -1, :].astype(np.float64)
    assert waiting.sum() > 0
    installed = np.maximum(out.machines_installed[:, -1], 1).astype(np.float64)
    unit = part_unit_value_usd(money, plan)
    rich = missing_parts_value(money, plan, out, installed * 1e9)
    np.testing.assert_allclose(rich, waiting @ unit)
    cheap = missing_parts_value(money, plan, out, installed * 1.0)  # $1 a machine
    shelved = np.minimum(out.pool_waiting_end, out.pool_on_hand_end)
    lacking = out.pool_waiting_end - shelved
    boards = plan.pool_part == 0
    dollar = lacking[:, ~boards].sum(axis=1) + lacking[:, boards].sum(axis=1) / \
        plan.boards_per_machine  # fmt: skip
    np.testing.assert_allclose(cheap, shelved @ unit[plan.pool_part] + dollar)
    assert (cheap <= rich).all()


def test_a_strategy_adds_a_bench_or_transshipment_by_path() -> None:
    """Blocks a fleet leaves out (a site's repair bench or donors, transshipment) can be set
    by path."""
    fleet = money_fleet()
    fleet["sites"] = [{"name": "a"}, {"name": "b"}]
    loaded = fleet_from_mapping(fleet)
    base = base_set(loaded, load_scenario("baseline"), load_market(None))
    bench = {"technicians": 2, "service_days": 1}
    transfers = {"transfer_days": 2, "cost_usd_per_part": 40}
    edits = [Edit(path="fleet.sites[a].repair_bench", value=bench),
             Edit(path="fleet.transshipment", value=transfers),
             Edit(path="fleet.sites[a].donors", value={"antminer-s21": 2})]  # fmt: skip
    both = Strategy(name="both", edits=edits)
    edited = apply(both, base).fleet
    assert edited.sites[0].repair_bench is not None and edited.sites[1].repair_bench is None
    assert edited.sites[0].donors == {"antminer-s21": 2} and edited.sites[1].donors is None
    assert edited.transshipment is not None and edited.transshipment.transfer_days == 2


EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.mark.parametrize("file", sorted((EXAMPLES / "strategies").glob("*.yaml")),
                         ids=lambda path: path.stem)  # fmt: skip
def test_every_example_strategy_edits_the_midsize_example(file: Path) -> None:
    """Each file of examples/strategies loads and its edits give a valid fleet of the
    mid-size example that differs from it."""
    loaded = load_fleet(EXAMPLES / "midsize-public-miner" / "fleet.yaml")
    base = base_set(loaded, load_scenario("sanctions"), load_market(None))
    edited = apply(load_strategy(file), base)
    assert edited.fleet != loaded.fleet


def test_the_stockpile_s_default_in_the_help_is_the_data_file_s() -> None:
    """``--stockpile-months``' help gives the default's value, which the data file holds."""
    from hashshock.cli.strategies import MonthsOpt

    help_text = MonthsOpt.__metadata__[0].help
    assert f"default {strategy_defaults()['stockpile_months']}:" in help_text


def test_strategies_cli_prints_80_columns_and_writes_json(
    cli: typer.Typer, fleet_file: Path, tmp_path: Path, bench_strategy: Path
) -> None:
    mine = bench_strategy
    out, page = tmp_path / "out.json", tmp_path / "out.html"
    done = CliRunner().invoke(cli, ["strategies", str(fleet_file), "-s", "sanctions", *FAST,
                                    "--strategy", str(mine), "--max-breach", "liquidity=0.2",
                                    "--json", str(out), "--report", str(page)],
                              env={"COLUMNS": "80"})  # fmt: skip
    assert done.exit_code == 0, done.output
    assert fits_columns(done.stdout)
    data = json.loads(out.read_text())
    assert [s["name"] for s in data["strategies"]][-1] == "more-techs"
    assert data["strategies"][-1]["file"] == str(mine)
    assert "liquidity" in data["cheapest_under_max_breach"]
    # the runs drawn below the net benefit are doing nothing's, and every chart says so
    assert "<td>sanctions — do nothing</td>" in page.read_text()
    from tests.dashboard.browser import check_page_draws

    check_page_draws(page, tmp_path / "browser")  # the net benefit and the run's fans
    # a strategy with nothing to change on this fleet (and no cost) is said to be so
    import io

    from rich.console import Console

    from hashshock.cli.strategies import render_strategies

    assert "nothing to change" not in done.output
    data["strategies"][2].update(edits=[], cost_over_horizon_usd=0.0)
    text = io.StringIO()
    tested = list(data["strategies"][0]["covenants"])
    render_strategies(Console(file=text, width=80), data, [*tested, "dscr-q4"])
    name = data["strategies"][2]["name"]
    shown = " ".join(text.getvalue().split())
    assert f"{name}: nothing to change on this fleet" in shown
    # a covenant the horizon never tests has no column: said, not dropped silently
    horizon = data["strategies_run"]["horizon_days"]
    assert f"not tested within {horizon} days, so no breach share: dscr-q4" in shown
    # a long name is folded in every table, never cut ("same-orders-reorder…")
    data["strategies"][-1]["name"] = long = "more-technicians-at-every-site-from-day-0"
    text = io.StringIO()
    render_strategies(Console(file=text, width=80), data, tested)
    assert "more-technicians-at…" not in text.getvalue()
    cells = [line.split("│")[1].strip() for line in text.getvalue().splitlines()
             if line.startswith("│")]  # fmt: skip
    assert "".join(cells).count(long) >= 2


@pytest.mark.parametrize(("content", "field", "words"), [
    ({"name": "x", "edits": [{"path": "fleet.sites[nowhere].technicians", "value": 3}]},
     "edits[0].path", "no such field"),
    ({"name": "x", "edits": [{"path": "fleet.operations.failure_multiplier", "value": 2}]},
     "edits[0].path", "did you mean"),
    ({"name": "x", "edits": [{"path": "scenario.events[0].probability", "value": 1}]},
     "edits[0].path", "cannot edit the scenario, only the fleet — fix: start the path with "),
    ({"name": "x", "edit": []}, "edit", "did you mean edits?"),
    ({"name": "x", "costs": {"upfront": 5}}, "costs.upfront", "did you mean upfront_usd?"),
    ({"name": "x", "costs": {"upfront_usd": 5, "starts_day": 5000}}, "costs.starts_day",
     "day 5000 is past the horizon"),
    ({"name": "x", "edits": [{"path": "fleet.spares", "value": [
        {"site": "nowhere", "part": "fan", "on_hand": 3}]}]}, "edits[0]", "site"),
    ({"name": "x", "edits": [{"path": "fleet.spares", "value": [
        {"site": "a", "part": "fans", "on_hand": 3}]}]}, "edits[0]", "part"),
    ({"name": "x", "edits": [], "cost": {"upfront_usd": 5}}, "cost", "fix:"),
    ({"name": "x", "costs": {"starts_day": 5000}}, "costs.starts_day", "it does nothing"),
    ({"name": "x", "costs": {"upfront_usd": float("inf")}}, "costs.upfront_usd",
     "not a finite number"),
    # a cost of 1e300 was paid: cash and net benefit of -1e300, printed as such
    ({"name": "x", "costs": {"upfront_usd": 1e300}}, "costs.upfront_usd",
     "use a value of at most 1000000000000"),
    ({"name": "x", "costs": {"running_usd_per_month": 1e300}}, "costs.running_usd_per_month",
     "use a value of at most 1000000000000"),
    ({"name": "x", "edits": [{"path": "fleet.sites[a].technicians", "value": 3},
                             {"path": "fleet.sites[a].technicians", "value": 4}]},
     "edits[1].path", "is also edits[0]'s field"),
    # one site by name and by position: the last edit won silently
    ({"name": "x", "edits": [{"path": "fleet.sites[a].technicians", "value": 3},
                             {"path": "fleet.sites[0].technicians", "value": 4}]},
     "edits[1].path", "is also edits[0]'s field"),
    ({"name": "do-nothing", "edits": []}, "name", "the name of a built-in strategy"),
])  # fmt: skip
def test_bad_strategy_files_are_one_line_naming_the_file(
    cli: typer.Typer, fleet_file: Path, tmp_path: Path, content: dict[str, object], field: str,
    words: str,
) -> None:  # fmt: skip
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(content))
    done = CliRunner().invoke(cli, ["strategies", str(fleet_file), *FAST, "--strategy", str(bad)])
    assert done.exit_code == 2, done.output
    lines = [line for line in done.output.splitlines() if line.strip()]
    assert len(lines) == 1, done.output
    assert str(bad) in lines[0] and field in lines[0] and words in lines[0], lines[0]
    assert "fix:" in lines[0]


@pytest.mark.parametrize("name", ["stockpile-6m", "bitmain-us", "do-nothing"])
def test_a_built_in_s_name_for_a_strategy_file_says_the_built_ins_always_run(
    cli: typer.Typer, fleet_file: Path, tmp_path: Path, name: str
) -> None:
    """``--strategy stockpile-6m`` read "file not found — fix: check the path"."""
    done = CliRunner().invoke(cli, ["strategies", str(fleet_file), *FAST, "--strategy", name])
    assert done.exit_code == 2, done.output
    said = " ".join(done.output.split())
    assert f"{name}: is the name of a built-in strategy" in said and "always run" in said
    assert "--strategy takes a strategy YAML file" in said


def test_an_unknown_covenant_threshold_is_refused(cli: typer.Typer, fleet_file: Path) -> None:
    done = CliRunner().invoke(cli, ["strategies", str(fleet_file), *FAST,
                                    "--max-breach", "dcsr=0.05"])  # fmt: skip
    assert done.exit_code == 2
    assert "--max-breach" in done.output and "did you mean dscr" in done.output


@pytest.mark.parametrize(("texts", "problem", "fix"), [
    (["dscr"], "'dscr' is not a covenant and a probability", "write it as dscr=0.05"),
    (["dscr=x"], "'dscr=x' is not a covenant and a probability", "write it as dscr=0.05"),
    (["dscr=5"], "5 is not a probability", "give a share from 0 to 1, e.g. dscr=0.05"),
    (["dscr=0.05", "dscr=0.1"], "dscr is given twice", "give one limit for dscr"),
])  # fmt: skip
def test_bad_breach_limits_are_told_what_is_wrong(texts: list[str], problem: str, fix: str) -> None:
    from hashshock.cli.strategies import parse_thresholds
    from hashshock.decide.api import check_thresholds
    from hashshock.inputs.errors import InputError

    def limits(texts: list[str]) -> dict[str, float]:
        return check_thresholds(parse_thresholds(texts), ["dscr", "liquidity"])

    assert limits(["dscr=0.05", "liquidity=1"]) == {"dscr": 0.05, "liquidity": 1.0}
    with pytest.raises(InputError) as raised:
        limits(texts)
    assert raised.value.message == f"--max-breach: {problem} — fix: {fix}"


def test_a_bad_option_gets_one_line_even_where_the_market_is_stale(tmp_path: Path) -> None:
    """A start far from the bundled snapshot warns that the market is carried; that
    warning waits until every option is checked, so a bad one gets one line."""
    from hashshock.cli.app import app as cli

    late = tmp_path / "late.yaml"
    late.write_text(yaml.safe_dump({**money_fleet(), "start_date": "2026-12-01"}))
    for command in (["strategies", str(late), *FAST, "--max-breach", "dcsr=0.05"],
                    ["optimise", str(late), *FAST, "--target", "availability=97"],
                    ["report", str(late), "-o", str(tmp_path / "r.html"), "--paths", "0"],
                    ["compare", str(late), "-s", "baseline,,", *FAST]):  # fmt: skip
        done = CliRunner().invoke(cli, command)
        assert done.exit_code == 2, done.output
        lines = [line for line in done.output.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("error: "), (command, done.output)


def test_outputs_never_overwrite_a_strategy_file(
    cli: typer.Typer, fleet_file: Path, tmp_path: Path
) -> None:
    mine = tmp_path / "mine.yaml"
    mine.write_text(yaml.safe_dump({"name": "x"}))
    done = CliRunner().invoke(cli, ["strategies", str(fleet_file), *FAST, "--strategy",
                                    str(mine), "--json", str(mine)])  # fmt: skip
    assert done.exit_code == 2 and "--json" in done.output
    assert yaml.safe_load(mine.read_text()) == {"name": "x"}


def test_the_strategy_file_has_a_json_schema() -> None:
    from hashshock.cli.app import app

    done = CliRunner().invoke(app, ["schema", "strategy"])
    assert done.exit_code == 0
    schema = json.loads(done.stdout)
    assert {"name", "edits", "costs"} <= set(schema["properties"])
    assert "origin" not in schema["properties"]


def test_an_order_changed_pays_its_deposit_and_gets_the_refund() -> None:
    """The money layer takes every order's deposit as paid before the start, so a strategy
    that changes an order (here to another model, the same count: the spares kept for the
    fleet's machines, those on order included, stay the same) settles it on day 0: the new
    order's deposit paid, the contract's share of the old one's refunded. On a horizon that
    ends before the order is due the runs are the same but for that, so cash differs by
    exactly the two; the same order written again (a label added) changes nothing."""
    loaded, scenario, market = fleet_from_mapping(money_fleet()), load_scenario("baseline"), \
        load_market(None)  # fmt: skip
    horizon = 50  # the order is due on day 59
    nothing = Strategy(name="do-nothing")
    outcome, network = run_do_nothing(loaded, scenario, market, horizon, PATHS, SEED, nothing)
    base = base_set(loaded, scenario, market)
    order = dict(money_fleet()["orders"][0])
    moved = Strategy(name="moved", edits=[Edit(path="fleet.orders", value=[
        {**order, "model": "antminer-s21-pro"}])])  # fmt: skip
    same = Strategy(name="same", edits=[Edit(path="fleet.orders", value=[
        {**order, "label": "the same order"}])])  # fmt: skip
    runs = {s.name: run_strategy(apply(s, base), scenario, market, horizon, PATHS, SEED, s,
                                 (outcome, network)) for s in (moved, same)}  # fmt: skip
    assert outcome.cash_end_usd is not None
    assert runs["same"].orders_net_usd == 0.0
    assert np.array_equal(runs["same"].cash_end_usd, outcome.cash_end_usd)  # type: ignore[arg-type]
    old = prepare(loaded, [scenario], horizon, market, 1).money[0]
    new = prepare(apply(moved, base), [scenario], horizon, market, 1).money[0]
    deposit = new.deposit_share * new.order_value_usd[0]
    refund = old.refund_share[0] * old.deposit_share * old.order_value_usd[0]
    assert refund > 0 and deposit > 0
    assert runs["moved"].order_deposits_usd == pytest.approx(deposit)
    assert runs["moved"].deposits_refunded_usd == pytest.approx(refund)
    cash = runs["moved"].cash_end_usd
    assert cash is not None
    np.testing.assert_allclose(outcome.cash_end_usd - cash, deposit - refund, rtol=1e-9)


def test_order_books_match_each_machine_once() -> None:
    """Worked by hand: doing nothing holds A twice and B (25 S21s); a strategy holding A
    and C pays C's deposit ($30) and is refunded half of the second A's ($5) and of B's
    ($10). The same machines rescheduled, moved to another site or split into two
    orders keep their deposit; five more pay five machines' deposit of the order that
    holds them."""
    from hashshock.decide.strategies import OrderBook

    a, b, c = (
        ("s21", 10, "2026-03-01", "x"),
        ("s21", 5, "2026-04-01", "x"),
        ("m60", 9, "2026-03-01", "x"),
    )
    nothing = OrderBook((a, a, b), (10.0, 10.0, 20.0), (0.5, 0.5, 0.5))
    mine = OrderBook((a, c), (10.0, 30.0), (0.5, 0.5))
    assert mine.switched_usd(nothing) == (30.0, 15.0)
    assert nothing.switched_usd(nothing) == (0.0, 0.0)
    later = OrderBook((("s21", 25, "2026-09-01", "y"),), (40.0,), (0.5,))
    assert later.switched_usd(nothing) == (0.0, 0.0)
    assert nothing.switched_usd(later) == (0.0, 0.0)
    halves = OrderBook((("s21", 15, "2026-03-01", "x"), ("s21", 15, "2026-05-01", "x")),
                       (30.0, 60.0), (0.5, 0.5))  # fmt: skip
    assert halves.switched_usd(nothing) == (pytest.approx(5 * 4.0), 0.0)


def test_whole_donors_count_the_parts_left_from_as_few_donors_as_possible() -> None:
    """Worked by hand: a group of S19j-like donors (3 boards, 4 fans, 1 PSU, 1 control
    board each) with 9 boards, 10 fans, 3 PSUs and 3 control boards left holds 2 whole
    donors (the fans allow 2); with every part of 3 donors left, 3; no fan left, none."""
    from hashshock.finance.donor_value import DonorValue, whole_donors

    spec = DonorValue(np.array([[0, 1, 2, 3]]), np.array([[3, 4, 1, 1]]), np.array([100.0]),
                      ("25to38",))  # fmt: skip
    left = np.array([[9, 10, 3, 3], [9, 12, 3, 3], [9, 0, 3, 3]])
    assert whole_donors(spec, left)[:, 0].tolist() == [2, 3, 0]


def test_donors_never_stripped_are_worth_the_used_index_at_the_end() -> None:
    """Under baseline, with shelves that rarely run short, on the paths where no part is
    taken from used-donors' donors the run is doing nothing's and the donors are still
    whole: what the fleet owns at the end differs by their price on day 0 against their
    value at the used-ASIC index on the last day, 4 S19j Pros × 100 TH/s × (p_end − p_0)."""
    from hashshock.finance.scenario_money import scenario_market

    fleet = money_fleet()
    fleet["spares"] = [{**row, "on_hand": 30 * row["on_hand"]} for row in fleet["spares"]]
    loaded, scenario, market = fleet_from_mapping(fleet), load_scenario("baseline"), \
        load_market(None)  # fmt: skip
    prepared = prepare(loaded, [scenario], HORIZON, market, PATHS)
    base = base_set(loaded, scenario, market)
    chosen = builtin_strategies(prepared, base, 6)
    donors = next(s for s in chosen if s.name == "used-donors")
    pair = [chosen[0], donors]
    fleets = [apply(s, base) for s in pair]
    nothing, used = compare_strategies(fleets, pair, scenario, market, HORIZON, PATHS, SEED,
                                       {}).outcomes  # fmt: skip
    run = api.compare(fleets[1], [scenario], PATHS, HORIZON, SEED, market=market)[-1]
    untouched = run.output.parts_from_donors.sum(axis=(1, 2)) == 0
    assert untouched.sum() >= PATHS // 4
    spec = loaded.catalog.get("antminer-s19j-pro")
    price = scenario_market(prepared.market, prepared.plans[-1], PATHS, SEED)
    tier = price.used_price_usd_per_th[efficiency_tier(spec.efficiency_j_per_th)]
    whole = 4 * spec.hashrate_ths * tier[:, -1]
    assert used.donors_value_usd is not None
    np.testing.assert_allclose(used.donors_value_usd[untouched], whole[untouched])
    mine, theirs = used.owned_end_usd, nothing.owned_end_usd
    assert mine is not None and theirs is not None
    np.testing.assert_allclose((mine - theirs)[untouched],
                               (whole - 4 * spec.hashrate_ths * tier[:, 0])[untouched],
                               rtol=1e-9, atol=1e-6)  # fmt: skip


def test_the_stockpile_leaves_out_parts_dearer_than_a_used_machine() -> None:
    """A hashboard ($600 + duty + shipping) is dearer than a whole used S19j Pro (100 TH/s
    at its tier's day-0 price, about $250): the stockpile buys none for the S19j pools,
    whose donor is the cheaper spare, but does for the S21's (200 TH/s at the best tier),
    and buys fans for both."""
    from hashshock.decide.pools import pool_table
    from hashshock.decide.strategy import used_prices_on_day0

    loaded, scenario, market = fleet_from_mapping(money_fleet()), load_scenario("sanctions"), \
        load_market(None)  # fmt: skip
    prepared = prepare(loaded, [scenario], HORIZON, market, PATHS)
    base = base_set(loaded, scenario, market)
    stockpile = next(s for s in builtin_strategies(prepared, base, 6)
                     if s.name.startswith("stockpile"))  # fmt: skip
    plan = compile_plan(apply(stockpile, base), scenario, HORIZON)
    before = prepared.plans[-1]
    table = pool_table(before, prepared.money[-1].pool_unit_cost[:, 0])
    day0 = used_prices_on_day0(prepared)
    bought = plan.pool_on_hand - before.pool_on_hand
    for model in ("antminer-s19j-pro", "antminer-s21"):
        spec = loaded.catalog.get(model)
        machine = spec.hashrate_ths * day0[efficiency_tier(spec.efficiency_j_per_th)]
        for part, k in (("hashboard", 0), ("fan", 1)):
            j = next(j for j in range(before.n_pools) if before.pool_family[j] == spec.family
                     and before.pool_part[j] == k)  # fmt: skip
            dearer = table.inputs.unit_cost_usd[j] > machine
            assert dearer == (model == "antminer-s19j-pro" and part == "hashboard")
            assert (bought[j] == 0) == dearer, (model, part)


def test_an_interval_reads_in_one_unit() -> None:
    """Both ends of a net benefit's interval in the unit of the larger one."""
    from hashshock.cli.strategies import money_range

    assert money_range(-1000, 495) == "-1.0k … 0.5k"
    assert money_range(878_000, 1_040_000) == "0.88M … 1.04M"
    assert money_range(-12_000, 45_000) == "-12k … 45k"
    assert money_range(-20, 30) == "-20 … 30"
    from hashshock.cli.strategies import money  # a value beside its interval, alike

    assert money(5_120) == "5.1k" and money(-12_400) == "-12k" and money(1_234_000) == "1.23M"


def test_the_decisions_take_the_market_options(cli: typer.Typer, fleet_file: Path) -> None:
    """``--btc-price`` (and the other market options) reach strategies' money, as run's:
    a dearer BTC earns more revenue on the same paths."""
    revenue = []
    for price in ("40000", "120000"):
        market = ["--btc-price", price, "--difficulty", "1.5e14"]
        done = CliRunner().invoke(cli, ["strategies", str(fleet_file), *FAST, "--json", "-",
                                        *market])  # fmt: skip
        assert done.exit_code == 0, done.output
        revenue.append(json.loads(done.stdout)["strategies"][0]["revenue_usd_p50"])
    assert revenue[1] > 2 * revenue[0]
    done = CliRunner().invoke(cli, ["optimise", str(fleet_file), *FAST, "--btc-price", "1",
                                    "--difficulty", "1.5e14", "-q"])  # fmt: skip
    assert done.exit_code == 0 and "more than ten times outside the range" in done.stderr


def test_a_strategy_file_pays_for_the_spares_it_puts_on_the_shelves(tmp_path: Path) -> None:
    """Spares owned at the end count at their cost: 5,000 fans and 1,000 boards given for
    nothing came out +$1.1 M, the recommended strategy. A file that adds spares without
    paying their landed cost is refused, naming it; paying it, the strategy runs."""
    from hashshock.decide.api import strategies
    from hashshock.inputs.errors import InputError

    farm = Path(__file__).resolve().parents[2] / "examples" / "small-farm" / "fleet.yaml"
    stock = [{"site": "farm", "part": "fan", "on_hand": 5000},
             {"site": "farm", "part": "hashboard", "on_hand": 1000}]  # fmt: skip
    free = tmp_path / "free.yaml"
    free.write_text(yaml.safe_dump({"name": "free", "edits": [
        {"path": "fleet.spares", "value": stock}]}))  # fmt: skip
    with pytest.raises(InputError) as caught:
        strategies(farm, paths=4, horizon_days=30, extra=[free])
    message = caught.value.message
    assert str(free) in message and "costs.upfront_usd" in message
    landed = float(message.split("costs.upfront_usd: ")[-1].split(" or more")[0])
    paid = tmp_path / "paid.yaml"
    paid.write_text(yaml.safe_dump({"name": "paid", "edits": [
        {"path": "fleet.spares", "value": stock}], "costs": {"upfront_usd": landed}}))  # fmt: skip
    found = strategies(farm, paths=4, horizon_days=30, extra=[paid])
    assert "paid" in [s.name for s in found.strategies]


@pytest.mark.parametrize(("edits", "said"), [
    ([{"path": "fleet.finance.cash_usd", "value": 31_000_000}], ["$30.0M of cash"]),
    ([{"path": "fleet.cohorts[0].count", "value": 500},
      {"path": "fleet.sites[farm].donors", "value": {"antminer-s19j-pro": 40}}],
     ["of machines", "of donor machines"]),
])  # fmt: skip
def test_a_strategy_file_adding_cash_or_machines_it_does_not_pay_for_is_refused(
    tmp_path: Path, edits: list[dict[str, Any]], said: list[str]
) -> None:
    """What a strategy owns at the end counts: $30 M of cash edited in came out a +$10 M
    benefit, the largest in the table, 2,000 free machines +$518k and 2,000 S21s for $1
    +$4.5 M. Refused unless the file's upfront cost covers what they add at the used-ASIC
    index (for $0 and for $1); paying that, the strategy runs; removing machines (a sale)
    is not refused."""
    from hashshock.decide.api import strategies
    from hashshock.inputs.errors import InputError

    farm = Path(__file__).resolve().parents[2] / "examples" / "small-farm" / "fleet.yaml"
    data = yaml.safe_load(farm.read_text(encoding="utf-8"))
    data["finance"] = {"cash_usd": 1_000_000}
    fleet = tmp_path / "fleet.yaml"
    fleet.write_text(yaml.safe_dump(data), encoding="utf-8")
    needed = []
    for upfront in (0, 1):
        cheap = tmp_path / f"cheap{upfront}.yaml"
        cheap.write_text(yaml.safe_dump({"name": "cheap", "edits": edits,
                                         "costs": {"upfront_usd": upfront}}))  # fmt: skip
        with pytest.raises(InputError) as caught:
            strategies(fleet, paths=4, horizon_days=30, extra=[cheap])
        problem = caught.value.problem
        assert caught.value.field == "costs.upfront_usd"
        assert all(words in problem for words in said), problem
        needed.append(float(caught.value.fix.split("costs.upfront_usd: ")[1].split(" ")[0]))
    assert needed[0] == needed[1] > 0
    paid = tmp_path / "paid.yaml"
    paid.write_text(yaml.safe_dump({"name": "paid", "edits": edits,
                                    "costs": {"upfront_usd": needed[0]}}))  # fmt: skip
    fewer = tmp_path / "fewer.yaml"
    fewer.write_text(yaml.safe_dump({"name": "fewer", "edits": [
        {"path": "fleet.cohorts[0].count", "value": 100}]}))  # fmt: skip
    names = [s.name for s in strategies(fleet, paths=4, horizon_days=30,
                                        extra=[paid, fewer]).strategies]  # fmt: skip
    assert "paid" in names and "fewer" in names


def test_a_gain_from_stopping_machines_is_said_to_be_one() -> None:
    """On a fleet whose machines mine at a loss, sending its one technician home came out
    ahead (+$37k) with less revenue and a third of the machines stopped: said, beside
    the table, so the gain is not read as what the strategy adds. Setting machines
    aside as donors on a fleet that never fails gained +$1k by power saved, its
    availability a hair higher (the set-aside machines leave the nameplate): told by
    the hashrate delivered."""
    from hashshock.cli.strategies import _gains_by_stopping

    def row(name: str, benefit: float, revenue: float, hashrate: float) -> dict[str, Any]:
        return {"name": name, "net_benefit_usd": benefit, "revenue_usd_p50": revenue,
                "hashrate_ths_p50": {"90": 9e4, "364": hashrate}}  # fmt: skip

    rows = [row("do-nothing", 0.0, 1e6, 75_700), row("no-technician", 37e3, 0.9e6, 69_100),
            row("more-technicians", -123e3, 1.1e6, 93_900),
            row("stockpile", 5e3, 1.01e6, 76_000), row("costly-stop", -1e3, 0.8e6, 50_000),
            row("set-aside-donors", 1_031, 0.99e6, 75_144)]  # fmt: skip
    assert _gains_by_stopping(rows) == ["no-technician", "set-aside-donors"]


@pytest.mark.parametrize(("horizon", "days"), [(30, [29]), (180, [91, 179]),
                                               (365, [91, 182, 364]),
                                               (730, [91, 182, 364, 729])])  # fmt: skip
def test_strategies_show_availability_on_the_horizon_s_last_day(
    horizon: int, days: list[int]
) -> None:
    """A 180-day run showed day 91 alone; a 730-day run stopped at day 364."""
    from hashshock.decide.strategies import checkpoints

    assert checkpoints(horizon) == days


def test_two_files_of_one_name_name_the_second_and_the_first(tmp_path: Path) -> None:
    """The message named the first file only, as if it were the one to rename."""
    from hashshock.decide.strategy import check_names, load_strategy
    from hashshock.inputs.errors import InputError

    paths = []
    for stem in ("first", "second"):
        path = tmp_path / f"{stem}.yaml"
        path.write_text(yaml.safe_dump({"name": "same", "edits": []}), encoding="utf-8")
        paths.append(path)
    with pytest.raises(InputError) as caught:
        check_names([load_strategy(p) for p in paths])
    assert caught.value.file == str(paths[1]) and f"(also in {paths[0]})" in caught.value.problem


def test_a_loan_s_terms_are_no_gain_and_debt_forgiven_is_paid_for(tmp_path: Path) -> None:
    """What the loans are owed at the end counts against what a strategy owns: the same
    loan repaid at maturity rather than monthly came out +$3.1 M (the principal not yet
    repaid read as wealth) and was recommended; it costs the extra interest. Money raised
    as cash with a loan of its principal costs its interest; a principal edited down or a
    rate cut is a gift, refused unless paid for."""
    from hashshock.decide.api import strategies
    from hashshock.inputs.errors import InputError

    midsize = Path(__file__).resolve().parents[2] / "examples/midsize-public-miner/fleet.yaml"
    finance = yaml.safe_load(midsize.read_text(encoding="utf-8"))["finance"]
    loan = "fleet.finance.loans[asic-loan]"
    files = {
        "bullet": [{"path": f"{loan}.amortisation", "value": "bullet"}],
        "raise": [{"path": "fleet.finance.cash_usd", "value": finance["cash_usd"] + 5e6},
                  {"path": "fleet.finance.loans", "value": [*finance["loans"], {
                      "name": "raised", "principal_usd": 5e6, "rate_per_year": 0.1,
                      "maturity_date": "2029-12-01"}]}],
        "forgive": [{"path": f"{loan}.principal_usd", "value": 1}],
        "rate-zero": [{"path": f"{loan}.rate_per_year", "value": 0}],
    }  # fmt: skip
    for name, edits in files.items():
        (tmp_path / f"{name}.yaml").write_text(yaml.safe_dump({"name": name, "edits": edits}))
    for gift in ("forgive", "rate-zero"):  # the rate cut scored +$932k, the largest
        with pytest.raises(InputError) as caught:
            strategies(midsize, "sanctions", paths=8, horizon_days=180,
                       extra=[tmp_path / f"{gift}.yaml"])  # fmt: skip
        assert caught.value.field == "costs.upfront_usd"
        assert "of loan cost saved" in caught.value.problem, caught.value.problem
    found = strategies(
        midsize,
        "sanctions",
        paths=8,
        horizon_days=180,
        extra=[tmp_path / "bullet.yaml", tmp_path / "raise.yaml"],
    ).to_dict()
    rows = {row["name"]: row for row in found["strategies"]}
    for name, rate, principal in (("bullet", 0.11, 1e7), ("raise", 0.10, 5e6)):
        parts = rows[name]["net_benefit_by_part_usd"]
        assert parts["cash"] > 1e6 and parts["debt"] < -1e6  # the balance kept, and owed
        # a loss of the interest on what is owed longer: 180 days' on the principal at most
        interest = -(parts["cash"] + parts["debt"])
        assert 0 < interest < rate * 180 / 365 * principal
        assert rows[name]["net_benefit_usd"] == pytest.approx(-interest, abs=1.0)


def test_one_path_gives_no_interval_rather_than_a_zero_wide_one(tmp_path: Path) -> None:
    """A mean over one path has no spread to tell: the interval was "-10 … -10", as if
    exact; the JSON says null and the terminal "—"."""
    import io

    from rich.console import Console

    from hashshock.cli.strategies import render_strategies
    from hashshock.decide.api import strategies

    one = strategies(fleet_from_mapping(money_fleet()), "sanctions", paths=1, horizon_days=30)
    data = one.to_dict()
    rows = data["strategies"]
    assert all(row["net_benefit_ci95"] is None for row in rows)
    text = io.StringIO()
    render_strategies(Console(file=text, width=80), data, [])
    money = text.getvalue().split("Money over the horizon")[1].split("net benefit:")[0]
    assert "…" not in money and money.count("—") >= len(rows)
