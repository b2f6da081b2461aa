"""The scan and audit commands: bad input, outputs, credentials (fakes where needed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
import yaml
from tests.scan.conftest import StartFarm
from tests.scan.fake_miner import Silent, StockAntminer, loopback_block
from typer.testing import CliRunner

from hashshock.inputs.load import load_fleet, load_scenario

SECRET = "S3cret-do-not-leak"


def squash(text: str) -> str:
    """``text`` without whitespace: what was printed, however the terminal folded it."""
    return "".join(text.split())


def invoke(app: typer.Typer, *args: str, **kw: object) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), **kw)  # type: ignore[arg-type]
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    "args, words",
    [
        (["scan", "10.0.0.0/8"], "--max-hosts"),
        (["scan", "not-an-ip"], "not an IP address"),
        (["scan", "10.0.0.1", "--install-date", "last year"], "--install-date"),
        # before Bitcoin's first block: refused, as fit refuses it (a warning alone)
        (["scan", "127.0.0.1", "--install-date", "2001-05-01"], "before Bitcoin's first"),
    ],
)
def test_scan_bad_input_exits_2_with_one_line(
    cli_app: typer.Typer, tmp_path: Path, args: list[str], words: str
) -> None:
    code, out, err = invoke(cli_app, *args, "--out", str(tmp_path / "f.yaml"))
    assert code == 2 and words in err and len(err.strip().splitlines()) == 1
    assert "Traceback" not in err + out
    assert not list(tmp_path.iterdir())


def test_scan_refuses_to_overwrite_a_file_it_did_not_write(
    cli_app: typer.Typer, tmp_path: Path
) -> None:
    precious = tmp_path / "fleet.inventory.csv"
    precious.write_text("my,own\nspreadsheet,1\n", encoding="utf-8")
    code, _, err = invoke(cli_app, "scan", "127.0.0.1", "--out", str(tmp_path / "fleet.yaml"))
    assert code == 2 and "not a hashshock inventory" in err
    assert precious.read_text(encoding="utf-8") == "my,own\nspreadsheet,1\n"
    code, _, err = invoke(cli_app, "scan", "127.0.0.1", "--out", str(tmp_path / "no/f.yaml"))
    assert code == 2 and "folder does not exist" in err


def test_scan_out_naming_an_inventory_says_so(cli_app: typer.Typer, tmp_path: Path) -> None:
    """``--out`` given the inventory CSV (a slip for the fleet file beside it) is told
    what it is, not "malformed YAML", and is left as it was."""
    inventory = tmp_path / "fleet.inventory.csv"
    inventory.write_text("ip,status,slug,privileged_api\n", encoding="utf-8")
    before = inventory.read_bytes()
    code, _, err = invoke(cli_app, "scan", "127.0.0.1", "--out", str(inventory))
    assert code == 2 and "is a hashshock inventory (CSV), not a fleet file" in err, err
    assert inventory.read_bytes() == before


def test_a_bad_cell_in_the_inventory_is_refused_before_the_scan(
    cli_app: typer.Typer, tmp_path: Path, start_farm: StartFarm
) -> None:
    """The inventory a scan merges into is read before the scan: a bad cell was found
    after it, with the fleet file rewritten and backed up, and the scan's work lost."""
    from tests.scan.fake_miner import StockAntminer, loopback_block

    (ip,) = loopback_block(1)
    start_farm({ip: StockAntminer()})
    fleet = tmp_path / "fleet.yaml"
    fleet.write_text("name: mine\nstart_date: 2026-12-01\nsites: [{name: a}]\n",
                     encoding="utf-8")  # fmt: skip
    from hashshock.scan.inventory import render_inventory
    from hashshock.scan.records import MachineRecord

    inventory = tmp_path / "fleet.inventory.csv"
    rows = render_inventory([MachineRecord(ip="10.0.0.1", hashrate_ths=100.0)])
    inventory.write_text(rows.replace("100.000", "abc"), encoding="utf-8")
    before = fleet.read_bytes()
    code, _, err = invoke(cli_app, "scan", ip, "--out", str(fleet), "--site", "a",
                          "--timeout", "5", "--no-check-default-login")  # fmt: skip
    assert code == 2 and "row 2, hashrate_ths: 'abc' is not a number" in err, err
    assert fleet.read_bytes() == before and not (tmp_path / "fleet.yaml.bak").exists()


