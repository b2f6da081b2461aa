"""Reading YAML, CSV and JSON files into plain Python, with errors that name the file."""

from __future__ import annotations

import csv
import json
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

import yaml

from hashshock.inputs.errors import InputError, check_not_yaml_text
from hashshock.inputs.kinds import check_kind

# libyaml's parser where PyYAML was built with it (about 5x faster on a fleet file).
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_SafeLoader):  # type: ignore[valid-type,misc]
    """``yaml.SafeLoader`` that leaves an impossible date (``2026-02-30``) as its text, so
    validation reports it against its field instead of the parser raising, and refuses
    a key given twice in one mapping (plain YAML keeps the last one silently)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, yaml.Node] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue  # `<<: *anchor` merges keys that the mapping's own keys override
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, str | int | float | bool) and key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} appears twice in one mapping",
                    key_node.start_mark,
                )  # fmt: skip
            seen[key] = key_node
        mapping: dict[Any, Any] = super().construct_mapping(node, deep)
        return mapping


#: Where the relative file names of an input given as a mapping (no file) start.
MAPPING_FOLDER = "the working folder (a mapping's)"


def _timestamp(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


#: Most values (mappings, lists and scalars, an alias counted as often as it is used) an
#: input YAML may expand to: a few aliases nested in each other repeat their content
#: exponentially, and validating it would take minutes. A fleet of 200,000 cohorts written
#: out is about 1.4 M.
MAX_YAML_VALUES = 2_000_000


def value_counts(data: Any) -> tuple[int, int]:
    """How many values ``data`` holds once every alias is expanded (a shared list or
    mapping counted at each use), and how many as written (each counted once) — without
    expanding it: each container's size is computed once, from the leaves up. An alias
    inside itself counts as more than :data:`MAX_YAML_VALUES`."""
    sizes: dict[int, int] = {}
    written = 1
    open_ids: set[int] = set()  # containers whose children are being counted
    stack: list[tuple[Any, bool]] = [(data, False)]
    while stack:
        value, children_done = stack.pop()
        if not isinstance(value, dict | list) or id(value) in sizes:
            continue
        if not children_done and id(value) in open_ids:  # an alias inside itself: endless
            return MAX_YAML_VALUES + 1, written
        items = [*value.keys(), *value.values()] if isinstance(value, dict) else value
        if children_done:
            open_ids.discard(id(value))
            sizes[id(value)] = 1 + sum(
                sizes.get(id(item), 1) if isinstance(item, dict | list) else 1 for item in items
            )
            written += len(items)
            continue
        open_ids.add(id(value))
        stack.append((value, True))
        stack.extend((item, False) for item in items if isinstance(item, dict | list))
    return sizes.get(id(data), 1), written


def check_is_file(path: Path, what: str, fix: str) -> None:
    """Refuse a ``path`` that is not a file: ``<what> not found``, or a folder given for
    it, each with ``fix``."""
    if path.is_dir():
        raise InputError(path, None, "is a folder, not a file", fix)
    if not path.is_file():
        found = "is not a regular file (a pipe or a device)" if path.exists() else "not found"
        raise InputError(path, None, f"{what} {found}", fix)


def read_yaml_mapping(path: Path, kind: str | None = None) -> dict[str, Any]:
    """Parse a YAML file that must hold a mapping at top level; with ``kind`` (a key of
    :data:`hashshock.inputs.kinds.SIGNS`), a file of another kind is refused as such."""
    check_not_yaml_text(path)
    if not path.exists():
        raise InputError(path, None, "file not found", "check the path")
    if path.is_dir():
        raise InputError(path, None, "is a folder, not a file", "name the YAML file itself")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            path,
            None,
            f"is not UTF-8 text (byte {exc.start}: {exc.object[exc.start]:#04x})",
            "save it as UTF-8 (a text editor's encoding setting), or check it is a text file",
        ) from exc
    except OSError as exc:
        raise InputError(
            path, None, f"cannot read file ({exc.strerror or exc})", "check the file's permissions"
        ) from exc
    if text.lstrip()[:14].lower().startswith(("<!doctype html", "<html")):
        # a report page: not "malformed YAML (line 2, column 217)"
        wanted = f"the {kind} file" if kind else "a YAML file"
        raise InputError(path, None, "is an HTML page (a report?), not YAML",
                         f"give {wanted} itself")  # fmt: skip
    data = parse_yaml_mapping(text, path)
    if kind is not None:
        check_kind(data, kind, path)
    return data


def parse_yaml_mapping(
    text: str, label: str | Path, top_fix: str = "start with 'key: value' lines"
) -> dict[str, Any]:
    """Parse YAML ``text`` that must hold a mapping at top level; ``label`` (a file name)
    and ``top_fix`` go into the messages."""
    try:
        data = yaml.load(text, Loader=_Loader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else None
        problem = getattr(exc, "problem", None) or "not valid YAML"
        fix = (
            "keep one of them (YAML would silently use the last)"
            if "appears twice" in problem
            else "check indentation, colons and quotes"
        )
        raise InputError(label, where, f"malformed YAML ({problem})", fix) from None
    expanded, written = value_counts(data)
    if written > MAX_YAML_VALUES:
        raise InputError(label, None, f"holds more than {MAX_YAML_VALUES:,} values",
                         "put long lists in a CSV (a fleet's cohorts_csv)")  # fmt: skip
    if expanded > MAX_YAML_VALUES:
        raise InputError(
            label, None, f"expands to more than {MAX_YAML_VALUES:,} values (its anchors and "
            "aliases repeat their content)",
            "write the repeated content out once per use, or put long lists in a CSV "
            "(a fleet's cohorts_csv)",
        )  # fmt: skip
    if not isinstance(data, dict):
        found = ("is empty" if data is None
                 else f"holds a {'list' if isinstance(data, list) else 'single value'}, "
                 "not a mapping")  # fmt: skip
        raise InputError(label, None, f"{found}: expected a YAML mapping at top level", top_fix)
    return data


def check_unrepeated(
    path: Path, header: Sequence[str], read: Collection[str] | None = None
) -> None:
    """Refuse a column the header names twice (of ``read``, when given: the columns the
    caller reads): a row read into a mapping keeps only the last copy, so the other
    copy's values would be dropped without a word."""
    for column in dict.fromkeys(h for h in header if h and (read is None or h in read)):
        places = [str(i) for i, name in enumerate(header, start=1) if name == column]
        if len(places) > 1:
            where = f"{', '.join(places[:-1])} and {places[-1]}"
            raise InputError(
                path, "header", f"column {column} appears {len(places)} times (columns {where})",
                f"keep one {column} column: merge the values into it and delete or rename "
                "the others",
            )  # fmt: skip


