"""Read a fleet file for a merge and write the merged one back, keeping the user's text.

The file is read and written with ruamel.yaml's round-trip mode: comments, key order,
flow or block style and quoting survive, and the parts of the file the merge did not
change are copied from the original text line for line (:func:`render_fleet_yaml`).
The previous version is kept in a backup that never overwrites an earlier one
(:func:`write_merged`).
"""

from __future__ import annotations

import copy
import difflib
import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError as RoundTripYAMLError
from ruamel.yaml.representer import RoundTripRepresenter
from ruamel.yaml.util import load_yaml_guess_indent

from hashshock.inputs.errors import InputError
from hashshock.inputs.files import read_yaml_mapping
from hashshock.outputs import atomic_write_text, keep_backup

#: The first line of the comment header ``hashshock scan`` writes names the command ...
SCAN_HEADER_MARK = "`hashshock scan`"
#: ... and its last line starts with this; a re-scan replaces the lines between.
SCAN_HEADER_END = "This header is rewritten by each scan"


@dataclass(frozen=True)
class Layout:
    """Indentation of a fleet file (spaces): nested mappings, sequence items and their dash,
    as ruamel.yaml's ``indent(mapping, sequence, offset)``; and its line ending."""

    mapping: int = 2
    sequence: int = 4
    offset: int = 2
    newline: str = "\n"


def _guess_layout(text: str) -> Layout:
    """The indentation a file uses (ruamel guesses sequences; mappings are read here)."""
    try:
        _, sequence, offset = load_yaml_guess_indent(text)
    except (RoundTripYAMLError, ValueError):
        sequence, offset = None, None
    mapping = 2
    after_key = False
    for line in text.splitlines():
        content = line.split(" #")[0].rstrip()
        if not content or content.lstrip().startswith("#"):
            continue
        indent = len(content) - len(content.lstrip(" "))
        if after_key and indent and not content.lstrip().startswith("-"):
            mapping = indent
            break
        after_key = indent == 0 and content.endswith(":")
    default = Layout()
    if not isinstance(sequence, int) or not isinstance(offset, int) or sequence < offset + 2:
        sequence, offset = default.sequence, default.offset
    return Layout(mapping, sequence, offset, "\r\n" if "\r\n" in text else "\n")


class _NoAliasRepresenter(RoundTripRepresenter):
    """ruamel's round-trip representer, writing an anchor and aliases only for a node the
    user anchored in the file: a value the merge put in two places (a date) is written
    out twice, never as ``&id001``/``*id001`` (editing one would silently change the other)."""

    def ignore_aliases(self, data: Any) -> bool:
        anchor = getattr(data, "anchor", None)
        return getattr(anchor, "value", None) is None


def _round_trip(layout: Layout) -> YAML:
    rt = YAML()
    rt.Representer = _NoAliasRepresenter
    rt.indent(mapping=layout.mapping, sequence=layout.sequence, offset=layout.offset)
    rt.width = 4096  # never fold a line the user did not write folded
    rt.preserve_quotes = True
    return rt


def _dump(data: Any, layout: Layout) -> str:
    """``data`` as YAML text. Dumps a copy: ruamel consumes the comments of a deep-copied
    document as it writes them, so a second dump of the same object would lose them."""
    out = io.StringIO()
    _round_trip(layout).dump(copy.deepcopy(data), out)
    return out.getvalue()


def as_run_reads_it(data: Any) -> dict[str, Any]:
    """The mapping as ``hashshock run`` reads the written file (PyYAML, YAML 1.1)."""
    loaded = yaml.safe_load(_dump(data, Layout()))
    return loaded if isinstance(loaded, dict) else {}


@dataclass(frozen=True)
class FleetDocument:
    """A fleet file read for a merge.

    ``data`` is the round-trip mapping (comments and styles attached), ``text`` the file
    as it was on disk, ``body`` the text without the header of an earlier scan (the part
    ``data`` was parsed from) and ``layout`` its indentation.
    """

    path: Path
    data: CommentedMap
    text: str
    body: str
    layout: Layout


