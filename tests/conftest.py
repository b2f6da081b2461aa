"""Shared fixtures: small fleets written to temporary files."""

from __future__ import annotations

import importlib
import os
import pkgutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.compile_kernels import KERNELS

from hashshock.engine.jit import ENGINE_SOURCES, drop_stale_caches

ROOT = Path(__file__).resolve().parents[1]
# The tests' own compiled helpers inline the engine's kernels.
drop_stale_caches([Path(__file__).resolve().parent])


def _compile_kernels_first() -> None:
    """On a cold kernel cache, compile the day and the phase kernels
    (``tests/compile_kernels.py``) in two processes at once before any test runs: on two
    cores the two compilations take the time of one, and every test process (each of
    pytest-xdist's workers too) then loads them rather than compiling its own. pytest-xdist
    loads this file in its controller first: the workers find the cache warm."""
    cached = ENGINE_SOURCES / "__pycache__"
    if os.environ.get("PYTEST_XDIST_WORKER") or all(
        any(cached.glob(f"step.run_{kernel}-*.nbi")) for kernel in KERNELS
    ):
        return
    compiling = [
        subprocess.Popen([sys.executable, "-m", "tests.compile_kernels", kernel], cwd=ROOT,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for kernel in KERNELS
    ]  # fmt: skip
    for process in compiling:  # a failure shows in the tests that compile it again
        process.wait()


_compile_kernels_first()


def _import_the_command_line() -> None:
    """Import every command's module now, with no ``COLUMNS`` set: a rich console built
    while ``COLUMNS`` is set keeps that width for good, so a module first imported inside a
    test that sets it (``CliRunner(env=...)``, ``monkeypatch``) would print every later
    test at that width, and which test came first would decide (a fresh process per
    command, and the daemon's consoles built again per command, never see this)."""
    import hashshock.cli

    columns = os.environ.pop("COLUMNS", None)
    try:
        for module in pkgutil.iter_modules(hashshock.cli.__path__):
            importlib.import_module(f"hashshock.cli.{module.name}")
    finally:
        if columns is not None:
            os.environ["COLUMNS"] = columns


_import_the_command_line()


@pytest.fixture(autouse=True)
def _isolated_user_data(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Runs in tests never see a developer's `hashshock data update` snapshot, nor a
    `hashshock daemon` of theirs (tests/cli/test_daemon.py starts its own)."""
    monkeypatch.setenv("HASHSHOCK_DATA_DIR", str(tmp_path_factory.mktemp("hashshock-data")))
    monkeypatch.setenv("HASHSHOCK_DAEMON", "off")


EXAMPLES = ROOT / "examples"


def small_fleet(**overrides: Any) -> dict[str, Any]:
    """A one-site fleet of a few hundred machines, as a mapping (tests edit it)."""
    fleet: dict[str, Any] = {
        "name": "test-fleet",
        "start_date": "2026-01-01",
        "sites": [{"name": "a", "country": "US", "technicians": 2}],
        "cohorts": [
            {"model": "antminer-s19j-pro", "count": 200, "site": "a", "install_date": "2022-01-01"},
            {"model": "antminer-s21", "count": 100, "site": "a", "install_date": "2024-06-01"},
        ],
        "spares": [
            {"site": "a", "part": "hashboard", "on_hand": 6},
            {"site": "a", "part": "fan", "on_hand": 10},
            {"site": "a", "part": "psu", "on_hand": 4},
            {"site": "a", "part": "control_board", "on_hand": 3},
        ],
    }
    fleet.update(overrides)
    return fleet


@pytest.fixture
def write_yaml(tmp_path: Path) -> Callable[[dict[str, Any], str], Path]:
    def write(data: dict[str, Any], name: str = "fleet.yaml") -> Path:
        path = tmp_path / name
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        return path

    return write


def fits_columns(text: str, columns: int = 80) -> bool:
    """Every line of ``text`` fits in ``columns``, but for a line that is one word (a path
    longer than a line is printed whole on its own line, never broken)."""
    return all(len(line) <= columns or " " not in line.strip() for line in text.splitlines())
