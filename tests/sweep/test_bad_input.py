"""Bad sweep specs: one clear line naming the file, the field and the fix; a point whose
inputs are invalid is reported with the reason and the others still run."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

import hashshock.sweep
from hashshock.inputs.errors import InputError

HOLD = "scenario.events[border-enforcement].hold_days.mode"

Spec = Callable[..., dict[str, Any]]


def _error(spec: dict[str, Any] | Path) -> str:
    with pytest.raises(InputError) as caught:
        hashshock.sweep(spec)
    return caught.value.message


def test_an_unknown_path_suggests_the_closest(spec_of: Spec, write_spec: Any) -> None:
    spec = write_spec(
        spec_of(
            inputs=[
                {"path": "scenario.events[border-enforcment].hold_days.mode", "low": 30, "high": 90}
            ]
        )
    )
    message = _error(spec)
    assert message.startswith(f"{spec}: inputs[0].path: scenario.events[border-enforcment]")
    assert "no such field — fix: did you mean " + HOLD in message


@pytest.mark.parametrize(("path", "hint"), [
    ("fleet.downtime_share", "fleet.operations.downtime_share"),
    ("fleet.sites[a].technicans", "fleet.sites[a].technicians"),
    ("market.btc.volatility_per_year", "market.price.volatility_per_year"),
])  # fmt: skip
def test_close_misspellings_get_the_right_hint(spec_of: Spec, path: str, hint: str) -> None:
    message = _error(spec_of(inputs=[{"path": path, "low": 0.1, "high": 0.2}]))
    suggested = message.split(" — fix: did you mean ")[1].rstrip("?").split(", ")
    assert hint in suggested


@pytest.mark.parametrize(("item", "problem"), [
    ({"low": 5, "high": 2}, "low 5 is above high 2 — fix: swap them"),
    ({"p10": 0.9, "p90": 0.1}, "p10 0.9 is above p90 0.1 — fix: swap them"),
    ({"low": 1}, "low and high go together — fix: give both"),
    ({"low": 1, "high": 2, "values": [1]}, "gives low/high and values — fix: keep one"),
    ({}, "give one of low/high, p10/p90 or values"),
    ({"low": float("nan"), "high": 2}, "low nan is not a finite number — fix: write one"),
    ({"p10": 1, "p90": float("inf")}, "p90 inf is not a finite number"),
    ({"low": 40, "high": 40}, "low and high are both 40, so the input does not vary"),
    ({"values": [40, float("nan")]}, "values[1] nan is not a finite number"),
    ({"values": [40, 50, 40]}, "values[2] 40 is values[0] again — fix: list each value once"),
    ({"low": True, "high": 2}, "low: True is not a number — fix: write a number (in YAML, "
                               "true, yes and on read as True)"),
    ({"p10": "0.2", "p90": 2}, "p10: '0.2' is not a number — fix: write it as a number, "
                               "without quotes"),
])  # fmt: skip
def test_bad_ranges(spec_of: Spec, write_spec: Any, item: dict[str, Any], problem: str) -> None:
    spec = write_spec(spec_of(inputs=[{"path": HOLD, **item}]))
    message = _error(spec)
    assert message.startswith(f"{spec}: inputs[0]")
    assert problem in message


@pytest.mark.parametrize(("fields", "problem"), [
    ({"method": "tornado", "inputs": [{"path": HOLD, "values": [40, 60]}]},
     "tornado needs a range — fix: give low/high"),
    ({"method": "grid", "inputs": [{"path": HOLD, "low": 40, "high": 60}]},
     "grid needs values or steps — fix: add steps"),
    ({"method": "sobol", "samples": 48, "inputs": [{"path": HOLD, "low": 40, "high": 60}]},
     "samples 48 is not a power of 2 (Sobol' sequences need one) — fix: use 32 or 64"),
    ({"method": "annealing", "inputs": [{"path": HOLD, "low": 40, "high": 60}]},
     "'annealing' is not allowed"),
    # A field only another method reads would do nothing: refused, not ignored.
    ({"method": "tornado", "samples": 16, "inputs": [{"path": HOLD, "low": 40, "high": 60}]},
     "samples is for sobol and lhs, and a tornado sweep takes none — fix: remove it"),
    ({"method": "sobol", "percentiles": [5, 95],
      "inputs": [{"path": HOLD, "low": 40, "high": 60}]},
     "percentiles is for tornado, and a sobol sweep takes none"),
    ({"method": "lhs", "resamples": 500, "inputs": [{"path": HOLD, "low": 40, "high": 60}]},
     "resamples is for sobol, and a lhs sweep takes none"),
    *[({"method": "sobol", "samples": n, "inputs": [{"path": HOLD, "low": 40, "high": 60}]},
       f"samples {n}: Sobol' intervals need 8 samples or more") for n in (0, 2, 3, 4)],
    # (0 was "at least 2", then 2 "need 8": the method's least said at once)
    *[({"method": "lhs", "samples": n, "inputs": [{"path": HOLD, "low": 40, "high": 60}]},
       f"samples {n}: a Latin hypercube's correlations need 3 points or more") for n in (0, 2)],
    # its base point makes 100,000 samples 100,001 points: refused as a field, once
    ({"method": "lhs", "samples": 100_000, "inputs": [{"path": HOLD, "low": 40, "high": 60}]},
     "samples: 100000: input should be less than or equal to 99999"),
    ({"method": "oneway", "inputs": [{"path": HOLD, "values": [40, 60], "steps": 3}]},
     "gives steps beside values, which are the points — fix: remove steps"),
    ({"method": "tornado", "inputs": [{"path": HOLD, "low": 40, "high": 60, "steps": 3}]},
     "gives steps and a tornado sweep takes none (grid and oneway do)"),
])  # fmt: skip
def test_methods_need_their_inputs(spec_of: Spec, fields: dict[str, Any], problem: str) -> None:
    assert problem in _error(spec_of(**fields))


@pytest.mark.parametrize(("metric", "problem"), [
    ("covenant_breach:dsrc", "the fleet has no covenant 'dsrc' — fix: did you mean dscr?"),
    ("hashrate_lost:400", "day 400 is past the horizon — fix: use a day from 0 to 119"),
    ("stage_day:collapse", "unknown stage 'collapse'"),
    ("cash", "unknown metric 'cash' — fix: did you mean cash_min, cash_end"),
    # the example's day lies inside the horizon (120 days)
    ("availability", "'availability' is not a metric name — fix: write it as availability:119"),
    ("availability:59:p150", "'availability:59:p150': percentile p150 is not between p0 and "
     "p100 — fix: write it as availability:59:p90 (or any p0 to p100)"),
    ("cash_end:p-5", "percentile p-5 is not between p0 and p100 — fix: write it as "
     "cash_end:p90"),
    ("hashrate_lost:100:p90", "hashrate_lost takes no percentile (one number over all paths) "
     "— fix: write it as hashrate_lost:100"),
    # two percentiles: not one of them "not between p0 and p100"
    ("cash_end:p50:p90", "'cash_end:p50:p90': two percentiles given — fix: keep one, e.g. "
     "cash_end:p90"),
    ("availability:59:p90:p50", "two percentiles given — fix: keep one, e.g. "
     "availability:59:p50"),
])  # fmt: skip
def test_bad_metrics(spec_of: Spec, metric: str, problem: str) -> None:
    message = _error(spec_of(metrics=[metric], inputs=[{"path": HOLD, "low": 40, "high": 60}]))
    assert message.startswith("metrics[0]: ") and problem in message


@pytest.mark.parametrize(("written", "percentile"), [
    ("availability:59:p100.0", 100.0), ("availability:59:p050", 50.0),
    ("availability:59:p0", 0.0), ("availability:59:p2.5", 2.5), ("cash_end:p99.9", 99.9),
])  # fmt: skip
def test_a_percentile_in_range_is_read_however_written(written: str, percentile: float) -> None:
    from hashshock.sweep.metrics import parse_metric

    assert parse_metric(written, 120).percentile == percentile


def test_a_distribution_is_varied_by_its_parameters(spec_of: Spec) -> None:
    """The fix names one of its numbers (``.low``), not its kind (``.dist``, text)."""
    hold = HOLD.removesuffix(".mode")
    message = _error(spec_of(inputs=[{"path": hold, "low": 1, "high": 2}]))
    assert f"is dict, not a number — fix: vary one of its fields, e.g. {hold}.low" in message


def test_an_invalid_point_is_reported_and_the_others_run(spec_of: Spec) -> None:
    """hold_days is triangular 30/60/180: a mode of 219 (the p90 of 30..240) is above high.
    From Python the failed point is also a HashshockWarning, as the command prints it."""
    from hashshock.notices import HashshockWarning

    spec = spec_of(paths=6, horizon_days=40, metrics=["availability:39"],
                   inputs=[{"path": HOLD, "low": 30, "high": 240},
                           {"path": "fleet.operations.downtime_share", "low": 0.0,
                            "high": 0.1}])  # fmt: skip
    with pytest.warns(HashshockWarning, match="point 2"):
        result = hashshock.sweep(spec)
    failed = result.failed
    assert [p.index for p in failed] == [2]
    assert failed[0].metrics is None
    error = str(failed[0].error)
    assert error.startswith(f"point 2 ({HOLD} = 219): scenario sanctions with this point's "
                            "values: events[0].")  # fmt: skip
    assert "hold_days: need low <= mode <= high and low < high — fix: " in error
    assert error.endswith("keep the spec's range of that input within what the field allows "
                          "(the other points still run)")  # fmt: skip
    assert all(p.metrics is not None for p in result.points if p.index != 2)
    row = next(r for r in result.analysis["availability:39"]["rows"] if r["input"] == HOLD)
    assert row["high"] is None and row["swing"] is None


def test_a_point_outside_the_field_says_the_range_its_p10_and_p90_make(spec_of: Spec) -> None:
    """p10 0.05 and p90 0.95 make a uniform range of −0.0625 to 1.0625, which the spec
    does not show: a point's error says so beside its fix."""
    from hashshock.notices import HashshockWarning

    share = "scenario.events[border-enforcement].hold_probability"
    spec = spec_of(method="oneway", paths=4, horizon_days=30, metrics=["availability:29"],
                   inputs=[{"path": share, "p10": 0.05, "p90": 0.95, "steps": 3}])  # fmt: skip
    with pytest.warns(HashshockWarning):
        result = hashshock.sweep(spec)
    errors = [str(p.error) for p in result.failed]
    assert len(errors) == 2, errors  # both ends, each outside 0..1
    assert all(f"({share}'s p10 0.05 and p90 0.95 make its range -0.0625 to 1.062)" in e
               for e in errors)  # fmt: skip


