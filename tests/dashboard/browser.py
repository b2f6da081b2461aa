"""Headless Chromium for the browser tests (Debian's ``chromium``, driven by Playwright).

Tests skip with one line when the browser or Playwright is missing. The browser runs with
a fresh profile and without background networking; every request to an address other
than 127.0.0.x is aborted and recorded, and the tests assert there were none.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def chromium_or_skip() -> str:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.skip(
            "browser test skipped: the playwright package is missing (pip install -e '.[test]')"
        )
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.skip("browser test skipped: no chromium (as root, `make test` installs Debian's)")
    return path


def _local(url: str) -> bool:
    parsed = urlparse(url)
    if parsed.scheme in ("file", "data", "blob", "about"):
        return True
    return (parsed.hostname or "").startswith("127.0.0.")


@dataclass
class Browser:
    page: Any
    console: list[tuple[str, str]] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    def errors(self) -> list[tuple[str, str]]:
        return [(kind, text) for kind, text in self.console if kind in ("error", "pageerror")]


@contextmanager
def open_browser(profile: Path, offline: bool = False) -> Iterator[Browser]:
    """A page in headless Chromium; ``offline`` also cuts the context's network."""
    from playwright.sync_api import sync_playwright

    executable = chromium_or_skip()
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile), executable_path=executable, headless=True, args=FLAGS,
            viewport={"width": 1400, "height": 1000},
        )  # fmt: skip
        try:
            page = context.new_page()
            browser = Browser(page)

            def guard(route: Any) -> None:
                if _local(route.request.url):
                    route.continue_()
                else:
                    browser.refused.append(route.request.url)
                    route.abort()

            context.route("**/*", guard)
            if offline:
                context.set_offline(True)
            page.on("console", lambda m: browser.console.append((m.type, m.text)))
            page.on("pageerror", lambda e: browser.console.append(("pageerror", str(e))))
            yield browser
        finally:
            context.close()


def trace_values(page: Any, chart: str, scenario: str, series: str, band: str) -> list[float]:
    """The y values plotly drew for one band of one scenario in chart ``chart``."""
    values = page.evaluate(
        """([chart, scenario, series, band]) => {
            const div = document.getElementById("chart-" + chart);
            const trace = div.data.find((t) => t.meta && t.meta.scenario === scenario
                && t.meta.series === series && t.meta.band === band);
            return trace ? Array.from(trace.y) : null;
        }""",
        [chart, scenario, series, band],
    )
    assert values is not None, f"no {band} trace of {series} for {scenario} in {chart}"
    return [float(v) for v in values]


#: Per chart drawn, each linear y axis whose range leaves out the finite y values of the
#: traces on it (a linked axis left at plotly's default [−1, 4] drew blank panels).
_Y_RANGES = """() => [...document.querySelectorAll('.chart')].filter(d => d._fullLayout)
  .flatMap(div => {
    const out = [];
    for (const [name, ax] of Object.entries(div._fullLayout)) {
      if (!/^yaxis\\d*$/.test(name) || ax.type !== 'linear') continue;
      const id = 'y' + name.slice(5);
      const ys = div.data.filter(t => (t.yaxis || 'y') === id && t.y && t.visible !== false
                                  && t.orientation !== 'h')
        .flatMap(t => Array.from(t.y)).filter(v => typeof v === 'number' && isFinite(v));
      if (!ys.length) continue;
      const low = Math.min(...ys), high = Math.max(...ys), span = ax.range[1] - ax.range[0];
      const slack = 1e-6 * Math.max(Math.abs(span), Math.abs(high), 1);
      if (low < ax.range[0] - slack || high > ax.range[1] + slack)
        out.push({chart: div.id, axis: name, range: ax.range, low, high});
    }
    return out;
  })"""


def y_axes_missing_data(page: Any) -> list[dict[str, Any]]:
    """The charts' y axes drawn on a range that leaves out their own data (none, when the
    page is right)."""
    return list(page.evaluate(_Y_RANGES))


def check_page_draws(page_file: Path, profile: Path) -> None:
    """Open a written report from disk with the network cut: every chart drawn, on y axes
    that hold its data, with no console error and no request refused (skips without a
    browser)."""
    chromium_or_skip()
    with open_browser(profile, offline=True) as browser:
        browser.page.goto(page_file.as_uri())
        browser.page.wait_for_selector("body[data-rendered=true]", timeout=60_000)
        assert y_axes_missing_data(browser.page) == []
        assert browser.errors() == [] and browser.refused == []
