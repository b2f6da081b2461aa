"""A sweep's base inputs and each point's inputs, built through the normal loaders.

The base fleet, scenario and market are loaded as ``run`` loads them and written out as
addressable mappings (:func:`hashshock.sweep.fieldpath.addressable`). A point edits those
mappings and builds its inputs from them again — :func:`fleet_from_mapping`,
``Scenario.model_validate``, :func:`market_from_mapping` — so a point's inputs are
checked exactly as a file with those values would be. Inputs the point leaves alone are
the base's own objects; equal edited mappings give the same (cached) object.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from hashshock.inputs.errors import InputError, from_validation_error
from hashshock.inputs.files import MAPPING_FOLDER
from hashshock.inputs.load import (
    LoadedFleet,
    builtin_scenarios,
    fleet_from_mapping,
    load_fleet,
    load_scenario,
    resolve_scenario_ref,
)
from hashshock.inputs.scenario import Scenario
from hashshock.market import MarketConfig, load_market
from hashshock.market.config import market_from_mapping
from hashshock.sweep.design import InputRange, PointPlan
from hashshock.sweep.fieldpath import FieldPath, addressable, with_value
from hashshock.sweep.spec import BaseInputs

Built = LoadedFleet | Scenario | MarketConfig


def digest(data: Any) -> str:
    """A stable digest of plain data."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class Editable:
    """Base inputs as addressable mappings by root, edited point by point: a point's
    inputs are built from its edited mappings, once per distinct mapping (cached)."""

    mappings: dict[str, dict[str, Any]] = field(default_factory=dict, init=False)
    given: dict[str, dict[str, Any]] = field(default_factory=dict, init=False)
    #: each root's model, whose declared types say what an unset field takes
    models: dict[str, type[BaseModel]] = field(default_factory=dict, init=False)
    _built: dict[tuple[str, str], Any] = field(default_factory=dict, init=False)

    def _point(self, root: str, base: Any, scenario: Scenario, market: MarketConfig,
               edits: dict[str, dict[str, Any]]) -> tuple[Any, Scenario, MarketConfig]:  # fmt: skip
        """A point's (``root``'s input, scenario, market): each edited one built from its
        mapping, the others the base's; :class:`InputError` if one is invalid."""
        bases = ((root, base), ("scenario", scenario), ("market", market))
        built = [self._one(r, edits) if r in edits else given for r, given in bases]
        assert isinstance(built[1], Scenario) and isinstance(built[2], MarketConfig)
        return built[0], built[1], built[2]

    def _address(self, models: dict[str, Any]) -> None:
        """Every field of ``models`` by root (paths resolve here, defaults included) and
        the fields as given (points are built from these plus their edits, as a file
        with them would be)."""
        self.mappings = {root: addressable(model) for root, model in models.items()}
        self.given = {root: addressable(model, given_only=True) for root, model in models.items()}
        self.models = {root: type(model) for root, model in models.items()}

    def edited(self, values: list[tuple[FieldPath, Any]]) -> dict[str, dict[str, Any]]:
        """The mappings ``values`` change, by root."""
        out: dict[str, dict[str, Any]] = {}
        for path, value in values:
            data = out.get(path.root, self.given[path.root])
            out[path.root] = with_value(data, path, value, self.mappings[path.root])
        return out

    def _one(self, root: str, edits: dict[str, dict[str, Any]]) -> Any:
        data = edits[root]
        key = (root, digest(data))
        if key not in self._built:
            self._built[key] = self._load(root, data)
        return self._built[key]

    def _load(self, root: str, data: dict[str, Any]) -> Any:
        raise NotImplementedError


@dataclass
class BaseSet(Editable):
    """The base inputs: loaded objects, their addressable mappings and where they came
    from (for messages and relative paths)."""

    loaded: LoadedFleet
    scenario: Scenario
    market: MarketConfig
    fleet_file: Path
    scenario_label: str
    market_file: Path | None
    spec_file: Path | None

    def __post_init__(self) -> None:
        self._address({"fleet": self.loaded.fleet, "scenario": self.scenario,
                       "market": self.market})  # fmt: skip
        for data in (self.mappings["fleet"], self.given["fleet"]):
            data.pop("cohorts_csv", None)  # its cohorts are in `cohorts` already

    def build(self, edits: dict[str, dict[str, Any]]) -> tuple[LoadedFleet, Scenario, MarketConfig]:
        """A point's inputs from its edited mappings; :class:`InputError` if invalid."""
        fleet, scenario, market = self._point("fleet", self.loaded, self.scenario, self.market,
                                              edits)  # fmt: skip
        assert isinstance(fleet, LoadedFleet)
        return fleet, scenario, market

    def _load(self, root: str, data: dict[str, Any]) -> Built:
        if root == "fleet":
            return fleet_from_mapping(data, self.fleet_file)
        return scenario_or_market(root, data, self.scenario_label, self.market_file,
                                  self.spec_file)  # fmt: skip


