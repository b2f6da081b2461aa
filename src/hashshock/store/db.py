"""Opening the run store: default location, locks, schema checks and migration.

DuckDB lets one process at a time open a database file for writing, so every operation
opens the store, does its work in a transaction and closes it at once; a process that
finds the file locked by another waits and tries again (up to ``HASHSHOCK_STORE_WAIT``
seconds, default 30). Two processes saving at once therefore both land, one after the
other. Inside one process a lock per store serialises the threads (the dashboard's).
A save is one transaction: a process killed mid-save leaves the store as it was.
"""

from __future__ import annotations

import math
import os
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import duckdb

from hashshock.inputs.errors import InputError, shown
from hashshock.outputs import no_folder
from hashshock.store.schema import DAMAGED, SCHEMA_VERSION, create, migrate, version_of

STORE_FILE = "runs.duckdb"
#: Hex digits of a saved run's, sweep's or industry's id.
ID_LENGTH = 8
WAIT_ENV = "HASHSHOCK_STORE_WAIT"
_DEFAULT_WAIT_S = 30.0
_locks: dict[Path, threading.Lock] = {}
_locks_guard = threading.Lock()


class EmptyStore(InputError):
    """A read of an empty DuckDB file given as the store: it holds no runs, and is not
    written to (a listing of it lists nothing)."""


def default_store_path() -> Path:
    """``user_data_dir() / "runs.duckdb"`` (``$HASHSHOCK_DATA_DIR``, else
    ``$XDG_DATA_HOME/hashshock``, else ``~/.local/share/hashshock``)."""
    from hashshock.market.snapshot import user_data_dir

    return user_data_dir() / STORE_FILE


def store_path(path: str | Path | None) -> Path:
    """The store at ``path`` (None: the default); an :class:`InputError` for anything that
    is not a path."""
    if path is not None and not isinstance(path, str | Path):
        raise InputError(None, "store (--store)", f"{shown(path)} is not a store's path",
                         "give the store file's path, or None for the default")  # fmt: skip
    return default_store_path() if path is None else Path(path).expanduser()


def _thread_lock(path: Path) -> threading.Lock:
    key = path.resolve()
    with _locks_guard:
        return _locks.setdefault(key, threading.Lock())


def _wait_s() -> float:
    """Seconds to wait for a store another process has locked (``$HASHSHOCK_STORE_WAIT``,
    default 30): a value that is not a number is said, not taken as the default."""
    given = os.environ.get(WAIT_ENV, "").strip()
    if not given:
        return _DEFAULT_WAIT_S
    try:
        seconds = float(given)
    except ValueError:
        seconds = math.nan
    if math.isnan(seconds) or seconds < 0:  # inf: wait as long as it takes
        raise InputError(None, WAIT_ENV, f"{given!r} is not a number of seconds (0 or more)",
                         f"set it to e.g. {_DEFAULT_WAIT_S:g}, or unset it")  # fmt: skip
    return seconds


