"""The Python API: mirrors the CLI, reproducible across worker counts, user catalogues."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import EXAMPLES, small_fleet

import hashshock


def test_results_do_not_depend_on_worker_processes() -> None:
    fleet = EXAMPLES / "small-farm" / "fleet.yaml"
    serial = hashshock.compare(fleet, ["baseline", "sanctions"], paths=30, horizon_days=60,
                               seed=5, workers=1)  # fmt: skip
    parallel = hashshock.compare(fleet, ["baseline", "sanctions"], paths=30, horizon_days=60,
                                 seed=5, workers=2)  # fmt: skip
    assert [r.to_json() for r in serial] == [r.to_json() for r in parallel]


def test_run_accepts_a_mapping_and_reports_progress() -> None:
    seen: list[tuple[int, int]] = []
    result = hashshock.run(small_fleet(), "customs-2024", paths=5, horizon_days=20, seed=1,
                           progress=lambda d, t: seen.append((d, t)), workers=1)  # fmt: skip
    assert result.scenario == "customs-2024"
    assert seen[-1] == (40, 40)  # baseline and scenario, 20 days each


def test_progress_reaches_the_total_with_worker_processes() -> None:
    """Workers add the days they have done, whatever the size of the engine's steps."""
    seen: list[tuple[int, int]] = []
    hashshock.compare(EXAMPLES / "small-farm" / "fleet.yaml", ["baseline", "sanctions"],
                      paths=8, horizon_days=37, seed=1, workers=2,
                      progress=lambda d, t: seen.append((d, t)))  # fmt: skip
    done = [d for d, _ in seen]
    assert seen[-1] == (74, 74)  # two scenarios of 37 days
    assert done == sorted(done)


def test_user_catalogue_adds_models(
    write_yaml: Callable[[dict[str, Any], str], Path], tmp_path: Path
) -> None:
    (tmp_path / "mine.csv").write_text(
        "slug,vendor,name,family,hashrate_ths,power_w,efficiency_j_per_th,release_year,cooling,"
        "hashboards,fans,psus,control_boards,source\n"
        "antminer-s23-hyd,bitmain,Antminer S23 Hyd,antminer-s23,580,5626,9.7,2026,hydro,3,0,1,1,"
        "my datasheet\n",
        encoding="utf-8",
    )
    fleet = small_fleet(catalog="mine.csv")
    fleet["cohorts"].append(
        {"model": "antminer-s23-hyd", "count": 10, "site": "a", "install_date": "2025-12-01"}
    )
    loaded = hashshock.load_fleet(write_yaml(fleet, "fleet.yaml"))
    assert loaded.machines == 310
    assert loaded.catalog.get("antminer-s23-hyd").fans == 0


def test_the_manifest_changes_with_a_model_s_figures_not_only_its_name(
    tmp_path: Path,
) -> None:
    """A user's row replacing a bundled model (same slug, other figures) is another input:
    the manifest's inputs digest says so."""
    bundled = Path(hashshock.__file__).parent / "data" / "models.csv"
    header, *rows = bundled.read_text(encoding="utf-8").splitlines()
    s19j = next(r for r in rows if r.startswith("antminer-s19j-pro,"))
    fields = s19j.split(",")
    fields[4] = str(float(fields[4]) * 0.9)  # hashrate_ths and power_w of an older unit
    fields[5] = str(float(fields[5]) * 0.9)
    from hashshock.inputs.load import fleet_from_mapping

    digests = []
    for folder, row in (("same", s19j), ("tired", ",".join(fields))):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "models.csv").write_text(f"{header}\n{row}\n", encoding="utf-8")
        loaded = fleet_from_mapping(small_fleet(catalog="models.csv"), base_dir=tmp_path / folder)
        result = hashshock.run(loaded, "baseline", paths=2, horizon_days=5)
        digests.append(result.manifest["inputs_sha256"])
    assert digests[0] != digests[1]


def test_the_readme_api_example_runs_as_a_plain_script(tmp_path: Path) -> None:
    """README's Python example, saved as a script without a main guard and run with
    ``python script.py``, succeeds (no worker process re-imports the script)."""
    import re
    import subprocess
    import sys

    root = EXAMPLES.parent
    readme = (root / "README.md").read_text(encoding="utf-8")
    after = readme.split("The Python API mirrors the CLI", 1)[1]
    code = re.search(r"```python\n(.*?)```", after, re.S)
    assert code is not None
    script = tmp_path / "example.py"
    script.write_text(code.group(1), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script)], cwd=root, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr


UNGUARDED = """
import json, sys
import hashshock
print("body", flush=True)  # once: the worker processes must not run the script again
fleet = sys.argv[1]
runs = [hashshock.compare(fleet, ["baseline", "sanctions"], paths=6, horizon_days=20,
                          seed=2, workers=w) for w in (2, 1)]
print(json.dumps([[r.to_json() for r in rs] for rs in runs]))
"""


def test_worker_processes_do_not_run_the_callers_script_again(tmp_path: Path) -> None:
    """``workers=2`` from a script without a main guard, run by its file and as a module
    (``python -m``): the script's body runs once, the call succeeds, and its results are
    ``workers=1``'s."""
    import json
    import os
    import subprocess
    import sys

    (tmp_path / "unguarded.py").write_text(UNGUARDED, encoding="utf-8")
    fleet = str(EXAMPLES / "small-farm" / "fleet.yaml")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), *sys.path])}
    for argv in ([str(tmp_path / "unguarded.py")], ["-m", "unguarded"]):
        done = subprocess.run([sys.executable, *argv, fleet], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=600)  # fmt: skip
        assert done.returncode == 0, done.stderr[-2000:]
        lines = done.stdout.splitlines()
        assert lines.count("body") == 1, done.stdout[-2000:]
        parallel, serial = json.loads(lines[-1])
        assert parallel == serial


