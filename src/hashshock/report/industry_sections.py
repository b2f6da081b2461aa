"""The industry view's sections of the report, drawn from an industry's JSON alone
(``ReportInput.extras["industry"]``, ``IndustryResult.to_dict()``; docs/industry.md):
the headline table (US EH/s at day 0 and 3, 6, 12 months, share of the network, who
breaks first), the US and network charts, vendor lines and the used market, who breaks
first and before whom, the operators' and classes' availability and stages, the lender,
and the manifest. Registered in :mod:`hashshock.report.sections` (orders 70–79, 91);
each returns ``[]`` for a report without an industry.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING, Any

from hashshock.analysis.checkpoints import HEADLINE_DAYS
from hashshock.industry import notes
from hashshock.report import tables
from hashshock.report.figures import industry, industry_groups
from hashshock.report.figures.style import Figure
from hashshock.words import signed

if TYPE_CHECKING:
    from hashshock.report.sections import Block, ReportInput


def industry_of(report: ReportInput) -> dict[str, Any] | None:
    """The industry's JSON in the report, if any."""
    data = report.extras.get("industry")
    return data if isinstance(data, dict) and "scenarios" in data else None


def _p50_on(bands: dict[str, list[float]] | None, day: int) -> float | None:
    if not bands or not bands.get("p50"):
        return None
    values = bands["p50"]
    return float(values[min(day, len(values) - 1)])


def _number(value: float | None, spec: str) -> str:
    """``value`` as ``spec`` formats it; a signed ``spec`` ("+…") writes a value that rounds
    to zero unsigned (:func:`~hashshock.words.signed`)."""
    if value is None:
        return "—"
    return signed(value, spec[1:]) if spec.startswith("+") else format(value, spec)


def _first(rows: list[dict[str, Any]]) -> str:
    """The group likeliest to break first, with its share of paths."""
    top = max(rows, key=lambda r: r["probability_first"], default=None)
    if top is None or not top["probability_first"]:
        return "none"
    return f"{top['group']} ({tables.pct(top['probability_first'])})"


def headline(data: dict[str, Any]) -> str:
    """Per scenario: US EH/s (p50) on the headline days within the horizon, the share of
    the network and the difference from baseline at the horizon, who breaks first."""
    horizon = int(data["horizon_days"])
    days = [(label, day) for label, day in HEADLINE_DAYS if day < horizon]
    last = horizon - 1
    rows = []
    for name, scenario, _ in industry.scenarios(data):
        us = scenario["us"]
        ranking = scenario.get("first_to_break") or {}
        rows.append([
            name,
            *(_number(_p50_on(us["hashrate_ehs"], day), ",.1f") for _, day in days),
            tables.pct(_p50_on(us.get("share_of_network"), 0), 1),
            tables.pct(_p50_on(us.get("share_of_network"), last), 1),
            _number(_p50_on(us.get("hashrate_ehs_vs_baseline"), last), "+,.1f"),
            *(_first(ranking.get(kind, [])) for kind in industry_groups.BREAKS),
        ])  # fmt: skip
    header = ["scenario", *(f"US EH/s {label}" for label, _ in days), "share on day 0",
              "share at horizon",
              "Δ EH/s vs baseline at horizon", "breaks first: financial",
              "breaks first: operational"]  # fmt: skip
    return tables.table(header, rows, "US delivered hashrate (p50), share of the network "
                        "(p50) and who breaks first (share of paths)")  # fmt: skip


def _intro(data: dict[str, Any]) -> str:
    operators = data["operators"]
    ehs = sum(float(o["nameplate_ehs"]) for o in operators)
    machines = sum(int(o["machines"]) for o in operators)
    feedback = "on" if data.get("network_feedback") else "off"
    return (
        f"<p><b>{escape(str(data['industry']))}</b>: {escape(str(data.get('description', '')))}"
        f"</p><p>{len(operators)} operators and classes, {machines:,} machines, "
        f"{ehs:,.1f} EH/s nameplate; network feedback {feedback}.</p>"
    )


def _charts(*items: tuple[str, Figure | None, str]) -> list[Block]:
    from hashshock.report.sections import Chart

    return [Chart(key, fig, caption) for key, fig, caption in items if fig is not None]


