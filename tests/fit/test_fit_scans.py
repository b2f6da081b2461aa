"""Scan inventories as failure data: failures at the scan that shows them, exposure to the last."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from tests.fit.conftest import Invoke, WriteLog

from hashshock.fit import detect_format, fit_loaded, load_histories
from hashshock.inputs.errors import InputError
from hashshock.scan.inventory import render_inventory
from hashshock.scan.records import MachineRecord

INSTALL = date(2024, 1, 1)


def _scan(
    serial: str, when: date, boards: int = 3, fans: int = 4, install: str | None = "2024-01-01",
    mining: bool | None = True, slug: str = "antminer-s19j-pro",
) -> MachineRecord:  # fmt: skip
    return MachineRecord(
        ip=f"10.0.0.{abs(hash(serial)) % 200 + 1}", site="farm", slug=slug,
        family="antminer-s19", serial=serial, boards_expected=3, boards_working=boards,
        fans_expected=4, fans_working=fans, is_mining=mining,
        scanned_at=datetime(when.year, when.month, when.day, 12).isoformat() + "+00:00",
        _extra={"install_date": install} if install else {},
    )  # fmt: skip


def _write(tmp_path: Path, name: str, records: list[MachineRecord]) -> Path:
    path = tmp_path / name
    path.write_text(render_inventory(records), encoding="utf-8")
    return path


def test_failures_are_dated_between_the_scans_that_bound_them(tmp_path: Path) -> None:
    """Each extra slot down is one failure, dated halfway between the scan that shows it
    and the informative scan before; slots down at the first scan are not failures."""
    d1, d2, d3, d4 = (date(2025, m, 1) for m in (1, 2, 3, 4))
    first = _write(tmp_path, "jan.csv", [_scan("A", d1), _scan("B", d1, fans=3)])
    later = _write(
        tmp_path, "later.csv",
        [
            _scan("A", d2, boards=2), _scan("A", d3), _scan("A", d4, boards=1),  # 1, repair, 2
            _scan("B", d2, boards=0, fans=0, mining=False),  # asleep: says nothing
            _scan("B", d3, fans=3),  # still the same fan down: no new failure
        ],
    )  # fmt: skip
    assert detect_format(first) == "scan-inventory"
    loaded = load_histories([first, later], as_of=date(2025, 12, 31))
    by_key = {h.machine: h for h in loaded.histories}
    a, b = by_key["serial A"], by_key["serial B"]
    assert a.failures == {"hashboard": (date(2025, 1, 16), date(2025, 3, 16), date(2025, 3, 16))}
    # each known only to lie between its two scans: ± half the days between them
    assert a.failure_half_days == {"hashboard": (15.5, 15.5, 15.5)}
    assert b.failures == {}  # down already at the first scan: failed before observation
    assert a.observed_until == d4 and b.observed_until == d3
    assert a.install == INSTALL and a.observed_from == d1  # left-truncated at the first scan
    assert loaded.observable == ("hashboard", "fan")


def test_scan_fit_says_psus_are_not_observable(invoke: Invoke, tmp_path: Path) -> None:
    records = []
    for i in range(60):  # every third machine loses a board, at ages spread over 600 days
        records.append(_scan(f"S{i}", date(2024, 1, 2)))
        if i % 3 == 0:
            records.append(_scan(f"S{i}", date(2024, 1, 20) + timedelta(days=30 * i // 3), 2))
        records.append(_scan(f"S{i}", date(2025, 12, 1)))  # repaired by the last scan
    path = _write(tmp_path, "inv.csv", records)
    code, stdout, err = invoke(str(path), "--as-of", "2025-12-31", "--json", "-")
    assert code == 0, err
    data = json.loads(stdout)
    assert data["format"] == "scan-inventory"
    assert data["observable_parts"] == ["hashboard", "fan"]
    status = {r["part"]: r["status"] for r in data["results"] if r["applies_to"] == "*"}
    assert status == {"hashboard": "fitted", "fan": "default", "psu": "default",
                      "control_board": "default"}  # fmt: skip
    assert any("only hashboards and fans" in n for n in data["notes"])
    board = next(r for r in data["results"] if r["part"] == "hashboard")
    assert board["failures"] == 20


def test_install_date_from_option_or_exit_2(invoke: Invoke, tmp_path: Path) -> None:
    path = _write(tmp_path, "inv.csv", [_scan("A", date(2025, 1, 1), install=None)])
    code, _, err = invoke(str(path), "--as-of", "2025-12-31")
    assert code == 2 and "row 2, install_date" in err and "--install-date" in err
    code, _, err = invoke(str(path), "--as-of", "2025-12-31", "--install-date", "2024-01-01")
    assert code == 0, err
    code, _, err = invoke(str(path), "--as-of", "2025-12-31", "--install-date", "2025-06-01")
    assert code == 2 and "--install-date" in err and "first scan" in err


def test_scans_after_as_of_exit_2(invoke: Invoke, tmp_path: Path) -> None:
    path = _write(tmp_path, "inv.csv", [_scan("A", date(2025, 1, 1))])
    code, _, err = invoke(str(path), "--as-of", "2024-12-31")
    assert code == 2 and "row 2, scanned_at" in err and "--as-of" in err


def test_scans_and_logs_do_not_mix(invoke: Invoke, tmp_path: Path, write_log: WriteLog) -> None:
    inventory = _write(tmp_path, "inv.csv", [_scan("A", date(2025, 1, 1))])
    log = write_log("m1,antminer-s21,,2024-01-01,,")
    code, _, err = invoke(str(inventory), str(log), "--as-of", "2025-12-31")
    assert code == 2 and "not both" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("boards", "fans", "field", "problem"),
    [(-2, 4, "boards_working", "-2 is negative"), (3, -1, "fans_working", "-1 is negative"),
     (5, 4, "boards_working", "5 boards working but 3 expected"),
     (3, 5, "fans_working", "5 fans working but 4 expected")],
)  # fmt: skip
def test_impossible_counts_in_an_inventory_are_refused(
    tmp_path: Path, boards: int, fans: int, field: str, problem: str
) -> None:
    """A negative count or more slots working than the machine has would be read as
    failures (5 dead boards on a 3-board machine): refused, naming the row and column."""
    path = _write(tmp_path, "scan.csv", [_scan("A", date(2025, 1, 1)),
                                         _scan("A", date(2025, 2, 1), boards, fans)])  # fmt: skip
    with pytest.raises(InputError) as caught:
        load_histories([path], as_of=date(2025, 12, 31))
    assert caught.value.field == f"row 3, {field}" and caught.value.problem == problem


def test_a_file_given_twice_is_refused(tmp_path: Path) -> None:
    """Its failures would count twice, and the fit would look good."""
    path = _write(tmp_path, "scan.csv", [_scan("A", date(2025, 1, 1))])
    with pytest.raises(InputError) as caught:
        load_histories([path, tmp_path / "." / "scan.csv"], as_of=date(2025, 12, 31))
    assert "given twice" in caught.value.problem


@pytest.mark.parametrize("column", ["boards_working", "install_date"])
def test_a_column_given_twice_in_an_inventory_header_is_refused(
    tmp_path: Path, column: str
) -> None:
    """As for logs: the CSV reader would keep the last copy and drop the other's counts."""
    path = _write(tmp_path, "scan.csv", [_scan("A", date(2025, 1, 1))])
    lines = path.read_text(encoding="utf-8").splitlines()
    lines = [f"{lines[0]},{column}", *(f"{line},1" for line in lines[1:])]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_histories([path], as_of=date(2025, 12, 31))
    assert caught.value.file == str(path) and caught.value.field == "header"
    assert f"column {column} appears 2 times" in caught.value.problem
    assert column in caught.value.fix


