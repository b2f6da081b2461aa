"""``hashshock sweep --help`` and importing the execution layer load nothing heavy: Dask,
SALib, numpy and the engine come only when a sweep runs (as tests/cli/test_startup.py checks
for the registered commands)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("dask", "distributed", "SALib", "numpy", "numba", "pydantic", "scipy",
         "hashshock.sweep", "hashshock.engine", "hashshock.api")  # fmt: skip


def _loaded_after(code: str, heavy: tuple[str, ...] = HEAVY) -> list[str]:
    probe = (
        f"{code}\nimport json, sys\n"
        f"names = {list(heavy)!r}\n"
        "hits = sorted({n for n in names for m in sys.modules\n"
        "               if m == n or m.startswith(n + '.')})\n"
        "sys.stderr.write('\\nLOADED=' + json.dumps(hits) + '\\n')\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          cwd=ROOT, timeout=120, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    line = [x for x in done.stderr.splitlines() if x.startswith("LOADED=")][-1]
    loaded: list[str] = json.loads(line.removeprefix("LOADED="))
    return loaded


def test_importing_the_command_loads_nothing_heavy() -> None:
    assert _loaded_after("import hashshock.cli.sweep") == []


def test_sweep_help_loads_nothing_heavy() -> None:
    """(typer itself may import pydantic for a command's help)"""
    code = (
        "import typer\nfrom hashshock.cli.sweep import register\napp = typer.Typer()\n"
        "@app.callback()\ndef _root() -> None:\n    'test'\nregister(app)\n"
        "try:\n    app(['sweep', '--help'], prog_name='hashshock')\n"
        "except SystemExit as exc:\n    assert exc.code in (0, None)\n"
    )
    assert _loaded_after(code, tuple(h for h in HEAVY if h != "pydantic")) == []


def test_importing_the_execution_layer_loads_nothing_heavy() -> None:
    assert _loaded_after("import hashshock.execution\nimport hashshock.execution.choose") == []
