"""A scenario that includes others: their events first, its own after, and an own event
named like an included one in that one's place (one built-in event changed, the rest
kept) — shown on the example that changes `sanctions`' parts stop."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import EXAMPLES

import hashshock
from hashshock.inputs.load import load_scenario

COMMODITY_FANS = EXAMPLES / "scenarios" / "sanctions-commodity-fans.yaml"


def test_an_own_event_named_like_an_included_one_replaces_it_in_place(tmp_path: Path) -> None:
    sanctions = load_scenario("sanctions")
    changed = load_scenario(COMMODITY_FANS)
    assert [e.name for e in changed.events] == [e.name for e in sanctions.events]
    for before, after in zip(sanctions.events, changed.events, strict=True):
        if after.name == "entity-list-parts":
            assert sorted(after.parts or []) == ["control_board", "hashboard", "psu"]
            assert before.parts is None  # every part in the bundled one
        else:
            assert after == before
    extra = tmp_path / "extra.yaml"
    extra.write_text(
        "name: extra\ninclude: [customs-2024]\nevents:\n"
        "  - {name: another, type: lead_time_change, extra_days: 10}\n"
        "  - {type: lead_time_change, extra_days: 5}\n",
        encoding="utf-8",
    )
    included = load_scenario("customs-2024").events
    events = load_scenario(extra).events
    assert events[: len(included)] == included and len(events) == len(included) + 2


def test_fans_from_third_parties_soften_the_sanctions_collapse() -> None:
    """With fans still to be had, the mid-size example keeps more of its hashrate under
    sanctions on the same paths, and fewer machines wait for a part."""
    fleet = EXAMPLES / "midsize-public-miner" / "fleet.yaml"
    sanctions, fans = hashshock.compare(fleet, ["sanctions", str(COMMODITY_FANS)], paths=60,
                                        horizon_days=365, seed=0)  # fmt: skip
    shocked, softened = sanctions.to_dict()["daily"], fans.to_dict()["daily"]
    assert softened["availability"]["p50"][-1] > shocked["availability"]["p50"][-1]
    waiting = "waiting_for_part"
    assert (softened["machines_down"][waiting]["p50"][-1]
            < shocked["machines_down"][waiting]["p50"][-1])  # fmt: skip


def test_network_wide_comes_with_the_included_scenario_unless_set(tmp_path: Path) -> None:
    """``sanctions`` with one event changed is still network-wide (it lost the flag, and
    with it the network's pricing); a scenario that says ``network_wide: false`` keeps
    its word; one including only fleet-local scenarios stays local."""
    assert load_scenario("sanctions").network_wide
    for name, text, expected in (
        ("tweak", "include: [sanctions]\nevents: []\n", True),
        ("local", "include: [sanctions]\nnetwork_wide: false\nevents: []\n", False),
        ("quiet", "include: [quiet-end]\nevents: []\n", False),
    ):
        file = tmp_path / f"{name}.yaml"
        file.write_text(f"name: {name}\n{text}", encoding="utf-8")
        assert load_scenario(file).network_wide is expected, name
