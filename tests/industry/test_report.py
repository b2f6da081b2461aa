"""The industry's HTML report (docs/industry.md, "The report"): every chart drawn from the
industry's JSON alone, its numbers those of the JSON, images, and the two commands that
write it (``hashshock report industry.json``, ``hashshock industry --report``)."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import hashshock.industry
from hashshock.cli.app import app
from hashshock.industry.report import industry_report_input, write_industry_report
from hashshock.industry.result import IndustryResult
from hashshock.inputs.errors import InputError
from hashshock.report.images import find_browser
from hashshock.report.sections import ReportInput, build, registered

#: Every chart of a two-scenario industry run past 3 and 6 months with a lender.
CHARTS = {
    "us-hashrate", "us-hashrate-vs-baseline", "us-share", "us-share-vs-baseline", "hashprice",
    "network", "moved-overseas", "vendor-lead-time", "vendor-output", "used-price-factor",
    "used-prices", "used-flows", "break-financial", "break-operational", "break-causes",
    "break-before-0", "group-availability", "group-stages", "lender-loss", "lender-defaults",
}  # fmt: skip
SECTIONS = ["industry-us", "industry-supply", "industry-breaks", "industry-groups",
            "industry-lender", "industry-manifest"]  # fmt: skip
_FIGURES = re.compile(r'<script type="application/json" id="hashshock-figures">(.*?)</script>')


@pytest.fixture(scope="module")
def result() -> IndustryResult:
    """The bundled ``us``, 8 paths × 300 days: long enough for groups to break and for
    the 3- and 6-month availability (a couple of seconds)."""
    return hashshock.industry(None, ["baseline", "sanctions"], paths=8, horizon_days=300)


@pytest.fixture(scope="module")
def data(result: IndustryResult) -> dict[str, Any]:
    """The result as read back from ``--json``."""
    return dict(json.loads(json.dumps(result.to_dict())))


@pytest.fixture(scope="module")
def page(data: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> str:
    path = write_industry_report(data, tmp_path_factory.mktemp("report") / "industry.html")
    return path.read_text(encoding="utf-8")


def figures_of(html: str) -> dict[str, Any]:
    found = _FIGURES.search(html)
    assert found is not None
    return dict(json.loads(found.group(1)))


def _at(node: Any, dotted: str) -> Any:
    for key in dotted.split("."):
        node = node[key]
    return node


def test_every_section_and_chart_is_in_the_page(page: str, data: dict[str, Any]) -> None:
    figures = figures_of(page)
    assert set(figures) == CHARTS
    for key in CHARTS:
        assert f'id="chart-{key}"' in page
    assert re.findall(r'<section id="([^"]+)"', page) == SECTIONS
    assert "8 paths × 300 days from 2026-12-01, seed 0" in page
    assert "hashshock industry — us: baseline, sanctions" in page


def test_fans_are_the_json_bands(page: str, data: dict[str, Any]) -> None:
    """Every band of every fan (US, network, vendors, used market) is the JSON's series
    (the share against baseline in percentage points), and each scenario's US EH/s has its
    median."""
    checked: set[tuple[str, str]] = set()
    for fig in figures_of(page).values():
        for trace in fig["data"]:
            meta = trace.get("meta", {})
            if meta.get("band") not in ("p5", "p50", "p95"):
                continue
            scenario = data["scenarios"][meta["scenario"]]
            scale = 100 if meta["series"] == "us.share_vs_baseline" else 1
            expected = [v * scale for v in _at(scenario, meta["series"])[meta["band"]]]
            assert trace["y"] == expected, meta
            assert trace["x0"] == data["start_date"]
            checked.add((meta["scenario"], f"{meta['series']}.{meta['band']}"))
    for name in data["scenarios"]:
        assert (name, "us.hashrate_ehs.p50") in checked
        assert (name, "us.share_of_network.p50") in checked
    assert ("sanctions", "us.hashrate_ehs_vs_baseline.p50") in checked
    assert ("sanctions", "us.share_vs_baseline.p50") in checked
    assert figures_of(page)["us-share-vs-baseline"]["layout"]["yaxis"]["ticksuffix"] == " pp"
    assert any(series.startswith("vendors.") for _, series in checked)
    assert any(series.startswith("used_market.price_usd_per_th.") for _, series in checked)


def test_who_breaks_first_is_the_json(page: str, data: dict[str, Any]) -> None:
    figures = figures_of(page)
    ranking = data["scenarios"]["sanctions"]["first_to_break"]
    assert any(row["probability_first"] > 0 for row in ranking["financial"])  # not all zeros
    for kind in ("financial", "operational"):
        bars = figures[f"break-{kind}"]["data"]
        # a panel per shock, with baseline's breaks beside (the shock's part is the gap)
        assert {t["meta"]["scenario"] for t in bars} == {"sanctions", "baseline"}
        base = data["scenarios"]["baseline"]["first_to_break"][kind]
        for source, name, key in (
            (ranking[kind], "sanctions", "probability_first"),
            (ranking[kind], "sanctions", "probability_break"),
            (base, "baseline", "probability_break"),
        ):
            (trace,) = [t for t in bars if t["meta"] == {
                "scenario": name, "series": f"first_to_break.{kind}.{key}"}]  # fmt: skip
            assert dict(zip(trace["y"], trace["x"], strict=True)) == {
                row["group"]: row[key] for row in source
            }
        # likeliest first on top: by breaking first, then at all (one shock here)
        order = figures[f"break-{kind}"]["layout"]["yaxis"]["categoryarray"]
        by_group = {row["group"]: row for row in ranking[kind]}
        keys = [(by_group[g]["probability_first"], by_group[g]["probability_break"])
                for g in order]  # fmt: skip
        assert keys == sorted(keys, reverse=True)
    before = data["scenarios"]["sanctions"]["break_before"]
    for trace in figures["break-before-0"]["data"]:
        table = before[trace["meta"]["series"].split(".")[1]]
        for i, row in enumerate(trace["y"]):
            for j, column in enumerate(trace["x"]):
                expected = None if row == column else table[row][column]
                assert trace["z"][i][j] == expected


def test_order_book_never_makes_more_than_was_ordered(data: dict[str, Any]) -> None:
    """Each line's EH/s made since day 0 never decreases and never exceeds what was
    ordered (made or waiting) on any path, so neither does any band of it; and under
    sanctions Bitmain's Asian line has orders cancelled that baseline's has not."""
    for scenario in data["scenarios"].values():
        for line in scenario["vendors"].values():
            for band in ("p5", "p50", "p95"):
                made, ordered = line["made_ehs"][band], line["ordered_ehs"][band]
                assert all(m <= o + 1e-9 for m, o in zip(made, ordered, strict=True))
                assert all(a <= b + 1e-9 for a, b in itertools.pairwise(made))
    cancelled = {name: s["vendors"]["bitmain-asia"]["cancelled_ehs"]["p50"][-1]
                 for name, s in data["scenarios"].items()}  # fmt: skip
    assert cancelled["baseline"] == 0 < cancelled["sanctions"]


def test_what_breaks_them_is_the_json(page: str, data: dict[str, Any]) -> None:
    """Each shock's panel has its bars and baseline's, one per group and cause that
    breaks on some path, at the JSON's probabilities (cash below zero as cash_out, a BTC
    pledge's call as margin_call)."""
    traces = figures_of(page)["break-causes"]["data"]
    assert {(t["meta"]["scenario"], t.get("xaxis", "x")) for t in traces} == {
        ("sanctions", "x"),
        ("baseline", "x"),
    }  # one shock: one panel, baseline beside it
    for trace in traces:
        groups = data["scenarios"][trace["meta"]["scenario"]]["groups"]
        assert trace["x"], "some group breaks in 300 days"
        for label, p in zip(trace["y"], trace["x"], strict=True):
            group, cause = label.split(": ")
            if cause == "cash < 0":
                event = groups[group]["cash_out"]
            elif cause == "BTC margin call (no break)":
                event = groups[group]["margin_call"]
            else:
                event = groups[group]["covenants"].get(cause, {"probability": 0.0})
            assert p == event["probability"]


