"""Money end to end: the JSON contract, network-wide vs local shocks, the reverse stress test."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from tests.conftest import EXAMPLES, small_fleet

import hashshock
from hashshock.breakpoint import find_breakpoint
from hashshock.finance.covenants import margin_calls
from hashshock.finance.moneyplan import finance_of, pledge_spec
from hashshock.inputs.load import load_fleet
from hashshock.inputs.scenario import Scenario

MID = EXAMPLES / "midsize-public-miner" / "fleet.yaml"


def _fleet_with_covenants() -> dict[str, Any]:
    return small_fleet(
        finance={
            "cash_usd": 600_000,
            "loans": [{"name": "loan", "principal_usd": 400_000, "rate_per_year": 0.12,
                       "maturity_date": "2027-06-30"}],
            "covenants": [
                {"name": "liquidity", "type": "min_liquidity", "value": 300_000},
                {"name": "hashrate", "type": "hashrate_commitment",
                 "quarters": [{"quarter_end": "2026-06-30", "min_ths": 37_500}]},
            ],
            "btc_pledges": [{"name": "p", "btc": 10, "obligation_usd": 500_000}],
        }
    )  # fmt: skip


def test_money_json_contract() -> None:
    data = hashshock.run(_fleet_with_covenants(), "sanctions", paths=30, horizon_days=120,
                         seed=3, workers=1).to_dict()  # fmt: skip
    finance = data["finance"]
    for key in ("revenue_usd", "ebitda_usd", "cash_usd_end"):
        assert set(finance[key]) == {"p5", "p50", "p95"}
        assert finance[key]["p5"] <= finance[key]["p50"] <= finance[key]["p95"]
    for key in ("hashprice_usd_per_ph_day", "cash_usd"):
        assert set(data["daily"][key]) == {"p5", "p50", "p95"}
        assert len(data["daily"][key]["p50"]) == 120
    covenant = finance["covenants"]["liquidity"]
    assert {"tested", "probability_breach", "day_p50_first_breach"} <= set(covenant)
    assert covenant["tested"] and 0.0 <= covenant["probability_breach"] <= 1.0
    # its quarter ends on 2026-06-30, day 180 of a 120-day run: no breach share to give
    untested = finance["covenants"]["hashrate"]
    assert untested["tested"] is False and untested["first_test_day"] == 180
    assert untested["probability_breach"] is None
    assert {"probability", "day_p50"} <= set(finance["margin_calls"])
    assert "vs_baseline" in finance and "network_wide" in finance


def test_lowest_cash_counts_the_cash_before_day_0() -> None:
    """The lowest cash over the horizon is never above the starting cash (a fleet whose
    cash only grows has its start as lowest), and below it is the lowest day's."""
    run = hashshock.run(_fleet_with_covenants(), "baseline", paths=30, horizon_days=120,
                        seed=3, workers=1)  # fmt: skip
    assert run.money is not None
    flows, finance = run.money.flows, run.to_dict()["finance"]
    lowest = [min(flows.cash_start_usd, float(path.min())) for path in flows.cash_usd]
    assert finance["cash_usd_min"]["p95"] <= finance["cash_usd_start"]
    assert finance["cash_usd_min"]["p50"] == round(float(np.median(lowest)))


def test_network_wide_shock_cushions_hashprice() -> None:
    cut = [{"type": "parts_supply_stop", "vendors": ["bitmain"]},
           {"type": "repair_centre_closed", "vendors": ["bitmain"]}]  # fmt: skip
    local = Scenario.model_validate({"name": "cut-local", "events": cut})
    wide = Scenario.model_validate({"name": "cut-wide", "events": cut, "network_wide": True})
    runs = hashshock.compare(MID, [local, wide], paths=40, horizon_days=400, seed=1, workers=1)
    hp_local = runs[0].money.market.hashprice_usd_per_ph_day  # type: ignore[union-attr]
    hp_wide = runs[1].money.market.hashprice_usd_per_ph_day  # type: ignore[union-attr]
    # Same physical run and price paths; only network growth differs (after a retarget).
    assert np.array_equal(runs[0].output.hashrate_ths, runs[1].output.hashrate_ths)
    # The cushion is never negative in the median on any day and positive by the end
    # (the rest of the network's hashprice feedback can overshoot on single paths).
    cushion = hp_wide / hp_local - 1.0
    assert np.all(np.median(cushion, axis=0) >= -1e-9)
    assert np.median(cushion[:, -1]) > 0.01
    effect = runs[1].to_dict()["finance"]["network_wide"]
    assert effect["revenue_cushion_usd"]["p50"] > 0


