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