def test_groups_and_lender_are_the_json(page: str, data: dict[str, Any]) -> None:
    figures = figures_of(page)
    checkpoints = set()
    for trace in figures["group-availability"]["data"]:
        checkpoint = trace["meta"]["series"].split(".")[-1]
        checkpoints.add(checkpoint)
        groups = data["scenarios"][trace["meta"]["scenario"]]["groups"]
        for group, mid, up, down in zip(trace["y"], trace["x"], trace["error_x"]["array"],
                                        trace["error_x"]["arrayminus"], strict=True):  # fmt: skip
            band = groups[group]["availability"][checkpoint]
            assert (mid, mid + up, mid - down) == pytest.approx((band["p50"], band["p95"],
                                                                band["p5"]))  # fmt: skip
    assert checkpoints == {"3m", "6m"}  # 12 m is past a 300-day horizon
    assert "installed machines on day 91 and 182," in page  # the caption says so too
    for trace in figures["lender-loss"]["data"]:  # drawn in USD millions, hover in USD
        key = trace["meta"]["series"].split(".")[1]
        expected = [data["scenarios"][n]["lender"][key] for n in trace["x"]]
        assert trace["customdata"] == expected
        assert trace["y"] == pytest.approx([value / 1e6 for value in expected])
    drawn = {t["meta"]["series"] for t in figures["lender-loss"]["data"]}
    assert {"lender.net_income_usd", "lender.net_income_p5_usd"} <= drawn
    for trace in figures["lender-defaults"]["data"]:
        loans = data["scenarios"][trace["meta"]["scenario"]]["lender"]["loans"]
        assert trace["x"] == [loan["probability_default"] for loan in loans]
        # bars are named by borrower; a loan's key (loans[3]) only tells a borrower's apart
        borrowers = [loan["borrower"] for loan in loans]
        for label, borrower in zip(trace["y"], borrowers, strict=True):
            assert label.startswith(borrower)
            assert ("loans[" in label) == (borrowers.count(borrower) > 1)


