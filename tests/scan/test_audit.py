"""Audit: concentration, exposure, blast radius and the scenario it writes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from hashshock.inputs.load import check_scenario_against_fleet, fleet_from_mapping, load_scenario
from hashshock.scan.exposure import audit, blast_scenario, units_from_fleet, units_from_inventory
from hashshock.scan.records import MachineRecord


def fleet_mapping() -> dict[str, Any]:
    return {
        "start_date": "2026-01-01",
        "sites": [{"name": "a"}],
        "cohorts": [
            {
                "model": "antminer-s21",
                "count": 10,
                "site": "a",
                "install_date": "2025-01-01",
                "degraded": {"dead_hashboards": 3, "machines_down": {"fan": 1}},
            },
            {"model": "whatsminer-m60s", "count": 10, "site": "a", "install_date": "2025-01-01"},
        ],
    }


def test_fleet_audit_assumes_stock_firmware() -> None:
    loaded = fleet_from_mapping(fleet_mapping())
    units = units_from_fleet(loaded)
    s21 = 200.0 * (10 - 1 - 3 / 3)
    assert units[0].hashrate_ths == pytest.approx(s21)
    report = audit(units, "fleet.yaml", "fleet")
    total = s21 + 1860.0
    assert report.hashrate_ths == pytest.approx(total)
    assert [s.name for s in report.by_vendor] == ["microbt", "bitmain"]
    assert report.by_vendor[1].share == pytest.approx(s21 / total)
    assert report.vendor_hhi == pytest.approx((s21 / total) ** 2 + (1860 / total) ** 2)
    assert report.blast_total_share == pytest.approx(1.0)
    assert report.exposures == []
    assert any("assumed to run vendor stock firmware" in n for n in report.notes)
    only_bitmain = audit(units, "fleet.yaml", "fleet", vendors=["bitmain"], egress_filtered=0.25)
    [row] = only_bitmain.blast
    assert row.event_share == pytest.approx(0.75)
    assert row.fleet_share == pytest.approx(0.75 * s21 / total)


def machine(ip: str, **kw: Any) -> MachineRecord:
    base: dict[str, Any] = {
        "ip": ip, "make": "AntMiner", "model": "S19", "slug": "antminer-s19",
        "vendor": "bitmain", "family": "antminer-s19", "firmware": "stock", "hashrate_ths": 90.0,
    }  # fmt: skip
    base.update(kw)
    return MachineRecord(**base)


def inventory_report(**kw: Any) -> Any:
    records = [
        machine("10.0.0.1", privileged_api="accepted", default_web_login="accepted"),
        machine("10.0.0.2", firmware="braiins-os", privileged_api="refused"),
        machine("10.0.0.3", status="unknown-model", model="S9", slug="", family="",
                fw_version="Fri Dec 16 11:20:03 CST 2016", hashrate_ths=13.5),
        machine("10.0.0.4", make="WhatsMiner", model="M50S VH50", slug="whatsminer-m50s",
                vendor="microbt", family="whatsminer-m5x", hashrate_ths=None, expected_ths=126.0),
        machine("10.0.0.5", status="unresponsive", hashrate_ths=None),
    ]  # fmt: skip
    return audit(units_from_inventory(records), "inv.csv", "inventory", **kw)


def test_inventory_audit() -> None:
    report = inventory_report()
    total = 90 + 90 + 13.5 + 126
    assert report.machines == 4 and report.hashrate_ths == pytest.approx(total)
    families = {s.name: s.machines for s in report.by_family}
    assert families["unknown: S9"] == 1
    firmware = {s.name: s.machines for s in report.firmware}
    assert firmware == {"bitmain / stock": 2, "bitmain / braiins-os": 1, "microbt / stock": 1}
    found = {e.key: e for e in report.exposures}
    assert set(found) == {"antbleed", "privileged-api", "default-web-login"}
    assert found["antbleed"].ips == ("10.0.0.3",)
    assert found["privileged-api"].share == pytest.approx(90 / total)
    rows = {r.vendor: r for r in report.blast}
    assert (rows["bitmain"].machines, rows["bitmain"].on_vendor_firmware) == (3, 2)
    assert rows["bitmain"].event_share == pytest.approx(2 / 3)
    assert rows["bitmain"].hashrate_stopped_ths == pytest.approx(103.5)


def test_scenario_loads_and_fits_the_fleet(tmp_path: Path) -> None:
    report = inventory_report()
    data, notes = blast_scenario(report, "rd-test", start_day=10, duration_days=5)
    assert [e["vendors"] for e in data["events"]] == [["bitmain"], ["microbt"]]
    assert all(e["group"] == "remote-disable" for e in data["events"])
    path = tmp_path / "rd.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    scenario = load_scenario(path)
    assert scenario.name == "rd-test"
    # of the Bitmain machines a fleet file holds (the S19 on stock firmware and the one on
    # Braiins OS), one: the unknown S9 on stock firmware is audited (2 of 3 exposed) but
    # not simulated, and counting it stopped the scenario's S19s twice as often
    assert [e.share for e in scenario.events] == [0.5, 1.0]  # type: ignore[union-attr]
    check_scenario_against_fleet(scenario, fleet_from_mapping(fleet_mapping()))
    assert notes == ["bitmain: the event's share 50.0% is of the machines the fleet file "
                     "holds; its machines of unknown models (1 machine) are not "
                     "simulated"]  # fmt: skip
    assert "stops 50.0% of bitmain's machines, 100.0% of microbt's" in data["description"]


def test_scenario_skips_vendors_without_exposure() -> None:
    records = [machine("10.0.0.1", firmware="luxos"), machine("10.0.0.2", vendor="", make="X")]
    report = audit(units_from_inventory(records), "inv.csv", "inventory")
    data, notes = blast_scenario(report, "rd")
    assert data["events"] == []
    assert any("bitmain: no machine on vendor firmware (1 machine, all on third-party" in n
               for n in notes)  # fmt: skip
    assert any("unknown: not a vendor the simulator knows" in n for n in notes)


@pytest.mark.parametrize(
    ("kw", "reason"),
    [
        ({"egress_filtered": 1.0}, "bitmain: 2 machines on vendor firmware, all behind egress "
                                   "filtering (--egress-filtered 100%): share 0, no event"),
        ({"vendors": ["canaan"]}, "canaan: no machines of this vendor in inv.csv, no event"),
    ],
)  # fmt: skip
def test_a_skipped_vendor_is_skipped_for_its_real_reason(kw: Any, reason: str) -> None:
    records = [machine("10.0.0.1"), machine("10.0.0.2")]
    report = audit(units_from_inventory(records), "inv.csv", "inventory", **kw)
    data, notes = blast_scenario(report, "rd")
    assert data["events"] == [] and notes == [reason]


@pytest.mark.parametrize(("label", "vendor_controlled"), [
    ("stock", True), ("Stock", True), ("STOCK", True), ("unknown", True), ("", True),
    ("Totally Custom FW", True),  # a firmware nobody knows: the worst case
    ("braiins-os", False), ("BOS+", False), ("LuxOS", False), ("vnish", False),
])  # fmt: skip
def test_firmware_as_written_by_hand_or_by_pyasic_counts_as_it_is(
    label: str, vendor_controlled: bool, tmp_path: Path
) -> None:
    """An inventory written by hand or by an older tool may carry pyasic's names
    ("Stock") or any label: only firmware known to be third-party escapes a vendor's
    control, so the blast radius is never understated by a spelling."""
    from hashshock.scan.inventory import read_inventory, render_inventory

    path = tmp_path / "inv.csv"
    path.write_text(render_inventory([machine("10.0.0.1", firmware=label)]), encoding="utf-8")
    records = read_inventory(path)
    report = audit(units_from_inventory(records), "inv.csv", "inventory")
    (row,) = [r for r in report.blast if r.vendor == "bitmain"]
    assert row.on_vendor_firmware == (1 if vendor_controlled else 0)


@pytest.mark.parametrize("reading", ["nan", "inf", "-1e6", "1e308"])
def test_an_inventory_reading_that_is_no_reading_is_refused(reading: str, tmp_path: Path) -> None:
    """A hashrate of nan, inf or −1e6 in an inventory became the audit's every share
    (HHI nan, "inf PH/s", NaN in its JSON), 1e308 a TH/s of 300 digits: refused, naming
    the row and the column."""
    from hashshock.inputs.errors import InputError
    from hashshock.scan.inventory import read_inventory, render_inventory

    path = tmp_path / "inv.csv"
    text = render_inventory([machine("10.0.0.1", hashrate_ths=100.0)])
    path.write_text(text.replace("100.000", reading), encoding="utf-8")
    with pytest.raises(InputError, match="row 2, hashrate_ths") as raised:
        read_inventory(path)
    assert reading in raised.value.problem and "fix or clear the cell" in raised.value.fix


def test_an_inventory_of_one_row_twice_or_a_million_boards_is_refused(tmp_path: Path) -> None:
    """A row repeated whole was audited as two machines; 1,000,000 boards working was
    taken as read, and so were four boards working of three. (More fans working than
    expected is kept: the scanner writes that of a hydro machine whose pumps report as
    fans, and must read its own file back.)"""
    from hashshock.inputs.errors import InputError
    from hashshock.scan.inventory import read_inventory, render_inventory

    path = tmp_path / "inv.csv"
    path.write_text(render_inventory([machine("10.0.0.1"), machine("10.0.0.2")]).replace(
        "10.0.0.2", "10.0.0.1"), encoding="utf-8")  # fmt: skip
    with pytest.raises(InputError, match="row 3, ip") as raised:
        read_inventory(path)
    assert "is row 2 already" in raised.value.problem
    many = machine("10.0.0.1", boards_expected=3, boards_working=1_000_000)
    path.write_text(render_inventory([many]), encoding="utf-8")
    with pytest.raises(InputError, match="row 2, boards_working") as raised:
        read_inventory(path)
    assert "more than one machine reads" in raised.value.problem
    more = machine("10.0.0.1", boards_expected=3, boards_working=4)
    path.write_text(render_inventory([more]), encoding="utf-8")
    with pytest.raises(InputError, match="row 2, boards_working") as raised:
        read_inventory(path)
    assert "4 boards working but 3 expected" in raised.value.problem
    path.write_text(render_inventory([machine("10.0.0.1", fans_expected=0, fans_working=2)]),
                    encoding="utf-8")  # fmt: skip
    assert read_inventory(path)[0].fans_working == 2


def test_an_inventory_holding_a_history_is_audited_at_each_address_latest_scan() -> None:
    """An inventory with several scans of one host (the history ``hashshock fit``
    reads) counted each scan as a machine, and of a machine seen at two addresses kept
    its first reading: the audit describes the fleet as its latest scans saw it."""
    jan, mar = "2026-01-05T10:00:00+00:00", "2026-03-05T10:00:00+00:00"
    records = [
        # one host, no serial, reflashed between scans: one machine, on its new firmware
        machine("10.0.0.1", scanned_at=mar, firmware="braiins-os"),
        machine("10.0.0.1", scanned_at=jan),
        # one machine that moved address between scans: once, as last seen
        machine("10.0.0.2", scanned_at=jan, serial="S1", mac="aa:bb", hashrate_ths=80.0),
        machine("10.0.0.9", scanned_at=mar, serial="S1", mac="AA:BB", hashrate_ths=70.0),
    ]  # fmt: skip
    units = units_from_inventory(records)
    assert [(u.ip, u.firmware, u.hashrate_ths) for u in units] == [
        ("10.0.0.1", "braiins-os", 90.0),
        ("10.0.0.9", "stock", 70.0),
    ]
    one_scan = [machine("10.0.0.1"), machine("10.0.0.2", serial="S2", mac="cc")]
    assert len(units_from_inventory(one_scan)) == 2  # a single scan is as before