@pytest.mark.parametrize("kept", ["fleet.yaml", "fleet.inventory.csv"])
def test_scan_keeps_a_file_its_owner_made_read_only(
    cli_app: typer.Typer, tmp_path: Path, kept: str
) -> None:
    """A fleet file or an inventory made read-only is one its owner meant to keep: the
    scan is refused before it starts, as every other output is (root could write it)."""
    import os
    import stat

    fleet = tmp_path / "fleet.yaml"
    fleet.write_text("name: mine\nstart_date: 2026-12-01\nsites: [{name: a}]\n", encoding="utf-8")
    (tmp_path / "fleet.inventory.csv").write_text("", encoding="utf-8")
    target = tmp_path / kept
    os.chmod(target, stat.S_IRUSR | stat.S_IRGRP)
    before = target.read_bytes()
    code, _, err = invoke(cli_app, "scan", "127.0.0.1", "--out", str(fleet))
    assert code == 2 and f"{target}: --" in err and "is read-only" in err, err
    assert target.read_bytes() == before


def test_scan_with_no_known_machines_writes_no_fleet(
    cli_app: typer.Typer, tmp_path: Path, start_farm: StartFarm
) -> None:
    silent, empty = loopback_block(2)
    start_farm({silent: Silent()})
    out = tmp_path / "fleet.yaml"
    code, stdout, _ = invoke(cli_app, "scan", silent, empty, "--out", str(out), "--timeout", "2",
                             "--json", "-")  # fmt: skip
    assert code == 1 and not out.exists()
    data = json.loads(stdout)
    assert data["statuses"] == {"unresponsive": 1, "no-miner": 1}
    assert "fleet" not in data["outputs"]
    inventory = (tmp_path / "fleet.inventory.csv").read_text(encoding="utf-8")
    assert silent in inventory and empty not in inventory


def test_password_from_option_or_env_is_never_output(
    cli_app: typer.Typer, tmp_path: Path, start_farm: StartFarm
) -> None:
    [ip] = loopback_block(1)
    start_farm({ip: StockAntminer(web_password=SECRET)})
    out = tmp_path / "fleet.yaml"
    runs = [
        invoke(cli_app, "scan", ip, "--out", str(out), "--timeout", "3", "--password", SECRET,
               "--json", str(tmp_path / "a.json")),
        invoke(cli_app, "scan", ip, "--out", str(out), "--timeout", "3", "--json", "-",
               env={"HASHSHOCK_MINER_PASSWORD": SECRET}),
        invoke(cli_app, "scan", "--help",
               env={"HASHSHOCK_MINER_PASSWORD": SECRET, "COLUMNS": "200"}),
    ]  # fmt: skip
    assert [code for code, _, _ in runs] == [0, 0, 0]
    texts = [out_ + err for _, out_, err in runs]
    texts += [p.read_text(encoding="utf-8") for p in tmp_path.iterdir() if p.is_file()]
    assert len(texts) == 6
    for text in texts:
        assert SECRET not in text
    assert "HASHSHOCK_MINER_PASSWORD" in runs[2][1]


def test_scan_says_what_validate_would_of_the_fleet_it_wrote(
    cli_app: typer.Typer, tmp_path: Path, start_farm: StartFarm
) -> None:
    """An install date before the model's release (an S21 given 2015) is warned of when
    the scan writes it, as ``hashshock validate`` would, not left for the first run."""
    [ip] = loopback_block(1)
    start_farm({ip: StockAntminer(model="Antminer S21")})
    fleet = tmp_path / "fleet.yaml"
    code, _, err = invoke(cli_app, "scan", ip, "--out", str(fleet), "--timeout", "3",
                          "--install-date", "2015-01-01")  # fmt: skip
    assert code == 0, err
    assert "warning:" in err and "2015-01-01 is before antminer-s21 was released" in err