def _view(build: Callable[[dict[str, Any]], list[Block]]) -> Callable[[ReportInput], list[Block]]:
    """A section's builder: ``build`` of the industry's JSON, nothing without one."""

    def section(report: ReportInput) -> list[Block]:
        data = industry_of(report)
        return [] if data is None else build(data)

    return section


def _note(text: str | None) -> list[Block]:
    """A note beside the charts (as the terminal's ``note:`` lines), if there is one."""
    from hashshock.report.sections import Html

    return [Html(f'<p class="note"><b>Note.</b> {escape(text)}</p>')] if text else []


def _us(data: dict[str, Any]) -> list[Block]:
    from hashshock.report.sections import Html

    return [Html(_intro(data) + headline(data)), *_note(notes.worst_days(data)),
            *(block for note in notes.day_zero_notes(data) for block in _note(note)), *_charts(
        ("us-hashrate", industry.us_hashrate(data),
         "Delivered EH/s of every US operator and class, weighted by what each simulated "
         "fleet stands for; band p5–p95, line the median over paths."),
        ("us-hashrate-vs-baseline", industry.us_hashrate_vs_baseline(data),
         "The scenario's US EH/s minus baseline's on the same path (common random numbers), "
         "then the bands."),
        ("us-share", industry.us_share(data), "US delivered EH/s over the network's."),
        ("us-share-vs-baseline", industry.us_share_vs_baseline(data),
         "The scenario's US share minus baseline's on the same path."),
        ("hashprice", industry.hashprice(data),
         "Miners' revenue per PH/s per day on the network these scenarios make."),
        ("network", industry.network(data),
         "The network's EH/s and the rest of the world's (the US is the difference)."),
        ("moved-overseas", industry.moved_overseas(data),
         "What leaves the US for other countries' miners: orders a scenario cancels that "
         "they take up, and machines distressed operators sell abroad (under baseline too: "
         "an operator that breaks sells whatever the scenario)."),
    )]  # fmt: skip


def donors_table(data: dict[str, Any]) -> str | None:
    """Used machines bought as donors over the horizon and their price, per group and in
    all, by scenario (means over paths); ``None`` when no fleet buys donors."""
    scenarios = [(name, s) for name, s in data["scenarios"].items() if "donors" in s["us"]]
    if not scenarios:
        return None

    def cell(donors: dict[str, float] | None) -> str:
        if not donors or donors["bought_mean"] < 0.5:
            return "0"
        return f"{donors['bought_mean']:,.0f} (${donors['spend_usd_mean'] / 1e6:,.1f} M)"

    groups = list(scenarios[0][1]["groups"])
    rows = [[g, *(cell(s["groups"][g].get("donors")) for _, s in scenarios)] for g in groups]
    rows.append(["all", *(cell(s["us"]["donors"]) for _, s in scenarios)])
    header = ["operator/class", *(name for name, _ in scenarios)]
    return tables.table(header, rows, "Used machines bought as donors, stripped for the "
                        "parts their waiting machines lack, and their price (means over "
                        "paths; docs/model.md, Cannibalisation)")  # fmt: skip


def _supply(data: dict[str, Any]) -> list[Block]:
    from hashshock.report.sections import Html

    donors = donors_table(data)
    return [*([Html(donors)] if donors else []), *_supply_charts(data)]


def _supply_charts(data: dict[str, Any]) -> list[Block]:
    return _charts(
        ("vendor-lead-time", industry.vendor_lead_time(data),
         "Lead time a new order is quoted on each vendor line, days: the wait of an order "
         "placed that day that the scenario does not cancel; customs holds come on top. A "
         "line whose supply a scenario cuts (its panel title says on what share of paths) "
         "keeps a short queue, as its orders are cancelled rather than delayed: the next "
         "chart shows how much is cancelled."),
        ("vendor-output", industry.vendor_output(data),
         "Each line's orders since day 0, medians: ordered (dashed) — made or waiting in its "
         "queue — made (solid), and cancelled by the scenario (dotted). The gap between "
         "ordered and made is the queue; an order placed again with another vendor counts "
         "as cancelled here and ordered there."),
        ("used-price-factor", industry.used_price_factor(data),
         "The used market's price relative to its curve: below 1 when more is offered than "
         "wanted."),
        ("used-prices", industry.used_prices(data),
         "Price of a used machine per TH/s by efficiency tier (J/TH), medians."),
        ("used-flows", industry.used_flows(data),
         "EH/s distressed operators have sold since day 0, and wants the dealers' stock could "
         "not meet, imported grey, by day (bought on the buyers' review days, so in spikes; "
         "the terminal's used-market table gives the total over the horizon)."),
    )  # fmt: skip


