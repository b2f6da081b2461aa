"""Writing output files: atomically, only where the user asked, never half-written."""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from hashshock.inputs.errors import InputError


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_text(path: Path, text: str, option: str | None = None) -> None:
    """Write ``text`` to a temporary file next to ``path``, then rename it over ``path``.

    A reader never sees a half-written file; an existing file keeps its permissions.
    ``option`` names the command-line option in error messages.
    """
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(path, option, "its folder does not exist", "create the folder first")
    if path.is_dir():
        raise InputError(path, option, "is a folder", "give a file name")
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_umask()
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_text(target: str, text: str, option: str = "--json") -> None:
    """Write ``text`` to the file ``target`` atomically, or to stdout if ``target`` is ``-``."""
    if not text.endswith("\n"):
        text += "\n"
    if target == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        atomic_write_text(Path(target), text, option)


def write_json(data: Any, target: str, option: str = "--json", indent: int | None = 2) -> None:
    """Write ``data`` as JSON to the file ``target``, or to stdout if ``target`` is ``-``."""
    write_text(target, json.dumps(data, indent=indent, default=str, ensure_ascii=False), option)
