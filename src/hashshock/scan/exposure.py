"""Audit a fleet's exposure to its vendors (sources: FACTS.md §1.2, §5).

Works on a fleet file (models and counts only: firmware unknown, assumed
vendor stock) or on a scan inventory (measured hashrate, firmware, API and
web-login checks). Hashrates in TH/s, shares in [0, 1].

Blast radius of a vendor remote-disable [E] (FACTS.md §5.3): the vendor can
stop the machines it makes that run its own (or unknown) firmware, except
the share protected by egress filtering::

    stopped(v) = hashrate on vendor-v firmware x (1 - egress_filtered)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hashshock.dists import MAX_DELAY_DAYS
from hashshock.inputs.catalog import vendor_defaults
from hashshock.inputs.errors import InputError
from hashshock.inputs.load import LoadedFleet
from hashshock.inputs.scenario import Scenario
from hashshock.scan.issues import (
    EXPOSED_VERDICTS,
    IssueFinding,
    is_vendor_firmware,
    known_issues,
)
from hashshock.scan.records import MachineRecord, first_sightings, latest_scans
from hashshock.words import counted


@dataclass(frozen=True)
class Unit:
    """Identical machines, as the audit sees them (a cohort or one scanned machine)."""

    vendor: str
    family: str
    model: str
    firmware: str
    machines: int
    hashrate_ths: float
    ip: str = ""
    privileged_api: str = "not-checked"
    default_web_login: str = "not-checked"
    issues: tuple[IssueFinding, ...] = ()
    #: Whether a fleet file holds these machines (a catalogue model, read in full: what
    #: ``scan`` writes as cohorts), so that a scenario's event acts on them.
    in_fleet_file: bool = True


def units_from_fleet(loaded: LoadedFleet) -> list[Unit]:
    """One unit per cohort; hashrate = nameplate of running machines less dead boards."""
    units = []
    for cohort in loaded.fleet.cohorts:
        spec = loaded.catalog.get(cohort.model)
        down = sum(cohort.degraded.machines_down.values()) if cohort.degraded else 0
        dead = cohort.degraded.dead_hashboards if cohort.degraded else 0
        rate = spec.hashrate_ths * (cohort.count - down - dead / spec.hashboards)
        units.append(
            Unit(spec.vendor, spec.family, spec.slug, "unknown", cohort.count, max(0.0, rate))
        )
    return units


def units_from_inventory(records: Iterable[MachineRecord]) -> list[Unit]:
    """One unit per identified machine (once if it answered at several addresses), as
    its latest scan saw it (:func:`~hashshock.scan.records.latest_scans`: an inventory
    may hold a history); hashrate as measured (else expected)."""
    units = []
    for rec in first_sightings(latest_scans(records)):
        if not rec.is_machine:
            continue
        rate = rec.hashrate_ths if rec.hashrate_ths is not None else (rec.expected_ths or 0.0)
        issues = known_issues(rec.vendor, rec.model, rec.firmware, rec.fw_version)
        units.append(
            Unit(
                vendor=rec.vendor or "unknown",
                family=rec.family or f"unknown: {rec.model or rec.make or '?'}",
                model=rec.slug or rec.model,
                firmware=rec.firmware or "unknown",
                machines=1,
                hashrate_ths=max(0.0, rate),
                ip=rec.ip,
                privileged_api=rec.privileged_api,
                default_web_login=rec.default_web_login,
                issues=tuple(issues),
                in_fleet_file=rec.status == "ok" and bool(rec.slug),
            )
        )
    return units


@dataclass(frozen=True)
class Share:
    """Machines and hashrate of one group, with its share of the fleet's hashrate."""

    name: str
    machines: int
    hashrate_ths: float
    share: float


@dataclass(frozen=True)
class Exposure:
    """Machines hit by one finding, a few of their addresses, what to do, and why."""

    key: str
    title: str
    machines: int
    hashrate_ths: float
    share: float
    fix: str
    sources: str
    ips: tuple[str, ...] = ()


@dataclass(frozen=True)
class BlastRow:
    """Remote-disable blast radius for one vendor."""

    vendor: str
    machines: int
    on_vendor_firmware: int
    event_share: float  # share of the vendor's machines stopped (scenario ``share``)
    hashrate_stopped_ths: float
    fleet_share: float  # share of the fleet's hashrate stopped
    #: The scenario's ``share``: of the vendor's machines a fleet file holds (catalogue
    #: models; those of unknown models are not simulated, so not in the share).
    scenario_share: float = 0.0
    left_out: int = 0  # the vendor's machines the fleet file does not hold


@dataclass
class AuditReport:
    """Everything ``hashshock audit`` reports."""

    source: str
    kind: str  # "fleet" or "inventory"
    machines: int
    hashrate_ths: float
    by_vendor: list[Share]
    by_family: list[Share]
    vendor_hhi: float  # Herfindahl index of vendor hashrate shares, 0-1
    firmware: list[Share]  # name = "vendor / firmware"
    exposures: list[Exposure]
    blast: list[BlastRow]
    blast_total_share: float
    egress_filtered: float
    notes: list[str] = field(default_factory=list)


