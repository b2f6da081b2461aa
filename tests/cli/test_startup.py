"""Fast start: the command line's help and ``import hashshock`` load no heavy module.

Each check runs in a fresh interpreter (a subprocess) and reads ``sys.modules``, so
it sees exactly what a user's ``hashshock --help`` imports. No time is asserted:
``bench/bench_startup.py`` measures the times. When a check fails, find the import
chain with ``python -X importtime -c "import hashshock.cli.app"`` and move the import
into the command that needs it (the rule is in ``hashshock.cli.app``'s docstring).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: Never imported by ``import hashshock.cli.app`` (nor by ``hashshock --help``).
HEAVY_FOR_CLI = (
    "numba",
    "numpy",
    "scipy",
    "pydantic",
    "pandas",
    "lifelines",
    "pyasic",
    "httpx",
    "hashshock.api",
    "hashshock.engine",
    # the market and scan packages load their names lazily; these are their heavy parts
    "hashshock.market.config",
    "hashshock.market.simulate",
    "hashshock.market.snapshot",
    "hashshock.scan.probe",
    "hashshock.scan.exposure",
    "hashshock.scan.fleetfile",
    "hashshock.scan.yamlfile",
    "hashshock.fit",
    "hashshock.inputs.fleet",
    "hashshock.inputs.load",
)
#: Never imported by a command's ``--help`` (typer itself may import pydantic there).
HEAVY_FOR_COMMAND_HELP = ("numba", "hashshock.api", "hashshock.engine", "pyasic", "lifelines")
#: Never imported by ``import hashshock``.
HEAVY_FOR_PACKAGE = ("numba", "numpy", "pydantic", "hashshock.api", "hashshock.engine")

COMMANDS = (
    "run", "compare", "breakpoint", "validate", "schema", "catalog", "scenarios",
    "scan", "audit", "data", "fit", "report", "runs", "serve", "sweep", "optimise",
    "strategies", "industry", "daemon",
)  # fmt: skip


def _env() -> dict[str, str]:
    unset = {"FORCE_COLOR", "PYTHONPROFILEIMPORTTIME"}
    env = {k: v for k, v in os.environ.items() if k not in unset}
    return {**env, "COLUMNS": "120", "NO_COLOR": "1"}


def _loaded_after(code: str, modules: tuple[str, ...]) -> list[str]:
    """Which of ``modules`` (or their submodules) a fresh interpreter holds after ``code``."""
    probe = (
        f"{code}\n"
        "import json, sys\n"
        f"names = {list(modules)!r}\n"
        "hits = sorted({n for n in names for m in sys.modules\n"
        "               if m == n or m.startswith(n + '.')})\n"
        "sys.stderr.write('\\nLOADED=' + json.dumps(hits) + '\\n')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, env=_env(),
        timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    line = [x for x in done.stderr.splitlines() if x.startswith("LOADED=")][-1]
    loaded: list[str] = json.loads(line.removeprefix("LOADED="))
    return loaded


def _help_code(*args: str) -> str:
    """Run the app on ``args`` in the probe's process, as the entry point does."""
    return (
        "from hashshock.cli.app import app\n"
        "try:\n"
        f"    app({list(args)!r}, prog_name='hashshock')\n"
        "except SystemExit as exc:\n"
        "    assert exc.code in (0, None), exc.code\n"
    )


def test_importing_the_cli_loads_no_heavy_module() -> None:
    assert _loaded_after("import hashshock.cli.app", HEAVY_FOR_CLI) == []


def test_help_loads_no_heavy_module() -> None:
    assert _loaded_after(_help_code("--help"), HEAVY_FOR_CLI) == []


@pytest.mark.parametrize("command", ["run", "validate", "scan", "fit", "data"])
def test_command_help_loads_no_engine(command: str) -> None:
    assert _loaded_after(_help_code(command, "--help"), HEAVY_FOR_COMMAND_HELP) == []


def test_validating_a_fleet_loads_no_engine() -> None:
    """``validate`` checks inputs and compiles the plan: the engine's compiled kernels
    (numba, a tenth of a second or more to import) have no part in it."""
    fleet = ROOT / "examples" / "midsize-public-miner" / "fleet.yaml"
    code = _help_code("validate", str(fleet))
    assert _loaded_after(code, ("numba", "hashshock.engine.core", "hashshock.api")) == []


def test_import_hashshock_loads_no_heavy_module() -> None:
    assert _loaded_after("import hashshock", HEAVY_FOR_PACKAGE) == []


def _hashshock() -> list[str]:
    """The installed entry point next to this Python, or the same function via ``-c``."""
    script = Path(sys.executable).with_name("hashshock")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from hashshock.cli.entry import main; main()"]


