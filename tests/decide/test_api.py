"""``hashshock.optimise`` and ``hashshock.strategies``: the commands' answers from Python
(the same JSON for the same arguments, whatever runs them), and their arguments checked
before anything is simulated."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

import hashshock
from hashshock.execution import InProcess
from hashshock.inputs.errors import InputError

PATHS, HORIZON, SEED = 30, 120, 3
FAST = ["--paths", str(PATHS), "--horizon", str(HORIZON), "--seed", str(SEED)]
SAME = {"paths": PATHS, "horizon_days": HORIZON, "seed": SEED}


def _cli_json(cli: typer.Typer, args: list[str], tmp_path: Path) -> dict[str, Any]:
    out = tmp_path / "cli.json"
    done = CliRunner().invoke(cli, [*args, *FAST, "-q", "--json", str(out)])
    assert done.exit_code == 0, done.output
    data: dict[str, Any] = json.loads(out.read_text())
    return data


def test_optimise_from_python_is_the_command(cli: typer.Typer, fleet_file: Path,
                                             tmp_path: Path) -> None:  # fmt: skip
    """The command's JSON, on threads there and in this process here."""
    command = _cli_json(cli, ["optimise", str(fleet_file), "-s", "sanctions", "--target",
                              "availability=0.95", "--budget", "20000"], tmp_path)  # fmt: skip
    result = hashshock.optimise(fleet_file, "sanctions", availability=0.95, budget_usd=20000,
                                executor=InProcess(), **SAME)  # fmt: skip
    assert json.loads(json.dumps(result.to_dict())) == command
    with pytest.raises(AttributeError):  # the points the frontier is read from stay
        result.points.append(result.points[0])  # type: ignore[attr-defined]


def test_strategies_from_python_are_the_command(
    cli: typer.Typer, fleet_file: Path, tmp_path: Path, bench_strategy: Path
) -> None:
    mine = bench_strategy
    command = _cli_json(cli, ["strategies", str(fleet_file), "-s", "sanctions", "--strategy",
                              str(mine), "--max-breach", "liquidity=0.2"], tmp_path)  # fmt: skip
    result = hashshock.strategies(fleet_file, "sanctions", extra=[mine],
                                  max_breach={"liquidity": 0.2}, **SAME)  # fmt: skip
    assert json.loads(json.dumps(result.to_dict())) == command
    # a generator of files is read once: checked, then run (it ran without them)
    generated = hashshock.strategies(fleet_file, "sanctions", extra=(f for f in [mine]),
                                     max_breach={"liquidity": 0.2}, **SAME)  # fmt: skip
    assert generated.to_dict() == result.to_dict()
    # nothing of the result changes in place, so its to_dict() stays what ran
    import dataclasses

    import numpy as np
    from pydantic import ValidationError

    data = result.to_dict()
    outcome = result.outcomes[1]
    day = next(iter(outcome.availability))
    with pytest.raises(TypeError):
        outcome.availability[day] = np.zeros(PATHS)  # type: ignore[index]
    with pytest.raises(ValueError, match="read-only"):
        outcome.availability[day][0] = 0.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        outcome.cash_end_usd = None  # type: ignore[misc]
    with pytest.raises(ValidationError, match="frozen"):
        result.strategies[1].costs.upfront_usd = 1e9
    with pytest.raises(TypeError):
        result.thresholds["liquidity"] = 1.0  # type: ignore[index]
    with pytest.raises(AttributeError):
        result.outcomes.append(outcome)  # type: ignore[attr-defined]
    with pytest.raises(AttributeError):  # a strategy's edits are a tuple in a frozen model
        result.strategies[1].edits.clear()  # type: ignore[attr-defined]
    assert result.to_dict() == data
    # and it still pickles and copies, as a RunResult does (a worker, a cache, a session)
    import copy
    import pickle

    assert pickle.loads(pickle.dumps(result)).to_dict() == data
    assert copy.deepcopy(result).to_dict() == data


@pytest.mark.parametrize(("call", "field", "words"), [
    (lambda f: hashshock.optimise(f, availability="0.97"), "availability", "not a share"),
    (lambda f: hashshock.optimise(f, availability=1.0), "availability (--", "no finite stock"),
    (lambda f: hashshock.optimise(f, at="p90"), "at (--at)", "use p50 or p5"),
    (lambda f: hashshock.optimise(f, budget_usd=-1), "budget_usd (--budget)", "0 or more"),
    (lambda f: hashshock.optimise(f, paths=-5), "paths", ""),
    (lambda f: hashshock.optimise(f, horizon_days=20), "horizon_days (--horizon)", "30"),
    (lambda f: hashshock.optimise(f, executor="threads"), "executor", "Threads(2)"),
    (lambda f: hashshock.strategies(f, max_breach={"dscr": 2}), "max_breach", "0 to 1"),
    (lambda f: hashshock.strategies(f, max_breach={"dcsr": 0.1}), "max_breach", "dscr"),
    (lambda f: hashshock.strategies(f, extra="mine.yaml"), "extra", "give a list"),
    (lambda f: hashshock.strategies(f, stockpile_months=0), "stockpile_months", "at most 36"),
    (lambda f: hashshock.strategies(f, seed=-1), "seed", ""),
    (lambda f: hashshock.optimise(f, ordered="no"), "ordered", "True"),
    (lambda f: hashshock.find_breakpoint(f, "liquidity", probability="0.5"), "probability", ""),
    (lambda f: hashshock.find_breakpoint(f, "liquidity", probability=True), "probability", ""),
    (lambda f: hashshock.find_breakpoint(f, "liquidity", on_step=3), "on_step", "function"),
    (lambda f: hashshock.find_breakpoint(f, "liquidity", on_step=lambda size: None),
     "on_step", "does not take (shock size, probability)"),
])  # fmt: skip
def test_bad_arguments_are_input_errors_naming_them(
    call: Callable[[Path], object], field: str, words: str, fleet_file: Path
) -> None:
    with pytest.raises(InputError) as raised:
        call(fleet_file)
    assert str(raised.value.field).startswith(field) and words in raised.value.message


def test_the_decision_calls_warn_as_run_does() -> None:
    """A fleet with an empty cohort: ``run`` warns of it (a HashshockWarning), and so do
    ``optimise``, ``strategies`` and ``find_breakpoint`` from Python (they said nothing)."""
    from tests.decide.conftest import money_fleet

    from hashshock.notices import HashshockWarning

    fleet = money_fleet()
    fleet["cohorts"].append({**fleet["cohorts"][0], "count": 0})
    said = "has 0 machines"
    calls = [
        lambda: hashshock.run(fleet, paths=5, horizon_days=40),
        lambda: hashshock.optimise(fleet, paths=5, horizon_days=40, executor=InProcess()),
        lambda: hashshock.strategies(fleet, paths=5, horizon_days=40, executor=InProcess()),
        lambda: hashshock.find_breakpoint(fleet, "liquidity", "btc-drop", paths=5,
                                          horizon_days=40),
    ]  # fmt: skip
    for call in calls:
        with pytest.warns(HashshockWarning, match=said):
            call()