#: Separators a CSV may have been saved with instead of commas, as a message names them.
_SEPARATORS = {";": "semicolons", "\t": "tabs", "|": "bars"}


def check_columns(path: Path, header: Sequence[str], required: Sequence[str], fix: str) -> None:
    """Refuse a ``header`` without a column of ``required``, naming those missing, with
    ``fix``; a header of one cell holding semicolons, tabs or bars is told it is not
    comma-separated, and a column written in other case (``Model``) is told to be
    written as its name (``model``)."""
    missing = [c for c in required if c not in header]
    if not missing:
        return
    named = [h for h in header if h]
    if len(named) == 1 and any(sep in named[0] for sep in _SEPARATORS):
        shown = next(words for sep, words in _SEPARATORS.items() if sep in named[0])
        raise InputError(path, "header", f"its columns are separated by {shown}, not commas",
                         f"save it as comma-separated CSV, with the header "
                         f"{','.join(required)}")  # fmt: skip
    cased = {h.lower(): h for h in named}
    other_case = [(cased[c.lower()], c) for c in missing if c.lower() in cased]
    if other_case:
        renames = ", ".join(f"{name} for {given}" for given, name in other_case)
        fix = f"write {renames} (column names are lower case); {fix}"
    raise InputError(path, "header", f"missing column(s) {', '.join(missing)}", fix)


