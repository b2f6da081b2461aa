"""``hashshock scan`` and ``hashshock audit``: add them to an app with :func:`register`.

Bad input exits with code 2 and one line on stderr (``error: ...``); a scan
that finds no machine of a catalogue model writes the inventory but no fleet
file and exits with code 1, as does an audit whose ``--scenario-out`` would have no
event (the report is printed, no scenario written); an interrupted scan writes
nothing (code 130).

This module is imported by ``hashshock --help``, so it imports only typer, rich,
the standard library and light hashshock modules at top level: the scanner
(:mod:`hashshock.scan`, pyasic, httpx) and the fleet models load when a command runs;
the option defaults come from the scanner's light modules.
"""

from __future__ import annotations

import json
import math
import shutil
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from typer._click.formatting import HelpFormatter
from typer.core import MARKUP_MODE_KEY, TyperCommand

from hashshock.cli.common import error_exit, warn_all, wrap_cells
from hashshock.inputs.errors import InputError
from hashshock.outputs import (
    YAML_SUFFIXES,
    check_distinct_outputs,
    check_output,
    check_replaceable,
    no_folder,
)
from hashshock.scan.credentials import ENV_PASSWORD, ENV_USER
from hashshock.scan.records import DEFAULT_ASSUMED_AGE_DAYS, latest_scans, repeated_machines
from hashshock.scan.targets import DEFAULT_MAX_HOSTS, MOST_HOSTS
from hashshock.words import counted

if TYPE_CHECKING:
    from typer._click.core import Context

    from hashshock.inputs.catalog import Catalog
    from hashshock.scan.fleetfile import InstallDates, MergeResult, ScannedCohort
    from hashshock.scan.records import MachineRecord


#: A scan that could take longer than this, seconds, says so before it starts.
LONG_SCAN_S = 60.0


def _note_long_scan(hosts: int, concurrency: int, timeout_s: float) -> None:
    """Say before a scan starts how long it may take when no address answers (each host
    has ``timeout_s``, ``concurrency`` at once): a /16 of silent addresses runs for hours
    at the defaults, and nothing said so."""
    worst = math.ceil(hosts / concurrency) * timeout_s
    if worst <= LONG_SCAN_S:
        return
    took = f"{worst / 3600:,.1f} h" if worst >= 3600 else f"{worst / 60:,.0f} min"
    typer.echo(
        f"note: {hosts:,} addresses, {concurrency} at a time, up to {timeout_s:g} s each: "
        f"up to about {took} if few answer (Ctrl-C stops it, nothing written; a smaller "
        "range or a larger --concurrency is quicker)", err=True,
    )  # fmt: skip