def test_numpy_integers_give_a_result_that_writes_as_json() -> None:
    """Arguments taken from a DataFrame are numpy integers: the run is the same, and its
    JSON (and the store) take plain ints."""
    import json

    import numpy as np

    fleet = EXAMPLES / "small-farm" / "fleet.yaml"
    plain = hashshock.run(fleet, "baseline", paths=4, horizon_days=10, seed=3)
    numpy = hashshock.run(fleet, "baseline", paths=np.int64(4), horizon_days=np.int32(10),
                          seed=np.uint8(3))  # fmt: skip
    assert json.dumps(numpy.to_dict()) == json.dumps(plain.to_dict())


def test_numpy_integers_give_decisions_that_write_as_json() -> None:
    """The same for optimise, strategies and find_breakpoint (their results carried the
    numpy integers, and json.dumps refused them)."""
    import json

    import numpy as np

    fleet = EXAMPLES / "small-farm" / "fleet.yaml"
    sizes = {"paths": 6, "horizon_days": 60, "seed": 1}
    as_numpy = {k: np.int64(v) for k, v in sizes.items()}
    for call in (lambda **a: hashshock.optimise(fleet, "sanctions", **a),
                 lambda **a: hashshock.strategies(fleet, "sanctions", **a),
                 lambda **a: hashshock.find_breakpoint(
                     EXAMPLES / "midsize-public-miner" / "fleet.yaml", "liquidity",
                     iterations=np.int64(2), **a)):  # fmt: skip
        assert json.dumps(call(**as_numpy).to_dict()) == json.dumps(call(**sizes).to_dict())


def _vandalise(data: Any) -> None:
    """Empty every dict and list inside ``data``, as a careless caller might."""
    for value in list(data.values()) if isinstance(data, dict) else list(data):
        if isinstance(value, dict | list):
            _vandalise(value)
    data.clear()


def test_a_result_s_dict_is_the_caller_s_to_change() -> None:
    """to_dict() hands out a dict of its own each time: emptying every part of one leaves
    the result, and the next to_dict(), as they were (the manifest, margin calls, a
    sweep's inputs, a strategies run's limits and a breakpoint's evaluations were the
    result's own)."""
    import dataclasses
    import json

    farm = EXAMPLES / "small-farm" / "fleet.yaml"
    mid = EXAMPLES / "midsize-public-miner" / "fleet.yaml"
    sizes = {"paths": 6, "horizon_days": 60, "seed": 1}
    volatility = {"path": "market.price.volatility_per_year", "low": 0.3, "high": 0.6}
    spec = {"name": "s", "base": {"fleet": str(farm), "scenario": "sanctions"},
            "metrics": ["availability:59"], "method": "tornado", "paths": 3, "horizon_days": 60,
            "inputs": [volatility]}  # fmt: skip
    results = [
        hashshock.run(mid, "sanctions", **sizes),
        hashshock.strategies(mid, "sanctions", max_breach={"liquidity": 0.5}, **sizes),
        hashshock.find_breakpoint(mid, "liquidity", iterations=2, **sizes),
        hashshock.sweep(spec, with_runs=False),
        hashshock.optimise(farm, "sanctions", paths=4, horizon_days=30),
    ]
    for result in results:
        before = json.dumps(result.to_dict(), sort_keys=True)
        _vandalise(result.to_dict())
        assert json.dumps(result.to_dict(), sort_keys=True) == before, type(result).__name__
        # nor a field set afterwards: paths = 10 beside figures of 6 paths
        with pytest.raises(dataclasses.FrozenInstanceError):
            result.paths = 10  # type: ignore[misc]
    # a strategies run's and an optimisation's arrays are read-only, as a run's are
    with pytest.raises(ValueError, match="read-only"):
        next(iter(results[1].outcomes[0].availability.values()))[0] = 0.0  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="read-only"):
        results[4].chosen_stock[0] = 99  # type: ignore[attr-defined]


def test_a_result_s_fields_cannot_be_set_afterwards() -> None:
    """A field set after the run (``paths = 10`` beside arrays of 4 paths) would show in
    to_dict() as if simulated: refused; dataclasses.replace makes a changed copy."""
    import dataclasses

    result = hashshock.run(EXAMPLES / "small-farm" / "fleet.yaml", paths=4, horizon_days=30)
    for name, value in (("paths", 10), ("money", None), ("warnings", [])):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(result, name, value)
    assert result.to_dict()["paths"] == 4
    assert dataclasses.replace(result, scenario="mine").to_dict()["scenario"] == "mine"
    # nor changed in place: the manifest and warnings are frozen, to_dict()'s a copy
    with pytest.raises(TypeError):
        result.manifest["seed"] = 99  # type: ignore[index]
    with pytest.raises(TypeError):
        result.manifest["market_start"]["date"] = "x"  # type: ignore[index]
    with pytest.raises(AttributeError):
        result.warnings.append("x")  # type: ignore[attr-defined]
    data = result.to_dict()
    assert data["manifest"]["seed"] == result.manifest["seed"]
    assert isinstance(data["warnings"], list)


