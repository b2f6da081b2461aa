"""What one scanned host looks like: :class:`MachineRecord` and its CSV row.

Units: hashrates in TH/s, uptime in seconds, chips and boards as counts.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_args

from hashshock.inputs.catalog import MAX_PARTS_PER_MACHINE
from hashshock.inputs.errors import InputError

if TYPE_CHECKING:
    from hashshock.inputs.catalog import PartType

#: Age (days) assumed for a scanned machine whose install date nobody gave (ASSUMPTION
#: [E]: a year, mid-way through an ASIC's 2–4 year economic life; `--install-date` or an
#: inventory's install_date column replaces it, and the merge says it was assumed).
DEFAULT_ASSUMED_AGE_DAYS = 365

HostStatus = Literal[
    "ok",  # a miner of a catalogue model, data read
    "unknown-model",  # a miner whose model is not in the catalogue
    "no-data",  # identified as a miner, but nothing readable came back
    "unresponsive",  # accepts TCP 4028 but never answers
    "garbage",  # answers 4028 with something that is not a cgminer-style reply
    "unrecognised",  # answers the cgminer API, but not as a miner pyasic knows
    "timeout",  # the probe ran out of its per-host time budget
    "error",  # the probe failed unexpectedly (message says why)
    "no-miner",  # nothing answering: not written to the inventory
]
HOST_STATUSES: tuple[str, ...] = get_args(HostStatus)

#: Result of an exposure check.
CheckResult = Literal["accepted", "refused", "unavailable", "not-checked"]
CHECK_RESULTS: tuple[str, ...] = get_args(CheckResult)


@dataclass
class MachineRecord:
    """One scanned host. Empty strings and ``None`` mean 'not reported'."""

    ip: str
    status: HostStatus = "ok"
    site: str = ""
    make: str = ""  # as pyasic names it, e.g. "AntMiner"
    model: str = ""  # as the miner reports it, e.g. "S19j Pro"
    slug: str = ""  # catalogue slug, "" if the model is unknown
    vendor: str = ""  # catalogue vendor, e.g. "bitmain"
    family: str = ""  # catalogue family, e.g. "antminer-s19"
    firmware: str = ""  # stock, braiins-os, luxos, vnish, ...
    fw_version: str = ""
    api_version: str = ""
    hashrate_ths: float | None = None  # measured, TH/s
    expected_ths: float | None = None  # factory nominal, TH/s
    boards_expected: int | None = None
    boards_working: int | None = None
    chips: int | None = None
    chips_expected: int | None = None
    fans_expected: int | None = None
    fans_working: int | None = None
    errors: tuple[str, ...] = ()
    uptime_s: int | None = None
    is_mining: bool | None = None
    mac: str = ""
    serial: str = ""
    hostname: str = ""
    privileged_api: CheckResult = "not-checked"
    default_web_login: CheckResult = "not-checked"
    known_issues: tuple[str, ...] = ()
    scanned_at: str = ""  # ISO 8601, UTC
    message: str = ""
    _extra: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    @property
    def is_machine(self) -> bool:
        """Identified as a miner (known or unknown model)."""
        return self.status in {"ok", "unknown-model"}

    @property
    def hashrate_pct(self) -> float | None:
        """Measured hashrate in percent of the expected hashrate."""
        if self.hashrate_ths is None or not self.expected_ths:
            return None
        return 100.0 * self.hashrate_ths / self.expected_ths

    @property
    def dead_hashboards(self) -> int:
        """Hashboards expected but not working (0 when unknown)."""
        if self.boards_expected is None or self.boards_working is None:
            return 0
        return max(0, self.boards_expected - self.boards_working)

    @property
    def failed_fans(self) -> int:
        """Fans expected but not spinning (0 when unknown)."""
        if self.fans_expected is None or self.fans_working is None:
            return 0
        return max(0, self.fans_expected - self.fans_working)

    @property
    def down_part(self) -> PartType | None:
        """The part that keeps this machine from hashing, if the scan shows one.

        No working hashboard → ``hashboard``; a failed fan → ``fan`` (stock
        firmware stops on a fan fault). Otherwise the machine counts as running.
        """
        if self.boards_expected and self.boards_working == 0:
            return "hashboard"
        if self.failed_fans:
            return "fan"
        return None

    @property
    def condition(self) -> str:
        """``ok``, ``degraded`` (dead boards), ``down: <part>`` or ``not hashing``."""
        if not self.is_machine:
            return self.status
        if self.down_part:
            return f"down: {self.down_part}"
        if self.dead_hashboards:
            return "degraded"
        if self.is_mining is False or (self.hashrate_ths is not None and self.hashrate_ths <= 0):
            return "not hashing"
        return "ok"


_FIELDS = [f for f in fields(MachineRecord) if not f.name.startswith("_")]
_DERIVED = ("hashrate_pct", "dead_hashboards", "failed_fans", "condition")
#: Inventory CSV columns, in order (the derived ones are written, not read back).
INVENTORY_COLUMNS: tuple[str, ...] = tuple(f.name for f in _FIELDS) + _DERIVED
_KINDS: dict[str, str] = {f.name: str(f.type) for f in _FIELDS}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.3f}"
    if isinstance(value, tuple):
        return "; ".join(value)
    return str(value)


def record_to_row(record: MachineRecord) -> dict[str, str]:
    """The inventory CSV row of ``record`` (every value a string)."""
    row = {name: _cell(getattr(record, name)) for name in INVENTORY_COLUMNS}
    return {**record._extra, **row}


#: The largest a reading of one machine may be: a hashrate (TH/s; the largest hydro
#: units make about 1 PH/s, and a user's catalogue may hold larger ones, so only an
#: exahash is refused: a 300-digit number is no reading) and its boards and fans (as a
#: catalogue row's parts).
_MAXIMA = {"hashrate_ths": 1e6, "expected_ths": 1e6,
           **dict.fromkeys(("boards_expected", "boards_working", "fans_expected",
                            "fans_working"), float(MAX_PARTS_PER_MACHINE))}  # fmt: skip


def _reading(number: float, text: str, path: Path | None, where: str) -> float:
    """An inventory's number — a rate, a count, an uptime — refused unless finite, not
    negative and within what one machine can read (:data:`_MAXIMA`): a ``nan`` or ``inf``
    read as a hashrate became the audit's every share (and NaN in its JSON), 1e308 TH/s
    printed 300 digits."""
    if not math.isfinite(number):
        raise InputError(path, where, f"{text!r} is not a finite number", "fix or clear the cell")
    if number < 0:
        raise InputError(path, where, f"{text} is negative", "fix or clear the cell")
    most = _MAXIMA.get(where.rsplit(", ", 1)[-1])
    if most is not None and number > most:
        raise InputError(path, where, f"{text} is more than one machine reads ({most:g})",
                         "fix or clear the cell")  # fmt: skip
    return number


def _parse(kind: str, text: str, path: Path | None, where: str) -> Any:
    if "tuple" in kind:
        return tuple(part.strip() for part in text.split(";") if part.strip())
    if not text:
        return None if "None" in kind else ""
    if kind.startswith(("float", "int")):
        try:
            number = float(text) if kind.startswith("float") else int(text)
        except ValueError:
            raise InputError(
                path, where, f"{text!r} is not a number", "fix or clear the cell"
            ) from None
        return _reading(number, text, path, where)
    if kind.startswith("bool"):
        return text.lower() in {"yes", "true", "1"}
    return text


def record_from_row(row: dict[str, str], path: Path | None = None, line: int = 0) -> MachineRecord:
    """Read back an inventory row; unknown columns are kept and written out again."""
    if not row.get("ip"):
        raise InputError(path, f"row {line}, ip", "missing", "every row needs the miner's IP")
    values = {
        f.name: _parse(_KINDS[f.name], row.get(f.name, ""), path, f"row {line}, {f.name}")
        for f in _FIELDS
    }
    values["status"] = values["status"].lower()  # "OK" from a spreadsheet, as "Stock" is read
    if values["status"] not in HOST_STATUSES:
        raise InputError(
            path, f"row {line}, status", f"unknown status {values['status']!r}",
            f"use one of {', '.join(HOST_STATUSES)}",
        )  # fmt: skip
    for check in ("privileged_api", "default_web_login"):
        values[check] = (values[check] or "not-checked").lower()
        if values[check] not in CHECK_RESULTS:
            raise InputError(
                path, f"row {line}, {check}", f"unknown result {values[check]!r}",
                f"use one of {', '.join(CHECK_RESULTS)}",
            )  # fmt: skip
    working, expected = values["boards_working"], values["boards_expected"]
    if working is not None and expected is not None and working > expected:
        # The scanner counts a machine's expected boards as at least those it reports
        # (probe ``_set_boards``): more working than expected is a hand-edited cell.
        raise InputError(
            path, f"row {line}, boards_working", f"{working} boards working but "
            f"{expected} expected", "fix either cell, or clear boards_expected",
        )  # fmt: skip
    extra = {k: v for k, v in row.items() if k and k not in INVENTORY_COLUMNS}
    return MachineRecord(**values, _extra=extra)


def record_to_json(record: MachineRecord) -> dict[str, Any]:
    """A JSON-ready dict of ``record`` with its derived values."""
    data = {k: v for k, v in asdict(record).items() if not k.startswith("_")}
    data.update({name: getattr(record, name) for name in _DERIVED})
    return data


def repeated_machines(records: Iterable[MachineRecord]) -> dict[tuple[str, str], list[str]]:
    """Machines that answered at more than one address — the same serial number and MAC
    address, both reported — and their addresses, in the order scanned (a miner behind
    two addresses, or a range scanned twice through NAT)."""
    seen: dict[tuple[str, str], list[str]] = {}
    for rec in records:
        if rec.serial and rec.mac:
            seen.setdefault((rec.serial, rec.mac.lower()), []).append(rec.ip)
    return {key: ips for key, ips in seen.items() if len(ips) > 1}


def scan_time(record: MachineRecord) -> datetime:
    """When ``record`` was scanned (UTC, naive); the earliest time if ``scanned_at`` is
    empty or not ISO 8601 (a hand-written row), so that any dated scan counts as later."""
    try:
        when = datetime.fromisoformat(record.scanned_at)
    except ValueError:
        return datetime.min
    return when.astimezone(UTC).replace(tzinfo=None) if when.tzinfo else when


def latest_scans(records: Iterable[MachineRecord]) -> list[MachineRecord]:
    """``records`` with one row per address (site and IP): its latest scan (of rows
    equally late, the last). An inventory holding several scans of one host is a history
    (``hashshock fit`` reads it); the fleet it describes now is its latest rows."""
    listed = list(records)
    latest: dict[tuple[str, str], int] = {}
    for i, rec in enumerate(listed):
        kept = latest.setdefault((rec.site, rec.ip), i)
        if scan_time(rec) >= scan_time(listed[kept]):
            latest[(rec.site, rec.ip)] = i
    return [rec for i, rec in enumerate(listed) if latest[(rec.site, rec.ip)] == i]


def first_sightings(records: Iterable[MachineRecord]) -> Iterator[MachineRecord]:
    """``records`` with each machine of :func:`repeated_machines` once: at its address
    that answered fully (``ok``), else its first (a record without a serial and a MAC is
    always its own machine); of several full answers, the latest scan's (a machine that
    moved address between scans is where it was seen last). Two addresses probing one
    device at once can have one of them time out; the other's reading is the machine's."""
    listed = list(records)
    chosen: dict[tuple[str, str], int] = {}
    for i, rec in enumerate(listed):
        if rec.serial and rec.mac:
            identity = (rec.serial, rec.mac.lower())
            first = listed[chosen.setdefault(identity, i)]
            if rec.status == "ok" and (first.status != "ok" or scan_time(rec) > scan_time(first)):
                chosen[identity] = i
    for i, rec in enumerate(listed):
        if not (rec.serial and rec.mac) or chosen[(rec.serial, rec.mac.lower())] == i:
            yield rec
