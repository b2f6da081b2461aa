"""Read the CSV files ``hashshock fit`` takes: header, then rows as dicts, errors by row."""

from __future__ import annotations

import csv
from pathlib import Path

from hashshock.inputs.errors import InputError


def read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """The header and the rows of ``path`` (cells stripped; missing trailing cells empty).

    Row numbers in errors count the header as row 1. A row with more cells than the
    header raises :class:`InputError` (a value holding an unquoted comma, usually).
    """
    if not path.exists():
        raise InputError(path, None, "file not found", "check the path")
    if path.is_dir():
        raise InputError(path, None, "is a folder, not a file", "name the CSV file itself")
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            lines = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(path, None, f"cannot read CSV ({exc})", "save it as UTF-8 CSV") from exc
    if not lines:
        return [], []
    header = [h.strip() for h in lines[0]]
    rows: list[dict[str, str]] = []
    for line, cells in enumerate(lines[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        extra = [c for c in cells[len(header) :] if c.strip()]
        if extra:
            raise InputError(
                path, f"row {line}", f"{len(cells)} cells but the header has {len(header)}",
                "quote values that contain commas, or remove the extra cells",
            )  # fmt: skip
        values = [c.strip() for c in cells] + [""] * (len(header) - len(cells))
        rows.append({h: v for h, v in zip(header, values, strict=False) if h})
    return header, rows
