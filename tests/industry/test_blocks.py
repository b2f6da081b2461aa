"""An industry run cut into blocks of paths (hashshock.industry.blocks) gives the numbers
of one run, bit for bit: every path settles on its own."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from hashshock.industry import simulate
from hashshock.industry.api import industry
from hashshock.industry.load import load_industry
from hashshock.industry.result import IndustryResult

PATHS, DAYS, SEED = 11, 365, 3
SCENARIOS = ["baseline", "sanctions", "remote-disable"]


@pytest.fixture(scope="module")
def whole() -> IndustryResult:
    return industry(load_industry(), SCENARIOS, PATHS, DAYS, SEED)


def test_path_blocks_cover_the_paths_once() -> None:
    blocks = simulate.path_blocks(455, 2, 1000, 730)
    assert blocks[0][0] == 0 and sum(count for _, count in blocks) == 1000
    assert all(a + n == b for (a, n), (b, _) in itertools.pairwise(blocks))
    kept = max(n for _, n in blocks) * 455 * 2 * 730 * simulate.BYTES_PER_MEMBER_PATH_DAY
    assert kept <= simulate.BLOCK_BYTES
    assert simulate.path_blocks(39, 2, 200, 365) == [(0, 200)]


def test_blocks_of_paths_give_the_whole_run(
    whole: IndustryResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bundled `us` under baseline, sanctions and remote disabling in blocks of 4, 4
    and 3 paths: the same JSON, the same sums by day and members' first days; each
    member keeps no arrays by day once joined."""
    members = len(whole.runs.inputs.members)
    per_path = members * len(SCENARIOS) * DAYS * simulate.BYTES_PER_MEMBER_PATH_DAY
    monkeypatch.setattr(simulate, "BLOCK_BYTES", 4 * per_path)
    blocked = industry(load_industry(), SCENARIOS, PATHS, DAYS, SEED)
    assert blocked.to_dict() == whole.to_dict()
    for k in range(len(SCENARIOS)):
        np.testing.assert_array_equal(blocked.us_hashrate_ths(k), whole.us_hashrate_ths(k))
        for ours, theirs in zip(blocked.member_runs(k), whole.member_runs(k), strict=True):
            assert ours.hashrate_ths is None and ours.cash_usd is None
            np.testing.assert_array_equal(ours.break_day, theirs.break_day)
            for name, days in theirs.stage_days.items():
                np.testing.assert_array_equal(ours.stage_days[name], days)
    assert blocked.runs.settlements is not None and whole.runs.settlements is not None
    np.testing.assert_array_equal(
        blocked.runs.settlements[1].network.market.hashprice_usd_per_ph_day,
        whole.runs.settlements[1].network.market.hashprice_usd_per_ph_day,
    )
