"""The per-machine inventory CSV (columns: :data:`INVENTORY_COLUMNS`, docs/scan.md).

One row per host that answered as, or like, a miner; hosts where nothing
listens (``no-miner``) are left out. A re-scan replaces the rows of the hosts
it scanned at its site and keeps all other rows.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import ipaddress
from collections.abc import Collection, Iterable
from pathlib import Path

from hashshock.inputs.errors import InputError, check_path_like
from hashshock.inputs.files import read_csv_rows
from hashshock.outputs import atomic_write_text
from hashshock.scan.issues import firmware_label
from hashshock.scan.records import (
    INVENTORY_COLUMNS,
    MachineRecord,
    record_from_row,
    record_to_row,
)

_SIGNATURE = {"ip", "status", "slug", "privileged_api"}


def looks_like_inventory(path: Path) -> bool:
    """Whether ``path`` is a CSV whose header is a hashshock inventory header (after a
    UTF-8 byte-order mark, which a spreadsheet may save, as every CSV reader allows)."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            header = next(csv.reader(handle), [])
    except (OSError, UnicodeDecodeError, csv.Error):
        return False
    return {h.strip() for h in header} >= _SIGNATURE


def read_inventory(path: str | Path, needed: Collection[str] = (),
                   use: str = "") -> list[MachineRecord]:  # fmt: skip
    """Read an inventory CSV (a path, str or ``Path``); raises :class:`InputError` naming
    the row and column — or the columns of ``needed`` (what ``use`` reads) it lacks: a
    column renamed would read as empty on every row."""
    path = check_path_like(path, "path", "give the inventory's path")
    rows = read_csv_rows(path)
    if rows and not set(rows[0]) >= _SIGNATURE:
        missing = ", ".join(sorted(_SIGNATURE - set(rows[0])))
        raise InputError(
            path, "header", f"not a hashshock inventory (missing {missing})",
            "give a CSV written by `hashshock scan`",
        )  # fmt: skip
    lacking = [name for name in needed if rows and name not in rows[0]]
    if lacking:
        raise InputError(
            path, "header", f"has no column {', '.join(lacking)}, which {use} reads",
            "keep the columns `hashshock scan` wrote, with their names",
        )  # fmt: skip
    records = [record_from_row(row, path, line) for line, row in enumerate(rows, start=2)]
    first: dict[tuple[str, ...], int] = {}
    for line, record in enumerate(records, start=2):  # one host's scans at other times: a history
        key = (record.site, record.ip, record.scanned_at, record.serial, record.mac)
        seen = first.setdefault(key, line)
        if seen != line:
            raise InputError(path, f"row {line}, ip", f"{record.ip} at site '{record.site}' "
                             f"scanned at {record.scanned_at or '(no time)'} is row {seen} "
                             "already", "keep one row of it")  # fmt: skip
    for record in records:  # a hand-written or older inventory may carry pyasic's names
        record.firmware = firmware_label(record.firmware or None)
    return records


def _sort_key(rec: MachineRecord) -> tuple[str, int, int, str]:
    try:
        addr = ipaddress.ip_address(rec.ip)
        return (rec.site, addr.version, int(addr), "")
    except ValueError:
        return (rec.site, 9, 0, rec.ip)


def merge_records(
    old: Iterable[MachineRecord], new: Iterable[MachineRecord]
) -> list[MachineRecord]:
    """``new`` records plus the ``old`` ones for (site, ip) pairs ``new`` does not cover;
    a new record keeps the values of the columns the user added to its old row (a rack,
    an owner: the scan does not know them)."""
    added = {(r.site, r.ip): r._extra for r in old if r._extra}
    fresh = [dataclasses.replace(r, _extra={**added.get((r.site, r.ip), {}), **r._extra})
             for r in new if r.status != "no-miner"]  # fmt: skip
    covered = {(r.site, r.ip) for r in new}
    kept = [r for r in old if (r.site, r.ip) not in covered]
    return sorted([*kept, *fresh], key=_sort_key)


def render_inventory(records: Iterable[MachineRecord]) -> str:
    """The inventory as CSV text (extra columns of read-back rows are kept at the end)."""
    rows = [record_to_row(r) for r in records]
    extra = sorted({k for row in rows for k in row} - set(INVENTORY_COLUMNS))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=[*INVENTORY_COLUMNS, *extra], restval="")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def write_inventory(path: Path, records: Iterable[MachineRecord], merge: bool) -> int:
    """Write the inventory atomically (merging with the file there if ``merge``); rows written."""
    rows = merge_records(read_inventory(path) if merge else [], records)
    atomic_write_text(path, render_inventory(rows), "--inventory")
    return len(rows)
