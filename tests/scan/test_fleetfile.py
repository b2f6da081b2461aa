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
    render_fleet_yaml,
)
from hashshock.scan.records import MachineRecord

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


def test_merge_keeps_user_fields_and_splits() -> None:
    records = [rec(ip=f"10.0.0.{i}") for i in range(6)] + [rec(boards_working=1)]
    records += [rec("antminer-s21-xp")]
    result = merge_scan(existing_fleet(), aggregate(records), "a", InstallDates(SCAN_DAY),
                        bundled_catalog())  # fmt: skip
    data = result.data
    assert data["sites"][0]["technicians"] == 4 and data["orders"] and data["spares"]
    assert data["repair_routes"] == {"hashboard": {"scrap_share": 0.1}}
    s19 = [c for c in data["cohorts"] if c["model"] == "antminer-s19"]
    assert [(c["count"], c["label"], c["install_date"]) for c in s19] == [
        (5, "batch 1", date(2021, 1, 1)), (2, "batch 2", date(2022, 1, 1)),
    ]  # fmt: skip
    assert s19[0]["degraded"] == {"dead_hashboards": 2} and "degraded" not in s19[1]
    t21 = next(c for c in data["cohorts"] if c["model"] == "antminer-t21")
    assert t21["count"] == 9  # not seen, kept
    assert any("kept antminer-t21" in n for n in result.notes)
    assert any(c["model"] == "antminer-s21-xp" and c["site"] == "a" for c in data["cohorts"])
    assert next(c for c in data["cohorts"] if c["site"] == "b")["count"] == 4
    assert existing_fleet()["cohorts"][0]["count"] == 5  # the input is not modified


def test_merge_grows_the_newest_matching_cohort_and_prunes() -> None:
    records = [rec(ip=f"10.0.0.{i}") for i in range(10)]
    result = merge_scan(existing_fleet(), aggregate(records), "a", InstallDates(SCAN_DAY),
                        bundled_catalog(), prune=True)  # fmt: skip
    s19 = [c["count"] for c in result.data["cohorts"] if c["model"] == "antminer-s19"]
    assert s19 == [5, 5]
    assert not any(c["model"] == "antminer-t21" for c in result.data["cohorts"])


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


def test_rendered_yaml_round_trips() -> None:
    result = merge_scan(existing_fleet(), aggregate([rec()]), "a", InstallDates(SCAN_DAY),
                        bundled_catalog())  # fmt: skip
    assert yaml.safe_load(render_fleet_yaml(result.data, ["x"])) == result.data
