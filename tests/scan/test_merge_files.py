"""Merging a scan into a fleet file on disk: comments, layout, header, backup."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from hashshock.inputs.catalog import bundled_catalog
from hashshock.inputs.errors import InputError
from hashshock.inputs.load import load_fleet
from hashshock.outputs import backup_path
from hashshock.scan.fleetfile import InstallDates, ScannedCohort, merge_scan
from hashshock.scan.yamlfile import (
    SCAN_HEADER_END,
    read_fleet_document,
    render_fleet_yaml,
    write_merged,
)

SCAN_DAY = date(2026, 11, 1)

HAND_WRITTEN = """\
# Our Rockdale mine, written by hand. Every comment here must survive a scan.
name: my-mine
start_date: 2026-12-01            # first simulated day (YYYY-MM-DD)
sites:
  - name: rockdale
    country: US                   # decides which repair routes cross a border
    technicians: 14
cohorts:                          # machines of one model, site and install date
  # bought from Bob in 2021
  - {model: antminer-s19j-pro, count: 7000, site: rockdale, install_date: 2021-10-15}
  - model: antminer-s21
    count: 3000
    site: rockdale
    install_date: 2024-03-01
    degraded: {dead_hashboards: 12, machines_down: {fan: 5}}   # seen broken in March

# Spares on the shelf
spares:                           # default per pool
  - {site: rockdale, part: fan, on_hand: 900}
orders:                           # open orders of new machines
  - {model: antminer-s21-xp, count: 600, due_date: 2027-02-15, site: rockdale,
     label: the big one}
