"""The HTML report is one self-contained file with every chart's figure inside."""

from __future__ import annotations

import base64
import gzip
import json
import re
from pathlib import Path

from hashshock.report.plotlyjs import plotly_js
from hashshock.report.write import write_report


def _script(html: str, element_id: str) -> str:
    match = re.search(rf'<script[^>]*id="{element_id}">(.*?)</script>', html, re.S)
    assert match, element_id
    return match.group(1)


def test_report_is_self_contained(tmp_path: Path, small_runs) -> None:
    path = write_report(small_runs, tmp_path / "report.html")
    html = path.read_text(encoding="utf-8")
    # Nothing to fetch: no src/href to another origin, no stylesheet links.
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert '<link rel="stylesheet"' not in html
    packed = _script(html, "hashshock-plotly").strip()
    assert gzip.decompress(base64.b64decode(packed)) == plotly_js()
    figures = json.loads(_script(html, "hashshock-figures"))
    for key in figures:
        assert f'id="chart-{key}"' in html
    assert figures["hashrate"]["data"][0]["meta"]["series"] == "hashrate_ths"
    assert "inputs sha256" in html and small_runs[0].manifest["inputs_sha256"] in html
    assert small_runs[0].manifest["snapshot_date"] in html


def test_report_from_saved_json_shows_what_is_there(tmp_path: Path, small_runs) -> None:
    dicts = [r.to_dict() for r in small_runs]
    html = write_report(dicts, tmp_path / "r.html").read_text(encoding="utf-8")
    figures = json.loads(_script(html, "hashshock-figures"))
    bands = {t["meta"]["band"] for t in figures["hashrate"]["data"]}
    assert bands == {"p5", "p50", "p95"}  # p25/p75 are not in the JSON contract
    spares = {t["meta"]["band"] for t in figures["spares-0"]["data"]}
    assert spares == {"p50"}


def test_the_subtitle_gives_every_setting_of_runs_that_differ(tmp_path: Path, small_runs) -> None:
    """Runs saved with different paths are not all described by the first one's."""
    first, second = (r.to_dict() for r in small_runs[:2])
    same = write_report([first, second], tmp_path / "same.html").read_text(encoding="utf-8")
    assert f"{first['paths']} paths × " in same and "see each manifest" not in same
    second["paths"] = first["paths"] * 2
    mixed = write_report([first, second], tmp_path / "mixed.html").read_text(encoding="utf-8")
    assert f"{first['paths']} or {second['paths']} paths × " in mixed
    assert "see each manifest" in mixed
    said = "repairs and orders under way on day 0"
    assert said not in same
    for run in (first, second):
        run["fleet"]["pipelines_at_start"] = "steady"
    steady = write_report([first, second], tmp_path / "steady.html").read_text(encoding="utf-8")
    assert said in steady


def test_values_cannot_break_out_of_the_page(tmp_path: Path, small_runs) -> None:
    data = small_runs[1].to_dict()
    data["scenario"] = "</script><script>alert(1)</script>"
    html = write_report([data], tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in html


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def test_a_name_s_markup_is_shown_in_the_charts_not_read_as_plotly_markup(
    tmp_path: Path, small_runs
) -> None:
    """plotly reads <a href> and <span style> in any text of a figure: a scenario named
    with markup would be a link in every chart's legend, ticks and titles. The charts
    show it as written; their own line breaks and hover boxes stay markup (and a user's
    <b>, one of the tags they use, stays bold)."""
    data = small_runs[1].to_dict()
    data["scenario"] = '<a href="http://127.0.0.3/s">scen</a><span style="color:red">x</span> & co'
    html = write_report([data], tmp_path / "r.html").read_text(encoding="utf-8")
    texts = _strings(json.loads(_script(html, "hashshock-figures")))
    assert not [t for t in texts if "<a " in t or "<span" in t]
    assert any("&lt;a href=" in t and "&amp; co" in t for t in texts)
    assert any("<br>" in t for t in texts) and any("<extra>" in t for t in texts)


def test_a_names_escape_sequence_is_shown_not_written_raw(tmp_path: Path, small_runs) -> None:
    """Control characters in a name (an ANSI colour code) appear as Python writes them;
    the page keeps no raw control character but its line breaks."""
    data = small_runs[1].to_dict()
    data["scenario"] = "sanctions\x1b[31m red\x07"
    html = write_report([data], tmp_path / "r.html").read_text(encoding="utf-8")
    assert "sanctions\\x1b[31m red\\x07" in html
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", html)
    json.loads(_script(html, "hashshock-figures"))  # the figures still parse


def test_an_existing_report_is_replaced_whole(tmp_path: Path, small_runs) -> None:
    target = tmp_path / "r.html"
    write_report(small_runs, target)
    target.chmod(0o640)
    write_report(small_runs[:1], target)
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "sanctions" not in page
    assert target.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]  # no temporary file left


