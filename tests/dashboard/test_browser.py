"""The dashboard in headless Chromium: upload the small farm, run sanctions, wait for the
chart, and find in it the numbers the API gives for the same seed."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.dashboard.browser import (
    chromium_or_skip,
    open_browser,
    trace_values,
    y_axes_missing_data,
)
from tests.dashboard.conftest import EXAMPLES, Server, serve_in_thread

import hashshock
from hashshock.dashboard.app import Settings

PATHS, SEED = 60, 4

#: The words of the key-numbers tables that a line break cuts in two (a word's text
#: range drawn as more than one box; a break after a hyphen or dash is the text's own).
BROKEN_WORDS = """() => [...document.querySelectorAll('table.numbers td, table.numbers th')]
  .flatMap(cell => {
    const broken = [];
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const found of node.textContent.matchAll(/[^\\s\\u2013-]+/g)) {
        const range = document.createRange();
        range.setStart(node, found.index);
        range.setEnd(node, found.index + found[0].length);
        if (range.getClientRects().length > 1) broken.push(found[0]);
      }
    }
    return broken;
  })"""


def _uploaded(browser: Any, server: Server, fleet: Path) -> Any:
    """The dashboard's page, opened and ready, with ``fleet`` uploaded."""
    page = browser.page
    page.goto(server.url)
    page.wait_for_selector("body[data-ready=true]")
    page.set_input_files("#fleet-upload", str(fleet))
    return page


def test_upload_run_and_see_the_apis_numbers(server: Server, tmp_path: Path) -> None:
    chromium_or_skip()
    fleet = EXAMPLES / "small-farm" / "fleet.yaml"
    with open_browser(tmp_path / "profile") as browser:
        page = _uploaded(browser, server, fleet)
        page.wait_for_function("!document.getElementById('run').disabled")
        assert "500 machines" in page.inner_text("#fleet-status")
        page.check("#scenarios input[value=sanctions]")
        page.fill("#paths", str(PATHS))
        page.fill("#seed", str(SEED))
        page.click("#run")
        page.wait_for_selector("#results[data-rendered=true] #chart-hashrate[data-rendered=true]",
                               timeout=240_000)  # fmt: skip
        page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
        assert page.evaluate(BROKEN_WORDS) == []  # "scen/ario", "baseli/ne" were drawn
        expected = hashshock.compare(fleet, ["baseline", "sanctions"], paths=PATHS, seed=SEED)
        for result in expected:
            contract = result.to_dict()
            for band in ("p5", "p50", "p95"):
                drawn = trace_values(page, "hashrate", result.scenario, "hashrate_ths", band)
                assert drawn == contract["daily"]["hashrate_ths"][band]
            drawn = trace_values(page, "availability", result.scenario, "availability", "p50")
            assert drawn == contract["daily"]["availability"]["p50"]
        assert y_axes_missing_data(page) == []  # two scenarios' linked axes hold their data
        assert page.get_attribute("#dl-html", "href").startswith("/api/download/html?job=")
        assert browser.refused == []


def test_a_bad_upload_shows_its_error_and_the_page_keeps_working(
    server: Server, tmp_path: Path
) -> None:
    chromium_or_skip()
    bad = tmp_path / "broken.yaml"
    bad.write_text("name: broken\nsites: [{name: a, country: US}\ncohorts: []\n", encoding="utf-8")
    with open_browser(tmp_path / "profile") as browser:
        page = _uploaded(browser, server, bad)
        page.wait_for_selector("#fleet-error:not([hidden])")
        assert "broken.yaml" in page.inner_text("#fleet-error")
        assert "malformed YAML" in page.inner_text("#fleet-error")
        assert page.is_disabled("#run")
        page.screenshot(path=str(tmp_path / "bad-upload.png"))
        page.select_option("#fleet-pick", "small-farm/fleet.yaml")
        page.wait_for_function("!document.getElementById('run').disabled")
        assert page.is_hidden("#fleet-error")
        # the refused file's name no longer shows beside the fleet picked
        assert page.evaluate("document.getElementById('fleet-upload').files.length") == 0
        assert browser.refused == []


