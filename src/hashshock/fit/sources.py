"""Tell a failure log from a scan inventory by its header, and load either into histories."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

from hashshock.fit.dates import check_not_future
from hashshock.fit.history import MachineHistory
from hashshock.fit.logs import (
    LOG_COLUMNS,
    LOG_FAILURE,
    LOG_REQUIRED,
    read_failure_logs,
)
from hashshock.fit.scans import SCAN_PARTS, read_scan_histories
from hashshock.inputs.catalog import PART_TYPES, Catalog, PartType, bundled_catalog
from hashshock.inputs.errors import InputError
from hashshock.inputs.files import check_columns, check_unrepeated, read_csv
from hashshock.scan.inventory import looks_like_inventory
from hashshock.scan.records import INVENTORY_COLUMNS
from hashshock.words import counted

LogFormat = Literal["failure-log", "scan-inventory"]


@dataclass(frozen=True)
class LoadedHistory:
    """Everything the fit needs from the input files.

    ``as_of`` is the reference date: ``--as-of``, else the latest date in the data (the
    last day any machine is observed), so the same input gives the same report on any
    day (``as_of_given`` says which); ``observable`` the part types the data can show
    failures of.
    """

    format: LogFormat
    paths: tuple[Path, ...]
    histories: tuple[MachineHistory, ...]
    as_of: date
    observable: tuple[PartType, ...]
    notes: tuple[str, ...]
    warnings: tuple[str, ...]
    as_of_given: bool = False


def detect_format(path: Path) -> LogFormat:
    """``scan-inventory`` if the header is a ``hashshock scan`` inventory header,
    ``failure-log`` if it has the failure-log columns; otherwise :class:`InputError`,
    as for a column the fit reads given twice."""
    # Rows with more cells than the header are refused; repeated columns below, once the
    # format says which are read (a log's notes, not read, may repeat).
    full, _ = read_csv(path, read=())
    header = [h for h in full if h]
    if not header:
        raise InputError(
            path, None, "is empty",
            f"give a failure log with the header {','.join(LOG_COLUMNS)} "
            "or an inventory written by hashshock scan",
        )  # fmt: skip
    if looks_like_inventory(path):
        check_unrepeated(path, full, (*INVENTORY_COLUMNS, "install_date"))
        return "scan-inventory"
    check_log_header(path, header)
    check_unrepeated(path, full, LOG_COLUMNS)
    return "failure-log"


def check_log_header(path: Path, header: list[str]) -> None:
    """A failure-log file's header: ``machine`` and ``model``, ``part`` and
    ``failure_date`` both or neither, and ``install_date`` or the failure columns (a
    machines file, a tickets file, or both in one; docs/calibration.md)."""
    fix = (f"a failure log needs the columns {', '.join(LOG_REQUIRED)}, and install_date "
           "(a machines file) or part and failure_date (a tickets file) or all of them "
           "(docs/calibration.md), or give an inventory written by hashshock scan")  # fmt: skip
    failure_columns = [c for c in LOG_FAILURE if c in header]
    if failure_columns:
        check_columns(path, header, (*LOG_REQUIRED, *LOG_FAILURE), fix)
    else:
        check_columns(path, header, (*LOG_REQUIRED, "install_date"), fix)


def load_histories(
    paths: Sequence[Path],
    as_of: date | None = None,
    install_date: date | None = None,
    catalog: Catalog | None = None,
    today: date | None = None,
) -> LoadedHistory:
    """Read failure logs or scan inventories (all files of one kind) into histories.

    ``as_of`` ends the observation of log machines without ``observed_until``; no date in
    the data may be after it (after ``today`` when it is not given). ``install_date``
    is the install date of scanned machines whose inventory has no ``install_date``;
    with failure logs it is refused (they date each machine in their own column).
    """
    if not paths:
        raise InputError(None, "LOG", "no file given", "name one or more failure logs")
    seen: dict[Path, Path] = {}
    for path in paths:
        same = seen.setdefault(Path(path).resolve(), path)
        if same is not path:
            raise InputError(path, None, f"is given twice (as {same} too)",
                             "name each file once: its failures would count twice")  # fmt: skip
    catalog = catalog or bundled_catalog()
    today = today or date.today()
    formats = {path: detect_format(path) for path in paths}
    kinds = set(formats.values())
    if len(kinds) > 1:
        scans = [str(p) for p, k in formats.items() if k == "scan-inventory"]
        logs = [str(p) for p, k in formats.items() if k == "failure-log"]
        raise InputError(
            scans[0], None, f"is a scan inventory but {logs[0]} is a failure log",
            "give either failure logs or scan inventories, not both (they would double-count)",
        )  # fmt: skip
    kind: LogFormat = kinds.pop()
    if install_date is not None and kind == "failure-log":
        # ignoring it would fit other install dates than the user believes were used
        inputs = (
            f"{paths[0]} is a failure log"
            if len(paths) == 1
            else f"{paths[0]} and {counted(len(paths) - 1, 'other input')} are failure logs"
        )
        raise InputError(
            None, "--install-date",
            f"dates the machines of scan inventories only, and {inputs}",
            "give each machine's install_date in the log (on at least one of its rows) and "
            "drop --install-date",
        )  # fmt: skip
    if install_date is not None:
        check_not_future(install_date, as_of or today, as_of is not None, None, "--install-date")
    notes: list[str] = []
    warnings: list[str] = []
    if kind == "failure-log":
        histories, warnings = read_failure_logs(paths, catalog, as_of, today)
        observable: tuple[PartType, ...] = PART_TYPES
    else:
        histories, notes = read_scan_histories(paths, catalog, as_of, today, install_date)
        observable = SCAN_PARTS
        notes.append(
            "scans show only hashboards and fans: psu and control_board keep the bundled "
            "defaults; each machine is observed from its first scan (slots down then are "
            "not counted), and a failure is dated halfway between the scan that shows it "
            "and the one before"
        )
    if not histories:
        raise InputError(
            paths[0], None, "no machine of a catalogue model in the data",
            "check the model slugs (hashshock catalog lists them)",
        )  # fmt: skip
    return LoadedHistory(
        format=kind, paths=tuple(paths), histories=tuple(histories),
        as_of=as_of or max(h.observed_until for h in histories), observable=observable,
        notes=tuple(notes), warnings=tuple(warnings), as_of_given=as_of is not None,
    )  # fmt: skip