def test_breakpoint_finds_the_smallest_breaching_parts_cut() -> None:
    fleet = _fleet_with_covenants()
    found = find_breakpoint(fleet, "hashrate", "parts-cut", paths=40, horizon_days=200, seed=2)
    assert found.value is not None and 0 < found.value <= 200
    probabilities = {e["size"]: e["probability_breach"] for e in found.evaluations}
    assert probabilities[found.value] >= 0.5
    below = [size for size, p in probabilities.items() if size < found.value]
    assert below and all(probabilities[s] < 0.5 for s in below)


def test_a_btc_drop_answer_is_a_size_evaluated_and_breaching_however_many_iterations() -> None:
    """With 60 iterations the answer was rounded to 0.6391 after the search, below the
    breach (0.48 of paths at 0.6391), and 50 evaluations repeated that size: sizes now
    lie on the answer's 4-decimal grid, the bisection stops when it would repeat one, and
    the answer is one it evaluated."""
    found = find_breakpoint(MID, "ltv", "btc-drop", paths=50, horizon_days=60, iterations=60)
    sizes = [e["size"] for e in found.evaluations]
    assert len(sizes) == len(set(sizes)) and all(round(s, 4) == s for s in sizes)
    assert len(sizes) <= 9 + math.ceil(math.log2(0.95e4))
    at = {e["size"]: e["probability_breach"] for e in found.evaluations}
    assert found.value in at and at[found.value] >= 0.5
    below = max(s for s in sizes if s < found.value)
    assert at[below] < 0.5 and found.value - below == pytest.approx(1e-4)