def test_a_bad_number_box_says_what_is_wrong_and_how_to_fix_it(
    server: Server, tmp_path: Path
) -> None:
    """A blank box is said to be blank (it was sent as 0, and refused as a 0 nobody
    typed), and each refusal reads as the CLI's one line, fix included."""
    chromium_or_skip()
    with open_browser(tmp_path / "profile") as browser:
        page = browser.page
        page.goto(server.url)
        page.wait_for_selector("body[data-ready=true]")
        page.select_option("#fleet-pick", "small-farm/fleet.yaml")
        page.wait_for_function("!document.getElementById('run').disabled")
        for box, typed, said in (("#paths", "", "paths: no value given — fix: "),
                                 ("#paths", "1.5", "paths: 1.5: input should be a valid "
                                  "integer — fix: "),
                                 ("#horizon", "5000", "horizon_days: 5000: input should be "
                                  "less than or equal to 1098 — fix: use a value of at most "
                                  "1098")):  # fmt: skip
            page.fill("#paths", "10")
            page.fill(box, typed)
            page.click("#run")
            page.wait_for_selector("#run-error:not([hidden])")
            assert page.inner_text("#run-error").startswith(said), typed
            page.fill("#horizon", "20")
        assert browser.refused == []


def test_a_file_named_in_any_script_uploads(server: Server, tmp_path: Path) -> None:
    """A name with characters outside Latin-1 (which a header cannot carry raw) uploads,
    and the page shows it as it is."""
    chromium_or_skip()
    name = "舰队 – “north” fleet.yaml"
    fleet = tmp_path / name
    fleet.write_text((EXAMPLES / "small-farm" / "fleet.yaml").read_text(), encoding="utf-8")
    with open_browser(tmp_path / "profile") as browser:
        page = _uploaded(browser, server, fleet)
        page.wait_for_function("!document.getElementById('run').disabled")
        assert page.inner_text("#fleet-status").startswith(f"uploaded {name}: ")
        assert page.is_hidden("#fleet-error") and browser.errors() == []


def _run_small_farm(page: Any, paths: int = 10, horizon: int = 20, save: bool = True) -> None:
    """Pick the small farm in the open page, run baseline at ``paths`` × ``horizon``, and
    wait until its results are drawn."""
    page.select_option("#fleet-pick", "small-farm/fleet.yaml")
    page.wait_for_function("!document.getElementById('run').disabled")
    page.fill("#paths", str(paths))
    page.fill("#horizon", str(horizon))
    if not save:
        page.uncheck("#save")
    page.click("#run")
    # the server's first run compiles the engine: minutes on a busy machine
    page.wait_for_selector("#results[data-rendered=true]", timeout=300_000)


