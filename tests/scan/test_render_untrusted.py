"""What a scanned device reports is untrusted text: a model or message holding rich
markup or terminal escapes is printed as written, and never restyles the terminal."""

from __future__ import annotations

import io

from rich.console import Console

from hashshock.scan.fleetfile import ScannedCohort
from hashshock.scan.records import MachineRecord
from hashshock.scan.render import print_scan


def test_a_device_cannot_inject_markup_or_escapes() -> None:
    hostile = MachineRecord(ip="127.0.0.2", status="error", model="S19 [/] [red]x[/red]",
                            message="\x1b[2J\x1b[31mowned")  # fmt: skip
    cohort = ScannedCohort(site="a[b]", model="antminer-s19", count=1)
    out = io.StringIO()
    console = Console(file=out, width=200, color_system=None)
    print_scan(console, [hostile], [cohort], ["note [/] \x1b[0m"])
    text = out.getvalue()
    assert "\x1b" not in text
    assert "S19 [/] [red]x[/red]" in text and "a[b]" in text
    assert "\\x1b[2J\\x1b[31mowned" in text and "note [/] \\x1b[0m" in text