def test_a_result_pickles_and_deep_copies_as_it_was_and_is_equal_only_to_itself() -> None:
    """A frozen manifest made pickle and deepcopy fail ("cannot pickle 'mappingproxy'"),
    and ``a == b`` raised on arrays: a copy is the same result, frozen and read-only as
    the original, and equality is identity (compare to_dict() for equal contents)."""
    import copy
    import json
    import pickle

    run = hashshock.run(EXAMPLES / "small-farm" / "fleet.yaml", "sanctions", paths=4,
                        horizon_days=30)  # fmt: skip
    contents = json.dumps(run.to_dict(), sort_keys=True)
    for again in (pickle.loads(pickle.dumps(run)), copy.deepcopy(run)):
        assert json.dumps(again.to_dict(), sort_keys=True) == contents
        with pytest.raises(TypeError):
            again.manifest["seed"] = 99  # type: ignore[index]
        with pytest.raises(ValueError, match="read-only"):
            again.output.hashrate_ths[:] = 0.0
        assert again != run and again == again
    assert len({run, run}) == 1  # hashable, by identity


def test_a_compare_s_arrays_cannot_be_changed_through_another_scenario() -> None:
    """Every scenario's decline stage reads baseline's hashrate, one array shared: a
    change in place through baseline's result would move sanctions' stages, so numpy
    refuses it, and a copy is the caller's to change."""
    farm = EXAMPLES / "small-farm" / "fleet.yaml"
    base, shocked = hashshock.compare(farm, ["baseline", "sanctions"], paths=4, horizon_days=30)
    stages = {k: v.copy() for k, v in shocked.stage_first_days().items()}
    with pytest.raises(ValueError, match="read-only"):
        base.output.hashrate_ths[:] = 0.0
    with pytest.raises(ValueError, match="read-only"):
        shocked.output.spares_on_hand += 1
    mine = base.output.hashrate_ths.copy()
    mine[:] = 0.0
    for name, days in shocked.stage_first_days().items():
        assert (days == stages[name]).all(), name


def test_a_compare_s_money_cannot_be_changed_through_another_scenario() -> None:
    """The mid-size example's scenarios share a market and sanctions' gap to baseline
    reads baseline's money: all of a result's money arrays are read-only (writing into
    sanctions' BTC prices doubled baseline's)."""
    import numpy as np

    from hashshock.frozen import make_read_only

    mid = EXAMPLES / "midsize-public-miner" / "fleet.yaml"
    base, shocked = hashshock.compare(mid, ["baseline", "sanctions"], paths=4, horizon_days=30)
    before = base.to_dict()
    writable: list[str] = []

    def find(value: object, where: str, seen: set[int]) -> None:  # every array reachable
        if id(value) in seen:
            return
        seen.add(id(value))
        if isinstance(value, np.ndarray):
            if value.flags.writeable:
                writable.append(where)
        elif isinstance(value, dict):
            for key, item in value.items():
                find(item, f"{where}[{key!r}]", seen)
        elif isinstance(value, list | tuple):
            for k, item in enumerate(value):
                find(item, f"{where}[{k}]", seen)
        elif hasattr(value, "__dict__") and type(value).__module__.startswith("hashshock"):
            for key, item in vars(value).items():
                find(item, f"{where}.{key}", seen)

    for result in (base, shocked):
        find(result.money, "money", set())
    assert writable == []
    with pytest.raises(ValueError, match="read-only"):
        shocked.money.market.btc_price_usd *= 2
    assert base.to_dict() == before
    make_read_only(None)  # nothing to do, and no error


def test_a_scenario_given_as_a_mapping_runs_as_its_file_does(tmp_path: Path) -> None:
    """A scenario's fields as a mapping run as the same fields in a file (``include``
    expanded), in ``run``, ``compare`` and ``industry``; a mapping with a bad field is an
    input error naming it, and one mapping where a list is wanted is refused."""
    import yaml

    farm = EXAMPLES / "small-farm" / "fleet.yaml"
    fields = {"name": "mine", "include": ["sanctions"],
              "events": [{"type": "parts_supply_stop", "name": "late-cut",
                          "vendors": ["bitmain"], "start_day": 20, "end_day": 40}]}  # fmt: skip
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(fields))
    sizes = {"paths": 6, "horizon_days": 60, "seed": 3}
    by_file = hashshock.compare(farm, ["baseline", path], **sizes)[1].to_dict()
    by_mapping = hashshock.compare(farm, ["baseline", fields], **sizes)[1].to_dict()
    by_file.pop("manifest"), by_mapping.pop("manifest")
    assert by_mapping == by_file
    assert hashshock.run(farm, fields, **sizes).scenario == "mine"
    with pytest.raises(hashshock.InputError, match="scenario: evnts: unknown field"):
        hashshock.run(farm, {"name": "x", "evnts": []}, **sizes)
    with pytest.raises(hashshock.InputError, match="is one dict, not a list"):
        hashshock.compare(farm, fields, **sizes)  # type: ignore[arg-type]


def test_bad_input_is_a_value_error_whichever_layer_finds_it(tmp_path: Path) -> None:
    """A script's ``except ValueError`` catches bad input as it does pydantic's: a missing
    file, a field the model refuses, an argument out of range and a market field all
    raise InputError, a ValueError."""
    farm = EXAMPLES / "small-farm" / "fleet.yaml"
    calls: list[Callable[[], object]] = [
        lambda: hashshock.run(tmp_path / "missing.yaml"),
        lambda: hashshock.run({"cohorts": [{"model": "S19", "count": "many"}]}),
        lambda: hashshock.run(farm, paths=0),
        lambda: hashshock.run(farm, market={"network": {"us_share": 7}}),
    ]
    for call in calls:
        with pytest.raises(ValueError) as caught:
            call()
        assert isinstance(caught.value, hashshock.InputError), caught.value