def _breaks(data: dict[str, Any]) -> list[Block]:
    blocks = _charts(*(
        (f"break-{kind}", industry_groups.break_bars(data, kind),
         "Dark: the share of paths on which the group breaks before every other group; light: "
         "the share on which it breaks at all; grey: the share on which it breaks under "
         "baseline, with no shock (the shock's part is the difference).")
        for kind in industry_groups.BREAKS
    ))  # fmt: skip
    blocks += _note(notes.baseline_note(data) or None)
    unfunded = notes.groups_without_finance(data)
    if unfunded:
        blocks += _note(f"Not in the financial charts: {', '.join(unfunded)} — no finance "
                        "block, so no financial break.")  # fmt: skip
    blocks += _charts(
        (
            "break-causes",
            industry_groups.break_causes(data),
            "Each covenant of a group, and its cash falling below zero: the share of paths on "
            "which it breaks the group (half its nameplate, for a class), beside baseline's. "
            "An LTV covenant can break less often under a shock than under baseline: when "
            "Bitmain's supply is cut, used machines, the loan's collateral, are worth more.",
        )
    )
    return blocks + _charts(*(
        (f"break-before-{i}", industry_groups.break_before(data, name, scenario),
         "Cell: the share of paths on which the row's group breaks strictly before the "
         "column's (white: 0 %; grey: no cell — a group against itself, or a financial "
         "break of a group without finance).")
        for i, (name, scenario, _) in enumerate(industry.shocked(data))
    ))  # fmt: skip


def _groups(data: dict[str, Any]) -> list[Block]:
    from hashshock.analysis.checkpoints import CHECKPOINT_DAYS

    days = [day for day in CHECKPOINT_DAYS.values() if day < int(data["horizon_days"])]
    on = ("on day " + ", ".join(map(str, days[:-1])) + (" and " if len(days) > 1 else "")
          + str(days[-1])) if days else "at its checkpoints (none within this horizon)"  # fmt: skip
    return _charts(
        ("group-availability", industry_groups.availability(data),
         f"Delivered over nameplate of the installed machines {on}, after "
         "any distress sales. A machine switched off because it earns less than its power "
         "(and hosting) costs delivers nothing, so an unprofitable fleet shows low "
         "availability under baseline too, with every machine working."),
        ("group-stages", industry_groups.stage_days(data),
         "Median day each stage is reached; hover for the share of paths on which it is."),
    )  # fmt: skip


def lender_tables(data: dict[str, Any]) -> str:
    """The lender's figures by scenario — what is lent, expected and 95th-percentile loss,
    interest received, net income expected and at its 5th percentile — and per loan;
    empty without a portfolio."""
    chosen = [(name, s["lender"]) for name, s, _ in industry.scenarios(data) if s.get("lender")]
    if not chosen:
        return ""
    portfolio, loans = [], []
    for name, lender in chosen:
        lent = sum(loan["principal_usd"] for loan in lender["loans"])
        portfolio.append([name, tables.usd(lent), tables.usd(lender["expected_loss_usd"]),
                          tables.usd(lender["loss_p95_usd"]),
                          tables.usd(lender.get("interest_income_usd")),
                          tables.usd(lender.get("net_income_usd")),
                          tables.usd(lender.get("net_income_p5_usd"))])  # fmt: skip
        loans += [[name, loan["loan"], loan["borrower"], _loan_terms(loan),
                   f"{loan['operators']:,.0f}",
                   tables.usd(loan["principal_usd"]), tables.pct(loan["probability_default"], 1),
                   tables.usd(loan["exposure_at_default_each_usd"]),
                   tables.usd(loan["expected_loss_usd"]),
                   tables.usd(loan.get("interest_income_usd"))]
                  for loan in lender["loans"]]  # fmt: skip
    return tables.table(
        ["scenario", "lent", "expected loss", "95th percentile loss", "interest received",
         "net income", "net income, 5th percentile"], portfolio,
        "The lender's portfolio: loss on defaults, interest paid until them, and the net "
        "(interest less loss), over the horizon",
    ) + tables.table(
        ["scenario", "loan", "borrower", "terms", "operators", "principal",
         "probability of default",
         "owed at default, each", "expected loss", "interest received"], loans,
        "Per loan (a class's: all its operators'; the probability is the expected share of "
        "them that default, what is owed one defaulting operator's)",
    )  # fmt: skip


