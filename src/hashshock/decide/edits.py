"""Fleets edited by field path (``fleet.spares``, ``fleet.repair_routes.psu.in_house_share``,
``fleet.orders[0].model``), built through the same loaders and checks as a fleet file,
reusing the sweep's base inputs (:class:`hashshock.sweep.inputs.BaseSet`) and paths
(:mod:`hashshock.sweep.fieldpath`)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hashshock.inputs.errors import InputError
from hashshock.inputs.load import LoadedFleet
from hashshock.inputs.scenario import Scenario
from hashshock.market import MarketConfig
from hashshock.sweep.fieldpath import FieldPath, PathError, resolve
from hashshock.sweep.inputs import BaseSet


def base_set(loaded: LoadedFleet, scenario: Scenario, market: MarketConfig) -> BaseSet:
    """The base inputs that edits start from (relative files from the fleet's folder)."""
    fleet_file = loaded.path or Path.cwd() / "fleet.yaml"
    return BaseSet(loaded, scenario, market, fleet_file, scenario.name, None, None)


def resolve_fleet_path(base: BaseSet, text: str, origin: str | Path | None,
                       field: str) -> FieldPath:  # fmt: skip
    """``text`` as a path into the fleet; an :class:`InputError` naming ``origin`` and
    ``field`` (with the closest paths that exist) when it leads nowhere."""
    try:
        path, _ = resolve(text, {"fleet": base.mappings["fleet"]})
    except PathError as exc:
        problem, fix = exc.problem, exc.fix
        if not text.strip().startswith("fleet"):
            root = text.strip().split(".", 1)[0].split("[", 1)[0]
            problem = f"{text}: a strategy cannot edit the {root or 'path'}, only the fleet"
            fix = "start the path with fleet., e.g. fleet.spares"
        raise InputError(origin, field, problem, fix) from None
    return path


def edited_fleet(base: BaseSet, edits: Sequence[tuple[FieldPath, Any]]) -> LoadedFleet:
    """The fleet with ``edits`` applied, validated as a file with them would be."""
    if not edits:
        return base.loaded
    fleet, _, _ = base.build(base.edited(list(edits)))
    return fleet
