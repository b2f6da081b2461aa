"""Write a report: one self-contained HTML file, and optionally static images."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hashshock.inputs.errors import InputError
from hashshock.outputs import atomic_write_bytes, check_output, check_replaceable
from hashshock.report.data import as_dicts, scenario_labels
from hashshock.report.page import GENERATOR_META, render_page
from hashshock.report.sections import ReportInput, figures

if TYPE_CHECKING:
    from hashshock.results import RunResult

REPORT_SUFFIXES = (".html", ".htm")


@contextmanager
def drawn_from_files(files: Sequence[str | Path], command: str) -> Iterator[None]:
    """Draw a report from JSON files whose shape was checked only in outline (the keys a
    report needs first): a field further in that is missing or of the wrong kind — a file
    edited by hand — ends as one line naming the files and what was wrong, not a
    traceback from the drawing code. With no files (results simulated here) nothing is
    caught."""
    try:
        yield
    except InputError:  # already one line naming what to fix
        raise
    except (KeyError, TypeError, AttributeError, ValueError, IndexError) as exc:
        if not files:
            raise
        raise InputError(
            ", ".join(map(str, files)), None,
            f"has a field missing or of the wrong kind for its report "
            f"({type(exc).__name__}: {exc})", f"write it again with `{command}`",
        ) from exc  # fmt: skip


def check_report_path(path: str | Path, inputs: Iterable[str | Path] = (),
                      option: str = "--report") -> Path:  # fmt: skip
    """Check before simulating that the report can be written to ``path`` (an ``.html``
    file in an existing, writable folder, not one of ``inputs``, and not a file of the
    user's: it replaces only an empty file or an earlier report, through a link too);
    raises ``InputError``."""
    checked = check_output(path, option, inputs, REPORT_SUFFIXES)
    if checked is None:
        raise InputError(None, option, "the report cannot go to stdout", "name an .html file")
    check_replaceable(checked, option, "a report hashshock wrote", looks_like_report)
    return checked


#: How much of a page's start and end is read to tell a report (its head has the
#: generator tag; a report from before the tag ends with its own script).
_SNIFF_BYTES = 64 * 1024


def looks_like_report(path: Path) -> bool:
    """Whether the HTML file ``path`` is a page hashshock wrote (a report, or an
    industry's, sweep's or decision's page)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(_SNIFF_BYTES)
            handle.seek(max(path.stat().st_size - _SNIFF_BYTES, 0))
            tail = handle.read()
    except OSError:
        return False
    return GENERATOR_META.encode() in head or b'getElementById("hashshock-figures")' in tail


def report_input(
    results: Sequence[RunResult | dict[str, Any]], extras: dict[str, Any] | None = None,
    label_suffix: str = "",
) -> ReportInput:  # fmt: skip
    """What the sections draw: report dicts of ``results`` with one label each (each
    followed by ``label_suffix``, e.g. " — do nothing": which runs a decision's page draws)."""
    runs = as_dicts(results)
    labels = [label + label_suffix for label in scenario_labels(runs)]
    return ReportInput(runs=runs, labels=labels, extras=dict(extras or {}))


def write_report(
    results: Sequence[RunResult | dict[str, Any]],
    path: str | Path,
    images: str | Path | None = None,
    image_formats: Sequence[str] = ("png",),
    title: str | None = None,
    option: str = "--report",
) -> Path:
    """Write the HTML report of ``results`` to ``path`` atomically; return the path.

    ``results`` are ``RunResult`` objects (full fan charts) or dicts read from saved JSON
    or the store. With ``images``, each chart is also drawn as PNG and/or SVG into that
    folder (:mod:`hashshock.report.images`). ``path`` must be an ``.html`` file in an
    existing folder (a fleet's ``.yaml`` is never replaced by a page); else ``InputError``.
    """
    target = check_report_path(path, [], option)
    return write_page(report_input(results), target, title, images, image_formats, option)


def write_page(
    report: ReportInput, target: Path, title: str | None, images: str | Path | None,
    image_formats: Sequence[str], option: str,
) -> Path:  # fmt: skip
    """Write ``report`` as one HTML page at ``target`` atomically and, with ``images``,
    every chart into that folder as PNG and/or SVG (``image_formats`` a list, or text
    such as ``"png,svg"``); return ``target``. The folder and formats are checked first."""
    drawn = {}
    if images is not None:  # drawn first: a browser that fails leaves nothing written
        from hashshock.report.images import check_images, draw_images, write_images

        if isinstance(image_formats, str):
            image_formats = [f.strip() for f in image_formats.split(",") if f.strip()]
        folder = check_images(images, image_formats, option="images")
        # an image of a one-run report names its run: alone on a slide, nothing else does
        named = report.labels[0] if len(report.runs) == 1 else None
        drawn = draw_images(figures(report), folder, image_formats, named)
    atomic_write_bytes(target, render_page(report, title).encode("utf-8"), option)
    if drawn:
        write_images(drawn)
    return target