def test_the_cli_exits_2_with_one_line(cli: typer.Typer, spec_of: Spec, write_spec: Any) -> None:
    spec = write_spec(spec_of(inputs=[{"path": HOLD, "low": 5, "high": 2}]))
    done = CliRunner().invoke(cli, ["sweep", str(spec)])
    assert done.exit_code == 2
    lines = done.stderr.strip().splitlines() if done.stderr else done.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in done.output


def test_an_unreachable_scheduler_exits_2_saying_how_to_start_one(
    cli: typer.Typer, spec_of: Spec, write_spec: Any
) -> None:
    from tests.execution.conftest import free_port

    spec = write_spec(spec_of(inputs=[{"path": HOLD, "low": 40, "high": 60}]))
    done = CliRunner().invoke(
        cli, ["sweep", str(spec), "--scheduler", f"tcp://127.0.0.1:{free_port()}", "-q"]
    )
    assert done.exit_code == 2
    assert "cannot reach a Dask scheduler" in done.output and "`dask scheduler`" in done.output
    assert "Traceback" not in done.output


def test_a_sweep_json_without_points_is_refused() -> None:
    """A sweep's JSON always has its base point: with none, one message, not an
    IndexError when the report reads the base."""
    from hashshock.sweep.result import result_from_dict

    head = {"name": "s", "method": "oneway", "paths": 10, "horizon_days": 30, "seed": 0,
            "version": "x", "metrics": [], "inputs": []}  # fmt: skip
    with pytest.raises(InputError, match="points"):
        result_from_dict({"sweep": head, "points": []}, "s.json")


