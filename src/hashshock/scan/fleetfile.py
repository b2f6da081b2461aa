"""Turn scanned machines into fleet-file cohorts and merge them into a fleet file.

Cohorts are aggregated by site x model. Machines already broken start the run
in that state (``degraded``): a machine with no working hashboard is down for
a hashboard, one with a failed fan is down for a fan (stock firmware stops on
fan faults), and dead boards of running machines are ``dead_hashboards``.
Dead boards of a machine that is down for another part are not recorded
(the fleet format has no place for them).

A merge loses nothing the scan did not see. It keeps everything the user wrote
(other sites, spares, routes, orders, the install date, label and other fields of
each cohort) and only ever *adds* to the scanned site's cohorts: a (site, model)
whose file count is above what the scan saw keeps its count, and a model the scan
did not see keeps its cohorts; both are reported (:attr:`MergeResult.kept`).
Counts go down and unseen cohorts are removed only with ``prune=True`` (the scan
covered the whole site). Broken machines (``degraded``) are replaced by the scan's
when it saw at least as many machines as the file has, else only raised to it.

The merge works on the round-trip mapping of :mod:`hashshock.scan.yamlfile`, which
reads the file and writes it back keeping the user's comments and layout.
"""

from __future__ import annotations

import copy
import math
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import yaml
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from hashshock.inputs.catalog import Catalog, PartType
from hashshock.inputs.errors import InputError
from hashshock.inputs.files import read_csv_rows
from hashshock.inputs.fleet import EARLIEST_START, Fleet
from hashshock.inputs.load import NO_MACHINE, LoadedFleet, fleet_from_mapping
from hashshock.scan.degraded import (
    Target,
    degraded_of,
    describe_degraded,
    machines_text,
    place_broken,
    whole,
)
from hashshock.scan.exposure import looks_like_scenario
from hashshock.scan.inventory import looks_like_inventory
from hashshock.scan.records import DEFAULT_ASSUMED_AGE_DAYS, MachineRecord, first_sightings
from hashshock.scan.yamlfile import as_run_reads_it
from hashshock.words import counted

DEFAULT_SITE = "site-1"


@dataclass
class ScannedCohort:
    """Machines of one catalogue model at one site, as the scan found them."""

    site: str
    model: str
    count: int = 0
    dead_hashboards: int = 0
    machines_down: dict[PartType, int] = field(default_factory=dict)
    longest_uptime_s: int = 0

    def degraded(self) -> dict[str, Any] | None:
        """The cohort's ``degraded`` mapping, or ``None`` if nothing is broken."""
        down = {part: n for part, n in sorted(self.machines_down.items()) if n}
        if not self.dead_hashboards and not down:
            return None
        out: dict[str, Any] = {"dead_hashboards": self.dead_hashboards}
        if down:
            out["machines_down"] = down
        return out


def aggregate(records: Iterable[MachineRecord]) -> list[ScannedCohort]:
    """Cohorts (site x model) of the machines whose model is in the catalogue, each
    machine once (:func:`~hashshock.scan.records.first_sightings`)."""
    cohorts: dict[tuple[str, str], ScannedCohort] = {}
    for rec in first_sightings(records):
        if rec.status != "ok" or not rec.slug:
            continue
        key = (rec.site, rec.slug)
        cohort = cohorts.setdefault(key, ScannedCohort(site=rec.site, model=rec.slug))
        cohort.count += 1
        cohort.longest_uptime_s = max(cohort.longest_uptime_s, rec.uptime_s or 0)
        part = rec.down_part
        if part is not None:
            cohort.machines_down[part] = cohort.machines_down.get(part, 0) + 1
        else:
            cohort.dead_hashboards += rec.dead_hashboards
    return sorted(cohorts.values(), key=lambda c: (c.site, c.model))


def _fresh(day: date) -> date:
    """A new :class:`date` object equal to ``day``."""
    return date(day.year, day.month, day.day)


def fleet_start(existing: Mapping[str, Any] | None, scan_date: date) -> date:
    """The start date of the fleet a scan merges into: the file's ``start_date``, or the
    scan date for a new file (or a file whose ``start_date`` is not a date yet)."""
    start = (existing or {}).get("start_date")
    if isinstance(start, datetime):
        return start.date()
    return start if isinstance(start, date) else scan_date


