"""Static PNG and SVG images of the report's figures, for slides.

Drawn by kaleido in a local headless Chrome or Chromium (``HASHSHOCK_BROWSER``, else
``BROWSER_PATH``, else ``chromium``, ``chromium-browser``, ``google-chrome`` on the
``PATH``). The browser is started through a small wrapper that switches off its
background networking and host lookups, and the page uses plotly.js from the plotly
package with MathJax off: drawing an image contacts nothing. Each image is written
atomically as ``<chart key>.<format>``, 1280 × 720 pixels (taller for a chart drawn
taller, so that none of its rows loses its label).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import shlex
import shutil
import stat
import tempfile
import zlib
from collections.abc import Sequence
from pathlib import Path

from hashshock.inputs.errors import InputError
from hashshock.outputs import atomic_write_bytes, check_replaceable
from hashshock.report.figures.style import Figure, image_size, shown_as_written
from hashshock.report.sections import Chart

FORMATS = ("png", "svg")
BROWSER_ENV = "HASHSHOCK_BROWSER"
_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
#: Flags that keep the browser off the network (it renders a local page only).
QUIET_FLAGS = (
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-quic", "--no-first-run", "--disable-domain-reliability", "--no-pings",
    "--dns-prefetch-disable", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost",
)  # fmt: skip


def find_browser() -> Path | None:
    """The Chrome or Chromium to draw with, or ``None`` (module docstring)."""
    for env in (BROWSER_ENV, "BROWSER_PATH"):
        value = os.environ.get(env)
        if value:
            return Path(value) if Path(value).is_file() else None
    for name in _NAMES:
        found = shutil.which(name)
        if found:
            return Path(found)
    return None


def check_images(folder: str | Path, formats: Sequence[str], option: str = "--images") -> Path:
    """Check, before any simulation, that images can be drawn into ``folder``."""
    from hashshock.outputs import check_output_dir

    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise InputError(None, "--image-format", f"unknown format {','.join(bad)!r}",
                         "use png, svg or png,svg")  # fmt: skip
    target = check_output_dir(folder, option)
    if find_browser() is None:
        raise _no_browser(option)
    return target


def _wrapper(browser: Path, folder: Path) -> Path:
    script = folder / "browser.sh"
    flags = " ".join(shlex.quote(f) for f in QUIET_FLAGS)
    script.write_text(f'#!/bin/sh\nexec {shlex.quote(str(browser))} {flags} "$@"\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


@functools.cache
def _quiet_browser_logs() -> None:
    """The browser driver's own warnings ("Wait expired, Browser is being closed by
    watchdog.") go nowhere: a failure to draw is reported once, as an input error."""
    for name in ("choreographer", "kaleido"):
        logging.getLogger(name).addHandler(logging.NullHandler())


def titled_with(figure: Figure, label: str | None) -> Figure:
    """``figure`` with `` — label`` after its title's first line (``label`` as written,
    :func:`~hashshock.report.figures.style.shown_as_written`); unchanged without one."""
    title = figure.get("layout", {}).get("title")
    if label is None or not isinstance(title, dict) or not title.get("text"):
        return figure
    head, br, rest = str(title["text"]).partition("<br>")
    text = f"{head} — {shown_as_written(label)}{br}{rest}"
    return {**figure, "layout": {**figure["layout"], "title": {**title, "text": text}}}


async def _render(charts: Sequence[Chart], formats: Sequence[str], browser: Path,
                  label: str | None) -> list[bytes]:  # fmt: skip
    import kaleido

    _quiet_browser_logs()

    with tempfile.TemporaryDirectory(prefix="hashshock-browser-") as tmp:
        path = _wrapper(browser, Path(tmp)) if os.name == "posix" else browser
        async with kaleido.Kaleido(n=2, path=str(path), mathjax=False, timeout=60) as k:
            jobs = []
            for chart in charts:
                width, height = image_size(chart.figure)
                size = {"width": width, "height": height}
                figure = titled_with(chart.figure, label)
                jobs += [k.calc_fig(figure, opts={"format": f, **size}) for f in formats]
            return list(await asyncio.gather(*jobs))