# An independent generator of scan histories: per slot, Weibull failure ages with minimal
# repair, a failed slot down from its failure until the next scan (repaired right after).
TRUE = {"hashboard": (1.5, 0.02, 3), "fan": (1.2, 0.03, 4)}
"""part: (shape k, first-year failures per slot m₁, slots per machine)."""
FIRST_SCAN, SCAN_EVERY, SCANS = date(2025, 1, 1), 30, 25


def _slot_failure_ages(rng: np.random.Generator, k: float, m1: float, until: float) -> list[float]:
    """Failure ages (days) of one slot up to ``until``: the first a Weibull(k) draw of scale
    η = 365·m₁^(−1/k) (S(a) = exp(−m₁(a/365)^k)); with minimal repair the next one solves
    (a'/η)^k = (a/η)^k + E, E ~ Exp(1) (the hazard goes on from the machine's age)."""
    eta = 365.0 * m1 ** (-1.0 / k)
    ages = [eta * rng.weibull(k)]
    while ages[-1] <= until:
        ages.append(eta * ((ages[-1] / eta) ** k + rng.exponential()) ** (1.0 / k))
    return ages[:-1]


def _old_fleet_scans(
    tmp_path: Path, machines: int, seed: int, down_days: int = SCAN_EVERY,
    installed_days_before: tuple[int, int] = (730, 1461),
) -> tuple[Path, dict[str, int]]:  # fmt: skip
    """Machines installed 2-4 years (``installed_days_before``) before the first scan,
    scanned every 30 days, a failed slot down ``down_days`` (30: until the next scan);
    returns the inventory and, per part, the failures between the first and the last
    scan."""
    rng = np.random.default_rng(seed)
    scan_days = [FIRST_SCAN + timedelta(days=SCAN_EVERY * i) for i in range(SCANS)]
    records, seen = [], dict.fromkeys(TRUE, 0)
    for i in range(machines):
        install = FIRST_SCAN - timedelta(days=int(rng.integers(*installed_days_before)))
        ages = [(d - install).days for d in scan_days]
        down_at: dict[str, list[int]] = {}
        for part, (k, m1, n) in TRUE.items():
            fails = np.array(
                [a for _ in range(n) for a in _slot_failure_ages(rng, k, m1, ages[-1])]
            )
            # down at a scan: failed in the last down_days (30: since the scan before)
            down_at[part] = [int(((fails > a - down_days) & (fails <= a)).sum()) for a in ages]
            seen[part] += int(((fails > ages[0]) & (fails <= ages[-1])).sum())
        for j, day in enumerate(scan_days):
            boards = max(0, 3 - down_at["hashboard"][j])
            records.append(_scan(f"M{i}", day, boards=boards, fans=max(1, 4 - down_at["fan"][j]),
                                 install=install.isoformat()))  # fmt: skip
    return _write(tmp_path, "history.csv", records), seen


