"""Failure logs: how rows become exposures, and every bad log exits 2 naming the field."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.fit.conftest import HEADER, Invoke, WriteLog

from hashshock.fit import MachineHistory, build_exposures, load_histories
from hashshock.inputs.catalog import bundled_catalog

AS_OF = "2026-11-30"


def test_rows_of_one_machine_merge_into_one_history(write_log: WriteLog) -> None:
    path = write_log(
        "m1,antminer-s19j-pro,,2022-01-01,,",
        "m1,antminer-s19j-pro,Fan,,2023-05-01,",
        "m1,antminer-s19j-pro,fan,,2023-05-01,2025-12-31",
        "m1,antminer-s19j-pro,control-board,,2024-02-01,2024-06-30",
        "m2,antminer-s21,,2024-01-01,,",
    )
    loaded = load_histories([path], as_of=date(2026, 11, 30))
    m1, m2 = loaded.histories
    assert m1.install == date(2022, 1, 1) and m1.observed_until == date(2025, 12, 31)
    assert m1.failures == {"fan": (date(2023, 5, 1),) * 2, "control_board": (date(2024, 2, 1),)}
    assert m2.observed_until == date(2026, 11, 30)  # --as-of where no observed_until
    assert "repeats" not in " ".join(loaded.warnings)  # the two fan rows differ
    day = (date(2023, 5, 1) - date(2022, 1, 1)).days
    assert m1.failure_ages("fan") == [day + 0.25, day + 0.75]  # spread over their day


def test_exposures_are_left_truncated_at_each_failure(write_log: WriteLog) -> None:
    path = write_log(
        "m1,antminer-s19j-pro,psu,2022-01-01,2022-01-11,2022-12-31,2022-01-01",
        "m1,antminer-s19j-pro,psu,2022-01-01,2022-03-02,2022-12-31,2022-01-01",
        header="machine,model,part,install_date,failure_date,observed_until,observed_from",
    )
    exp = build_exposures(load_histories([path], as_of=date(2026, 11, 30)).histories)
    psu = exp.select("psu")
    assert list(zip(psu.entry, psu.exit, psu.event, strict=True)) == [
        (0.0, 10.5, True),
        (10.5, 60.5, True),
        (60.5, 365.0, False),
    ]
    fans = exp.select("fan")
    assert list(fans.slots) == [4] and fans.failures == 0 and fans.machine_years == 1.0


def test_observed_from_truncates_the_window(write_log: WriteLog) -> None:
    path = write_log(
        "m1,antminer-s21,,2022-01-01,,2022-12-31,2022-07-01",
        header="machine,model,part,install_date,failure_date,observed_until,observed_from",
    )
    exp = build_exposures(load_histories([path]).histories).select("hashboard")
    assert exp.entry[0] == (date(2022, 7, 1) - date(2022, 1, 1)).days
    assert exp.exit[0] == 365.0


@settings(max_examples=40, deadline=None)
@given(
    days=st.lists(st.integers(0, 999), max_size=8),
    start=st.integers(0, 400),
    slots_model=st.sampled_from(["antminer-s21", "whatsminer-m50s"]),
)
def test_intervals_tile_the_window(days: list[int], start: int, slots_model: str) -> None:
    install = date(2020, 1, 1)
    days = [d for d in days if d >= start]
    history = MachineHistory(
        machine="m", model=bundled_catalog().get(slots_model), install=install,
        observed_from=install + timedelta(days=start),
        observed_until=install + timedelta(days=999),
        failures={"fan": tuple(install + timedelta(days=d) for d in sorted(days))},
    )  # fmt: skip
    exp = build_exposures([history], ("fan",))
    assert exp.failures == len(days)
    assert (exp.exit > exp.entry).all()
    assert exp.entry[0] == start and exp.exit[-1] == 1000
    assert (exp.entry[1:] == exp.exit[:-1]).all()


BAD_LOGS: list[tuple[str, list[str], list[str], str]] = [
    # (case, lines after the header, extra args, words the one-line message must hold)
    ("unknown part", ["m1,antminer-s21,fna,2024-01-01,2024-06-01,"], [], "row 2, part"),
    ("unknown model", ["m1,antminer-s99,fan,2024-01-01,,"], [], "row 2, model"),
    ("empty machine", [",antminer-s21,fan,2024-01-01,,"], [], "row 2, machine"),
    ("bad date", ["m1,antminer-s21,,2024/01/01,,"], [], "row 2, install_date"),
    ("impossible date", ["m1,antminer-s21,fan,2024-01-01,2026-02-30,"], [], "not a real date"),
    (
        "failure before install",
        ["m1,antminer-s21,fan,2024-01-01,2023-12-31,"],
        [],
        "before install_date",
    ),
    (
        "failure after end",
        ["m1,antminer-s21,fan,2024-01-01,2025-03-01,2025-02-01"],
        [],
        "row 2, failure_date",
    ),
    (
        "end before install",
        ["m1,antminer-s21,,2024-01-01,,2023-01-01"],
        [],
        "row 2, observed_until",
    ),
    ("after --as-of", ["m1,antminer-s21,fan,2024-01-01,2026-12-01,"], [], "after --as-of"),
    ("no end, no --as-of", ["m1,antminer-s21,,2024-01-01,,"], ["--no-as-of"], "observed_until"),
    ("failure without part", ["m1,antminer-s21,,2024-01-01,2024-06-01,"], [], "row 2, part"),
    ("part the model lacks", ["m1,whatsminer-m63s,fan,2024-01-01,2024-06-01,"], [], "has no fan"),
    (
        "two install dates",
        ["m1,antminer-s21,,2024-01-01,,", "m1,antminer-s21,,2024-02-01,,"],
        [],
        "row 3, install_date",
    ),
    ("two models", ["m1,antminer-s21,,2024-01-01,,", "m1,antminer-s19,,,,"], [], "row 3, model"),
    ("no install date", ["m1,antminer-s21,fan,,2024-06-01,"], [], "install_date"),
    # a year typed short (0021 for 2021) doubled one farm's machine-years
    ("install before Bitcoin", ["m1,antminer-s21,,0024-01-01,,"], [], "before Bitcoin's first"),
    # a repair without its day counted as the part never failing
    ("part without failure", ["m1,antminer-s21,fan,2024-01-01,,"], [], "row 2, failure_date"),
]


@pytest.mark.parametrize("case, lines, extra, words", BAD_LOGS, ids=[c[0] for c in BAD_LOGS])
def test_bad_log_exits_2_with_one_line_naming_the_field(
    invoke: Invoke, write_log: WriteLog, case: str, lines: list[str], extra: list[str], words: str
) -> None:
    path = write_log(*lines)
    args = [str(path)] + ([] if "--no-as-of" in extra else ["--as-of", AS_OF])
    code, out, err = invoke(*args)
    assert code == 2, (case, out, err)
    assert err.startswith("error:") and str(path) in err and words in err, err
    assert "fix:" in err and len(err.strip().splitlines()) == 1
    assert "Traceback" not in out + err


def test_unknown_part_suggests_the_closest(invoke: Invoke, write_log: WriteLog) -> None:
    _, _, err = invoke(
        str(write_log("m1,antminer-s21,fna,2024-01-01,2024-06-01,")), "--as-of", AS_OF
    )
    assert "did you mean fan" in err


@pytest.mark.parametrize(
    "text, words",
    [
        ("", "is empty"),
        ("machine,model,part,install_date,failure_date\n", "header but no rows"),
        ("machine,model,part,install_date\nm1,antminer-s21,,2024-01-01\n", "failure_date"),
        ("a;b;c\n1;2;3\n", "separated by semicolons, not commas"),
        ("machine\tmodel\tpart\n1\t2\t3\n", "separated by tabs, not commas"),
        ("a,b,c\n1,2,3\n", "missing column"),
        (
            "machine,model,part,install_date,failure_date\nm1,antminer-s21,,2024-01-01,,x,y\n",
            "row 2: 7 cells but the header has 5",
        ),
    ],
)
def test_empty_or_headerless_files_exit_2(
    invoke: Invoke, tmp_path: Path, text: str, words: str
) -> None:
    path = tmp_path / "log.csv"
    path.write_text(text, encoding="utf-8")
    code, _, err = invoke(str(path), "--as-of", AS_OF)
    assert code == 2 and words in err and len(err.strip().splitlines()) == 1


def test_missing_file_and_bad_options_exit_2(invoke: Invoke, write_log: WriteLog) -> None:
    code, _, err = invoke("nowhere.csv")
    assert code == 2 and "nowhere.csv: file not found" in err
    log = str(write_log("m1,antminer-s21,,2024-01-01,,"))
    code, _, err = invoke(log, "--as-of", "yesterday")
    assert code == 2 and "--as-of" in err
    code, _, err = invoke(log, "--as-of", AS_OF, "--out", log)
    assert code == 2 and "--out" in err and "input" in err
    code, _, err = invoke(log, "--as-of", AS_OF, "--json", log)
    assert code == 2 and "--json" in err and "input" in err
    code, _, err = invoke(log, "--as-of", AS_OF, "--out", "same.json", "--json", "same.json")
    assert code == 2 and "--json" in err
    code, _, err = invoke(log, "--min-failures", "0")
    assert code == 2


def test_dates_in_the_future_are_refused_without_as_of(invoke: Invoke, write_log: WriteLog) -> None:
    future = (date.today() + timedelta(days=30)).isoformat()
    code, _, err = invoke(str(write_log(f"m1,antminer-s21,,2024-01-01,,{future}")))
    assert code == 2 and "in the future" in err and "row 2, observed_until" in err


def test_duplicate_rows_warn_and_still_fit(invoke: Invoke, write_log: WriteLog) -> None:
    row = "m1,antminer-s21,fan,2024-01-01,2024-06-01,"
    code, _, err = invoke(str(write_log(row, row)), "--as-of", AS_OF)
    assert code == 0
    assert "warning:" in err and "row 3 repeats" in err and "row 2" in err


def test_an_install_before_the_model_existed_is_warned_of(
    invoke: Invoke, write_log: WriteLog
) -> None:
    """An S21 (released 2024 in the catalogue) installed in 2021: a likely typo, said once
    per machine, and the fit still runs."""
    rows = ["m1,antminer-s21,,2021-01-01,,", "m1,antminer-s21,fan,,2024-06-01,"]
    code, _, err = invoke(str(write_log(*rows)), "--as-of", AS_OF)
    assert code == 0
    assert err.count("before antminer-s21 was released (2024") == 1


def test_warnings_past_the_limit_are_counted_by_their_kind(write_log: WriteLog) -> None:
    """Seven S21s installed before the S21 existed and two repeated rows: five warnings
    are listed, and the line counting the rest names the kinds it counts (it called every
    hidden warning a repeated row)."""
    from hashshock.fit.logs import MAX_WARNINGS

    rows = [f"m{i},antminer-s21,,2022-01-0{i},," for i in range(1, 8)]
    path = write_log(*rows, rows[0], rows[0])
    warnings = load_histories([path], as_of=date(2026, 11, 30)).warnings
    assert len(warnings) == MAX_WARNINGS + 1
    listed, rest = warnings[:MAX_WARNINGS], warnings[-1]
    assert all("before antminer-s21 was released" in w for w in listed)
    assert rest.startswith("4 more warnings not listed")
    assert "2 pre-release install dates" in rest and "2 repeated rows" in rest


def test_only_install_warnings_past_the_limit_are_not_called_repeated_rows(
    invoke: Invoke, write_log: WriteLog
) -> None:
    rows = [f"m{i},antminer-s21,,2022-01-0{i},," for i in range(1, 8)]
    code, stdout, err = invoke(str(write_log(*rows)), "--as-of", AS_OF, "--json", "-")
    assert code == 0, err
    rest = json.loads(stdout)["warnings"][5]  # the 6th; then the fit's (fans: 0 of 5.4)
    assert "2 more warnings not listed" in rest and "pre-release install date" in rest
    assert "repeated" not in rest and "repeated" not in err


@pytest.mark.parametrize("column", ["failure_date", "machine", "observed_until"])
def test_a_column_given_twice_in_a_log_header_exits_2(
    invoke: Invoke, write_log: WriteLog, column: str
) -> None:
    """The CSV reader keeps the last copy: the other's dates were dropped without a word."""
    header = f"machine,model,part,install_date,failure_date,observed_until,{column}"
    path = write_log("m1,antminer-s21,fan,2024-01-01,2024-06-01,,m1", header=header)
    code, out, err = invoke(str(path), "--as-of", AS_OF)
    assert code == 2, out + err
    assert err.startswith("error:") and str(path) in err and "header" in err
    assert f"column {column} appears 2 times" in err and f"keep one {column} column" in err
    assert len(err.strip().splitlines()) == 1