def read_csv(
    path: Path, read: Collection[str] | None = None
) -> tuple[list[str], list[dict[str, str]]]:
    """The header and the rows of a CSV file (:func:`read_csv_numbered`)."""
    header, rows, _ = read_csv_numbered(path, read)
    return header, rows


def read_csv_numbered(
    path: Path, read: Collection[str] | None = None
) -> tuple[list[str], list[dict[str, str]], list[int]]:
    """The header and the rows of a CSV file (cells stripped, missing trailing cells empty,
    blank lines skipped; a UTF-8 byte-order mark is allowed), and each row's number.

    Row numbers count the header as row 1. A row with more non-empty cells than the
    header raises :class:`InputError` (a value holding an unquoted comma, usually), as
    does a column the header names twice (:func:`check_unrepeated`; ``read``: the
    columns the caller reads, the only ones that may not repeat; ``None``: every one).
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
    _check_quotes_closed(path)
    if not lines:
        return [], [], []
    header = [h.strip() for h in lines[0]]
    check_unrepeated(path, header, read)
    rows: list[dict[str, str]] = []
    numbers: list[int] = []
    for line, cells in enumerate(lines[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        if any(c.strip() for c in cells[len(header) :]):
            raise InputError(
                path, f"row {line}", f"{len(cells)} cells but the header has {len(header)}",
                "quote values that contain commas, or remove the extra cells",
            )  # fmt: skip
        values = [c.strip() for c in cells] + [""] * (len(header) - len(cells))
        rows.append({h: v for h, v in zip(header, values, strict=False) if h})
        numbers.append(line)
    return header, rows, numbers


def _check_quotes_closed(path: Path) -> None:
    """Refuse a CSV with a quote never closed: read leniently, the rest of the file is one
    cell of its row, and the message named a column left empty there."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle, strict=True)
        try:
            for _ in reader:
                pass
        except csv.Error as exc:
            if "unexpected end of data" not in str(exc):
                return  # another strictness (text after a closing quote): read as it is
            opened = _quote_opened_on(path)
            raise InputError(path, f"line {opened}", 'a quote (") opens a cell and is never '
                             "closed, so the rest of the file reads as that one cell",
                             "close the quote, or remove it") from None  # fmt: skip


def _quote_opened_on(path: Path) -> int:
    """The line of ``path`` where the quote left open starts (the first line after which an
    odd number of quotes has been seen)."""
    seen, opened = 0, 1
    with path.open(encoding="utf-8-sig") as handle:
        for number, line in enumerate(handle, start=1):
            if seen % 2 == 0 and line.count('"') % 2 == 1:
                opened = number
            seen += line.count('"')
    return opened if seen % 2 == 1 else 1


def read_csv_rows(path: Path, read: Collection[str] | None = None) -> list[dict[str, str]]:
    """The rows of a CSV file with a header row, as dicts (:func:`read_csv`)."""
    return read_csv(path, read)[1]


def _not_json(constant: str) -> None:
    raise ValueError(f"{constant} is not JSON; a missing number is null")


def read_json(path: Path, fix: str) -> Any:
    """The JSON document in ``path``; an :class:`InputError` naming the file, and the
    line and column of a syntax error, when it cannot be read (``fix`` says how to write
    it again). A document nested deeper than Python's parser goes (``[[[…]]]`` a few
    thousand deep; no hashshock JSON is) is refused the same way, not a RecursionError,
    as is ``NaN`` or ``Infinity``, which are not JSON (hashshock writes ``null``): a figure
    edited to one would be drawn as a number."""
    try:
        return json.loads(path.read_text(encoding="utf-8"), parse_constant=_not_json)
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(path, None, f"cannot be read ({exc})", "check the file") from None
    except json.JSONDecodeError as exc:
        raise InputError(path, f"line {exc.lineno}, column {exc.colno}",
                         f"not valid JSON ({exc.msg})", fix) from None  # fmt: skip
    except RecursionError:
        raise InputError(path, None, "is nested too deeply to be a hashshock JSON", fix) from None
    except ValueError as exc:  # a number of more digits than Python converts
        raise InputError(path, None, f"cannot be read as JSON ({exc})", fix) from None
