"""End-to-end: `hashshock scan` against fake miners on loopback."""

from __future__ import annotations

import csv
import json
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml
from tests.scan.fake_miner import (
    FakeFarm,
    Garbage,
    Silent,
    StockAntminer,
    Whatsminer,
    all_commands,
    loopback_block,
)
from typer.testing import CliRunner

from hashshock.inputs.load import load_fleet
from hashshock.scan.rpc import READ_ONLY_COMMANDS

TIMEOUT_S = 4.0
PASSWORD = "hunter2-NEVER-PRINT-ME"


def personalities() -> dict[str, Any]:
    """Eleven hosts: healthy, degraded, unknown, broken and (one more address) empty."""
    return {
        "s19": StockAntminer(),
        "s21-dead-board": StockAntminer(
            model="Antminer S21",
            boards=((108, 66_000.0), (108, 66_500.0), (0, 0.0)),
            ideal_ghs=200_000.0,
            api_write=False,
            web_password="changed-by-operator",
            elapsed_s=500 * 86_400,
        ),
        "whatsminer": Whatsminer(),
        "unknown-model": StockAntminer(model="Antminer S99"),
        "silent": Silent(),
        "garbage": Garbage(),
        "truncated": Garbage(payload=b'{"STATUS":[{"STATUS":"S"}],"VERSION":[{"Type":"Antminer S1'),
        "s19-dead-fan": StockAntminer(fans=(5400, 0, 5520, 5580)),
        "s9-antbleed": StockAntminer(
            model="Antminer S9", compile_time="Fri Dec 16 11:20:03 CST 2016"
        ),
        "hangs-after-hello": StockAntminer(silent_on=frozenset({"stats"})),
    }


@dataclass
class ScanRun:
    ips: dict[str, str]
    empty_ip: str
    farm: FakeFarm
    result: Any
    seconds: float
    fleet: Path
    inventory: Path
    json: Path
    app: typer.Typer

    def row(self, name: str) -> dict[str, str]:
        rows = list(csv.DictReader(self.inventory.open(encoding="utf-8")))
        return next(r for r in rows if r["ip"] == self.ips[name])


@pytest.fixture(scope="module")
def scan_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScanRun]:
    miners = personalities()
    addresses = loopback_block(len(miners) + 1)
    ips = dict(zip(miners, addresses, strict=False))
    web_port = random.randrange(20_000, 60_000)
    farm = FakeFarm({ips[k]: v for k, v in miners.items()}, web_port=web_port).start()
    app = typer.Typer()
    from hashshock.cli.scan import register

    register(app)
    folder = tmp_path_factory.mktemp("scan")
    fleet, inventory, out_json = folder / "fleet.yaml", folder / "inv.csv", folder / "scan.json"
    args = ["scan", *addresses, "--out", str(fleet), "--site", "lab", "--inventory",
            str(inventory), "--timeout", str(TIMEOUT_S), "--web-port", str(web_port),
            "--json", str(out_json), "--username", "root"]  # fmt: skip
    started = time.monotonic()
    try:
        result = CliRunner().invoke(app, args, env={"HASHSHOCK_MINER_PASSWORD": PASSWORD})
        seconds = time.monotonic() - started
        yield ScanRun(ips, addresses[-1], farm, result, seconds, fleet, inventory, out_json, app)
    finally:
        farm.stop()


def test_scan_succeeds_within_its_timeouts(scan_run: ScanRun) -> None:
    assert scan_run.result.exit_code == 0, scan_run.result.output
    # 11 hosts at once, each bounded by --timeout: one budget plus start-up, not eleven.
    assert scan_run.seconds < 2 * TIMEOUT_S + 3