"""


def comments(text: str) -> list[str]:
    """Every comment in ``text`` (from '#' to the end of its line), in order."""
    return [line[line.index("#") :].strip() for line in text.splitlines() if "#" in line]


def merge(path: Path, scanned: list[ScannedCohort], **kw: bool) -> tuple[str, list[str]]:
    """Merge ``scanned`` into the file at ``path``; the new text and the change lines."""
    document = read_fleet_document(path)
    result = merge_scan(document.data, scanned, "rockdale", InstallDates(SCAN_DAY),
                        bundled_catalog(), path=path, **kw)  # fmt: skip
    header = ["Merged with `hashshock scan` (test)", f"{SCAN_HEADER_END}; test."]
    return render_fleet_yaml(result.data, header, document), result.changes


@pytest.fixture
def fleet(tmp_path: Path) -> Path:
    path = tmp_path / "fleet.yaml"
    path.write_text(HAND_WRITTEN, encoding="utf-8")
    return path


def test_comments_and_untouched_lines_survive_and_counts_never_shrink(fleet: Path) -> None:
    scanned = [
        ScannedCohort("rockdale", "antminer-s19j-pro", 2),  # 2 of the 7,000
        ScannedCohort("rockdale", "whatsminer-m60s", 3, machines_down={"psu": 1}),  # new
    ]
    text, changes = merge(fleet, scanned)
    assert changes and all("7,000" not in line for line in changes)
    for comment in comments(HAND_WRITTEN):
        assert text.count(comment) == HAND_WRITTEN.count(comment), comment
    new_lines = text.splitlines()
    for line in HAND_WRITTEN.splitlines():  # nothing the merge did not change is rewritten
        assert line in new_lines, line
    fleet.write_text(text, encoding="utf-8")
    merged = load_fleet(fleet).fleet
    counts = {c.model: c.count for c in merged.cohorts}
    assert counts == {"antminer-s19j-pro": 7000, "antminer-s21": 3000, "whatsminer-m60s": 3}
    m60s = next(c for c in merged.cohorts if c.model == "whatsminer-m60s")
    assert m60s.degraded is not None and m60s.degraded.machines_down == {"psu": 1}
    assert m60s.install_date <= SCAN_DAY and "assumed" in (m60s.label or "")
    # the new cohort goes with the cohorts, above the comment that introduces the spares
    assert text.index("whatsminer-m60s") < text.index("# Spares on the shelf")


@pytest.mark.parametrize(
    "scanned",
    [
        [ScannedCohort("rockdale", "antminer-s19j-pro", 7001)],
        [ScannedCohort("rockdale", "antminer-s19j-pro", 1, machines_down={"fan": 1})],
        [
            ScannedCohort("rockdale", "antminer-s19j-pro", 1, machines_down={"fan": 1}),
            ScannedCohort("rockdale", "antminer-t21", 2),
        ],
        [
            ScannedCohort("rockdale", "antminer-s21", 3000),
            ScannedCohort("rockdale", "avalon-a1466", 1),
        ],
    ],
)
def test_every_comment_once_whatever_changes(fleet: Path, scanned: list[ScannedCohort]) -> None:
    text, changes = merge(fleet, scanned)
    assert changes
    for comment in comments(HAND_WRITTEN):
        assert text.count(comment) <= HAND_WRITTEN.count(comment), comment
        assert comment in text or comment == "# seen broken in March", comment
    fleet.write_text(text, encoding="utf-8")
    assert load_fleet(fleet).machines >= 10_000


def test_a_changed_cohort_keeps_the_comments_around_it(fleet: Path) -> None:
    # the scan saw more S21s than the file has, none broken: it saw them all
    text, changes = merge(fleet, [ScannedCohort("rockdale", "antminer-s21", 3002)])
    assert any("file says 3,000, scan saw 3,002 — now 3,002" in line for line in changes)
    assert any("broken at start" in line and "→ none" in line for line in changes)
    assert "# Spares on the shelf" in text and "# bought from Bob in 2021" in text
    s21 = yaml.safe_load(text)["cohorts"][1]
    assert s21["count"] == 3002 and "degraded" not in s21


def test_the_scan_header_is_replaced_not_stacked(fleet: Path) -> None:
    text, _ = merge(fleet, [ScannedCohort("rockdale", "antminer-s21", 3001)])
    fleet.write_text(text, encoding="utf-8")
    again, _ = merge(fleet, [ScannedCohort("rockdale", "antminer-s21", 3005)])
    assert again.count(SCAN_HEADER_END) == 1 and again.count("(test)") == 1
    assert again.startswith("# Merged with `hashshock scan`")
    assert "# Our Rockdale mine, written by hand." in again


def test_prune_lowers_counts_and_says_so(fleet: Path) -> None:
    text, changes = merge(fleet, [ScannedCohort("rockdale", "antminer-s19j-pro", 2)], prune=True)
    assert any("file says 7,000, scan saw 2 — now 2 (--prune)" in line for line in changes)
    assert any("removed cohort rockdale/antminer-s21" in line for line in changes)
    data = yaml.safe_load(text)
    assert [(c["model"], c["count"]) for c in data["cohorts"]] == [("antminer-s19j-pro", 2)]
    assert "# Spares on the shelf" in text


def test_indentation_and_line_endings_are_the_files(tmp_path: Path) -> None:
    path = tmp_path / "fleet.yaml"
    four = "name: m\r\nstart_date: 2026-12-01\r\nsites:\r\n-   name: rockdale\r\n"
    four += "cohorts:\r\n-   model: antminer-s21\r\n    count: 10\r\n    site: rockdale\r\n"
    four += "    install_date: 2024-03-01\r\n"
    path.write_bytes(four.encode())
    text, _ = merge(path, [ScannedCohort("rockdale", "antminer-s21", 12)])
    body = text.split(f"{SCAN_HEADER_END}; test.\r\n", 1)[1]
    assert "\n" not in body.replace("\r\n", "")
    assert "-   model: antminer-s21\r\n    count: 12\r\n" in body


def test_a_site_name_yaml_would_misread_is_quoted(tmp_path: Path) -> None:
    result = merge_scan(None, [ScannedCohort("on", "antminer-s21", 1)], "on",
                        InstallDates(SCAN_DAY), bundled_catalog())  # fmt: skip
    path = tmp_path / "fleet.yaml"
    path.write_text(render_fleet_yaml(result.data, ["new"]), encoding="utf-8")
    loaded = load_fleet(path).fleet
    assert [s.name for s in loaded.sites] == ["on"] and loaded.cohorts[0].site == "on"


def test_a_duplicate_key_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "fleet.yaml"
    path.write_text(HAND_WRITTEN + "name: again\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"line \d+.*(duplicate key|appears twice)"):
        read_fleet_document(path)


def test_backup_never_overwrites_an_earlier_one(fleet: Path) -> None:
    assert backup_path(fleet).name == "fleet.yaml.bak"
    document = read_fleet_document(fleet)
    first = write_merged(document, "name: one\n")
    assert first.name == "fleet.yaml.bak" and first.read_text(encoding="utf-8") == HAND_WRITTEN
    second = write_merged(read_fleet_document(fleet), "name: two\n")
    assert second.name == "fleet.yaml.bak.1"
    assert second.read_text(encoding="utf-8") == "name: one\n"
    assert first.read_text(encoding="utf-8") == HAND_WRITTEN
    assert fleet.read_text(encoding="utf-8") == "name: two\n"


def test_a_file_edited_during_the_scan_is_not_overwritten(fleet: Path) -> None:
    document = read_fleet_document(fleet)
    fleet.write_text(HAND_WRITTEN + "# edited meanwhile\n", encoding="utf-8")
    with pytest.raises(InputError, match="changed on disk"):
        write_merged(document, "name: x\n")
    assert fleet.read_text(encoding="utf-8").endswith("# edited meanwhile\n")
    assert (
        not backup_path(fleet).name.endswith(".1")
        and not (fleet.parent / "fleet.yaml.bak").exists()
    )


def test_a_new_cohort_dated_on_the_start_date_is_no_alias_of_it(fleet: Path) -> None:
    """The assumed date is capped at the start date: written as a plain date, and the
    ``start_date:`` line stays as the user wrote it."""
    early = HAND_WRITTEN.replace("start_date: 2026-12-01", "start_date: 2025-06-01")
    fleet.write_text(early, encoding="utf-8")
    two_new = [ScannedCohort("rockdale", "antminer-s21-plus", 1),
               ScannedCohort("rockdale", "antminer-s21-xp", 2)]  # fmt: skip
    text, _ = merge(fleet, two_new)
    assert "&id" not in text and "*id" not in text
    assert "start_date: 2025-06-01            # first simulated day (YYYY-MM-DD)" in text
    added = [c for c in yaml.safe_load(text)["cohorts"] if c["model"].startswith("antminer-s21-")]
    assert [c["install_date"] for c in added] == [date(2025, 6, 1)] * 2
    fixed = read_fleet_document(fleet)
    one_date = InstallDates(SCAN_DAY, fixed=date(2025, 1, 1))
    result = merge_scan(fixed.data, two_new, "rockdale", one_date, bundled_catalog())
    assert "&id" not in render_fleet_yaml(result.data, ["x"], fixed)  # one --install-date, twice


def test_a_new_cohort_under_a_flow_cohort_fits_80_columns(tmp_path: Path) -> None:
    path = tmp_path / "fleet.yaml"
    path.write_text(
        "name: m\nstart_date: 2026-12-01\nsites: [{name: rockdale}]\n"
        "cohorts: [{model: antminer-s19j-pro, count: 70, site: rockdale, "
        "install_date: 2021-10-15}]\n",
        encoding="utf-8",
    )
    text, _ = merge(path, [ScannedCohort("rockdale", "antminer-s21-plus", 1)])
    written = [line for line in text.splitlines() if "#" not in line and "s19j" not in line]
    assert max(len(line) for line in written) <= 80  # the user's own cohort may be longer
    data = yaml.safe_load(text)
    assert [c["model"] for c in data["cohorts"]] == ["antminer-s19j-pro", "antminer-s21-plus"]
    assert "  - {model: antminer-s19j-pro, count: 70" in text  # the user's cohort keeps its style


@pytest.mark.parametrize("site", ["yes", "123", "a: b"])
def test_a_site_yaml_would_misread_joins_a_flow_style_fleet(tmp_path: Path, site: str) -> None:
    """--site yes on a fleet whose cohorts are written one flow mapping a line: the new
    site's name is quoted in the file (YAML 1.1 reads yes as true), and measuring the new
    cohort's line crashed on that quoted string."""
    path = tmp_path / "fleet.yaml"
    path.write_text(
        "name: m\nstart_date: 2026-12-01\nsites: [{name: main, state: TX}]\ncohorts:\n"
        "  - {model: antminer-s19j-pro, count: 70, site: main, install_date: 2021-10-15}\n",
        encoding="utf-8",
    )
    document = read_fleet_document(path)
    result = merge_scan(document.data, [ScannedCohort(site, "antminer-s21-plus", 1)], site,
                        InstallDates(SCAN_DAY), bundled_catalog(), path=path)  # fmt: skip
    data = yaml.safe_load(render_fleet_yaml(result.data, ["test"], document))
    assert [c["site"] for c in data["cohorts"]] == ["main", site]
    assert [s["name"] for s in data["sites"]] == ["main", site]
