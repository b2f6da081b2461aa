"""``hashshock report`` from a fleet, saved JSON or stored runs; bad paths fail first."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.report.conftest import SMALL

from hashshock import api


@pytest.fixture
def no_simulation(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("simulated before checking the outputs")

    monkeypatch.setattr(api, "compare", refuse)


def test_report_from_a_fleet_saves_and_reports(tmp_path: Path, invoke) -> None:
    store = tmp_path / "runs.duckdb"
    code, out, err = invoke(
        "report",
        str(SMALL),
        "-s",
        "sanctions",
        "-n",
        "30",
        "--horizon",
        "60",
        "--out",
        str(tmp_path / "r.html"),
        "--save",
        "--store",
        str(store),
    )
    assert code == 0, err
    assert (tmp_path / "r.html").stat().st_size > 1_000_000
    code, out, _ = invoke("runs", "list", "--store", str(store), "--json")
    ids = [r["run_id"] for r in json.loads(out)]
    assert len(ids) == 1
    code, out, err = invoke(
        "report", ids[0][:6], "--store", str(store), "--out", str(tmp_path / "again.html")
    )
    assert code == 0, err
    assert "sanctions" in (tmp_path / "again.html").read_text(encoding="utf-8")
    # a prefix and its run's whole id drew the run twice ("sanctions #1", "#2")
    code, _, err = invoke("report", ids[0][:6], ids[0], "--store", str(store), "--out",
                          str(tmp_path / "twice.html"))  # fmt: skip
    assert code == 2 and f"{ids[0][:6]} and {ids[0]} are one run" in err
    assert not (tmp_path / "twice.html").exists()


def test_report_from_saved_json(tmp_path: Path, invoke, small_runs) -> None:
    saved = tmp_path / "compare.json"
    saved.write_text(json.dumps({"scenarios": [r.to_dict() for r in small_runs]}), encoding="utf-8")
    code, _, err = invoke("report", str(saved), "--out", str(tmp_path / "r.html"), "-q")
    assert code == 0, err
    assert "baseline" in (tmp_path / "r.html").read_text(encoding="utf-8")
    # one file given twice drew its runs twice, as other scenarios; a pipe was "a folder"
    code, _, err = invoke("report", str(saved), str(tmp_path / "." / "compare.json"),
                          "--out", str(tmp_path / "twice.html"), "-q")  # fmt: skip
    assert code == 2 and "is given twice" in err and not (tmp_path / "twice.html").exists()
    code, _, err = invoke("report", "/dev/stdin", "--out", str(tmp_path / "pipe.html"), "-q")
    assert code == 2 and "is a folder" not in err, err


def test_a_report_replaces_an_earlier_report_and_no_file_of_the_users(
    tmp_path: Path, invoke, small_runs
) -> None:
    saved = tmp_path / "compare.json"
    saved.write_text(json.dumps({"scenarios": [r.to_dict() for r in small_runs]}), encoding="utf-8")
    page = tmp_path / "r.html"
    for _ in range(2):  # the second replaces the first
        code, _, err = invoke("report", str(saved), "--out", str(page), "-q")
        assert code == 0, err
    notes = tmp_path / "notes.html"
    notes.write_text("<p>my notes</p>", encoding="utf-8")
    fleet = tmp_path / "other-fleet.yaml"
    fleet.write_text(SMALL.read_text(encoding="utf-8"), encoding="utf-8")
    link = tmp_path / "link.html"
    link.symlink_to(fleet)
    for target, kept in ((notes, notes), (link, fleet)):
        before = kept.read_bytes()
        code, _, err = invoke("report", str(saved), "--out", str(target), "-q")
        assert code == 2 and "exists and is not a report hashshock wrote" in err, err
        assert err.count("\n") == 1 and kept.read_bytes() == before


@pytest.mark.parametrize("option", [["--btc-price", "50000"], ["-n", "50"], ["--seed", "4"],
                                    ["-s", "customs-2024"], ["--market", "m.yaml"]])  # fmt: skip
def test_saved_runs_refuse_the_options_that_simulate(
    tmp_path: Path, invoke, small_runs, option: list[str]
) -> None:
    """A report of saved runs simulates nothing: a market, paths, seed or scenarios given
    with them would be silently ignored, so they are refused, and no page is written."""
    saved = tmp_path / "compare.json"
    saved.write_text(json.dumps({"scenarios": [r.to_dict() for r in small_runs]}), encoding="utf-8")
    code, _, err = invoke("report", str(saved), "--out", str(tmp_path / "r.html"), *option)
    named = {"-n": "--paths", "-s": "--scenarios"}.get(option[0], option[0])
    assert code == 2 and f"{named}: is for simulating a fleet" in " ".join(err.split())
    assert not (tmp_path / "r.html").exists()


@pytest.mark.parametrize(("key", "command"), [("optimise", "optimise"),
                                              ("strategies_run", "strategies")])  # fmt: skip
def test_a_decisions_json_is_sent_to_its_own_report(tmp_path: Path, invoke, key, command) -> None:
    """An optimise or strategies result's JSON is not mistaken for a broken run's: the
    message says where its report comes from."""
    saved = tmp_path / "decision.json"
    saved.write_text(json.dumps({key: {"fleet": "f"}}), encoding="utf-8")
    code, _, err = invoke("report", str(saved), "--out", str(tmp_path / "r.html"))
    assert code == 2 and err.count("\n") == 1
    assert f"`hashshock {command}` result" in err and "--report FILE" in err
    assert not (tmp_path / "r.html").exists()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--out", "/no/such/folder/r.html"], "folder does not exist"),
        (["--out", "{tmp}/r.txt"], "suffix"),
        (["--out", "{tmp}"], "is a folder"),
        (["--out", str(SMALL)], "input files"),
        (["--out", "{tmp}/r.html", "--images", "{tmp}/r.html/x"], "folder does not exist"),
        (
            ["--out", "{tmp}/r.html", "--image-format", "gif", "--images", "{tmp}/img"],
            "unknown format",
        ),
    ],
)
def test_bad_outputs_fail_before_simulating(
    tmp_path: Path, invoke, no_simulation, args, expected
) -> None:
    code, _, err = invoke("report", str(SMALL), *[a.format(tmp=tmp_path) for a in args])
    assert code == 2
    assert expected in err and err.count("\n") == 1 and "Traceback" not in err


def test_a_csv_is_not_called_a_json_cut_short(tmp_path: Path, invoke) -> None:
    bands = tmp_path / "bands.csv"
    bands.write_text("day,p50\n0,1\n", encoding="utf-8")
    code, _, err = invoke("report", str(bands), "--out", str(tmp_path / "r.html"))
    assert code == 2 and "is a CSV file, not a run's JSON" in err and "cut short" not in err
    page = tmp_path / "old.html"
    page.write_text("<!DOCTYPE html>", encoding="utf-8")
    code, _, err = invoke("report", str(page), "--out", str(tmp_path / "r.html"))
    assert code == 2 and "is an HTML file, not a run's JSON" in err  # not "a HTML"


def test_an_input_json_is_never_overwritten(tmp_path: Path, invoke, small_runs) -> None:
    saved = tmp_path / "run.html"
    saved.write_text(json.dumps(small_runs[0].to_dict()), encoding="utf-8")
    before = saved.read_bytes()
    code, _, err = invoke("report", str(saved), "--out", str(saved))
    assert code == 2 and "input files" in err
    assert saved.read_bytes() == before


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("deadbeef", "no run store here"),
        ("no/such.json", "file not found"),
        ("zz", "file not found"),
    ],
)
def test_bad_sources_exit_2_with_one_line(tmp_path: Path, invoke, source, expected) -> None:
    code, _, err = invoke(
        "report", source, "--out", str(tmp_path / "r.html"), "--store", str(tmp_path / "s.duckdb")
    )
    assert code == 2 and expected in err and err.count("\n") == 1


def test_json_nested_past_the_parser_is_one_line(
    tmp_path: Path, invoke, request: pytest.FixtureRequest
) -> None:
    """A JSON document nested thousands deep (none that hashshock writes is) is refused by
    every reader of results as a file that cannot be one of its JSONs, not a
    RecursionError: the report's runs, a sweep's and an industry's. (Python's default
    recursion limit, which a library loaded by an earlier test may have raised.)"""
    import sys

    limit = sys.getrecursionlimit()
    request.addfinalizer(lambda: sys.setrecursionlimit(limit))
    sys.setrecursionlimit(1000)
    from hashshock.industry.report import load_industry_json
    from hashshock.inputs.errors import InputError
    from hashshock.report.data import load_json_runs
    from hashshock.sweep.result import load_result

    big = tmp_path / "big.json"  # more digits than Python converts: a ValueError
    big.write_text('{"paths": ' + "9" * 5000 + "}", encoding="utf-8")
    code, _, err = invoke("report", str(big), "--out", str(tmp_path / "r.html"))
    assert code == 2 and "cannot be read as JSON" in err and err.count("\n") == 1
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 5000 + "]" * 5000, encoding="utf-8")
    code, _, err = invoke("report", str(deep), "--out", str(tmp_path / "r.html"))
    assert code == 2 and "nested too deeply" in err and str(deep) in err
    assert err.count("\n") == 1
    for load in (load_json_runs, load_result, load_industry_json):
        with pytest.raises(InputError, match="nested too deeply"):
            load(deep)
    # NaN is not JSON (hashshock writes null): a figure edited to one was drawn as a number
    nan = tmp_path / "nan.json"
    nan.write_text('{"paths": NaN}', encoding="utf-8")
    for load in (load_json_runs, load_result, load_industry_json):
        with pytest.raises(InputError, match="NaN is not JSON"):
            load(nan)


@pytest.mark.parametrize(("field", "value", "said"), [
    ("stages", 5, "stages: is 5, not an object"),
    ("stages", None, "stages: is null, not an object"),
    ("finance", "oops", "finance: is 'oops', not an object"),
    ("first_to_break", 5, "first_to_break: is 5, not a list"),
    ("stages.spares_depleted", [], "stages.spares_depleted: is [], not an object"),
    ("first_to_break", [5], "wrong kind"),  # further in: the drawing's own complaint
])  # fmt: skip
def test_a_run_json_with_a_field_of_the_wrong_kind_is_one_line(
    tmp_path: Path, invoke, small_runs, field: str, value: object, said: str
) -> None:
    """A run's JSON edited so that a field the report draws is of the wrong kind ends as
    one line naming the file, the field and what was wrong (a null read "AttributeError:
    'NoneType' object…"), not a traceback from the drawing code."""
    data = small_runs[0].to_dict()
    node, *rest = field.split(".")
    if rest:
        data[node][rest[0]] = value
    else:
        data[field] = value
    source = tmp_path / "run.json"
    source.write_text(json.dumps(data), encoding="utf-8")
    page = tmp_path / "r.html"
    code, _, err = invoke("report", str(source), "--out", str(page))
    assert code == 2 and str(source) in err and said in " ".join(err.split()), err
    assert "Traceback" not in err and err.count("\n") == 1 and not page.exists()