def test_fleet_file_has_the_right_cohorts_and_loads(scan_run: ScanRun) -> None:
    loaded = load_fleet(scan_run.fleet)
    cohorts = {c.model: c for c in loaded.fleet.cohorts}
    assert sorted(cohorts) == ["antminer-s19", "antminer-s21", "whatsminer-m50s"]
    assert cohorts["antminer-s19"].count == 2
    s19 = cohorts["antminer-s19"].degraded
    assert s19 is not None and s19.machines_down == {"fan": 1} and s19.dead_hashboards == 0
    s21 = cohorts["antminer-s21"].degraded
    assert s21 is not None and s21.dead_hashboards == 1 and not s21.machines_down
    assert cohorts["whatsminer-m50s"].degraded is None
    assert {c.site for c in cohorts.values()} == {"lab"}
    assert loaded.fleet.start_date == date.today()
    # 500 days of uptime proves the S21 older than the default assumed age of a year
    assert (date.today() - cohorts["antminer-s21"].install_date).days >= 500
    assert all("install date assumed" in (c.label or "") for c in cohorts.values())


def test_fleet_file_header_reports_unknown_models(scan_run: ScanRun) -> None:
    text = scan_run.fleet.read_text(encoding="utf-8")
    header = [line for line in text.splitlines() if line.startswith("#")]
    unknown = [line for line in header if "NOT IN COHORTS" in line]
    assert any("Antminer S99" in line and scan_run.ips["unknown-model"] in line for line in unknown)
    assert any("'S9'" in line for line in unknown)
    assert any("ASSUMED" in line for line in header)


def test_inventory_rows(scan_run: ScanRun) -> None:
    rows = list(csv.DictReader(scan_run.inventory.open(encoding="utf-8")))
    assert {r["ip"] for r in rows} == set(scan_run.ips.values())  # the empty address is left out
    s19 = scan_run.row("s19")
    assert (s19["status"], s19["slug"], s19["vendor"], s19["firmware"]) == (
        "ok", "antminer-s19", "bitmain", "stock",
    )  # fmt: skip
    assert float(s19["hashrate_ths"]) == pytest.approx(94.8)
    assert float(s19["expected_ths"]) == pytest.approx(95.0)
    assert (s19["boards_working"], s19["chips"], s19["fans_working"]) == ("3", "228", "4")
    assert s19["uptime_s"] == str(30 * 86_400) and s19["condition"] == "ok"
    s21 = scan_run.row("s21-dead-board")
    assert (s21["boards_expected"], s21["boards_working"], s21["dead_hashboards"]) == (
        "3",
        "2",
        "1",
    )
    assert s21["condition"] == "degraded"
    fan = scan_run.row("s19-dead-fan")
    assert (fan["failed_fans"], fan["condition"]) == ("1", "down: fan")
    wm = scan_run.row("whatsminer")
    assert (wm["make"], wm["model"], wm["slug"], wm["vendor"]) == (
        "WhatsMiner", "M50S VH50", "whatsminer-m50s", "microbt",
    )  # fmt: skip
    assert (wm["mac"], wm["serial"], wm["fw_version"]) == (
        "02:00:00:00:00:02", "WMFAKE01", "20230712.15.Rel",
    )  # fmt: skip
    assert float(wm["hashrate_ths"]) == pytest.approx(126.0)


def test_broken_hosts_are_reported_not_fatal(scan_run: ScanRun) -> None:
    expected = {
        "unknown-model": "unknown-model",
        "silent": "unresponsive",
        "garbage": "garbage",
        "truncated": "no-data",
        "s9-antbleed": "unknown-model",
        "hangs-after-hello": "timeout",
    }
    for name, status in expected.items():
        row = scan_run.row(name)
        assert row["status"] == status, (name, row["message"])
        assert row["message"], name
    assert scan_run.row("unknown-model")["model"] == "Antminer S99"
    hung = scan_run.row("hangs-after-hello")
    assert (hung["make"], hung["model"]) == ("AntMiner", "S19")
    assert "within 4 s (while reading data)" in hung["message"]
    output = scan_run.result.output
    assert "Hosts needing attention" in output and scan_run.ips["silent"] in output


def test_exposure_checks(scan_run: ScanRun) -> None:
    s19, s21 = scan_run.row("s19"), scan_run.row("s21-dead-board")
    assert (s19["privileged_api"], s19["default_web_login"]) == ("accepted", "accepted")
    assert (s21["privileged_api"], s21["default_web_login"]) == ("refused", "refused")
    wm = scan_run.row("whatsminer")
    assert (wm["privileged_api"], wm["default_web_login"]) == ("not-checked", "not-checked")
    assert scan_run.row("s9-antbleed")["known_issues"] == "antbleed (affected)"


