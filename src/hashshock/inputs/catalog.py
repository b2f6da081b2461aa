"""The bundled data: ASIC model catalogue, part defaults, failure priors, vendors.

Each bundled CSV in ``hashshock/data`` carries a ``source`` column; values
marked ``[E]`` there are assumptions. Users may add models with a CSV of the
same columns as ``models.csv``.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

from hashshock.inputs.errors import InputError, closest, unknown_name_fix
from hashshock.inputs.files import check_columns, read_csv_numbered, read_csv_rows

PartType = Literal["hashboard", "fan", "psu", "control_board"]
#: Part types in engine order: the hashboard first, then the parts that stop a machine.
PART_TYPES: tuple[PartType, ...] = ("hashboard", "fan", "psu", "control_board")
STOP_PARTS: tuple[PartType, ...] = ("fan", "psu", "control_board")


#: How a model is cooled (shown in the catalogue; a hydro or immersion machine's fans are
#: its ``fans`` count, 0 for most).
COOLINGS = ("air", "hydro", "immersion")


@dataclass(frozen=True)
class ModelSpec:
    """One ASIC model: nameplate and parts per machine."""

    slug: str
    vendor: str
    name: str
    family: str
    hashrate_ths: float
    power_w: float
    efficiency_j_per_th: float
    release_year: int
    cooling: str
    hashboards: int
    fans: int
    psus: int
    control_boards: int
    source: str

    def parts_per_machine(self, part: PartType) -> int:
        return {
            "hashboard": self.hashboards,
            "fan": self.fans,
            "psu": self.psus,
            "control_board": self.control_boards,
        }[part]


@dataclass(frozen=True)
class PartDefaults:
    """Default repair route and spares level for one part type (``parts.csv``)."""

    part: PartType
    default_spares_share: float
    swap_days: int
    in_house_share: float
    in_house_days: tuple[int, int]
    in_house_needs_vendor_parts: bool
    scrap_share: float
    vendor_turnaround_days: tuple[int, int]
    storage_share_of_machine: float  # a held part's customs storage, per machine's
    source: str


@dataclass(frozen=True)
class FailurePrior:
    """Weibull failure intensity for a part type, optionally for one family or model."""

    part: PartType
    applies_to: str
    weibull_shape: float
    first_year_failures_per_part: float
    source: str


@dataclass(frozen=True)
class VendorDefaults:
    vendor: str
    parts_origin: str
    machines_origin: str
    repair_centre_country: str
    parts_lead_time_days: int
    transit_days: int
    customs_clearance_days: int
    source: str


#: How far a model's stated J/TH may sit from power ÷ hashrate: spec sheets round, and
#: sources differ by 1-3 % (FACTS.md 7); the simulation uses the two it divides.
EFFICIENCY_TOLERANCE = 0.03
#: Most parts of one type in one machine a catalogue row may give: well above any ASIC's
#: (3-4 hashboards, 2-4 fans, 1-2 power supplies), so that a typo fails here rather than
#: as a run of billions of parts.
MAX_PARTS_PER_MACHINE = 32

MODEL_COLUMNS = (
    "slug", "vendor", "name", "family", "hashrate_ths", "power_w", "efficiency_j_per_th",
    "release_year", "cooling", "hashboards", "fans", "psus", "control_boards", "source",
)  # fmt: skip


def _data_path(name: str) -> Path:
    return Path(str(resources.files("hashshock") / "data" / name))


#: The Weibull shapes a failure rate may have: 1 is a constant hazard, above 1 wear-out,
#: below 1 infant mortality; fitted ASIC parts lie near 1, and outside 0.2-10 the hazard
#: is all on the first day or the last (a typo).
WEIBULL_SHAPE_RANGE = (0.2, 10.0)


def _number(
    row: dict[str, str], key: str, path: Path, line: int, kind: type = float,
    within: tuple[float, float] | None = None, fix: str = "",
) -> float:  # fmt: skip
    """Cell ``key`` of ``row`` (on ``line`` of ``path``) as a finite number of ``kind``, at
    least 0, or in ``within`` (low, high) when given: outside it, refused saying the
    range and why (``fix``)."""
    raw = row.get(key, "")
    try:
        value = kind(raw)
    except ValueError as exc:
        raise InputError(
            path, f"row {line}, {key}", f"{raw!r} is not a number", f"write {key} as a number"
        ) from exc
    if not math.isfinite(value):  # NaN passes every bound below and then hangs a run
        raise InputError(path, f"row {line}, {key}", f"{raw!r} is not a finite number",
                         f"write {key} as a number")  # fmt: skip
    if within is not None and not within[0] <= value <= within[1]:
        low, high = within
        raise InputError(path, f"row {line}, {key}", f"{value:g} is outside {low:g}-{high:g}",
                         f"use {low:g} to {high:g}" + (f": {fix}" if fix else ""))  # fmt: skip
    if value < 0:
        raise InputError(path, f"row {line}, {key}", f"{raw} is negative", "use a value ≥ 0")
    return float(value)


def parse_models(path: Path) -> list[ModelSpec]:
    """Read a models CSV (bundled or the user's) into :class:`ModelSpec` objects."""
    _, rows, lines = read_csv_numbered(path)
    # a column the catalogue does not read would be ignored unsaid (a note, a misspelling)
    unknown = [c for c in (rows[0] if rows else {}) if c not in MODEL_COLUMNS]
    if unknown:
        hits = closest(unknown[0], MODEL_COLUMNS)
        raise InputError(
            path, f"column {unknown[0]!r}", "is not a catalogue column",
            "remove it (a note goes in source)"
            + (f", or did you mean {', '.join(hits)}?" if hits else ""),
        )  # fmt: skip
    out: list[ModelSpec] = []
    first_row: dict[str, int] = {}  # slug -> the row that gives it
    for line, row in zip(lines, rows, strict=True):
        missing = [c for c in MODEL_COLUMNS if c != "source" and not row.get(c)]
        if missing:
            raise InputError(
                path, f"row {line}", f"missing {', '.join(missing)}",
                f"give every column: {', '.join(MODEL_COLUMNS)}",
            )  # fmt: skip
        first = first_row.setdefault(row["slug"], line)
        if first != line:  # the later row would replace the earlier one without a word
            raise InputError(
                path, f"row {line}, slug", f"{row['slug']} is given in row {first} already",
                "give each model one row: delete one of the two, or give it its own slug",
            )  # fmt: skip
        counts = {
            k: int(_number(row, k, path, line, int))
            for k in ("hashboards", "fans", "psus", "control_boards", "release_year")
        }
        if counts["hashboards"] < 1:
            raise InputError(path, f"row {line}, hashboards", "must be at least 1", "use 1 or more")
        for part in ("hashboards", "fans", "psus", "control_boards"):
            if not 0 <= counts[part] <= MAX_PARTS_PER_MACHINE:
                raise InputError(
                    path, f"row {line}, {part}", f"{counts[part]:,} per machine",
                    f"give 0 to {MAX_PARTS_PER_MACHINE} (an ASIC has 3-4 hashboards, 2-4 fans, "
                    "1-2 power supplies and 1 control board)",
                )  # fmt: skip
        vendor = row["vendor"].lower()
        if vendor not in vendor_defaults():
            raise InputError(
                path, f"row {line}, vendor", f"unknown vendor '{vendor}'",
                unknown_name_fix(vendor, sorted(vendor_defaults()), "vendor")
                + " (the vendors of data/vendors.csv)",
            )  # fmt: skip
        cooling = row["cooling"].strip().lower()
        if cooling not in COOLINGS:
            raise InputError(path, f"row {line}, cooling", f"unknown cooling '{row['cooling']}'",
                             f"use one of {', '.join(COOLINGS)}")  # fmt: skip
        ths = _number(row, "hashrate_ths", path, line)
        watts = _number(row, "power_w", path, line)
        stated = _number(row, "efficiency_j_per_th", path, line)
        for column, value in (("hashrate_ths", ths), ("power_w", watts)):
            if not value > 0:
                raise InputError(path, f"row {line}, {column}", f"{value:g} is not above 0",
                                 f"give the machine's nameplate {column}")  # fmt: skip
        ratio = watts / ths
        if abs(stated - ratio) > EFFICIENCY_TOLERANCE * ratio:
            raise InputError(
                path, f"row {line}, efficiency_j_per_th",
                f"{stated:g} J/TH disagrees with power_w / hashrate_ths = {ratio:.3g}",
                "the simulation uses power_w and hashrate_ths: make the three agree (within 3 %)",
            )  # fmt: skip
        out.append(
            ModelSpec(
                slug=row["slug"],
                vendor=vendor,
                name=row["name"],
                family=row["family"],
                hashrate_ths=ths,
                power_w=watts,
                efficiency_j_per_th=stated,
                cooling=cooling,
                source=row.get("source", "") or "user catalogue",
                **counts,
            )
        )
    return out


@dataclass(frozen=True)
class Catalog:
    """Known ASIC models by slug; ``replaced``: the slugs whose earlier model a user's row
    replaced (:meth:`with_models`)."""

    models: dict[str, ModelSpec]
    replaced: tuple[str, ...] = ()

    def figures(self) -> dict[str, dict[str, object]]:
        """Every model's specification by slug: what a run's manifest digests (a user's row
        replacing a bundled model is another input, though its slug is the same)."""
        return {slug: asdict(spec) for slug, spec in sorted(self.models.items())}

    def get(self, slug: str, file: str | Path | None = None, field: str | None = None) -> ModelSpec:
        """The model for ``slug``; an unknown slug raises an error naming the closest ones."""
        try:
            return self.models[slug]
        except KeyError:
            raise InputError(
                file, field, f"unknown model '{slug}'",
                unknown_name_fix(slug, list(self.models), "model slug", "hashshock catalog"),
            ) from None  # fmt: skip

    def with_models(self, extra: list[ModelSpec]) -> Catalog:
        """This catalogue with ``extra``'s models added; one of the same slug replaces
        this one's (recorded in ``replaced``: a user's own figures for a bundled model)."""
        merged = dict(self.models)
        merged.update({m.slug: m for m in extra})
        replaced = tuple(dict.fromkeys(m.slug for m in extra if m.slug in self.models))
        return Catalog(merged, (*self.replaced, *replaced))

    def replaced_warning(self, file: str | Path | None) -> list[str]:
        """One warning line naming the models a user's rows replaced (none: empty)."""
        if not self.replaced:
            return []
        where = f"{file}: " if file else ""
        return [
            f"{where}replaces the bundled {', '.join(self.replaced)} with its own row(s): "
            "runs use your figures for them (give another slug to keep both)"
        ]

    @property
    def families(self) -> set[str]:
        return {m.family for m in self.models.values()}


@cache
def bundled_catalog() -> Catalog:
    """The model catalogue shipped in ``hashshock/data/models.csv``."""
    return Catalog({m.slug: m for m in parse_models(_data_path("models.csv"))})


def load_catalog(extra: Path | None = None) -> Catalog:
    """The bundled catalogue plus the user's models from ``extra`` (which win on clashes)."""
    catalog = bundled_catalog()
    return catalog.with_models(parse_models(extra)) if extra else catalog


def _bool(text: str) -> bool:
    return text.strip().lower() in {"true", "yes", "1"}


@cache
def part_defaults() -> dict[PartType, PartDefaults]:
    """Per-part defaults from ``hashshock/data/parts.csv``."""
    path = _data_path("parts.csv")
    out: dict[PartType, PartDefaults] = {}
    for line, row in enumerate(read_csv_rows(path), start=2):
        part: PartType = row["part"]  # type: ignore[assignment]
        out[part] = PartDefaults(
            part=part,
            default_spares_share=_number(row, "default_spares_share", path, line),
            swap_days=int(_number(row, "swap_days", path, line, int)),
            in_house_share=_number(row, "in_house_share", path, line),
            in_house_days=(int(row["in_house_days_low"]), int(row["in_house_days_high"])),
            in_house_needs_vendor_parts=_bool(row["in_house_needs_vendor_parts"]),
            scrap_share=_number(row, "scrap_share", path, line),
            vendor_turnaround_days=(
                int(row["vendor_turnaround_days_low"]),
                int(row["vendor_turnaround_days_high"]),
            ),
            storage_share_of_machine=_number(row, "storage_share_of_machine", path, line),
            source=row["source"],
        )
    return out


FAILURE_RATE_COLUMNS = (
    "part", "applies_to", "weibull_shape", "first_year_failures_per_part", "source",
)  # fmt: skip


def read_failure_rates(path: Path, catalog: Catalog | None = None) -> tuple[FailurePrior, ...]:
    """Read a failure-rates CSV (columns :data:`FAILURE_RATE_COLUMNS`, as
    ``hashshock/data/failure_rates.csv`` and as ``hashshock fit`` writes).

    ``applies_to`` is ``*`` (every model), a model family or a model slug of ``catalog``
    (default the bundled one) — a name it does not know would match no machine and leave
    the part at the bundled rate unsaid; the most specific row wins
    (:func:`failure_prior`), and one part and ``applies_to`` is given once (a second row
    would be ignored). Errors name the file, row and column.
    """
    known = catalog or bundled_catalog()
    names = sorted({"*", *known.models, *known.families})
    seen: dict[tuple[str, str], int] = {}
    rows = read_csv_rows(path)
    if not rows:
        raise InputError(path, None, "no rows", "write a header and one row per part type")
    check_columns(path, list(rows[0]), FAILURE_RATE_COLUMNS,
                  f"use the columns {', '.join(FAILURE_RATE_COLUMNS)}")  # fmt: skip
    out: list[FailurePrior] = []
    for line, row in enumerate(rows, start=2):
        part = row["part"].strip()
        if part not in PART_TYPES:
            raise InputError(
                path, f"row {line}, part", f"unknown part '{part}'",
                unknown_name_fix(part, PART_TYPES, "part type"),
            )  # fmt: skip
        shape = _number(
            row, "weibull_shape", path, line, within=WEIBULL_SHAPE_RANGE,
            fix="a Weibull shape is near 1 (1 = constant hazard, > 1 wear-out)",
        )  # fmt: skip
        rate = _number(row, "first_year_failures_per_part", path, line)
        if rate > 5:
            raise InputError(
                path, f"row {line}, first_year_failures_per_part",
                f"{rate:g} failures per part in the first year is implausible",
                "give expected failures per part slot in year 1 (e.g. 0.02 for 2 %)",
            )  # fmt: skip
        applies_to = row["applies_to"].strip() or "*"
        if applies_to not in names:
            raise InputError(
                path, f"row {line}, applies_to", f"unknown model or family '{applies_to}'",
                unknown_name_fix(applies_to, names, "model slug or family",
                                 "hashshock catalog"),
            )  # fmt: skip
        if (part, applies_to) in seen:
            raise InputError(
                path, f"row {line}", f"{part} for {applies_to} is given in row "
                f"{seen[part, applies_to]} already", "keep one row for each part and model",
            )  # fmt: skip
        seen[part, applies_to] = line
        out.append(
            FailurePrior(
                part=part,
                applies_to=applies_to,
                weibull_shape=shape,
                first_year_failures_per_part=rate,
                source=row["source"],
            )
        )
    return tuple(out)


@cache
def failure_priors() -> tuple[FailurePrior, ...]:
    """Weibull priors from ``hashshock/data/failure_rates.csv`` (assumptions, see source)."""
    return read_failure_rates(_data_path("failure_rates.csv"), bundled_catalog())


def failure_prior(
    part: PartType, model: ModelSpec, priors: tuple[FailurePrior, ...] | None = None
) -> FailurePrior:
    """The most specific prior for this part: model slug, then family, then ``*``.

    ``priors`` (e.g. a fleet's own ``failure_rates`` file) are searched first; the
    bundled ones fill any part they do not cover.
    """
    for table in (priors or (), failure_priors()):
        rows = [p for p in table if p.part == part]
        for key in (model.slug, model.family, "*"):
            for prior in rows:
                if prior.applies_to == key:
                    return prior
    raise LookupError(f"no failure prior for {part}")


@cache
def vendor_defaults() -> dict[str, VendorDefaults]:
    """Per-vendor origins, lead times and repair centre from ``hashshock/data/vendors.csv``."""
    path = _data_path("vendors.csv")
    out: dict[str, VendorDefaults] = {}
    for line, row in enumerate(read_csv_rows(path), start=2):
        out[row["vendor"]] = VendorDefaults(
            vendor=row["vendor"],
            parts_origin=row["parts_origin"],
            machines_origin=row["machines_origin"],
            repair_centre_country=row["repair_centre_country"],
            parts_lead_time_days=int(_number(row, "parts_lead_time_days", path, line, int)),
            transit_days=int(_number(row, "transit_days", path, line, int)),
            customs_clearance_days=int(_number(row, "customs_clearance_days", path, line, int)),
            source=row["source"],
        )
    return out


@cache
def site_defaults() -> dict[str, float]:
    """Site staffing defaults from ``hashshock/data/sites.csv``."""
    path = _data_path("sites.csv")
    return {
        row["setting"]: _number(row, "value", path, line)
        for line, row in enumerate(read_csv_rows(path), start=2)
    }
