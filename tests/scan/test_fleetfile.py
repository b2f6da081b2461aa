"""Scanned machines → cohorts → merged fleet file."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from hashshock.inputs.catalog import bundled_catalog
from hashshock.inputs.errors import InputError
from hashshock.inputs.load import load_fleet
from hashshock.scan.fleetfile import (
    InstallDates,
    ScannedCohort,
    aggregate,
    choose_site,
    merge_scan,
)
from hashshock.scan.records import MachineRecord
from hashshock.scan.yamlfile import render_fleet_yaml

SCAN_DAY = date(2026, 3, 1)


def rec(slug: str = "antminer-s19", **kw: Any) -> MachineRecord:
    spec = bundled_catalog().get(slug)
    base: dict[str, Any] = {
        "ip": "10.0.0.1", "site": "a", "slug": slug, "vendor": spec.vendor, "family": spec.family,
        "boards_expected": spec.hashboards, "boards_working": spec.hashboards,
        "fans_expected": spec.fans, "fans_working": spec.fans, "uptime_s": 86_400,
    }  # fmt: skip
    base.update(kw)
    return MachineRecord(**base)


def test_aggregate_by_site_and_model_with_degradation() -> None:
    records = [
        rec(),
        rec(boards_working=2),
        rec(boards_working=1),
        rec(fans_working=3, boards_working=2),  # down for a fan: its dead board is not counted
        rec(boards_working=0),
        rec(site="b"),
        rec("antminer-s21"),
        rec(status="unknown-model"),
        rec(status="unresponsive"),
    ]
    cohorts = {(c.site, c.model): c for c in aggregate(records)}
    assert sorted(cohorts) == [("a", "antminer-s19"), ("a", "antminer-s21"), ("b", "antminer-s19")]
    s19 = cohorts[("a", "antminer-s19")]
    assert (s19.count, s19.dead_hashboards, s19.machines_down) == (5, 3, {"fan": 1, "hashboard": 1})
    assert s19.degraded() == {"dead_hashboards": 3, "machines_down": {"fan": 1, "hashboard": 1}}
    assert cohorts[("a", "antminer-s21")].degraded() is None


def test_a_machine_answering_at_two_addresses_is_counted_once() -> None:
    """The same serial and MAC at two addresses is one machine (it was counted twice, and
    the audit's shares with it); a serial or MAC alone, or none, proves nothing."""
    from hashshock.scan.exposure import units_from_inventory
    from hashshock.scan.records import repeated_machines

    records = [
        rec(ip="127.0.0.51", serial="SN1", mac="02:00:00:00:00:01"),
        rec(ip="127.0.0.53", serial="SN1", mac="02:00:00:00:00:01".upper()),
        rec(ip="127.0.0.54", serial="SN1", mac=""),
        rec(ip="127.0.0.55", serial="", mac=""),
        rec(ip="127.0.0.56", serial="", mac=""),
    ]
    assert [c.count for c in aggregate(records)] == [4]
    assert sum(u.machines for u in units_from_inventory(records)) == 4  # the audit too
    # the address that timed out is not the one counted: the one that answered is
    timed_out = [rec(ip="127.0.0.61", serial="SN2", mac="m2", status="timeout"),
                 rec(ip="127.0.0.62", serial="SN2", mac="m2")]  # fmt: skip
    assert [c.count for c in aggregate(timed_out)] == [1]
    assert repeated_machines(records) == {
        ("SN1", "02:00:00:00:00:01"): ["127.0.0.51", "127.0.0.53"]}  # fmt: skip


def test_the_terminal_counts_a_machine_at_two_addresses_once() -> None:
    """The cohort table's TH/s are the machines' once each, as the fleet file's count
    (three addresses of one Whatsminer read 378 TH/s beside "1 machine")."""
    import io

    from rich.console import Console

    from hashshock.scan.render import print_scan

    same = {"serial": "SN9", "mac": "02:00:00:00:00:09", "hashrate_ths": 126.0}
    records = [rec(ip=f"127.0.0.{i}", **same) for i in (71, 72, 73)]
    out = io.StringIO()
    print_scan(Console(file=out, width=120), records, aggregate(records), [])
    row = next(line for line in out.getvalue().splitlines() if "antminer-s19" in line)
    assert "126.0" in row and "378" not in row


def test_install_dates() -> None:
    cohort = ScannedCohort("a", "antminer-s21", 1, longest_uptime_s=0)
    dates = InstallDates(SCAN_DAY)
    assert dates.choose(cohort, 2020, SCAN_DAY) == date(2025, 3, 1)
    assert dates.choose(cohort, 2026, SCAN_DAY) == date(2026, 1, 1)  # not before release
    old = ScannedCohort("a", "antminer-s21", 1, longest_uptime_s=800 * 86_400)
    assert dates.choose(old, 2020, SCAN_DAY) == date(2023, 12, 22)  # uptime proves it older
    assert dates.choose(cohort, 2020, date(2024, 1, 1)) == date(2024, 1, 1)  # not after start
    fixed = InstallDates(SCAN_DAY, fixed=date(2022, 2, 2))
    assert fixed.choose(old, 2020, SCAN_DAY) == date(2022, 2, 2)
    assert "--install-date" in fixed.label() and "assumed" in dates.label()


def test_an_absurd_uptime_or_age_gives_the_model_s_release() -> None:
    """A miner reporting 10¹² s of uptime, or an assumed age of a million days, is an
    install date no earlier than its model's release year (it overflowed the date and
    the whole scan ended in a traceback); a negative uptime proves nothing."""
    absurd = ScannedCohort("a", "antminer-s21", 1, longest_uptime_s=10**12)
    assert InstallDates(SCAN_DAY).choose(absurd, 2024, SCAN_DAY) == date(2024, 1, 1)
    ancient = InstallDates(SCAN_DAY, assumed_age_days=10**6)
    fresh = ScannedCohort("a", "antminer-s21", 1, longest_uptime_s=0)
    assert ancient.choose(fresh, 2024, SCAN_DAY) == date(2024, 1, 1)
    negative = ScannedCohort("a", "antminer-s21", 1, longest_uptime_s=-100)
    assert InstallDates(SCAN_DAY).choose(negative, 2024, SCAN_DAY) == InstallDates(
        SCAN_DAY).choose(fresh, 2024, SCAN_DAY)  # fmt: skip


def test_an_install_date_is_never_the_start_date_object() -> None:
    """ruamel writes one object met twice as an anchor and an alias (``&id001``/``*id001``):
    the cohort's install date would follow any later edit of ``start_date``."""
    start = date(2024, 1, 1)
    cohort = ScannedCohort("a", "antminer-s21", 1)
    for dates in (InstallDates(SCAN_DAY), InstallDates(SCAN_DAY, fixed=start)):
        chosen = dates.choose(cohort, 2020, start)
        assert chosen == start and chosen is not start
        assert chosen is not dates.fixed


def test_an_install_date_after_the_start_is_refused() -> None:
    dates = InstallDates(SCAN_DAY, fixed=date(2027, 6, 1))
    with pytest.raises(InputError) as err:
        dates.check(SCAN_DAY)
    assert err.value.message.startswith(
        "--install-date: 2027-06-01 is after the fleet's start date 2026-03-01 — fix: "
    )
    with pytest.raises(InputError):  # the Python API: merging refuses it as well
        merge_scan(None, aggregate([rec()]), "a", dates, bundled_catalog())
    InstallDates(SCAN_DAY, fixed=SCAN_DAY).check(SCAN_DAY)  # on the start date: fine


def test_new_fleet_validates_and_renders(tmp_path: Path) -> None:
    scanned = aggregate([rec(), rec(boards_working=2), rec("whatsminer-m50s")])
    result = merge_scan(None, scanned, "a", InstallDates(SCAN_DAY), bundled_catalog())
    assert result.fleet.machines == 3
    path = tmp_path / "fleet.yaml"
    path.write_text(render_fleet_yaml(result.data, ["hello", "", "world"]), encoding="utf-8")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# hello\n#\n# world\nname: scanned-fleet\n")
    loaded = load_fleet(path)
    assert loaded.fleet.start_date == SCAN_DAY
    assert [c.degraded.dead_hashboards if c.degraded else 0 for c in loaded.fleet.cohorts] == [1, 0]


def existing_fleet() -> dict[str, Any]:
    return {
        "name": "mine",
        "start_date": date(2026, 6, 1),
        "sites": [{"name": "a", "technicians": 4}, {"name": "b", "country": "CA"}],
        "cohorts": [
            {
                "model": "antminer-s19",
                "count": 5,
                "site": "a",
                "install_date": date(2021, 1, 1),
                "label": "batch 1",
            },
            {
                "model": "antminer-s19",
                "count": 3,
                "site": "a",
                "install_date": date(2022, 1, 1),
                "label": "batch 2",
                "degraded": {"dead_hashboards": 2},
            },
            {"model": "antminer-t21", "count": 9, "site": "a", "install_date": date(2024, 9, 1)},
            {"model": "antminer-s21", "count": 4, "site": "b", "install_date": date(2024, 9, 1)},
        ],
        "spares": [{"site": "a", "part": "fan", "on_hand": 20}],
        "repair_routes": {"hashboard": {"scrap_share": 0.1}},
        "orders": [
            {"model": "antminer-s21", "count": 10, "due_date": date(2026, 9, 1), "site": "b"}
        ],
    }


def test_merge_keeps_user_fields_and_never_lowers_what_the_scan_did_not_see() -> None:
    records = [rec(ip=f"10.0.0.{i}") for i in range(6)] + [rec(boards_working=1)]
    records += [rec("antminer-s21-xp")]
    result = merge_scan(existing_fleet(), aggregate(records), "a", InstallDates(SCAN_DAY),
                        bundled_catalog())  # fmt: skip
    data = result.data
    assert data["sites"][0]["technicians"] == 4 and data["orders"] and data["spares"]
    assert data["repair_routes"] == {"hashboard": {"scrap_share": 0.1}}
    s19 = [c for c in data["cohorts"] if c["model"] == "antminer-s19"]
    # the file says 8, the scan saw 7: both cohorts keep their counts, dates and labels
    assert [(c["count"], c["label"], c["install_date"]) for c in s19] == [
        (5, "batch 1", date(2021, 1, 1)), (3, "batch 2", date(2022, 1, 1)),
    ]  # fmt: skip
    assert "cohort a/antminer-s19: file says 8, scan saw 7 — kept 8" in result.kept
    # the scan's 2 dead boards do not exceed the file's 2: the file's stay where they were
    assert "degraded" not in s19[0] and s19[1]["degraded"] == {"dead_hashboards": 2}
    t21 = next(c for c in data["cohorts"] if c["model"] == "antminer-t21")
    assert t21["count"] == 9  # not seen, kept
    assert "cohort a/antminer-t21: file says 9, scan saw 0 — kept 9" in result.kept
    assert any(c["model"] == "antminer-s21-xp" and c["site"] == "a" for c in data["cohorts"])
    assert any(n.startswith("added cohort a/antminer-s21-xp: 1 machine") for n in result.changes)
    assert next(c for c in data["cohorts"] if c["site"] == "b")["count"] == 4
    assert existing_fleet()["cohorts"][0]["count"] == 5  # the input is not modified
    assert result.fleet.machines == 5 + 3 + 9 + 1 + 4


def test_counts_never_shrink_without_prune() -> None:
    """The 7,000-machine hand-written cohort and a scan of two addresses."""
    fleet = existing_fleet()
    fleet["cohorts"][0]["count"] = 7000
    result = merge_scan(fleet, aggregate([rec(), rec(ip="10.0.0.2")]), "a",
                        InstallDates(SCAN_DAY), bundled_catalog())  # fmt: skip
    counts = [c["count"] for c in result.data["cohorts"]]
    assert counts == [7000, 3, 9, 4]
    assert "cohort a/antminer-s19: file says 7,003, scan saw 2 — kept 7,003" in result.kept
    assert not result.changed and result.changes == []


def test_partial_scan_raises_broken_machines_never_lowers_them() -> None:
    fleet = existing_fleet()
    fleet["cohorts"][0]["degraded"] = {"machines_down": {"psu": 4}}
    records = [rec(fans_working=3), rec(fans_working=3, ip="10.0.0.2"), rec(boards_working=2)]
    result = merge_scan(fleet, aggregate(records), "a", InstallDates(SCAN_DAY), bundled_catalog())
    s19 = [c for c in result.data["cohorts"] if c["model"] == "antminer-s19"]
    # 2 fans seen down on top of the file's 4 psus: 1 more fits in the first cohort (5)
    assert s19[0]["degraded"]["machines_down"] == {"fan": 1, "psu": 4}
    # 1 dead board seen, 2 in the file: the file's kept
    assert s19[1]["degraded"] == {"dead_hashboards": 2, "machines_down": {"fan": 1}}
    assert any("kept 4 machines down for a psu, 2 dead hashboards" in n for n in result.kept)
    assert any("broken at start" in n and "2 machines down for a fan" in n
               for n in result.changes)  # fmt: skip


def test_merge_grows_the_newest_matching_cohort() -> None:
    records = [rec(ip=f"10.0.0.{i}") for i in range(10)]
    result = merge_scan(existing_fleet(), aggregate(records), "a", InstallDates(SCAN_DAY),
                        bundled_catalog())  # fmt: skip
    s19 = [c for c in result.data["cohorts"] if c["model"] == "antminer-s19"]
    assert [c["count"] for c in s19] == [5, 5]
    # the scan saw every machine, none broken: the file's dead boards are gone
    assert all("degraded" not in c for c in s19)
    assert any("file says 8, scan saw 10 — now 10" in n for n in result.changes)
    assert any(c["model"] == "antminer-t21" for c in result.data["cohorts"])


def test_prune_lowers_and_removes() -> None:
    records = [rec(ip=f"10.0.0.{i}") for i in range(6)]
    result = merge_scan(existing_fleet(), aggregate(records), "a", InstallDates(SCAN_DAY),
                        bundled_catalog(), prune=True)  # fmt: skip
    s19 = [c["count"] for c in result.data["cohorts"] if c["model"] == "antminer-s19"]
    assert s19 == [5, 1]
    assert not any(c["model"] == "antminer-t21" for c in result.data["cohorts"])
    assert any("removed cohort a/antminer-t21" in n for n in result.changes)
    assert any(c["site"] == "b" for c in result.data["cohorts"])  # other sites untouched


def test_prune_that_would_leave_no_machine_says_why() -> None:
    """A scan that reached none of a one-site fleet's miners, with --prune, was refused as
    "the fleet has no machine …": it says the scan saw none and what to check."""
    from hashshock.inputs.errors import InputError

    fleet = existing_fleet()
    fleet["sites"] = fleet["sites"][:1]
    fleet["cohorts"] = [c for c in fleet["cohorts"] if c["site"] == "a"]
    fleet.pop("orders", None)
    with pytest.raises(InputError, match="--prune") as raised:
        merge_scan(fleet, aggregate([]), "a", InstallDates(SCAN_DAY), bundled_catalog(),
                   prune=True)  # fmt: skip
    assert "the scan saw no machine at site 'a'" in raised.value.problem
    assert "leave out --prune" in raised.value.fix


def test_cohorts_in_the_csv_count(tmp_path: Path) -> None:
    (tmp_path / "more.csv").write_text(
        "model,count,site,install_date\nantminer-s21,4,a,2024-01-01\n", encoding="utf-8"
    )
    fleet = existing_fleet()
    fleet["cohorts_csv"] = "more.csv"
    path = tmp_path / "fleet.yaml"
    three = aggregate([rec("antminer-s21", ip=f"10.0.0.{i}") for i in range(3)])
    result = merge_scan(fleet, three, "a", InstallDates(SCAN_DAY), bundled_catalog(), path=path)
    assert not any(
        c["model"] == "antminer-s21" and c["site"] == "a" for c in result.data["cohorts"]
    )
    assert "cohort a/antminer-s21: file says 4 (4 of them in more.csv), scan saw 3 — kept 4" in (
        result.kept
    )
    six = aggregate([rec("antminer-s21", ip=f"10.0.0.{i}") for i in range(6)])
    result = merge_scan(fleet, six, "a", InstallDates(SCAN_DAY), bundled_catalog(), path=path)
    added = [c for c in result.data["cohorts"] if c["model"] == "antminer-s21" and c["site"] == "a"]
    assert [c["count"] for c in added] == [2]  # 4 in the CSV + 2 = the 6 seen


def test_prune_of_a_count_held_in_the_csv_changes_nothing_and_says_so(tmp_path: Path) -> None:
    (tmp_path / "more.csv").write_text(
        "model,count,site,install_date\nantminer-s21,500,a,2024-01-01\n", encoding="utf-8"
    )
    fleet = existing_fleet()
    fleet["cohorts_csv"] = "more.csv"
    one = aggregate([rec("antminer-s21")])
    result = merge_scan(fleet, one, "a", InstallDates(SCAN_DAY), bundled_catalog(), prune=True,
                        path=tmp_path / "fleet.yaml")  # fmt: skip
    assert not any("a/antminer-s21:" in line for line in result.changes)
    assert "cohort a/antminer-s21: more.csv still lists 500: edit it by hand" in result.kept


def test_merge_counts_the_cohorts_it_adds() -> None:
    catalog = bundled_catalog()
    seen = aggregate([rec(), rec("antminer-s21-xp")])
    assert (
        merge_scan(existing_fleet(), seen, "a", InstallDates(SCAN_DAY), catalog).added_cohorts == 1
    )
    s19 = aggregate([rec()])
    assert (
        merge_scan(existing_fleet(), s19, "a", InstallDates(SCAN_DAY), catalog).added_cohorts == 0
    )


def test_merge_rejects_an_invalid_result() -> None:
    fleet = existing_fleet()
    fleet["cohorts"][3]["model"] = "antminer-s99"
    with pytest.raises(InputError, match="antminer-s99"):
        merge_scan(fleet, aggregate([rec()]), "a", InstallDates(SCAN_DAY), bundled_catalog())


def test_choose_site() -> None:
    assert choose_site(None, None) == "site-1"
    assert choose_site({"sites": [{"name": "only"}]}, None) == "only"
    assert choose_site(existing_fleet(), "b") == "b"
    with pytest.raises(InputError, match="--site"):
        choose_site(existing_fleet(), None)
    assert choose_site(None, "Rockdale, TX #2") == "Rockdale, TX #2"
    # Refused before the scan: a fleet file YAML cannot read was found only after it.
    for bad in ("a\x1b[31mb", "a\x7fb", "", "  "):
        with pytest.raises(InputError, match=r"--site: .* is not a site name"):
            choose_site(None, bad)


def test_rendered_yaml_round_trips() -> None:
    result = merge_scan(existing_fleet(), aggregate([rec()]), "a", InstallDates(SCAN_DAY),
                        bundled_catalog())  # fmt: skip
    assert yaml.safe_load(render_fleet_yaml(result.data, ["x"])) == result.data
