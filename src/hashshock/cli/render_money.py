"""Terminal tables for the money side of results (reads JSON-contract dicts only).

Under the table, the notes of :mod:`hashshock.money_notes` say what a reader could
otherwise misread (the HTML report prints the same). Money columns that do not fit the
terminal side by side are split into parts (:func:`hashshock.cli.render.print_in_parts`);
no amount is ever cut.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console

from hashshock.cli.common import literal
from hashshock.cli.render import DAY_CONVENTION, print_in_parts, table_width
from hashshock.cli.table import Table
from hashshock.money_notes import NETWORK_MARK, money_notes, musd, musd_band
from hashshock.words import probability


def _pct(value: float) -> str:
    return f"{100 * value:.0f}%"


def _header(result: dict[str, Any]) -> str:
    network = "network_wide" in result["finance"]
    return str(result["scenario"]) + (NETWORK_MARK if network else "")


#: Width of the money table's labels at most when the table would not fit the terminal
#: with each label on one line ("revenue at risk vs baseline" takes three lines), unless
#: a covenant's name is longer.
LABEL_WIDTH = 12


def money_table(
    results: Sequence[dict[str, Any]], part: str = "", *, narrow_labels: bool = True
) -> Table:
    """Revenue, EBITDA, cash, at-risk figures and covenant breaches, one column a result.

    A band is ``p50`` then ``(p5–p95)``, which wrap onto two lines when the column is
    narrow; breach days count from the start date (day 0). ``narrow_labels``: labels
    wrap within :data:`LABEL_WIDTH` columns, leaving the width to the results'.
    """
    table = Table(
        title=f"Money over the horizon: p50 (p5–p95); breaches: probability [95% interval] "
        f"and median first day, {DAY_CONVENTION}{part}",
        title_justify="left",
    )
    # Labels wrap by word into a narrow column, so that a band's "(p5–p95)" keeps a line;
    # the longest word (a covenant's name) is kept whole.
    names = list(results[0]["finance"]["covenants"])
    longest = max((len(word) for name in names for word in name.split()), default=0)
    table.add_column("", max_width=max(LABEL_WIDTH, longest + 1) if narrow_labels else None)
    for result in results:
        table.add_column(literal(_header(result)), justify="right", overflow="fold")

    def row(label: str, pick: Any) -> None:
        table.add_row(literal(label), *[pick(r["finance"]) for r in results])

    def band(key: str) -> Any:
        def shown(f: dict[str, Any]) -> str:
            return musd_band(f[key])

        return shown

    row("revenue", band("revenue_usd"))
    row("EBITDA", band("ebitda_usd"))
    # Without a finance block (or with no cash in it) cash counts up from nothing.
    from_zero = all(r["finance"]["cash_usd_start"] == 0 for r in results)
    row("cash at end (from $0)" if from_zero else "cash at end", band("cash_usd_end"))
    row("lowest cash", band("cash_usd_min"))
    if any((r["finance"].get("cash_below_zero") or {}).get("probability") for r in results):

        def below(f: dict[str, Any]) -> str:
            under = f.get("cash_below_zero")
            if under is None:
                return "—"
            lo, hi = under["probability_ci95"]
            day = under["day_p50_first"]
            when = f" d{day}" if day is not None else ""
            return f"{probability(under['probability'])} [{_pct(lo)}–{_pct(hi)}]{when}"

        row("cash below $0", below)
    if any(r["finance"].get("refunds_usd", {}).get("p95", 0) > 0 for r in results):
        row("deposits refunded", lambda f: band("refunds_usd")(f)
            if "refunds_usd" in f else "—")  # fmt: skip
    # customs storage can outweigh a harsher shock's losses (a held order stores for
    # months; a cancelled one does not): shown beside the breaches it moves
    if any(r["finance"]["costs_usd_p50"].get("storage", 0.0) > 0 for r in results):
        row("customs storage (p50)",
            lambda f: musd(f["costs_usd_p50"].get("storage", 0.0)))  # fmt: skip
    for key, label in (
        ("spares_value_usd_end", "spares at cost, end"),
        ("machines_value_usd_end", "machines at used price, end"),
    ):
        if any(key in r["finance"] for r in results):
            row(label, lambda f, key=key: band(key)(f) if key in f else "—")

    def at_risk(key: str) -> Any:
        return lambda f: (
            f"{musd(f['vs_baseline'][key]['p50'])} (p95 {musd(f['vs_baseline'][key]['p95'])})"
            if key in f.get("vs_baseline", {}) else "—"
        )  # fmt: skip

    row("revenue at risk vs baseline", at_risk("revenue_at_risk_usd"))
    row("cash at risk vs baseline", at_risk("cash_at_risk_usd"))
    for key, label in (
        ("cash_and_spares_at_risk_usd", "cash + spares at risk vs baseline"),
        ("owned_at_risk_usd", "all owned at risk vs baseline"),
    ):
        if any(key in r["finance"].get("vs_baseline", {}) for r in results):
            row(label, at_risk(key))
    for name in names:

        def breach(f: dict[str, Any], name: str = name) -> str:
            c = f["covenants"][name]
            if c["probability_breach"] is None:
                first = c["first_test_day"]
                return "not tested" + (f" (d{first})" if first is not None else "")
            lo, hi = c["probability_breach_ci95"]
            day = c["day_p50_first_breach"]
            when = f" d{day}" if day is not None else ""
            return f"{probability(c['probability_breach'])} [{_pct(lo)}–{_pct(hi)}]{when}"

        row(f"breach: {name}", breach)
    if any(r["finance"]["margin_calls"]["pledges"] for r in results):

        def margin(f: dict[str, Any]) -> str:
            calls = f["margin_calls"]
            day = f" d{calls['day_p50']}" if calls["day_p50"] is not None else ""
            return f"{probability(calls['probability'])}{day}"

        row("margin call", margin)

    def exposed(f: dict[str, Any]) -> str:
        shares = [p.get("probability_exposed") or 0.0
                  for p in f["margin_calls"]["pledges"].values()]  # fmt: skip
        return probability(max(shares, default=0.0))

    if any("probability_exposed" in p for r in results
           for p in r["finance"]["margin_calls"]["pledges"].values()):  # fmt: skip
        row("pledge exposed", exposed)
    return table


def render_money(console: Console, results: list[dict[str, Any]]) -> None:
    """Money side by side, then the notes that apply (see the module docstring)."""
    if not results or "finance" not in results[0]:
        return

    # Each label on one line when every cell then keeps one line too (a run, or a compare
    # in a wide terminal); else the labels wrap narrow to leave the width to the results.
    def one_line(group: Sequence[dict[str, Any]], part: str) -> Table:
        return money_table(group, part, narrow_labels=False)

    fit = table_width(console, one_line(results, "")) <= console.width
    print_in_parts(console, results, one_line if fit else money_table)
    for note in money_notes(results):
        console.print(literal(note), style="dim", highlight=False)