def _loan_terms(loan: dict[str, Any]) -> str:
    """``11.0 %, linear to 2029-12-01, secured, new debt`` ("—" for a JSON before them)."""
    if "rate_per_year" not in loan:
        return "—"
    words = [f"{loan['rate_per_year']:.1%}",
             f"{loan['amortisation']} to {loan['maturity_date']}"]  # fmt: skip
    words += ["secured"] if loan["secured_by_machines"] else []
    words += ["new debt"] if loan["new_debt"] else []
    return ", ".join(words)


def _lender(data: dict[str, Any]) -> list[Block]:
    from hashshock.report.sections import Html

    figures = lender_tables(data)
    return [*([Html(figures)] if figures else []), *_charts(
        ("lender-loss", industry_groups.lender_losses(data),
         "The portfolio's loss on defaults (what defaulting borrowers owe less what is "
         "recovered), expected and at the 95th percentile over paths; the interest the "
         "borrowers pay until they default (expected, hatched); and the net income, interest "
         "less loss, expected and on the 5th percentile of paths (cross-hatched: a loss on "
         "fewer than 5 % of paths does not show in it)."),
        ("lender-defaults", industry_groups.lender_defaults(data),
         "Probability of default within the horizon: for a loan to one operator, the share of "
         "paths on which it defaults; for a loan to each operator of a class, the expected "
         "share of its operators that default."),
    ), *_note(_tail_note(data))]  # fmt: skip


def _tail_note(data: dict[str, Any]) -> str | None:
    """Why a shock's tail loss is below baseline's, when one is."""
    base = data["scenarios"].get("baseline")
    for name, scenario, _ in industry.shocked(data):
        text = notes.tail_below_baseline(scenario, base)
        if text is not None:
            return f"{name}: {text}"
    return None


def _steering_rows(data: dict[str, Any]) -> list[list[str]]:
    """The manifest's row of how far each scenario's engines were steered from the shared
    hashprice (p95; none without network feedback)."""
    gaps = [
        f"{name} {s['us']['steering_hashprice_gap']['p95']:.1%}"
        for name, s in data["scenarios"].items()
        if "steering_hashprice_gap" in s["us"]
    ]
    label = "engines' hashprice off the shared one, average day (p95)"
    return [[label, ", ".join(gaps)]] if gaps else []


def _manifest(data: dict[str, Any]) -> list[Block]:
    from hashshock.report.sections import Html

    manifest = data.get("manifest") or {}
    rows = [
        ["industry", str(data["industry"])],
        ["inputs sha256", str(manifest.get("inputs_sha256", "—"))],
        ["seed", str(data["seed"])],
        ["paths × days", f"{data['paths']} × {data['horizon_days']}"],
        ["start date", str(data["start_date"])],
        ["scenarios", ", ".join(data["scenarios"])],
        ["engine passes", str(data.get("engine_passes", 1))],
        *_steering_rows(data),
        ["hashshock version", str(data.get("version", "—"))],
        *(["warning", str(text)] for text in data.get("warnings", [])),
    ]
    operators = [[str(o["name"]), str(o["kind"]), f"{o['count']:,}", f"{o['simulated']:,}",
                  f"{o['machines']:,}", f"{o['nameplate_ehs']:,.2f}", str(o.get("source", ""))]
                 for o in data["operators"]]  # fmt: skip
    header = ["operator or class", "kind", "count", "simulated", "machines", "nameplate EH/s",
              "source"]  # fmt: skip
    return [Html(tables.table(["", ""], rows, "Manifest")
                 + tables.table(header, operators, "Operators and classes"))]  # fmt: skip


US = _view(_us)
SUPPLY = _view(_supply)
BREAKS = _view(_breaks)
GROUPS = _view(_groups)
LENDER = _view(_lender)
MANIFEST = _view(_manifest)
