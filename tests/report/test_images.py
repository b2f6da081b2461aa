"""Static images of the same figures, drawn by a local Chromium."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hashshock.inputs.errors import InputError
from hashshock.report.images import (
    check_images,
    draw_images,
    find_browser,
    looks_like_image,
    signed,
    write_images,
)
from hashshock.report.sections import Chart, figures
from hashshock.report.write import report_input


def test_png_and_svg_of_charts(tmp_path: Path, small_runs) -> None:
    if find_browser() is None:
        pytest.skip("image test skipped: no Chrome or Chromium (as root, `make test` installs it)")
    charts = [c for c in figures(report_input(small_runs)) if c.key in ("hashrate", "stages")]
    written = write_images(draw_images(charts, tmp_path / "img", ["png", "svg"]))
    assert sorted(p.name for p in written) == [
        "hashrate.png",
        "hashrate.svg",
        "stages.png",
        "stages.svg",
    ]
    png = (tmp_path / "img" / "hashrate.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (1280, 720)
    svg = (tmp_path / "img" / "stages.svg").read_text(encoding="utf-8")
    assert svg.split("-->", 1)[1].lstrip().startswith("<svg") and "sanctions" in svg


def test_drawing_again_replaces_its_images_and_never_a_users(tmp_path: Path, small_runs) -> None:
    if find_browser() is None:
        pytest.skip("image test skipped: no Chrome or Chromium (as root, `make test` installs it)")
    charts = [c for c in figures(report_input(small_runs)) if c.key == "stages"]
    folder = tmp_path / "img"
    (png, svg) = write_images(draw_images(charts, folder, ["png", "svg"]))
    assert looks_like_image(png) and looks_like_image(svg)
    write_images(draw_images(charts, folder, ["png", "svg"]))  # its own: replaced
    png.write_bytes(b"\x89PNG\r\n\x1a\n a photo of the user's")
    with pytest.raises(InputError, match=r"stages.png.*exists and is not an image hashshock drew"
                       r".* — fix: name another folder with --images"):  # fmt: skip
        draw_images(charts, folder, ["svg", "png"])
    assert png.read_bytes().endswith(b"a photo of the user's")


def test_a_signed_png_is_still_a_png_and_an_unsigned_one_is_not_ours(tmp_path: Path) -> None:
    import zlib

    ihdr = b"IHDR" + (3).to_bytes(4, "big") + (2).to_bytes(4, "big") + bytes([8, 2, 0, 0, 0])
    body = zlib.compress(b"\x00" + b"\x10\x20\x30" * 3 + b"\x00" + b"\x40\x50\x60" * 3)

    def chunk(data: bytes) -> bytes:
        return (len(data) - 4).to_bytes(4, "big") + data + zlib.crc32(data).to_bytes(4, "big")

    png = b"\x89PNG\r\n\x1a\n" + chunk(ihdr) + chunk(b"IDAT" + body) + chunk(b"IEND")
    (tmp_path / "plain.png").write_bytes(png)
    (tmp_path / "ours.png").write_bytes(signed(png))
    assert not looks_like_image(tmp_path / "plain.png")
    assert looks_like_image(tmp_path / "ours.png")
    # Every chunk of the signed file is whole, its CRC right (a PNG reader would say).
    data, at, types = signed(png), 8, []
    while at < len(data):
        length = int.from_bytes(data[at : at + 4], "big")
        kind_and_data = data[at + 4 : at + 8 + length]
        assert (
            zlib.crc32(kind_and_data).to_bytes(4, "big") == data[at + 8 + length : at + 12 + length]
        )
        types.append(kind_and_data[:4])
        at += 12 + length
    assert types == [b"IHDR", b"tEXt", b"IDAT", b"IEND"]


def test_a_chart_drawn_taller_keeps_its_height(tmp_path: Path, small_runs) -> None:
    """A figure taller than a slide (many operators down its axis) is not squeezed into
    720 pixels, where its rows would lose their labels."""
    if find_browser() is None:
        pytest.skip("image test skipped: no Chrome or Chromium (as root, `make test` installs it)")
    (chart,) = [c for c in figures(report_input(small_runs)) if c.key == "stages"]
    tall = Chart("tall", {**chart.figure, "layout": {**chart.figure["layout"], "height": 1000}})
    (written,) = write_images(draw_images([tall], tmp_path / "img", ["png"]))
    png = written.read_bytes()
    assert (int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")) == (1280, 1000)


def test_images_need_a_browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HASHSHOCK_BROWSER", str(tmp_path / "no-browser"))
    with pytest.raises(InputError, match=r"no-browser', which is not a file"):
        check_images(tmp_path / "img", ["png"])
    monkeypatch.delenv("HASHSHOCK_BROWSER")
    monkeypatch.setenv("PATH", str(tmp_path))  # no browser on it either
    with pytest.raises(InputError, match="no Chrome or Chromium"):
        check_images(tmp_path / "img", ["png"])


def test_a_browser_that_cannot_draw_leaves_nothing_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    small_runs,
) -> None:  # fmt: skip
    """A "browser" that exits at once: one line naming it, and neither the page nor the
    images' folder written (they used to be, with exit 2 and a Python tuple as message)."""
    from hashshock.report.write import write_report

    fake = tmp_path / "browser"
    fake.write_text("#!/bin/sh\nexit 0\n")
    fake.chmod(0o755)
    monkeypatch.setenv("HASHSHOCK_BROWSER", str(fake))
    page, folder = tmp_path / "r.html", tmp_path / "img"
    with pytest.raises(InputError) as caught:
        write_report(small_runs, page, images=folder)
    message = caught.value.message
    assert message.startswith(f"{fake}: --images: the browser could not draw (")
    assert "\n" not in message and "('" not in message
    assert not page.exists() and not folder.exists()
    printed = capsys.readouterr()
    assert "watchdog" not in printed.err + printed.out  # the driver's own warning is quiet


