"""Reading YAML and CSV files into plain Python, with errors that name the file."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import yaml

from hashshock.inputs.errors import InputError


def read_yaml_mapping(path: Path) -> dict[str, Any]:
    """Parse a YAML file that must hold a mapping at top level."""
    if not path.exists():
        raise InputError(path, None, "file not found", "check the path")
    if path.is_dir():
        raise InputError(path, None, "is a folder, not a file", "name the YAML file itself")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(
            path, None, f"cannot read file ({exc})", "check it is a text file"
        ) from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else None
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise InputError(
            path, where, f"malformed YAML ({problem})", "check indentation, colons and quotes"
        ) from exc
    if not isinstance(data, dict):
        raise InputError(
            path, None, "expected a YAML mapping at top level", "start with 'key: value' lines"
        )
    return data


def read_csv_rows(path: Path) -> list[dict[str, str]]:
    """Read a CSV file with a header row into a list of dicts."""
    if not path.exists():
        raise InputError(path, None, "file not found", "check the path")
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(path, None, f"cannot read CSV ({exc})", "save it as UTF-8 CSV") from exc
    return [{(k or "").strip(): (v or "").strip() for k, v in row.items()} for row in rows]
