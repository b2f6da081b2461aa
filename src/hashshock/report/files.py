"""Output files: checked before any simulation, written atomically, never over an input.

:func:`check_output_path` is what a command calls for each output option before it
simulates, so a bad path fails in a second rather than after minutes of work;
:func:`atomic_write_bytes` is the bytes twin of :func:`hashshock.outputs.atomic_write_text`.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from hashshock.inputs.errors import InputError


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and a.samefile(b))
    except OSError:
        return False


def check_output_path(
    path: str | Path, option: str, inputs: Iterable[str | Path] = (), suffixes: Iterable[str] = ()
) -> Path:
    """Check that ``path`` can be written, before any work; return it as a :class:`Path`.

    Raises :class:`InputError` (one line naming ``option``, the problem and the fix) when
    the folder is missing or not writable, the path is a folder, is one of ``inputs``, or
    (``suffixes`` given, e.g. ``(".html",)``) has another suffix.
    """
    target = Path(path).expanduser()
    folder = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise InputError(target, option, "is a folder", "give a file name, e.g. report.html")
    if not folder.is_dir():
        raise InputError(target, option, "its folder does not exist", "create the folder first")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InputError(target, option, "its folder is not writable", "choose a writable folder")
    if target.exists() and not os.access(target, os.W_OK):
        raise InputError(target, option, "is not writable", "choose another file name")
    allowed = tuple(suffixes)
    if allowed and target.suffix.lower() not in allowed:
        raise InputError(
            target, option, f"has suffix {target.suffix or '(none)'!r}",
            f"name the file with {' or '.join(allowed)}",
        )  # fmt: skip
    for source in inputs:
        if _same_file(target, Path(source)):
            raise InputError(target, option, "is one of the input files", "name another file")
    return target


def check_output_dir(path: str | Path, option: str) -> Path:
    """Check that ``path`` is a writable folder or can be made one (its parent exists)."""
    folder = Path(path).expanduser()
    if folder.exists() and not folder.is_dir():
        raise InputError(folder, option, "is a file, not a folder", "name a folder")
    parent = folder if folder.is_dir() else folder.parent
    if not parent.is_dir():
        raise InputError(folder, option, "its parent folder does not exist", "create it first")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise InputError(folder, option, "is not writable", "choose a writable folder")
    return folder


def atomic_write_bytes(path: Path, data: bytes, option: str | None = None) -> None:
    """Write ``data`` to a temporary file next to ``path``, then rename it over ``path``.

    A reader never sees a half-written file; an existing file keeps its permissions; a
    symbolic link is written through to its target (as ``atomic_write_text`` does).
    """
    path = path.resolve() if path.is_symlink() else path
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(path, option, "its folder does not exist", "create the folder first")
    if path.is_dir():
        raise InputError(path, option, "is a folder", "give a file name")
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_umask()
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise InputError(
            path, option, f"cannot write ({exc.strerror})", "check the folder"
        ) from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
