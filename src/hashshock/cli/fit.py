"""``hashshock fit``: add it to an app with :func:`register`.

Fits Weibull failure rates per part type (and model family) from failure logs or scan
inventories (docs/calibration.md). Bad input exits with code 2 and one line on stderr
(``error: ...``); data too thin to fit is not an error: the bundled default is kept
and a note says so. The fitting code (and lifelines) is imported only when the command
runs, so ``hashshock --help`` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from hashshock.cli.common import (
    QuietOpt,
    error_exit,
    say,
    tell,
    warn_all,
    working,
    writes_stdout,
)
from hashshock.inputs.errors import InputError
from hashshock.outputs import check_distinct_outputs, check_output, check_replaceable, csv_columns
from hashshock.words import counted

LogsArg = Annotated[
    list[Path],
    typer.Argument(
        metavar="LOG.csv",
        help="Failure log CSV(s), or scan inventory CSV(s) from `hashshock scan` "
        "(docs/calibration.md).",
        show_default=False,
    ),
]
OutOpt = Annotated[
    Path | None,
    typer.Option(
        "--out",
        metavar="PATH",
        help="Write the fitted rates here (the columns of failure_rates.csv).",
    ),
]
AsOfOpt = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        metavar="YYYY-MM-DD",
        help="Last day observed (YYYY-MM-DD) for machines without observed_until "
        "(required if any has none); no date may be later than it, or than today "
        "without it.",
    ),
]
InstallOpt = Annotated[
    str | None,
    typer.Option(
        "--install-date",
        metavar="YYYY-MM-DD",
        help="Scan inventories only: install date (YYYY-MM-DD) of the scanned machines "
        "whose inventory has no install_date column. Failure logs give install_date per "
        "machine; with them this option is refused.",
    ),
]
MinOpt = Annotated[
    int,
    typer.Option("--min-failures", min=1, help="Fewest failures of a part type to fit it."),
]
MinFamilyOpt = Annotated[
    int,
    typer.Option(
        "--min-family-failures",
        min=1,
        help="Fewest failures in a model family for its own row (never fewer than --min-failures).",
    ),
]
JsonOpt = Annotated[
    str | None, typer.Option("--json", help="Write the fit results as JSON here ('-' for stdout).")
]


def _check_outputs(logs: list[Path], out: Path | None, json_out: str | None) -> None:
    """Before fitting: no output over an input log nor both outputs to one file, and
    ``--out`` replaces only an earlier failure-rates CSV (never a fleet file, say)."""
    from hashshock.inputs.catalog import FAILURE_RATE_COLUMNS

    check_output(out, "--out", logs)
    check_output(json_out, "--json", logs)
    check_distinct_outputs(("--out", out), ("--json", json_out))
    check_replaceable(out, "--out", "a failure-rates CSV (the columns of failure_rates.csv)",
                      lambda path: csv_columns(path) >= set(FAILURE_RATE_COLUMNS))  # fmt: skip


def fit_command(
    logs: LogsArg,
    out: OutOpt = None,
    as_of: AsOfOpt = None,
    install_date: InstallOpt = None,
    min_failures: MinOpt = 10,
    min_family_failures: MinFamilyOpt = 30,
    json_out: JsonOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Fit Weibull failure rates per part type (and model family) from your own history."""
    from hashshock.fit.dates import parse_option_date
    from hashshock.fit.rates import fit_failure_rates, render_rates_csv
    from hashshock.fit.report import print_report, report_to_dict
    from hashshock.outputs import write_json, write_keeping_previous

    err = Console(emoji=False, stderr=True)
    try:
        _check_outputs(logs, out, json_out)
        with working(not quiet, f"reading {counted(len(logs), 'file')} and fitting…"):
            report = fit_failure_rates(
                logs,
                as_of=parse_option_date(as_of, "--as-of"),
                install_date=parse_option_date(install_date, "--install-date"),
                min_failures=min_failures,
                min_family_failures=min_family_failures,
            )
        kept = None
        if out is not None:
            kept = write_keeping_previous(out, render_rates_csv(report.rates()), "--out")
        if json_out:
            write_json(report_to_dict(report), json_out)
    except InputError as exc:
        raise error_exit(exc) from None
    warn_all(report.warnings, err)
    if quiet:  # the warnings above are said all the same, as other commands' are
        return
    if writes_stdout(json_out, out):  # stdout carries the JSON or the CSV
        for note in report.notes:  # (the table there overwrote --out /dev/stdout's CSV)
            tell(err, "note: ", note)
        return
    console = Console(emoji=False)
    print_report(console, report)
    if out is not None:
        previous = f" (the previous file kept as {kept})" if kept else ""
        # a fleet file reads the path from its own folder: the bare name holds only beside it
        say(console, f"wrote {len(report.rates())} rows to {out}{previous}; use it in a fleet "
            f"file as failure_rates: PATH, from the fleet file's folder (from anywhere: "
            f"{out.resolve()})")  # fmt: skip


def register(app: typer.Typer) -> None:
    """Add the ``fit`` command to ``app``."""
    app.command("fit")(fit_command)
