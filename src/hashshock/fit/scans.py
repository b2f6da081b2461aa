"""Read a scan history (inventory CSVs written by ``hashshock scan``) into machine histories.

Each inventory row is one machine seen at ``scanned_at``. Rows of the same machine
(same serial, else MAC, else site and IP) across files and rows make its history:

* a machine is observed from the day of its first scan that shows its parts to the day
  of its last such scan: left truncation at the first scan (``observed_from``, as in a
  failure log), so the years between install and the first scan are not exposure, and
  the slots already down at the first scan — failed at unknown ages before it — are not
  counted as failures (docs/calibration.md, "Input 2: scan history").
* a failure of a hashboard (fan) is counted at every later scan where more hashboards
  (fans) are down than at the machine's previous scan, one per extra slot down. The
  true failure time lies between the two scans: this interval-censored datum is dated
  at the day halfway between them (midpoint imputation). Dating it at the later scan
  put every failure late and none in a machine's first days of observation, which with
  left truncation read as a hazard rising with age (k 1.75 for a true 1.5, monthly
  scans; tests/fit/test_fit_scans.py).
* a scan where the miner reports it is not mining, or where no hashboard works and no
  fan spins (a sleeping or curtailed miner), says nothing about its parts and is skipped.

Only hashboards and fans are observable; PSUs and control boards are not. A part that
fails and is repaired between two scans is not seen either (:func:`unseen_repairs_note`).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import pairwise
from pathlib import Path

from hashshock.fit.dates import check_not_future, parse_date
from hashshock.fit.history import MachineHistory
from hashshock.inputs.catalog import Catalog, ModelSpec, PartType
from hashshock.inputs.errors import InputError
from hashshock.scan.inventory import read_inventory
from hashshock.scan.records import MachineRecord
from hashshock.words import counted

#: Part types a scan can see (boards and fans working versus expected).
SCAN_PARTS: tuple[PartType, ...] = ("hashboard", "fan")
#: The inventory columns a fit reads: without one, every scan would read as telling
#: nothing of a part, or (a count's column renamed) its machines as never failing.
FIT_COLUMNS = ("scanned_at", "is_mining", "boards_expected", "boards_working",
               "fans_expected", "fans_working")  # fmt: skip


@dataclass
class _Seen:
    """The scans of one machine so far."""

    key: str
    model: ModelSpec
    where: tuple[Path, int]
    install: date | None = None
    install_where: tuple[Path, int] | None = None
    scans: list[tuple[datetime, MachineRecord]] = field(default_factory=list)


def _machine_key(rec: MachineRecord) -> str:
    if rec.serial:
        return f"serial {rec.serial}"
    if rec.mac:
        return f"mac {rec.mac.lower()}"
    return f"{rec.site or '-'}/{rec.ip}"


def _scan_time(rec: MachineRecord, path: Path, line: int) -> datetime:
    where = f"row {line}, scanned_at"
    if not rec.scanned_at:
        raise InputError(path, where, "empty", "keep the scan time hashshock scan wrote")
    try:
        when = datetime.fromisoformat(rec.scanned_at)
    except ValueError:
        day = parse_date(rec.scanned_at, path, where)
        return datetime(day.year, day.month, day.day)
    return when.astimezone(UTC).replace(tzinfo=None) if when.tzinfo else when


def _check_counts(rec: MachineRecord, path: Path, line: int) -> None:
    """No more fans working than expected: the inventory's reader refuses negative counts
    and more boards working than expected, but keeps more fans (a hydro machine's pumps
    report as fans, for the audit), which a fit would read as fans failed."""
    working, expected = rec.fans_working, rec.fans_expected
    if working is not None and expected is not None and working > expected:
        raise InputError(path, f"row {line}, fans_working",
                         f"{working} fans working but {expected} expected",
                         "keep the counts hashshock scan wrote")  # fmt: skip


def _down(rec: MachineRecord, part: PartType) -> int | None:
    """Slots of ``part`` down at this scan, or ``None`` if the scan does not tell."""
    if rec.is_mining is False:
        return None
    if rec.boards_working == 0 and rec.fans_working == 0:
        return None
    if part == "hashboard":
        if rec.boards_expected is None or rec.boards_working is None:
            return None
        return rec.dead_hashboards
    if rec.fans_expected is None or rec.fans_working is None:
        return None
    return rec.failed_fans


def _failures(scans: list[tuple[datetime, MachineRecord]], part: PartType
              ) -> list[tuple[date, float]]:  # fmt: skip
    """One date per extra slot down versus the previous informative scan, the day halfway
    between the two, with half the days between them (the failure lies within ± that);
    the first informative scan is the baseline (slots down then failed before
    observation)."""
    out: list[tuple[date, float]] = []
    before: tuple[date, int] | None = None
    for when, rec in scans:
        down = _down(rec, part)
        if down is None:
            continue
        day = when.date()
        if before is not None:
            since, down_before = before
            failed = (since + (day - since) / 2, (day - since).days / 2)
            out.extend([failed] * max(0, down - down_before))
        before = (day, down)
    return out


def _informative_days(scans: list[tuple[datetime, MachineRecord]]) -> list[date]:
    """The days of the scans (in time order) that show a part of the machine."""
    return [when.date() for when, rec in scans
            if any(_down(rec, part) is not None for part in SCAN_PARTS)]  # fmt: skip


def _part_window(scans: list[tuple[datetime, MachineRecord]], part: PartType
                 ) -> tuple[date, date] | None:  # fmt: skip
    """The days of the first and the last scan that read ``part``'s slots (``None``: no
    scan does)."""
    days = [when.date() for when, rec in scans if _down(rec, part) is not None]
    return (days[0], days[-1]) if days else None


def _window(scans: list[tuple[datetime, MachineRecord]]) -> tuple[date, date]:
    """The days of the first and the last scan that show a part: the observation window
    (a machine no scan shows is left out, :func:`read_scan_histories`)."""
    days = _informative_days(scans)
    return days[0], days[-1]


def unseen_repairs_note(gaps: Sequence[int]) -> str:
    """What scans cannot see, with the median of ``gaps`` (days between consecutive scans
    of one machine that show its parts): a part failed and repaired between two scans.

    A failed slot is seen only if it is still down at the next scan: with failed slots
    down D days and scans S days apart (D < S), about D/S of the failures are seen, so
    the fitted m₁ is about D/S of the true one (tests/fit/test_fit_scans.py)."""
    head = ("a part repaired before the next scan is never seen: if failed slots are back "
            "sooner than the next scan, the fitted rates are only about (days a failed slot "
            "stays down) ÷ (days between scans) of the true ones")  # fmt: skip
    if not gaps:
        return f"{head}; no machine was scanned twice, so no failure could be seen"
    median = statistics.median(gaps)
    seen = f" (3-day repairs: about {3 / median:.0%} of failures seen)" if median > 3 else ""
    return f"{head}; here a machine's scans are a median {median:g} days apart{seen}"


def read_scan_histories(
    paths: Sequence[Path],
    catalog: Catalog,
    as_of: date | None,
    today: date,
    install_date: date | None,
) -> tuple[list[MachineHistory], list[str]]:
    """Machine histories from inventory CSVs, and notes on what was left out.

    Install dates come from an ``install_date`` column, else ``install_date``
    (``--install-date``); a machine with neither raises :class:`InputError`.
    """
    reference = as_of or today
    seen: dict[str, _Seen] = {}
    skipped_status = skipped_model = 0
    for path in paths:
        records = read_inventory(path, FIT_COLUMNS, "a fit of failure rates")
        if not records:
            raise InputError(path, None, "has a header but no rows", "give a scan inventory")
        for line, rec in enumerate(records, start=2):
            if not rec.is_machine:
                skipped_status += 1
                continue
            if not rec.slug or rec.slug not in catalog.models:
                skipped_model += 1
                continue
            when = _scan_time(rec, path, line)
            _check_counts(rec, path, line)
            check_not_future(
                when.date(), reference, as_of is not None, path, f"row {line}, scanned_at"
            )
            key = _machine_key(rec)
            entry = seen.setdefault(key, _Seen(key, catalog.models[rec.slug], (path, line)))
            if entry.model.slug != rec.slug:
                raise InputError(
                    path, f"row {line}, slug",
                    f"{rec.slug} differs from {entry.model.slug} for {key} at row "
                    f"{entry.where[1]} of {entry.where[0]}",
                    "one serial (or MAC, or site and IP) must be one machine",
                )  # fmt: skip
            text = rec._extra.get("install_date", "")
            if text:
                where = f"row {line}, install_date"
                day = parse_date(text, path, where)
                check_not_future(day, reference, as_of is not None, path, where)
                if entry.install is not None and entry.install_where and entry.install != day:
                    other_path, other_line = entry.install_where
                    raise InputError(
                        path, where,
                        f"{day} differs from {entry.install} for {key} at row {other_line} "
                        f"of {other_path}",
                        "give one install date per machine",
                    )  # fmt: skip
                entry.install, entry.install_where = day, (path, line)
            entry.scans.append((when, rec))
    # a machine no scan shows the parts of (asleep, curtailed) is not observed at all
    shown = [entry for entry in seen.values() if _informative_days(entry.scans)]
    histories = [_history(entry, install_date) for entry in shown]
    gaps = [(b - a).days for entry in shown
            for a, b in pairwise(_informative_days(entry.scans))]  # fmt: skip
    notes = [unseen_repairs_note(gaps)]
    if len(shown) < len(seen):
        hidden = counted(len(seen) - len(shown), "machine")
        notes.append(f"{hidden} no scan shows the parts of (not mining, or no board working "
                     "and no fan spinning): left out")  # fmt: skip
    if skipped_status:
        notes.append(f"{skipped_status} inventory rows are not readable miners: left out")
    if skipped_model:
        notes.append(f"{skipped_model} inventory rows are of models not in the catalogue: left out")
    return histories, notes


def _history(entry: _Seen, install_date: date | None) -> MachineHistory:
    install = entry.install or install_date
    path, line = entry.where
    if install is None:
        raise InputError(
            path, f"row {line}, install_date", f"no install date for {entry.key}",
            "add an install_date column (YYYY-MM-DD) to the inventory, or pass --install-date",
        )  # fmt: skip
    entry.scans.sort(key=lambda scan: scan[0])
    first = entry.scans[0][0].date()
    if first < install:
        if entry.install_where is None:
            raise InputError(
                None, "--install-date",
                f"{install} is after the first scan of {entry.key} on {first} (row {line} of "
                f"{path})", "give a date on or before every machine's first scan",
            )  # fmt: skip
        raise InputError(
            entry.install_where[0], f"row {entry.install_where[1]}, install_date",
            f"{install} is after the first scan of {entry.key} on {first}",
            "give the day the machine was installed, on or before its first scan",
        )  # fmt: skip
    failures = {part: _failures(entry.scans, part) for part in SCAN_PARTS}
    start, end = _window(entry.scans)
    # a part is observed only by the scans that read it (pyasic may read a machine's fans
    # and not its boards): over the machine's window it would count as never failing
    windows = {part: _part_window(entry.scans, part) for part in SCAN_PARTS}
    return MachineHistory(
        machine=entry.key, model=entry.model, install=install, observed_from=start,
        observed_until=end, where=f"{path}: row {line}",
        failures={p: tuple(day for day, _ in d) for p, d in failures.items() if d},
        part_windows={p: w for p, w in windows.items() if w != (start, end)},
        failure_half_days={p: tuple(half for _, half in d) for p, d in failures.items() if d},
    )  # fmt: skip
