"""Writing output files: atomically, only where the user asked, never half-written.

:func:`check_output` is called for every output path *before* a command does its work:
it refuses a path that is one of the run's own input files, a folder, a missing or
read-only folder, or a read-only file, so a long simulation never ends in a lost result;
:func:`check_distinct_outputs` refuses two outputs of one command that are one file, and
:func:`check_replaceable` a generated input file (a scenario, failure rates) over a file of
another kind.
An output path that is a symbolic link is written *through*: the link stays and its
target gets the new content (atomically, next to the target). A character device or a
pipe (``/dev/stdout``, ``/dev/null``, a FIFO) is written to in place, never replaced;
any other special file is refused.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import stat
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from hashshock.inputs.errors import InputError

#: How a file that could not be written is said (its reason follows in brackets).
UNWRITTEN = "could not be written"


def no_folder(path: str | Path, folder: Path, option: str | None) -> InputError:
    """The error for output ``path`` whose ``folder`` is no folder: on its way a file
    (``mine.json/x.json``), or missing."""
    on_the_way = next((p for p in (folder, *folder.parents) if p.exists()), None)
    if on_the_way is not None and not on_the_way.is_dir():
        return InputError(path, option, f"{on_the_way} is a file, not a folder",
                          "name a path inside a folder")  # fmt: skip
    return InputError(path, option, f"folder does not exist: {folder}", "create it first")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


#: Temporary files of atomic writes under way (removed if the process is interrupted).
_PENDING: set[str] = set()


def remove_pending_temporaries() -> None:
    """Delete the temporary files of writes that have not finished (on Ctrl-C)."""
    for tmp in list(_PENDING):
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        _PENDING.discard(tmp)


def atomic_write_bytes(path: Path, data: bytes, option: str | None = None,
                       new_fix: str | None = None) -> None:  # fmt: skip
    """Write ``data`` to a temporary file next to ``path``, then rename it over ``path``.

    A reader never sees a half-written file; an existing file keeps its permissions; a
    symbolic link is written through to its target. ``option`` names the command-line
    option in error messages. With ``new_fix``, ``path`` must not exist when the file
    takes its name (one another process made meanwhile is kept, and an
    :class:`InputError` says so with that fix).
    """
    if is_stream(path):  # /dev/stdout, /dev/null, a pipe: written to, never replaced
        _write_stream(path, data)
        return

    def fill(tmp: str) -> None:
        with open(tmp, "wb") as handle:
            handle.write(data)

    atomic_write_file(path, fill, option, new_fix)


def atomic_write_file(path: Path, fill: Callable[[str], object], option: str | None = None,
                      new_fix: str | None = None) -> None:  # fmt: skip
    """:func:`atomic_write_bytes` for a writer that writes a file by its name
    (``fill(temporary path)``, e.g. DuckDB's ``COPY … TO``): the same guarantees — whole
    or absent, permissions kept, links written through, the temporary file removed on
    failure or Ctrl-C, and with ``new_fix`` a file made meanwhile kept."""
    if is_stream(path):  # written to, never replaced: the writer's file is a scratch one
        fd, scratch = tempfile.mkstemp(prefix="hashshock-", suffix=".tmp")
        os.close(fd)
        _PENDING.add(scratch)
        try:
            fill(scratch)
            _write_stream(path, Path(scratch).read_bytes())
        finally:
            with contextlib.suppress(OSError):
                os.unlink(scratch)
            _PENDING.discard(scratch)
        return
    path = resolved_output(path, option) if path.is_symlink() else path
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise no_folder(path, folder, option)
    if path.is_dir():
        raise InputError(path, option, "is a folder", "give a file name")
    existing = path.stat() if path.exists() else None
    mode = existing.st_mode & 0o777 if existing else 0o666 & ~_umask()
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise InputError(
            path, option, f"cannot write ({exc.strerror})", "check the folder"
        ) from exc
    _PENDING.add(tmp)
    try:
        os.close(fd)
        fill(tmp)
        with open(tmp, "rb+") as written:  # on the disk before it takes the name
            os.fsync(written.fileno())
        os.chmod(tmp, mode)
        if existing is not None and os.geteuid() == 0:  # root keeps the file its owner's
            with contextlib.suppress(OSError):
                os.chown(tmp, existing.st_uid, existing.st_gid)
        if new_fix is not None:
            _take_new_name(tmp, path, option, new_fix)
        else:
            os.replace(tmp, path)
    except OSError as exc:  # a full disk, a quota: one line naming the file, as for input
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise InputError(
            path, option, f"{UNWRITTEN} ({exc.strerror or exc})",
            "free space on its disk or choose another path",
        ) from exc  # fmt: skip
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    finally:
        _PENDING.discard(tmp)


def _take_new_name(tmp: str, path: Path, option: str | None, fix: str) -> None:
    """Give ``tmp`` the name ``path`` only if no file has it: a hard link fails on a name
    taken, where a rename would replace it (two scans into one new fleet file: the second
    replaced the first's). Where links are not allowed, the name is checked, then taken."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    except OSError:  # a file system without hard links: checked, then taken
        if not path.exists():
            os.replace(tmp, path)
            return
    else:
        os.unlink(tmp)
        return
    raise InputError(
        path,
        option,
        "was made by another process while this one ran; it is kept, and nothing was written",
        fix,
    )


#: Paths that name a process's open files or devices (``/dev/stdout``, ``/dev/fd/3``,
#: ``/proc/self/fd/1``): written to as they are, even when they lead to a regular file
#: (a shell's ``> out.txt``), which a rename would take from under the shell.
_STREAM_FOLDERS = ("/dev/", "/proc/self/fd/")


def is_stream(path: Path) -> bool:
    """Whether ``path`` is a character device, a pipe or one of the names of
    :data:`_STREAM_FOLDERS` (written to in place, never replaced)."""
    if str(path).startswith(_STREAM_FOLDERS) and not path.is_dir():
        return True
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)


def _write_stream(path: Path, data: bytes) -> None:
    """Write ``data`` to a device or pipe — appending, so that a shell's redirection to a
    file keeps what was written before (an :class:`OSError` if it cannot take it, as a
    full disk under a regular file)."""
    with open(path, "ab") as handle:
        handle.write(data)
        handle.flush()


def atomic_write_text(path: Path, text: str, option: str | None = None,
                      new_fix: str | None = None) -> None:  # fmt: skip
    """:func:`atomic_write_bytes` of ``text`` in UTF-8."""
    atomic_write_bytes(path, text.encode("utf-8"), option, new_fix)


def backup_path(path: Path) -> Path:
    """Where the previous version of ``path`` goes: ``fleet.yaml.bak``, or the first free
    ``fleet.yaml.bak.1``, ``.bak.2``, … (an earlier backup is never overwritten)."""
    candidate = path.with_name(f"{path.name}.bak")
    number = 1
    while candidate.exists() or candidate.is_symlink():
        candidate = path.with_name(f"{path.name}.bak.{number}")
        number += 1
    return candidate


def keep_backup(path: Path, previous: bytes, option: str | None) -> Path:
    """Write ``previous`` (what ``path`` held) to a new :func:`backup_path` with ``path``'s
    permissions, never over an existing file (created exclusively, the next number if
    another process took the name first); returns it."""
    mode = path.stat().st_mode & 0o777
    while True:
        backup = backup_path(path)
        try:
            fd = os.open(backup, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        except FileExistsError:
            continue
        except OSError as exc:
            raise InputError(backup, option, f"cannot keep the previous file ({exc.strerror})",
                             "check the folder") from exc  # fmt: skip
        with os.fdopen(fd, "wb") as handle:
            handle.write(previous)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(backup, mode)  # as the file's, not reduced by the umask
        return backup


def write_keeping_previous(path: Path, text: str, option: str) -> Path | None:
    """:func:`atomic_write_text`, keeping a previous file of other content as its
    :func:`backup_path` first (:func:`keep_backup`) — for generated input files (a
    scenario, failure rates), which their users edit. Returns the backup's path
    (``None``: nothing to keep). A previous file that cannot be read is not replaced."""
    previous = b""
    if path.is_file():
        try:
            previous = path.read_bytes()
        except OSError as exc:
            raise InputError(path, option, f"cannot be read to keep it ({exc.strerror})",
                             "make it readable, or name another file") from exc  # fmt: skip
    backup = None
    if previous and previous != text.encode("utf-8"):
        backup = keep_backup(path, previous, option)
    atomic_write_text(path, text, option)
    return backup


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


#: The endings of the YAML files hashshock writes for itself to read (``scan --out``'s
#: fleet, ``audit --scenario-out``'s scenario).
YAML_SUFFIXES = (".yaml", ".yml")

#: An existing file with one of these endings is no JSON output: a ``--json`` naming one
#: is a slip for another option (``--json portfolio.yaml`` for ``--portfolio``), or a
#: document of the user's (``README.md``, notes), that it would replace with the JSON.
NOT_JSON_SUFFIXES = (
    ".yaml", ".yml", ".csv", ".duckdb", ".parquet", ".html", ".htm", ".py",
    ".md", ".txt", ".rst", ".toml", ".ipynb", ".xlsx", ".docx", ".pdf",
)  # fmt: skip


def check_output(
    target: str | Path | None,
    option: str,
    inputs: Iterable[Path | str | None] = (),
    suffixes: Iterable[str] = (),
) -> Path | None:
    """Refuse, before any work, an output ``target`` that cannot or must not be written;
    return it as a :class:`Path` (``None`` for ``None`` or ``-``, stdout).

    ``inputs`` are the files the command reads: writing over one of them would destroy
    the user's own file. ``suffixes`` (e.g. ``(".html",)``) are the endings allowed.
    """
    if target is None or str(target) == "-":
        return None
    path = Path(target).expanduser()
    resolved = resolved_output(path, option)
    check_outside_package(path, option)
    for source in inputs:
        if source is not None and _same_file(resolved, Path(source).expanduser()):
            raise InputError(
                path, option, f"is one of this run's input files ({source})",
                "name a new file for the output",
            )  # fmt: skip
    if path.is_dir():
        raise InputError(path, option, "is a folder", "give a file name")
    if is_stream(path):  # written in place: no file is made next to it
        if not os.access(path, os.W_OK):
            raise InputError(path, option, "cannot be written", "give a file name")
        return path
    if path.exists() and not path.is_file():
        raise InputError(path, option, "is neither a regular file, a character device nor a pipe",
                         "give a file name")  # fmt: skip
    # A link is written through to its target (atomic_write_bytes): the target's kind counts.
    kind = next((p.suffix.lower() for p in (path, resolved)
                 if p.suffix.lower() in NOT_JSON_SUFFIXES), None)  # fmt: skip
    if option == "--json" and kind is not None and resolved.is_file():
        raise InputError(
            path, option, f"is a {kind.lstrip('.').upper()} file of yours, which the JSON "
            "would replace", "name a new file for the JSON (e.g. out.json); did you mean "
            "another option?",
        )  # fmt: skip
    allowed = tuple(suffixes)
    if allowed and path.suffix.lower() not in allowed:
        raise InputError(
            path, option, f"has suffix {path.suffix or '(none)'!r}",
            f"name the file with {' or '.join(allowed)}",
        )  # fmt: skip
    folder = resolved.parent
    if not folder.is_dir():
        raise no_folder(path, folder, option)
    _probe_folder(path, folder, option)
    # Its mode too, not only os.access: root may write anything, but a file its owner made
    # read-only is one they meant to keep.
    read_only = resolved.exists() and (
        not os.access(resolved, os.W_OK) or not resolved.stat().st_mode & 0o222
    )
    if read_only:
        raise InputError(path, option, "is read-only", "make it writable or choose another name")
    if option == "--json":  # a package.json, a notes.json: the user's, never replaced
        check_replaceable(path, option, "a JSON file hashshock wrote", looks_like_output_json)
    return path


def check_distinct_outputs(*outputs: tuple[str, str | Path | None]) -> None:
    """Refuse, before any work, two of a command's outputs that are one file: the one
    written last would silently replace the other (``--json x --report x``).

    ``outputs`` are ``(option, target)`` pairs in the order the options are named in
    messages; ``None`` (not asked for) and ``-`` (stdout) are never the same file. Links
    and other spellings of one path are told apart by what they point at.
    """
    seen: list[tuple[str, Path]] = []
    for option, target in outputs:
        if target is None or str(target) == "-":
            continue
        path = Path(target).expanduser()
        for earlier_option, earlier in seen:
            if _same_file(resolved_output(path, option), earlier):
                raise InputError(
                    path, option, f"is also the {earlier_option} output",
                    f"give {option} and {earlier_option} different file names",
                )  # fmt: skip
        seen.append((option, path))


def check_replaceable(
    target: str | Path | None, option: str, kind: str, is_kind: Callable[[Path], bool],
    fix: str | None = None,
) -> None:  # fmt: skip
    """Refuse, before any work, an output ``target`` that exists and is not ``kind``
    (``fix``: what to do instead, when ``option`` names a folder, not the file).

    For the commands that write hashshock's own input files (``scan``'s inventory,
    ``audit``'s scenario, ``fit``'s failure rates): such a file is written to be edited
    and kept, so it replaces only an earlier file of its kind (``is_kind`` tells), never
    a fleet file or anything else the user named by mistake. An empty file holds nothing
    to lose and may be replaced.
    """
    if target is None or str(target) == "-":
        return
    path = Path(target).expanduser()
    if not path.is_file() or path.stat().st_size == 0 or is_kind(path):
        return
    raise InputError(path, option, f"exists and is not {kind}",
                     fix or f"name another file with {option}, or move this one")  # fmt: skip


#: The top-level keys that tell each command's JSON from anybody's (a ``version`` key alone
#: is anybody's): an object holding every key of one set is a file hashshock wrote, which
#: a ``--json`` or ``runs export`` may replace. A compare's ``scenarios`` list holds runs.
OUTPUT_JSON_KEYS: dict[str, frozenset[str]] = {
    "run": frozenset({"scenario", "manifest"}),
    "industry": frozenset({"industry", "manifest"}),
    "sweep": frozenset({"sweep", "points"}),
    "optimise": frozenset({"optimise", "chosen", "frontier"}),
    "strategies": frozenset({"strategies_run", "strategies"}),
    "breakpoint": frozenset({"covenant", "shock", "target_probability"}),
    "audit": frozenset({"kind", "by_vendor", "vendor_hhi"}),
    "fit": frozenset({"observable_parts", "min_failures", "results"}),
    "scan": frozenset({"hosts", "statuses", "outputs", "cohorts", "machines", "notes"}),
}


def is_output_json(data: object) -> bool:
    """Whether parsed JSON ``data`` is a document hashshock writes (:data:`OUTPUT_JSON_KEYS`)."""
    if not isinstance(data, dict):
        return False
    if isinstance(data.get("scenarios"), list) and data["scenarios"] and len(data) == 1:
        return all(is_output_json(run) for run in data["scenarios"])
    return any(keys <= data.keys() for keys in OUTPUT_JSON_KEYS.values())


def looks_like_output_json(path: Path) -> bool:
    """Whether the file ``path`` holds a JSON document hashshock wrote (:func:`is_output_json`)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return False
    return is_output_json(data)


def csv_columns(path: Path) -> set[str]:
    """The column names in the first line of the CSV file ``path`` (none if it cannot be
    read as text), for telling what kind of file it is."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            header = next(csv.reader(handle), [])
    except (OSError, UnicodeDecodeError, csv.Error):
        return set()
    return {name.strip() for name in header}


def resolved_output(path: Path, option: str | None) -> Path:
    """``path`` with its links followed (:meth:`Path.resolve`); a link that leads back to
    itself is an :class:`InputError` naming it, not a traceback."""
    try:
        return path.expanduser().resolve()
    except (RuntimeError, OSError) as exc:  # Python 3.11: RuntimeError("Symlink loop")
        raise InputError(
            path, option, f"is a symbolic link that cannot be followed ({exc})",
            "remove the link, or name another file",
        ) from None  # fmt: skip


def check_outside_package(path: Path, option: str) -> None:
    """Refuse an output inside the installed hashshock package: its bundled data are
    every run's inputs (``fit --out`` onto ``data/failure_rates.csv`` replaced them)."""
    if resolved_output(path, option).is_relative_to(Path(__file__).resolve().parent):
        raise InputError(
            path, option, "is inside the installed hashshock package (its bundled data "
            "and code)", "name a file or folder of your own outside it",
        )  # fmt: skip


def check_output_dir(path: str | Path, option: str) -> Path:
    """Check that ``path`` is a writable folder or can be made one (its parent exists)."""
    folder = Path(path).expanduser()
    check_outside_package(folder, option)
    if folder.exists() and not folder.is_dir():
        raise InputError(folder, option, "is a file, not a folder", "name a folder")
    parent = folder if folder.is_dir() else folder.parent
    if not parent.is_dir():
        raise no_folder(folder, parent, option)
    _probe_folder(folder, parent, option)
    return folder


def _probe_folder(path: Path, folder: Path, option: str) -> None:
    """The real test, also for root and read-only file systems: make a file there."""
    try:
        fd, probe = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".probe")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise InputError(
            path,
            option,
            f"cannot write in {folder} ({exc.strerror or exc})",
            "choose a folder you can write",
        ) from None


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a == b.resolve() or (a.exists() and b.exists() and a.samefile(b))
    except (OSError, RuntimeError):  # a link loop is no file: said where it is checked
        return False