@dataclass(frozen=True)
class InstallDates:
    """How install dates of new scanned cohorts are set (machines do not report them).

    ``fixed`` (``--install-date``) wins. Otherwise: scan date minus
    ``assumed_age_days``, moved earlier if a machine's uptime proves it older,
    never before 1 January of the model's release year, never after the
    fleet's start date.
    """

    scan_date: date
    fixed: date | None = None
    assumed_age_days: int = DEFAULT_ASSUMED_AGE_DAYS

    def check(self, start: date) -> None:
        """Refuse a ``--install-date`` after the fleet's ``start`` date: a cohort cannot be
        installed after the simulation starts, and replacing the date given would be
        silent."""
        if self.fixed is not None and self.fixed < EARLIEST_START:  # as fit refuses it
            raise InputError(
                None, "--install-date", f"{self.fixed} is before Bitcoin's first block "
                f"({EARLIEST_START})", "give the day the machines were installed",
            )  # fmt: skip
        if self.fixed is not None and self.fixed > start:
            raise InputError(
                None, "--install-date", f"{self.fixed} is after the fleet's start date "
                f"{start}", f"give a date on or before {start}, or leave --install-date out "
                "for an assumed date",
            )  # fmt: skip

    def choose(self, cohort: ScannedCohort, release_year: int, start: date) -> date:
        """The install date of a new cohort (a new :class:`date` object each call: a date
        shared with another key, such as ``start_date``, would be written as a YAML
        alias). Raises :class:`InputError` for a ``fixed`` date after ``start``."""
        self.check(start)
        if self.fixed is not None:
            return _fresh(self.fixed)
        floor = date(release_year, 1, 1)
        # ages past the model's release change nothing, and a miner's absurd uptime (10¹²
        # s) would overflow a date: both are bounded by the days since the release
        since_release = max((self.scan_date - floor).days, 0)
        guess = self.scan_date - timedelta(days=min(self.assumed_age_days, since_release))
        up_days = min(math.ceil(max(cohort.longest_uptime_s, 0) / 86_400), since_release)
        guess = min(guess, self.scan_date - timedelta(days=up_days))
        guess = max(guess, floor)
        return _fresh(min(guess, self.scan_date, start))

    def label(self) -> str:
        if self.fixed is not None:
            return f"scanned {self.scan_date}; install date from --install-date"
        return f"scanned {self.scan_date}; install date assumed"

    def explain(self) -> str:
        if self.fixed is not None:
            return f"install dates of new scanned cohorts: {self.fixed} (--install-date)"
        return (
            f"install dates of new scanned cohorts are ASSUMED: scan date - "
            f"{self.assumed_age_days} days, earlier if uptime shows it, not before the model's "
            "release year; edit them, re-scans keep your dates"
        )


@dataclass
class MergeResult:
    """The merged fleet mapping, its validated form, and what the merge did.

    ``changes`` lists what was changed in the file, one line each; ``kept`` what the
    file says and the scan did not confirm, left as it was. No changes means the
    file needs no rewrite. ``added_cohorts``: cohorts the merge added (their install
    dates are the only ones it sets).
    """

    data: dict[str, Any]
    fleet: LoadedFleet
    changes: list[str]
    kept: list[str]
    added_cohorts: int = 0

    @property
    def changed(self) -> bool:
        """Whether the merged mapping differs from the file's."""
        return bool(self.changes)

    @property
    def notes(self) -> list[str]:
        """Changes, then what was kept."""
        return [*self.changes, *self.kept]


