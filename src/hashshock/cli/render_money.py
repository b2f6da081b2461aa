"""Terminal tables for the money side of results (reads JSON-contract dicts only)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table


def _musd(value: float) -> str:
    """USD with a unit chosen by magnitude ($, $k, $M, $B), never a negative zero.

    >>> _musd(12_345_678), _musd(-48_200), _musd(950), _musd(-0.0), _musd(-0.3)
    ('$12.3M', '-$48.2k', '$950', '$0', '$0')
    >>> _musd(999_960), _musd(2.5e9)
    ('$1.0M', '$2.50B')
    """
    size = abs(value)
    if size >= 999_950_000:
        text = f"{size / 1e9:,.2f}B"
    elif size >= 999_950:
        text = f"{size / 1e6:,.1f}M"
    elif size >= 999.5:
        text = f"{size / 1e3:,.1f}k"
    else:
        text = f"{size:,.0f}"
    return ("-$" if value < 0 and text != "0" else "$") + text


def _pct(value: float) -> str:
    return f"{100 * value:.0f}%"


def render_money(console: Console, results: list[dict[str, Any]]) -> None:
    """Money side by side: revenue, EBITDA, cash, at-risk figures, covenant breaches."""
    if not results or "finance" not in results[0]:
        return
    table = Table(title="Money over the horizon: p50 (p5–p95)", title_justify="left")
    table.add_column("")
    for result in results:
        table.add_column(result["scenario"], justify="right")

    def row(label: str, pick: Any) -> None:
        table.add_row(label, *[pick(r["finance"]) for r in results])

    def band(key: str) -> Any:
        return lambda f: (f"{_musd(f[key]['p50'])} ({_musd(f[key]['p5'])}–"
                          f"{_musd(f[key]['p95'])})")  # fmt: skip

    row("revenue", band("revenue_usd"))
    row("EBITDA", band("ebitda_usd"))
    row("cash at end", band("cash_usd_end"))
    row("lowest cash", band("cash_usd_min"))
    row("revenue at risk vs baseline", lambda f: (
        f"{_musd(f['vs_baseline']['revenue_at_risk_usd']['p50'])} "
        f"(p95 {_musd(f['vs_baseline']['revenue_at_risk_usd']['p95'])})"
        if "vs_baseline" in f else "—"))  # fmt: skip
    row("cash at risk vs baseline", lambda f: (
        f"{_musd(f['vs_baseline']['cash_at_risk_usd']['p50'])} "
        f"(p95 {_musd(f['vs_baseline']['cash_at_risk_usd']['p95'])})"
        if "vs_baseline" in f else "—"))  # fmt: skip
    names = list(results[0]["finance"]["covenants"])
    for name in names:

        def breach(f: dict[str, Any], name: str = name) -> str:
            c = f["covenants"][name]
            lo, hi = c["probability_breach_ci95"]
            day = c["day_p50_first_breach"]
            when = f" d{day}" if day is not None else ""
            return f"{_pct(c['probability_breach'])} [{_pct(lo)}–{_pct(hi)}]{when}"

        row(f"breach: {name}", breach)
    if any(r["finance"]["margin_calls"]["pledges"] for r in results):

        def margin(f: dict[str, Any]) -> str:
            calls = f["margin_calls"]
            day = f" d{calls['day_p50']}" if calls["day_p50"] is not None else ""
            return f"{_pct(calls['probability'])}{day}"

        row("margin call", margin)
    console.print(table)