def test_lender_tables_are_the_json(page: str, data: dict[str, Any]) -> None:
    """The lender's section has its figures as tables, not only charts: per scenario what
    is lent, the losses, interest and net income; per loan its default probability and
    expected loss — each cell the JSON's figure."""
    from hashshock.report.tables import pct, usd

    section = page[page.index("portfolio: loss on defaults") :]
    for name, scenario in data["scenarios"].items():
        lender = scenario["lender"]
        lent = sum(loan["principal_usd"] for loan in lender["loans"])
        row = "".join(f"<td>{c}</td>" for c in [name, usd(lent), usd(lender["expected_loss_usd"]),
                      usd(lender["loss_p95_usd"]), usd(lender["interest_income_usd"]),
                      usd(lender["net_income_usd"]), usd(lender["net_income_p5_usd"])])  # fmt: skip
        assert row in section
        for loan in lender["loans"]:
            cells = f"<td>{pct(loan['probability_default'], 1)}</td>"
            assert f"<td>{loan['borrower']}</td>" in section and cells in section


def test_headline_table(page: str, data: dict[str, Any]) -> None:
    """US EH/s at day 0, 3 and 6 months (12 is past the horizon), the share of the network
    on day 0 and at the horizon, and who breaks first."""
    table = page[page.index('<table class="numbers">') : page.index("</table>")]
    assert "US EH/s 6 m" in table and "US EH/s 12 m" not in table
    for name, scenario in data["scenarios"].items():
        us = scenario["us"]["hashrate_ehs"]["p50"]
        share = scenario["us"]["share_of_network"]["p50"]
        cells = f"<td>{name}</td>" + "".join(f"<td>{us[d]:,.1f}</td>" for d in (0, 91, 182))
        assert cells + f"<td>{100 * share[0]:.1f}%</td><td>{100 * share[-1]:.1f}%</td>" in table
    top = max(data["scenarios"]["sanctions"]["first_to_break"]["financial"],
              key=lambda r: r["probability_first"])  # fmt: skip
    assert f"{top['group']} ({100 * top['probability_first']:.0f}%)" in table


