"""``hashshock runs list | show | diff | export | rm``: add them with :func:`register`.

The run store (docs/report.md) is a DuckDB file, by default in the user data folder;
``--store PATH`` picks another. It keeps fleet runs, sweeps and industry runs; ``list``,
``show``, ``export`` and ``rm`` take all three, ``diff`` fleet runs. Ids may be shortened
to any unique prefix of 4 or more characters. Bad input (unknown id, missing or foreign
store, unwritable output) exits 2 with one line.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer
from rich.console import Console

from hashshock.cli.common import confirming, input_errors, literal, say
from hashshock.cli.report import StoreOpt
from hashshock.cli.table import Table
from hashshock.inputs.errors import InputError

runs_app = typer.Typer(help="Saved runs: list, show, diff, export, rm.", no_args_is_help=True)
console = Console(emoji=False)
IdArg = Annotated[str, typer.Argument(metavar="ID", help="Run id (or a unique prefix).")]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def _say(text: str) -> None:
    say(console, text)


def _pct(value: Any) -> str:
    return "—" if value is None else f"{100 * float(value):.1f}%"


def _json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")


@runs_app.command("list")
def list_command(
    store: StoreOpt = None,
    fleet: Annotated[str | None, typer.Option("--fleet", help="Only this fleet.")] = None,
    scenario: Annotated[str | None, typer.Option("--scenario", help="Only this scenario.")] = None,
    limit: Annotated[int, typer.Option(
        "--limit", min=1, help="At most this many entries in all: the newest fleet runs, "
        "sweeps and industry runs together.")] = 50,
    as_json: JsonFlag = False,
) -> None:  # fmt: skip
    """List saved runs, newest first (a compare's runs in the order of its scenarios),
    with their key outcomes; then saved sweeps and industry runs (--limit: the newest of
    them all)."""
    with input_errors():
        rows, documents, left_out = newest(store, fleet, scenario, limit)
    if as_json:
        _json([{"kind": "run", **r} for r in rows] + documents)
        return
    if rows:
        _runs_table(rows)
    elif not documents:
        asked = " and ".join(f"{what} '{name}'" for what, name in
                             (("fleet", fleet), ("scenario", scenario)) if name)  # fmt: skip
        _say(f"no saved runs of {asked} in this store (`runs list` shows them all)" if asked
             else "no runs saved in this store yet")  # fmt: skip
    if documents:
        _documents_table(documents)
    if left_out:
        _say(f"(the newest {limit} shown: --limit N shows more)")


def newest(
    store: StoreOpt, fleet: str | None, scenario: str | None, limit: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], bool]:
    """The fleet runs (of ``fleet`` and ``scenario`` when given) and, unless filtered so,
    the sweeps and industry runs among the ``limit`` newest of them all, and whether any
    was left out: ``--limit 3`` lists three entries, not three of each kind."""
    from hashshock.store.query import list_runs
    from hashshock.store.saved import list_documents, newest_ids

    # one more than asked for: whether any was left out
    rows = list_runs(store, fleet, scenario, limit + 1)
    documents = [] if fleet or scenario else list_documents(store, limit + 1)
    order = newest_ids(store, limit + 1) if documents else [r["run_id"] for r in rows]
    kept = set(order[:limit])
    return ([r for r in rows if r["run_id"] in kept],
            [d for d in documents if d["run_id"] in kept], len(order) > limit)  # fmt: skip


def _runs_table(rows: list[dict[str, Any]]) -> None:
    """Saved fleet runs, newest first, with their key outcomes."""
    wide = console.width >= 110
    table = Table(
        title="Saved runs (newest first; avail. end = median availability on the last day)",
        title_justify="left",
    )
    table.add_column("id", no_wrap=True)
    # A fleet's name kept whole, the scenario below it; in 80 columns the other columns
    # wrap to make room (rich would rather cut the name).
    longest = max(len(r["fleet_name"]) for r in rows)
    # Each column's widest cell (a header wraps at its spaces) and rich's 3 columns of
    # padding and rule each: cells that fit are kept whole ("100 × 180" and "12-07
    # 22:37" took two lines in 80 columns, the table 72 wide); else they wrap, the fleet's
    # name kept whole.
    natural = [
        max(len(r["run_id"]) for r in rows),
        11,
        max(longest, *(len(r["scenario"]) for r in rows), 5),
        max(5, *(len(f"{r['paths']} × {r['horizon_days']}") for r in rows)),
        6,
        8,
    ]
    fits = wide or sum(natural) + 3 * len(natural) + 1 <= console.width
    narrow = None if fits else 6
    table.add_column("saved (UTC)", max_width=narrow, min_width=natural[1] if fits else None)
    table.add_column("fleet / scenario", no_wrap=longest <= 30, overflow="fold")
    table.add_column("paths × days", max_width=narrow and 8,
                     min_width=natural[3] if fits else None)  # fmt: skip
    if wide:
        table.add_column("seed", no_wrap=True)
    table.add_column("avail. end", justify="right", max_width=None if wide else 7)
    table.add_column("P(spares out)", justify="right", max_width=None if wide else 9)
    if wide:
        table.add_column("label", overflow="fold")
    for r in rows:
        cells = [
            r["run_id"], r["saved_at"][5:16].replace("T", " "),
            f"{literal(r['fleet_name'])}\n{literal(r['scenario'])}",
            f"{r['paths']} × {r['horizon_days']}",
        ]  # fmt: skip
        if wide:
            cells.append(str(r["seed"]))
        cells += [_pct(r["availability_end_p50"]), _pct(r["spares_depleted_probability"])]
        if wide:
            cells.append(literal(r["label"] or ""))
        table.add_row(*cells)
    console.print(table)
    if not wide:
        _say("(seed and label: widen the terminal, or `runs show ID`, or --json)")


def _documents_table(rows: list[dict[str, Any]]) -> None:
    """Saved sweeps and industry runs, newest first."""
    table = Table(title="Saved sweeps and industry runs (newest first)", title_justify="left")
    table.add_column("id", no_wrap=True)
    table.add_column("saved (UTC)", no_wrap=True)
    table.add_column("kind", no_wrap=True)
    table.add_column("name · scenarios or method", overflow="fold")
    table.add_column("paths×days", no_wrap=True)
    for r in rows:
        table.add_row(r["run_id"], r["saved_at"][5:16].replace("T", " "), r["kind"],
                      literal(f"{r['name']} · {r['what'].replace(',', ', ')}"),
                      f"{r['paths']}×{r['horizon_days']}")  # fmt: skip
    console.print(table)


@runs_app.command("show")
def show_command(run_id: IdArg, store: StoreOpt = None, as_json: JsonFlag = False) -> None:
    """Show a run: its manifest, the inputs kept with it, stages, first to break, money;
    a saved sweep or industry run as its command printed it."""
    from hashshock.store.query import load_runs
    from hashshock.store.records import summary_metrics
    from hashshock.store.saved import saved_kind

    with input_errors():
        kind, found = saved_kind(run_id, store)
        if kind != "run":
            _show_document(kind, found, store, as_json)
            return
        run = load_runs([found], store)[0]
    data = run.data
    summary = summary_metrics(data)
    if as_json:
        kept = {k: {"name": v["name"], "sha256": v["sha256"]} for k, v in run.inputs.items()}
        _json({"run_id": run.run_id, "saved_at": run.saved_at, "label": run.label,
               "manifest": data.get("manifest"), "inputs": kept, "summary": summary})  # fmt: skip
        return
    manifest = data.get("manifest") or {}
    _say(f"run {run.run_id} saved {run.saved_at}" + (f" ({run.label})" if run.label else ""))
    _say(f"  {data.get('fleet_name')} · {data['scenario']} · {data.get('paths')} paths × "
         f"{data.get('horizon_days')} days from {data.get('start_date')} · seed {data.get('seed')}"
         f" · hashshock {data.get('version')}")  # fmt: skip
    _say(f"  inputs sha256 {manifest.get('inputs_sha256', '—')}")
    if manifest.get("snapshot_date"):
        _say(f"  market snapshot {manifest['snapshot_date']} ({manifest.get('snapshot_origin')})")
    for kind, doc in run.inputs.items():
        _say(f"  kept {kind} '{doc['name']}' (sha256 {doc['sha256'][:12]}…)")
    table = Table(title="Outcomes", title_justify="left")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for metric, value in summary.items():
        if metric.startswith(("stages.", "first_to_break.", "availability.end", "finance.covenants",
                              "finance.revenue_usd", "finance.cash_usd_end")):  # fmt: skip
            table.add_row(literal(metric), metric_text(metric, value))
    console.print(table)


def _show_document(kind: str, found: str, store: StoreOpt, as_json: bool) -> None:
    """A saved sweep or industry run: its JSON, or its summary as its command printed it."""
    from hashshock.store.documents import load_document
    from hashshock.store.saved import BY_NAME

    saved = BY_NAME[kind]
    data = load_document(store, saved.head, saved.id_column, found, saved.noun)
    if as_json:
        _json(data)
        return
    _say(f"{saved.noun} {found}")
    if kind == "industry":
        from hashshock.cli.industry import render_industry

        render_industry(console, data, None)
    else:
        from hashshock.cli.sweep import render_sweep

        render_sweep(console, data, None)


def _value(value: Any) -> str:
    """A value as a line says it, whole (the terminal wraps a long one)."""
    if isinstance(value, float):
        return f"{value:,.6g}"
    if value is None:
        return "—"
    if isinstance(value, bool):  # as the fleet file says it, not Python's True
        return "true" if value else "false"
    return json.dumps(value, default=str) if isinstance(value, dict | list) else str(value)


#: Characters of an input's value ``runs diff`` shows without ``--all``.
INPUT_CHARS = 60


def _cut(text: str) -> str:
    """``text`` to :data:`INPUT_CHARS` characters, ``…`` where it was cut."""
    return text if len(text) <= INPUT_CHARS else text[: INPUT_CHARS - 1].rstrip() + "…"


def metric_text(metric: str, value: Any) -> str:
    """An outcome as `run` prints it: money in $ (k, M), probabilities and availability
    in %, days whole; anything else as it is."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return "—" if value is None else _value(value)
    if "_usd" in metric:
        for size, unit in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
            if abs(value) >= size:
                return f"{'-' if value < 0 else ''}${abs(value) / size:,.1f}{unit}"
        return f"{'-' if value < 0 else ''}${abs(value):,.0f}"
    if "probability" in metric or "availability" in metric:
        return f"{value:.1%}"
    if "day" in metric:
        return f"{value:,.0f}"
    return f"{value:,.4g}"


def _dollars(value: float, places: int) -> str:
    return f"{'-' if value < 0 else ''}${abs(value):,.{places}f}"


def change_texts(metric: str, before: Any, after: Any) -> tuple[str, str]:
    """A changed outcome's two values as :func:`metric_text` says them, or, when that
    hides the change ("93.5% → 93.5%"), in the same unit with the digits that tell them
    apart (a share as "75.916% → 75.925%", not "0.75916 → 0.75925"), else whole."""
    said = metric_text(metric, before), metric_text(metric, after)
    if said[0] != said[1]:
        return said
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (before, after))
    if numbers and ("probability" in metric or "availability" in metric):
        for places in range(2, 9):
            said = f"{before:.{places}%}", f"{after:.{places}%}"
            if said[0] != said[1]:
                return said
    if numbers and "_usd" in metric:
        for places in (0, 2):
            said = _dollars(before, places), _dollars(after, places)
            if said[0] != said[1]:
                return said
    return _value(before), _value(after)