def choose_site(existing: Mapping[str, Any] | None, site: str | None) -> str:
    """``--site`` if given; else the existing fleet's only site; else :data:`DEFAULT_SITE`.
    Checked before the scan: a name with a control character (an escape sequence, a DEL)
    would make a fleet file YAML cannot read, found only after scanning, and an empty
    one is no name."""
    if site is not None:
        if not site.strip() or any(unicodedata.category(c) == "Cc" for c in site):
            raise InputError(None, "--site", f"{site!r} is not a site name",
                             "use letters, digits, spaces or punctuation")  # fmt: skip
        return site
    sites = [s.get("name") for s in (existing or {}).get("sites") or [] if isinstance(s, dict)]
    if len(sites) == 1 and sites[0]:
        return str(sites[0])
    if len(sites) > 1:
        raise InputError(
            None, "--site", f"the fleet file has {len(sites)} sites",
            f"name the scanned one with --site ({', '.join(map(str, sites))})",
        )  # fmt: skip
    return DEFAULT_SITE


#: Keys only a fleet file has (a stub with none of them is still a fleet file if every key
#: it has is a fleet field).
_FLEET_KEYS = frozenset({"sites", "cohorts", "cohorts_csv"})


def check_fleet_file(path: Path, option: str = "--out") -> None:
    """Refuse, before the scan, an existing ``path`` that is a YAML file of another kind:
    a mapping with none of a fleet file's own keys (:data:`_FLEET_KEYS`) and keys a fleet
    file does not have, named as a scenario file if it is one (told apart as ``audit
    --scenario-out`` does, :func:`~hashshock.scan.exposure.looks_like_scenario`). The merge
    would otherwise stop at its first foreign key, inviting the user to delete it."""
    if not path.is_file():
        return
    fix = f"give {option} a fleet file, or a new file name to write a new fleet file"
    if looks_like_inventory(path):  # not YAML: reading it would say "malformed YAML"
        raise InputError(path, option, "is a hashshock inventory (CSV), not a fleet file",
                         f"{fix}; the inventory is written beside it")  # fmt: skip
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return  # reading the fleet file says what is wrong
    if not isinstance(data, dict):  # a CSV, notes, an empty file: not the user's to edit
        raise InputError(path, option, "holds no fleet (it is not a YAML mapping of a "
                         "fleet's fields)", fix)  # fmt: skip
    if _FLEET_KEYS & set(data):
        return
    foreign = sorted(str(key) for key in data if key not in Fleet.model_fields)
    if not foreign:
        return  # a stub (`name:`, `start_date:`) the merge fills in
    if looks_like_scenario(path):
        raise InputError(path, option, "is a scenario file, not a fleet file", fix)
    shown = ", ".join(foreign[:4]) + (", ..." if len(foreign) > 4 else "")
    raise InputError(
        path, option, f"is not a fleet file (no sites or cohorts; it has {shown})", fix
    )


# --- merging ----------------------------------------------------------------------------


def _plain_text(text: str) -> str:
    """``text`` as a YAML string that PyYAML (YAML 1.1, as ``hashshock run`` reads) reads back
    as the same string: ruamel writes ``on`` or ``yes`` unquoted (strings in YAML 1.2)."""
    try:
        same = yaml.safe_load(text) == text
    except yaml.YAMLError:
        same = False
    return text if same else DoubleQuotedScalarString(text)


#: A new cohort takes the flow style (``{…}`` on one line) of the cohort above it only if
#: that line fits in this many columns; otherwise it is written in block style.
FLOW_LINE_COLUMNS = 80


def _fits_on_a_line(items: Mapping[str, Any], indent: int) -> bool:
    """Whether ``items`` written as a flow mapping after ``indent`` columns (the list's
    indentation and dash) fit in :data:`FLOW_LINE_COLUMNS`."""
    # plain str and int: a name round-tripped with its quotes ("yes", "123") is ruamel's
    # own string type, which PyYAML cannot write
    plain = {str(k): str(v) if isinstance(v, str) else v for k, v in items.items()}
    text = yaml.safe_dump(plain, default_flow_style=True, sort_keys=False, width=4096)
    return indent + len(text.strip()) <= FLOW_LINE_COLUMNS


