"""Engines steered by the shared network (docs/industry.md): each pass runs every
member's engine on the hashprice and used prices the pass before settled, so the gap
between what the engines saw and the shared network shrinks pass by pass (a fixed
point); one pass is the run as before; blocks of paths change nothing; bad values exit 2."""

from __future__ import annotations

import numpy as np
import pytest

from hashshock.industry import simulate
from hashshock.industry.api import industry
from hashshock.industry.load import industry_from_mapping, load_industry
from hashshock.inputs.errors import InputError

PATHS, DAYS, SEED = 12, 300, 1
SCENARIOS = ["baseline", "sanctions"]


@pytest.fixture(scope="module")
def by_passes() -> dict[int, dict]:
    return {n: industry(load_industry(), SCENARIOS, PATHS, DAYS, SEED,
                        engine_passes=n).to_dict() for n in (1, 2, 3)}  # fmt: skip


def test_each_pass_brings_the_engines_closer_to_the_shared_hashprice(by_passes) -> None:
    """The engines' hashprice differs from the shared one by a few percent after one
    pass (the market's own network growth against the operators' and the rest of the
    world's), and by several times less after each further pass; the US hashrate moves
    less from pass 2 to 3 than from 1 to 2."""
    for name in SCENARIOS:
        gaps = [by_passes[n]["scenarios"][name]["us"]["steering_hashprice_gap"]["p95"]
                for n in (1, 2, 3)]  # fmt: skip
        assert gaps[0] > 0.01, gaps
        assert gaps[1] < gaps[0] / 3 and gaps[2] < gaps[1] / 3, gaps
        us = [np.array(by_passes[n]["scenarios"][name]["us"]["hashrate_ehs"]["p50"])
              for n in (1, 2, 3)]  # fmt: skip
        assert np.abs(us[2] - us[1]).max() <= np.abs(us[1] - us[0]).max()
    assert [by_passes[n]["engine_passes"] for n in (1, 2, 3)] == [1, 2, 3]


def test_two_passes_in_blocks_of_paths_give_the_whole_run(
    by_passes, monkeypatch: pytest.MonkeyPatch
) -> None:
    members = len(load_industry().members)
    per_path = members * len(SCENARIOS) * DAYS * simulate.BYTES_PER_MEMBER_PATH_DAY
    monkeypatch.setattr(simulate, "BLOCK_BYTES", 5 * per_path)
    blocked = industry(load_industry(), SCENARIOS, PATHS, DAYS, SEED, engine_passes=2)
    assert blocked.to_dict() == by_passes[2]


@pytest.mark.parametrize("passes", [0, 5, True])
def test_a_bad_number_of_passes_is_refused(passes: int) -> None:
    with pytest.raises(InputError, match="is not a number of passes from 1 to 4"):
        industry(load_industry(), SCENARIOS, 2, 10, engine_passes=passes)


def test_more_passes_need_the_shared_network() -> None:
    mapping = {"name": "t", "start_date": "2026-12-01", "network_feedback": False,
               "engine_passes": 2, "operators": [{"name": "a", "fleet": "x.yaml"}]}  # fmt: skip
    with pytest.raises(InputError, match="engine_passes acts on the shared network"):
        industry_from_mapping(mapping)


def test_the_summary_says_when_the_engines_saw_another_hashprice(by_passes) -> None:
    """One pass leaves a gap of a few percent, which the terminal names with its fix; by
    the third pass it is below the note's threshold and nothing is said."""
    import io

    from rich.console import Console

    from hashshock.cli.industry import STEERING_GAP_NOTE, render_industry

    def printed(data: dict) -> str:
        text = io.StringIO()
        render_industry(Console(file=text, width=80), data, 1.0)
        return " ".join(text.getvalue().split())

    assert "--passes 2 brings it closer" in printed(by_passes[1])
    gaps = [s["us"]["steering_hashprice_gap"]["p95"] for s in by_passes[3]["scenarios"].values()]
    assert max(gaps) <= STEERING_GAP_NOTE
    assert "--passes" not in printed(by_passes[3])


def test_hashshock_industry_refuses_a_bad_passes_option() -> None:
    import typer
    from typer.testing import CliRunner

    from hashshock.cli.industry import register

    app = typer.Typer()
    register(app)
    for extra in ([], ["--validate"]):  # checked as a run would check it
        done = CliRunner().invoke(app, ["--paths", "2", "--horizon", "10", "--passes", "9",
                                        *extra])  # fmt: skip
        assert done.exit_code == 2
        assert "--passes: 9 is not a number of passes from 1 to 4" in done.output


def test_the_gap_is_the_average_day_not_a_halving_reached_days_apart() -> None:
    """Two hashprice paths 2 % apart that halve three days apart: the gap is their typical
    day's 2 % (plus the three days' step spread over the horizon), not the 100 % of the
    days between the two halvings."""
    from types import SimpleNamespace

    from hashshock.industry.passes import steering_gap

    days = np.arange(300)
    steered = np.where(days < 150, 40.0, 20.0)[None, :]
    settled = 1.02 * np.where(days < 153, 40.0, 20.0)[None, :]
    gap = steering_gap(
        SimpleNamespace(hashprice_usd_per_ph_day=steered),  # type: ignore[arg-type]
        SimpleNamespace(hashprice_usd_per_ph_day=settled),
    )  # type: ignore[arg-type]
    assert gap == pytest.approx([(297 * 0.02 + 3 * 1.04) / 300])