def test_manifest_says_how_the_engines_were_steered(page: str, data: dict[str, Any]) -> None:
    """The manifest gives the engine passes and each scenario's gap between the hashprice
    its engines saw and the shared one, as the JSON has them."""
    manifest = page[page.index("<td>engine passes</td>") :]
    assert manifest.startswith(f"<td>engine passes</td><td>{data['engine_passes']}</td>")
    for name, scenario in data["scenarios"].items():
        assert f"{name} {scenario['us']['steering_hashprice_gap']['p95']:.1%}" in manifest


def test_drawn_from_the_json_alone(result: IndustryResult, data: dict[str, Any]) -> None:
    """A report from the result and from its JSON read back draw the same figures, and
    the runs' sections have nothing to show without runs."""
    from hashshock.report.page import figure_json
    from hashshock.report.sections import figures

    by_dict = {c.key: figure_json(c) for c in figures(industry_report_input(data))}
    assert set(by_dict) == CHARTS
    assert by_dict == {c.key: figure_json(c) for c in figures(industry_report_input(result))}
    empty = ReportInput(runs=[], labels=[])
    assert build(empty) == []
    industry_only = {s.key for s, _ in build(industry_report_input(data))}
    assert industry_only == set(SECTIONS)
    assert all(s.build(empty) == [] for s in registered())


def test_not_an_industry(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not an industry"):
        write_industry_report({"industry": "x", "operators": [], "scenarios": {}},
                              tmp_path / "r.html")  # fmt: skip
    assert not (tmp_path / "r.html").exists()


def test_hashshock_report_takes_an_industry_json(data: dict[str, Any], tmp_path: Path) -> None:
    """``hashshock report industry.json --images DIR``: the page, and every chart as PNG
    (when a browser is there to draw them)."""
    source = tmp_path / "industry.json"
    source.write_text(json.dumps(data))
    out = tmp_path / "industry.html"
    images = ["--images", str(tmp_path / "img")] if find_browser() else []
    done = CliRunner().invoke(app, ["report", str(source), "--out", str(out), *images])
    assert done.exit_code == 0, done.output
    assert "(industry)" in done.output
    assert set(figures_of(out.read_text(encoding="utf-8"))) == CHARTS
    if not images:
        pytest.skip("images skipped: no Chrome or Chromium (as root, `make test` installs it)")
    written = sorted(p.name for p in (tmp_path / "img").iterdir())
    assert written == sorted(f"{key}.png" for key in CHARTS)
    png = (tmp_path / "img" / "break-financial.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")


def test_hashshock_industry_writes_its_report(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    json_out = tmp_path / "r.json"
    done = CliRunner().invoke(app, ["industry", "--paths", "4", "--horizon", "30", "-q",
                                    "--json", str(json_out), "--report", str(out)])  # fmt: skip
    assert done.exit_code == 0, done.output
    data = json.loads(json_out.read_text(encoding="utf-8"))
    figures = figures_of(out.read_text(encoding="utf-8"))
    assert set(figures) >= {"us-hashrate", "break-financial", "vendor-lead-time"}
    medians = {t["meta"]["scenario"]: t["y"] for t in figures["us-hashrate"]["data"]
               if t["meta"]["band"] == "p50"}  # fmt: skip
    assert medians == {n: s["us"]["hashrate_ehs"]["p50"] for n, s in data["scenarios"].items()}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["industry", "--paths", "4", "--horizon", "30", "--report", "{tmp}/nowhere/r.html"],
         "folder does not exist"),
        (["industry", "--paths", "4", "--horizon", "30", "--report", "{tmp}/r.txt"], ".html"),
        (["report", "{tmp}/other.json", "--out", "{tmp}/r.html"], "not a hashshock run"),
        (["report", "{tmp}/broken.json", "--out", "{tmp}/r.html"], "operators: is not a list"),
    ],
)  # fmt: skip
def test_bad_input_exits_2(tmp_path: Path, args: list[str], message: str) -> None:
    """An unwritable report path (before simulating) or a JSON that is neither runs nor an
    industry's: exit 2, one line, nothing written."""
    (tmp_path / "other.json").write_text(json.dumps({"sweep": {}}))
    (tmp_path / "broken.json").write_text(
        json.dumps(
            {
                "industry": "us",
                "paths": 4,
                "horizon_days": 1,
                "dates": ["2026-12-01"],
                "operators": [],
                "scenarios": {"baseline": {}},
            }
        )
    )
    done = CliRunner().invoke(app, [a.replace("{tmp}", str(tmp_path)) for a in args])
    assert done.exit_code == 2, done.output
    assert message in done.output and "Traceback" not in done.output
    assert not list(tmp_path.glob("*.html"))


