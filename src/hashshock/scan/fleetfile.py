"""Turn scanned machines into fleet-file cohorts and merge them into a fleet file.

Cohorts are aggregated by site x model. Machines already broken start the run
in that state (``degraded``): a machine with no working hashboard is down for
a hashboard, one with a failed fan is down for a fan (stock firmware stops on
fan faults), and dead boards of running machines are ``dead_hashboards``.
Dead boards of a machine that is down for another part are not recorded
(the fleet format has no place for them).

Merging keeps everything the user wrote: other sites, spares, routes, orders,
and the install date, label and any other field of a cohort that matches a
scanned (site, model). Only ``count`` and ``degraded`` are updated.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

from hashshock.inputs.catalog import Catalog, PartType
from hashshock.inputs.errors import InputError
from hashshock.inputs.load import LoadedFleet, fleet_from_mapping
from hashshock.scan.records import DEFAULT_ASSUMED_AGE_DAYS, MachineRecord

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
    """Cohorts (site x model) of the machines whose model is in the catalogue."""
    cohorts: dict[tuple[str, str], ScannedCohort] = {}
    for rec in records:
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

    def choose(self, cohort: ScannedCohort, release_year: int, start: date) -> date:
        if self.fixed is not None:
            return min(self.fixed, start)
        guess = self.scan_date - timedelta(days=self.assumed_age_days)
        up_days = math.ceil(cohort.longest_uptime_s / 86_400)
        guess = min(guess, self.scan_date - timedelta(days=up_days))
        guess = max(guess, date(release_year, 1, 1))
        return min(guess, self.scan_date, start)

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
    """The merged fleet mapping, its validated form and what changed (one line each)."""

    data: dict[str, Any]
    fleet: LoadedFleet
    notes: list[str]


def choose_site(existing: dict[str, Any] | None, site: str | None) -> str:
    """``--site`` if given; else the existing fleet's only site; else :data:`DEFAULT_SITE`."""
    if site:
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


def _machines(n: int) -> str:
    return f"{n} machine" if n == 1 else f"{n} machines"


def _spread(total: int, caps: list[int]) -> list[int]:
    """Share ``total`` out over slots in order, each at most its cap (rest to the last)."""
    out = []
    for cap in caps:
        take = min(total, cap)
        out.append(take)
        total -= take
    if out:
        out[-1] += total
    return out


def _update_matches(matches: list[dict[str, Any]], scanned: ScannedCohort, boards: int) -> None:
    counts = [int(c.get("count") or 0) for c in matches]
    diff = scanned.count - sum(counts)
    for i in reversed(range(len(matches))):  # the last (newest) cohorts absorb changes
        change = diff if diff > 0 else max(diff, -counts[i])
        counts[i] += change
        diff -= change
        if diff == 0:
            break
    dead = _spread(scanned.dead_hashboards, [n * boards for n in counts])
    down_by_part = {part: _spread(n, counts) for part, n in scanned.machines_down.items() if n}
    for i, cohort in enumerate(matches):
        cohort["count"] = counts[i]
        part_counts = {p: spread[i] for p, spread in sorted(down_by_part.items()) if spread[i]}
        share = ScannedCohort(scanned.site, scanned.model, counts[i], dead[i], part_counts)
        degraded = share.degraded()
        if degraded is None:
            cohort.pop("degraded", None)
        else:
            cohort["degraded"] = degraded


def merge_scan(
    existing: dict[str, Any] | None,
    scanned: list[ScannedCohort],
    site: str,
    dates: InstallDates,
    catalog: Catalog,
    *,
    prune: bool = False,
    path: Path | None = None,
) -> MergeResult:
    """Merge scanned cohorts of ``site`` into ``existing`` (a parsed fleet file, or None).

    Raises :class:`InputError` if the merged fleet does not validate.
    """
    data: dict[str, Any] = copy.deepcopy(existing) if existing else {"name": "scanned-fleet"}
    data.setdefault("start_date", dates.scan_date)
    start = data["start_date"] if isinstance(data["start_date"], date) else dates.scan_date
    sites = data.setdefault("sites", [])
    notes: list[str] = []
    if isinstance(sites, list) and not any(
        isinstance(s, dict) and s.get("name") == site for s in sites
    ):
        sites.append({"name": site})
        notes.append(f"added site '{site}'")
    cohorts = data.setdefault("cohorts", [])
    if not isinstance(cohorts, list):
        raise InputError(path, "cohorts", "is not a list", "write cohorts as YAML '- ' items")
    seen = set()
    for cohort in scanned:
        seen.add(cohort.model)
        spec = catalog.get(cohort.model)
        matches = [
            c for c in cohorts
            if isinstance(c, dict) and c.get("site") == site and c.get("model") == cohort.model
        ]  # fmt: skip
        if matches:
            _update_matches(matches, cohort, spec.hashboards)
            notes.append(f"updated {cohort.model} at {site}: {_machines(cohort.count)}")
            continue
        new: dict[str, Any] = {
            "model": cohort.model,
            "count": cohort.count,
            "site": site,
            "install_date": dates.choose(cohort, spec.release_year, start),
            "label": dates.label(),
        }
        degraded = cohort.degraded()
        if degraded is not None:
            new["degraded"] = degraded
        cohorts.append(new)
        notes.append(f"added {cohort.model} at {site}: {_machines(cohort.count)}")
    for cohort in list(cohorts):
        if not isinstance(cohort, dict) or cohort.get("site") != site:
            continue
        if cohort.get("model") not in seen:
            if prune:
                cohorts.remove(cohort)
                notes.append(f"removed {cohort.get('model')} at {site} (not seen, --prune)")
            else:
                notes.append(
                    f"kept {cohort.get('model')} at {site} unchanged: not seen in this scan"
                )
    fleet = fleet_from_mapping(data, path, path.parent if path else None)
    return MergeResult(data=data, fleet=fleet, notes=notes)


def render_fleet_yaml(data: dict[str, Any], header: list[str]) -> str:
    """The fleet mapping as YAML with ``# `` comment lines on top."""
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False)
    comments = "".join(f"# {line}\n" if line else "#\n" for line in header)
    return comments + body