def test_the_python_writer_refuses_what_the_command_refuses(tmp_path: Path, small_runs) -> None:
    """``write_report`` from Python: a fleet's YAML is never replaced by a page, and the
    page goes to an .html file, as ``--report`` requires."""
    import pytest

    from hashshock.inputs.errors import InputError

    fleet = tmp_path / "fleet.yaml"
    fleet.write_text("name: mine\n", encoding="utf-8")
    for target in (fleet, tmp_path / "r.txt"):
        with pytest.raises(InputError, match="html"):
            write_report(small_runs[:1], target)
    assert fleet.read_text(encoding="utf-8") == "name: mine\n"
    assert not (tmp_path / "r.txt").exists()


def test_a_command_s_own_answer_comes_before_its_runs_sections() -> None:
    """A sweep's sensitivity, optimise's frontier and strategies' comparison lead their
    reports, above the key numbers of the runs behind them (docs/report.md,
    docs/decisions.md)."""
    from hashshock.report.sections import registered

    order = {section.key: section.order for section in registered()}
    assert max(order["sweep"], order["optimise"], order["strategies"]) < order["summary"]


def test_the_money_section_says_what_the_terminal_says_under_its_table(
    tmp_path: Path, midsize_runs
) -> None:
    """A pledge exposed, cash higher than baseline's, revenue assuming the whole network:
    the notes under ``compare``'s money table are under the report's too, and the
    network-wide column is marked as in the terminal."""
    from html import escape

    from hashshock.money_notes import NETWORK_MARK, money_notes

    runs = [r.to_dict() for r in midsize_runs]
    notes = money_notes(runs)
    assert any("BTC pledges exposed" in note for note in notes)  # the case this checks
    page = write_report(midsize_runs, tmp_path / "r.html").read_text(encoding="utf-8")
    money = page[page.index('id="money"') :]
    for note in notes:
        shown = re.sub(r"`([^`]+)`", r"<code>\1</code>", escape(note))
        assert f'<p class="note">{shown}</p>' in money
    network = [r["scenario"] for r in runs if "network_wide" in r["finance"]]
    assert network and all(f"{escape(name)}{NETWORK_MARK}</" in money for name in network)


def test_two_fleets_money_notes_set_each_against_its_own_baseline(midsize_runs) -> None:
    """A report of two fleets' JSON: the well-capitalised fleet's sanctions was explained
    by the mid-size fleet's baseline costs ("capex $6.2M less … 4,920 PH/s")."""
    from tests.report.conftest import ROOT

    import hashshock
    from hashshock.money_notes import money_notes
    from hashshock.report.data import scenario_labels

    well = ROOT / "examples" / "well-capitalised" / "fleet.yaml"
    other = hashshock.compare(well, ["baseline", "sanctions"], paths=40, horizon_days=200, seed=1)
    mine, theirs = [r.to_dict() for r in midsize_runs], [r.to_dict() for r in other]
    labels = scenario_labels(mine + theirs)
    together = money_notes(mine + theirs, labels)
    apart = money_notes(mine, labels[:2]) + money_notes(theirs, labels[2:])
    assert together == apart and together
    assert not any(f"under {labels[1]}" in note for note in money_notes(theirs, labels[2:]))