@pytest.mark.parametrize(("value", "fix"), [
    ("two", "write a number"),
    ("1e9", "write it with a dot and a sign, e.g. 1.0e+09, or in full"),  # 1e9 is text to YAML
    (True, "write a number"),
])  # fmt: skip
def test_values_of_a_numeric_field_must_be_numbers(
    spec_of: Spec, write_spec: Any, value: Any, fix: str
) -> None:
    """Found once, before any point, naming the spec, not once a point naming the fleet."""
    spec = write_spec(spec_of(method="grid", inputs=[{"path": HOLD, "values": [40, value]}]))
    message = _error(spec)
    assert message.startswith(f"{spec}: inputs[0].values[1]: {value!r} is not a number, and "
                              f"{HOLD} is one (base value 60)")  # fmt: skip
    assert message.endswith(f"— fix: {fix}")


@pytest.mark.parametrize(("field", "value", "problem", "fix"), [
    ("scenario", "customs-2042", "unknown scenario 'customs-2042'", "did you mean customs-2024"),
    ("scenario", "nope.yaml", "nope.yaml: file not found", "a relative path starts at the spec"),
    ("fleet", "flet.yaml", "flet.yaml: file not found", "a relative path starts at the spec"),
    ("market", "mkt.yaml", "mkt.yaml: file not found", "a relative path starts at the spec"),
    ("fleet", ".", ".: ", "name the fleet YAML file itself"),  # a folder
])  # fmt: skip
def test_a_base_input_that_is_not_there_names_the_spec_and_its_field(
    spec_of: Spec, write_spec: Any, field: str, value: str, problem: str, fix: str
) -> None:
    spec_map = spec_of(inputs=[{"path": HOLD, "low": 40, "high": 60}])
    spec_map["base"][field] = value
    spec = write_spec(spec_map)
    message = _error(spec)
    assert message.startswith(f"{spec}: base.{field}: {problem}")
    assert fix in message.split(" — fix: ")[1]


