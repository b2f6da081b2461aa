"""The industry's notes: what the checkpoints would hide is said in words."""

from __future__ import annotations

from typing import Any

from hashshock.industry.notes import worst_days


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