def _open(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + _wait_s()
    pause = 0.02
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            text = str(exc)
            if "lock" in text.lower() and time.monotonic() < deadline:
                time.sleep(pause)
                pause = min(pause * 1.5, 0.5)
                continue
            if "lock" in text.lower():
                raise InputError(
                    path, "--store", "is locked by another process",
                    f"try again when it is done (or raise {WAIT_ENV} seconds)",
                ) from None  # fmt: skip
            if "permission denied" in text.lower():  # not "not a DuckDB database"
                raise InputError(path, "--store", "cannot be opened (permission denied)",
                                 "make it (and its folder) writable, or give --store "
                                 "another file") from None  # fmt: skip
            if _is_duckdb(path):  # a store cut short (a copy interrupted): not another file
                reason = text.strip().splitlines()[0] if text.strip() else "an I/O error"
                raise InputError(path, "--store", f"is a DuckDB file DuckDB cannot open "
                                 f"({reason})", DAMAGED_FIX) from None  # fmt: skip
            raise InputError(
                path, "--store", "is not a hashshock run store (not a DuckDB database)",
                "give the store file (runs.duckdb) or a new file name",
            ) from None  # fmt: skip
        except duckdb.Error as exc:
            if not _is_duckdb(path):
                raise InputError(
                    path, "--store", "is not a hashshock run store (not a DuckDB database)",
                    "give the store file (runs.duckdb) or a new file name",
                ) from None  # fmt: skip
            raise InputError(path, "--store", f"cannot open ({exc})", "check the file") from None


def _is_duckdb(path: Path) -> bool:
    """Whether ``path`` starts as a DuckDB database file does (its magic bytes at 8)."""
    try:
        with path.open("rb") as file:
            return file.read(12)[8:12] == b"DUCK"
    except OSError:
        return False


#: What to do about a store DuckDB cannot read, or whose tables are not as written.
DAMAGED_FIX = (
    "the store looks damaged: move it aside (a new one is made there) or give another --store"
)


def _check_version(path: Path, version: int | None) -> None:
    if version == DAMAGED:
        raise InputError(path, "--store", "is damaged: its schema version is not a number",
                         DAMAGED_FIX)  # fmt: skip
    if version == -1:
        raise InputError(
            path, "--store", "is a DuckDB database but not a hashshock run store",
            "give another file for the store",
        )  # fmt: skip
    if version is not None and version > SCHEMA_VERSION:
        raise InputError(
            path, "--store", f"was written by a newer hashshock (schema v{version}; this "
            f"one reads up to v{SCHEMA_VERSION})", "upgrade hashshock",
        )  # fmt: skip


def check_store(path: str | Path | None, must_exist: bool = False, write: bool = True) -> Path:
    """Check before any work that the store at ``path`` (None: the default) can be used:
    an existing store opens and has a known schema and, to be written (``write``), is
    writable, as its folder is (DuckDB writes a journal beside it); a new one can be
    created (its folder exists or can be made). Raises :class:`InputError`."""
    from hashshock.outputs import check_outside_package

    target = store_path(path)
    check_outside_package(target, "--store")
    if target.is_dir():
        raise InputError(target, "--store", "is a folder", "give a file, e.g. runs.duckdb")
    if target.exists():
        _probe(target)
        if write:  # found after the simulation, the runs were lost with an exit 1
            _check_writable(target)
        return target
    if must_exist:
        raise InputError(
            target, "--store", "no run store here",
            "save a run first (hashshock run ... --save) or give --store PATH",
        )  # fmt: skip
    folder = target.parent
    explicit = path is not None
    if explicit and not folder.is_dir():
        raise no_folder(target, folder, "--store")
    existing = next((p for p in (folder, *folder.parents) if p.exists()), None)
    if existing is None or not os.access(existing, os.W_OK | os.X_OK):
        raise InputError(target, "--store", "its folder is not writable", "give --store PATH")
    return target


def _check_writable(path: Path) -> None:
    """Refuse a store this process cannot write: the file read-only (its mode, as
    :func:`connect` refuses it) or not ours to write, or its folder closed to the journal."""
    fix = "make it writable, or give --store another file"
    if not path.stat().st_mode & 0o222 or not os.access(path, os.W_OK):
        raise InputError(path, "--store", "is read-only", fix)
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise InputError(path, "--store", "is in a folder this user cannot write (DuckDB "
                         "writes its journal beside the store)", fix)  # fmt: skip


def _probe(path: Path) -> None:
    """Check that an existing file can be a store: it opens, it is whole, and it is
    empty or a run store of a known schema (nothing written to it)."""
    with _thread_lock(path), _unusable_as_input(path):
        con = _open(path, read_only=True)
        try:
            _check_version(path, version_of(con))
        finally:
            con.close()


@contextmanager
def _unusable_as_input(path: Path) -> Iterator[None]:
    """DuckDB's errors on the store (a damaged file, a full disk) as one line naming it:
    an :class:`InputError` (exit 2 before the work; after it, the results could not be
    saved, :func:`hashshock.cli.common.write_or_report`)."""
    try:
        yield
    except duckdb.Error as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        # DuckDB's words say which: a full disk ("No space left on device"), a file not a
        # store's (damaged: "Could not read enough bytes", a missing table); memory and
        # other failures could be either, so both are said.
        said = reason.lower()
        if "space" in said:
            fix = "free space on its disk"
        elif "read" in said or "catalog" in said or "corrupt" in said:
            fix = DAMAGED_FIX
        else:
            fix = "free space on its disk if it is full; " + DAMAGED_FIX.replace(
                "the store looks damaged:", "if the store is damaged,"
            )
        raise InputError(path, "--store", f"could not be read or written ({reason})",
                         fix) from None  # fmt: skip


@contextmanager
def connect(path: Path, write: bool) -> Iterator[duckdb.DuckDBPyConnection]:
    """An open connection to the store at ``path``, closed on exit.

    ``write=True`` creates the store (and its folder) if missing and migrates an old
    schema forward; ``write=False`` needs an existing store and never changes it (an old
    schema is migrated first, which needs a moment of write access).
    """
    if not write and path.is_dir():
        inside = path / "runs.duckdb"
        example = f", e.g. {inside}" if inside.is_file() else ""
        raise InputError(path, "--store", "is a folder, not a store file",
                         f"give the file{example}")  # fmt: skip
    if not write and not path.is_file():
        raise InputError(
            path, "--store", "no run store here",
            "save a run first (hashshock run ... --save) or give --store PATH",
        )  # fmt: skip
    # A store its owner made read-only is one they meant to keep as it is, as an output
    # file is (root would write it anyway: the mode is read, not only os.access).
    if write and path.is_file() and not path.stat().st_mode & 0o222:
        raise InputError(path, "--store", "is read-only", "make it writable, or give "
                         "--store another file")  # fmt: skip
    with _thread_lock(path), _unusable_as_input(path):
        if write:
            path.parent.mkdir(parents=True, exist_ok=True)
        con = _open(path, read_only=not write)
        try:
            version = version_of(con)
            _check_version(path, version)
            if version is None and not write:  # an empty database: nothing to read, kept so
                raise EmptyStore(
                    path, "--store", "holds no runs yet (an empty DuckDB database)",
                    "save a run to it first (hashshock run ... --store PATH)",
                )  # fmt: skip
            if version is None or version < SCHEMA_VERSION:
                if not write:
                    con.close()
                    con = _open(path, read_only=False)
                    version = version_of(con)
                if version is None:
                    con.execute("BEGIN TRANSACTION")
                    create(con)
                    con.execute("COMMIT")
                    version = 0
                migrate(con, version)
            yield con
        finally:
            con.close()


def insert_frame(con: duckdb.DuckDBPyConnection, table: str, rows: Any) -> None:
    """Insert the rows of a pandas DataFrame into ``table``, by column name (one
    statement: DuckDB reads the frame directly)."""
    con.register("incoming", rows)
    try:
        columns = ", ".join(rows.columns)
        con.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM incoming")
    finally:
        con.unregister("incoming")


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """The block as one transaction: committed when it ends, rolled back if it raises
    (a save lands whole or not at all)."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
        con.execute("COMMIT")
    except BaseException:
        # a COMMIT that failed (a full disk) has ended the transaction already: the error
        # to report is that one, not the ROLLBACK's "no transaction is active"
        with suppress(duckdb.Error):
            con.execute("ROLLBACK")
        raise


def new_id(con: duckdb.DuckDBPyConnection, table: str, column: str,
           taken: set[str] | frozenset[str] = frozenset()) -> str:  # fmt: skip
    """A random id of :data:`ID_LENGTH` hex digits that ``table.column`` does not hold
    (nor ``taken``: ids given out in the same transaction)."""
    while True:
        found = uuid.uuid4().hex[:ID_LENGTH]
        if found in taken:
            continue
        if con.execute(f"SELECT 1 FROM {table} WHERE {column} = ?", [found]).fetchone() is None:
            return found
