"""Members share the world (events, prices) and draw their own failures."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from hashshock.industry.api import industry
from hashshock.industry.load import industry_from_mapping
from hashshock.industry.simulate import member_seed

ROOT = Path(__file__).resolve().parents[2]
FARM = ROOT / "examples" / "small-farm" / "fleet.yaml"


def test_like_members_fail_independently() -> None:
    """Two members of one class, the same size: their failures differ (their own seeds),
    the first member's seed is the run's."""
    loaded = industry_from_mapping({
        "name": "twins", "start_date": "2026-12-01",
        "operators": [{"name": "farms", "template": str(FARM), "count": 2,
                       "machines_each": {"mean": 500}}],
    })  # fmt: skip
    result = industry(loaded, ["baseline"], paths=20, horizon_days=90, seed=4)
    first, second = result.member_runs(0)
    assert first.hashrate_ths.shape == second.hashrate_ths.shape
    assert not np.array_equal(first.hashrate_ths, second.hashrate_ths)
    assert member_seed(4, 0) == 4
    assert len({member_seed(4, i) for i in range(50)}) == 50
    assert all(0 <= member_seed(4, i) < 2**63 for i in range(50))


@pytest.mark.parametrize("passes", [1, 2])
def test_same_numbers_on_threads(passes: int) -> None:
    """Members as tasks on Dask's threaded scheduler give the same results as here, with
    one engine pass or two (the second pass's markets travel to the workers)."""
    from hashshock.execution import InProcess, Threads

    loaded = industry_from_mapping({
        "name": "three", "start_date": "2026-12-01", "engine_passes": passes,
        "operators": [{"name": "farms", "template": str(FARM), "count": 3,
                       "machines_each": {"mean": 400, "cv": 0.5}}],
    })  # fmt: skip
    here = industry(loaded, ["baseline", "sanctions"], 10, 40, 1, executor=InProcess())
    with Threads(2) as threads:
        there = industry(loaded, ["baseline", "sanctions"], 10, 40, 1, executor=threads)
    assert here.to_dict()["scenarios"] == there.to_dict()["scenarios"]
    # workers=, as compare's: a local cluster of worker processes for the call.
    cluster = industry(loaded, ["baseline", "sanctions"], 10, 40, 1, workers=2)
    assert here.to_dict()["scenarios"] == cluster.to_dict()["scenarios"]


def test_the_industry_can_start_every_members_pipelines_steady(tmp_path: Path) -> None:
    """``pipelines_at_start`` in the industry file sets every member's, except where the
    member's own fleet file says; left out, the fleets say (empty by default)."""
    import copy

    from hashshock.industry.load import industry_from_mapping, load_industry
    from hashshock.inputs.files import read_yaml_mapping

    bundled = load_industry()
    assert bundled.path is not None
    data = copy.deepcopy(read_yaml_mapping(bundled.path))
    for op in data["operators"]:
        op["template"] = str(bundled.path.parent / op["template"])
    assert {m.loaded.fleet.pipelines_at_start for m in bundled.members} == {"empty"}
    steady = industry_from_mapping({**data, "pipelines_at_start": "steady"})
    assert {m.loaded.fleet.pipelines_at_start for m in steady.members} == {"steady"}
    assert all(m.loaded.fleet.model_dump().get("pipelines_at_start") == "steady"
               for m in steady.members)  # fmt: skip
    first = data["operators"][0]
    own = tmp_path / "own.yaml"
    own.write_text(Path(first["template"]).read_text() + "\npipelines_at_start: empty\n")
    first["template"] = str(own)
    mixed = industry_from_mapping({**data, "pipelines_at_start": "steady"})
    starts = {(m.group, m.loaded.fleet.pipelines_at_start) for m in mixed.members}
    assert (first["name"], "empty") in starts and (first["name"], "steady") not in starts
    assert {start for group, start in starts if group != first["name"]} == {"steady"}


def test_the_industry_json_and_header_say_its_day_0_and_payback_settings() -> None:
    """Two settings that move every figure are in the JSON and under the header: the
    members' start (``empty``, ``steady`` or ``mixed``) and the replacement rule."""
    import copy
    import io

    from rich.console import Console

    from hashshock.cli.industry import render_industry
    from hashshock.industry.api import industry
    from hashshock.industry.load import industry_from_mapping, load_industry
    from hashshock.inputs.files import read_yaml_mapping

    bundled = load_industry()
    assert bundled.path is not None
    data = copy.deepcopy(read_yaml_mapping(bundled.path))
    for op in data["operators"]:
        op["template"] = str(bundled.path.parent / op["template"])
    data["operators"] = [dict(op, simulated=1) for op in data["operators"]
                         if op["name"] in ("small-farms", "mara")]  # fmt: skip
    data.pop("portfolio")
    data["replacement"]["max_payback_days"] = 730
    for start in ("empty", "steady"):
        run = industry(industry_from_mapping({**data, "pipelines_at_start": start}),
                       ["baseline"], 2, 10, 0)  # fmt: skip
        out = run.to_dict()
        assert out["pipelines_at_start"] == start
        assert out["replacement"]["max_payback_days"] == 730
        console = Console(width=80, record=True, file=io.StringIO(), color_system=None)
        render_industry(console, out, None)
        text = " ".join(console.export_text().split())
        assert ("repairs and orders under way on day 0" in text) == (start == "steady")
        assert "pay back within 730 days" in text


def test_a_group_without_a_finance_block_shows_no_financial_break(tmp_path: Path) -> None:
    """An operator without a finance block has no cash or covenants: it cannot break
    financially, so its "never breaks" is not shown as a 0 % risk beside the others' — the
    JSON says ``has_finance``, the terminal puts "—" in its break columns and says why,
    the report leaves it out of the financial charts."""
    import io

    from rich.console import Console

    from hashshock.cli.industry import render_industry
    from hashshock.report.figures.industry_groups import break_bars, break_before

    loaded = industry_from_mapping({
        "name": "two", "start_date": "2026-12-01",
        "operators": [{"name": "farm", "template": "small-farm", "machines": 300},
                      {"name": "bare", "fleet": str(FARM)}],  # its file has no finance
    })  # fmt: skip
    assert loaded.groups_without_finance == ["bare"]
    out = industry(loaded, ["sanctions"], 4, 30, 0).to_dict()
    assert {o["name"]: o["has_finance"] for o in out["operators"]} == {"farm": True, "bare": False}
    console = Console(width=80, record=True, file=io.StringIO(), color_system=None)
    render_industry(console, out, None)
    text = console.export_text()
    (row,) = [line for line in text.splitlines() if line.startswith("│ bare")]
    cells = [c.strip() for c in row.split("│")[2:-1]]  # first, P break, day, P decline, day
    assert cells[:3] == ["—"] * 3 and cells[3].endswith("%")
    assert "no finance block, so no financial break (bare)" in " ".join(text.split())
    bars = break_bars(out, "financial")
    assert bars is not None
    assert all("bare" not in trace["y"] for trace in bars["data"])
    heat = break_before(out, "sanctions", out["scenarios"]["sanctions"])
    assert heat is not None
    financial = next(t for t in heat["data"] if t["meta"]["series"] == "break_before.financial")
    bare = financial["y"].index("bare")
    assert all(v is None for v in financial["z"][bare])
    for row_values in financial["z"]:
        assert row_values[bare] is None


def test_a_long_vendor_line_name_leaves_the_scenarios_named() -> None:
    """At 80 columns a 35-character line name took the scenario column's width: rows
    did not say which scenario they were. The line's name folds, the scenario's stays."""
    import io

    from rich.console import Console

    from hashshock.cli.industry import render_industry

    line = "microbt-asia-production-line-for-us"
    loaded = industry_from_mapping({
        "name": "t", "start_date": "2026-12-01",
        "operators": [{"name": "a", "template": "small-farm", "machines": 3000}],
        "vendor_lines": [{"name": line, "vendor": "microbt", "capacity_ehs_per_year": 40,
                          "us_share": 0.4, "model": "whatsminer-m60s"}],
    })  # fmt: skip
    out = industry(loaded, ["baseline", "sanctions"], 3, 30, 0).to_dict()
    console = Console(width=80, record=True, file=io.StringIO(), color_system=None)
    render_industry(console, out, None)
    text = console.export_text()
    table = text[text.index("Vendor lead time") :].split("└")[0]
    assert "│ baseline " in table and "│ sanctions " in table
    assert max(len(row) for row in text.splitlines()) <= 80