def test_machines_installed_long_before_the_first_scan_recover_the_true_rates(
    tmp_path: Path,
) -> None:
    """Observation starts at each machine's first scan (left truncation): slots already
    down then are not failures and the years before it are not exposure, so the fit
    recovers the generator's k and m₁ inside its 95% intervals (so it did for seeds 0-5).
    Counting them dated at the first scan gave k ≈ 6 and m₁ ≈ 0.003 % for a fleet
    installed in 2022 and scanned in 2026."""
    path, seen = _old_fleet_scans(tmp_path, machines=1000, seed=3)
    loaded = load_histories([path], as_of=date(2027, 12, 31))
    assert all(h.observed_from == FIRST_SCAN for h in loaded.histories)
    report = fit_loaded(loaded)
    for part, (k, m1, _) in TRUE.items():
        result = next(r for r in report.results if r.part == part)
        assert result.fit is not None
        # the failures the method can see: all but a second failure at the next scan of a
        # machine with one down at the scan before (≈ its per-scan failure chance, < 6 %)
        assert 0.94 * seen[part] <= result.failures <= seen[part]
        k_lo, k_hi = result.fit.shape_ci95
        m_lo, m_hi = result.fit.first_year_failures_per_part_ci95
        assert k_lo <= k <= k_hi and m_lo <= m1 <= m_hi, (part, result.fit)
        days = (SCANS - 1) * SCAN_EVERY + 1  # first scan day to the end of the last
        assert result.machine_years == pytest.approx(1000 * days / 365,
                                                      rel=0.001)  # fmt: skip


def test_repairs_faster_than_scans_are_unseen_and_the_note_says_by_how_much(
    tmp_path: Path,
) -> None:
    """With slots back after 3 days and scans 30 days apart about 3/30 of the failures
    are seen (the generator's own count of failures is the truth); the note says so and
    gives the median days between a machine's scans, 30."""
    path, seen = _old_fleet_scans(tmp_path, machines=1000, seed=4, down_days=3)
    loaded = load_histories([path], as_of=date(2027, 12, 31))
    counted = sum(len(d) for h in loaded.histories for d in h.failures.values())
    assert 0.07 <= counted / sum(seen.values()) <= 0.13
    (note,) = [n for n in loaded.notes if "repaired before the next scan" in n]
    assert "median 30 days apart" in note and "(3-day repairs: about 10% of failures seen)" in note