def test_audit_cli_on_scan_output(
    cli_app: typer.Typer, tmp_path: Path, start_farm: StartFarm
) -> None:
    ips = loopback_block(2)
    start_farm({ips[0]: StockAntminer(), ips[1]: StockAntminer(model="Antminer T21")})
    fleet = tmp_path / "fleet.yaml"
    code, _, err = invoke(cli_app, "scan", *ips, "--out", str(fleet), "--timeout", "3")
    assert code == 0, err
    inventory = tmp_path / "fleet.inventory.csv"
    scenario = tmp_path / "rd.yaml"
    args = ["audit", str(inventory), "--scenario-out", str(scenario), "--vendor", "bitmain",
            "--egress-filtered", "0.5", "--json", "-"]  # fmt: skip
    code, out, err = invoke(cli_app, *args)
    assert code == 0, err
    report = json.loads(out)
    assert report["kind"] == "inventory" and report["machines"] == 2
    assert {e["key"] for e in report["exposures"]} == {"privileged-api"}
    assert report["blast"][0]["event_share"] == pytest.approx(0.5)
    loaded = load_scenario(scenario)
    assert [e.type for e in loaded.events] == ["remote_disable"]
    assert loaded.name == "remote-disable-fleet"  # named after the fleet, not its inventory
    assert report["scenario"]["events"][0]["share"] == 0.5
    code, out, _ = invoke(cli_app, "audit", str(fleet))
    assert code == 0 and "Remote-disable blast radius" in out and "100.0%" in out
    # At 80 columns every line fits and each finding's words read whole, not broken
    # into a column a dozen letters wide.
    code, out, _ = invoke(cli_app, "audit", str(inventory), env={"COLUMNS": "80"})
    assert code == 0 and max(len(line) for line in out.splitlines()) <= 80
    prose = " ".join(out.split())
    for finding in report["exposures"]:
        assert f"{finding['key']}: {finding['title']}; what to do: {finding['fix']}" in prose
    assert load_fleet(fleet).machines == 2


HAND_WRITTEN = """\
# Rockdale, written by hand: 7,000 S19s bought in 2021.
name: rockdale-mine
start_date: 2026-12-01
sites:
  - {name: rockdale, country: US, technicians: 7}   # seven techs on two shifts
cohorts:
  # the big batch: do not touch
  - {model: antminer-s19, count: 7000, site: rockdale, install_date: 2021-10-15}

# spares on the shelf
spares:
  - {site: rockdale, part: fan, on_hand: 900}   # counted in November
"""


def test_rescan_into_a_hand_written_file_loses_nothing(
    cli_app: typer.Typer, tmp_path: Path, start_farm: StartFarm
) -> None:
    ips = loopback_block(2)
    start_farm({ips[0]: StockAntminer(), ips[1]: StockAntminer(model="Antminer S21")})
    fleet = tmp_path / "fleet.yaml"
    fleet.write_text(HAND_WRITTEN, encoding="utf-8")
    args = ["scan", *ips, "--out", str(fleet), "--timeout", "3", "--no-check-default-login",
            "--no-check-privileged-api"]  # fmt: skip
    code, out, err = invoke(cli_app, *args, "--json", str(tmp_path / "scan.json"))
    assert code == 0, err
    said = squash(out)  # the terminal folds long lines, even inside a path
    assert squash("cohort rockdale/antminer-s19: file says 7,000, scan saw 1 — kept 7,000") in said
    assert squash("added cohort rockdale/antminer-s21: 1 machine") in said
    backup = tmp_path / "fleet.yaml.bak"
    assert squash(f"previous version is kept in {backup}") in said
    assert backup.read_text(encoding="utf-8") == HAND_WRITTEN
    text = fleet.read_text(encoding="utf-8")
    for line in HAND_WRITTEN.splitlines():  # every line, comments included, is still there
        assert line in text.splitlines(), line
    assert text.count("# spares on the shelf") == 1
    counts = {c.model: c.count for c in load_fleet(fleet).fleet.cohorts}
    assert counts == {"antminer-s19": 7000, "antminer-s21": 1}
    report = json.loads((tmp_path / "scan.json").read_text(encoding="utf-8"))
    assert report["outputs"]["backup"] == str(backup) and report["outputs"]["fleet"] == str(fleet)

    code, out, err = invoke(cli_app, *args)  # the same scan again: nothing to change
    assert code == 0, err
    assert squash("no change (the scan adds nothing to it); not written") in squash(out)
    assert fleet.read_text(encoding="utf-8") == text
    assert sorted(p.name for p in tmp_path.glob("fleet.yaml*")) == ["fleet.yaml", "fleet.yaml.bak"]