def test_an_input_error_crosses_processes_whole() -> None:
    """An InputError pickles with its file, field, problem and fix: raised in a worker
    process (a caller's own pool), it reaches the caller as itself, not a broken pool."""
    import pickle
    from concurrent.futures import ProcessPoolExecutor

    from hashshock.inputs.errors import InputError
    from hashshock.store.db import EmptyStore

    for error in (InputError("f.yaml", "paths", "0 is not a count", "give 1 or more"),
                  EmptyStore(None, "--store", "holds no runs")):  # fmt: skip
        again = pickle.loads(pickle.dumps(error))
        assert type(again) is type(error) and again.message == error.message
        assert (again.file, again.field, again.fix) == (error.file, error.field, error.fix)
    with ProcessPoolExecutor(1) as pool:
        future = pool.submit(hashshock.run, str(EXAMPLES / "small-farm" / "fleet.yaml"), paths=0)
        with pytest.raises(InputError, match="--paths"):
            future.result(timeout=120)


def test_wrong_argument_types_are_input_errors() -> None:
    """A string for the scenarios' list (read letter by letter), and fleets, scenarios
    and markets of the wrong type, are one clear InputError naming the argument."""
    import pytest

    from hashshock.inputs.errors import InputError

    fleet = EXAMPLES / "small-farm" / "fleet.yaml"
    calls: list[tuple[Callable[[], Any], str, str]] = [
        (lambda: hashshock.compare(fleet, "baseline,sanctions", paths=2), "scenarios",
         "['baseline', 'sanctions']"),
        (lambda: hashshock.industry(None, "sanctions", paths=2), "scenarios", "['sanctions']"),
        (lambda: hashshock.run(None), "fleet", "fleet file's path"),
        (lambda: hashshock.run(fleet, ["sanctions"]), "scenario", "bundled scenario's name"),
        (lambda: hashshock.run(fleet, market=5), "market", "market YAML's path"),
        (lambda: hashshock.run(fleet, paths=2.5), "paths (--paths)", "whole number of paths"),
        (lambda: hashshock.run(fleet, progress=5), "progress", "function of (done, total)"),
        (lambda: hashshock.compare(fleet, ["sanctions"], executor=2), "executor", "Threads(2)"),
        (lambda: hashshock.industry(5), "industry", "bundled industry's name"),
        (lambda: hashshock.industry(engine_passes="two"), "engine_passes", "from 1 to"),
        (lambda: hashshock.sweep(5), "spec", "sweep spec's path"),
        (lambda: hashshock.sweep({}, executor="threads"), "executor", "Threads(2)"),
        (lambda: hashshock.load_fleet(5), "fleet", "fleet file's path"),
        # None, a number or a mapping where a name, a path or a list belongs
        (lambda: hashshock.compare(fleet, None), "scenarios", "give a list of names"),
        (lambda: hashshock.industry(None, None, paths=5), "scenarios", "give a list of names"),
        (lambda: hashshock.industry(None, portfolio=[], paths=5), "portfolio", "YAML file"),  # type: ignore[arg-type]
        (lambda: hashshock.load_scenario(None), "scenario", "bundled scenario's name"),
        (lambda: hashshock.load_scenario({}), "name", "add this field"),  # a mapping: its fields
        (lambda: hashshock.find_breakpoint(EXAMPLES / "midsize-public-miner" / "fleet.yaml",
                                           None), "covenant (--covenant)", "give one of dscr"),
        (lambda: hashshock.strategies(fleet, extra=[None]), "extra[0]", "strategy YAML"),
        (lambda: hashshock.strategies(fleet, extra=None), "extra", "strategy YAML"),  # type: ignore[arg-type]
        (lambda: hashshock.compare(fleet, 5), "scenarios", "give a list of names"),  # type: ignore[arg-type]
        (lambda: hashshock.sweep({}, scheduler=123), "scheduler (--scheduler)", "tcp://"),
        # "no" is true in Python: a flag is True or False, not whatever is truthy
        (lambda: hashshock.industry(say_warnings="no"), "say_warnings", "True"),  # type: ignore[arg-type]
        (lambda: hashshock.sweep({}, with_runs="no"), "with_runs", "True"),  # type: ignore[arg-type]
        (lambda: hashshock.optimise(fleet, progress=3), "progress", "function of a line of text"),  # type: ignore[arg-type]
    ]  # fmt: skip
    for call, field, fix in calls:
        with pytest.raises(InputError) as caught:
            call()
        assert caught.value.field == field and fix in str(caught.value), str(caught.value)
    # A market's fields as a mapping are a market, as a fleet's are a fleet.
    mapped = hashshock.run(fleet, market={"price": {"volatility_per_year": 0.5}}, paths=2,
                           horizon_days=5)  # fmt: skip
    assert mapped.paths == 2
    assert hashshock.load_fleet(small_fleet()).machines == hashshock.run(
        small_fleet(), paths=2, horizon_days=2).to_dict()["fleet"]["machines"]  # fmt: skip


def test_a_fleet_model_is_a_fleet() -> None:
    """A :class:`~hashshock.inputs.fleet.Fleet` runs as the file it came from, bit for bit,
    and is checked as the file is (an unknown model is refused by name)."""
    import pytest

    from hashshock.inputs.errors import InputError
    from hashshock.inputs.fleet import Fleet

    loaded = hashshock.load_fleet(EXAMPLES / "midsize-public-miner" / "fleet.yaml")
    from_model = hashshock.run(loaded.fleet, "sanctions", paths=8, horizon_days=40, seed=2)
    from_file = hashshock.run(loaded, "sanctions", paths=8, horizon_days=40, seed=2)
    assert from_model.to_json() == from_file.to_json()
    wrong = Fleet.model_validate(small_fleet()).model_copy(deep=True)
    wrong.cohorts[0].model = "antminer-s99"
    with pytest.raises(InputError, match="antminer-s99"):
        hashshock.run(wrong, paths=2, horizon_days=2)