def strip_scan_header(text: str) -> str:
    """``text`` without the comment header an earlier ``hashshock scan`` wrote on top (from a
    first line naming the command to the line starting with :data:`SCAN_HEADER_END`)."""
    lines = text.splitlines(keepends=True)
    if not lines or not lines[0].startswith("#") or SCAN_HEADER_MARK not in lines[0]:
        return text
    for i, line in enumerate(lines):
        if not line.startswith("#"):
            return text
        if SCAN_HEADER_END in line:
            return "".join(lines[i + 1 :])
    return text


def read_fleet_document(path: Path) -> FleetDocument:
    """Read a fleet file for merging, keeping its comments and layout.

    The file must first pass the reading checks of ``hashshock run``; a file that PyYAML
    reads but the round-trip parser refuses (a duplicate key) raises :class:`InputError`.
    """
    read_yaml_mapping(path)
    with path.open(encoding="utf-8", newline="") as handle:
        text = handle.read()
    body = strip_scan_header(text)
    try:
        data = _round_trip(Layout()).load(body)
    except RoundTripYAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else None
        problem = str(getattr(exc, "problem", None) or "not valid YAML").splitlines()[0]
        fix = "remove one of them" if "duplicate key" in problem else "check the YAML there"
        raise InputError(path, where, problem, fix) from None
    except ValueError as exc:  # an impossible date such as 2026-02-30
        raise InputError(
            path, None, f"has an impossible value ({exc})",
            "correct it (`hashshock validate` names the field)",
        ) from None  # fmt: skip
    if not isinstance(data, CommentedMap):
        raise InputError(
            path, None, "expected a YAML mapping at top level", "start with 'key: value' lines"
        )
    return FleetDocument(path, data, text, body, _guess_layout(body))


@dataclass
class _Region:
    """Lines of a YAML text: the part before the first key, one top-level key, or (inside a
    block sequence) the part before its first item and each item."""

    key: str
    text: str
    items: list[_Region] | None = None

    @property
    def signature(self) -> str:
        return f"{self.key}\0{self.text}"


def _regions(text: str, doc: Any) -> list[_Region] | None:
    """``text`` cut into regions by the line numbers the parse of it (``doc``) records, or
    None if the document is not laid out one key a line."""
    if not isinstance(doc, CommentedMap) or not doc:
        return None
    lines = text.splitlines(keepends=True)
    keys = list(doc)
    starts = [doc.lc.key(k)[0] for k in keys]
    if starts != sorted(set(starts)):
        return None
    out = [_Region("", "".join(lines[: starts[0]]))]
    for i, key in enumerate(keys):
        a, b = starts[i], starts[i + 1] if i + 1 < len(keys) else len(lines)
        region = _Region(str(key), "".join(lines[a:b]))
        value = doc[key]
        if isinstance(value, CommentedSeq) and value and not value.fa.flow_style():
            items = [value.lc.item(j)[0] for j in range(len(value))]
            if items == sorted(set(items)) and a < items[0] and items[-1] < b:
                bounds = [*items, b]
                region.items = [_Region(f"{key}:", "".join(lines[a : items[0]]))] + [
                    _Region(f"{key}[]", "".join(lines[bounds[j] : bounds[j + 1]]))
                    for j in range(len(items))
                ]
        out.append(region)
    return out


def _trailing_comments(text: str) -> tuple[str, str]:
    """``text`` split before its trailing blank lines and column-0 comments (what follows
    the last item of a list usually introduces the next key)."""
    lines = text.splitlines(keepends=True)
    cut = len(lines)
    while cut > 1 and (not lines[cut - 1].strip() or lines[cut - 1].startswith("#")):
        cut -= 1
    return "".join(lines[:cut]), "".join(lines[cut:])


