"""Writing outputs: atomically, and only where the user asked."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from hashshock.inputs.errors import InputError


def write_text_atomic(target: str, text: str) -> None:
    """Write ``text`` to ``target`` ('-' = stdout) via a temp file and ``os.replace``."""
    if target == "-":
        sys.stdout.write(text + "\n")
        return
    path = Path(target)
    if path.is_dir():
        raise InputError(path, "--json", "is a folder", "give a file name, e.g. out/result.json")
    if not path.parent.exists():
        raise InputError(path, "--json", "its folder does not exist", "create the folder first")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
