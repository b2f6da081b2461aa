"""``hashshock catalog``, ``scenarios`` and ``schema``: add them to an app with :func:`register`.

These list what a user types into fleet and scenario files (model slugs, the model
*family* spares are keyed on, scenario and event names, event types), so nothing they show
is ever cut off: in a narrow terminal the catalogue drops its least needed columns
(and says which) rather than shorten a slug, and cells that must still give way fold
onto the next line instead of ending in an ellipsis.

Start-up rule (``hashshock.cli.app``): imported by ``hashshock --help``, this module
imports only typer, rich, the standard library and light hashshock modules at top
level; the catalogue, the scenario loader and the pydantic models load when a command
runs.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from hashshock.cli.common import AsJsonFlag, error_exit, literal, say, warn_all
from hashshock.cli.render import table_width
from hashshock.cli.table import Table
from hashshock.inputs.errors import InputError, closest

if TYPE_CHECKING:
    from pydantic import BaseModel

    from hashshock.inputs.catalog import ModelSpec


@dataclass(frozen=True)
class CatalogColumn:
    """A column of the catalogue table: header, cell text and whether it may be dropped."""

    header: str
    cell: Callable[[ModelSpec], str]
    numeric: bool = False
    required: bool = False


#: The catalogue's columns, in order. Slug and family are what users type.
CATALOG_COLUMNS: tuple[CatalogColumn, ...] = (
    CatalogColumn("slug", lambda m: m.slug, required=True),
    CatalogColumn("family", lambda m: m.family, required=True),
    CatalogColumn("vendor", lambda m: m.vendor),
    CatalogColumn("TH/s", lambda m: f"{m.hashrate_ths:g}", numeric=True),
    CatalogColumn("J/TH", lambda m: f"{m.efficiency_j_per_th:g}", numeric=True),
    CatalogColumn("W", lambda m: f"{m.power_w:g}", numeric=True),
    CatalogColumn("year", lambda m: str(m.release_year), numeric=True),
    CatalogColumn("cooling", lambda m: m.cooling),
    CatalogColumn("boards/fans", lambda m: f"{m.hashboards}/{m.fans}", numeric=True),
)
#: Dropped first to last when the terminal is too narrow for every column.
CATALOG_DROP_ORDER = ("W", "year", "boards/fans", "cooling", "J/TH", "vendor", "TH/s")


def catalog_table(models: list[ModelSpec], console: Console) -> Table:
    """The catalogue as a table that fits ``console``: all columns if they fit, else
    without the columns of :data:`CATALOG_DROP_ORDER` that do not (named in the caption).
    Slug and family are never dropped nor shortened."""
    rows = sorted(models, key=lambda m: (m.vendor, m.slug))
    shown = list(CATALOG_COLUMNS)

    def build() -> Table:
        table = Table(title="Model catalogue", title_justify="left")
        for col in shown:
            table.add_column(
                col.header, justify="right" if col.numeric else "left", overflow="fold",
                no_wrap=col.required, min_width=len(col.header) if col.required else None,
            )  # fmt: skip
        for model in rows:
            table.add_row(*[col.cell(model) for col in shown])
        return table

    table = build()
    dropped: list[str] = []
    for name in CATALOG_DROP_ORDER:
        if table_width(console, table) <= console.width:
            break
        shown = [col for col in shown if col.header != name]
        dropped.append(name)
        table = build()
    notes = ["Spares are keyed on the family (`family:` in a fleet file's `spares:`)."]
    if dropped:
        notes.append(f"Not shown at this width: {', '.join(dropped)} (widen the terminal, "
                     "or `hashshock catalog --json` for every field).")  # fmt: skip
    table.caption = " ".join(notes)
    table.caption_justify = "left"
    return table


_Extra = Annotated[
    str | None, typer.Option("--extra", help="Your own models CSV to add (same columns).")
]


def catalog(extra: _Extra = None, as_json: AsJsonFlag = False) -> None:
    """List the ASIC models (bundled, plus your own with --extra).

    Slugs to type in fleet files, and the family spares are keyed on."""
    from pathlib import Path

    from hashshock.inputs.catalog import bundled_catalog, load_catalog

    try:
        loaded = load_catalog(Path(extra)) if extra else bundled_catalog()
    except InputError as exc:
        raise error_exit(exc) from None
    models = loaded.models
    err = Console(emoji=False, stderr=True)
    warn_all(loaded.replaced_warning(extra), err)
    if as_json:
        sys.stdout.write(json.dumps([vars(m) for m in models.values()], indent=2) + "\n")
        return
    console = Console(emoji=False)
    console.print(catalog_table(list(models.values()), console))


_ScenarioArg = Annotated[
    str | None,
    typer.Argument(
        metavar="NAME",
        help="A scenario (a built-in name or a scenario file) to show event by event.",
    ),
]


def scenarios(name: _ScenarioArg = None, as_json: AsJsonFlag = False) -> None:
    """List the built-in scenarios and their events (name and type); with NAME, show
    that scenario's events with their fields as written.

    A sweep addresses an event by its name: scenario.events[NAME].FIELD."""
    if name == "-" and as_json:  # `--json -`, as the commands whose --json takes a path
        from hashshock.cli.entry import json_dash_fix

        raise error_exit(InputError(None, None, "got an unexpected extra argument (-)",
                                    json_dash_fix("hashshock scenarios")))  # fmt: skip
    if name is not None:
        scenario_detail(name, as_json)
        return
    from hashshock.inputs.load import builtin_scenarios, load_scenario

    rows: list[dict[str, Any]] = []
    for builtin in builtin_scenarios():
        s = load_scenario(builtin)
        rows.append({"name": builtin,
                     "events": [{"name": e.name, "type": e.type} for e in s.events],
                     "description": s.description.strip(), "sources": s.sources})  # fmt: skip
    if as_json:
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return
    table = Table(title="Built-in scenarios", title_justify="left", show_lines=True)
    table.add_column("name", style="bold cyan", no_wrap=True, overflow="fold")
    table.add_column("events (type)", no_wrap=True, overflow="fold")
    table.add_column("description", ratio=1, overflow="fold")
    for row in rows:
        events = "\n".join(_event_heading(e["name"], e["type"]) for e in row["events"])
        table.add_row(row["name"], events or "—", row["description"])
    table.caption = literal(
        "`hashshock scenarios NAME` shows one event by event; a sweep "
        f"addresses an event by its name: {EVENT_PATH}."
    )
    table.caption_justify = "left"
    Console(emoji=False).print(table)


#: How a sweep (docs/sweeps.md) names a field of a scenario's event.
EVENT_PATH = "scenario.events[NAME].FIELD"


def _event_heading(name: str | None, kind: str) -> str:
    """An event's name over its type (dim, indented): the name is what a sweep's path
    and an including scenario's own event of the same name use."""
    return f"{literal(name or '(no name)')}\n  [dim]{kind}[/]"