def test_the_median_days_between_scans_is_each_machine_s_own(tmp_path: Path) -> None:
    """Gaps are between one machine's consecutive scans that show its parts: A every 7
    days (6 gaps), B every 60 (2 gaps, its asleep scan skipped) → median of
    [7]*6 + [60]*2 = 7; scans of different machines on other days do not count."""
    day0 = date(2025, 1, 1)
    a = [_scan("A", day0 + timedelta(days=7 * i)) for i in range(7)]
    b = [_scan("B", day0 + timedelta(days=60 * i)) for i in range(3)]
    b.append(_scan("B", day0 + timedelta(days=30), boards=0, fans=0, mining=False))
    loaded = load_histories([_write(tmp_path, "inv.csv", a + b)], as_of=date(2025, 12, 31))
    assert any("a median 7 days apart" in n for n in loaded.notes)


def test_a_machine_no_scan_shows_is_left_out_and_counted_in_a_note(tmp_path: Path) -> None:
    """A machine asleep at every scan was a history of one day with no failure: a machine
    observed, though nothing of it was."""
    asleep = [_scan("Z", day, mining=False) for day in (date(2025, 1, 2), date(2025, 6, 1))]
    scans = [_scan("A", date(2025, 1, 2)), _scan("A", date(2025, 6, 1), 2), *asleep]
    loaded = load_histories([_write(tmp_path, "inv.csv", scans)], as_of=date(2025, 12, 31))
    assert [h.machine for h in loaded.histories] == ["serial A"]
    assert any(n.startswith("1 machine no scan shows the parts of") for n in loaded.notes)


def test_a_count_column_renamed_is_refused_naming_it(invoke: Invoke, tmp_path: Path) -> None:
    """``boards_working`` renamed ``boards_ok``: every scan read as not showing the boards
    while the fans kept the machines observed, and the boards came out "0 fails" — exit 2
    naming the column instead."""
    path = _write(tmp_path, "jan.csv", [_scan("A", date(2025, 1, 1)),
                                        _scan("A", date(2025, 2, 1), boards=2)])  # fmt: skip
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[0] = lines[0].replace("boards_working", "boards_ok")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, _, err = invoke(str(path), "--as-of", "2025-12-31")
    said = " ".join(err.split())
    assert code == 2 and "has no column boards_working" in said and "header" in said, err


def test_a_part_no_scan_reads_is_not_observed_for_that_machine(tmp_path: Path) -> None:
    """Machines whose boards pyasic cannot read (blank counts) but whose fans it can: their
    boards are not observed at all — over the fans' window they counted as boards that
    never failed — and a part read on fewer scans is observed over those."""
    from hashshock.fit.history import build_exposures

    d1, d2, d3 = date(2025, 1, 1), date(2025, 3, 1), date(2025, 6, 1)

    def blind(serial: str, when: date, read_boards: bool) -> MachineRecord:
        record = _scan(serial, when)
        if read_boards:
            return record
        return MachineRecord(**{**record.__dict__, "boards_expected": None,
                                "boards_working": None})  # fmt: skip

    records = [blind("A", d, False) for d in (d1, d2, d3)]
    records += [blind("B", d1, False), blind("B", d2, True), blind("B", d3, True)]
    loaded = load_histories([_write(tmp_path, "scans.csv", records)], as_of=date(2025, 12, 31))
    exposures = build_exposures(loaded.histories, ["hashboard", "fan"])
    boards = exposures.part == "hashboard"
    assert set(exposures.machine[boards]) == {"serial B"}  # A's boards: not observed
    b_boards = boards & (exposures.machine == "serial B")
    assert exposures.entry[b_boards].min() == (d2 - INSTALL).days  # from the first read
    assert exposures.exit[b_boards].max() == (d3 - INSTALL).days + 1
    fans = exposures.part == "fan"
    assert set(exposures.machine[fans]) == {"serial A", "serial B"}
    assert exposures.entry[fans & (exposures.machine == "serial B")].min() == (d1 - INSTALL).days
