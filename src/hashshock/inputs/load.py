"""Load and cross-check fleet and scenario files.

:func:`load_fleet` and :func:`load_scenario` are the only doors from files into
validated models; everything they reject raises :class:`InputError` naming the
file, the field and the fix.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from hashshock.inputs.catalog import (
    Catalog,
    FailurePrior,
    ModelSpec,
    load_catalog,
    part_defaults,
    read_failure_rates,
    site_defaults,
    vendor_defaults,
)
from hashshock.inputs.errors import (
    InputError,
    check_path_like,
    from_validation_error,
    unknown_name_fix,
)
from hashshock.inputs.files import (
    MAPPING_FOLDER,
    check_columns,
    read_csv_numbered,
    read_yaml_mapping,
)
from hashshock.inputs.finance import OVERHEAD_NOTE_USD
from hashshock.inputs.fleet import (
    MAX_FLEET_MACHINES,
    MOST_YEARS_FROM_START,
    Cohort,
    Fleet,
    SparesStock,
)
from hashshock.inputs.scenario import Event, Scenario
from hashshock.inputs.strict import check_again


@dataclass(frozen=True)
class LoadedFleet:
    """A validated fleet with its catalogue (bundled plus the user's models).

    Its fields as validated are remembered (:attr:`checked_as`): a fleet changed in place
    afterwards (``loaded.fleet.spares[0].on_hand = -50``; pydantic does not check an
    assignment) is checked again before it runs (:func:`checked_again`)."""

    fleet: Fleet
    catalog: Catalog
    path: Path | None = None
    failure_rates: tuple[FailurePrior, ...] = ()  # the fleet's own (``failure_rates:``)
    warnings: tuple[str, ...] = ()  # accepted, but worth a line (zero cohorts, huge fleets)
    checked_as: str = field(default="", compare=False, repr=False)

    def __post_init__(self) -> None:
        if not self.checked_as:
            object.__setattr__(self, "checked_as", self.fleet.model_dump_json())

    def __repr__(self) -> str:
        # One line: the default printed the whole validated fleet and its catalogue
        # (7,300 characters for the small farm) in a notebook's cell
        where = f", path={str(self.path)!r}" if self.path else ""
        return (f"LoadedFleet(name={self.fleet.name!r}, machines={self.machines:,}, "
                f"cohorts={len(self.fleet.cohorts)}, sites={len(self.fleet.sites)}, "
                f"warnings={len(self.warnings)}{where})")  # fmt: skip

    def model_of(self, slug: str) -> ModelSpec:
        return self.catalog.get(slug)

    def content(self) -> dict[str, Any]:
        """The fleet as it runs, as JSON data: its fields (cohorts from a cohorts CSV
        among them) and, for a ``failure_rates`` file, the rows read from it — a digest or
        ``runs diff`` then sees an edit to the file, not only its name."""
        content = self.fleet.model_dump(mode="json")
        if self.failure_rates:
            content["failure_rates_read"] = [asdict(prior) for prior in self.failure_rates]
        return content

    @property
    def machines(self) -> int:
        return sum(c.count for c in self.fleet.cohorts)

    @property
    def nameplate_ths(self) -> float:
        return sum(c.count * self.catalog.get(c.model).hashrate_ths for c in self.fleet.cohorts)


#: The columns of a cohorts CSV: the four a cohort needs, then an optional label.
_CSV_COHORT_COLUMNS = ("model", "count", "site", "install_date", "label")


def check_near_start(day: date, start: date, path: str | Path | None, field: str) -> None:
    """Refuse ``day`` more than :data:`~hashshock.inputs.fleet.MOST_YEARS_FROM_START`
    years from ``start`` (before or after): a mistyped year."""
    years = abs((day - start).days) / 365.25
    if years > MOST_YEARS_FROM_START:
        raise InputError(path, field, f"{day} is {years:,.0f} years from the start ({start})",
                         f"check the year (at most {MOST_YEARS_FROM_START} years from the "
                         "start)")  # fmt: skip


def _csv_cohorts(path: Path) -> tuple[list[dict[str, Any]], list[int]]:
    """The cohorts of a cohorts CSV, and the row each is on (the header is row 1)."""
    header, rows, lines = read_csv_numbered(path)
    columns = "use columns model,count,site,install_date[,label]"
    if not rows:
        raise InputError(path, None, "no cohorts", f"{columns}, a row per cohort")
    check_columns(path, header, _CSV_COHORT_COLUMNS[:4], columns)
    unknown = [h for h in header if h and h not in _CSV_COHORT_COLUMNS]
    if unknown:
        raise InputError(path, "header", f"unknown column {unknown[0]!r}",
                         f"{columns} (other cohort fields go in the fleet file)")  # fmt: skip
    out: list[dict[str, Any]] = []
    for line, row in zip(lines, rows, strict=True):
        raw = row.get("count", "")
        try:
            count = int(raw)
        except ValueError:
            raise InputError(
                path, f"row {line}, count", f"{raw!r} is not a whole number", "write e.g. 250"
            ) from None
        item: dict[str, Any] = {
            "model": row["model"],
            "count": count,
            "site": row["site"],
            "install_date": row["install_date"],
        }
        if row.get("label"):
            item["label"] = row["label"]
        out.append(item)
    return out, lines


def _on_csv_row(exc: InputError, path: Path | None, first: int, csv_path: Path,
                lines: list[int]) -> InputError:  # fmt: skip
    """``exc`` about ``cohorts[i]`` told on the CSV row that cohort came from when it is
    one of the CSV's (cohorts ``first`` … on), else as it is."""
    found = re.match(r"cohorts\[(\d+)\]\.?(.*)", exc.field or "")
    if exc.file != (str(path) if path is not None else None) or not found:
        return exc
    i = int(found.group(1)) - first
    if not 0 <= i < len(lines):
        return exc
    field = f"row {lines[i]}" + (f", {found.group(2)}" if found.group(2) else "")
    return InputError(csv_path, field, exc.problem, exc.fix)


def plain_numbers(value: Any) -> Any:
    """``value`` with every numpy scalar inside its dicts and lists made the Python number
    it holds (``np.int64(40)`` → ``40``), and every path the text it names
    (``Path("rates.csv")`` → ``"rates.csv"``): a mapping built in Python is a user's
    mapping all the same, and the models take whole numbers and file names strictly.

    >>> import numpy as np
    >>> from pathlib import Path
    >>> plain_numbers({"count": np.int64(40), "x": [np.float64(0.5)], "f": Path("r.csv")})
    {'count': 40, 'x': [0.5], 'f': 'r.csv'}
    """
    if isinstance(value, dict):
        return {k: plain_numbers(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(plain_numbers(v) for v in value)
    if type(value).__module__ == "numpy" and getattr(value, "shape", None) == ():
        return value.item()  # a numpy scalar (numpy is not imported for this)
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    return value


def given_fields(value: Any) -> Any:
    """A model's fields as the mapping a file would give: each one set or changed from
    its default, nested models alike, in Python values (dates stay dates, NaN stays NaN
    for validation to refuse). Set *or changed*: pydantic marks a field set when it is
    given or assigned, not when something inside it changes
    (``fleet.operations.downtime_share = 0.2`` leaves ``operations`` unset), and a
    mapping of every field would give fields that act only when given (a covenant's
    ``quarters``)."""
    if isinstance(value, BaseModel):
        out = {}
        for name, info in type(value).model_fields.items():
            now = getattr(value, name)
            if name in value.model_fields_set or now != info.get_default(call_default_factory=True):
                out[name] = given_fields(now)
        return out
    if isinstance(value, dict):
        return {k: given_fields(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [given_fields(v) for v in value]
    return value


def fleet_from_mapping(
    data: dict[str, Any], path: Path | None = None, base_dir: Path | None = None
) -> LoadedFleet:
    """Validate an already-parsed fleet mapping (``path`` is used in messages, and its
    folder — the real file's, when it is a symbolic link, as a scenario's includes are —
    for relative files; numpy numbers in it count as the Python numbers they hold)."""
    base = base_dir or (path.resolve().parent if path else Path.cwd())
    data = plain_numbers(data)
    _refuse_retired(data, path)
    try:
        fleet = Fleet.model_validate(data)
    except ValidationError as exc:
        raise from_validation_error(exc, path, Fleet) from None
    from_csv: tuple[int, Path, list[int]] | None = None  # first CSV cohort, file, rows
    if fleet.cohorts_csv:
        csv_path = _referenced(path, base, "cohorts_csv", fleet.cohorts_csv,
                               "a CSV of cohorts (model, count, site, install_date)")  # fmt: skip
        items, lines = _csv_cohorts(csv_path)
        extra = []
        for item, line in zip(items, lines, strict=True):
            try:
                extra.append(Cohort.model_validate(item))
            except ValidationError as exc:
                err = from_validation_error(exc, csv_path, Cohort)
                raise InputError(csv_path, f"row {line}, {err.field}", err.problem,
                                 err.fix) from None  # fmt: skip
        from_csv = (len(fleet.cohorts), csv_path, lines)
        fleet = fleet.model_copy(update={"cohorts": [*fleet.cohorts, *extra]})
        fleet._csv_read = True
    machines = sum(c.count for c in fleet.cohorts) + sum(o.count for o in fleet.orders)
    if machines == 0:  # its availability would be 0 of 0, its money that of no fleet
        raise InputError(
            path, "cohorts", f"{NO_MACHINE} (no cohort counts any) and no order brings one: "
            "there is nothing to simulate", "give a cohort a count above 0, or an order",
        )  # fmt: skip
    if machines > MAX_FLEET_MACHINES:
        raise InputError(
            path, "cohorts", f"{machines:,} machines in all is more than the whole network has",
            f"check the counts for extra zeros (at most {MAX_FLEET_MACHINES:,} machines)",
        )  # fmt: skip
    catalog = load_catalog(
        _referenced(path, base, "catalog", fleet.catalog, "a CSV of models with the columns of "
                    "data/models.csv") if fleet.catalog else None
    )  # fmt: skip
    try:
        _cross_check(fleet, catalog, path)
        _check_routes(fleet, path)
        _check_sites(fleet, path)
    except InputError as exc:
        raise exc if from_csv is None else _on_csv_row(exc, path, *from_csv) from None
    rates: tuple[FailurePrior, ...] = ()
    if fleet.failure_rates:
        rates = read_failure_rates(_referenced(path, base, "failure_rates", fleet.failure_rates,
                                               "a CSV written by `hashshock fit`"),
                                   catalog)  # fmt: skip
    warnings = (*catalog.replaced_warning(base / fleet.catalog if fleet.catalog else None),
                *_warnings(fleet, catalog, path))  # fmt: skip
    return LoadedFleet(fleet=fleet, catalog=catalog, path=path, failure_rates=rates,
                       warnings=warnings)  # fmt: skip


def checked_again(loaded: LoadedFleet) -> LoadedFleet:
    """``loaded`` if its fleet is as it was validated, else the changed fleet validated
    again — its fields, then the checks across them (sites, models, routes) — with its
    warnings recomputed: an :class:`InputError` naming the field if a change is wrong."""
    now = loaded.fleet.model_dump_json()
    if now == loaded.checked_as:
        return loaded
    try:
        fleet = Fleet.model_validate(plain_numbers(given_fields(loaded.fleet)))
    except ValidationError as exc:
        raise from_validation_error(exc, loaded.path, Fleet) from None
    _cross_check(fleet, loaded.catalog, loaded.path)
    _check_routes(fleet, loaded.path)
    _check_sites(fleet, loaded.path)
    return replace(loaded, fleet=fleet, warnings=_warnings(fleet, loaded.catalog, loaded.path),
                   checked_as="")  # fmt: skip


def _refuse_retired(data: dict[str, Any], path: Path | None) -> None:
    """A field older fleet files may still have, with why it went and what to do."""
    orders = data.get("orders")
    for i, order in enumerate(orders if isinstance(orders, list) else []):
        if isinstance(order, dict) and "vendor" in order:
            raise InputError(
                path, f"orders[{i}].vendor",
                "is no longer read: an order's vendor is always its model's (models.csv)",
                "remove the field",
            )  # fmt: skip


@contextmanager
def labelled_as(label: str) -> Iterator[None]:
    """An :class:`InputError` of data given without a file (a mapping in Python) names
    ``label`` where a file would be: "fleet: start_date: field required", as a scenario
    mapping's says "scenario: …"."""
    try:
        yield
    except InputError as exc:
        if exc.file is not None:
            raise
        raise InputError(label, exc.field, exc.problem, exc.fix) from None


def load_fleet(fleet: str | Path | dict[str, Any] | Fleet | LoadedFleet) -> LoadedFleet:
    """Read and validate a fleet YAML file, or a fleet as ``run`` takes one: a mapping of
    its fields (relative files from the working folder), a :class:`Fleet`, or a loaded
    fleet (checked again: its fields may have changed since)."""
    if isinstance(fleet, LoadedFleet):
        return checked_again(fleet)
    if isinstance(fleet, dict):
        with labelled_as("fleet"):  # beside a scenario mapping, which one is wrong
            return fleet_from_mapping(fleet)
    if isinstance(fleet, Fleet):  # checked again as a mapping: the file's own checks
        # A CSV this fleet's cohorts hold already is left out of its dump; one not read
        # yet would be read from here, relative to who knows what: refused.
        if fleet.cohorts_csv and not fleet._csv_read:
            raise InputError(
                None, "fleet.cohorts_csv", "a Fleet object cannot name a cohorts CSV it has "
                "not read",
                "give the fleet file's path, or what hashshock.load_fleet returns",
            )  # fmt: skip
        fields = given_fields(fleet)
        if fleet._csv_read:
            del fields["cohorts_csv"]
        with labelled_as("fleet"):
            return fleet_from_mapping(fields)
    file = check_path_like(fleet, "fleet", "give a fleet file's path, a mapping of its fields "
                           "or a Fleet")  # fmt: skip
    return fleet_from_mapping(read_yaml_mapping(file, "fleet"), file)


#: Machines older than this (years) at the start are said: past any ASIC's working life
#: (ASSUMPTION [E]: miners depreciate ASICs over 3–5 years; the longest-lived model, the
#: S9 of 2016, mined into 2023-24).
OLDEST_MACHINE_YEARS = 8

#: A site's power price below this (USD/MWh) is said: it reads like a price per kWh.
CHEAPEST_POWER_USD_PER_MWH = 5.0

#: The US installed base (machines, INDUSTRY.md: ≈ 2.1 M in service plus ≈ 0.1 M idle,
#: 2.4-3.3 M by fleet-average TH/s); a larger fleet is worth a second look.
US_INSTALLED_BASE_MACHINES = 2_500_000


#: How a fleet of no machine is refused (its message starts so; ``scan --prune`` says why).
NO_MACHINE = "the fleet has no machine"


def _referenced(path: Path | None, base: Path, field: str, name: str, what: str) -> Path:
    """The file a fleet file's ``field`` names (relative to the fleet file), which must
    exist: else an error naming the field, and ``what`` it should be."""
    target = base / name
    if not target.is_file():
        found = ("is a folder" if target.is_dir() else
                 "is not a regular file (a pipe or a device)" if target.exists() else
                 "not found")  # fmt: skip
        start = "the fleet file" if path is not None else MAPPING_FOLDER
        raise InputError(path, field, f"{target} {found}",
                         f"give {what}, its path relative to {start}")  # fmt: skip
    return target


#: Cohorts named one by one in a warning; more are counted in one line (a CSV of
#: 200,000 cohorts with one mistake copied down would otherwise print 200,000 lines).
WARNED_COHORTS = 5


def _per_cohort(where: str, lines: list[tuple[int, str]], many: str) -> list[str]:
    """One warning a cohort, or for more than :data:`WARNED_COHORTS` one line naming the
    first of them and counting the rest."""
    if len(lines) <= WARNED_COHORTS:
        return [f"{where}{line}" for _, line in lines]
    first = ", ".join(f"cohorts[{i}]" for i, _ in lines[:WARNED_COHORTS])
    return [f"{where}{len(lines):,} cohorts ({first}, …) {many}"]


def _spares_twice(fleet: Fleet, where: str) -> list[str]:
    """A warning for each pool whose stock several ``spares`` rows give: their stocks are
    added (two purchase lots may be meant), but a row pasted twice doubles the shelf in
    silence, where a site listed twice is refused."""
    rows: dict[tuple[str, str, str | None], list[int]] = {}
    for i, row in enumerate(fleet.spares):
        rows.setdefault((row.site, row.part, row.family), []).append(i)
    out = []
    for (site, part, family), found in rows.items():
        if len(found) > 1:
            total = sum(fleet.spares[i].on_hand for i in found)
            listed = ", ".join(f"spares[{i}]" for i in found)
            out.append(f"{where}{listed} all stock {part} at {site}"
                       + (f" for {family}" if family else "")
                       + f": their {total:,} on hand are added together — check no row is "
                       "listed twice")  # fmt: skip
    return out


def _warnings(fleet: Fleet, catalog: Catalog, path: Path | None) -> tuple[str, ...]:
    """What is accepted but worth a line: empty cohorts, machines installed before their
    model was released, a liquidity floor above the starting cash (breached on day 0),
    machines to buy with no money to buy them, a fleet larger than the US's."""
    where = f"{path}: " if path else ""
    out = _per_cohort(where, [
        (i, f"cohorts[{i}] has 0 machines: it is kept but simulates nothing")
        for i, cohort in enumerate(fleet.cohorts) if cohort.count == 0
    ], "have 0 machines: they are kept but simulate nothing")  # fmt: skip
    early = [(i, cohort, catalog.get(cohort.model).release_year)
             for i, cohort in enumerate(fleet.cohorts)]  # fmt: skip
    out += _per_cohort(where, [
        (i, f"cohorts[{i}].install_date {cohort.install_date} is before {cohort.model} was "
            f"released ({released}): check the date")
        for i, cohort, released in early if cohort.install_date.year < released
    ], "were installed before their model was released: check the dates")  # fmt: skip
    if not any(c.count for c in fleet.cohorts) and fleet.orders:
        out.append(f"{where}cohorts: no machine is installed at the start; the fleet is its "
                   "orders, so its availability reads '—' until the first arrives")  # fmt: skip
    finance = fleet.finance
    if finance is not None and "cash_usd" not in finance.model_fields_set:
        out.append(f"{where}finance: no cash_usd, so the fleet starts with $0 of cash (a day "
                   "of costs before revenue breaks it): give its cash")  # fmt: skip
    for i, staffed in enumerate(fleet.sites):
        if staffed.technicians == 0 and any(c.site == staffed.name and c.count
                                            for c in fleet.cohorts):  # fmt: skip
            out.append(f"{where}sites[{i}] ({staffed.name}).technicians: 0, so no broken part "
                       "is ever swapped there and its machines only wait: check it (the "
                       "default is data/sites.csv's, by its machines)")  # fmt: skip
    out += _spares_twice(fleet, where)
    # (a machine installed before its model's release is said so above, not twice)
    old = [(i, cohort, (fleet.start_date - cohort.install_date).days / 365.25)
           for i, cohort, released in early if cohort.install_date.year >= released]  # fmt: skip
    out += _per_cohort(where, [
        (i, f"cohorts[{i}]: its machines are {years:.1f} years old at the start, past an "
            f"ASIC's working life (about {OLDEST_MACHINE_YEARS} years at most): check "
            "install_date")
        for i, cohort, years in old if years > OLDEST_MACHINE_YEARS and cohort.count
    ], f"are over {OLDEST_MACHINE_YEARS} years old at the start: check install dates")  # fmt: skip
    for i, priced in enumerate(fleet.sites):
        price = priced.power_usd_per_mwh
        if price is not None and 0 < price < CHEAPEST_POWER_USD_PER_MWH:
            out.append(f"{where}sites[{i}] ({priced.name}).power_usd_per_mwh: ${price:g} a MWh "
                       f"is a price per kWh? (${price * 1000:,.0f}/MWh is ${price:g}/kWh): "
                       "give USD per MWh")  # fmt: skip
    overhead = finance.overhead_usd_per_machine_day if finance is not None else None
    if overhead is not None and overhead > OVERHEAD_NOTE_USD:
        out.append(f"{where}finance.overhead_usd_per_machine_day: ${overhead:,.2f} a machine "
                   "a day is more than a 3.5 kW machine's whole power bill at $40/MWh "
                   f"($3.36): a monthly figure? (${overhead / 30:,.2f} a day): give USD per "
                   "machine per day")  # fmt: skip
    nameplate = sum(c.count * catalog.get(c.model).hashrate_ths for c in fleet.cohorts)
    nameplate += sum(o.count * catalog.get(o.model).hashrate_ths for o in fleet.orders)
    for i, covenant in enumerate(finance.covenants if finance else []):
        assert finance is not None
        if covenant.type == "min_liquidity" and (covenant.value or 0.0) > finance.cash_usd:
            out.append(f"{where}finance.covenants[{i}] ({covenant.name}): the liquidity "
                       f"floor ${covenant.value:,.0f} is above the starting cash "
                       f"${finance.cash_usd:,.0f}, so it is breached on day 0: check "
                       "both")  # fmt: skip
        for q, quarter in enumerate(covenant.quarters):
            far = quarter.min_ths > nameplate or quarter.min_ths < nameplate / 1000
            if covenant.type == "hashrate_commitment" and nameplate > 0 and far:
                out.append(f"{where}finance.covenants[{i}] ({covenant.name}).quarters[{q}]"
                           f".min_ths: {quarter.min_ths:,.6g} TH/s against the fleet's "
                           f"{nameplate:,.0f} TH/s nameplate (orders included): check the "
                           "unit, TH/s (1 EH/s = 1,000,000 TH/s)")  # fmt: skip
                break
    buying = finance is not None and (
        finance.replacement.donor_machines or finance.replacement.availability_target is not None
    )
    if buying and finance is not None and finance.machine_budget_usd() <= 0:
        what = " and ".join(name for name, on in (
            ("replacement machines", finance.replacement.availability_target is not None),
            ("donor machines", finance.replacement.donor_machines)) if on)  # fmt: skip
        why = ("budget_usd is 0" if finance.replacement.budget_usd is not None else
               f"the starting cash ${finance.cash_usd:,.0f} is not above the liquidity floor "
               f"${finance.liquidity_floor_usd():,.0f}")  # fmt: skip
        out.append(f"{where}finance.replacement: {what} are to be bought, but {why}, so none "
                   "will be: give budget_usd, or more cash")  # fmt: skip
    if fleet.transshipment is not None:
        # Spares fit one model family: sites share spares only of a family both run.
        sites_of: dict[str, set[str]] = {}
        placed = [(c.model, c.site) for c in fleet.cohorts]
        placed += [(o.model, o.site) for o in fleet.orders]
        for model, site in placed:
            sites_of.setdefault(catalog.get(model).family, set()).add(site)
        if all(len(sites) < 2 for sites in sites_of.values()):
            out.append(f"{where}transshipment: no model family runs at two sites, and spares "
                       "fit one family, so no spare can move between sites: it changes "
                       "nothing")  # fmt: skip
    machines = sum(c.count for c in fleet.cohorts) + sum(o.count for o in fleet.orders)
    if machines > US_INSTALLED_BASE_MACHINES:
        out.append(
            f"{where}{machines:,} machines is more than the whole US installed base "
            f"(≈ {US_INSTALLED_BASE_MACHINES:,}): check the counts"
        )
    return tuple(out)


def _check_sites(fleet: Fleet, path: Path | None) -> None:
    """A site's swaps a day (technicians × swaps each) are whole swaps: below one a day,
    the engine's daily capacity would be zero, so such a site is refused."""
    per_tech_default = site_defaults()["swaps_per_technician_day"]
    for i, site in enumerate(fleet.sites):
        if site.technicians is None or site.technicians == 0:
            continue
        rate = site.swaps_per_technician_day or per_tech_default
        if site.technicians * rate < 1:
            raise InputError(
                path, f"sites[{i}].swaps_per_technician_day",
                f"{site.technicians} × {rate:g} is less than one swap a day",
                "the engine counts whole swaps a day: give the site at least one swap a day",
            )  # fmt: skip


def _check_routes(fleet: Fleet, path: Path | None) -> None:
    """Each repair route's in-house and scrap shares, the fleet's over data/parts.csv,
    leave a share (≥ 0) for the vendor repair centre."""
    defaults = part_defaults()
    for part, route in fleet.repair_routes.items():
        base = defaults[part]
        in_house = base.in_house_share if route.in_house_share is None else route.in_house_share
        scrap = base.scrap_share if route.scrap_share is None else route.scrap_share
        if in_house + scrap > 1 + 1e-9:
            given = "in_house_share" if route.in_house_share is not None else "scrap_share"
            other = "scrap_share" if given == "in_house_share" else "in_house_share"
            room = 1.0 - (scrap if given == "in_house_share" else in_house)
            raise InputError(
                path, f"repair_routes.{part}.{given}",
                f"in_house_share {in_house:g} + scrap_share {scrap:g} = {in_house + scrap:g} "
                f"exceeds 1 ({other} {1 - room:g} is the default of data/parts.csv)",
                f"use {given} ≤ {room:g}, or set {other} too",
            )  # fmt: skip


def _cross_check(fleet: Fleet, catalog: Catalog, path: Path | None) -> None:
    sites = [s.name for s in fleet.sites]

    def check_site(name: str, field: str) -> None:
        if name not in sites:
            raise InputError(
                path, field, f"site '{name}' is not defined",
                unknown_name_fix(name, sites, "site") + " or add it under `sites`",
            )  # fmt: skip

    if not fleet.cohorts and not fleet.orders:
        raise InputError(path, "cohorts", "no machines", "add at least one cohort")
    for i, cohort in enumerate(fleet.cohorts):
        catalog.get(cohort.model, path, f"cohorts[{i}].model")
        check_site(cohort.site, f"cohorts[{i}].site")
        if cohort.install_date > fleet.start_date:
            raise InputError(
                path, f"cohorts[{i}].install_date", "is after start_date",
                "machines not yet installed belong under `orders`",
            )  # fmt: skip
        if cohort.set_aside and cohort.set_aside > cohort.count:
            raise InputError(
                path, f"cohorts[{i}].set_aside",
                f"{cohort.set_aside} machines set aside, the cohort has {cohort.count}",
                "set aside at most the cohort's count",
            )  # fmt: skip
        if cohort.degraded:
            spec = catalog.get(cohort.model)
            mining = cohort.count - (cohort.set_aside or 0)
            if cohort.degraded.dead_hashboards > mining * spec.hashboards:
                raise InputError(
                    path, f"cohorts[{i}].degraded.dead_hashboards",
                    "more dead boards than the cohort has mining", "lower it",
                )  # fmt: skip
            if sum(cohort.degraded.machines_down.values()) > mining:
                raise InputError(
                    path, f"cohorts[{i}].degraded.machines_down",
                    "more machines down than the cohort has mining (count − set_aside)",
                    "lower the counts",
                )  # fmt: skip
            for part, down in cohort.degraded.machines_down.items():
                if down and spec.parts_per_machine(part) == 0:
                    raise InputError(
                        path, f"cohorts[{i}].degraded.machines_down.{part}",
                        f"{cohort.model} has no {part.replace('_', ' ')}: none of its machines "
                        f"can wait for one", f"drop {part}, or give the part that stops them",
                    )  # fmt: skip
    families_by_site: dict[str, set[str]] = {}
    models_by_site: dict[str, set[ModelSpec]] = {}  # installed or ordered there
    for cohort in fleet.cohorts:
        spec = catalog.get(cohort.model)
        families_by_site.setdefault(cohort.site, set()).add(spec.family)
        models_by_site.setdefault(cohort.site, set()).add(spec)
    for i, order in enumerate(fleet.orders):
        spec = catalog.get(order.model, path, f"orders[{i}].model")
        check_site(order.site, f"orders[{i}].site")
        families_by_site.setdefault(order.site, set()).add(spec.family)
        models_by_site.setdefault(order.site, set()).add(spec)
        if order.due_date < fleet.start_date:
            raise InputError(
                path, f"orders[{i}].due_date",
                f"{order.due_date} is before start_date {fleet.start_date}",
                "machines already delivered belong under `cohorts` (with their install_date)",
            )  # fmt: skip
    # Dates of money that must fall after the start: before it they never act.
    finance = fleet.finance
    dated = [] if finance is None else [
        *((f"finance.loans[{i}].maturity_date", loan.maturity_date,
           "drop a loan already repaid, or give its real maturity date")
          for i, loan in enumerate(finance.loans)),
        *((f"finance.covenants[{i}].quarters[{q}].quarter_end", quarter.quarter_end,
           "drop quarters that end by the start date (one ending on day 0 has no days "
           "of the run to average)")
          for i, covenant in enumerate(finance.covenants)
          for q, quarter in enumerate(covenant.quarters)),
        *((f"finance.btc_pledges[{i}].until_date", pledge.until_date,
           "drop a pledge already released, or give the date it is released")
          for i, pledge in enumerate(finance.btc_pledges) if pledge.until_date is not None),
    ]  # fmt: skip
    for field_name, day, fix in dated:
        if day <= fleet.start_date:
            raise InputError(path, field_name,
                             f"{day} is not after start_date {fleet.start_date}", fix)  # fmt: skip
    for field_name, day in [*((f, d) for f, d, _ in dated),
                            *((f"orders[{i}].due_date", o.due_date)
                              for i, o in enumerate(fleet.orders))]:  # fmt: skip
        check_near_start(day, fleet.start_date, path, field_name)
    if fleet.finance and fleet.finance.replacement.model:
        catalog.get(fleet.finance.replacement.model, path, "finance.replacement.model")
    for i, stock in enumerate(fleet.spares):
        check_site(stock.site, f"spares[{i}].site")
        _check_spares_serve(stock, models_by_site.get(stock.site, set()), path, i)
        if stock.family is None:
            continue
        if stock.family not in catalog.families:
            raise InputError(
                path, f"spares[{i}].family", f"unknown model family '{stock.family}'",
                unknown_name_fix(stock.family, sorted(catalog.families), "family",
                                 "hashshock catalog"),
            )  # fmt: skip
        if stock.family not in families_by_site.get(stock.site, set()):
            raise InputError(
                path, f"spares[{i}].family",
                f"no machines of family '{stock.family}' at site '{stock.site}'",
                "put the spares at a site that runs that family, or drop them",
            )  # fmt: skip
    for i, site in enumerate(fleet.sites):
        for model in site.donors or {}:
            field = f"sites[{i}].donors.{model}"
            family = catalog.get(model, path, field).family
            if family not in families_by_site.get(site.name, set()):
                raise InputError(
                    path, field, f"no machines of family '{family}' at site '{site.name}' "
                    "for the donors' parts to serve",
                    "hold donors at a site that runs their family, or drop them",
                )  # fmt: skip


def _check_spares_serve(
    stock: SparesStock, models: set[ModelSpec], path: Path | None, i: int
) -> None:
    """A spares entry must serve a machine of its site (installed or ordered) that has
    slots of its part type (of its family, if it names one): else the parts never move."""
    serving = [m for m in models if stock.family in (None, m.family)]
    if not serving:
        if stock.family is None:  # a named family is checked with its own message
            raise InputError(
                path, f"spares[{i}].site", f"no machines at site '{stock.site}', installed or "
                "ordered", "put the spares at a site that runs machines, or drop them",
            )  # fmt: skip
        return
    if all(m.parts_per_machine(stock.part) == 0 for m in serving):
        names = ", ".join(sorted(m.slug for m in serving))
        raise InputError(path, f"spares[{i}].part",
                         f"no machine at site '{stock.site}' has a {stock.part} ({names})",
                         "drop the entry: those machines have no such slot")  # fmt: skip


# --- scenarios -----------------------------------------------------------------


def _scenario_dir() -> Path:
    return Path(str(resources.files("hashshock") / "data" / "scenarios"))


def builtin_scenarios() -> dict[str, Path]:
    """Names of the bundled scenarios and their files."""
    return {p.stem: p for p in sorted(_scenario_dir().glob("*.yaml"))}


def resolve_scenario_ref(ref: str, base: Path | None) -> Path:
    """A built-in scenario's file, or ``ref`` as a path (relative to ``base``); an
    :class:`InputError` with 'did you mean' when ``ref`` is neither."""
    builtins = builtin_scenarios()
    if ref in builtins:
        return builtins[ref]
    candidate = Path(ref).expanduser()
    candidate = candidate if base is None or candidate.is_absolute() else base / candidate
    if candidate.exists() or ref.endswith((".yaml", ".yml")) or "/" in ref:
        return candidate
    raise InputError(
        None, "scenario", f"unknown scenario '{ref}'",
        unknown_name_fix(ref, list(builtins), "scenario", "hashshock scenarios")
        + " or give the path of a scenario YAML file",
    )  # fmt: skip


def load_scenario(ref: str | Path | Mapping[str, Any] | Scenario) -> Scenario:
    """A built-in scenario by name, a scenario YAML file, a mapping of its fields or a
    :class:`Scenario` (checked again: its fields may have changed since it was loaded);
    ``include`` is expanded in every case."""
    if isinstance(ref, Scenario):
        return checked_scenario(ref)
    if isinstance(ref, Mapping):
        return scenario_from_mapping(ref)
    as_path = check_path_like(ref, "scenario", "give a bundled scenario's name, a scenario "
                              "file, a mapping of its fields or a Scenario")  # fmt: skip
    return _load_scenario(as_path if isinstance(ref, Path) else ref, ())


def _load_scenario(ref: str | Path, _seen: tuple[Path, ...]) -> Scenario:
    """:func:`load_scenario`, ``_seen`` the files that include it (a loop is refused)."""
    path = ref if isinstance(ref, Path) else resolve_scenario_ref(ref, None)
    path = path.resolve() if path.exists() else path
    if path in _seen:
        raise InputError(path, "include", "scenarios include each other in a loop", "break it")
    data = read_yaml_mapping(path, "scenario")
    data.setdefault("name", path.stem)
    return _checked_scenario(data, path, _seen)


def scenario_from_mapping(data: Mapping[str, Any]) -> Scenario:
    """A scenario from a mapping of its fields, as a scenario YAML has them (``include``
    names built-in scenarios or files from the working folder), checked as a file is."""
    return _checked_scenario(plain_numbers(dict(data)), None, ())


def checked_scenario(scenario: Scenario) -> Scenario:
    """A :class:`Scenario` object checked again as a file is (its fields can have been
    changed since it was validated: pydantic does not check an assignment, and an event's
    NaN probability would run as never), its includes expanded."""
    check_again(scenario, "scenario")
    _check_event_vendors(scenario, scenario.name)
    return expand_includes(scenario)


def _checked_scenario(data: dict[str, Any], path: Path | None, _seen: tuple[Path, ...]) -> Scenario:
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise from_validation_error(exc, path or "scenario", Scenario) from None
    _check_event_vendors(scenario, path or scenario.name)
    return expand_includes(scenario, path, _seen)


def expand_includes(
    scenario: Scenario, path: Path | None = None, _seen: tuple[Path, ...] = ()
) -> Scenario:
    """``scenario`` with the events of the scenarios it includes (built-in names, or files
    relative to ``path``'s folder, else the working folder) in front of its own. An event
    of its own named like an included one replaces that one, in its place: a built-in
    scenario with one event changed needs only that event. ``network_wide`` comes with
    the events (true when an included scenario is), unless the scenario sets it."""
    events: list[Event] = []
    network_wide = scenario.network_wide
    for i, inc in enumerate(scenario.include):
        try:
            inc_path = resolve_scenario_ref(inc, path.parent if path else None)
        except InputError as exc:
            raise InputError(path, f"include[{i}]", exc.problem, exc.fix) from None
        included_scenario = _load_scenario(inc_path, (*_seen, *((path,) if path else ())))
        events.extend(included_scenario.events)
        if "network_wide" not in scenario.model_fields_set:
            network_wide = network_wide or included_scenario.network_wide
    included = {event.name: k for k, event in enumerate(events) if event.name is not None}
    for event in scenario.events:
        if event.name is not None and event.name in included:
            events[included[event.name]] = event
        else:
            events.append(event)
    return scenario.model_copy(
        update={"events": events, "include": [], "network_wide": network_wide}
    )


def check_scenario_against_fleet(scenario: Scenario, loaded: LoadedFleet) -> None:
    """Vendors named in events must be known ones."""
    _check_event_vendors(scenario, f"scenario {scenario.name}")


def _check_event_vendors(scenario: Scenario, where: str | Path) -> None:
    """Each vendor an event names is a known one (``where``: the scenario's file, or its
    name when it has none)."""
    known = sorted(vendor_defaults())
    for i, event in enumerate(scenario.events):
        for vendor in event.vendors or []:
            if vendor not in known:
                raise InputError(
                    where, f"events[{i}].vendors", f"unknown vendor '{vendor}'",
                    unknown_name_fix(vendor, known, "vendor"),
                )  # fmt: skip