def scenario_detail(ref: str, as_json: bool) -> None:
    """One scenario (a built-in name or a file, its includes expanded): its description
    and each event with the fields its file gives, delays as their parameters
    (``{dist: triangular, low: 30, mode: 60, high: 180}``), as a sweep's path reads them."""
    from hashshock.inputs.load import load_scenario

    try:
        scenario = load_scenario(_known_scenario(ref))
    except InputError as exc:
        raise error_exit(exc) from None
    events = [written_event(event) for event in scenario.events]
    if as_json:
        document = {"name": scenario.name, "description": scenario.description.strip(),
                    "sources": scenario.sources, "network_wide": scenario.network_wide,
                    "events": events}  # fmt: skip
        sys.stdout.write(json.dumps(document, indent=2) + "\n")
        return
    console = Console(emoji=False)
    say(console, f"{scenario.name}: {scenario.description.strip() or '(no description)'}")
    say(console, f"network_wide: {flow(scenario.network_wide)}")
    table = Table(title=f"Events of {literal(scenario.name)} (fields as written)",
                  title_justify="left", show_lines=True)  # fmt: skip
    table.add_column("event (type)", no_wrap=True, overflow="fold")
    table.add_column("fields", ratio=1, overflow="fold")
    for event in events:
        fields = [f"{key}: {flow(value)}" for key, value in event.items()
                  if key not in ("name", "type")]  # fmt: skip
        table.add_row(_event_heading(event.get("name"), event["type"]),
                      "\n".join(literal(line) for line in fields) or "—")  # fmt: skip
    example = _example_path(events)
    table.caption = literal(
        f"A sweep addresses a field as {EVENT_PATH}"
        + (f", e.g. {example}" if example else "")
        + "; an event without a name by its position, from 0."
    )
    table.caption_justify = "left"
    console.print(table if events else "no events: nothing happens (a baseline)")


