"""Read failure-log CSVs (repair tickets plus machine declarations) into machine histories.

Columns (docs/calibration.md): every file has ``machine`` and ``model``; ``part`` and
``failure_date`` (failure rows) come together; ``install_date`` is needed once per
machine, in any file. So a machines file (``machine,model,install_date``) and a
tickets file (``machine,model,part,failure_date``) together are one log; a file with
neither ``install_date`` nor the failure columns says nothing the fit uses.
``observed_until`` and ``observed_from`` are optional; other columns (ticket ids,
notes) are ignored. Rows of the same ``machine`` id are merged. Every problem raises
one :class:`InputError` naming the file, the row and the column.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from hashshock.fit.dates import check_not_future, parse_date
from hashshock.fit.history import MachineHistory
from hashshock.inputs.catalog import PART_TYPES, Catalog, ModelSpec, PartType
from hashshock.inputs.errors import InputError, unknown_name_fix
from hashshock.inputs.files import read_csv
from hashshock.inputs.fleet import EARLIEST_START
from hashshock.words import counted

LOG_REQUIRED: tuple[str, ...] = ("machine", "model")
"""Columns every failure-log file has."""
LOG_FAILURE: tuple[str, ...] = ("part", "failure_date")
"""Columns of failure rows: a file has both or neither."""
LOG_MAIN: tuple[str, ...] = (*LOG_REQUIRED, "part", "install_date", "failure_date")
"""The columns of a log holding machines and failures in one file."""
LOG_OPTIONAL: tuple[str, ...] = ("observed_until", "observed_from")
LOG_COLUMNS: tuple[str, ...] = LOG_MAIN + LOG_OPTIONAL
MAX_WARNINGS = 5
"""Warnings listed one by one; the rest are counted by kind (:func:`_listed`)."""
# Kinds of warning, named when counted past MAX_WARNINGS: nouns that take a plural "s".
REPEATED_ROW = "repeated row"
EARLY_INSTALL = "pre-release install date"


@dataclass(frozen=True)
class _Ref:
    """Where a value came from: file and CSV row (the header is row 1)."""

    path: Path
    line: int

    def field(self, column: str) -> str:
        return f"row {self.line}, {column}"

    def __str__(self) -> str:
        return f"{self.path}: row {self.line}"


@dataclass
class _Machine:
    """What the rows of one machine say so far."""

    machine: str
    model: ModelSpec
    first: _Ref
    install: tuple[date, _Ref] | None = None
    observed_from: tuple[date, _Ref] | None = None
    observed_until: list[tuple[date, _Ref]] = field(default_factory=list)
    failures: list[tuple[PartType, date, _Ref]] = field(default_factory=list)


def normalise_part(text: str) -> str:
    """``Control board``, ``control-board`` → ``control_board``; other text lower-cased."""
    return text.strip().lower().replace("-", "_").replace(" ", "_")


def _part(text: str, model: ModelSpec, ref: _Ref) -> PartType | None:
    if not text:
        return None
    name = normalise_part(text)
    if name not in PART_TYPES:
        raise InputError(
            ref.path, ref.field("part"), f"unknown part '{text}'",
            unknown_name_fix(name, PART_TYPES, "part type"),
        )  # fmt: skip
    part: PartType = name
    if model.parts_per_machine(part) == 0:
        raise InputError(
            ref.path, ref.field("part"), f"model {model.slug} has no {part}",
            "check the part and the model of this machine",
        )  # fmt: skip
    return part


def _same(
    known: tuple[date, _Ref] | None, value: date, ref: _Ref, column: str, machine: str
) -> tuple[date, _Ref]:
    """A per-machine date given again must be the same."""
    if known is not None and known[0] != value:
        raise InputError(
            ref.path, ref.field(column),
            f"{value} differs from {known[0]} given for machine {machine} at {known[1]}",
            f"give one {column} per machine",
        )  # fmt: skip
    return known or (value, ref)


class _LogReader:
    """Accumulates the rows of one or more failure logs, then checks each machine."""

    def __init__(self, catalog: Catalog, reference: date, as_of_given: bool) -> None:
        self.catalog = catalog
        self.reference = reference
        self.as_of_given = as_of_given
        self.machines: dict[str, _Machine] = {}
        self.seen: dict[tuple[tuple[str, str], ...], _Ref] = {}
        self.warnings: list[tuple[str, str]] = []
        """(kind, text): the kind names warnings past :data:`MAX_WARNINGS`."""

    def _date(self, row: dict[str, str], column: str, ref: _Ref) -> date | None:
        text = row.get(column, "")
        if not text:
            return None
        value = parse_date(text, ref.path, ref.field(column))
        check_not_future(value, self.reference, self.as_of_given, ref.path, ref.field(column))
        return value

    def add_file(self, path: Path) -> None:
        _, rows = read_csv(path, read=LOG_COLUMNS)  # other columns (notes) may repeat
        if not rows:
            raise InputError(
                path, None, "has a header but no rows",
                "add one row per machine and one per repair (docs/calibration.md)",
            )  # fmt: skip
        for line, row in enumerate(rows, start=2):
            self.add_row(row, _Ref(path, line))

    def add_row(self, row: dict[str, str], ref: _Ref) -> None:
        key = tuple(sorted(row.items()))
        if key in self.seen:
            twice = "counted twice" if row.get("failure_date") else "harmless"
            self.warnings.append((
                REPEATED_ROW,
                f"{ref} repeats {self.seen[key]} exactly ({twice}): right for two slots "
                "of one machine failing the same day; if it is one failure entered twice, "
                "delete one (or give each a ticket column)",
            ))  # fmt: skip
        else:
            self.seen[key] = ref
        name = row.get("machine", "")
        if not name:
            raise InputError(
                ref.path, ref.field("machine"), "empty", "give the machine's id or serial"
            )
        slug = row.get("model", "")
        if not slug:
            raise InputError(
                ref.path, ref.field("model"), "empty",
                "give the model's catalogue slug on every row (hashshock catalog lists them)",
            )  # fmt: skip
        model = self.catalog.get(slug, ref.path, ref.field("model"))
        machine = self.machines.setdefault(name, _Machine(name, model, ref))
        if machine.model.slug != model.slug:
            raise InputError(
                ref.path, ref.field("model"),
                f"{slug} differs from {machine.model.slug} given for machine {name} at "
                f"{machine.first}",
                "give one model per machine id",
            )  # fmt: skip
        part = _part(row.get("part", ""), model, ref)
        install = self._date(row, "install_date", ref)
        failure = self._date(row, "failure_date", ref)
        until = self._date(row, "observed_until", ref)
        since = self._date(row, "observed_from", ref)
        if install is not None and install < EARLIEST_START:
            # a typo (0021 for 2021) doubled the machine-years and halved the fitted shape
            raise InputError(
                ref.path, ref.field("install_date"),
                f"{install} is before Bitcoin's first block ({EARLIEST_START})",
                "correct the year",
            )  # fmt: skip
        if (install is not None and install < date(model.release_year, 1, 1)
                and machine.install is None):  # fmt: skip
            self.warnings.append((
                EARLY_INSTALL,
                f"{ref}: install_date {install} is before {model.slug} was released "
                f"({model.release_year}, the catalogue's year): check the year",
            ))  # fmt: skip
        if install is not None:
            machine.install = _same(machine.install, install, ref, "install_date", name)
        if since is not None:
            machine.observed_from = _same(machine.observed_from, since, ref, "observed_from", name)
        if until is not None:
            machine.observed_until.append((until, ref))
        if failure is not None:
            if part is None:
                raise InputError(
                    ref.path, ref.field("part"), "empty on a row with a failure_date",
                    f"name the part that failed ({', '.join(PART_TYPES)})",
                )  # fmt: skip
            if until is not None and failure > until:
                raise InputError(
                    ref.path, ref.field("failure_date"),
                    f"{failure} is after this row's observed_until {until}",
                    "correct the dates: a machine is observed at least until its last failure",
                )  # fmt: skip
            machine.failures.append((part, failure, ref))
        elif part is not None:  # a repair without its day would count as never failing
            raise InputError(
                ref.path, ref.field("failure_date"),
                f"empty on a row naming the part {part}",
                "give the day it failed, or leave part empty on a row that only declares "
                "the machine",
            )  # fmt: skip

    def history(self, m: _Machine, as_of: date | None) -> MachineHistory:
        """Check one machine's dates and make its :class:`MachineHistory`."""
        if m.install is None:
            raise InputError(
                m.first.path, m.first.field("install_date"),
                f"machine {m.machine} has no install_date on any of its rows",
                "give install_date (YYYY-MM-DD) on at least one row of the machine "
                "(--install-date dates scan inventories only, not failure logs)",
            )  # fmt: skip
        install = m.install[0]  # not after --as-of: checked per row
        for until, until_ref in m.observed_until:
            if until < install:
                raise InputError(
                    until_ref.path, until_ref.field("observed_until"),
                    f"{until} is before install_date {install} of machine {m.machine}",
                    "correct the dates",
                )  # fmt: skip
        if m.observed_until:
            until = max(u for u, _ in m.observed_until)
        elif as_of is not None:
            until = as_of
        else:
            raise InputError(
                m.first.path, m.first.field("observed_until"),
                f"machine {m.machine} has no observed_until and no --as-of was given",
                "add observed_until (last day the machine was observed) or pass --as-of DATE",
            )  # fmt: skip
        since, since_ref = m.observed_from or (install, m.first)
        if since < install or since > until:
            raise InputError(
                since_ref.path, since_ref.field("observed_from"),
                f"{since} is outside machine {m.machine}'s install_date {install} to "
                f"observed_until {until}",
                "give the first day failures were recorded, on or after install",
            )  # fmt: skip
        failures: dict[PartType, list[date]] = {}
        for part, day, ref in m.failures:
            if day < install:
                raise InputError(
                    ref.path, ref.field("failure_date"),
                    f"{day} is before install_date {install} of machine {m.machine}",
                    "correct the failure or the install date",
                )  # fmt: skip
            if day < since:
                raise InputError(
                    ref.path, ref.field("failure_date"),
                    f"{day} is before observed_from {since} of machine {m.machine}",
                    "move observed_from back, or drop failures before it",
                )  # fmt: skip
            if day > until:
                raise InputError(
                    ref.path, ref.field("failure_date"),
                    f"{day} is after observed_until {until} of machine {m.machine}",
                    "correct the date, or give a later observed_until",
                )  # fmt: skip
            failures.setdefault(part, []).append(day)
        return MachineHistory(
            machine=m.machine, model=m.model, install=install, observed_from=since,
            observed_until=until, where=str(m.first),
            failures={p: tuple(sorted(d)) for p, d in failures.items()},
        )  # fmt: skip