def _shares(units: Sequence[Unit], key: Callable[[Unit], str], total: float) -> list[Share]:
    groups: dict[str, list[Unit]] = defaultdict(list)
    for unit in units:
        groups[key(unit)].append(unit)
    out = [
        Share(
            name,
            sum(u.machines for u in members),
            sum(u.hashrate_ths for u in members),
            sum(u.hashrate_ths for u in members) / total if total else 0.0,
        )
        for name, members in groups.items()
    ]
    return sorted(out, key=lambda s: (-s.hashrate_ths, -s.machines, s.name))


def _exposure(units: list[Unit], total: float, **info: str) -> Exposure:
    rate = sum(u.hashrate_ths for u in units)
    ips = tuple(u.ip for u in units if u.ip)
    return Exposure(
        machines=sum(u.machines for u in units),
        hashrate_ths=rate,
        share=rate / total if total else 0.0,
        ips=ips,
        key=info["key"],
        title=info["title"],
        fix=info["fix"],
        sources=info["sources"],
    )


def _exposures(units: list[Unit], total: float, kind: str) -> list[Exposure]:
    out: list[Exposure] = []
    findings: dict[str, tuple[IssueFinding, list[Unit]]] = {}
    for unit in units:
        for finding in unit.issues:
            if finding.verdict in EXPOSED_VERDICTS:
                findings.setdefault(finding.key, (finding, []))[1].append(unit)
    for key, (finding, hit) in sorted(findings.items()):
        out.append(
            _exposure(hit, total, key=key, title=finding.title, fix=finding.fix,
                      sources=finding.sources)
        )  # fmt: skip
    if kind != "inventory":
        return out
    checks = (
        ("privileged_api", "privileged-api",
         "cgminer API accepts privileged (write) commands from the scanning host",
         "restrict write access with --api-allow W:<management subnet> (or firewall TCP 4028)",
         "FACTS.md §5.2 [S144], §5.3 [S144][S147]"),
        ("default_web_login", "default-web-login",
         "web interface accepts the vendor's default login",
         "change the web password; keep management interfaces off public networks",
         "FACTS.md §5.2 [S145], §5.3 [S147]"),
    )  # fmt: skip
    for attr, key, title, fix, sources in checks:
        hit = [u for u in units if getattr(u, attr) == "accepted"]
        if hit:
            out.append(_exposure(hit, total, key=key, title=title, fix=fix, sources=sources))
    return out


def _blast(
    units: list[Unit], total: float, vendors: Sequence[str] | None, egress: float
) -> list[BlastRow]:
    chosen = list(vendors) if vendors else sorted({u.vendor for u in units})
    rows = []
    for vendor in chosen:
        mine = [u for u in units if u.vendor == vendor]
        machines = sum(u.machines for u in mine)
        exposed = [u for u in mine if is_vendor_firmware(u.firmware)]
        on_fw = sum(u.machines for u in exposed)
        stopped = sum(u.hashrate_ths for u in exposed) * (1.0 - egress)
        held = sum(u.machines for u in mine if u.in_fleet_file)
        held_on_fw = sum(u.machines for u in exposed if u.in_fleet_file)
        rows.append(
            BlastRow(
                vendor=vendor,
                machines=machines,
                on_vendor_firmware=on_fw,
                event_share=_share(on_fw, machines, egress),
                hashrate_stopped_ths=stopped,
                fleet_share=stopped / total if total else 0.0,
                scenario_share=_share(held_on_fw, held, egress),
                left_out=machines - held,
            )
        )
    return rows


def _share(on_vendor_firmware: int, machines: int, egress: float) -> float:
    """The share of ``machines`` a vendor's disable stops: on its firmware, not filtered."""
    return on_vendor_firmware / machines * (1.0 - egress) if machines else 0.0


def audit(
    units: list[Unit],
    source: str,
    kind: str,
    vendors: Sequence[str] | None = None,
    egress_filtered: float = 0.0,
) -> AuditReport:
    """Concentration, firmware and management exposure, and the remote-disable blast radius.

    ``vendors``: vendors whose remote disable is assessed (default: all in the
    fleet). ``egress_filtered``: share of machines whose outbound traffic is
    filtered, assumed out of the vendor's reach [E].
    """
    total = sum(u.hashrate_ths for u in units)
    by_vendor = _shares(units, lambda u: u.vendor, total)
    blast = _blast(units, total, vendors, egress_filtered)
    notes = []
    if kind == "fleet":
        notes.append(
            "fleet files carry no firmware: all machines are assumed to run vendor stock firmware "
            "(worst case); audit a scan inventory for measured firmware and management checks"
        )
    notes.append(
        "blast radius assumes the vendor can stop only machines on its own (or unknown) "
        f"firmware, less the {egress_filtered:.0%} behind egress filtering [E] (FACTS.md §5.3)"
    )
    return AuditReport(
        source=source,
        kind=kind,
        machines=sum(u.machines for u in units),
        hashrate_ths=total,
        by_vendor=by_vendor,
        by_family=_shares(units, lambda u: u.family, total),
        vendor_hhi=sum(s.share**2 for s in by_vendor),
        firmware=_shares(units, lambda u: f"{u.vendor} / {u.firmware}", total),
        exposures=_exposures(units, total, kind),
        blast=blast,
        blast_total_share=sum(row.fleet_share for row in blast),
        egress_filtered=egress_filtered,
        notes=notes,
    )