def test_an_ignored_column_given_twice_is_still_ignored(
    invoke: Invoke, write_log: WriteLog
) -> None:
    """Extra columns (ticket ids, notes) are not read, so which copy wins does not matter."""
    path = write_log("m1,antminer-s21,,2024-01-01,,,a,b", header=f"{HEADER},note,note")
    code, _, err = invoke(str(path), "--as-of", AS_OF)
    assert code == 0, err


def test_install_date_option_with_failure_logs_exits_2(invoke: Invoke, write_log: WriteLog) -> None:
    """It dates scan inventories only: ignoring it for a log would fit other install dates
    than the user believes; and the message for a machine without one says it is no help."""
    log = write_log("m1,antminer-s21,fan,2024-01-01,2024-06-01,")
    code, _, err = invoke(str(log), "--as-of", AS_OF, "--install-date", "2024-01-01")
    assert code == 2 and err.startswith("error:") and len(err.strip().splitlines()) == 1
    assert "--install-date" in err and "scan inventories only" in err and str(log) in err
    assert "fix:" in err and "drop --install-date" in err
    other = write_log("m2,antminer-s21,,2024-01-01,,", name="other.csv")
    code, _, err = invoke(str(log), str(other), "--as-of", AS_OF, "--install-date", "2024-01-01")
    assert code == 2 and "1 other input are failure logs" in err
    code, _, err = invoke(str(write_log("m1,antminer-s21,fan,,2024-06-01,")), "--as-of", AS_OF)
    assert code == 2 and "no install_date" in err and "--install-date" in err


