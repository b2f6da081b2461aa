"""BTC pledges in the industry view: called, reported per group, never a break."""

from __future__ import annotations

import hashshock
from hashshock.industry.api import industry
from hashshock.industry.load import load_industry

PATHS, SEED = 40, 0


def test_a_pledge_is_called_as_when_the_operator_runs_alone() -> None:
    """ABTC's BTC pledged to Bitmain: the group's margin call (probability and median
    day) is the one ``compare`` gives its fleet alone — the same BTC price paths — and
    the groups with no pledge report none."""
    bundled = load_industry()
    member = next(m for m in bundled.members if m.group == "abtc")
    fleet = member.loaded.fleet.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    runs = hashshock.compare(fleet, ["baseline", "sanctions"], PATHS, seed=SEED)
    alone = [r.to_dict()["finance"]["margin_calls"] for r in runs]
    data = industry(bundled, ["baseline", "sanctions"], PATHS, 365, SEED).to_dict()
    for name, own in zip(("baseline", "sanctions"), alone, strict=True):
        groups = data["scenarios"][name]["groups"]
        assert own["probability"] > 0  # the case is worth testing
        assert groups["abtc"]["margin_call"] == {"probability": own["probability"],
                                                 "day_p50": own["day_p50"]}  # fmt: skip
        assert groups["abtc"]["break"]["financial"]["probability"] == 0.0  # called, not broken
        assert "margin_call" not in groups["mara"]