def test_audit_bad_input(cli_app: typer.Typer, tmp_path: Path) -> None:
    code, _, err = invoke(cli_app, "audit", str(tmp_path / "missing.yaml"))
    assert code == 2 and "file not found" in err
    fleet = tmp_path / "fleet.yaml"
    fleet.write_text(yaml.safe_dump({"start_date": "2026-01-01", "sites": [{"name": "a"}],
                                     "cohorts": [{"model": "antminer-s21", "count": 1,
                                                  "site": "a", "install_date": "2025-01-01"}]}),
                     encoding="utf-8")  # fmt: skip
    code, _, err = invoke(cli_app, "audit", str(fleet), "--vendor", "bitmian")
    assert code == 2 and "unknown vendor 'bitmian'" in err


@pytest.mark.parametrize(
    "name, header, what",
    [
        ("repairs.csv", "machine,model,part,install_date,failure_date", "repair log"),
        ("more.csv", "model,count,site,install_date", "cohorts CSV"),
        ("rates.csv", "part,applies_to,weibull_shape", "failure-rates CSV"),
        ("models.csv", "slug,vendor,name,family,hashrate_ths,power_w", "models CSV"),
        ("sheet.csv", "ip,owner,rack", "a CSV with columns ip, owner, rack"),
        ("sheet.txt", "ip,owner,rack", "a CSV with columns ip, owner, rack"),
    ],
)
def test_audit_of_a_csv_that_is_not_an_inventory_says_what_it_is(
    cli_app: typer.Typer, tmp_path: Path, name: str, header: str, what: str
) -> None:
    path = tmp_path / name
    path.write_text(f"{header}\n" + ",".join("1" for _ in header.split(",")) + "\n",
                    encoding="utf-8")  # fmt: skip
    code, out, err = invoke(cli_app, "audit", str(path))
    message = " ".join(err.split())
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert what in message and "not a scan inventory" in message
    assert "fleet YAML" in message and "inventory CSV" in message
    assert "YAML mapping" not in message and "Traceback" not in err + out


def test_audit_of_an_inventory_saved_with_a_byte_order_mark_reads_it(
    cli_app: typer.Typer, tmp_path: Path
) -> None:
    """A spreadsheet may save the UTF-8 byte-order mark: every CSV reader allows it, and
    the inventory's was refused as "not a scan inventory"."""
    from tests.scan.test_audit import machine

    from hashshock.scan.inventory import looks_like_inventory, render_inventory

    path = tmp_path / "inv.csv"
    path.write_text("\ufeff" + render_inventory([machine("10.0.0.1")]), encoding="utf-8")
    assert looks_like_inventory(path)
    code, out, err = invoke(cli_app, "audit", str(path))
    assert code == 0, err
    assert "not a scan inventory" not in err + out and "Traceback" not in err + out


def test_audit_of_a_scan_history_says_it_audits_the_latest_scans(
    cli_app: typer.Typer, tmp_path: Path
) -> None:
    """Two scans of one host in one inventory were two machines; now one, said."""
    from tests.scan.test_audit import machine

    from hashshock.scan.inventory import render_inventory

    path = tmp_path / "history.csv"
    scans = [machine("10.0.0.1", scanned_at=f"2026-0{month}-01T00:00:00Z") for month in (1, 2)]
    path.write_text(render_inventory(scans), encoding="utf-8")
    code, out, err = invoke(cli_app, "audit", str(path), "--json", "-")
    assert code == 0, err
    report = json.loads(out)
    assert report["machines"] == 1
    assert any("1 row of earlier scans" in note for note in report["notes"])


def one_line_error(err: str) -> str:
    """The single error line, unfolded."""
    assert len(err.strip().splitlines()) == 1, err
    return " ".join(err.split())


def test_scan_out_names_a_scenario_or_other_yaml_for_what_it_is(
    cli_app: typer.Typer, tmp_path: Path
) -> None:
    scenario = tmp_path / "rd.yaml"
    scenario.write_text("name: rd\ndescription: remote disable\nevents: []\n", encoding="utf-8")
    other = tmp_path / "config.yaml"
    other.write_text("colour: blue\nname: x\n", encoding="utf-8")
    data = tmp_path / "data.csv"  # not YAML: it was told to "start with 'key: value' lines"
    data.write_text("machine,model\nm1,antminer-s19\n", encoding="utf-8")
    cases = ((scenario, "is a scenario file, not a fleet file"),
             (other, "is not a fleet file (no sites or cohorts; it has colour)"),
             (data, "holds no fleet (it is not a YAML mapping"))  # fmt: skip
    for path, words in cases:
        before = path.read_bytes()
        code, _, err = invoke(cli_app, "scan", "127.0.0.1", "--out", str(path))
        message = one_line_error(err)
        assert code == 2 and f"{path}: --out: {words}" in message and "fix:" in message
        assert "unknown field" not in message and path.read_bytes() == before
    stub = tmp_path / "stub.yaml"  # a fleet file's own keys only: merged into, not refused
    stub.write_text("name: mine\n", encoding="utf-8")
    from hashshock.scan.fleetfile import check_fleet_file

    check_fleet_file(stub)