def scenario_or_market(
    root: str, data: dict[str, Any], scenario_label: str, market_file: Path | None,
    spec_file: Path | None,
) -> Scenario | MarketConfig:  # fmt: skip
    """A point's scenario or market from its edited mapping, checked as a file is."""
    if root == "scenario":
        try:
            return Scenario.model_validate(data)
        except ValidationError as exc:
            raise from_validation_error(exc, f"scenario {scenario_label}") from None
    label = market_file or spec_file or Path("market")
    return market_from_mapping(data, label, (market_file or label).parent)


def spec_start(spec_file: Path | None) -> str:
    """Where a spec's relative paths start: its file's folder, else (a mapping) here."""
    return "the spec's folder" if spec_file is not None else MAPPING_FOLDER


def _base_error(
    exc: InputError, field: str, ref: str, path: Path | None, spec_file: Path | None
) -> InputError:
    """The loader's error, moved to the spec's field when the spec named a file that is
    not there, a folder, or a scenario that does not exist (the file it names is the
    user's)."""
    if exc.field == "scenario" and path is None:  # an unknown built-in name
        return InputError(spec_file, f"base.{field}", exc.problem, exc.fix)
    if path is not None and exc.file == str(path) and exc.problem == "file not found":
        return InputError(
            spec_file, f"base.{field}", f"{ref}: file not found (looked for {path})",
            f"check the name; a relative path starts at {spec_start(spec_file)}",
        )  # fmt: skip
    if path is not None and exc.file == str(path) and exc.problem.startswith("is a folder"):
        return InputError(spec_file, f"base.{field}", f"{ref}: {path} is a folder, not a file",
                          f"name the {field} YAML file itself")  # fmt: skip
    return exc


def where(name: str, folder: Path) -> Path:
    """``name`` as a path, relative to ``folder`` unless absolute."""
    path = Path(name).expanduser()
    return path if path.is_absolute() else folder / path


@dataclass(frozen=True)
class ScenarioAndMarket:
    """A base's scenario and market, loaded, and where they came from."""

    scenario: Scenario
    label: str
    market: MarketConfig
    market_file: Path | None


def load_scenario_and_market(
    base: BaseInputs, folder: Path, spec_file: Path | None
) -> ScenarioAndMarket:
    """The base's scenario and market (relative files from ``folder``)."""
    scenario_file: Path | None = None
    try:
        scenario_file = resolve_scenario_ref(base.scenario, folder)
        scenario = load_scenario(scenario_file)
    except InputError as exc:
        raise _base_error(exc, "scenario", base.scenario, scenario_file, spec_file) from None
    label = base.scenario if base.scenario in builtin_scenarios() else str(scenario_file)
    market_file = where(base.market, folder) if base.market else None
    try:
        market = load_market(market_file)
    except InputError as exc:
        raise _base_error(exc, "market", base.market or "", market_file, spec_file) from None
    return ScenarioAndMarket(scenario, label, market, market_file)


def load_base(base: BaseInputs, folder: Path, spec_file: Path | None) -> BaseSet:
    """Load the base fleet, scenario and market (relative files from ``folder``)."""
    assert base.fleet is not None
    fleet_file = where(base.fleet, folder)
    try:
        loaded = load_fleet(fleet_file)
    except InputError as exc:
        raise _base_error(exc, "fleet", base.fleet, fleet_file, spec_file) from None
    rest = load_scenario_and_market(base, folder, spec_file)
    return BaseSet(loaded, rest.scenario, rest.market, fleet_file, rest.label, rest.market_file,
                   spec_file)  # fmt: skip


def point_error(index: int, plan: PointPlan, ranges: list[InputRange], exc: InputError) -> str:
    """One line: which point, with which values, why it cannot run, and the fix. The
    file the error names is the base's (which holds a valid value): the point's value
    comes from the spec, so the fix is there too — with the range that ``p10``/``p90``
    imply, which the spec does not show."""
    described = ", ".join(f"{ranges[i].spec.path} = {v}" for i, v in plan.values.items())
    implied = [
        f"{r.spec.path}'s p10 {r.spec.p10:g} and p90 {r.spec.p90:g} make its range "
        f"{r.low:.4g} to {r.high:.4g}"
        for r in (ranges[i] for i in plan.values)
        if r.spec.p10 is not None and r.spec.p90 is not None and r.low is not None
        and r.high is not None
    ]  # fmt: skip
    ranged = f" ({'; '.join(implied)})" if implied else ""
    # the base file holds a valid value: name it as changed by the point, not as at fault
    base = f"{exc.file} with this point's values: " if exc.file else ""
    where = base + (f"{exc.field}: " if exc.field else "")
    problem, fix = exc.problem, exc.fix
    if not fix:  # a worker's error comes back as its whole message, its fix in it
        problem, _, fix = problem.partition(" — fix: ")
    either = f"{fix}; or " if fix else ""
    return (
        f"point {index} ({described or 'base'}): {where}{problem} — fix: {either}keep the "
        f"spec's range of that input within what the field allows{ranged} (the other "
        "points still run)"
    )