def _listed(warnings: Sequence[tuple[str, str]]) -> list[str]:
    """The first :data:`MAX_WARNINGS` warnings' texts, then one line counting the rest by
    kind (``3 more warnings not listed: 2 repeated rows, 1 pre-release install date``)."""
    shown = [text for _, text in warnings[:MAX_WARNINGS]]
    rest = Counter(kind for kind, _ in warnings[MAX_WARNINGS:])
    if rest:
        kinds = ", ".join(counted(n, kind) for kind, n in rest.items())
        shown.append(f"{counted(rest.total(), 'more warning')} not listed: {kinds}")
    return shown


def read_failure_logs(
    paths: Sequence[Path], catalog: Catalog, as_of: date | None, today: date
) -> tuple[list[MachineHistory], list[str]]:
    """Machine histories from failure-log CSVs, and warnings (repeated rows, install
    dates before the model's release; past :data:`MAX_WARNINGS`, counted by kind).

    ``as_of`` (``--as-of``) ends the observation of machines without ``observed_until``
    and bounds every date; without it dates may not be after ``today``.
    """
    reader = _LogReader(catalog, as_of or today, as_of is not None)
    for path in paths:
        reader.add_file(path)
    histories = [reader.history(m, as_of) for m in reader.machines.values()]
    warnings = _listed(reader.warnings)
    if as_of is not None and as_of > today:  # a simulated log's may be; a typo's is not
        latest = _latest_date(reader.machines.values())
        if latest != date.min and as_of > latest:  # after today and all the logs say: a typo
            raise InputError(
                None, "--as-of", f"{as_of} is after today ({today}) and after every date "
                f"in the logs (the latest {latest}): the machines without observed_until "
                "would count as observed, never failing, up to it",
                "give the last day the logs observed",
            )  # fmt: skip
        warnings.insert(0, f"--as-of {as_of} is after today ({today}): the machines without "
                        "observed_until count as observed without failures up to it — give "
                        "the last day the logs observed, unless they are simulated")  # fmt: skip
    return histories, warnings


def _latest_date(machines: Iterable[_Machine]) -> date:
    """The latest date the logs give: an install, a failure or an observation bound
    (``date.min`` for no machine)."""
    dates: list[date] = []
    for m in machines:
        dates += [m.install[0]] if m.install else []
        dates += [m.observed_from[0]] if m.observed_from else []
        dates += [until for until, _ in m.observed_until]
        dates += [day for _, day, _ in m.failures]
    return max(dates, default=date.min)