def test_scan_json_replaces_only_a_json_file_hashshock_wrote(
    cli_app: typer.Typer, tmp_path: Path
) -> None:
    notes = tmp_path / "notes.json"  # a JSON file, but not hashshock's
    notes.write_text('{"hosts": 3}', encoding="utf-8")
    code, _, err = invoke(cli_app, "scan", "127.0.0.1", "--out", str(tmp_path / "f.yaml"),
                          "--json", str(notes))  # fmt: skip
    message = one_line_error(err)
    assert code == 2 and f"{notes}: --json: exists and is not a JSON file hashshock" in message
    assert "fix: name another file with --json" in message
    repairs = tmp_path / "repairs.csv"  # a file of another kind: refused as by every --json
    repairs.write_text("machine,model,part,install_date,failure_date\n", encoding="utf-8")
    code, _, err = invoke(cli_app, "scan", "127.0.0.1", "--out", str(tmp_path / "f.yaml"),
                          "--json", str(repairs))  # fmt: skip
    assert code == 2 and "is a CSV file of yours, which the JSON would replace" in err
    assert repairs.read_text(encoding="utf-8").startswith("machine,model")
    assert notes.read_text(encoding="utf-8") == '{"hosts": 3}'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.json", "repairs.csv"]


def test_scan_json_is_recognised_as_hashshock_s(tmp_path: Path) -> None:
    from hashshock.outputs import OUTPUT_JSON_KEYS, looks_like_output_json
    from hashshock.scan.render import scan_json

    document = scan_json([], [], ["a note"], {})
    assert set(document) == OUTPUT_JSON_KEYS["scan"]
    mine, theirs = tmp_path / "scan.json", tmp_path / "other.json"
    mine.write_text(json.dumps(document), encoding="utf-8")
    theirs.write_text(json.dumps({"hosts": 3}), encoding="utf-8")
    assert looks_like_output_json(mine) and not looks_like_output_json(theirs)


