"""Fixtures for the fit tests: a Typer app with only ``fit``, and a CSV writer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from hashshock.cli.fit import register

Invoke = Callable[..., tuple[int, str, str]]
WriteLog = Callable[..., Path]

HEADER = "machine,model,part,install_date,failure_date,observed_until"


@pytest.fixture(scope="session")
def fit_app() -> typer.Typer:
    """A Typer app with only the fit command (a callback keeps ``fit`` a subcommand)."""
    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        """Test app."""

    register(app)
    return app


@pytest.fixture
def invoke(fit_app: typer.Typer) -> Invoke:
    """Run ``hashshock fit ARGS``; returns exit code, stdout and stderr."""

    def run(*args: str) -> tuple[int, str, str]:
        result = CliRunner().invoke(fit_app, ["fit", *args])
        return result.exit_code, result.stdout, result.stderr

    return run


@pytest.fixture
def write_log(tmp_path: Path) -> WriteLog:
    """Write CSV lines (header first unless ``header=None``) to a file in ``tmp_path``."""

    def write(*lines: str, name: str = "log.csv", header: str | None = HEADER) -> Path:
        path = tmp_path / name
        text = "\n".join(([header] if header is not None else []) + list(lines))
        path.write_text(text + ("\n" if text else ""), encoding="utf-8")
        return path

    return write
