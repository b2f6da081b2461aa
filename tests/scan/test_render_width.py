"""The scan's terminal tables at 80 columns: nothing the user needs is cut short."""

from __future__ import annotations

import io

from rich.console import Console

from hashshock.scan.fleetfile import ScannedCohort
from hashshock.scan.records import MachineRecord
from hashshock.scan.render import print_scan


def printed(records: list[MachineRecord], cohorts: list[ScannedCohort]) -> str:
    out = io.StringIO()
    print_scan(Console(file=out, width=80, color_system=None), records, cohorts, [])
    return out.getvalue()


def test_cohort_table_keeps_site_names_and_headers_whole() -> None:
    records = [
        MachineRecord(ip="127.0.0.2", site="texas", status="ok", slug="antminer-s21-xp",
                      hashrate_ths=270.0, expected_ths=270.0),
        MachineRecord(ip="127.0.0.3", site="rockdale", status="ok", slug="antminer-s19j-pro",
                      hashrate_ths=104.0, expected_ths=104.0),
    ]  # fmt: skip
    cohorts = [
        ScannedCohort("rockdale", "antminer-s19j-pro", 1200, 3, {"fan": 2, "hashboard": 1}),
        ScannedCohort("texas", "antminer-s21-xp", 1),
    ]
    text = printed(records, cohorts)
    assert max(len(line) for line in text.splitlines()) <= 80
    words = text.split()
    for whole in ("rockdale", "texas", "machines", "antminer-s19j-pro", "1,200", "hashboard"):
        assert whole in words, whole
    assert "…" not in text


def test_problem_messages_wrap_between_words() -> None:
    garbage = MachineRecord(
        ip="fd00::1234:5678", status="garbage", model="Antminer S21 Hydro",
        message="TCP 4028 answered with non-JSON: '????'; pyasic failed with UnicodeDecodeError",
    )  # fmt: skip
    text = printed([garbage], [])
    assert "UnicodeDecodeError" in text.split() and "fd00::1234:5678" in text