def _append_like(siblings: Any, items: dict[str, Any]) -> dict[str, Any]:
    """Append a new mapping to the list ``siblings`` and return it: round-trip when the
    document is (flow style if the last sibling is and the line fits, see
    :data:`FLOW_LINE_COLUMNS`), else a plain dict. A flow-style list (``[…]`` on one
    line) that grows becomes a block list, one item a line (its items keep their style)."""
    if not isinstance(siblings, CommentedSeq):
        siblings.append(dict(items))
        return cast(dict[str, Any], siblings[-1])
    node = CommentedMap(items)
    last = siblings[-1] if len(siblings) else None
    if siblings.fa.flow_style():
        siblings.fa.set_block_style()
    if isinstance(last, CommentedMap) and last.fa.flow_style() and _fits_on_a_line(items, 4):
        node.fa.set_flow_style()
    siblings.append(node)
    return node


def _csv_counts(data: Mapping[str, Any], base: Path) -> tuple[dict[tuple[str, str], int], str]:
    """Machines per (site, model) in the fleet's ``cohorts_csv`` (read leniently: the merged
    file is validated afterwards) and the CSV's name."""
    name = data.get("cohorts_csv")
    counts: dict[tuple[str, str], int] = {}
    if not isinstance(name, str) or not name or not (base / name).is_file():
        return counts, ""
    try:
        rows = read_csv_rows(base / name)
    except InputError:
        return counts, name
    for row in rows:
        text = row.get("count", "").replace(",", "").replace("_", "")
        if text.isdigit():
            key = (row.get("site", ""), row.get("model", ""))
            counts[key] = counts.get(key, 0) + int(text)
    return counts, name