def test_a_fleet_changed_inside_a_default_block_runs_as_changed() -> None:
    """A change inside a block the fleet left at its default (pydantic does not mark it
    set) runs as the same change written in the mapping; NaN and a numpy number set on a
    model are what the mapping makes of them (refused, taken); a covenant's fleet
    changed in place is checked without its defaults counted as given; a Fleet naming a
    cohorts CSV is refused (its cohorts may hold the file's already)."""
    import numpy as np
    import pytest

    from hashshock.inputs.errors import InputError
    from hashshock.inputs.fleet import Fleet

    def run(fleet: Any) -> str:
        return hashshock.run(fleet, paths=4, horizon_days=30, seed=1).to_json()

    changed = Fleet.model_validate(small_fleet())
    changed.operations.failure_rate_multiplier = 10.0
    changed.spares.append(changed.spares[0].model_copy(update={"site": "a", "on_hand": 50}))
    mapping = small_fleet(operations={"failure_rate_multiplier": 10.0})
    mapping["spares"] = [*mapping["spares"], {"site": "a", "part": "hashboard", "on_hand": 50}]
    assert run(changed) == run(mapping) != run(small_fleet())
    nan = Fleet.model_validate(small_fleet())
    nan.operations.downtime_share = float("nan")
    with pytest.raises(InputError, match="downtime_share"):
        run(nan)
    numpy = Fleet.model_validate(small_fleet())
    numpy.cohorts[0].count = np.int64(7)  # type: ignore[assignment]
    assert hashshock.run(numpy, paths=2, horizon_days=2).to_dict()["fleet"]["machines"] == 107
    loaded = hashshock.load_fleet(EXAMPLES / "midsize-public-miner" / "fleet.yaml")
    loaded.fleet.cohorts[0].count += 1
    assert hashshock.run(loaded, paths=2, horizon_days=2).paths == 2
    # A Fleet whose cohorts CSV was read runs with those cohorts once; one naming a CSV
    # it has not read is refused (read from here, relative to what?).
    with_csv = hashshock.load_fleet(EXAMPLES / "well-capitalised" / "fleet.yaml")
    assert hashshock.load_fleet(with_csv.fleet).machines == with_csv.machines
    unread = Fleet.model_validate({**small_fleet(), "cohorts_csv": "extra-cohorts.csv"})
    with pytest.raises(InputError, match="cohorts CSV it has not read"):
        run(unread)


def test_results_show_in_one_line() -> None:
    """A result shown in a notebook is one line, not its arrays."""
    result = hashshock.run(small_fleet(), "baseline", paths=50, horizon_days=30)
    text = repr(result)
    assert "\n" not in text and len(text) < 300 and "scenario='baseline'" in text


def test_warnings_reach_a_script_once_and_the_command_line_once(tmp_path: Path) -> None:
    """An accepted input worth a second look is a HashshockWarning in Python, attributed
    to the caller's line; the command line prints it itself, one line, not twice."""
    import os
    import subprocess
    import sys

    import pytest
    import yaml

    fleet = small_fleet()
    fleet["cohorts"].append(
        {"model": "antminer-s21", "count": 0, "site": "a", "install_date": "2024-01-01"}
    )
    with pytest.warns(hashshock.HashshockWarning, match="has 0 machines") as caught:
        hashshock.run(fleet, "baseline", paths=2, horizon_days=5)
    assert [w.filename for w in caught if "0 machines" in str(w.message)] == [__file__]
    file = tmp_path / "fleet.yaml"
    file.write_text(yaml.safe_dump(fleet))
    entry = "import sys; from hashshock.cli.entry import main; sys.argv[0] = 'hashshock'; main()"
    command = [sys.executable, "-c", entry, "run", str(file), "-n", "2", "--horizon", "5"]
    done = subprocess.run(command, capture_output=True, text=True, check=True,
                          env={**os.environ, "HASHSHOCK_DAEMON": "off"})  # fmt: skip
    assert done.stderr.count("has 0 machines") == 1, done.stderr


def test_dir_of_the_package_lists_what_it_offers() -> None:
    """dir(hashshock) is the API (sweep too), not the names its own code imported."""
    listed = {name for name in dir(hashshock) if not name.startswith("__")}
    assert set(hashshock.__all__) - {"__version__"} <= listed
    assert not listed & {"Any", "TYPE_CHECKING", "annotations", "lazy_exports", "_lazy"}


def test_the_callable_packages_show_their_functions_signatures() -> None:
    """``hashshock.sweep`` and ``hashshock.industry`` are packages one calls: editors and
    ``inspect`` see the functions' arguments, not ``(*args, **options)``."""
    import inspect

    import hashshock.sweep
    from hashshock.industry.api import industry
    from hashshock.sweep.run import sweep

    assert inspect.signature(hashshock.sweep) == inspect.signature(sweep)
    assert inspect.signature(hashshock.industry) == inspect.signature(industry)
    assert "workers" in inspect.signature(hashshock.industry).parameters


def test_help_on_a_callable_package_shows_its_function() -> None:
    """``help(hashshock.sweep)`` gives the package's text, then the function's signature
    and docstring (pydoc renders a package as a module)."""
    import inspect
    import pydoc

    import hashshock.industry
    import hashshock.sweep
    from hashshock.industry.api import industry
    from hashshock.sweep.run import sweep

    for package, function in ((hashshock.sweep, sweep), (hashshock.industry, industry)):
        text = pydoc.render_doc(package, renderer=pydoc.plaintext)
        assert f"hashshock.{function.__name__}{inspect.signature(function)}" in text
        docstring = inspect.getdoc(function)
        assert docstring is not None
        assert docstring.splitlines()[0] in text