def test_install_date_help_says_it_is_for_scan_inventories(invoke: Invoke) -> None:
    code, out, _ = invoke("--help")
    text = " ".join(out.replace("│", " ").split())  # rich wraps the help in a box
    assert code == 0
    assert "--install-date" in text and "Scan inventories only" in text
    assert "with them this option is refused" in text


def test_a_machines_file_and_a_tickets_file_are_one_log(write_log: WriteLog) -> None:
    """As the docs show: install dates in one file, failures in another, read as the log
    holding both in one file."""
    machines = write_log("a,antminer-s19j-pro,2022-01-01", "b,antminer-s21,2024-03-01",
                         name="machines.csv", header="machine,model,install_date")  # fmt: skip
    tickets = write_log(
        "7,a,antminer-s19j-pro,fan,2023-05-01", "8,a,antminer-s19j-pro,psu,2024-02-01",
        name="tickets.csv", header="ticket,machine,model,part,failure_date",
    )  # fmt: skip
    one = write_log("a,antminer-s19j-pro,,2022-01-01,,", "b,antminer-s21,,2024-03-01,,",
                    "a,antminer-s19j-pro,fan,,2023-05-01,", "a,antminer-s19j-pro,psu,,2024-02-01,",
                    name="one.csv")  # fmt: skip
    as_of = date(2026, 11, 30)
    split = load_histories([machines, tickets], as_of=as_of).histories
    whole = load_histories([one], as_of=as_of).histories
    key = [(h.machine, h.install, h.observed_from, h.observed_until, dict(h.failures))
           for h in split]  # fmt: skip
    assert key == [(h.machine, h.install, h.observed_from, h.observed_until, dict(h.failures))
                   for h in whole]  # fmt: skip
    assert dict(split[0].failures) == {"fan": (date(2023, 5, 1),), "psu": (date(2024, 2, 1),)}