def test_help_lists_every_command() -> None:
    done = subprocess.run(
        [*_hashshock(), "--help"], capture_output=True, text=True, cwd=ROOT, env=_env(),
        timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    listed = set(re.findall(r"(?m)^[│|\s]*([a-z][a-z-]*)\s{2,}\S", done.stdout))
    missing = [c for c in COMMANDS if c not in listed]
    assert not missing, f"hashshock --help does not list {missing}:\n{done.stdout}"


@pytest.mark.parametrize(("given", "seen"), [(None, "__all__"), ("", ""), ("logfire", "logfire")])
def test_the_command_line_turns_pydantic_plugins_off_unless_told(
    given: str | None, seen: str
) -> None:
    """The entry point skips pydantic's plugin look-up unless ``PYDANTIC_DISABLE_PLUGINS``
    is set; ``import hashshock`` leaves the variable alone."""
    code = (
        "import os, sys\n"
        "import hashshock\n"
        "before = os.environ.get('PYDANTIC_DISABLE_PLUGINS')\n"
        "from hashshock.cli.entry import main\n"
        "sys.argv = ['hashshock', '--version']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(repr(before), repr(os.environ.get('PYDANTIC_DISABLE_PLUGINS')))\n"
    )
    env = {k: v for k, v in _env().items() if k != "PYDANTIC_DISABLE_PLUGINS"}
    if given is not None:
        env["PYDANTIC_DISABLE_PLUGINS"] = given
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env,
        timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[-2:] == [repr(given), repr(seen)]


def test_one_blas_thread_on_the_command_line_gives_the_apis_numbers(tmp_path: Path) -> None:
    """The command line asks OpenBLAS for one thread (no pool to start); a run's JSON is
    the API's, computed here with OpenBLAS's default of a thread a core."""
    import hashshock

    fleet = ROOT / "examples" / "midsize-public-miner" / "fleet.yaml"
    out = tmp_path / "run.json"
    code = (
        "import os, sys\n"
        "from hashshock.cli.entry import main\n"
        f"sys.argv = ['hashshock', 'run', {str(fleet)!r}, '-s', 'sanctions', '-n', '40',\n"
        f"            '--horizon', '120', '--json', {str(out)!r}, '--quiet']\n"
        "try:\n"
        "    main()\n"
        "finally:\n"
        "    print(os.environ.get('OPENBLAS_NUM_THREADS'))\n"
    )
    env = {k: v for k, v in _env().items() if k != "OPENBLAS_NUM_THREADS"}
    env["HASHSHOCK_DAEMON"] = "off"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=600, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[-1] == "1"
    here = hashshock.run(fleet, "sanctions", paths=40, horizon_days=120).to_dict()
    assert json.loads(out.read_text()) == json.loads(json.dumps(here))


def _printed(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
             args: list[str], whole_tree: bool) -> tuple[int, str, str]:  # fmt: skip
    from hashshock.cli.entry import run_command

    monkeypatch.setattr(sys, "argv", ["hashshock", *args])
    code = run_command(whole_tree=whole_tree)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("args", [
    *([c, "--help"] for c in COMMANDS), ["validate"], ["run", "--paths", "x", "f.yaml"],
    ["runs"], ["valdate"], ["--version"], ["--help"],
])  # fmt: skip
def test_the_tree_of_one_command_behaves_as_the_whole_tree(
    args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A process builds the tree of the command it runs alone (a fraction of the time of
    every command's): its help, its usage errors and its exit codes are the whole tree's,
    and a name that is no command gets the whole tree's suggestion."""
    alone = _printed(capsys, monkeypatch, args, whole_tree=False)
    whole = _printed(capsys, monkeypatch, args, whole_tree=True)
    assert alone == whole


def test_python_m_hashshock_is_the_command_line(tmp_path: Path) -> None:
    """``python -m hashshock`` runs what the ``hashshock`` script runs: the same output
    and exit codes (a usage error is 2)."""
    env = {**os.environ, "HASHSHOCK_DAEMON": "off"}
    for args, code in ((["--version"], 0), (["valdate"], 2)):
        module = subprocess.run([sys.executable, "-m", "hashshock", *args], capture_output=True,
                                text=True, env=env, cwd=tmp_path, timeout=120)  # fmt: skip
        script = subprocess.run([sys.executable, "-c", "from hashshock.cli.entry import main; "
                                 "main()", *args], capture_output=True, text=True, env=env,
                                cwd=tmp_path, timeout=120)  # fmt: skip
        assert module.returncode == script.returncode == code
        assert (module.stdout, module.stderr) == (script.stdout, script.stderr)