def test_a_fields_beginning_suggests_the_field_first() -> None:
    """``rate`` for ``rate_per_year``: by spelling alone, ``name`` and ``proceeds`` of the
    same loan came first and the field meant was not offered."""
    from hashshock.sweep.fieldpath import suggest

    loan = "industry.portfolio.loans[rig]"
    fields = ["borrower", "name", "principal_usd", "proceeds", "rate_per_year", "new_debt",
              "recovery_share", "maturity_date", "payment_every_days"]  # fmt: skip
    choices = [f"{loan}.{field}" for field in fields] + ["industry.rest_of_world.growth_rate"]
    assert suggest(f"{loan}.rate", choices)[0] == f"{loan}.rate_per_year"


def test_a_field_in_a_block_the_file_leaves_out_says_to_add_the_block() -> None:
    """A fleet without ``finance:`` has no ``finance.replacement.donor_machines``: the
    message names the missing block and says to add it, rather than offer other fields."""
    from hashshock.sweep.fieldpath import PathError, resolve

    mappings = {"fleet": {"name": "f", "finance": None, "sites": [{"name": "a", "bench": None}]}}
    with pytest.raises(PathError) as error:
        resolve("fleet.finance.replacement.donor_machines", mappings)
    assert "fleet.finance is not set" in error.value.problem
    assert "finance: block" in error.value.fix
    with pytest.raises(PathError) as error:
        resolve("fleet.sites[a].bench.technicians", mappings)
    assert "fleet.sites[a].bench is not set" in error.value.problem


@pytest.mark.parametrize("root", ["fleet", "scenario", "market"])
def test_a_path_naming_a_whole_file_asks_for_a_field_inside_it(
    spec_of: Spec, write_spec: Any, root: str
) -> None:
    spec = write_spec(spec_of(inputs=[{"path": root, "low": 1, "high": 2}]))
    message = _error(spec)
    assert message.startswith(f"{spec}: inputs[0].path: '{root}' names the whole {root}")
    assert f"fix: name a field inside the {root}, e.g. {root}." in message


def test_a_strategy_edit_of_the_whole_fleet_exits_2_naming_the_edit(
    cli: typer.Typer, fleet_file: Path, tmp_path: Path
) -> None:
    """It was a KeyError traceback from deep in the edit (sweep/fieldpath.py)."""
    strategy = tmp_path / "s.yaml"
    strategy.write_text('name: s\nedits:\n  - {path: "fleet", value: 2}\n', encoding="utf-8")
    done = CliRunner().invoke(
        cli, ["strategies", str(fleet_file), "--strategy", str(strategy), "-n", "5",
              "--horizon", "30"],
    )  # fmt: skip
    assert done.exit_code == 2, done.output
    lines = done.output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.output
    assert lines[0].startswith(f"error: {strategy}: edits[0].path: 'fleet' names the whole fleet")
    assert "fix: name a field inside the fleet, e.g. fleet.sites[" in lines[0]