@runs_app.command("diff")
def diff_command(
    first: IdArg, second: IdArg, store: StoreOpt = None, as_json: JsonFlag = False,
    all_outcomes: Annotated[bool, typer.Option(
        "--all", help="Every changed outcome, and input values whole.")] = False,
) -> None:  # fmt: skip
    """Explain what changed between two runs: inputs first, then outcomes."""
    from hashshock.store.diff import diff_runs
    from hashshock.store.query import load_runs

    with input_errors():
        a, b = load_runs([first, second], store)
    diff = diff_runs(a, b)
    if as_json:
        _json(diff.to_dict())
        return
    _say(f"{a.run_id} ({a.data['scenario']}, saved {a.saved_at}) → {b.run_id} "
         f"({b.data['scenario']}, saved {b.saved_at})")  # fmt: skip
    _say("inputs: " + ("no change" if not diff.inputs else f"{len(diff.inputs)} changed"))
    cut = False
    for change in diff.inputs:
        before, after = _value(change.before), _value(change.after)
        if not all_outcomes:  # a description or a distribution's 47 values: its start
            cut |= len(before) > INPUT_CHARS or len(after) > INPUT_CHARS
            before, after = _cut(before), _cut(after)
        _say(f"  {change.where}: {before} → {after}")
    if cut:
        _say("  (long values cut at … : --all shows them whole, --json as data)")
    shown = diff.outcomes if all_outcomes else [
        c for c in diff.outcomes if c.where.startswith(
            ("stages.", "availability.end.p50", "first_to_break.", "finance.covenants.",
             "finance.revenue_usd.p50", "finance.cash_usd_end.p50"))
        and not c.where.endswith(("_ci95.low", "_ci95.high"))]  # fmt: skip
    _say("outcomes: " + ("no change" if not diff.outcomes else
                         f"{len(diff.outcomes)} changed, the main ones:"))  # fmt: skip
    for change in shown:
        note = f"  ({change.note})" if change.note else ""
        before, after = change_texts(change.where, change.before, change.after)
        _say(f"  {change.where}: {before} → {after}{note}")
    for note in diff.notes:
        _say(f"note: {note}")