def _known_scenario(ref: str) -> str:
    """``ref`` when it is a built-in scenario or looks like a file; else an
    :class:`InputError` naming every built-in scenario."""
    from hashshock.inputs.load import builtin_scenarios, resolve_scenario_ref

    known = list(builtin_scenarios())
    try:
        resolve_scenario_ref(ref, None)
    except InputError:
        hits = closest(ref, known)
        guess = f"did you mean {', '.join(hits)}? " if hits else ""
        raise InputError(None, "NAME", f"unknown scenario '{ref}'",
                         f"{guess}the built-in ones are {', '.join(known)}; or give the "
                         "path of a scenario YAML file") from None  # fmt: skip
    return ref


def written_event(event: BaseModel) -> dict[str, Any]:
    """An event as its file writes it: name, type, then the fields given (a default
    left out), delays as their parameters."""
    from hashshock.sweep.fieldpath import addressable

    given = addressable(event, given_only=True)
    return {"name": getattr(event, "name", None), "type": getattr(event, "type", ""), **given}


def _example_path(events: list[dict[str, Any]]) -> str:
    """A sweep path into ``events``: a delay's parameter if one is written as a
    distribution (the mode of a triangular), else the first field of a named event."""
    named = [e for e in events if e.get("name")]
    for event in named:
        for key, value in event.items():
            if isinstance(value, dict) and "dist" in value:
                # a triangular's mode, as docs/sweeps.md sweeps it; else the first
                param = "mode" if "mode" in value else next(k for k in value if k != "dist")
                return f"scenario.events[{event['name']}].{key}.{param}"
    for event in named:
        first = next((k for k in event if k not in ("name", "type")), None)
        if first:
            return f"scenario.events[{event['name']}].{first}"
    return ""


def flow(value: Any) -> str:
    """``value`` (JSON data) as a YAML file writes it on one line: ``{dist: uniform,
    low: 14, high: 60}``, ``[bitmain]``, ``true``."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {flow(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(flow(item) for item in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    return "null" if value is None else str(value)


def schema(
    kind: Annotated[
        str, typer.Argument(help="fleet, scenario, industry, portfolio, sweep or strategy")
    ],
) -> None:
    """Print the JSON Schema of the fleet, scenario, industry, portfolio, sweep spec or
    strategy file format."""
    from hashshock.decide.strategy import Strategy
    from hashshock.inputs.fleet import Fleet
    from hashshock.inputs.industry import Industry, Portfolio
    from hashshock.inputs.scenario import Scenario
    from hashshock.sweep.spec import SweepSpec

    models: dict[str, type[BaseModel]] = {
        "fleet": Fleet, "scenario": Scenario, "industry": Industry, "portfolio": Portfolio,
        "sweep": SweepSpec, "strategy": Strategy,
    }  # fmt: skip
    if kind not in models:
        raise error_exit(InputError(None, "KIND", f"unknown schema '{kind}'",
                                    f"use {', '.join(models)}"))  # fmt: skip
    from hashshock import __version__

    # The dialect pydantic writes, and a name editors and validators can key the file on
    # (an identifier, not an address: nothing is fetched from it).
    document = {"$schema": "https://json-schema.org/draft/2020-12/schema",
                "$id": f"urn:hashshock:{kind}:{__version__}",
                **models[kind].model_json_schema()}  # fmt: skip
    sys.stdout.write(json.dumps(document, indent=2) + "\n")


def register(app: typer.Typer) -> None:
    """Add ``schema``, ``catalog`` and ``scenarios`` to ``app``."""
    app.command("schema")(schema)
    app.command("catalog")(catalog)
    app.command("scenarios")(scenarios)