def _date(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(None, option, f"{text!r} is not a date", "write YYYY-MM-DD") from None


def default_inventory_path(out: Path) -> Path:
    """``fleet.yaml`` → ``fleet.inventory.csv`` next to it."""
    return out.with_name(f"{out.stem}.inventory.csv")


def _outputs(out: Path, named: Path | None, json_out: str | None) -> tuple[Path, bool]:
    """Where the inventory goes and whether an earlier inventory there is merged; refuses
    outputs that are one file, and an inventory or a JSON file over a file of another kind."""
    from hashshock.scan.inventory import looks_like_inventory

    path = named or default_inventory_path(out)
    check_output(json_out, "--json")  # before the scan: a bad path would lose its JSON
    check_distinct_outputs(("--out", out), ("--inventory", path), ("--json", json_out))
    if out.parent.is_dir():  # (a missing folder is said below, as --out's)
        # a fleet file made read-only is kept, as every output; a package.json is no fleet
        check_output(out, "--out", suffixes=YAML_SUFFIXES)
    if path.parent.is_dir() or named is not None:
        check_output(path, "--inventory")
    check_replaceable(path, "--inventory", "a hashshock inventory", looks_like_inventory)
    merge = looks_like_inventory(path)
    if merge:  # its rows read now: a bad cell found after a long scan lost the scan
        from hashshock.scan.inventory import read_inventory

        read_inventory(path)
    return path, merge


def _catalog_for(existing: dict[str, Any] | None, out: Path) -> Catalog:
    from hashshock.inputs.catalog import bundled_catalog, load_catalog

    extra = (existing or {}).get("catalog")
    return load_catalog(out.parent / str(extra)) if extra else bundled_catalog()


@contextmanager
def _progress(enabled: bool, total: int) -> Iterator[Callable[[MachineRecord], None]]:
    console = Console(emoji=False, stderr=True)
    if not enabled or not console.is_terminal:
        yield lambda _rec: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("scanning"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("scan", total=total)
        yield lambda _rec: bar.advance(task)


#: Statuses of a miner identified but not read: counted in no cohort, said in the header.
_UNREAD = ("timeout", "error", "no-data")


def left_out(records: Sequence[MachineRecord]) -> dict[tuple[str, str], list[str]]:
    """The miners a fleet file counts in no cohort though the scan found them, by
    (status, model as reported): models not in the catalogue, and miners identified whose
    status was not read (a hung status call): the IPs of each."""
    out: dict[tuple[str, str], list[str]] = {}
    for rec in records:
        unread = rec.status in _UNREAD and bool(rec.model or rec.make)
        if rec.status == "unknown-model" or unread:
            out.setdefault((rec.status, rec.model or rec.make or "unknown"), []).append(rec.ip)
    return out


def _header(
    site: str, cohorts: Sequence[ScannedCohort], dates: InstallDates, inventory: Path,
    records: list[MachineRecord], merged: MergeResult | None, prune: bool,
) -> list[str]:  # fmt: skip
    """The comment lines on top of the fleet file; ``merged`` is the merge's result when
    the scan was merged into an existing file (``None`` for a new file)."""
    from hashshock.scan.yamlfile import SCAN_HEADER_END

    machines = counted(sum(c.count for c in cohorts), "machine")
    found = f"site {site}: {machines} of catalogue models in {counted(len(cohorts), 'cohort')}"
    if merged is None:
        first = f"Fleet file written by `hashshock scan` on {dates.scan_date} ({found})."
    elif prune:
        first = (
            f"Merged with `hashshock scan --prune` on {dates.scan_date} ({found} scanned); "
            "the site's counts follow the scan, models it did not see were removed."
        )
    else:
        first = (f"Merged with `hashshock scan` on {dates.scan_date} ({found} scanned); counts "
                 "the scan did not see are kept.")  # fmt: skip
    lines = [first]
    if merged is None or merged.added_cohorts:
        lines.append(dates.explain() + ".")
    else:  # written anew, the header dropped what an earlier one said of the dates
        lines.append("Install dates are as the file had them: this merge set none (a date "
                     "an earlier scan assumed stays an assumption until you edit it).")  # fmt: skip
    lines += [
        "Machines found broken start the simulation in that state (`degraded`).",
        f"Per-machine inventory: {inventory.name}",
    ]
    for (status, model), ips in sorted(left_out(records).items()):
        shown = ", ".join(ips[:5]) + (", ..." if len(ips) > 5 else "")
        # as the miner sent it, escaped: a line break in it stays in the comment
        said = json.dumps(model)[1:-1]  # ASCII: YAML refuses some controls even in comments
        why = ("model not in the catalogue; add it to a models CSV named by `catalog:` and "
               "re-scan." if status == "unknown-model" else
               f"identified, but its status was not read ({status}); re-scan them, with a "
               "longer --timeout if they are slow.")  # fmt: skip
        lines.append(f"NOT IN COHORTS: {len(ips)} x '{said}' ({shown}): {why}")
    lines.append(f"{SCAN_HEADER_END}; your other comments and layout are kept.")
    return lines


_Targets = Annotated[
    list[str],
    typer.Argument(
        metavar="TARGETS",
        help="IPs, ranges (10.0.0.10-10.0.0.200 or 10.0.0.10-200) or CIDR subnets, "
        "IPv4 or IPv6 ([fd00::1]), several to an argument separated by commas",
        show_default=False,
    ),
]
_Out = Annotated[Path, typer.Option("--out", help="Fleet file to write or merge into")]
_Site = Annotated[str | None, typer.Option(help="Site of the scanned machines")]
_Inventory = Annotated[
    Path | None, typer.Option(help="Per-machine CSV (default: OUT name + .inventory.csv)")
]
_InstallDate = Annotated[
    str | None,
    typer.Option(
        metavar="YYYY-MM-DD", help="Install date of new cohorts (YYYY-MM-DD), not an assumed one"
    ),
]
_AgeDays = Annotated[
    int,
    typer.Option(
        min=0, max=36_500, help="Assumed age of new cohorts (days) without --install-date"
    ),
]
_Prune = Annotated[
    bool,
    typer.Option(
        help="The scan covered the whole site: lower its counts to what the scan saw and "
        "remove models it did not see (the previous file is kept as a backup)"
    ),
]
_Timeout = Annotated[float, typer.Option(min=1.0, max=600.0, help="Seconds per host, whole probe")]
_Concurrency = Annotated[int, typer.Option(min=1, max=1024, help="Hosts probed at once")]
_MaxHosts = Annotated[
    int, typer.Option(min=1, max=MOST_HOSTS, help="Refuse to scan more addresses")
]
_User = Annotated[str | None, typer.Option(help=f"Miner login (env {ENV_USER})")]
_Password = Annotated[
    str | None,
    typer.Option(help=f"Miner password, never shown or saved (env {ENV_PASSWORD})"),
]
_CheckLogin = Annotated[
    bool, typer.Option(help="Try the vendor's default web login once (read-only page)")
]
_CheckPrivileged = Annotated[
    bool, typer.Option(help="Ask the cgminer API if this host may write (a no-op command)")
]
_WebPort = Annotated[int, typer.Option(min=1, max=65535, help="Miner web port")]
_Json = Annotated[str | None, typer.Option("--json", help="Also write JSON (PATH or -)")]
_Progress = Annotated[bool, typer.Option(help="Show a progress bar")]


def scan_command(
    targets: _Targets,
    out: _Out,
    site: _Site = None,
    inventory: _Inventory = None,
    install_date: _InstallDate = None,
    assumed_age_days: _AgeDays = DEFAULT_ASSUMED_AGE_DAYS,
    prune: _Prune = False,
    timeout: _Timeout = 15.0,
    concurrency: _Concurrency = 32,
    max_hosts: _MaxHosts = DEFAULT_MAX_HOSTS,
    username: _User = None,
    password: _Password = None,
    check_default_login: _CheckLogin = True,
    check_privileged_api: _CheckPrivileged = True,
    web_port: _WebPort = 80,
    json_out: _Json = None,
    progress: _Progress = True,
) -> None:
    """Scan miners into a fleet file (cohorts by site x model) and a per-machine CSV.

    Merging into an existing fleet file only adds what the scan saw: counts above what
    it saw and models it did not see are kept and reported (--prune lowers and removes
    them). Comments and layout are kept; the previous file is kept as OUT.bak.
    """
    from hashshock.outputs import atomic_write_text, write_json
    from hashshock.scan.credentials import Credentials
    from hashshock.scan.fleetfile import (
        InstallDates,
        aggregate,
        check_fleet_file,
        choose_site,
        fleet_start,
        merge_scan,
    )
    from hashshock.scan.inventory import write_inventory
    from hashshock.scan.probe import ScanOptions, run_scan
    from hashshock.scan.render import print_scan, scan_json
    from hashshock.scan.targets import expand_targets
    from hashshock.scan.yamlfile import read_fleet_document, render_fleet_yaml, write_merged

    try:
        hosts = expand_targets(targets, max_hosts)
        dates = InstallDates(date.today(), _date(install_date, "--install-date"), assumed_age_days)
        check_fleet_file(out)
        document = read_fleet_document(out) if out.exists() else None
        existing = document.data if document is not None else None
        dates.check(fleet_start(existing, dates.scan_date))
        chosen_site = choose_site(existing, site)
        catalog = _catalog_for(existing, out)
        inv_path, merge_inv = _outputs(out, inventory, json_out)
        if not out.parent.is_dir():
            raise no_folder(out, out.parent, "--out")
    except InputError as exc:
        raise error_exit(exc) from None
    creds = Credentials.resolve(username, password)
    options = ScanOptions(
        timeout_s=timeout, concurrency=concurrency, credentials=creds, web_port=web_port,
        check_privileged_api=check_privileged_api, check_default_login=check_default_login,
        site=chosen_site,
    )  # fmt: skip
    _note_long_scan(len(hosts), concurrency, timeout)
    try:
        with _progress(progress, len(hosts)) as tick:
            records = run_scan(hosts, options, catalog, tick)
    except KeyboardInterrupt:
        typer.echo("scan interrupted: nothing written", err=True)
        raise typer.Exit(130) from None
    cohorts = aggregate(records)
    repeats = repeated_machines(records)
    notes: list[str] = [
        f"one machine (serial {serial}, MAC {mac}) answered at {', '.join(ips)}: counted once"
        for (serial, mac), ips in repeats.items()
    ]
    outputs = {"inventory": str(inv_path)}
    try:
        if cohorts:
            merged = merge_scan(existing, cohorts, chosen_site, dates, catalog, prune=prune,
                                path=out)  # fmt: skip
            if document is not None and not merged.changed:
                notes.append(f"{out}: no change (the scan adds nothing to it); not written")
            else:
                header = _header(chosen_site, cohorts, dates, inv_path, records,
                                 merged if document is not None else None, prune)  # fmt: skip
                text = render_fleet_yaml(merged.data, header, document)
                if document is None:  # another scan may have made it meanwhile: kept
                    atomic_write_text(out, text, "--out", "run this scan again: it then "
                                      "merges into that file")  # fmt: skip
                    notes.append(f"{out}: written")
                else:
                    backup = write_merged(document, text)
                    outputs["backup"] = str(backup)
                    notes.append(f"{out}: updated; the previous version is kept in {backup}")
                outputs["fleet"] = str(out)
                notes += [f"changed: {line}" for line in merged.changes]
                if merged.added_cohorts:
                    notes.append(dates.explain())
            notes += [f"kept: {line}" for line in merged.kept]
        else:
            unread = sum(len(ips) for (status, _), ips in left_out(records).items()
                         if status in _UNREAD)  # fmt: skip
            said = f" ({counted(unread, 'miner')} identified but not read)" if unread else ""
            notes.append(f"no machine of a catalogue model found{said}: {out} not written")
        rows = write_inventory(inv_path, records, merge_inv)
        notes.append(f"inventory: {counted(rows, 'row')} in {inv_path}")
        if json_out is not None:
            write_json(scan_json(records, cohorts, notes, outputs), json_out)
    except InputError as exc:
        raise error_exit(exc) from None
    if json_out != "-":
        print_scan(Console(emoji=False), records, cohorts, notes)
    if not cohorts:
        raise typer.Exit(1)
    # What `hashshock validate` of the fleet would say (an install date before the model's
    # release, say): said now, not at the first run.
    warn_all(merged.fleet.warnings)


_Source = Annotated[
    Path,
    typer.Argument(
        metavar="FLEET_OR_INVENTORY", help="Fleet YAML, or inventory CSV from `hashshock scan`"
    ),
]
_ScenarioOut = Annotated[
    Path | None,
    typer.Option(help="Write the remote-disable scenario YAML for `hashshock run --scenario`"),
]
_ScenarioName = Annotated[
    str | None,
    typer.Option(
        help="Scenario name (default: remote-disable-<fleet name>, or "
        "remote-disable-<file name> for an inventory)"
    ),
]
_Vendor = Annotated[
    list[str] | None,
    typer.Option(help="Vendor whose remote disable is assessed (repeat; default: all)"),
]
_Egress = Annotated[
    float,
    typer.Option(min=0.0, max=1.0, help="Share of machines behind egress filtering (assumption)"),
]
_StartDay = Annotated[int, typer.Option(min=0, help="Scenario: day the disable starts")]
_Duration = Annotated[int, typer.Option(min=1, help="Scenario: days it lasts")]
_Probability = Annotated[
    float, typer.Option(min=0.0, max=1.0, help="Scenario: chance it happens on a path")
]


#: CSV files hashshock reads elsewhere, told apart by their header: (columns, what it is).
_KNOWN_CSVS = (
    ({"machine", "part", "failure_date"}, "a repair log (input of `hashshock fit`)"),
    ({"part", "weibull_shape"}, "a failure-rates CSV (a fleet file's `failure_rates:`)"),
    ({"model", "count", "site", "install_date"}, "a cohorts CSV (a fleet file's `cohorts_csv:`)"),
    ({"slug", "hashrate_ths", "power_w"}, "a models CSV (a fleet file's `catalog:`)"),
)


def _other_csv(source: Path) -> InputError | None:
    """The error for a CSV that is not a scan inventory (saying what it looks like), or
    None if ``source`` does not look like a CSV (it is then read as a fleet YAML)."""
    import csv

    try:
        with source.open(newline="", encoding="utf-8-sig") as handle:
            header = [h.strip() for h in next(csv.reader(handle), [])]
    except (OSError, UnicodeDecodeError, csv.Error):
        return None
    suffix = source.suffix.lower()
    is_csv = suffix in {".csv", ".tsv", ".txt"} or (
        suffix not in {".yaml", ".yml"}
        and len(header) >= 2
        and not header[0].startswith("#")
        and not any(":" in h for h in header)
    )
    if not is_csv:
        return None
    names = set(header)
    what = next((text for columns, text in _KNOWN_CSVS if columns <= names), None)
    if what is None:
        shown = ", ".join(h for h in header[:6] if h) + (", ..." if len(header) > 6 else "")
        what = f"a CSV with columns {shown}" if shown else "an empty CSV"
    return InputError(
        source, None, f"is {what}, not a scan inventory",
        "audit takes a fleet YAML file or the inventory CSV `hashshock scan` writes "
        "(FLEET.inventory.csv, with columns ip, status, slug, privileged_api, ...)",
    )  # fmt: skip


def _no_scenario_note(path: Path) -> str:
    """The note for a ``--scenario-out`` that is not written: no event to put in it."""
    there = "the file there is left as it was" if path.exists() else "no file created"
    return (
        f"no scenario written to {path}: no vendor assessed could stop a machine (see the "
        f"notes above), so it would have no event; {there}"
    )


def audit_command(
    source: _Source,
    json_out: _Json = None,
    scenario_out: _ScenarioOut = None,
    scenario_name: _ScenarioName = None,
    vendor: _Vendor = None,
    egress_filtered: _Egress = 0.0,
    start_day: _StartDay = 30,
    duration_days: _Duration = 14,
    probability: _Probability = 1.0,
) -> None:
    """Audit vendor concentration, firmware and management exposure, and remote-disable risk.

    --scenario-out writes a remote-disable scenario for `hashshock run`; if no vendor
    assessed could stop a machine, no scenario is written and the exit code is 1.
    """
    import yaml

    from hashshock.inputs.catalog import vendor_defaults
    from hashshock.inputs.load import load_fleet
    from hashshock.outputs import write_json, write_keeping_previous
    from hashshock.scan.exposure import (
        audit,
        blast_scenario,
        check_scenario_options,
        looks_like_scenario,
        units_from_fleet,
        units_from_inventory,
    )
    from hashshock.scan.inventory import looks_like_inventory, read_inventory
    from hashshock.scan.render import audit_json, print_audit

    try:
        check_output(scenario_out, "--scenario-out", [source], YAML_SUFFIXES)
        check_output(json_out, "--json", [source])
        check_distinct_outputs(("--scenario-out", scenario_out), ("--json", json_out))
        name = scenario_name or default_scenario_name(source)
        if scenario_out is not None:  # a scenario run would refuse is not written
            check_scenario_options(name, start_day, duration_days)
            check_replaceable(scenario_out, "--scenario-out", "a hashshock scenario file",
                              looks_like_scenario)  # fmt: skip
        earlier_rows = 0
        if looks_like_inventory(source):
            records = read_inventory(source)
            earlier_rows = len(records) - len(latest_scans(records))
            units, kind = units_from_inventory(records), "inventory"
        else:
            not_a_fleet = _other_csv(source)
            if not_a_fleet is not None:
                raise not_a_fleet
            fleet = load_fleet(source)
            units, kind = units_from_fleet(fleet), "fleet"
            if scenario_name is None:  # the fleet's own name: three examples are fleet.yaml
                name = f"remote-disable-{fleet.fleet.name}"
        if not units:
            raise InputError(source, None, "no machines to audit", "scan some miners first")
        present = {u.vendor for u in units} | set(vendor_defaults())
        for asked in vendor or []:
            if asked not in present:
                raise InputError(None, "--vendor", f"unknown vendor '{asked}'",
                                 f"use one of {', '.join(sorted(present))}")  # fmt: skip
        report = audit(units, source.name, kind, vendor, egress_filtered)
        if earlier_rows:
            report.notes.append(
                f"{counted(earlier_rows, 'row')} of earlier scans of the same addresses set "
                "aside: each address is audited at its latest scan"
            )
        scenario = None
        if scenario_out is not None:
            scenario, skipped = blast_scenario(report, name, start_day, duration_days, probability)
            report.notes.extend(skipped)
            if scenario["events"]:
                text = yaml.safe_dump(scenario, sort_keys=False, allow_unicode=True)
                kept = write_keeping_previous(scenario_out, text, "--scenario-out")
                report.notes.append(f"scenario written: {scenario_out}" + (
                    f" (the previous file kept as {kept})" if kept else ""))  # fmt: skip
            else:
                scenario = None
                report.notes.append(_no_scenario_note(scenario_out))
        if json_out is not None:
            write_json(audit_json(report, scenario), json_out)
    except InputError as exc:
        raise error_exit(exc) from None
    if json_out != "-":
        print_audit(Console(emoji=False), report)
    if scenario_out is not None and scenario is None:
        raise typer.Exit(1)


#: Narrower than this (columns), typer's help panels cut long option names such as
#: ``--check-default-login / --no-check-default-login``; the plain layout is used instead.
RICH_HELP_MIN_COLUMNS = 120


def default_scenario_name(source: Path) -> str:
    """``remote-disable-<fleet>``: the file's name without its suffix and the scanner's
    ``.inventory`` (``fleet.inventory.csv`` → ``remote-disable-fleet``): the name heads
    every run table of the scenario. A fleet file's scenario takes the fleet's name."""
    stem = source.stem.removesuffix(".inventory") or source.stem
    return f"remote-disable-{stem}"


def _wrap(text: str, width: int, indent: str) -> list[str]:
    """Paragraphs of ``text`` wrapped at spaces only: an option name is never split at
    its hyphens, and a word longer than the line stays whole."""
    lines: list[str] = []
    for paragraph in text.split("\n\n"):
        if lines:
            lines.append("")
        words = " ".join(paragraph.split())
        lines += wrap_cells(words, max(width, 20), len(indent), len(indent)) if words else [""]
    return lines


class _WholeWordsFormatter(HelpFormatter):
    """click's help formatter, wrapping at spaces only (see :func:`_wrap`)."""

    def write_text(self, text: str) -> None:
        self.write("\n".join(_wrap(text, self.width, " " * self.current_indent)) + "\n")

    def write_dl(
        self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2
    ) -> None:
        first_col = min(max((len(first) for first, _ in rows), default=0), col_max) + col_spacing
        for first, second in rows:
            self.write(f"{'':>{self.current_indent}}{first}")
            if not second:
                self.write("\n")
                continue
            column = first_col + self.current_indent
            lines = _wrap(second, self.width - column, "")
            if len(first) <= first_col - col_spacing:
                self.write(" " * (first_col - len(first)) + lines[0] + "\n")
                lines = lines[1:]
            else:
                self.write("\n")
            for line in lines:
                self.write(f"{'':>{column}}{line}\n")


class FoldingHelpCommand(TyperCommand):
    """A command whose ``--help`` never cuts an option name: typer's panels where the
    terminal is wide enough (:data:`RICH_HELP_MIN_COLUMNS`), else click's plain layout
    (long option names on a line of their own, help wrapped under them at spaces)."""

    def format_help(self, ctx: Context, formatter: HelpFormatter) -> None:
        if shutil.get_terminal_size().columns >= RICH_HELP_MIN_COLUMNS:
            super().format_help(ctx, formatter)
            return
        ctx.ensure_object(dict)
        if isinstance(ctx.obj, dict):
            ctx.obj[MARKUP_MODE_KEY] = None  # what typer does without rich: plain text
        plain = _WholeWordsFormatter(width=formatter.width)
        super(TyperCommand, self).format_help(ctx, plain)
        formatter.write(plain.getvalue())


def register(app: typer.Typer) -> None:
    """Add ``scan`` and ``audit`` to ``app``."""
    app.command("scan", cls=FoldingHelpCommand)(scan_command)
    app.command("audit", cls=FoldingHelpCommand)(audit_command)
