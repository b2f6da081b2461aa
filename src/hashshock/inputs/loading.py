"""Reading YAML and CSV files into plain Python, with errors that name the file."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import yaml

from hashshock.inputs.errors import InputError


class _Loader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that leaves an impossible date (``2026-02-30``) as its text, so
    validation reports it against its field instead of the parser raising."""


def _timestamp(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


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
        data = yaml.load(text, Loader=_Loader)  # a SafeLoader subclass
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
    out: list[dict[str, str]] = []
    for line, row in enumerate(rows, start=2):
        if None in row:  # csv.DictReader files surplus cells under the key None
            raise InputError(
                path, f"row {line}", f"{len(row) - 1 + len(row[None])} cells but the header has "
                f"{len(row) - 1}", "quote values that contain commas, or add the missing header",
            )  # fmt: skip
        out.append({(k or "").strip(): (v or "").strip() for k, v in row.items()})
    return out
