"""``hashshock catalog``, ``scenarios`` and ``schema``: add them to an app with :func:`register`.

These list what a user types into fleet and scenario files (model slugs, the model
*family* spares are keyed on, scenario names and event types), so nothing they show
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

from hashshock.cli.common import AsJsonFlag, error_exit, warn_all
from hashshock.cli.render import table_width
from hashshock.cli.table import Table
from hashshock.inputs.errors import InputError

if TYPE_CHECKING:
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


def scenarios(as_json: AsJsonFlag = False) -> None:
    """List the built-in scenarios with their descriptions."""
    from hashshock.inputs.load import builtin_scenarios, load_scenario

    rows: list[dict[str, Any]] = []
    for name in builtin_scenarios():
        s = load_scenario(name)
        rows.append({"name": name, "events": [e.type for e in s.events],
                     "description": s.description.strip(), "sources": s.sources})  # fmt: skip
    if as_json:
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return
    table = Table(title="Built-in scenarios", title_justify="left", show_lines=True)
    table.add_column("name", style="bold cyan", no_wrap=True, overflow="fold")
    table.add_column("events", no_wrap=True, overflow="fold")
    table.add_column("description", ratio=1, overflow="fold")
    for row in rows:
        table.add_row(row["name"], "\n".join(row["events"]) or "—", row["description"])
    Console(emoji=False).print(table)


def schema(
    kind: Annotated[
        str, typer.Argument(help="fleet, scenario, industry, portfolio, sweep or strategy")
    ],
) -> None:
    """Print the JSON Schema of the fleet, scenario, industry, portfolio, sweep spec or
    strategy file format."""
    from pydantic import BaseModel

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