def _why_nothing_stops(row: BlastRow, report: AuditReport) -> str:
    """Why a remote disable by ``row.vendor`` stops no machine (``row.event_share`` is 0)."""
    if not row.machines:
        return f"no machines of this vendor in {report.source}"
    if not row.on_vendor_firmware:
        return (
            f"no machine on vendor firmware ({counted(row.machines, 'machine')}, all on "
            "third-party firmware)"
        )
    return (
        f"{counted(row.on_vendor_firmware, 'machine')} on vendor firmware, all behind egress "
        f"filtering (--egress-filtered {report.egress_filtered:.0%}): share 0"
    )


def blast_scenario(
    report: AuditReport,
    name: str,
    start_day: int = 30,
    duration_days: int = 14,
    probability: float = 1.0,
) -> tuple[dict[str, Any], list[str]]:
    """A ``remote_disable`` scenario mapping (one event per vendor) and notes on skipped vendors,
    each naming why it is skipped.

    The mapping validates as a :class:`~hashshock.inputs.scenario.Scenario`; its ``events``
    is empty when no vendor assessed could stop a machine (``hashshock audit`` then writes
    no scenario file).
    """
    known, notes, events = vendor_defaults(), [], []
    hit = [row for row in report.blast if row.scenario_share > 0]
    for row in report.blast:
        if row.scenario_share <= 0:
            why = (_why_nothing_stops(row, report) if row.event_share <= 0 else
                   "only machines of models the fleet file does not hold (unknown models) "
                   "are on its firmware")  # fmt: skip
            notes.append(f"{row.vendor}: {why}, no event")
        elif row.vendor not in known:
            notes.append(f"{row.vendor}: not a vendor the simulator knows, no event")
        elif row.left_out:
            notes.append(f"{row.vendor}: the event's share {row.scenario_share:.1%} is of the "
                         "machines the fleet file holds; its machines of unknown models "
                         f"({counted(row.left_out, 'machine')}) are not simulated")  # fmt: skip
    for row in hit:
        if row.vendor not in known:
            continue
        event: dict[str, Any] = {
            "type": "remote_disable",
            "name": f"{row.vendor} remote disable",
            "vendors": [row.vendor],
            "share": round(row.scenario_share, 4),
            "start_day": start_day,
            "duration_days": duration_days,
            "probability": probability,
        }
        if len(hit) > 1:
            event["group"] = "remote-disable"
        events.append(event)
    data: dict[str, Any] = {
        "name": name,
        "description": (
            f"Vendor remote disable for {report.source}: stops "
            + ", ".join(f"{e['share']:.1%} of {e['vendors'][0]}'s machines" for e in events)
            + " (on the vendor's firmware, less egress-filtered ones; the audit's blast "
            f"radius: {report.blast_total_share:.1%} of the audited hashrate)"
        ),
        "sources": ["FACTS.md §5.1 (Antbleed remote shutdown)", "FACTS.md §5.3 [E] blast radius"],
        "events": events,
    }
    Scenario.model_validate(data)
    return data, notes


#: The no-shock reference every scenario is measured against: `hashshock run` refuses a
#: scenario of this name that has events. (:data:`hashshock.prepare.BASELINE`, spelled here
#: because that module loads the engine; tests/scan/test_audit_outputs.py keeps them equal.)
BASELINE = "baseline"


def check_scenario_options(name: str, start_day: int, duration_days: int) -> None:
    """Refuse, before the audit, a remote-disable scenario that could not be written or
    that `hashshock run` would refuse: a start or duration beyond the days a scenario file
    allows (:data:`~hashshock.dists.MAX_DELAY_DAYS`), a blank name, or the reserved name
    :data:`BASELINE`. The messages name the options of `hashshock audit`."""
    for option, days in (("--start-day", start_day), ("--duration-days", duration_days)):
        if days > MAX_DELAY_DAYS:
            raise InputError(
                None, option, f"{days} days is more than a scenario file allows "
                f"({MAX_DELAY_DAYS})", f"give at most {MAX_DELAY_DAYS} days",
            )  # fmt: skip
    default = "leave the option out for remote-disable-<fleet or file name>"
    if not name.strip():
        raise InputError(None, "--scenario-name", "is empty", f"give a name, or {default}")
    if name == BASELINE:
        raise InputError(
            None, "--scenario-name", f"{BASELINE} is the no-shock reference every scenario "
            f"is measured against, and `hashshock run` refuses a {BASELINE} with events",
            f"give the scenario a name of its own, or {default}",
        )  # fmt: skip


def looks_like_scenario(path: Path) -> bool:
    """Whether ``path`` is a scenario YAML file: a mapping with a ``name`` and no field a
    scenario does not have (a fleet file has ``sites`` and ``cohorts``)."""
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return False
    return isinstance(data, dict) and "name" in data and set(data) <= set(Scenario.model_fields)