def test_a_long_sweep_says_how_long_before_it_starts(
    cli: typer.Typer, spec_of: Spec, write_spec: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As a run does past 30 s (docs/limits.md): a Sobol' spec of 16,384 samples is hours
    of work on a big fleet, minutes here; a small one says nothing."""
    import hashshock.sweep.run

    def stop(*_: Any, **__: Any) -> Any:
        raise InputError(None, None, "stopped before running (test)")

    monkeypatch.setattr(hashshock.sweep.run, "sweep", stop)
    inputs = [{"path": HOLD, "low": 40, "high": 60},
              {"path": "fleet.operations.downtime_share", "low": 0.0, "high": 0.1}]  # fmt: skip
    said = []
    for samples in (16384, 8):
        spec = write_spec(spec_of(method="sobol", samples=samples, inputs=inputs))
        done = CliRunner().invoke(cli, ["sweep", str(spec)])
        assert done.exit_code == 2 and "stopped before running" in done.output, done.output
        said.append(" ".join(done.output.split()))
    points = 16384 * (len(inputs) + 2) + 1
    assert "note: this sweep needs " in said[0] and f"for {points:,} points, each" in said[0]
    assert re.search(r"about \d+(\.\d)? (min|h) for", said[0]), said[0]
    assert "note: this sweep" not in said[1]


def test_a_base_with_a_fleet_and_an_industry_asks_for_one(spec_of: Spec, write_spec: Any) -> None:
    spec_map = spec_of(inputs=[{"path": HOLD, "low": 40, "high": 60}])
    spec_map["base"]["industry"] = "us"
    spec = write_spec(spec_map)
    message = _error(spec)
    assert message.startswith(f"{spec}: base: gives both a fleet and an industry")
    assert "fix: keep one of them" in message


@pytest.mark.parametrize("alias", ["fleet.sites[a].technicians", "fleet.sites[-1].technicians"])
def test_one_field_by_two_names_is_varied_once(spec_of: Spec, write_spec: Any, alias: str) -> None:
    """A field named by position and by name (or from the end) is the same field: the
    second input would overwrite the first at every point and the points would be
    labelled with values they did not run, so it is refused as a field given twice."""
    spec = write_spec(spec_of(method="grid", inputs=[
        {"path": "fleet.sites[0].technicians", "values": [1, 3]},
        {"path": alias, "values": [1, 3]}]))  # fmt: skip
    message = _error(spec)
    assert "inputs[1].path" in message and "fleet.sites[0].technicians" in message
    assert "varies already" in message and "vary each field once" in message


def test_dates_written_unquoted_are_dates(spec_of: Spec, write_spec: Any) -> None:
    """YAML reads 2021-06-01 unquoted as a date, not text: a grid of install dates so
    written runs as the quoted one does (it was refused as "not a valid number")."""
    import datetime as dt

    path = "fleet.cohorts[0].install_date"
    quoted = write_spec(spec_of(method="grid", paths=4, inputs=[
        {"path": path, "values": ["2021-06-01", "2023-06-01"]}]), "quoted.yaml")  # fmt: skip
    plain = write_spec(spec_of(method="grid", paths=4, inputs=[
        {"path": path, "values": [dt.date(2021, 6, 1), dt.date(2023, 6, 1)]}]))  # fmt: skip
    assert "- 2021-06-01\n" in plain.read_text(encoding="utf-8")  # unquoted in the file
    runs = [hashshock.sweep(spec) for spec in (quoted, plain)]
    assert [p.inputs for p in runs[1].points] == [p.inputs for p in runs[0].points]
    assert [p.metrics for p in runs[1].points] == [p.metrics for p in runs[0].points]
    assert runs[1].points[-1].inputs[path] == "2023-06-01"


def test_a_spec_read_back_whole_is_the_same_spec() -> None:
    """A spec dumped with every default and read back (or given `samples: null`) is not
    refused for fields its method does not read: they hold their defaults."""
    from hashshock.sweep.spec import load_spec, spec_from_mapping

    spec = load_spec(Path(__file__).resolve().parents[2] / "examples" / "sweeps" / "tornado.yaml")
    again = spec_from_mapping({**spec.model_dump(by_alias=True), "samples": None})
    assert again == spec


def test_a_fleet_s_path_on_an_industry_s_base_says_which_roots_it_has() -> None:
    """``fleet.finance.cash_usd`` on an industry base was offered market.* fields: the
    base has no fleet, and the fix says which roots it has."""
    from hashshock.sweep.fieldpath import PathError, resolve

    with pytest.raises(PathError) as caught:
        resolve("fleet.finance.cash_usd", {"industry": {"name": "us"}, "scenario": {},
                                           "market": {}})  # fmt: skip
    assert caught.value.problem == "fleet.finance.cash_usd: this sweep's base has no fleet"
    assert caught.value.fix == "start the path with industry., scenario., market."


def test_a_key_after_a_bracket_needs_its_dot(spec_of: Spec, write_spec: Any) -> None:
    """``fleet.sites[a]technicians`` ran, its typo the input's name in every table."""
    spec = write_spec(spec_of(inputs=[{"path": "fleet.sites[a]technicians", "low": 1,
                                       "high": 3}]))  # fmt: skip
    message = _error(spec)
    assert message.startswith(f"{spec}: inputs[0].path: 'fleet.sites[a]technicians' is not a "
                              "field path (at character 15)")  # fmt: skip
