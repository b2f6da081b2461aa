"""Fleet files for the dashboard: uploaded text parsed and validated like the CLI's, and
fleet files found under the folder the server was started for.

An upload is parsed by the same YAML loader as ``hashshock validate`` (a ``SafeLoader``
subclass: no Python objects, no file access) and validated by
:func:`hashshock.inputs.load.fleet_from_mapping`, so a bad file gets the CLI's one-line
message. An uploaded fleet cannot name other files (``catalog``, ``cohorts_csv``,
``failure_rates``): the server has no business reading paths a browser chose.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote

from hashshock.inputs.errors import InputError
from hashshock.inputs.files import parse_yaml_mapping
from hashshock.inputs.kinds import check_kind
from hashshock.inputs.load import LoadedFleet, fleet_from_mapping, load_fleet
from hashshock.words import shown_controls

#: Default largest upload, bytes (the mid-size example is 4 kB).
MAX_UPLOAD_BYTES = 1024 * 1024
_FILE_FIELDS = ("catalog", "cohorts_csv", "failure_rates")
#: Longest uploaded file name, characters (most file systems stop at 255 bytes).
MAX_NAME_CHARS = 255
#: The name of an upload that gives none.
DEFAULT_NAME = "upload.yaml"
#: Fleets kept in memory for runs (oldest forgotten first).
KEEP_FLEETS = 64
#: How many folders below the fleets folder to look, and how many files to list at most.
MAX_DEPTH, MAX_LISTED = 3, 200


def upload_name(header: str | None) -> str:
    """The uploaded file's name from its ``X-Filename`` header: percent-encoded UTF-8 (the
    page's ``encodeURIComponent``: a header carries Latin-1 only), decoded, its folders
    dropped (``../../x.yaml`` is ``x.yaml``: the name only labels messages). A name that is
    not UTF-8, has control characters or is longer than :data:`MAX_NAME_CHARS` is an
    :class:`InputError`."""
    if not header:
        return DEFAULT_NAME
    try:
        decoded = unquote(header, errors="strict")
    except UnicodeDecodeError:
        raise InputError(None, "X-Filename", f"{header[:80]!r} is not percent-encoded UTF-8",
                         "send the name as encodeURIComponent(name)") from None  # fmt: skip
    # a Windows path's folders too, whatever the server's own separator
    name = PurePosixPath(decoded.replace("\\", "/")).name or DEFAULT_NAME
    if shown_controls(name) != name:  # a line break or escape would forge message lines
        raise InputError(None, "X-Filename", f"'{shown_controls(name)[:80]}' has control "
                         "characters", "rename the file without them")  # fmt: skip
    if len(name) > MAX_NAME_CHARS:
        raise InputError(None, "X-Filename", f"the file name is {len(name):,} characters long",
                         f"rename the file to at most {MAX_NAME_CHARS} characters")  # fmt: skip
    return name


def parse_fleet_text(text: str, name: str) -> LoadedFleet:
    """Validate an uploaded fleet file's text (``name`` labels messages)."""
    label = Path(name).name or "upload"
    data = parse_yaml_mapping(text, label, "upload a fleet file (see README 'Fleet file')")
    check_kind(data, "fleet", label)  # an industry or scenario file said as such, as run does
    for field in _FILE_FIELDS:
        if data.get(field):
            raise InputError(
                label, field, "an uploaded fleet cannot refer to other files",
                "pick the fleet from the server's folder instead, or remove this field",
            )  # fmt: skip
    return fleet_from_mapping(data, Path(label), base_dir=Path("/nonexistent"))


def find_fleets(folder: Path, max_bytes: int = MAX_UPLOAD_BYTES) -> list[str]:
    """Fleet YAML files under ``folder`` (relative paths, sorted, :data:`MAX_LISTED` at
    most): files of at most ``max_bytes`` bytes (the server's upload limit: a file too
    large to upload is too large to pick) with a top-level ``cohorts:`` key, inside
    ``folder`` once links are followed, three folders deep at most. Deeper and hidden
    folders are not entered, nor linked ones: ``--fleets ~`` lists in a moment."""
    found: list[str] = []
    root = folder.resolve()
    for here, folders, files in os.walk(root):
        depth = len(Path(here).relative_to(root).parts)
        folders[:] = (
            []
            if depth >= MAX_DEPTH
            else sorted(name for name in folders if not name.startswith("."))
        )
        for name in sorted(files):
            if len(found) >= MAX_LISTED:
                return sorted(found)
            path = Path(here) / name
            if name.startswith(".") or not fnmatch(name, "*.y*ml"):
                continue
            if not path.resolve().is_relative_to(root):  # a link out of the folder
                continue
            if _is_fleet_file(path, max_bytes):
                found.append(path.relative_to(root).as_posix())
    return sorted(found)


def _is_fleet_file(path: Path, max_bytes: int) -> bool:
    """Whether ``path`` (a file of at most ``max_bytes``) has a top-level ``cohorts:``
    key, read line by line up to it: a fleet names its cohorts near its top."""
    try:
        if path.stat().st_size > max_bytes:
            return False
        with path.open(encoding="utf-8", errors="replace") as handle:
            return any(line.startswith("cohorts:") for line in handle)
    except OSError:
        return False


@dataclass(frozen=True)
class FleetEntry:
    fleet_id: str
    label: str
    loaded: LoadedFleet

    def describe(self) -> dict[str, Any]:
        fleet = self.loaded.fleet
        return {"fleet_id": self.fleet_id, "label": self.label, "name": fleet.name,
                "machines": self.loaded.machines, "sites": len(fleet.sites),
                "cohorts": len(fleet.cohorts), "nameplate_ths": self.loaded.nameplate_ths,
                "start_date": fleet.start_date.isoformat()}  # fmt: skip


class Fleets:
    """Validated fleets by id: uploads and files picked from the server's folder."""

    def __init__(self, folder: Path, max_bytes: int = MAX_UPLOAD_BYTES) -> None:
        self.folder = folder.resolve()
        self.max_bytes = max_bytes  # largest file offered, bytes
        self._entries: OrderedDict[str, FleetEntry] = OrderedDict()
        self._lock = threading.Lock()

    def _add(self, label: str, loaded: LoadedFleet) -> FleetEntry:
        entry = FleetEntry(uuid.uuid4().hex[:12], label, loaded)
        with self._lock:
            self._entries[entry.fleet_id] = entry
            while len(self._entries) > KEEP_FLEETS:
                self._entries.popitem(last=False)
        return entry

    def upload(self, name: str, text: str) -> FleetEntry:
        return self._add(f"uploaded {Path(name).name}", parse_fleet_text(text, name))

    def offered(self) -> list[str]:
        """The fleet files the page may pick (:func:`find_fleets`)."""
        return find_fleets(self.folder, self.max_bytes)

    def pick(self, relative: str) -> FleetEntry:
        if relative not in self.offered():
            raise InputError(relative, None, "is not one of the fleet files offered",
                             "pick a file from the list, or upload one")  # fmt: skip
        return self._add(relative, load_fleet(self.folder / relative))

    def get(self, fleet_id: str) -> FleetEntry:
        with self._lock:
            entry = self._entries.get(fleet_id)
        if entry is None:
            raise InputError(None, "fleet", "unknown or expired fleet",
                             "pick or upload the fleet again")  # fmt: skip
        return entry
