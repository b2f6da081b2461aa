"""The industry's notes: what the checkpoints would hide is said in words."""

from __future__ import annotations

from typing import Any

from hashshock.industry.notes import GROWTH_NOTE_DAYS, rest_of_world_growth, worst_days


def _scenario(p5: list[float]) -> dict[str, Any]:
    return {"us": {"hashrate_ehs_vs_baseline": {"p5": p5, "p50": [0.0] * len(p5)}}}


def test_a_short_outage_the_checkpoints_miss_is_said_with_its_day() -> None:
    """A remote disable that takes half the US off for days and ends: the median on the
    checkpoints is 0, the worst day's 5th percentile is said, with its day."""
    data = {"scenarios": {"baseline": _scenario([0.0] * 5),
                          "remote-disable": _scenario([0.0, -50.0, -210.5, -3.0, 0.0]),
                          "quiet": _scenario([0.0, 1.0, 0.5, 0.0, 0.0])}}  # fmt: skip
    said = worst_days(data)
    assert said is not None and said.endswith("remote-disable -210.5 on day 2")
    assert "quiet" not in said and "baseline " not in said.split(":", 1)[1]
    assert worst_days({"scenarios": {"baseline": _scenario([0.0]),
                                     "quiet": _scenario([0.0, 2.0])}}) is None  # fmt: skip
    # a loss that prints as 0.0 is noise (−0.001 EH/s read "sanctions 0.0 on day 28")
    assert worst_days({"scenarios": {"baseline": _scenario([0.0]),
                                     "noise": _scenario([0.0, -0.001])}}) is None  # fmt: skip


def _rest(growth: float, start: float, yearly: float, days: int) -> dict[str, Any]:
    """An industry's JSON whose rest of the world grows ``yearly`` (median path) against
    ``growth`` at the reference hashprice."""
    p50 = [start * (1 + yearly) ** (d / 365) for d in range(days)]
    return {"market": {"rest_of_world_growth_per_year": growth,
                       "growth_reference_hashprice_usd_per_ph_day": 47.0},
            "scenarios": {"baseline": {"us": {"rest_of_world_ehs": {"p50": p50}}}}}  # fmt: skip


def test_a_rest_of_the_world_growing_off_its_given_growth_is_said_with_what_it_grew() -> None:
    """``growth_per_year`` is the growth at the reference hashprice: a run whose rest of
    the world grows well below it (the hashprice feedback at a lower hashprice) says so,
    with the growth it had; one growing at it, or over too few days to read a year's
    growth, says nothing."""
    said = rest_of_world_growth(_rest(0.39, 950.0, 0.12, 366))
    assert said is not None
    assert said.startswith("the rest of the world grows 39% a year at the reference "
                           "hashprice ($47.00/PH/day) and more slowly below it")  # fmt: skip
    assert "950.0 → 1,064.0 EH/s over 365 days, 12% a year (p50, baseline" in said
    faster = rest_of_world_growth(_rest(0.10, 950.0, 0.30, 200))
    assert faster is not None and "faster above it" in faster and "30% a year" in faster
    assert rest_of_world_growth(_rest(0.39, 950.0, 0.37, 366)) is None
    assert rest_of_world_growth(_rest(0.39, 950.0, 0.0, GROWTH_NOTE_DAYS)) is None
    assert rest_of_world_growth({"scenarios": {}}) is None


def test_a_few_farms_read_in_ph_s() -> None:
    """An industry of a few farms printed 0.0 EH/s everywhere: under 10 EH/s of
    nameplate its hashrate reads in PH/s (the JSON stays in EH/s); the US's in EH/s."""
    from hashshock.industry.notes import hashrate_unit

    small = {"operators": [{"nameplate_ehs": 0.4}, {"nameplate_ehs": 1.2}],
             "scenarios": {"baseline": _scenario([0.0, 0.0]),
                           "sanctions": _scenario([0.0, -0.0123])}}  # fmt: skip
    assert hashrate_unit(small) == ("PH/s", 1000.0)
    said = worst_days(small)
    assert said is not None and "US PH/s less" in said and said.endswith("-12.3 on day 1")
    assert hashrate_unit({**small, "operators": [{"nameplate_ehs": 385.0}]}) == ("EH/s", 1.0)


def test_the_carried_network_compares_shares_only_for_an_industry_of_the_uss_size() -> None:
    """A few farms start at 0.4 % of the network for their size, not because the network
    was carried forward: the note says the network was carried, and compares the share
    with the market's US share only for an industry near it."""
    from hashshock.industry.notes import carried_network

    def data(share: float) -> dict[str, Any]:
        us = {"us": {"share_of_network": {"p50": [share]}}}
        return {"market": {"carried_days": 337, "network_given": False,
                           "snapshot_date": "2025-12-29", "us_share_reference": 0.36},
                "scenarios": {"baseline": us}}  # fmt: skip

    small, us = carried_network(data(0.004)), carried_network(data(0.261))
    assert small is not None and "carried 337 days" in small and "start at" not in small
    assert us is not None and "the US operators start at 26.1% of it" in us