@pytest.mark.parametrize(
    ("header", "missing"),
    [("machine,model,part", "failure_date"), ("machine,model,failure_date", "part"),
     ("machine,model,observed_until", "install_date"), ("model,install_date", "machine")],
)  # fmt: skip
def test_a_log_file_without_the_columns_it_needs_is_refused(
    invoke: Invoke, write_log: WriteLog, header: str, missing: str
) -> None:
    """part and failure_date come together; a file has install_date or them."""
    path = write_log(",".join(["x"] * len(header.split(","))), header=header)
    code, _, err = invoke(str(path), "--as-of", AS_OF)
    assert code == 2 and f"header: missing column(s) {missing}" in err
    assert len(err.strip().splitlines()) == 1


def test_as_of_without_the_option_is_the_latest_date_in_the_data(write_log: WriteLog) -> None:
    """Not the day of the run: the same log read on two days gives the same report."""
    from hashshock.fit import report_to_dict
    from hashshock.fit.rates import fit_loaded

    path = write_log("a,antminer-s21,fan,2024-03-01,2025-01-10,2025-06-30",
                     "b,antminer-s21,,2024-03-01,,2025-09-14")  # fmt: skip
    dumps = [report_to_dict(fit_loaded(load_histories([path], today=today)))
             for today in (date(2026, 1, 1), date(2027, 5, 5))]  # fmt: skip
    assert dumps[0] == dumps[1]
    assert dumps[0]["as_of"] == "2025-09-14" and dumps[0]["as_of_source"] != "--as-of"
    given = report_to_dict(fit_loaded(load_histories([path], as_of=date(2025, 12, 31))))
    assert given["as_of"] == "2025-12-31" and given["as_of_source"] == "--as-of"