def test_at_phone_width_the_page_is_one_column(server: Server, tmp_path: Path) -> None:
    """At 420 px the form and the results are one column and the charts fit it: the page
    is no wider than the screen (it was 1,100 px, the results off to the right)."""
    chromium_or_skip()
    with open_browser(tmp_path / "profile") as browser:
        page = browser.page
        page.set_viewport_size({"width": 420, "height": 900})
        page.goto(server.url)
        page.wait_for_selector("body[data-ready=true]")
        _run_small_farm(page)
        page.screenshot(path=str(tmp_path / "dashboard-420.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= 430
        widths = page.evaluate("[...document.querySelectorAll('.chart')].map("
                               "(div) => div.getBoundingClientRect().right)")  # fmt: skip
        assert widths and max(widths) <= 420
        results, form = (page.locator(f"#{box}").bounding_box() for box in ("results", "run-form"))
        assert results["y"] > form["y"] + form["height"]  # below the form, not beside it
        assert browser.errors() == [] and browser.refused == []


#: The paths of a run the test's engine holds until it is cancelled (any other runs).
HOLD_PATHS = 7_777


@contextmanager
def _cancelled_after(client: httpx.Client, job: dict[str, Any]) -> Iterator[None]:
    """Job ``job`` cancelled once the block ends, however it ends: a held job left
    running would keep the server's thread, and the test, from ending."""
    try:
        yield
    finally:
        client.delete(f"/api/jobs/{job['job_id']}", headers={"X-Hashshock": "1"})


def test_a_reloaded_page_follows_its_run_and_shows_what_it_waits_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run queued behind another (started elsewhere) says so, and the server's queue
    lists both; reloaded, the page follows its run again (progress, Cancel) — it came
    back idle while the run went on unseen. Cancelling the run ahead from the list lets
    the page's run go, and its results are drawn."""
    chromium_or_skip()
    from hashshock import api

    real = api.compare

    def held(fleet: Any, scenarios: Any, paths: int, *args: Any, progress: Any, **kw: Any) -> Any:
        deadline = time.monotonic() + 300  # a failed test must not leave it running
        while paths == HOLD_PATHS and time.monotonic() < deadline:
            progress(0, 365)  # cancelled, this raises
            time.sleep(0.01)
        return real(fleet, scenarios, paths, *args, progress=progress, **kw)

    monkeypatch.setattr(api, "compare", held)
    write = {"X-Hashshock": "1"}
    settings = Settings("127.0.0.1", 0, tmp_path / "runs.duckdb", EXAMPLES)
    with serve_in_thread(settings) as url, httpx.Client(base_url=url) as client:
        fleet = client.post("/api/fleets/pick", json={"path": "small-farm/fleet.yaml"},
                            headers=write).json()["fleet_id"]  # fmt: skip
        ahead = client.post("/api/runs", headers=write, json={
            "fleet_id": fleet, "scenarios": ["baseline"], "paths": HOLD_PATHS}).json()  # fmt: skip
        with open_browser(tmp_path / "profile") as browser, _cancelled_after(client, ahead):
            page = browser.page
            page.goto(url)
            page.wait_for_selector("body[data-ready=true]")
            listed = f"small-farm/fleet.yaml · baseline · {HOLD_PATHS}×365 — running"
            assert page.inner_text("#queue-list").startswith(listed)
            page.select_option("#fleet-pick", "small-farm/fleet.yaml")
            page.wait_for_function("!document.getElementById('run').disabled")
            page.fill("#paths", "10")
            page.fill("#horizon", "20")
            page.click("#run")
            waiting = "queued: waiting to start: 1 run before it"
            said = f"document.getElementById('run-status').textContent === {waiting!r}"
            page.wait_for_function(said)
            page.reload()
            page.wait_for_selector("body[data-ready=true]")
            page.wait_for_function(said)
            assert page.is_visible("#cancel") and page.is_visible("#progress")
            page.wait_for_selector("#queue-list li >> nth=1")
            items = page.locator("#queue-list li").all_inner_texts()
            assert items[0].startswith(listed) and "(this page's run)" in items[1], items
            page.click("#queue-list li >> nth=0 >> button")  # the run ahead
            page.wait_for_selector("#results[data-rendered=true]", timeout=300_000)
            assert page.inner_text("#run-status").startswith("done in ")
            assert page.is_hidden("#cancel") and page.is_hidden("#progress")
            assert page.evaluate("sessionStorage.getItem('hashshock-job')") is None
            assert browser.errors() == [] and browser.refused == []


def _contrast(first: str, second: str) -> float:
    """WCAG 2's contrast ratio of two CSS ``rgb(r, g, b)`` colours (1 to 21)."""

    def luminance(colour: str) -> float:
        channels = [int(c) / 255 for c in colour[colour.index("(") + 1 : -1].split(",")[:3]]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_follows_wcag() -> None:
    assert _contrast("rgb(255, 255, 255)", "rgb(0, 0, 0)") == 21
    assert round(_contrast("rgb(255, 255, 255)", "rgb(213, 94, 0)"), 2) == 3.87  # #D55E00


def test_the_page_reads_by_keyboard_and_screen_reader_and_its_button_is_legible(
    server: Server, tmp_path: Path
) -> None:
    """Each scenario's description opens from the keyboard (it was a title attribute,
    for a mouse alone) and describes its box; the Run button's text has WCAG AA's
    4.5:1 contrast (3.9:1 before); each chart is an image named by its title."""
    chromium_or_skip()
    with open_browser(tmp_path / "profile") as browser, server.client() as client:
        page = browser.page
        page.goto(server.url)
        page.wait_for_selector("body[data-ready=true]")
        for scenario in client.get("/api/info").json()["scenarios"]:
            box = page.locator(f"#scenarios input[value='{scenario['name']}']")
            about = page.locator(f"#{box.get_attribute('aria-describedby')}")
            assert about.text_content() == scenario["description"]
            assert not about.is_visible()
            page.focus(f"#scenarios details:has(#about-{scenario['name']}) summary")
            page.keyboard.press("Enter")
            assert about.is_visible(), scenario["name"]
        _run_small_farm(page)
        colours = page.evaluate("(() => { const style = getComputedStyle("
                                "document.getElementById('run')); "
                                "return [style.color, style.backgroundColor]; })()")  # fmt: skip
        assert page.is_enabled("#run") and _contrast(*colours) >= 4.5, colours
        job = page.get_attribute("#dl-html", "href").split("job=")[1]
        labels = {b["key"]: b["label"] for s in client.get("/api/report", params={"job": job})
                  .json()["sections"] for b in s["blocks"] if b["kind"] == "chart"}  # fmt: skip
        drawn = page.evaluate("[...document.querySelectorAll('.chart')].map((div) => "
                              "[div.id, div.getAttribute('role'), "
                              "div.getAttribute('aria-label')])")  # fmt: skip
        assert drawn == [[f"chart-{key}", "img", label] for key, label in labels.items()]
        assert labels["hashrate"] == "Delivered hashrate (TH/s)"
        assert browser.errors() == [] and browser.refused == []


def _downloads(page: Any) -> list[str]:
    """The download links offered, as the bar reads them (separators between them only)."""
    return str(page.inner_text("#downloads")).removeprefix("Download: ").split(" · ")


def test_a_new_run_clears_the_stored_runs_ticks_and_show_selected(
    server: Server, tmp_path: Path
) -> None:
    """A run reloads the stored-run list with nothing ticked: "Show selected" is disabled
    again (it was left enabled, and said "no run chosen"). A run not kept offers no CSV,
    and the bar has no separator left dangling; stored runs offer it."""
    chromium_or_skip()
    write = {"X-Hashshock": "1"}
    with server.client() as client:  # one stored run to tick
        fleet = client.post("/api/fleets/pick", json={"path": "small-farm/fleet.yaml"},
                            headers=write).json()["fleet_id"]  # fmt: skip
        job = client.post("/api/runs", headers=write, json={
            "fleet_id": fleet, "scenarios": ["baseline"], "paths": 2, "horizon_days": 5,
        }).json()["job_id"]  # fmt: skip
        deadline = time.monotonic() + 120
        while client.get(f"/api/jobs/{job}").json()["state"] != "done":
            assert time.monotonic() < deadline, "the stored run did not finish"
            time.sleep(0.1)
    with open_browser(tmp_path / "profile") as browser:
        page = browser.page
        page.goto(server.url)
        page.wait_for_selector("body[data-ready=true]")
        page.check("#stored-list input >> nth=0")
        assert page.is_enabled("#compare")
        _run_small_farm(page, save=False)
        page.wait_for_function("!document.querySelector('#stored-list input:checked')")
        assert page.is_disabled("#compare")
        assert _downloads(page) == ["HTML report", "JSON"]
        page.check("#stored-list input >> nth=0")
        page.click("#compare")
        page.wait_for_selector("#dl-csv")
        assert _downloads(page) == ["HTML report", "JSON", "CSV"]
        assert browser.errors() == [] and browser.refused == []