class _Merger:
    """One merge: the mutable document, where cohorts live, and the lines reported."""

    def __init__(
        self, data: dict[str, Any], site: str, dates: InstallDates, catalog: Catalog,
        prune: bool, base: Path,
    ) -> None:  # fmt: skip
        self.data = data
        self.site = site
        self.dates = dates
        self.catalog = catalog
        self.prune = prune
        self.csv, self.csv_name = _csv_counts(data, base)
        self.start = fleet_start(data, dates.scan_date)
        self.added = 0  # new cohorts
        self.changes: list[str] = []
        self.kept: list[str] = []

    def cohorts(self, path: Path | None) -> list[Any]:
        cohorts = self.data.setdefault("cohorts", CommentedSeq() if self._rt else [])
        if not isinstance(cohorts, list):
            raise InputError(path, "cohorts", "is not a list", "write cohorts as YAML '- ' items")
        if isinstance(cohorts, CommentedSeq) and not cohorts and cohorts.fa.flow_style():
            cohorts.fa.set_block_style()  # `cohorts: []` grows into one cohort a line
        return cast(list[Any], cohorts)

    @property
    def _rt(self) -> bool:
        return isinstance(self.data, CommentedMap)

    def add_site(self) -> None:
        sites = self.data.setdefault("sites", CommentedSeq() if self._rt else [])
        if isinstance(sites, list) and not any(
            isinstance(s, dict) and s.get("name") == self.site for s in sites
        ):
            _append_like(sites, {"name": _plain_text(self.site)})
            self.changes.append(f"added site '{self.site}'")

    def _says(self, total: int, in_csv: int) -> str:
        where = f" ({in_csv:,} of them in {self.csv_name})" if in_csv else ""
        return f"file says {total:,}{where}"

    def _new_cohort(self, cohorts: list[Any], scanned: ScannedCohort, count: int) -> Target:
        spec = self.catalog.get(scanned.model)
        installed = self.dates.choose(scanned, spec.release_year, self.start)
        new = _append_like(cohorts, {
            "model": scanned.model, "count": count, "site": _plain_text(self.site),
            "install_date": installed, "label": self.dates.label(),
        })  # fmt: skip
        self.added += 1
        target = Target(new, count)
        broken = ""
        if count == scanned.count:  # a cohort of its own: it holds what the scan found broken
            place_broken([target], self._boards(scanned), scanned.dead_hashboards,
                          self._scanned_down(scanned), replace=True)  # fmt: skip
            dead, down = degraded_of(new)
            broken = f" ({describe_degraded(dead, down)})" if dead or down else ""
        how = "given" if self.dates.fixed is not None else "assumed"
        self.changes.append(
            f"added cohort {self.site}/{scanned.model}: {machines_text(count)}{broken}, "
            f"install date {installed} ({how})"
        )
        return target

    def merge(self, cohorts: list[Any], scanned: ScannedCohort, path: Path | None) -> None:
        """Merge one scanned (site, model) into ``cohorts``."""
        name = f"cohort {self.site}/{scanned.model}"
        targets: list[Target] = []
        for i, cohort in enumerate(cohorts):
            if not isinstance(cohort, dict) or cohort.get("site") != self.site:
                continue
            if cohort.get("model") != scanned.model:
                continue
            count = whole(cohort.get("count"))
            if count is None or count < 0:
                raise InputError(
                    path, f"cohorts[{i}].count", f"{cohort.get('count')!r} is not a count",
                    "write a whole number of machines",
                )  # fmt: skip
            targets.append(Target(cohort, count))
        in_csv = self.csv.get((self.site, scanned.model), 0)
        before = sum(t.count for t in targets) + in_csv
        seen = scanned.count
        degraded_before = self._degraded_total(targets)
        if not targets and not in_csv:
            self._new_cohort(cohorts, scanned, seen)
            return
        if seen > before:
            if targets:  # the last (newest) cohort absorbs the growth
                targets[-1].count += seen - before
                targets[-1].cohort["count"] = targets[-1].count
                which = f" (+{seen - before:,} on the last of {len(targets)})" * (len(targets) > 1)
                self.changes.append(
                    f"{name}: {self._says(before, in_csv)}, scan saw {seen:,} — now {seen:,}{which}"
                )
            else:
                targets.append(self._new_cohort(cohorts, scanned, seen - before))
        elif seen < before and self.prune:
            self._shrink(cohorts, targets, seen - in_csv)
            after = sum(t.count for t in targets) + in_csv
            if after != before:  # cohorts in the CSV are never edited: maybe nothing to lower
                self.changes.append(
                    f"{name}: {self._says(before, in_csv)}, scan saw {seen:,} — now {after:,} "
                    "(--prune)"
                )
            if in_csv > seen:
                self.kept.append(f"{name}: {self.csv_name} still lists {in_csv:,}: edit it by hand")
        elif seen < before:
            self.kept.append(
                f"{name}: {self._says(before, in_csv)}, scan saw {seen:,} — kept {before:,}"
            )
        self._merge_broken(name, targets, scanned, replace=seen >= before or self.prune)
        degraded_after = self._degraded_total(targets)
        if degraded_after != degraded_before:
            self.changes.append(
                f"{name}: broken at start: {describe_degraded(*degraded_before)} → "
                f"{describe_degraded(*degraded_after)}"
            )

    def _boards(self, scanned: ScannedCohort) -> int:
        return self.catalog.get(scanned.model).hashboards

    @staticmethod
    def _scanned_down(scanned: ScannedCohort) -> dict[str, int]:
        return {str(part): n for part, n in scanned.machines_down.items() if n}

    @staticmethod
    def _degraded_total(targets: list[Target]) -> tuple[int, dict[str, int]]:
        dead, down = 0, dict[str, int]()
        for target in targets:
            d, parts = degraded_of(target.cohort)
            dead += d
            for part, n in parts.items():
                down[part] = down.get(part, 0) + n
        return dead, down

    def _merge_broken(
        self, name: str, targets: list[Target], scanned: ScannedCohort, replace: bool
    ) -> None:
        """The scan saw every machine (``replace``): the cohorts hold what it found broken.
        Otherwise the file's broken machines are kept and only raised to the scan's."""
        dead, down = scanned.dead_hashboards, self._scanned_down(scanned)
        if not replace:
            file_dead, file_down = self._degraded_total(targets)
            lower = [f"{machines_text(n)} down for a {p}" for p, n in sorted(file_down.items())
                     if n > down.get(p, 0)]  # fmt: skip
            if file_dead > dead:
                lower.append(counted(file_dead, "dead hashboard"))
            if lower:
                self.kept.append(f"{name}: kept {', '.join(lower)} (the scan saw fewer)")
            dead = max(0, dead - file_dead)
            down = {p: n - file_down.get(p, 0) for p, n in down.items() if n > file_down.get(p, 0)}
            if not dead and not down:
                return
        _, _, unplaced = place_broken(targets, self._boards(scanned), dead, down, replace)
        if unplaced:
            self.kept.append(
                f"{name}: {unplaced:,} broken machines or boards not recorded: the cohorts in "
                f"{self.csv_name or 'the file'} cannot hold them"
            )

    def _shrink(self, cohorts: list[Any], targets: list[Target], keep: int) -> None:
        """``--prune``: lower the counts to ``keep`` in all, newest cohorts first; cohorts
        left with no machine are removed."""
        excess = sum(t.count for t in targets) - max(0, keep)
        for target in reversed(targets):
            cut = min(excess, target.count)
            target.count -= cut
            excess -= cut
            target.cohort["count"] = target.count
        for target in [t for t in targets if t.count == 0]:
            cohorts.remove(target.cohort)
            targets.remove(target)

    def _is(self, cohort: Any, model: str) -> bool:
        """Whether a file cohort is of ``model`` at the scanned site."""
        return (
            isinstance(cohort, dict)
            and cohort.get("site") == self.site
            and cohort.get("model") == model
        )

    def unseen(self, cohorts: list[Any], seen: set[str]) -> None:
        """Cohorts of the scanned site whose model the scan did not see: kept, or removed
        with ``--prune``."""
        counts: dict[str, int] = {}
        for cohort in cohorts:
            if isinstance(cohort, dict) and cohort.get("site") == self.site:
                model = str(cohort.get("model"))
                if model not in seen:
                    counts[model] = counts.get(model, 0) + (whole(cohort.get("count")) or 0)
        for site, model in self.csv:
            if site == self.site and model not in seen:
                counts.setdefault(model, 0)
        for model in sorted(counts):
            in_csv = self.csv.get((self.site, model), 0)
            total = counts[model] + in_csv
            name = f"cohort {self.site}/{model}"
            if self.prune and counts[model]:
                for cohort in [c for c in cohorts if self._is(c, model)]:
                    cohorts.remove(cohort)
                self.changes.append(
                    f"removed {name}: {self._says(total, in_csv)}, scan saw 0 (--prune)"
                )
                if in_csv:
                    self.kept.append(f"{name}: {self.csv_name} still lists {in_csv:,}")
            else:
                self.kept.append(
                    f"{name}: {self._says(total, in_csv)}, scan saw 0 — kept {total:,}"
                )