def test_scan_sends_only_read_only_commands(scan_run: ScanRun) -> None:
    sent = all_commands(scan_run.farm, scan_run.ips.values())
    pyasic_reads = {"pools", "get_version", "get_miner_info", "status", "get_error_code",
                    "get_psu", "devs"}  # fmt: skip
    assert sent <= READ_ONLY_COMMANDS | pyasic_reads, sent
    assert "privileged" in sent
    assert {path for _, path in scan_run.farm.web_requests} <= {"/cgi-bin/get_system_info.cgi"}


def test_scan_never_touches_unnamed_hosts(scan_run: ScanRun) -> None:
    named = set(scan_run.ips.values()) | {scan_run.empty_ip}
    assert {ip for ip, _ in scan_run.farm.commands} <= named


def test_password_never_in_outputs(scan_run: ScanRun) -> None:
    for text in (
        scan_run.result.output,
        scan_run.fleet.read_text(encoding="utf-8"),
        scan_run.inventory.read_text(encoding="utf-8"),
        scan_run.json.read_text(encoding="utf-8"),
    ):
        assert PASSWORD not in text


def test_scan_json(scan_run: ScanRun) -> None:
    data = json.loads(scan_run.json.read_text(encoding="utf-8"))
    assert data["hosts"] == 11
    assert data["statuses"]["no-miner"] == 1 and data["statuses"]["ok"] == 4
    assert len(data["machines"]) == 10
    assert {c["model"] for c in data["cohorts"]} == {"antminer-s19", "antminer-s21",
                                                     "whatsminer-m50s"}  # fmt: skip


def test_rescan_merges_and_keeps_hand_written_fields(scan_run: ScanRun, tmp_path: Path) -> None:
    data = yaml.safe_load(scan_run.fleet.read_text(encoding="utf-8"))
    data["name"] = "my-fleet"
    data["start_date"] = date(2030, 1, 1)
    data["sites"][0]["technicians"] = 3
    data["sites"].append({"name": "remote", "country": "CA"})
    for cohort in data["cohorts"]:
        if cohort["model"] == "antminer-s19":
            cohort["install_date"] = date(2021, 5, 1)
            cohort["label"] = "bought from Bob"
            cohort["count"] = 40  # hand-edited; the scan corrects it
    data["cohorts"].append(
        {"model": "antminer-t21", "count": 7, "site": "remote", "install_date": date(2024, 3, 1)}
    )
    data["spares"] = [{"site": "lab", "part": "fan", "on_hand": 12}]
    fleet = tmp_path / "fleet.yaml"
    fleet.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    targets = [scan_run.ips["s19"], scan_run.ips["s19-dead-fan"], scan_run.ips["s21-dead-board"]]
    args = ["scan", *targets, "--out", str(fleet), "--site", "lab", "--timeout", "4",
            "--no-check-default-login", "--no-check-privileged-api"]  # fmt: skip
    result = CliRunner().invoke(scan_run.app, args)
    assert result.exit_code == 0, result.output
    merged = load_fleet(fleet).fleet
    assert merged.name == "my-fleet" and merged.start_date == date(2030, 1, 1)
    assert [s.technicians for s in merged.sites] == [3, None]
    assert len(merged.spares) == 1
    by_model = {(c.site, c.model): c for c in merged.cohorts}
    s19 = by_model[("lab", "antminer-s19")]
    # hand-edited to 40; the scan saw 2 of them: kept, and said so
    assert (s19.count, s19.install_date, s19.label) == (40, date(2021, 5, 1), "bought from Bob")
    said = "".join(result.output.split())  # however the terminal folded the lines
    assert "filesays40,scansaw2—kept40" in said
    assert by_model[("remote", "antminer-t21")].count == 7
    assert ("lab", "whatsminer-m50s") in by_model  # not seen now, kept without --prune
    assert "cohortlab/whatsminer-m50s:filesays1,scansaw0—kept1" in said
    assert "nochange" in said and not fleet.with_name("fleet.yaml.bak").exists()
    inventory = fleet.with_name("fleet.inventory.csv")
    assert len(list(csv.DictReader(inventory.open(encoding="utf-8")))) == 3