def test_an_industry_json_among_runs_is_named_as_such(tmp_path: Path, data: dict[str, Any]) -> None:
    """An industry's JSON has its own report: given with other JSON files it is refused
    as what it is (not as "not a hashshock run's JSON")."""
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    for path in (first, second):
        path.write_text(json.dumps(data))
    done = CliRunner().invoke(app, ["report", str(first), str(second), "--out",
                                    str(tmp_path / "r.html")])  # fmt: skip
    assert done.exit_code == 2, done.output
    assert done.output.strip().startswith(f"error: {first}: is an industry's JSON")
    assert "give it alone" in done.output and not list(tmp_path.glob("*.html"))


def test_a_panel_with_nothing_in_it_says_so(page: str, data: dict[str, Any]) -> None:
    """Grey imports that are zero on every path are said to be, not left as a blank panel."""
    fig = figures_of(page)["used-flows"]
    said = [a for a in fig["layout"].get("annotations", []) if "none on any path" in a["text"]]
    grey = [v for s in data["scenarios"].values() for band in s["used_market"]["grey_ehs"].values()
            for v in band]  # fmt: skip
    assert bool(said) == all(v == 0 for v in grey)


def test_the_page_says_what_the_terminal_notes(page: str, data: dict[str, Any]) -> None:
    """The notes the terminal prints beside the numbers — an old network carried to the
    start, groups that break with no shock — stand on the page too, in the same words."""
    import html

    from hashshock.industry import notes

    text = html.unescape(page)
    carried = notes.carried_network(data)
    assert carried is not None and carried in text
    broken = notes.broken_without_a_shock(notes.baseline_breaks(data), True,
                                          notes.baseline_causes(data))  # fmt: skip
    assert broken and "covenant, day" in broken and broken in text
    day_zero = notes.day_zero_delivery(data)
    assert day_zero and day_zero in text
    assert all(note in text for note in notes.day_zero_notes(data))


def test_a_stage_no_group_reaches_still_names_every_group(data: dict[str, Any]) -> None:
    """A baseline-only run reaches no customs delay: its panel, the row's left one, was
    drawn with no axis, so the next panel's markers stood beside blank names."""
    import copy

    from hashshock.report.figures.industry_groups import groups, stage_days

    quiet = copy.deepcopy(data)
    for scenario in quiet["scenarios"].values():
        for group in scenario["groups"].values():
            group.get("stages", {}).get("customs_delay", {})["day_p50"] = None
    fig = stage_days(quiet)
    assert fig is not None
    on_first = [t for t in fig["data"] if t.get("yaxis", "y") == "y"]
    assert [t["y"] for t in on_first] == [groups(quiet)]  # the names, and nothing drawn
    assert any("no group reaches it" in a["text"] for a in fig["layout"]["annotations"])


