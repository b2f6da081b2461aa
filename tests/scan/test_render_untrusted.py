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


def test_a_line_break_in_a_header_line_stays_comment() -> None:
    """A miner's reported model (or a site name) holding a line break went into the fleet
    file's comment header as written, and the text after the break became a setting
    (`operations: {failure_rate_multiplier: 0.01}`, a simulation at 1 % of the failure
    rate). Every line a header entry makes is a comment, and the file reads back as the
    fleet mapping."""
    import yaml

    from hashshock.scan.yamlfile import render_fleet_yaml

    data = {"name": "farm", "sites": [{"name": "a", "country": "US"}]}
    hostile = ("NOT IN COHORTS: 1 x 'Antminer S95\noperations: {failure_rate_multiplier: 0.01}"
               "\r#' (127.0.0.41)\u2028name: pwned")  # fmt: skip
    text = render_fleet_yaml(data, ["scanned", hostile, "", "end"])
    assert yaml.safe_load(text) == data
    body = text.index("name: farm")
    assert all(line.startswith("#") for line in text[:body].splitlines())


def test_readings_that_are_no_number_read_as_unknown() -> None:
    """A miner reporting an infinite or negative hashrate, or an uptime of -100 s or
    infinity, is read as not knowing it: `Infinity` is not JSON (`scan --json -` printed
    it), and int(inf) ended the probe in an OverflowError."""
    from hashshock.scan.probe import hashrate_ths, seconds

    assert hashrate_ths(float("inf")) is None and hashrate_ths("-5") is None
    assert hashrate_ths("nan") is None and hashrate_ths("95.5") == 95.5
    assert seconds(-100) is None and seconds(float("inf")) is None and seconds("x") is None
    assert seconds(3600.7) == 3600


def test_a_model_with_control_characters_does_not_stop_the_scan_s_file() -> None:
    """A model holding DEL or C1 controls (which YAML refuses even in a comment) is
    written escaped: the file reads back and the scan is written (it ended in 'would not
    read back', no fleet file and no inventory)."""
    from datetime import date
    from pathlib import Path

    import yaml

    from hashshock.cli.scan import _header
    from hashshock.scan.fleetfile import InstallDates
    from hashshock.scan.yamlfile import render_fleet_yaml

    odd = MachineRecord(ip="127.0.0.9", status="unknown-model", model="Antminer S95\x9b2J\x7f")
    cohort = ScannedCohort(site="a", model="antminer-s19", count=1)
    header = _header("a", [cohort], InstallDates(date(2026, 3, 1)), Path("inv.csv"), [odd],
                     None, False)  # fmt: skip
    data = {"name": "farm"}
    assert yaml.safe_load(render_fleet_yaml(data, header)) == data
    assert any("Antminer S95\\u009b2J\\u007f" in line for line in header)
