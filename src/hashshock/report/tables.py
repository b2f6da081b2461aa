"""HTML tables of the report: key numbers, money over the horizon, the runs' manifests.

Every value from a run is escaped; the markup around it is ours.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from hashshock.money_notes import NETWORK_MARK, musd, musd_band
from hashshock.report.figures.fans import STAGE_NAMES
from hashshock.results.money import tested_covenants
from hashshock.words import probability


def usd(value: float | None) -> str:
    """USD with a unit chosen by magnitude ($, $k, $M, $B; :func:`hashshock.money_notes.musd`),
    ``—`` for none.

    >>> usd(12_345_678), usd(-48_200), usd(950), usd(None)
    ('$12.3M', '-$48.2k', '$950', '—')
    """
    return "—" if value is None else musd(value)


def pct(value: float | None, digits: int = 0) -> str:
    return "—" if value is None else f"{100 * value:.{digits}f}%"


def day(value: Any) -> str:
    return "—" if value is None else f"day {int(value)}"


def table(header: Sequence[str], rows: Sequence[Sequence[str]], caption: str = "") -> str:
    """A table of already-formatted text cells (escaped here)."""
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    cap = f"<caption>{escape(caption)}</caption>" if caption else ""
    return (
        f'<table class="numbers">{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
    )


def _last(values: Any) -> float | None:
    return float(values[-1]) if isinstance(values, list) and values else None


def key_numbers(runs: Sequence[dict[str, Any]], labels: Sequence[str]) -> str:
    """Per run: availability at the horizon, each stage's probability and median day, the
    part most likely to run out first and the likeliest covenant breach."""
    rows = []
    for run, label in zip(runs, labels, strict=True):
        availability = run["daily"]["availability"]
        low, mid, high = (pct(_last(availability.get(k)), 1) for k in ("p5", "p50", "p95"))
        cells = [label, f"{mid} ({low}–{high})"]
        for key in STAGE_NAMES:
            stage = run["stages"].get(key, {})
            chance = stage.get("probability")  # worded as the terminal and the charts do
            cells.append(f"{'—' if chance is None else probability(chance)}, "
                         f"{day(stage.get('day_p50'))}")  # fmt: skip
        first = run["first_to_break"][0] if run["first_to_break"] else None
        if first is not None and first["probability_first"] > 0:
            cells.append(f"{first['part']} ({pct(first['probability_first'], 1)})")
        else:
            cells.append("no stock-out")
        covenants = tested_covenants((run.get("finance") or {}).get("covenants") or {})
        worst = max(covenants.items(), key=lambda kv: kv[1]["probability_breach"], default=None)
        cells.append(f"{worst[0]} ({probability(worst[1]['probability_breach'])})" if worst
                     else "—")  # fmt: skip
        rows.append(cells)
    header = ["scenario", "availability at horizon p50 (p5–p95)",
              *(f"{name}: probability, median day" for name in STAGE_NAMES.values()),
              "first to break", "likeliest covenant breach"]  # fmt: skip
    return table(header, rows)


def money_table(runs: Sequence[dict[str, Any]], labels: Sequence[str]) -> str | None:
    """Revenue, EBITDA, cash and spares at the horizon, and cash (and cash + spares) at
    risk: p50 (p5–p95)."""
    if not any(run.get("finance") for run in runs):
        return None

    def band(node: dict[str, Any] | None) -> str:
        if not node:
            return "—"
        # decimals enough that p5, p50 and p95 read apart, as in the terminal
        return musd_band(node, " – ")

    rows = []
    for run, label in zip(runs, labels, strict=True):
        fin = run.get("finance") or {}
        vs = fin.get("vs_baseline") or {}
        # Marked as in the terminal: its note under the table says what revenue assumes.
        label = label + (NETWORK_MARK if "network_wide" in fin else "")
        rows.append([label, band(fin.get("revenue_usd")), band(fin.get("ebitda_usd")),
                     band(fin.get("cash_usd_end")), band(fin.get("cash_usd_min")),
                     band(fin.get("spares_value_usd_end")),
                     band(fin.get("machines_value_usd_end")),
                     band(vs.get("revenue_at_risk_usd")), band(vs.get("cash_at_risk_usd")),
                     band(vs.get("cash_and_spares_at_risk_usd")),
                     band(vs.get("owned_at_risk_usd"))])  # fmt: skip
    header = ["scenario", "revenue", "EBITDA", "cash at horizon", "lowest cash",
              "spares at cost, horizon", "machines at used price, horizon",
              "revenue at risk vs baseline", "cash at risk vs baseline",
              "cash + spares at risk vs baseline", "all owned at risk vs baseline"]  # fmt: skip
    return table(header, rows, "Over the horizon: p50 (p5 – p95), USD")


def _market_rows(start: dict[str, Any]) -> list[list[str]]:
    origins = start.get("origins") or {}
    rows = []
    for key, text in (("btc_price_usd", "BTC price"), ("difficulty", "difficulty"),
                      ("network_hashrate_ehs", "network hashrate (EH/s)"),
                      ("fee_share", "fee share"), ("hashprice_usd_per_ph_day",
                                                   "hashprice (USD/PH/day)")):  # fmt: skip
        if key in start:
            value = start[key]
            shown = f"{value:,.6g}" if isinstance(value, float | int) else str(value)
            rows.append([f"day-0 {text}", shown + (f" — {origins[key]}" if key in origins else "")])
    return rows


def manifest_table(run: dict[str, Any], label: str) -> str:
    """The run's manifest: what reproduces it, and the market it started from."""
    manifest = run.get("manifest") or {}
    rows = [
        ["scenario", label],
        ["fleet", f"{run.get('fleet_name', '—')}"],
        ["inputs sha256", str(manifest.get("inputs_sha256", "—"))],
        ["seed", str(manifest.get("seed", run.get("seed", "—")))],
        ["paths × days", f"{run.get('paths', '—')} × {run.get('horizon_days', '—')}"],
        ["start date", str(run.get("start_date", "—"))],
        ["hashshock version", str(manifest.get("version", run.get("version", "—")))],
    ]
    if "market_sha256" in manifest:
        rows.append(["market sha256", str(manifest["market_sha256"])])
    start = manifest.get("market_start") or {}
    if manifest.get("snapshot_date"):
        rows.append(["market snapshot", f"{manifest['snapshot_date']} "
                     f"({manifest.get('snapshot_origin', 'bundled')})"])  # fmt: skip
    rows += _market_rows(start)
    if start.get("warning"):
        rows.append(["warning", str(start["warning"])])
    if run.get("run_id"):
        rows.insert(0, ["stored run", str(run["run_id"])])
    return table(["field", "value"], rows, f"Manifest — {label}")