def test_a_type_checker_sees_the_api_functions(tmp_path: Path) -> None:
    """mypy reads ``hashshock.sweep(...)`` and ``hashshock.industry(...)`` as the calls they
    are, with their result types (they are packages too, which it would call not callable)."""
    from mypy import api

    script = tmp_path / "user.py"
    script.write_text(
        "import hashshock\n"
        "reveal_type(hashshock.sweep('spec.yaml', paths=10))\n"
        "reveal_type(hashshock.industry(scenarios=['baseline'], paths=10))\n"
        "reveal_type(hashshock.run('fleet.yaml', 'sanctions', paths=10))\n"
        # a market is a path, its fields as a mapping, or a MarketConfig, in every call
        "from pathlib import Path\n"
        "m = {'price': {'volatility_per_year': 0.5}}\n"
        "hashshock.compare('fleet.yaml', ['sanctions'], market=m)\n"
        "hashshock.optimise('fleet.yaml', market=m)\n"
        "hashshock.strategies('fleet.yaml', market=m)\n"
        "hashshock.find_breakpoint('fleet.yaml', 'dscr', market=Path('m.yaml'))\n"
        "hashshock.industry(None, market=m)\n"
    )
    out, err, status = api.run([str(script), "--no-error-summary"])
    assert status == 0, out + err
    assert "SweepResult" in out and "IndustryResult" in out and "RunResult" in out, out


def test_every_api_function_s_types_resolve_at_run_time() -> None:
    """``typing.get_type_hints`` (what pydantic, typer and documentation tools call)
    resolves every argument of every function the package offers."""
    import importlib
    import types
    import typing

    names = ["run", "compare", "industry", "sweep", "optimise", "strategies",
             "find_breakpoint", "load_fleet", "load_scenario"]  # fmt: skip
    for name in names:
        function = getattr(hashshock, name)
        if isinstance(function, types.ModuleType):  # a callable package: its function
            module = {"industry": "hashshock.industry.api", "sweep": "hashshock.sweep.run"}
            function = getattr(importlib.import_module(module[name]), name)
        hints = typing.get_type_hints(function)
        assert "return" in hints, name


def test_breakpoint_arguments_are_checked_before_anything_runs() -> None:
    """A mistyped shock (it used to run a BTC drop under the typed name), a bisection of
    no steps and an unknown vendor are input errors naming the argument."""
    import pytest

    from hashshock.breakpoint import find_breakpoint
    from hashshock.inputs.errors import InputError

    fleet = EXAMPLES / "midsize-public-miner" / "fleet.yaml"
    for options, field, words in (
        ({"shock": "parts_cut"}, "shock", "use parts-cut or btc-drop"),
        ({"iterations": -1}, "iterations", "from 1 to 60"),
        ({"iterations": 2.5}, "iterations", "from 1 to 60"),
        ({"vendor": "bitmian"}, "vendor", "did you mean bitmain"),
    ):
        with pytest.raises(InputError) as raised:
            find_breakpoint(fleet, "dscr", paths=2, horizon_days=120, **options)
        assert raised.value.field == field and words in raised.value.message


def test_a_loaded_fleet_changed_in_place_is_checked_again() -> None:
    """pydantic does not check an assignment: a loaded fleet's spares set to -50 used to
    run as the default stock. A wrong change is an input error naming the field; a good
    one runs as the change says."""
    import pytest

    from hashshock.inputs.errors import InputError

    fleet = EXAMPLES / "small-farm" / "fleet.yaml"
    wrong = hashshock.load_fleet(fleet)
    wrong.fleet.spares[0].on_hand = -50
    with pytest.raises(InputError) as raised:
        hashshock.run(wrong, paths=2, horizon_days=5)
    assert raised.value.field == "spares[0].on_hand"
    changed = hashshock.load_fleet(fleet)
    part = changed.fleet.spares[0].part
    changed.fleet.spares[0].on_hand = 0
    spares = hashshock.run(changed, paths=2, horizon_days=5).to_dict()["daily"]["spares_on_hand"]
    assert spares[part]["p50"][0] == 0


@pytest.mark.parametrize(("section", "field", "value", "words"), [
    ("price", "volatility_per_year", float("nan"), "not a number"),
    ("price", "volatility_per_year", -1.0, "greater than or equal to 0"),
    ("network", "us_share", 7.0, "less than or equal to 1"),
    ("network", "feedback_lag_days", 0, "greater than 0"),
    ("network", "growth_per_year", float("inf"), "not a finite number"),
    ("network", "us_share", "0.3", "valid number"),  # checked, not converted: used as it is
])  # fmt: skip
def test_a_market_object_changed_in_place_is_checked_again(
    section: str, field: str, value: float, words: str
) -> None:
    """A :class:`MarketConfig` changed after it was loaded is checked as a file is: a NaN
    volatility ran to NaN results, a share of 7 or a lag of 0 crashed inside the market."""
    from hashshock.inputs.errors import InputError
    from hashshock.market import load_market

    market = load_market(None).model_copy(deep=True)
    setattr(getattr(market, section), field, value)
    for call in (
        lambda: hashshock.run(EXAMPLES / "small-farm" / "fleet.yaml", paths=2, horizon_days=5,
                              market=market),
        lambda: hashshock.industry(None, ["baseline"], paths=2, horizon_days=5, market=market),
    ):  # fmt: skip
        with pytest.raises(InputError) as raised:
            call()
        assert raised.value.field == f"market.{section}.{field}" and words in raised.value.message
    untouched = load_market(None)
    assert hashshock.run(EXAMPLES / "small-farm" / "fleet.yaml", paths=2, horizon_days=5,
                         market=untouched).to_dict() == hashshock.run(
        EXAMPLES / "small-farm" / "fleet.yaml", paths=2, horizon_days=5).to_dict()  # fmt: skip


