"""Report and dashboard speed, measured in one run (not a test: prints, asserts nothing).

1. ``hashshock.compare`` of the mid-size example under four scenarios at 1,000 paths ×
   365 days, then :func:`hashshock.report.write_report` of its results: the seconds the
   report adds to the run and the size of the file (targets: under 3 s, under 5 MB).
2. The dashboard (``hashshock serve`` on 127.0.0.1, a free port) in headless Chromium:
   upload the small farm, tick sanctions, 500 paths × 365 days, and time the click on Run
   until the hashrate chart is drawn (target: under 5 s), after one warm-up run.

Run: ``.venv/bin/python bench/bench_report.py`` (needs the test extras and chromium for
part 2, which it skips with one line otherwise); ``--paths``, ``--days``,
``--dashboard-paths`` and ``--repeats`` shrink it (the tests run it at toy sizes).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import hashshock
from hashshock.report import write_report

ROOT = Path(__file__).resolve().parents[1]
MIDSIZE = ROOT / "examples" / "midsize-public-miner" / "fleet.yaml"
SMALL = ROOT / "examples" / "small-farm" / "fleet.yaml"
SCENARIOS = ["baseline", "customs-2024", "mitigation", "sanctions"]
REPORT_TARGET_S, SIZE_TARGET_MB, CLICK_TARGET_S = 3.0, 5.0, 5.0
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update",
         "--disable-sync"]  # fmt: skip
SERVE = textwrap.dedent("""
    import sys, typer
    from hashshock.cli.serve import register
    app = typer.Typer()
    @app.callback()
    def _root() -> None:
        "Bench app."
    register(app)
    app(["serve", *sys.argv[1:]])
""")


def bench_report(folder: Path, paths: int, days: int) -> None:
    hashshock.compare(MIDSIZE, SCENARIOS[:1], paths=10, horizon_days=30)  # compile/warm caches
    start = time.perf_counter()
    runs = hashshock.compare(MIDSIZE, SCENARIOS, paths=paths, horizon_days=days, seed=0)
    simulate_s = time.perf_counter() - start
    start = time.perf_counter()
    path = write_report(runs, folder / "report.html")
    report_s = time.perf_counter() - start
    size_mb = path.stat().st_size / 1e6
    print(f"mid-size, 4 scenarios, {paths:,} paths x {days} days: simulation {simulate_s:.2f} s")
    print(f"  report adds {report_s:.2f} s ({report_s / simulate_s:.0%} of the simulation; "
          f"{report_s / REPORT_TARGET_S:.2f}x the {REPORT_TARGET_S:g} s target)")  # fmt: skip
    print(f"  report file {size_mb:.2f} MB ({size_mb / SIZE_TARGET_MB:.2f}x the "
          f"{SIZE_TARGET_MB:g} MB target)")  # fmt: skip


def _click_to_chart(page, paths: int) -> float:  # type: ignore[no-untyped-def]
    page.fill("#paths", str(paths))
    page.evaluate("document.getElementById('results').dataset.rendered = 'false'")
    start = time.perf_counter()
    page.click("#run")
    page.wait_for_selector("#results[data-rendered=true] #chart-hashrate[data-rendered=true]",
                           timeout=300_000)  # fmt: skip
    return time.perf_counter() - start


def bench_dashboard(folder: Path, paths: int, repeats: int) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        chromium = None
    if chromium is None:
        print("dashboard: skipped (needs chromium and the playwright package)")
        return
    server = subprocess.Popen(
        [sys.executable, "-c", SERVE, "--port", "0", "--store", str(folder / "runs.duckdb"),
         "--fleets", str(ROOT / "examples")], stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        url = server.stdout.readline().split("dashboard on ", 1)[1].strip()
        with sync_playwright() as p:
            context = p.chromium.launch_persistent_context(
                str(folder / "profile"), executable_path=chromium, headless=True, args=FLAGS
            )
            page = context.new_page()
            page.goto(url)
            page.wait_for_selector("body[data-ready=true]")
            page.set_input_files("#fleet-upload", str(SMALL))
            page.wait_for_function("!document.getElementById('run').disabled")
            page.check("#scenarios input[value=sanctions]")
            _click_to_chart(page, 50)  # warm-up: the server's first run loads the engine
            times = [_click_to_chart(page, paths) for _ in range(repeats)]
            context.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    median = statistics.median(times)
    print(f"dashboard, small farm {paths:,} paths x 365 days, baseline + sanctions: click to chart "
          f"{median:.2f} s median of {len(times)} ({', '.join(f'{t:.2f}' for t in times)}; "
          f"{median / CLICK_TARGET_S:.2f}x the {CLICK_TARGET_S:g} s target)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--paths", type=int, default=1000, help="report run: paths")
    parser.add_argument("--days", type=int, default=365, help="report run: days")
    parser.add_argument("--dashboard-paths", type=int, default=500, help="dashboard run: paths")
    parser.add_argument("--repeats", type=int, default=3, help="dashboard runs timed")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hashshock-bench-") as tmp:
        bench_report(Path(tmp), args.paths, args.days)
        bench_dashboard(Path(tmp), args.dashboard_paths, args.repeats)


if __name__ == "__main__":
    main()