def test_a_baseline_run_s_page_ranks_who_breaks_first_as_the_terminal_does(
    data: dict[str, Any], tmp_path: Path
) -> None:
    """With baseline alone the terminal prints "Who breaks first: baseline" and what
    breaks them; the page drew neither (its charts ranked shocks only)."""
    alone = {**data, "scenarios": {"baseline": data["scenarios"]["baseline"]}}
    page = write_industry_report(alone, tmp_path / "baseline.html").read_text(encoding="utf-8")
    figures = figures_of(page)
    assert {"break-financial", "break-operational"} <= set(figures)
    bars = figures["break-financial"]["data"]
    assert {t["meta"]["scenario"] for t in bars} == {"baseline"}
    assert not [t for t in bars if t["name"] == "breaks under baseline"]


def test_baseline_is_drawn_over_the_shocks_on_the_panels_they_share(page: str) -> None:
    """Vendor lead times, used prices and group availability overlay the scenarios; drawn
    first, baseline lay hidden under a shock that left it unchanged. Drawn last, its
    median dashed and its markers open, it keeps its legend place (first)."""
    figures = figures_of(page)
    for key, style in (("vendor-lead-time", "line"), ("used-prices", "line"),
                       ("group-availability", "marker"), ("group-stages", "marker")):  # fmt: skip
        assert any(t.get("meta", {}).get("scenario") == "baseline" for t in figures[key]["data"])
        for panel in {t.get("xaxis", "x") for t in figures[key]["data"]}:
            drawn = [t for t in figures[key]["data"] if t.get("xaxis", "x") == panel
                     and "meta" in t and t["meta"].get("band", "p50") == "p50"]  # fmt: skip
            names = [t["meta"]["scenario"] for t in drawn]
            assert "baseline" not in names or names[-1] == "baseline", (key, panel)
            for trace in drawn:
                baseline = trace["meta"]["scenario"] == "baseline"
                marked = (trace["line"]["dash"] == "dash" if style == "line"
                          else trace["marker"]["symbol"].endswith("-open"))  # fmt: skip
                assert marked == baseline and (trace["legendrank"] == 1000) == baseline


def test_a_heat_map_s_missing_cells_are_not_drawn_as_0_percent(page: str) -> None:
    """A group against itself has no cell: it showed white, as 0 % does."""
    figure = figures_of(page)["break-before-0"]
    zero_colour = figure["layout"]["coloraxis"]["colorscale"][0][1]
    assert figure["layout"]["plot_bgcolor"].lower() != zero_colour.lower()
    for trace in figure["data"]:
        assert all(row[i] is None for i, row in enumerate(trace["z"]))


def test_who_breaks_first_over_several_shocks_says_its_shades_in_its_title(
    data: dict[str, Any],
) -> None:
    """Each panel is drawn in its scenario's colour; the legend showed the first panel's
    shades only (sanctions' blue beside a customs panel in orange). With one shock the
    legend names the shades; with several the title does, and there is no legend."""
    from hashshock.report.figures.industry_groups import break_bars

    one = break_bars(data, "operational")
    assert one is not None and any(t.get("showlegend") for t in one["data"])
    second = {**data["scenarios"]["sanctions"]}
    two = {**data, "scenarios": {**data["scenarios"], "sanctions-again": second}}
    fig = break_bars(two, "operational")
    assert fig is not None and not any(t.get("showlegend") for t in fig["data"])
    assert "dark, breaks first; light, breaks at all" in fig["layout"]["title"]["text"]


def test_the_industry_page_draws_every_chart_on_axes_that_hold_its_data(
    result: IndustryResult, tmp_path: Path
) -> None:
    """In headless Chromium with the network cut: every chart drawn without a console
    error, and every y axis's range holds its traces (linked axes once sat at [−1, 4])."""
    from tests.dashboard.browser import check_page_draws

    check_page_draws(write_industry_report(result, tmp_path / "industry.html"), tmp_path / "b")
