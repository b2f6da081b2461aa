"""The report's sections, in a registry that later views join without touching the page.

A :class:`Section` turns the runs (:class:`ReportInput`) into blocks — :class:`Chart` (a
plotly figure with a key unique in the report) or :class:`Html` (a trusted fragment) —
and returns ``[]`` when it has nothing to show (e.g. money for a fleet without finance).
The HTML report, the static images and the dashboard all draw the same blocks.

Adding a view (the industry view, the optimiser's availability-vs-budget frontier, a
sweep's tornado) is one call::

    register_section(Section("tornado", "Sensitivity", 80, build_tornado))

where ``build_tornado(report)`` reads what it needs from ``report.extras["tornado"]``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from typing import Any

from hashshock.money_notes import money_notes
from hashshock.report import industry_sections, tables
from hashshock.report.data import drawn_together, series
from hashshock.report.figures import decide, fans, money, overlay, stages, sweep
from hashshock.report.figures.style import (
    Figure,
    readable_figure,
    run_hues,
    shown_as_written,
)
from hashshock.stage_rules import DAYS_SHOWN, DECLINE_DEFINITION, DECLINE_SHORT
from hashshock.words import DOWN_CAUSE_DEFINITIONS, switched_off_note


@dataclass(frozen=True)
class ReportInput:
    """What sections draw from: report dicts (``report.data``), their labels, and
    ``extras`` keyed by section for views computed outside a run."""

    runs: list[dict[str, Any]]
    labels: list[str]
    extras: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Chart:
    key: str
    figure: Figure  # plotly figure JSON: {"data": [...], "layout": {...}}
    caption: str = ""

    def __post_init__(self) -> None:
        # Users' names in the figure's text are shown, never read as plotly markup (on the
        # page and in the images alike).
        object.__setattr__(self, "figure", readable_figure(shown_as_written(self.figure)))


@dataclass(frozen=True)
class Html:
    html: str


Block = Chart | Html


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    order: int
    build: Callable[[ReportInput], list[Block]]
    intro: str = ""


_REGISTRY: dict[str, Section] = {}


def register_section(section: Section) -> None:
    """Add ``section`` (or replace the one with its key)."""
    _REGISTRY[section.key] = section


def registered() -> list[Section]:
    """The sections in page order."""
    return sorted(_REGISTRY.values(), key=lambda s: (s.order, s.key))


def build(report: ReportInput) -> list[tuple[Section, list[Block]]]:
    """Every section with something to show, and its blocks."""
    built = [(section, section.build(report)) for section in registered()]
    return [(section, blocks) for section, blocks in built if blocks]


def _of_runs(build: Callable[[ReportInput], list[Block]]) -> Callable[[ReportInput], list[Block]]:
    """``build`` for a view of runs: nothing for a report without runs (an industry's)."""

    def section(report: ReportInput) -> list[Block]:
        return build(report) if report.runs else []

    return section


def _charts(*items: tuple[str, Figure | None, str]) -> list[Block]:
    return [Chart(key, fig, caption) for key, fig, caption in items if fig is not None]


def _summary(r: ReportInput) -> list[Block]:
    return [Html(tables.key_numbers(r.runs, r.labels))]


def _stages(r: ReportInput) -> list[Block]:
    return _charts(
        ("stages", stages.stage_timeline(r.runs, r.labels),
         "Customs delay: first day a shipment is held beyond normal clearance; spares "
         "depleted: first day a pool of a part has no spare while machines wait for it; hashrate "
         f"decline: first day {DECLINE_DEFINITION}. "
         f"Days are given when the stage happens on {DAYS_SHOWN}."),
        ("first-to-break", stages.first_to_break(r.runs, r.labels),
         "Ties split equally; the bars of a scenario sum to the share of paths with any "
         "stock-out."),
    )  # fmt: skip


def _operations(r: ReportInput) -> list[Block]:
    # a run read back from its JSON has the p5/p50/p95 bands only
    inner = all("p25" in series(run, "hashrate_ths") for run in r.runs)
    bands = "Outer band p5–p95, inner band p25–p75" if inner else "Band p5–p95"
    return _charts(
        ("hashrate", fans.hashrate_fan(r.runs, r.labels),
         f"{bands}, line the median over paths; dotted lines mark the stages' median "
         "days."),
        ("availability", fans.availability_fan(r.runs, r.labels),
         "Delivered hashrate over the nameplate of the machines installed that day."
         + (f" {off}." if (off := switched_off_note(r.runs, r.labels)) else "")),
    )  # fmt: skip


def _spares(r: ReportInput) -> list[Block]:
    return _charts(*(
        (f"spares-{i}", fans.spares_fans(run, label, hue),
         "Spares on the shelf, summed over all pools of a part type; the dotted line marks "
         "its median stock-out day. As the chart's subtitle says, one pool empty while "
         "machines wait is a stock-out, so a part can stock out with spares left at other "
         "sites or for other models.")
        for i, (run, label, hue) in enumerate(zip(r.runs, r.labels, run_hues(r.runs), strict=True))
    ))  # fmt: skip


def _down(r: ReportInput) -> list[Block]:
    return _charts((
        "machines-down", fans.machines_down_fans(r.runs, r.labels),
        f"Machines not mining, summed over the fleet. {DOWN_CAUSE_DEFINITIONS[0].upper()}"
        f"{DOWN_CAUSE_DEFINITIONS[1:]}. A hold or a remote disable that starts on a random "
        "day is down on few paths on any one day: look at the upper band, not the median.",
    ))  # fmt: skip


def _money(r: ReportInput) -> list[Block]:
    blocks: list[Block] = []
    table = tables.money_table(r.runs, r.labels)
    if table:
        blocks.append(Html(table))
        # What the table alone would let a reader misread, as the terminal says it.
        blocks += [Html(f'<p class="note">{_with_code(escape(note))}</p>')
                   for note in money_notes(r.runs, r.labels)]  # fmt: skip
    blocks += _charts(
        ("cash", fans.cash_fan(r.runs, r.labels), "Cash after every flow, day by day."),
        ("revenue", money.revenue_fan(r.runs, r.labels), "Mining revenue summed from day 0."),
        ("ebitda", money.ebitda_fan(r.runs, r.labels),
         "Revenue less power, repairs, parts, customs storage and overhead, summed from day 0."),
        ("covenants", money.covenant_breach(r.runs, r.labels),
         "Share of paths on which each covenant (or BTC-pledge margin call) is breached at "
         "least once, with its 95% Wilson interval."),
        ("breach-days", money.breach_days(r.runs, r.labels),
         "Distribution function of the first breach day: the share of paths breached by "
         "each week."),
    )  # fmt: skip
    return blocks


def _with_code(html: str) -> str:
    """Text between backticks (a command) set as code, as the terminal's notes write it."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html)


def _scenarios(r: ReportInput) -> list[Block]:
    said = (
        "Compared scenarios share their random numbers: the same failures and price paths, "
        "so the gaps are the shock's, not noise." if drawn_together(r.runs) else
        "These runs differ in fleet, seed or settings (see each manifest): the gaps between "
        "their lines mix the scenarios' effects with Monte Carlo noise and their other "
        "inputs. Each run's own gap to baseline (below) is on its own paths."
    )  # fmt: skip
    charts = _charts(
        ("overlay-hashrate", overlay.hashrate_overlay(r.runs, r.labels), ""),
        ("overlay-availability", overlay.availability_overlay(r.runs, r.labels), ""),
        ("hashrate-lost", overlay.hashrate_lost(r.runs, r.labels),
         "Baseline's hashrate minus the scenario's on the same path (common random numbers)."),
        ("cash-gap", overlay.cash_gap(r.runs, r.labels),
         "The scenario's cash minus baseline's on the same path: below zero, the scenario "
         "has less cash (a cancelled or delayed order, not yet paid, puts it above)."),
    )  # fmt: skip
    return [Html(f'<p class="intro">{escape(said)}</p>'), *charts] if charts else []


def _manifest(r: ReportInput) -> list[Block]:
    return [Html(tables.manifest_table(run, label))
            for run, label in zip(r.runs, r.labels, strict=True)]  # fmt: skip


for _section in (
    Section("summary", "Key numbers", 10, _of_runs(_summary)),
    Section("sweep", "Sensitivity", 5, sweep.blocks,
            "Every point ran on the same paths and seed (common random numbers): most of the "
            "noise cancels between points, not all — once two points' states differ their "
            "draws part, so differences of a few hundredths of a point can be noise."),
    Section("optimise", "Spares: availability versus budget", 6, decide.optimise_blocks),
    Section("strategies", "Strategies against doing nothing", 7, decide.strategies_blocks),
    Section("stages", "What breaks first, and when", 20, _of_runs(_stages)),
    Section("operations", "Hashrate and availability", 30, _of_runs(_operations)),
    Section("spares", "Spares on hand", 40, _of_runs(_spares)),
    Section("machines-down", "Machines down", 45, _of_runs(_down)),
    Section("money", "Money", 50, _of_runs(_money)),
    Section("scenarios", "Scenarios against baseline", 60, _of_runs(_scenarios)),
    Section("industry-us", "The US industry: hashrate and share", 70, industry_sections.US,
            "Scenarios share their random numbers: the gaps to baseline are the shock's."),
    Section("industry-supply", "New and used machines", 72, industry_sections.SUPPLY),
    Section("industry-breaks", "Who breaks first", 74, industry_sections.BREAKS,
            "Financial: a covenant breach or cash below zero; operational: delivered "
            f"{DECLINE_SHORT.removeprefix('hashrate ')}: {DECLINE_DEFINITION}."),
    Section("industry-groups", "Operators and classes", 76, industry_sections.GROUPS),
    Section("industry-lender", "The lender", 78, industry_sections.LENDER),
    Section("manifest", "Manifest: what reproduces these numbers", 90, _of_runs(_manifest)),
    Section("industry-manifest", "Manifest: what reproduces these numbers", 91,
            industry_sections.MANIFEST),
):  # fmt: skip
    register_section(_section)


def figures(report: ReportInput) -> list[Chart]:
    """Every chart of the report, in page order."""
    return [b for _, blocks in build(report) for b in blocks if isinstance(b, Chart)]