def _splice_regions(
    user: list[_Region], before: list[_Region], after: list[_Region], newline: str
) -> list[str]:
    """The user's own text for every region the merge left as it was, the new rendering
    for the rest. ``before`` and ``user`` are the unmerged document rendered by ruamel
    and as the user wrote it (region for region), ``after`` the merged one.

    Changed regions are paired in order (a changed list is spliced item by item); the
    comment lines under a region (which introduce what follows) are kept even where
    ruamel dropped them, and items added at the end of a list go above them.
    """
    out: list[str] = []
    matcher = difflib.SequenceMatcher(
        None, [r.signature for r in before], [r.signature for r in after], autojunk=False
    )
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.extend(user[i].text for i in range(i1, i2))
            continue
        paired = min(i2 - i1, j2 - j1)
        pairs = zip(
            user[i1 : i1 + paired], before[i1 : i1 + paired], after[j1 : j1 + paired], strict=True
        )
        for u, o, n in pairs:
            if (
                o.key == n.key
                and u.items is not None
                and o.items is not None
                and n.items is not None
                and len(u.items) == len(o.items)
            ):
                out.extend(_splice_regions(u.items, o.items, n.items, newline))
                continue
            text = n.text.replace("\n", newline)
            tail = _trailing_comments(u.text)[1]
            if tail.strip() and tail.strip() not in text:  # ruamel dropped them with a key
                text = _trailing_comments(text)[0] + tail
            out.append(text)
        for u in user[i1 + paired : i2]:  # removed: keep the comments that follow it
            out.append(_trailing_comments(u.text)[1])
        if j1 + paired < j2:
            added = "".join(r.text for r in after[j1 + paired : j2]).replace("\n", newline)
            if j2 == len(after) and out:  # at the end: above the comments that follow
                kept, trailing = _trailing_comments(out[-1])
                added, added_tail = _trailing_comments(added)  # ruamel's copy of the same
                out[-1] = kept
                out.extend([added, trailing if trailing.strip() else added_tail])
            else:
                out.append(added)
    return out


def _splice(original: FleetDocument, merged_text: str) -> str:
    """``merged_text`` with every unchanged region replaced by the user's original lines,
    so only the cohorts and sites the merge touched are re-rendered; falls back on
    ``merged_text`` if the result would not read the same."""
    rt = _round_trip(original.layout)
    before_text = _dump(original.data, original.layout)
    try:
        user = _regions(original.body, original.data)
        before = _regions(before_text, rt.load(before_text))
        after = _regions(merged_text, rt.load(merged_text))
    except (RoundTripYAMLError, ValueError):
        return merged_text
    if user is None or before is None or after is None or len(user) != len(before):
        return merged_text
    if any(u.key != b.key for u, b in zip(user, before, strict=True)):
        return merged_text
    text = "".join(_splice_regions(user, before, after, original.layout.newline))
    try:
        same = yaml.safe_load(text) == yaml.safe_load(merged_text)
    except yaml.YAMLError:
        same = False
    return text if same else merged_text


def render_fleet_yaml(
    data: Mapping[str, Any], header: list[str], original: FleetDocument | None = None
) -> str:
    """The fleet mapping as YAML with ``# `` comment lines on top.

    With ``original`` (the file the mapping was merged into) the text keeps the file's
    indentation, line endings and, line for line, everything the merge did not change;
    an earlier scan's header is replaced by ``header``. A header line holding a line
    break (a miner's reported model, a site name) stays comment on every line it makes:
    text a miner sends must never become the file's settings. The text is read back and
    must be ``data``, else :class:`InputError` and nothing is written.
    """
    layout = original.layout if original is not None else Layout()
    body = _dump(data, layout)
    if original is not None:
        body = _splice(original, body)
    pieces = [piece for line in header for piece in (line.splitlines() or [""])]
    comments = "".join(
        f"# {piece}{layout.newline}" if piece else f"#{layout.newline}" for piece in pieces
    )
    text = comments + body
    try:
        same = yaml.safe_load(text) == yaml.safe_load(_dump(data, Layout()))
    except yaml.YAMLError:
        same = False
    if not same:
        raise InputError(None, "--out", "the fleet file written would not read back as the "
                         "scan's fleet", "report this; nothing was written")  # fmt: skip
    return text


def write_merged(document: FleetDocument, text: str, option: str = "--out") -> Path:
    """Keep the file as it was in a backup, then replace it with ``text`` (each write atomic).

    Refuses (:class:`InputError`) if the file changed on disk since it was read. Returns
    the backup's path.
    """
    path = document.path
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            now = handle.read()
    except (OSError, UnicodeDecodeError):
        now = None
    if now != document.text:
        raise InputError(
            path, option, "changed on disk while the scan ran; nothing written",
            "run the scan again",
        )  # fmt: skip
    backup = keep_backup(path, document.text.encode("utf-8"), option)
    atomic_write_text(path, text, option)
    return backup
