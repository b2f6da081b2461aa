"""The self-contained HTML page: sections, tables, figures as JSON and plotly.js inlined.

Nothing is fetched when the page opens: the figures are JSON in the page, plotly.js is
inflated from the page itself (:mod:`hashshock.report.plotlyjs`), the favicon is empty.
Each chart's ``<div>`` gets ``data-rendered="true"`` once drawn and ``<body>`` once all
are, which is what the browser tests wait for.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from html import escape
from typing import Any

from hashshock import __version__
from hashshock.report.data import drawn_together
from hashshock.report.figures.style import IMAGE_SIZE
from hashshock.report.plotlyjs import plotly_js_gzip_base64
from hashshock.report.sections import Block, Chart, Html, ReportInput, Section, build
from hashshock.words import shown_controls

#: Width a chart is drawn at to print, CSS pixels: an A4 or Letter page's text width.
PRINT_WIDTH_PX = 680

_CSS = """
:root { --ink: #1d2330; --muted: #5b6475; --rule: #d9dde5; --accent: #D55E00; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial,
  sans-serif; color: var(--ink); background: #f6f7f9; }
header { background: #1d2330; color: #fff; padding: 24px 32px; }
header h1 { margin: 0 0 4px; font-size: 24px; }
header p { margin: 0; color: #c9cfda; }
nav { padding: 8px 32px; background: #fff; border-bottom: 1px solid var(--rule);
  position: sticky; top: 0; z-index: 5; }
nav a { margin-right: 16px; color: var(--ink); text-decoration: none; font-size: 14px; }
nav a:hover { color: var(--accent); }
main { max-width: 1240px; margin: 0 auto; padding: 8px 24px 48px; }
section { background: #fff; border: 1px solid var(--rule); border-radius: 8px;
  padding: 16px 24px; margin: 20px 0; }
section h2 { margin: 4px 0 8px; font-size: 19px; }
p.intro, figcaption { color: var(--muted); font-size: 13px; }
p.note { font-size: 13px; border-left: 3px solid var(--accent); padding: 4px 10px;
  background: #f7f8fb; }
figure { margin: 12px 0 20px; }
.chart { min-height: 200px; }
.chart .failed { color: #b00020; padding: 24px; }
table.numbers { border-collapse: collapse; width: 100%; margin: 8px 0 16px; font-size: 13px; }
table.numbers caption { text-align: left; font-weight: 600; padding: 4px 0; }
table.numbers th, table.numbers td { border-bottom: 1px solid var(--rule); padding: 5px 8px;
  text-align: left; vertical-align: top; overflow-wrap: break-word; }
table.numbers th { background: #f0f2f6; }
footer { color: var(--muted); font-size: 12px; text-align: center; padding: 16px; }
@media (max-width: 700px) {
  header, nav { padding-left: 12px; padding-right: 12px; }
  main { padding: 4px 6px 32px; }
  section { padding: 12px 10px; }
  table.numbers { display: block; overflow-x: auto; }  /* scrolls, the page does not */
}
@media print {
  nav, .modebar { display: none !important; }
  section { border: none; }
  figure, table.numbers { break-inside: avoid; }
}
"""

# The loader inflates plotly.js (see plotlyjs.py), runs it from a blob: URL (no eval), then
# draws each chart; a browser without DecompressionStream gets a sentence, not an error.
#: Tells a page hashshock wrote from a user's own HTML, which a report never replaces
#: (:func:`hashshock.report.write.looks_like_report`).
GENERATOR_META = '<meta name="generator" content="hashshock">'

_JS = (
    """
(async () => {
  const figures = JSON.parse(document.getElementById("hashshock-figures").textContent);
  const charts = Object.keys(figures).map((key) => [key, document.getElementById("chart-" + key)]);
  const fail = (text) => { for (const [, div] of charts) {
    div.innerHTML = '<p class="failed"></p>'; div.firstChild.textContent = text; } };
  if (typeof DecompressionStream === "undefined") {
    fail("This browser cannot unpack the charts: open the report in a browser from 2023 or later.");
    return;
  }
  const packed = document.getElementById("hashshock-plotly").textContent.trim();
  const bytes = Uint8Array.from(atob(packed), (c) => c.charCodeAt(0));
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  const source = await new Response(stream).text();
  const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
  await new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = url; script.onload = resolve; script.onerror = reject;
    document.head.appendChild(script);
  });
  URL.revokeObjectURL(url);
  const config = { responsive: true, displaylogo: false,
    toImageButtonOptions: { format: "png", width: WIDTH, height: HEIGHT } };
  for (const [key, div] of charts) {
    const fig = figures[key];
    await Plotly.newPlot(div, fig.data, fig.layout,
      Object.assign({}, config, { toImageButtonOptions: Object.assign(
        {}, config.toImageButtonOptions, { filename: key }) }));
    div.dataset.rendered = "true";
  }
  // Printed, a chart keeps its screen width unless drawn again at the page's (A4/Letter).
  const drawn = () => charts.filter(([, div]) => div.dataset.rendered).map(([, div]) => div);
  window.addEventListener("beforeprint", () => {
    for (const div of drawn()) Plotly.relayout(div, { width: PRINT_WIDTH }); });
  window.addEventListener("afterprint", () => {  // back to the window's width, as it is now
    for (const div of drawn()) Plotly.relayout(div, { width: null }).then(
      () => Plotly.Plots.resize(div)); });
  document.body.dataset.rendered = "true";
})();
""".replace("PRINT_WIDTH", str(PRINT_WIDTH_PX))
    .replace("WIDTH", str(IMAGE_SIZE[0]))
    .replace("HEIGHT", str(IMAGE_SIZE[1]))
)


#: Said where the charts would be when the browser runs no JavaScript (the tables are HTML).
_NO_SCRIPT = ('<noscript><p class="note">The charts are drawn by JavaScript, which this '
              "browser does not run here; the tables are whole without it, and "
              "<code>hashshock report … --images FOLDER</code> draws the charts as "
              "images.</p></noscript>")  # fmt: skip


def figure_json(chart: Chart) -> str:
    """The chart's figure as JSON (numbers as plotly writes them)."""
    return json.dumps(chart.figure, separators=(",", ":"), allow_nan=False)


def _script_json(text: str) -> str:
    """JSON safe inside ``<script>``: every ``<`` (only ever inside strings) as ``\\u003c``, so
    no ``</script`` or ``<!--`` can end or bend the element."""
    return text.replace("<", "\\u003c")


def _block_html(block: Block) -> str:
    if isinstance(block, Html):
        return block.html
    caption = f"<figcaption>{escape(block.caption)}</figcaption>" if block.caption else ""
    # The title lives inside plotly's SVG: named on the chart's element too, for a reader
    # who does not see it.
    title = (block.figure.get("layout", {}).get("title") or {}).get("text") or block.key
    heading = re.sub(r"<[^>]+>", "", str(title).split("<br")[0]).strip()  # (no subtitle)
    label = escape(heading, quote=True)
    return (
        f'<figure><div class="chart" id="chart-{escape(block.key)}" role="img" '
        f'aria-label="{label}"></div>{caption}</figure>'
    )


def _section_html(section: Section, blocks: Sequence[Block]) -> str:
    intro = f'<p class="intro">{escape(section.intro)}</p>' if section.intro else ""
    body = "".join(_block_html(b) for b in blocks)
    heading = f"<h2>{escape(section.title)}</h2>"
    return f'<section id="{escape(section.key)}">{heading}{intro}{body}</section>'


def title_of(runs: Sequence[dict[str, Any]], labels: Sequence[str]) -> str:
    fleets = sorted({str(r.get("fleet_name", "")) for r in runs} - {""})
    return f"hashshock — {', '.join(fleets) or 'runs'}: {', '.join(labels)}"


def _settings(runs: Sequence[dict[str, Any]]) -> str:
    """Paths × days, start date and seed of the runs: one value each where they agree,
    else every value, in the runs' order ("200 or 100 paths")."""

    def said(key: str) -> str:
        values = list(dict.fromkeys(str(r.get(key, "?")) for r in runs))
        return " or ".join(values)

    mixed = "" if drawn_together(runs) else (
        " (runs of different fleets or settings: see each manifest)")  # fmt: skip
    steady = any((r.get("fleet") or {}).get("pipelines_at_start") == "steady" for r in runs)
    return (
        f"{said('paths')} paths × {said('horizon_days')} days from {said('start_date')}, "
        f"seed {said('seed')}{mixed}"
        + (", repairs and orders under way on day 0" if steady else "")
    )


def render_page(report: ReportInput, title: str | None = None) -> str:
    """The report as one HTML document (str)."""
    built = build(report)
    heading = title or title_of(report.runs, report.labels)
    sweep = report.extras.get("sweep", {}).get("sweep", {})
    runs = report.runs or [report.extras.get("industry") or sweep]
    subtitle = (
        f"{_settings(runs)} · generated {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')} "
        f"by hashshock {__version__}"
    )
    charts = [b for _, blocks in built for b in blocks if isinstance(b, Chart)]
    figures = "{" + ",".join(f"{json.dumps(c.key)}:{figure_json(c)}" for c in charts) + "}"
    nav = "".join(f'<a href="#{escape(s.key)}">{escape(s.title)}</a>' for s, _ in built)
    sections = "".join(_section_html(s, blocks) for s, blocks in built)
    # A name's control characters (an escape sequence) shown, not written raw. In the
    # figures' JSON they are \u escapes, which this leaves alone (the charts draw them).
    return shown_controls(
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"{GENERATOR_META}"
        f'<link rel="icon" href="data:,"><title>{escape(heading)}</title><style>{_CSS}</style>'
        f"</head><body><header><h1>{escape(heading)}</h1><p>{escape(subtitle)}</p></header>"
        f"<nav>{nav}</nav><main>{_NO_SCRIPT}{sections}</main>"
        "<footer>Made with hashshock. Bands are percentiles over Monte Carlo paths.</footer>"
        f'<script type="application/json" id="hashshock-figures">{_script_json(figures)}</script>'
        f'<script type="text/plain" id="hashshock-plotly">{plotly_js_gzip_base64()}</script>'
        f"<script>{_JS}</script></body></html>\n",
        keep_line_breaks=True,
    )