@runs_app.command("export")
def export_command(
    run_id: IdArg,
    fmt: Annotated[str, typer.Option("--format", "-f", help="csv, parquet or json.")] = "json",
    out: Annotated[
        str | None, typer.Option("--out", "-o", help="File to write ('-' or none: stdout).")
    ] = None,
    store: StoreOpt = None,
) -> None:
    """Export a run: JSON (its full result) or its daily bands as CSV or Parquet; a sweep
    or industry run: its JSON, or its rows (points, summary) as CSV or Parquet."""
    from hashshock.store.export import FORMATS, export_bytes, export_run

    with input_errors():
        if fmt not in FORMATS:
            raise InputError(
                None, "--format", f"unknown format {fmt!r}", "use csv, parquet or json"
            )
        if out in (None, "-"):
            sys.stdout.buffer.write(export_bytes(run_id, fmt, store))
            return
        target = export_run(run_id, fmt, out, store)
    say(confirming(console, target), f"wrote {target}")


@runs_app.command("rm")
def rm_command(
    run_ids: Annotated[list[str], typer.Argument(metavar="ID", help="Runs to remove.")],
    store: StoreOpt = None,
) -> None:
    """Remove runs (and sweeps, industry runs) from the store."""
    from hashshock.store.query import remove_runs

    with input_errors():
        removed = remove_runs(run_ids, store)
    _say(f"removed {', '.join(removed)}")


def register(app: typer.Typer) -> None:
    """Add the ``runs`` command group to ``app``."""
    app.add_typer(runs_app, name="runs")