def test_an_install_date_after_the_start_date_is_refused_before_the_scan(
    cli_app: typer.Typer, tmp_path: Path
) -> None:
    from datetime import date

    new = tmp_path / "new.yaml"
    code, _, err = invoke(cli_app, "scan", "127.0.0.1", "--out", str(new),
                          "--install-date", "2999-06-01")  # fmt: skip
    message = one_line_error(err)
    assert code == 2
    assert f"--install-date: 2999-06-01 is after the fleet's start date {date.today()}" in message
    old = tmp_path / "fleet.yaml"
    old.write_text(HAND_WRITTEN, encoding="utf-8")  # starts on 2026-12-01
    code, _, err = invoke(cli_app, "scan", "127.0.0.1", "--out", str(old),
                          "--install-date", "2026-12-02")  # fmt: skip
    assert code == 2 and "the fleet's start date 2026-12-01 — fix:" in one_line_error(err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fleet.yaml"]


def test_audit_writes_no_scenario_without_an_event(cli_app: typer.Typer, tmp_path: Path) -> None:
    fleet = tmp_path / "fleet.yaml"
    fleet.write_text(HAND_WRITTEN, encoding="utf-8")
    scenario = tmp_path / "rd.yaml"
    cases = (
        (["--egress-filtered", "1"], "7,000 machines on vendor firmware, all behind egress "
                                     "filtering (--egress-filtered 100%): share 0"),
        (["--vendor", "canaan"], "canaan: no machines of this vendor in fleet.yaml"),
    )  # fmt: skip
    for options, reason in cases:
        code, out, err = invoke(cli_app, "audit", str(fleet), "--scenario-out", str(scenario),
                                *options, env={"COLUMNS": "200"})  # fmt: skip
        said = " ".join(out.split())
        assert code == 1, err
        assert reason in said and f"no scenario written to {scenario}" in said
        assert "no machines on vendor firmware" not in said and not scenario.exists()
    code, out, _ = invoke(cli_app, "audit", str(fleet), "--scenario-out", str(scenario),
                          "--egress-filtered", "1", "--json", "-")  # fmt: skip
    report = json.loads(out)
    assert code == 1 and "scenario" not in report and not scenario.exists()
    assert any(note.startswith("no scenario written") for note in report["notes"])


def test_the_header_says_what_the_merge_did(tmp_path: Path) -> None:
    from datetime import date

    from hashshock.cli.scan import _header
    from hashshock.inputs.catalog import bundled_catalog
    from hashshock.scan.fleetfile import InstallDates, ScannedCohort, merge_scan

    existing = yaml.safe_load(HAND_WRITTEN)
    dates, catalog = InstallDates(date(2026, 11, 1)), bundled_catalog()
    seen = [ScannedCohort("rockdale", "antminer-s19", 1)]
    inventory = tmp_path / "fleet.inventory.csv"

    def header(merged_into: dict[str, object] | None, prune: bool = False) -> str:
        result = merge_scan(merged_into, seen, "rockdale", dates, catalog, prune=prune)
        lines = _header("rockdale", seen, dates, inventory, [],
                        result if merged_into is not None else None, prune)  # fmt: skip
        return "\n".join(lines)

    new = header(None)
    assert "1 machine of catalogue models in 1 cohort)" in new and "ASSUMED" in new
    kept = header(existing)  # no cohort added: no install date set, none explained
    assert "ASSUMED" not in kept and "counts the scan did not see are kept" in kept
    assert "Install dates are as the file had them" in kept  # not silently dropped
    pruned = header(existing, prune=True)
    assert "did not see are kept" not in pruned and "--prune" in pruned


def test_a_longer_timeout_waits_longer_for_a_slow_miner() -> None:
    """--timeout is the host's whole budget: each step gets a fifth of it (3 s at the
    default 15 s, as before), not at most 3 s whatever was given — a miner answering
    each command in 3.5 s was `unresponsive` even at --timeout 60."""
    from hashshock.scan.probe import ScanOptions

    assert ScanOptions(timeout_s=15).step_timeout_s == 3.0
    assert ScanOptions(timeout_s=15).pyasic_timeout_s == 3
    assert ScanOptions(timeout_s=60).step_timeout_s == 12.0
    assert ScanOptions(timeout_s=60).pyasic_timeout_s == 12
    assert ScanOptions(timeout_s=1).step_timeout_s == 0.5


def test_a_scan_that_may_take_long_says_so_first(capsys: pytest.CaptureFixture[str]) -> None:
    """A /16 of silent addresses at the defaults (32 at a time, 15 s each) runs for hours:
    the scan says how long it may take before it starts; a short one says nothing."""
    from hashshock.cli.scan import _note_long_scan

    _note_long_scan(65_534, 32, 15.0)
    said = " ".join(capsys.readouterr().err.split())
    assert "65,534 addresses, 32 at a time, up to 15 s each: up to about 8.5 h" in said
    _note_long_scan(100, 32, 15.0)
    assert capsys.readouterr().err == ""


def test_miners_identified_but_not_read_are_named_not_dropped(
    cli_app: typer.Typer, tmp_path: Path, start_farm: StartFarm
) -> None:
    """S19s whose status calls hang were dropped without a word: the file counted the
    others and its header said nothing of them, and a scan of them alone said "no machine
    of a catalogue model found". Named in the header, and counted in that note."""
    ips = loopback_block(3)
    hung = StockAntminer(silent_on=frozenset({"stats", "summary", "devs"}))
    start_farm({ips[0]: StockAntminer(), ips[1]: hung, ips[2]: hung})
    fleet = tmp_path / "fleet.yaml"
    code, _, err = invoke(cli_app, "scan", *ips, "--out", str(fleet), "--timeout", "3")
    assert code == 0, err
    header = " ".join(fleet.read_text(encoding="utf-8").split("\nsites:")[0].split())
    assert "NOT IN COHORTS: 2 x" in header and "its status was not read (timeout)" in header
    assert ips[1] in header and ips[2] in header and load_fleet(fleet).machines == 1
    alone = tmp_path / "alone.yaml"
    code, out, _ = invoke(cli_app, "scan", ips[1], "--out", str(alone), "--timeout", "3")
    assert code == 1 and "(1 miner identified but not read)" in " ".join(out.split())
