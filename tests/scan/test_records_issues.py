"""Inventory rows round-trip; firmware labels and known issues."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from hashshock.inputs.errors import InputError
from hashshock.scan.inventory import merge_records, read_inventory, render_inventory
from hashshock.scan.issues import build_date, firmware_label, known_issues
from hashshock.scan.records import MachineRecord, record_from_row, record_to_row


def machine(**kw: object) -> MachineRecord:
    base: dict[str, object] = {
        "ip": "10.0.0.1", "site": "a", "make": "AntMiner", "model": "S19",
        "slug": "antminer-s19", "vendor": "bitmain", "family": "antminer-s19",
        "firmware": "stock", "hashrate_ths": 90.0, "expected_ths": 95.0, "boards_expected": 3,
        "boards_working": 3, "fans_expected": 4, "fans_working": 4,
    }  # fmt: skip
    base.update(kw)
    return MachineRecord(**base)  # type: ignore[arg-type]


def test_condition_and_down_part() -> None:
    assert machine().condition == "ok"
    assert machine(boards_working=2).condition == "degraded"
    assert machine(boards_working=2).dead_hashboards == 1
    assert machine(boards_working=0).down_part == "hashboard"
    assert machine(fans_working=3).down_part == "fan"
    assert machine(boards_working=None).dead_hashboards == 0
    assert machine(is_mining=False).condition == "not hashing"
    assert machine(status="garbage").condition == "garbage"
    assert machine().hashrate_pct == pytest.approx(100 * 90 / 95)


def test_row_round_trip(tmp_path: Path) -> None:
    rec = machine(errors=("fan 3 slow", "chain 2 temp"), is_mining=True, uptime_s=60,
                  privileged_api="accepted", known_issues=("antbleed (affected)",))  # fmt: skip
    row = record_to_row(rec)
    assert row["errors"] == "fan 3 slow; chain 2 temp" and row["condition"] == "ok"
    assert record_from_row(row, line=2) == rec
    path = tmp_path / "inv.csv"
    path.write_text(render_inventory([rec, machine(ip="10.0.0.2")]), encoding="utf-8")
    assert read_inventory(path) == [rec, machine(ip="10.0.0.2")]


def test_a_status_in_capitals_reads_as_the_scanner_writes_it() -> None:
    """A spreadsheet's "OK" was refused while its "Stock" firmware was read."""
    row = {**record_to_row(machine()), "status": "OK", "privileged_api": "Accepted"}
    rec = record_from_row(row, line=2)
    assert rec.status == "ok" and rec.privileged_api == "accepted"


def test_user_columns_survive(tmp_path: Path) -> None:
    row = {**record_to_row(machine()), "rack": "B7"}
    rec = record_from_row(row, line=2)
    assert record_to_row(rec)["rack"] == "B7"
    assert "rack" in render_inventory([rec]).splitlines()[0]


def test_bad_rows(tmp_path: Path) -> None:
    row = record_to_row(machine())
    with pytest.raises(InputError, match="row 5, hashrate_ths"):
        record_from_row({**row, "hashrate_ths": "fast"}, line=5)
    with pytest.raises(InputError, match="unknown status"):
        record_from_row({**row, "status": "happy"}, line=2)
    with pytest.raises(InputError, match="ip"):
        record_from_row({**row, "ip": ""}, line=2)
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InputError, match="not a hashshock inventory"):
        read_inventory(other)


def test_merge_records_replaces_scanned_hosts_only() -> None:
    old = [machine(ip="10.0.0.9"), machine(ip="10.0.0.1", hashrate_ths=1.0), machine(site="b")]
    new = [machine(ip="10.0.0.1"), machine(ip="10.0.0.10", status="no-miner")]
    merged = merge_records(old, new)
    assert [(r.site, r.ip, r.hashrate_ths) for r in merged] == [
        ("a", "10.0.0.1", 90.0), ("a", "10.0.0.9", 90.0), ("b", "10.0.0.1", 90.0),
    ]  # fmt: skip


def test_columns_the_user_added_survive_a_new_scan(tmp_path: Path) -> None:
    """docs/scan.md: "Columns you add are kept" — a re-scanned host's row kept its rack
    only when it was not scanned again; now it keeps it either way."""
    path = tmp_path / "inv.csv"
    text = render_inventory([machine(ip="10.0.0.1"), machine(ip="10.0.0.2")])
    lines = text.splitlines()
    lines = [lines[0] + ",rack", lines[1] + ",R1", lines[2] + ",R2"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    merged = merge_records(read_inventory(path), [machine(ip="10.0.0.1", hashrate_ths=80.0)])
    assert [(r.ip, r.hashrate_ths, r._extra.get("rack")) for r in merged] == [
        ("10.0.0.1", 80.0, "R1"), ("10.0.0.2", 90.0, "R2"),
    ]  # fmt: skip


def test_firmware_labels() -> None:
    assert firmware_label("BOS+") == "braiins-os"
    assert firmware_label("LuxOS") == "luxos"
    assert firmware_label(None) == "unknown"
    assert firmware_label("Some New FW") == "some-new-fw"


def test_build_dates() -> None:
    assert build_date("Fri Nov 17 17:37:49 CST 2017") == date(2017, 11, 17)
    assert build_date("20230712.15.Rel") == date(2023, 7, 12)
    assert build_date("2016-09-01 release") == date(2016, 9, 1)
    assert build_date("v1.2.3") is None
    assert build_date("Thu Feb 31 10:00:00 CST 2017") is None


@pytest.mark.parametrize(
    "model, firmware, version, verdict",
    [
        ("S9", "stock", "Fri Dec 16 11:20:03 CST 2016", "affected"),
        ("L3+", "stock", "Sat Feb 11 09:00:00 CST 2017", "affected"),
        ("T9", "stock", "", "possibly-affected"),
        ("Antminer R4", "unknown", "", "possibly-affected"),
        ("S9", "stock", "Fri Nov 17 17:37:49 CST 2017", "probably-fixed"),
        ("S9", "stock", "Wed Mar 2 10:00:00 CST 2016", "probably-not-affected"),
    ],
)
def test_antbleed(model: str, firmware: str, version: str, verdict: str) -> None:
    [finding] = known_issues("bitmain", model, firmware, version)
    assert finding.key == "antbleed" and finding.verdict == verdict
    assert "auth.minerlink.com" in finding.fix and "FACTS.md §5.1" in finding.sources


def test_antbleed_not_for_other_models_or_firmware() -> None:
    assert known_issues("bitmain", "S9", "braiins-os", "") == []
    assert known_issues("bitmain", "S9j", "stock", "") == []
    assert known_issues("microbt", "S9", "stock", "") == []
