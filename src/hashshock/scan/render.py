"""Terminal tables (rich) and JSON documents for ``hashshock scan`` and ``hashshock audit``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from rich import box
from rich.console import Console

from hashshock.cli.common import literal
from hashshock.cli.table import Table
from hashshock.scan.exposure import AuditReport, Share
from hashshock.scan.fleetfile import ScannedCohort
from hashshock.scan.records import MachineRecord, first_sightings, record_to_json
from hashshock.words import counted

MAX_PROBLEM_ROWS = 25


def _num(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def status_counts(records: Sequence[MachineRecord]) -> dict[str, int]:
    """Hosts per status, most common first."""
    return dict(Counter(r.status for r in records).most_common())


def problems(records: Sequence[MachineRecord]) -> list[MachineRecord]:
    """Hosts worth a look: not a known model, not answering properly, or not healthy."""
    return [
        r for r in records
        if r.status not in {"ok", "no-miner"} or (r.is_machine and r.condition != "ok")
    ]  # fmt: skip


def _scan_table(title: str) -> Table:
    """A scan table that fits 80 columns: no outer border, columns two spaces apart."""
    return Table(title=title, box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)


def _cohort_table(
    cohorts: Sequence[ScannedCohort], rates: dict[tuple[str, str], list[MachineRecord]]
) -> Table:
    """Cohorts found, hashrates in TH/s. Site names and the counts are never cut; a column
    too narrow for a model name or a number folds it onto a second line (nothing is cut
    short), and headers and the parts down take one line each."""
    table = _scan_table("Cohorts (site x model)")
    table.add_column("site", no_wrap=True, overflow="fold")
    table.add_column("model", overflow="fold")
    table.add_column("machines", justify="right", no_wrap=True, overflow="fold")
    for col in ("TH/s\nnow", "TH/s\nexp.", "dead\nboards"):
        table.add_column(col, justify="right", overflow="fold")
    table.add_column("down", overflow="fold")
    for cohort in cohorts:
        members = rates.get((cohort.site, cohort.model), [])
        measured = sum(r.hashrate_ths or 0.0 for r in members)
        expected = sum(r.expected_ths or 0.0 for r in members)
        down = "\n".join(f"{n:,} {part}" for part, n in sorted(cohort.machines_down.items()))
        table.add_row(
            literal(cohort.site), literal(cohort.model), f"{cohort.count:,}", _num(measured),
            _num(expected), f"{cohort.dead_hashboards:,}", down or "-",
        )  # fmt: skip
    return table


def _problem_table(trouble: Sequence[MachineRecord]) -> Table:
    """Hosts needing attention. Address, status and condition are short and never cut;
    the message wraps between words (a word is folded only if it is wider than the column
    can be)."""
    table = _scan_table("Hosts needing attention")
    for col in ("ip", "status"):
        table.add_column(col, no_wrap=True, overflow="fold")
    table.add_column("model", overflow="fold")
    table.add_column("condition", no_wrap=True, overflow="fold")
    table.add_column("message", overflow="fold", ratio=1)
    for rec in trouble:
        cond = rec.condition if rec.is_machine else "-"
        # what a device reports is untrusted text: printed as written, never as markup
        table.add_row(*(literal(text) for text in (rec.ip, rec.status, rec.model or "-",
                                                   cond, rec.message or "-")))  # fmt: skip
    return table


def print_scan(
    console: Console,
    records: Sequence[MachineRecord],
    cohorts: Sequence[ScannedCohort],
    notes: Sequence[str],
) -> None:
    """Status counts, cohorts found, problem hosts and notes."""
    counts = ", ".join(f"{n:,} {status}" for status, n in status_counts(records).items())
    console.print(f"[bold]Scanned {counted(len(records), 'host')}[/bold]: {counts or 'none'}")
    rates: dict[tuple[str, str], list[MachineRecord]] = {}
    for rec in first_sightings(records):  # a machine at several addresses counts once
        if rec.status == "ok" and rec.slug:
            rates.setdefault((rec.site, rec.slug), []).append(rec)
    if cohorts:
        console.print(_cohort_table(cohorts, rates))
    trouble = problems(records)
    if trouble:
        console.print(_problem_table(trouble[:MAX_PROBLEM_ROWS]))
        if len(trouble) > MAX_PROBLEM_ROWS:
            console.print(f"... and {len(trouble) - MAX_PROBLEM_ROWS} more: see the inventory CSV")
    for note in notes:
        console.print(f"- {literal(note)}", highlight=False)


def scan_json(
    records: Sequence[MachineRecord],
    cohorts: Sequence[ScannedCohort],
    notes: Sequence[str],
    outputs: dict[str, str],
) -> dict[str, Any]:
    """The scan as a JSON-ready document (no credentials: records hold none)."""
    return {  # the keys of hashshock.outputs.OUTPUT_JSON_KEYS['scan']
        "hosts": len(records),
        "statuses": status_counts(records),
        "outputs": outputs,
        "cohorts": [asdict(c) for c in cohorts],
        "machines": [record_to_json(r) for r in records if r.status != "no-miner"],
        "notes": list(notes),
    }


def _hashrate_unit(total_ths: float) -> tuple[str, float]:
    """The audit's hashrate unit and its size in TH/s: PH/s from 10 PH/s up (a fleet's
    3,829,000.0 TH/s read badly beside its PH/s headline), else TH/s (a few scanned
    miners)."""
    return ("PH/s", 1e3) if total_ths >= 1e4 else ("TH/s", 1.0)


def _share_table(title: str, rows: Sequence[Share], unit: tuple[str, float]) -> Table:
    table = Table(title=title)
    table.add_column("name")
    for col in ("machines", unit[0], "share of hashrate"):
        table.add_column(col, justify="right")
    for row in rows:
        table.add_row(literal(row.name), f"{row.machines:,}", _num(row.hashrate_ths / unit[1]),
                      _pct(row.share))  # fmt: skip
    return table


def print_audit(console: Console, report: AuditReport) -> None:
    """The audit as terminal tables."""
    console.print(
        f"[bold]Audit of {literal(report.source)}[/bold] ({literal(report.kind)}): "
        f"{report.machines:,} machines, "
        f"{_num(report.hashrate_ths / 1e3)} PH/s; vendor concentration HHI "
        f"{report.vendor_hhi:.2f}"
    )
    unit = _hashrate_unit(report.hashrate_ths)
    console.print(_share_table("Hashrate by vendor", report.by_vendor, unit))
    console.print(_share_table("Hashrate by model family", report.by_family, unit))
    console.print(_share_table("Firmware (vendor / firmware)", report.firmware, unit))
    if report.exposures:
        # The numbers in a table, the words under it: four long texts side by side in
        # 80 columns broke every word of them.
        table = Table(title="Exposure findings")
        table.add_column("finding", no_wrap=True)
        table.add_column("machines", justify="right", no_wrap=True)
        table.add_column("share of hashrate", justify="right")
        table.add_column("source", overflow="fold")
        for exp in report.exposures:
            table.add_row(literal(exp.key), f"{exp.machines:,}", _pct(exp.share),
                          literal(exp.sources))  # fmt: skip
        console.print(table)
        for exp in report.exposures:
            console.print(f"[bold]{literal(exp.key)}[/bold]: {literal(exp.title)}; what to "
                          f"do: {literal(exp.fix)}", highlight=False)  # fmt: skip
    else:
        console.print("No known-issue or management exposure found.")
    table = Table(
        title=f"Remote-disable blast radius (egress filtered: {report.egress_filtered:.0%})"
    )
    for col in ("vendor", "machines", "on vendor firmware", "scenario share",
                f"{unit[0]} stopped", "share of fleet hashrate"):  # fmt: skip
        table.add_column(col, justify="left" if col == "vendor" else "right")
    for row in report.blast:
        table.add_row(
            literal(row.vendor), f"{row.machines:,}", f"{row.on_vendor_firmware:,}",
            _pct(row.scenario_share),  # the share the scenario file writes
            _num(row.hashrate_stopped_ths / unit[1]), _pct(row.fleet_share),
        )  # fmt: skip
    console.print(table)
    console.print(
        f"All assessed vendors at once: {_pct(report.blast_total_share)} of hashrate stopped"
    )
    for note in report.notes:
        console.print(f"- {literal(note)}", highlight=False)


def audit_json(report: AuditReport, scenario: dict[str, Any] | None) -> dict[str, Any]:
    """The audit as a JSON-ready document, with the scenario if one was built."""
    data = asdict(report)
    if scenario is not None:
        data["scenario"] = scenario
    return data