def merge_scan(
    existing: Mapping[str, Any] | None,
    scanned: list[ScannedCohort],
    site: str,
    dates: InstallDates,
    catalog: Catalog,
    *,
    prune: bool = False,
    path: Path | None = None,
) -> MergeResult:
    """Merge scanned cohorts of ``site`` into ``existing`` (a parsed fleet file: a plain
    mapping, or the round-trip one of
    :func:`~hashshock.scan.yamlfile.read_fleet_document`; or None for a new file).

    Nothing the scan did not see is lowered or removed unless ``prune`` (see the module
    docstring); ``existing`` is not modified. Raises :class:`InputError` if the merged
    fleet does not validate as ``hashshock run`` would read it.
    """
    data: dict[str, Any] = (
        cast(dict[str, Any], copy.deepcopy(existing)) if existing else {"name": "scanned-fleet"}
    )
    if "start_date" not in data:
        data["start_date"] = _fresh(dates.scan_date)
    base = path.parent if path else Path.cwd()
    merger = _Merger(data, site, dates, catalog, prune, base)
    merger.add_site()
    cohorts = merger.cohorts(path)
    for cohort in scanned:
        merger.merge(cohorts, cohort, path)
    merger.unseen(cohorts, {c.model for c in scanned})
    try:
        fleet = fleet_from_mapping(as_run_reads_it(data), path, base)
    except InputError as exc:
        if prune and exc.problem.startswith(NO_MACHINE):  # pruned to nothing: say why
            raise InputError(
                path, "--prune", f"the scan saw no machine at site '{site}' that the fleet "
                "keeps, so pruning would leave the fleet with none", "check that the scan "
                "reached the site's miners (addresses, credentials), or leave out --prune",
            ) from None  # fmt: skip
        raise
    return MergeResult(
        data=data, fleet=fleet, changes=merger.changes, kept=merger.kept,
        added_cohorts=merger.added,
    )  # fmt: skip