@pytest.mark.parametrize("value", [float("nan"), 5.0, -3.0, "0.5"])
def test_a_scenario_object_changed_in_place_is_checked_again(value: float | str) -> None:
    """A :class:`Scenario`'s event probability set to NaN ran as never (5 as always);
    checked again as a file is. So is an empty name, given any way."""
    from hashshock.inputs.errors import InputError

    scenario = hashshock.load_scenario("sanctions").model_copy(deep=True)
    scenario.events[0].probability = value  # type: ignore[union-attr]
    with pytest.raises(InputError) as raised:
        hashshock.run(EXAMPLES / "small-farm" / "fleet.yaml", scenario, paths=2, horizon_days=5)
    assert raised.value.field is not None and raised.value.field.startswith("events[0].")
    assert raised.value.field.endswith(".probability")
    with pytest.raises(InputError, match="name"):
        unnamed = [{"name": "", "include": ["sanctions"]}]
        hashshock.compare(EXAMPLES / "small-farm" / "fleet.yaml", unnamed, 2, 5)


def test_an_order_due_after_the_horizon_is_warned_of() -> None:
    """An order due after the horizon never arrives within the run: said, not refused."""
    order = {"model": "antminer-s21", "count": 10, "due_date": "2026-06-01", "site": "a"}
    short, long_ = (hashshock.run(small_fleet(orders=[order]), "baseline", paths=2,
                                  horizon_days=days) for days in (100, 200))  # fmt: skip
    said = [w for w in short.warnings if "after the 100-day horizon" in w]
    assert len(said) == 1 and "order/a/antminer-s21/2026-06-01" in said[0]
    assert not [w for w in long_.warnings if "horizon" in w]


def test_scenarios_come_in_any_collection() -> None:
    """Names in a tuple, a set, a dict's keys, a generator or a numpy array are a list of
    scenarios as they were before None and numbers were refused."""
    import numpy as np

    from hashshock.prepare import check_scenario_list

    names = ["baseline", "sanctions"]
    for given in (tuple(names), set(names), dict.fromkeys(names).keys(), iter(names),
                  np.array(names), dict.fromkeys(names)):  # fmt: skip
        check_scenario_list(given)
    # An iterator is read once: a run of a generator's names runs them.
    farm = EXAMPLES / "small-farm" / "fleet.yaml"
    runs = hashshock.compare(farm, (n for n in names), paths=2, horizon_days=10)
    assert [r.scenario for r in runs] == names


def test_a_set_of_scenarios_gives_results_in_one_order_in_every_process(tmp_path: Path) -> None:
    """A set of names is ordered by the process's hash seed: its results come in the
    order of the names, whatever PYTHONHASHSEED."""
    import os
    import subprocess
    import sys

    fleet = str(EXAMPLES / "small-farm" / "fleet.yaml")
    wanted = "{'sanctions', 'customs-2024', 'quiet-end', 'mitigation'}"
    code = (f"import hashshock\nruns = hashshock.compare({fleet!r}, {wanted}, paths=2, "
            "horizon_days=5)\nprint(','.join(r.scenario for r in runs))\n")  # fmt: skip
    orders = set()
    for seed in ("1", "2", "3"):
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              env={**os.environ, "PYTHONHASHSEED": seed}, timeout=300,
                              check=True)  # fmt: skip
        orders.add(done.stdout.strip())
    assert orders == {"customs-2024,mitigation,quiet-end,sanctions"}


def test_no_public_name_is_hidden_by_a_submodule_of_the_same_name() -> None:
    """Importing a submodule sets it on its package, over a lazily loaded name of the
    same name: ``hashshock.scan.audit`` was the function until ``InstallDates`` loaded the
    module ``audit``, and then docs/scan.md's example called a module. Each package's
    public names are checked after every submodule is loaded (the two callable packages,
    ``hashshock.industry`` and ``hashshock.sweep``, are the designed exception)."""
    import importlib
    import pkgutil
    import types

    callable_packages = {"hashshock.industry", "hashshock.sweep"}
    for name in ("hashshock", "hashshock.industry", "hashshock.engine", "hashshock.report",
                 "hashshock.finance", "hashshock.sweep", "hashshock.store", "hashshock.scan",
                 "hashshock.market", "hashshock.execution"):  # fmt: skip
        package = importlib.import_module(name)
        for sub in pkgutil.iter_modules(package.__path__):
            if not sub.name.startswith("_"):  # __main__ runs the command line
                importlib.import_module(f"{name}.{sub.name}")
        for public in getattr(package, "__all__", []):
            value = getattr(package, public)
            if isinstance(value, types.ModuleType):
                assert value.__name__ in callable_packages and callable(value), (name, public)


def test_a_progress_function_is_checked_before_any_work() -> None:
    """``progress`` is called with (done, total) — ``optimise``'s with a line of text —:
    one that cannot take them is refused up front, not at the first step of a run; one
    that can (a builtin, a partial, extra defaults) runs."""
    import functools

    from hashshock.inputs.errors import InputError

    farm = EXAMPLES / "small-farm" / "fleet.yaml"
    for call in (
        lambda: hashshock.run(farm, paths=2, horizon_days=5, progress=lambda: None),
        lambda: hashshock.industry(None, ["baseline"], paths=2, horizon_days=5,
                                   progress=lambda done: None),
        lambda: hashshock.optimise(farm, "sanctions", paths=2, horizon_days=30,
                                   progress=lambda done, total: None),
        lambda: hashshock.run(farm, paths=2, horizon_days=5, progress=3),
    ):  # fmt: skip
        with pytest.raises(InputError) as raised:
            call()
        assert raised.value.field == "progress"
    calls: list[tuple[int, int]] = []
    for fine in (lambda done, total, extra=0: calls.append((done, total)),
                 functools.partial(lambda _tag, done, total: calls.append((done, total)), "x"),
                 print):  # fmt: skip
        hashshock.run(farm, paths=2, horizon_days=5, progress=fine)
    assert calls and calls[-1][0] == calls[-1][1]