def test_each_breakpoint_evaluation_is_the_breach_share_a_run_of_that_cut_gives() -> None:
    """The search runs each shock alone (no baseline beside it): every size it tried
    breaches on the share of paths that ``hashshock.compare`` — baseline run first, as
    a user would — gives the same cut on the same seed."""
    fleet = _fleet_with_covenants()
    found = find_breakpoint(fleet, "hashrate", "parts-cut", paths=30, horizon_days=200,
                            seed=2, iterations=2)  # fmt: skip
    for tried in found.evaluations[:: max(len(found.evaluations) // 4, 1)]:
        days = int(tried["size"])
        events = (
            [
                {"type": kind, "vendors": ["bitmain"], "start_day": 0, "end_day": days}
                for kind in ("parts_supply_stop", "repair_centre_closed")
            ]
            if days
            else []
        )
        cut = {"name": f"cut-{days}", "events": events}  # a scenario as a mapping
        run = hashshock.compare(fleet, ["baseline", cut], paths=30, horizon_days=200, seed=2)[1]
        breach = run.to_dict()["finance"]["covenants"]["hashrate"]["probability_breach"]
        assert breach == pytest.approx(tried["probability_breach"], abs=1e-9), days


def test_a_breakpoint_evaluation_simulates_the_shock_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One plan an evaluation, the shocked one: no baseline beside it (half the work)."""
    import hashshock.api

    simulated: list[list[str]] = []
    real = hashshock.api.simulate_many

    def counting(plans: Any, *args: Any, **kwargs: Any) -> Any:
        simulated.append([plan.scenario_name for plan in plans])
        return real(plans, *args, **kwargs)

    monkeypatch.setattr(hashshock.api, "simulate_many", counting)
    found = find_breakpoint(_fleet_with_covenants(), "hashrate", "parts-cut", paths=6,
                            horizon_days=200, seed=2, iterations=1)  # fmt: skip
    assert len(simulated) == len(found.evaluations)
    assert all(len(names) == 1 and names[0].startswith("parts-cut-") for names in simulated)


def test_a_cut_whose_costs_land_after_the_horizon_does_not_hide_a_shorter_one() -> None:
    """The mid-size example's DSCR: a cut's costs land when it ends, so a cut to the
    horizon breaches less than one ending a few weeks before the last quarterly test. The
    answer is never "holds" when a size tried breaches, never above one, every size
    tried below it holds, and it comes with its Monte Carlo interval."""
    found = find_breakpoint(MID, "dscr", "parts-cut", paths=200, probability=0.3)
    tried = {e["size"]: e["probability_breach"] for e in found.evaluations}
    breaching = [size for size, p in tried.items() if p >= 0.3]
    assert breaching and found.value is not None and found.value == min(breaching)
    assert all(p < 0.3 for size, p in tried.items() if size < found.value)
    interval = found.probability_interval
    assert interval is not None and interval[0] <= found.probability_at_value <= interval[1]
    data = found.to_dict()
    assert data["probability_at_value_ci95"] == list(interval)
    assert data["outcome"] == "breaks" and data["largest_tried"] == max(tried)
    assert data["start_date"] == found.market["market_start"]["date"] and data["version"]


def test_a_higher_breach_probability_needs_no_smaller_shock() -> None:
    """On common random numbers the breach share grows with the shock, so the shock that
    breaches on 90% of paths is at least the one for 10%; each found value reaches its
    target and the JSON says which target it is."""
    fleet = _fleet_with_covenants()
    found = {
        target: find_breakpoint(fleet, "hashrate", "parts-cut", paths=40, horizon_days=200,
                                seed=2, probability=target)
        for target in (0.1, 0.5, 0.9)
    }  # fmt: skip
    values = [found[t].value for t in (0.1, 0.5, 0.9)]
    assert all(v is not None for v in values)
    assert values == sorted(values)  # type: ignore[type-var]
    # The mid-size example's LTV holds under a parts cut: the JSON says so, and up to what.
    holds = find_breakpoint(MID, "ltv", "parts-cut", paths=20, horizon_days=60).to_dict()
    assert holds["value"] is None and holds["outcome"] == "holds"
    assert holds["largest_tried"] == 60
    for target, result in found.items():
        assert result.probability_at_value is not None
        assert result.probability_at_value >= target
        assert result.to_dict()["target_probability"] == target
    for bad in (0.0, 1.5, -0.2):
        with pytest.raises(hashshock.InputError, match="--probability"):
            find_breakpoint(fleet, "hashrate", probability=bad, paths=5, horizon_days=10)


@pytest.mark.parametrize(("covenant", "horizon", "said"), [
    ("hashrate", 100, "first tested on day"),  # its only quarter ends later
])  # fmt: skip
def test_a_covenant_not_tested_within_the_horizon_is_refused(
    covenant: str, horizon: int, said: str
) -> None:
    """A covenant with no test day within the horizon cannot breach: "holds even at the
    largest shock" would be said of a test never made."""
    fleet = _fleet_with_covenants()
    with pytest.raises(hashshock.InputError) as caught:
        find_breakpoint(fleet, covenant, "btc-drop", paths=5, horizon_days=horizon)
    assert caught.value.field == "horizon_days (--horizon)" and said in caught.value.message
    first = int(caught.value.message.split("first tested on day ")[1].split()[0])
    assert f"set horizon_days (--horizon) to {first + 1} or more" in caught.value.message
    found = find_breakpoint(fleet, covenant, "btc-drop", paths=5, horizon_days=first + 1)
    assert found.evaluations  # tested once at least: the search runs


def test_breakpoint_btc_drop_and_unknown_covenant() -> None:
    found = find_breakpoint(_fleet_with_covenants(), "liquidity", "btc-drop", paths=30,
                            horizon_days=120, seed=2)  # fmt: skip
    assert found.unit == "share of BTC price"
    if found.value is not None:
        assert 0 <= found.value <= 0.95
    said = found.to_dict()  # what the search ran on, to run it again
    assert (said["horizon_days"], said["seed"], said["paths"], said["vendor"]) == (120, 2, 30, None)
    assert said["fleet"] == _fleet_with_covenants()["name"]
    assert said["market"]["market_start"]["btc_price_usd"] > 0  # the price the drop is from
    # a vendor names whose parts are cut: with a BTC drop it is refused, as the command does
    with pytest.raises(hashshock.InputError, match="vendor: names whose parts are cut"):
        find_breakpoint(_fleet_with_covenants(), "liquidity", "btc-drop", paths=5,
                        horizon_days=120, vendor="microbt")  # fmt: skip
    try:
        find_breakpoint(_fleet_with_covenants(), "dscr-typo", paths=5, horizon_days=10)
    except hashshock.InputError as exc:
        assert "no covenant named" in exc.message
        assert "liquidity" in exc.message and "hashrate" in exc.message
    else:  # pragma: no cover
        raise AssertionError("expected InputError")


def test_day_zero_is_known_and_opens_without_a_margin_call() -> None:
    """The mid-size example: day 0's price and hashprice are the same on every path, and its
    BTC pledge (margin call below $50k) is not called on day 0 on any path."""
    result = hashshock.run(MID, "baseline", paths=200, horizon_days=30, seed=0, workers=1)
    daily = result.to_dict()["daily"]
    for key in ("btc_price_usd", "hashprice_usd_per_ph_day"):
        assert daily[key]["p5"][0] == daily[key]["p95"][0]
    assert result.money is not None
    prices = result.money.market.btc_price_usd
    assert np.ptp(prices[:, 0]) == 0
    pledges = finance_of(load_fleet(MID)).btc_pledges
    calls = margin_calls(
        tuple(pledge_spec(p, result.start_date, 1) for p in pledges), prices[:, :1]
    )
    assert calls["probability"] == 0.0


def test_breakpoint_of_a_covenant_breached_without_shock_says_so(
    write_yaml: Callable[[dict[str, Any], str], Path],
) -> None:
    """A liquidity floor above the cash is breached on every path with no shock: the
    command says so, rather than "breached from btc-drop = 0"."""
    from typer.testing import CliRunner

    from hashshock.cli.app import app

    fleet = _fleet_with_covenants()
    fleet["finance"]["covenants"][0]["value"] = 5_000_000
    path = write_yaml(fleet, "fleet.yaml")
    args = ["breakpoint", str(path), "-c", "liquidity", "--shock", "btc-drop", "-n", "10",
            "--horizon", "60"]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "liquidity is already breached on 100% of paths with no btc-drop" in result.output


def test_a_pledge_already_in_margin_call_is_warned_of() -> None:
    """A pledge whose obligation is above its margin-call LTV at the start's price is
    called on day 0 of every path: the run says so beside the result, and only then."""

    def run(obligation: float) -> dict[str, Any]:
        pledge = {"name": "p", "btc": 100, "obligation_usd": obligation, "margin_call_ltv": 0.8}
        fleet = small_fleet(finance={"cash_usd": 1e6, "btc_pledges": [pledge]})
        return hashshock.run(fleet, "baseline", paths=20, horizon_days=30).to_dict()

    called = run(9e6)
    (warning,) = [w for w in called["warnings"] if "btc_pledges[0] (p)" in w]
    assert "called on day 0" in warning
    assert called["finance"]["margin_calls"]["probability"] == 1.0
    assert called["finance"]["margin_calls"]["day_p50"] == 0
    healthy = run(4e6)
    assert not [w for w in healthy["warnings"] if "btc_pledges" in w]
    assert healthy["finance"]["margin_calls"]["day_p50"] != 0


def test_breakpoint_that_holds_says_how_close_it_came(tmp_path: Path) -> None:
    """The mid-size DSCR holds at 50 % under every Bitmain cut, yet breaches on a third
    of paths at some: "holds" alone read as safe; the text gives the largest cut tried
    and the most paths breached, as the evaluations have them."""
    import json

    from typer.testing import CliRunner

    from hashshock.cli.app import app

    out = tmp_path / "found.json"
    result = CliRunner().invoke(app, ["breakpoint", str(MID), "-c", "dscr", "-n", "40",
                                      "--json", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    found = json.loads(out.read_text(encoding="utf-8"))
    assert found["value"] is None  # the case this checks
    most = max(found["evaluations"], key=lambda e: e["probability_breach"])
    text = " ".join(result.stdout.split())
    assert "holds (breached on < 50% of paths) at every parts-cut tried, up to 365 days" in text
    assert f"{most['probability_breach']:.1%} at {most['size']:g} days" in text


def test_a_btc_fall_is_said_to_the_hundredth_it_was_found_to() -> None:
    """To a tenth of a percent, a fall of 57.21 % that breached read 57.2 %, which
    breached on fewer paths than asked; and "on ≥ 100 % of paths" reads "every path"."""
    from hashshock.cli.breakpoint import fall

    assert [fall(s) for s in (0.5721, 0.09, 0.6066, 0.0)] == ["57.21%", "9%", "60.66%", "0%"]


def test_cash_below_zero_reads_as_a_breach_does() -> None:
    """A fleet without a liquidity covenant whose cash went to −$540k said so nowhere but
    in its lowest cash: the share of paths whose cash goes below $0, its interval and the
    median first day, from the cash by day; and on the terminal's money table."""
    from hashshock.finance.covenants import wilson_interval
    from hashshock.results.money import below_zero

    cash = np.array([[5.0, -1.0, 3.0], [2.0, 1.0, 1.0], [4.0, 2.0, -6.0], [-1.0, -2.0, 0.0]])
    said = below_zero(cash)
    assert said["probability"] == 0.75 and said["day_p50_first"] == 1
    assert said["probability_ci95"] == [round(x, 4) for x in wilson_interval(3, 4)]
    assert below_zero(np.ones((3, 4)))["day_p50_first"] is None
    broke = small_fleet(finance={"cash_usd": 0})
    from hashshock import api

    result = api.run(broke, "baseline", paths=20, horizon_days=60)
    flows = result.money.flows
    assert result.to_dict()["finance"]["cash_below_zero"] == below_zero(flows.cash_usd)
    # A fleet that gives no cash counts it up from $0: below $0 says nothing of its
    # liquidity (the small farm read a 31 % chance of running out), so it is not said.
    for silent in (small_fleet(), small_fleet(finance={"overhead_usd_per_machine_day": 0.5})):
        data = api.run(silent, "baseline", paths=20, horizon_days=60).to_dict()
        assert data["finance"]["cash_below_zero"] is None
        assert data["finance"]["cash_usd_start"] == 0.0
