"""One error type for every bad input, with a message that names file, field and fix."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pydantic is imported by the models that raise it, not here
    from pydantic import ValidationError


class InputError(Exception):
    """A user input is wrong. ``str()`` gives one line: file, field, problem and fix."""

    def __init__(self, file: str | Path | None, field: str | None, problem: str, fix: str = ""):
        self.file = str(file) if file is not None else None
        self.field = field or None
        self.problem = problem
        self.fix = fix
        super().__init__(self.message)

    @property
    def message(self) -> str:
        where = ": ".join(part for part in (self.file, self.field) if part)
        text = f"{where}: {self.problem}" if where else self.problem
        if self.fix:
            text += f" — fix: {self.fix}"
        return text


def closest(word: str, choices: Iterable[str], n: int = 3) -> list[str]:
    """The known names closest to ``word`` (for 'did you mean' hints)."""
    options = list(choices)
    hits = difflib.get_close_matches(word, options, n=n, cutoff=0.4)
    if not hits:
        # Fall back on shared prefix/substring so short typos still get a hint.
        hits = [o for o in options if word and (word in o or o in word)][:n]
    return hits


def unknown_name_fix(word: str, choices: Sequence[str], what: str, listing: str = "") -> str:
    hits = closest(word, choices)
    if hits:
        fix = f"did you mean {', '.join(hits)}?"
    elif choices and len(choices) <= 12:
        fix = f"use one of {', '.join(choices)}"
    else:
        fix = f"use a known {what}"
    if listing:
        fix += f" ({listing} lists them all)"
    return fix


def _loc_to_field(loc: tuple[Any, ...]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part in {"function-after", "function-before", "function-plain"}:
            continue
        else:
            text += f".{part}" if text else str(part)
    return text


_FIXES = {
    "int_parsing": "write a whole number",
    "int_type": "write a whole number (no quotes, no decimals)",
    "int_from_float": "write a whole number",
    "float_parsing": "write a number",
    "float_type": "write a number",
    "date_from_datetime_parsing": "write the date as YYYY-MM-DD",
    "date_parsing": "write the date as YYYY-MM-DD",
    "date_type": "write the date as YYYY-MM-DD",
    "missing": "add this field",
    "greater_than_equal": "use a value that is not negative",
    "greater_than": "use a positive value",
    "less_than_equal": "use a smaller value",
    "bool_parsing": "write true or false",
    "list_type": "write a list (YAML '- item' lines)",
    "dict_type": "write a mapping (YAML 'key: value' lines)",
    "model_type": "write a mapping (YAML 'key: value' lines)",
    "string_type": "write text",
}


def from_validation_error(exc: ValidationError, file: str | Path | None) -> InputError:
    """Turn pydantic's first error into one clear :class:`InputError`."""
    err = exc.errors(include_url=False)[0]
    field = _loc_to_field(tuple(err.get("loc", ())))
    kind = str(err.get("type", ""))
    msg = str(err.get("msg", "invalid value"))
    value = err.get("input")
    if kind == "value_error":
        msg = msg.removeprefix("Value error, ")
        if " — fix: " in msg:
            problem, fix = msg.split(" — fix: ", 1)
            return InputError(file, field, problem, fix)
        return InputError(file, field, msg)
    if kind == "extra_forbidden":
        return InputError(file, field, "unknown field", "remove it or check its spelling")
    if kind == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        return InputError(
            file, field, f"{value!r} is not allowed", f"use one of {expected}".replace("'", "")
        )
    if kind in {"less_than_equal", "greater_than_equal", "greater_than", "less_than"}:
        return InputError(file, field, f"{value!r}: {msg.lower()}", _FIXES.get(kind, ""))
    shown = (
        f"{value!r}: "
        if value is not None and kind != "missing" and not isinstance(value, dict | list)
        else ""
    )
    return InputError(file, field, f"{shown}{msg.lower()}", _FIXES.get(kind, ""))