def test_an_empty_name_and_a_mistyped_industry_say_which_argument() -> None:
    """An empty string was read as the working folder ("is a folder, not a file"); a
    bundled industry's name in capitals was only "file not found"."""
    from hashshock.inputs.errors import InputError

    farm = EXAMPLES / "small-farm" / "fleet.yaml"
    for call, argument in ((lambda: hashshock.run(""), "fleet"),
                           (lambda: hashshock.run(farm, ""), "scenario"),
                           (lambda: hashshock.run(farm, market=" "), "market")):  # fmt: skip
        with pytest.raises(InputError) as raised:
            call()
        assert raised.value.field == argument and "is empty" in raised.value.message
    with pytest.raises(InputError) as raised:
        hashshock.industry("US", ["baseline"], 2, 5)
    assert "did you mean us?" in raised.value.fix
    with pytest.raises(InputError, match="is not an industry"):
        hashshock.industry(5, ["baseline"], 2, 5)  # type: ignore[arg-type]


def test_a_mappings_relative_file_is_said_to_start_at_the_working_folder(
    tmp_path: Path,
) -> None:
    """A fleet or sweep given as a mapping has no file: its relative names start at the
    working folder, and the fix says so (it said the fleet file's or the spec's folder)."""
    from hashshock.inputs.errors import InputError

    with pytest.raises(InputError) as raised:
        hashshock.run(small_fleet(cohorts_csv="nowhere.csv"), paths=2, horizon_days=5)
    assert raised.value.field == "cohorts_csv" and "the working folder" in raised.value.fix
    varied = [{"path": "fleet.operations.downtime_share", "values": [0.0, 0.1]}]
    spec = {"base": {"fleet": "nowhere.yaml", "scenario": "sanctions"}, "method": "oneway",
            "paths": 2, "horizon_days": 30, "metrics": ["availability:29"],
            "inputs": varied}  # fmt: skip
    with pytest.raises(InputError) as raised:
        hashshock.sweep(spec)
    assert raised.value.field == "base.fleet" and "the working folder" in raised.value.fix


def test_the_arguments_after_seed_are_keywords() -> None:
    """Their order differed from function to function (``industry``'s sixth argument was
    its market, ``run``'s its progress): given by position they are refused by Python,
    by keyword they run; ``run`` takes an executor as ``compare`` does."""
    import inspect

    from hashshock.execution import InProcess

    for function in (hashshock.run, hashshock.compare, hashshock.industry, hashshock.optimise,
                     hashshock.strategies, hashshock.find_breakpoint):  # fmt: skip
        parameters = list(inspect.signature(function).parameters.values())
        seed = next(i for i, p in enumerate(parameters) if p.name == "seed")
        assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in parameters[seed + 1 :]), (
            function.__name__)  # fmt: skip
    farm = EXAMPLES / "small-farm" / "fleet.yaml"
    with pytest.raises(TypeError):
        hashshock.run(farm, "baseline", 2, 5, 0, None)  # type: ignore[misc]
    by_keyword = hashshock.run(farm, "sanctions", 2, 5, 0, executor=InProcess())
    assert by_keyword.to_dict() == hashshock.run(farm, "sanctions", 2, 5, 0).to_dict()


def test_the_loaders_take_what_run_takes() -> None:
    """``load_fleet`` and ``load_scenario`` take a fleet and a scenario in every form
    ``run`` does (a loaded fleet, a Fleet, a mapping; a mapping, a Scenario), and give
    what ``run`` runs."""
    from hashshock.inputs.load import given_fields

    farm = EXAMPLES / "small-farm" / "fleet.yaml"
    loaded = hashshock.load_fleet(farm)
    for form in (loaded, loaded.fleet, given_fields(loaded.fleet)):
        assert hashshock.load_fleet(form).fleet == loaded.fleet
    mine = {"name": "mine", "include": ["sanctions"]}
    scenario = hashshock.load_scenario(mine)
    assert scenario.events == hashshock.load_scenario("sanctions").events
    assert hashshock.load_scenario(scenario) == scenario
    assert (
        hashshock.run(farm, scenario, 2, 5).to_dict() == hashshock.run(farm, mine, 2, 5).to_dict()
    )


def test_a_home_folder_is_read_as_a_shell_reads_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``run("~/fleet.yaml")`` said "file not found": a shell expands ``~`` before the CLI
    sees it, Python does not. Every argument that names a file expands it."""
    import shutil

    from hashshock.inputs.errors import InputError

    monkeypatch.setenv("HOME", str(tmp_path))
    shutil.copy(EXAMPLES / "small-farm" / "fleet.yaml", tmp_path / "fleet.yaml")
    for fleet in ("~/fleet.yaml", Path("~/fleet.yaml")):
        assert hashshock.load_fleet(fleet).machines > 0
    (tmp_path / "quiet.yaml").write_text("name: quiet\nevents: []\n")
    assert hashshock.load_scenario(Path("~/quiet.yaml")).name == "quiet"
    assert hashshock.load_scenario("~/quiet.yaml").name == "quiet"
    # a Path is a file: the bundled industry's name as one is told how to give it
    with pytest.raises(InputError) as caught:
        hashshock.industry(Path("us"), paths=2, horizon_days=2)
    assert "as text ('us')" in str(caught.value)