def draw_images(
    charts: Sequence[Chart], folder: Path, formats: Sequence[str] = ("png",),
    label: str | None = None,
) -> dict[Path, bytes]:  # fmt: skip
    """Every chart drawn in each of ``formats``, by the file it goes to in ``folder``
    (with ``label``, the run each shows, after its title: :func:`titled_with`); nothing
    is written, so a browser that cannot draw leaves no page and no folder."""
    browser = find_browser()
    if browser is None:
        raise _no_browser("--images")
    paths = [folder / f"{c.key}.{f}" for c in charts for f in formats]
    for path in paths:  # before the browser starts, and before anything is written
        check_replaceable(path, "--images", "an image hashshock drew (those drawn before "
                          "hashshock marked its images are not told apart: delete them "
                          "once)", looks_like_image,
                          "name another folder with --images, or move this file")  # fmt: skip
    try:
        images = asyncio.run(_render(charts, formats, browser, label))
    except (OSError, RuntimeError, TimeoutError) as exc:
        raise InputError(
            browser, "--images", f"the browser could not draw ({_first_line(exc)})",
            f"check that {browser} starts (Debian: apt-get install chromium), or set "
            f"{BROWSER_ENV} to another",
        ) from None  # fmt: skip
    return {path: signed(data) for path, data in zip(paths, images, strict=True)}


#: What an image hashshock drew says of itself: a PNG's ``tEXt`` chunk, an SVG's comment.
_PNG_SIGNATURE, _PNG_TEXT = b"\x89PNG\r\n\x1a\n", b"Software\x00hashshock"
_SVG_COMMENT = b"<!-- drawn by hashshock -->"


def signed(image: bytes) -> bytes:
    """``image`` (PNG or SVG bytes) marked as drawn by hashshock, so that drawing again
    replaces it and nothing else (:func:`looks_like_image`)."""
    if image.startswith(_PNG_SIGNATURE):
        # The chunk goes after IHDR (8 + 4 + 4 + 13 + 4 bytes), as the PNG spec allows.
        at = len(_PNG_SIGNATURE) + 25
        chunk = b"tEXt" + _PNG_TEXT
        crc = zlib.crc32(chunk).to_bytes(4, "big")
        return image[:at] + len(_PNG_TEXT).to_bytes(4, "big") + chunk + crc + image[at:]
    return _SVG_COMMENT + image


def looks_like_image(path: Path) -> bool:
    """Whether ``path`` is an image :func:`signed` marked."""
    try:
        with path.open("rb") as handle:
            head = handle.read(256)
    except OSError:
        return False
    return head.startswith(_SVG_COMMENT) or (
        head.startswith(_PNG_SIGNATURE) and _PNG_TEXT in head[:80]
    )


def write_images(drawn: dict[Path, bytes]) -> list[Path]:
    """Write images from :func:`draw_images` (their folder created if missing)."""
    for path, data in drawn.items():
        path.parent.mkdir(exist_ok=True)
        atomic_write_bytes(path, data, "--images")
    return list(drawn)


def _first_line(exc: BaseException) -> str:
    """The first line of an error's first text (kaleido's are tuples of paragraphs)."""
    texts: list[str] = []

    def gather(value: object) -> None:
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, tuple | list):
            for item in value:
                gather(item)

    gather(exc.args)
    first = next((t.strip() for t in texts if t.strip()), type(exc).__name__)
    return first.splitlines()[0]


def _no_browser(option: str) -> InputError:
    """No browser to draw with: named, the one ``HASHSHOCK_BROWSER`` points at if any."""
    given = os.environ.get(BROWSER_ENV) or os.environ.get("BROWSER_PATH")
    if given:
        return InputError(None, option, f"{BROWSER_ENV} is {given!r}, which is not a file",
                          "point it at Chrome or Chromium, or unset it")  # fmt: skip
    return InputError(
        None, option, "no Chrome or Chromium found to draw images",
        f"install one (Debian: apt-get install chromium) or set {BROWSER_ENV} to its path",
    )  # fmt: skip