@pytest.mark.parametrize(("images", "formats", "says"), [
    ("notes.txt", ("png",), "is a file, not a folder"),
    ("no/such/folder", ("png",), "folder does not exist: .*no/such "),
    ("imgs", ["gif"], "unknown format 'gif'"),
    ("imgs", "png,gif", "unknown format 'gif'"),  # text is split at commas, not letters
])  # fmt: skip
def test_write_report_checks_its_images_before_writing(
    tmp_path: Path, small_runs, images: str, formats: Any, says: str
) -> None:
    """From Python as from `report --images`: a folder that is a file or cannot be made,
    or a format that is not png or svg, is an InputError before anything is drawn or
    written (the page was written first, then the images failed)."""
    from hashshock.report import write_report

    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    page = tmp_path / "r.html"
    with pytest.raises(InputError, match=says):
        write_report(small_runs, page, images=tmp_path / images, image_formats=formats)
    assert not page.exists() and (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_an_image_of_one_run_names_it_in_its_title(tmp_path: Path, small_runs) -> None:
    """Alone on a slide, a one-run report's chart said nothing of which scenario it
    shows (its page says it in the heading); its title names it, written as it is."""
    from hashshock.report.images import titled_with

    chart = next(c for c in figures(report_input(small_runs[:1])) if c.key == "first-to-break")
    head = chart.figure["layout"]["title"]["text"]
    named = titled_with(chart.figure, "a<b & c")["layout"]["title"]["text"]
    first, _, rest = head.partition("<br>")
    assert named.startswith(f"{first} — a&lt;b &amp; c") and named.endswith(rest)
    assert titled_with(chart.figure, None) is chart.figure
    if find_browser() is None:
        pytest.skip("image test skipped: no Chrome or Chromium (as root, `make test` installs it)")
    from hashshock.report.write import write_report

    write_report(small_runs[1:2], tmp_path / "r.html", images=tmp_path / "img",
                 image_formats=["svg"])  # fmt: skip
    label = small_runs[1].scenario
    svg = (tmp_path / "img" / "first-to-break.svg").read_text(encoding="utf-8")
    assert f"— {label}" in svg
