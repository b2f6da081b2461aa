"""The HTML report opened from disk in headless Chromium with the network cut: every chart
drawn, no console error, and the drawn numbers are the result's."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.dashboard.browser import chromium_or_skip, open_browser, trace_values

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
        assert browser.errors() == []
        assert browser.refused == []
