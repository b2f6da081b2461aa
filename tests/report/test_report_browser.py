"""The HTML report opened from disk in headless Chromium with the network cut: every chart
drawn, no console error, and the drawn numbers are the result's."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.dashboard.browser import (
    chromium_or_skip,
    open_browser,
    trace_values,
    y_axes_missing_data,
)

from hashshock.report.write import write_report


def test_report_renders_offline_with_no_console_errors(tmp_path: Path, midsize_runs) -> None:
    chromium_or_skip()
    path = write_report(midsize_runs, tmp_path / "report.html")
    html = path.read_text(encoding="utf-8")
    keys = json.loads(re.search(r'id="hashshock-figures">(.*?)</script>', html, re.S).group(1))
    with open_browser(tmp_path / "profile", offline=True) as browser:
        page = browser.page
        page.goto(path.as_uri())
        page.wait_for_selector("body[data-rendered=true]", timeout=60_000)
        page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        for key in keys:
            assert page.get_attribute(f"#chart-{key}", "data-rendered") == "true", key
            assert page.locator(f"#chart-{key} .main-svg").count() > 0, key
        for result in midsize_runs:
            contract = result.to_dict()
            drawn = trace_values(page, "availability", result.scenario, "availability", "p50")
            assert drawn == contract["daily"]["availability"]["p50"]
        # every panel's y axis holds its data: linked axes sized once drew blank panels
        assert y_axes_missing_data(page) == []
        assert browser.errors() == []
        assert browser.refused == []


def test_report_fits_a_phone_and_prints_its_charts_at_the_page_s_width(
    tmp_path: Path, midsize_runs
) -> None:
    """At 390 px the page does not scroll sideways (wide tables scroll on their own) and
    the charts fit; printed, the charts are drawn at the page's width (not cut at its
    edge), then at the screen's again."""
    from hashshock.report.page import PRINT_WIDTH_PX

    chromium_or_skip()
    path = write_report(midsize_runs, tmp_path / "report.html")
    assert "<noscript>" in path.read_text(encoding="utf-8")  # says where the charts went
    drawn = "[...document.querySelectorAll('.chart')].filter(d => d.querySelector('.main-svg'))"
    widths = drawn + ".map(d => d.querySelector('.main-svg').getBoundingClientRect().width)"
    with open_browser(tmp_path / "profile", offline=True) as browser:
        page = browser.page
        page.set_viewport_size({"width": 390, "height": 800})
        page.goto(path.as_uri())
        page.wait_for_selector("body[data-rendered=true]", timeout=60_000)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert max(page.evaluate(widths)) <= 390
        page.set_viewport_size({"width": 1400, "height": 1000})
        page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
        page.wait_for_timeout(500)
        assert set(page.evaluate(widths)) == {PRINT_WIDTH_PX}
        page.evaluate("window.dispatchEvent(new Event('afterprint'))")
        page.wait_for_timeout(1000)
        boxes = drawn + ".map(d => d.clientWidth)"
        assert page.evaluate(widths) == page.evaluate(boxes)  # each its box's width again
        assert min(page.evaluate(widths)) > 390
        assert browser.errors() == []


#: Per chart, per axis drawn, its tick labels (plotly's SVG).
_TICKS = """() => [...document.querySelectorAll('.chart')].map(chart => ({
  key: chart.id,
  points: chart.querySelectorAll('.point, .textpoint').length,
  axes: [...chart.querySelectorAll('g.xaxislayer-above, g.yaxislayer-above')].map(
    axis => [...axis.querySelectorAll('text')].map(t => t.textContent))
}))"""


def test_tick_labels_are_distinct_and_never_in_thousandths_and_one_day_shows(
    tmp_path: Path, midsize_runs
) -> None:
    """Ticks that repeat ("94%, 94%, 95%") or count thousandths of a part or a dollar
    ("500m parts", "$500m" for fifty cents) mislead; a one-day run draws its point."""
    from tests.report.conftest import SMALL

    import hashshock

    chromium_or_skip()
    one_day = hashshock.compare(SMALL, ["baseline", "sanctions"], paths=1, horizon_days=1)
    milli = re.compile(r"^[-−$]*[\d.,]+m$")
    with open_browser(tmp_path / "profile", offline=True) as browser:
        for name, runs in (("year", midsize_runs), ("day", one_day)):
            path = write_report(runs, tmp_path / f"{name}.html")
            browser.page.goto(path.as_uri())
            browser.page.wait_for_selector("body[data-rendered=true]", timeout=60_000)
            for chart in browser.page.evaluate(_TICKS):
                for labels in chart["axes"]:
                    assert len(set(labels)) == len(labels), (name, chart["key"], labels)
                    assert not [t for t in labels if milli.match(t)], (name, chart["key"], labels)
                if name == "day":
                    assert chart["points"] > 0, chart["key"]
        assert browser.errors() == []
