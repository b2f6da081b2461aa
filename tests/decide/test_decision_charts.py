"""The decision charts say which answer is the answer: the strategies beyond the user's
breach limits are grey and the largest net benefit within them is starred, beside a
table of what the bars leave out (availability, money, breaches); the frontier's target
line is labelled. Built from the commands' JSON forms alone."""

from __future__ import annotations

from typing import Any

from hashshock.report.figures.decide import OUTSIDE_LIMITS, net_benefit_chart


def _row(name: str, benefit: float, breach: float) -> dict[str, Any]:
    return {"name": name, "net_benefit_usd": benefit,
            "net_benefit_ci95": [benefit - 1.0, benefit + 1.0],
            "covenants": {"hashrate-commitment": {"probability_breach": breach}}}  # fmt: skip


def test_strategies_beyond_the_breach_limit_are_grey_and_the_answer_is_starred() -> None:
    data = {
        "strategies_run": {"fleet": "f", "scenario": "sanctions"},
        "strategies": [_row("do-nothing", 0.0, 1.0), _row("stockpile-6m", -969e3, 0.0),
                       _row("switch-off", 880e3, 1.0), _row("used-donors", -12e3, 0.04)],
        "max_breach": {"hashrate-commitment": 0.05},
        "cheapest_under_max_breach": {"hashrate-commitment": "used-donors"},
        "cheapest_under_every_limit": "used-donors",
    }  # fmt: skip
    fig = net_benefit_chart(data)
    assert fig is not None
    (bars,) = fig["data"]
    colours = dict(zip(bars["y"], bars["marker"]["color"], strict=True))
    assert colours["do-nothing"] == colours["switch-off"] == OUTSIDE_LIMITS
    assert colours["stockpile-6m"] != OUTSIDE_LIMITS
    assert "used-donors ★" in colours and colours["used-donors ★"] != OUTSIDE_LIMITS
    assert "hashrate-commitment on more than 5%" in fig["layout"]["title"]["text"]
    title = fig["layout"]["title"]["text"].replace("</sup><br><sup>", " ")  # wrapped lines
    assert "★ the largest net benefit within every limit" in title
    without = net_benefit_chart({**data, "max_breach": {}, "cheapest_under_max_breach": {}})
    assert without is not None and OUTSIDE_LIMITS not in without["data"][0]["marker"]["color"]
    assert "★" not in "".join(without["data"][0]["y"])


def test_the_star_is_the_answer_within_every_limit_not_one_limit_s_best() -> None:
    """Two limits: switch-off has the largest benefit within the DSCR limit alone but
    breaches the commitment on every path; the report starred it (and greyed it) while
    the terminal's answer, within both, was donors-as-needed."""

    def row(name: str, benefit: float, commitment: float, dscr: float) -> dict[str, Any]:
        return {**_row(name, benefit, commitment), "covenants": {
            "hashrate-commitment": {"probability_breach": commitment},
            "dscr": {"probability_breach": dscr}}}  # fmt: skip

    data = {
        "strategies_run": {"fleet": "f", "scenario": "sanctions"},
        "strategies": [row("do-nothing", 0.0, 1.0, 0.3), row("switch-off", 1.02e6, 1.0, 0.2),
                       row("donors-as-needed", 641e3, 0.0, 0.26)],
        "max_breach": {"hashrate-commitment": 0.05, "dscr": 0.5},
        "cheapest_under_max_breach": {"hashrate-commitment": "donors-as-needed",
                                      "dscr": "switch-off"},
        "cheapest_under_every_limit": "donors-as-needed",
    }  # fmt: skip
    fig = net_benefit_chart(data)
    assert fig is not None
    starred = [name for name in fig["data"][0]["y"] if "★" in name]
    assert starred == ["donors-as-needed ★"]
    none = net_benefit_chart({**data, "cheapest_under_every_limit": None})
    assert none is not None
    title = none["layout"]["title"]["text"].replace("</sup><br><sup>", " ")  # wrapped lines
    assert "no strategy is within every limit" in title


def test_the_frontier_labels_its_target_and_shows_the_independent_check() -> None:
    """The star is the search's own estimate; the check on another seed, with its 95 %
    interval, is drawn beside it, so a star above the line with a check below reads as
    what it is: within noise of the target."""
    from hashshock.report.figures.decide import frontier_chart

    point = {"cost_usd": 0.0, "availability": 0.88}
    data = {
        "optimise": {"fleet": "f", "scenario": "sanctions",
                     "target": {"availability": 0.97, "at": "p50"}},
        "frontier": {"closed_form": [point], "simulated_all": [], "simulated": [point]},
        "chosen": {"cost_usd": 119_723.0, "objective": 0.9707,
                   "verified": {"seed": 1, "objective": 0.9694,
                                "objective_ci95": [0.9677, 0.9711]}},
    }  # fmt: skip
    fig = frontier_chart(data)
    assert fig is not None
    (check,) = [t for t in fig["data"] if t["meta"]["series"] == "frontier.verified"]
    assert check["y"] == [0.9694] and "seed 1" in check["name"]
    assert abs(check["error_y"]["arrayminus"][0] - (0.9694 - 0.9677)) < 1e-12
    assert any(a["text"] == "target 97.0%" for a in fig["layout"]["annotations"])


def test_the_strategies_table_shows_what_the_bars_leave_out() -> None:
    """A strategy can gain by breaking a commitment: the table beside the chart gives
    each one's availability, money and breach probabilities, from the same JSON."""
    from hashshock.report.figures.decide import strategies_table

    row = {**_row("switch-off", 880e3, 1.0), "upfront_usd": 0.0, "running_usd_per_month": 0.0,
           "availability_p50": {"91": 0.95, "364": 0.754}, "revenue_usd_p50": 42.36e6,
           "cash_end_usd_p50": 34.8e6, "net_benefit_ci95": [800e3, 960e3]}  # fmt: skip
    losing = {**row, "name": "grey-market", "net_benefit_usd": -1_864_904.0,
              "net_benefit_ci95": [-1.9e6, -1.83e6]}  # fmt: skip
    html = strategies_table({"strategies_run": {"checkpoint_days": [91, 364]},
                             "strategies": [row, losing]})  # fmt: skip
    # money as the report's other tables write it; net benefit a mean, with its interval
    said = ["switch-off", "75.4%", "$42.4M", "$880.0k ($800.0k … $960.0k)", "100.0%",
            "hashrate-commitment", "availability day 364", "-$1.9M (-$1.9M … -$1.8M)",
            "net benefit against doing nothing the mean over paths"]  # fmt: skip
    assert all(text in html for text in said), html
    assert "$-" not in html
