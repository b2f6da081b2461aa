"""Shared fixtures: small fleets written to temporary files."""

from __future__ import annotations

import atexit
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from hashshock.engine.jit import ENGINE_SOURCES, drop_stale_caches

ROOT = Path(__file__).resolve().parents[1]
# The tests' own compiled helpers inline the engine's kernels.
drop_stale_caches([Path(__file__).resolve().parent])


def _compile_phase_kernel_beside() -> None:
    """On a cold kernel cache, compile the phase kernel in another process while the
    first tests compile the day kernel (``tests/compile_kernels.py``): on two cores the
    two compilations take the time of one. Stopped when the tests end."""
    if any((ENGINE_SOURCES / "__pycache__").glob("step.run_phase-*.nbi")):
        return
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.compile_kernels"], cwd=ROOT,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    atexit.register(process.kill)


_compile_phase_kernel_beside()


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
