"""One error type for every bad input, with a message that names file, field and fix."""

from __future__ import annotations

import datetime as dt
import difflib
import math
import numbers
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pydantic is imported by the models that raise it, not here
    from pydantic import BaseModel, ValidationError


class InputError(ValueError):
    """A user input is wrong. ``str()`` gives one line: file, field, problem and fix.

    A :class:`ValueError`, as pydantic's ``ValidationError`` is: a script's ``except
    ValueError`` around a call catches bad input whichever layer found it."""

    def __init__(self, file: str | Path | None, field: str | None, problem: str, fix: str = ""):
        self.file = str(file) if file is not None else None
        self.field = field or None
        self.problem = problem
        self.fix = fix
        super().__init__(self.message)

    def __reduce__(self) -> tuple[type[InputError], tuple[str | None, str | None, str, str]]:
        # Rebuilt from its parts (the default passes only the message): a worker process's
        # error reaches the caller whole, not as a broken pool.
        return (type(self), (self.file, self.field, self.problem, self.fix))

    @property
    def message(self) -> str:
        where = ": ".join(part for part in (self.file, self.field) if part)
        text = f"{where}: {self.problem}" if where else self.problem
        if self.fix:
            text += f" — fix: {self.fix}"
        return text


def check_path_like(value: object, argument: str, fix: str, noun: str | None = None) -> Path:
    """An API argument that must be a file's path (or a name): anything else but a
    ``str`` or ``Path`` is an :class:`InputError` naming ``argument`` ("5 is not a
    fleet", or ``noun`` where the argument's name is not one: ``extra[0]``), not a
    ``TypeError`` from deep inside. Returns it as a path, ``~`` expanded as a shell
    would (``run("~/fleet.yaml")``)."""
    if not isinstance(value, str | Path):
        what = noun or argument
        article = "an" if what[:1] in "aeiou" else "a"
        raise InputError(None, argument, f"{shown(value)} is not {article} {what}", fix)
    if isinstance(value, str) and not value.strip():  # else read as the working folder
        raise InputError(None, argument, f"{shown(value)} is empty", fix)
    check_not_yaml_text(value, argument)
    return Path(value).expanduser()


def check_not_yaml_text(value: object, argument: str | None = None) -> None:
    """A file's contents given where its path goes (``run(open(f).read())``) is refused as
    that, not read as a file name (the system's "File name too long", or "file not found"
    naming the whole text)."""
    if "\n" in str(value):
        first = str(value).strip().splitlines()[0][:40]
        raise InputError(
            None, argument, f"looks like a file's text ({first!r} …), not its path",
            "give the file's path, or its fields as a mapping (yaml.safe_load(text))",
        )  # fmt: skip


def check_whole(value: object, name: str, low: int, high: int, unit: str = "") -> None:
    """``value`` must be a whole number in [low, high]; else an input error naming it
    (``name``: the Python argument, with its command-line option where it has one;
    ``unit``: what it counts). numpy's integers count; True and 2.0 do not."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InputError(
            None, name, f"{value!r} is not a whole number",
            f"give a whole number{' of ' + unit if unit else ''}, {low:,} to {high:,}",
        )  # fmt: skip
    if not low <= int(value) <= high:
        raise InputError(None, name, f"{value} is out of range",
                         f"use {low:,} to {high:,}{' ' + unit if unit else ''}")  # fmt: skip


def check_flag(value: object, argument: str, fix: str) -> bool:
    """An API argument that must be True or False (numpy's too: ``np.True_``), as a
    ``bool``; ``"no"`` or ``0`` is refused, naming ``argument``, rather than read as its
    truth value (``"no"`` is true)."""
    if isinstance(value, bool):
        return value
    if type(value).__module__ == "numpy" and type(value).__name__ in ("bool_", "bool"):
        return bool(value)
    raise InputError(None, argument, f"{shown(value)} is not True or False", fix)


def is_number(value: object) -> bool:
    """A real number, numpy's too (``np.float32(0.95)``, ``np.int64(500)``); True and
    False are not, though Python counts them as integers."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


class TruthValue:
    """True or False given where a number belongs: no number type takes it, so the
    field's own check refuses it, at the field (:func:`from_validation_error` says why)."""

    def __init__(self, value: bool) -> None:
        self.value = value

    def __repr__(self) -> str:
        return repr(self.value)


def shown(value: object, width: int = 80) -> str:
    """``repr(value)`` cut to about ``width`` characters: a message quotes what was
    given, not a whole fleet model or list of runs.

    >>> shown("fleet.yaml"), shown(list(range(100))).endswith("… (list)")
    ("'fleet.yaml'", True)
    """
    text = repr(value)
    return text if len(text) <= width else f"{text[: width - 10]}… ({type(value).__name__})"


def closest(word: str, choices: Iterable[str], n: int = 3) -> list[str]:
    """The known names closest to ``word`` (for 'did you mean' hints)."""
    options = list(choices)
    # 0.5: "ghost" is not offered riot or cango-us (0.44, 0.46); "frams" keeps farms.
    hits = difflib.get_close_matches(word, options, n=n, cutoff=0.5)
    if not hits:
        # Fall back on shared prefix/substring so short typos still get a hint.
        hits = [o for o in options if word and (word in o or o in word)][:n]
    return hits


def number_fix(value: Any) -> str:
    """The fix for ``value`` where a number belongs: YAML 1.1 (PyYAML) reads an exponent
    without a dot and a sign (``1e9``, ``3e1``, ``1.5e2``) as text, so such text is told
    how to write it (``1.0e+09``)."""
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            pass
        else:
            if "e" in value.lower() and math.isfinite(number):
                return f"write it with a dot and a sign, e.g. {number:.1e}, or in full"
            return "write it as a number, without quotes"
    return "write a number"


def unknown_name_fix(word: str, choices: Sequence[str], what: str, listing: str = "") -> str:
    hits = closest(word, choices)
    if hits:
        fix = f"did you mean {', '.join(hits)}?"
    elif choices and len(choices) <= 20:  # a file's operators, sites, covenants: all
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
    # a number given for a date is read as seconds since 1970: 20261201 is in 1970
    "date_from_datetime_inexact": "write the date as YYYY-MM-DD",
    "missing": "add this field",
    "bool_parsing": "write true or false",
    "bool_type": "write true or false",
    "list_type": "write a list (YAML '- item' lines)",
    "dict_type": "write a mapping (YAML 'key: value' lines)",
    "model_type": "write a mapping (YAML 'key: value' lines)",
    "model_attributes_type": "write a mapping (YAML 'key: value' lines)",
    "string_type": "write text",
    "string_too_short": "write some text",
}


#: A bound's error type → the ``ctx`` key of its limit and how the fix states it.
_BOUNDS = {
    "greater_than_equal": ("ge", "use a value of at least {}"),
    "greater_than": ("gt", "use a value above {}"),
    "less_than_equal": ("le", "use a value of at most {}"),
    "less_than": ("lt", "use a value below {}"),
}


def from_validation_error(
    exc: ValidationError, file: str | Path | None, model: type[BaseModel] | None = None
) -> InputError:
    """Turn pydantic's first error into one clear :class:`InputError` (or, when a field
    is missing beside an unknown one spelt like it, that misspelling; with the validated
    ``model``, an unknown field spelt like an optional one is told which it may be)."""
    return from_errors(exc.errors(include_url=False), file, model)


def from_errors(
    errors: Sequence[Any], file: str | Path | None, model: type[BaseModel] | None = None
) -> InputError:
    """:func:`from_validation_error` of pydantic's error dicts themselves: a web request's
    errors (FastAPI's ``RequestValidationError``) come as that list, not as a
    ``ValidationError``, and are worded the same way."""
    err = _misspelt(errors) or errors[0]
    if err.get("type") == "extra_forbidden" and "did_you_mean" not in err and model:
        loc = tuple(err.get("loc", ()))
        known = _fields_at(model, loc[:-1])
        hits = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.6) if loc else []
        err = {**err, "did_you_mean": hits[0]} if hits else err
    field = _loc_to_field(tuple(err.get("loc", ())))
    kind = str(err.get("type", ""))
    msg = str(err.get("msg", "invalid value"))
    value = err.get("input")
    ctx = err.get("ctx") or {}
    if kind == "value_error":
        msg = msg.removeprefix("Value error, ")
        if " — fix: " in msg:
            problem, fix = msg.split(" — fix: ", 1)
            return InputError(file, field, problem, fix)
        return InputError(file, field, msg)
    if kind == "extra_forbidden":
        missing = err.get("did_you_mean")
        fix = f"did you mean {missing}?" if missing else "remove it or check its spelling"
        return InputError(file, field, "unknown field", fix)
    if kind == "literal_error":
        expected = ctx.get("expected", "")
        return InputError(
            file, field, f"{value!r} is not allowed", f"use one of {expected}".replace("'", "")
        )
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        return _union_tag(file, field, kind, ctx)
    if value is None and kind.endswith("_type"):  # YAML's `paths:`, a blank box in a page
        return InputError(file, field, "no value given", _FIXES.get(kind, "give a value"))
    if isinstance(value, TruthValue):  # True or False where a number belongs
        # The source may be YAML or a Python object: the fix says YAML's part as YAML's.
        return InputError(file, field, f"{value!r} is not a number",
                          f"write a number ({_yaml_truth(value.value)})")  # fmt: skip
    if kind == "string_type" and isinstance(value, bool):  # country: NO, name: yes
        return InputError(file, field, f"{value!r} is not text",
                          f"quote it ({_yaml_truth(value)} unless quoted)")  # fmt: skip
    if kind.startswith("date_from_datetime") and isinstance(value, int | float):
        # pydantic reads a number as seconds since 1970: 20261201 is in August 1970
        return InputError(file, field, f"{value!r} is a number, not a date",
                          f"write the date as YYYY-MM-DD{_as_iso(value)}")  # fmt: skip
    if isinstance(value, float) and value != value and kind in (*_BOUNDS, "finite_number"):
        return InputError(file, field, ".nan is not a number", "write a number")
    if kind == "finite_number":
        return InputError(file, field, f"{value!r} is not a finite number",
                          "write a number (not .inf)")  # fmt: skip
    if kind == "int_parsing_size":  # 1.0e+23 where a whole number belongs: past int64
        return InputError(file, field, f"{value!r} is far too large a whole number",
                          "write the whole number meant (is its exponent mistyped?)")  # fmt: skip
    if kind in _BOUNDS:
        key, fix = _BOUNDS[kind]
        shown = value.isoformat() if isinstance(value, dt.date) else repr(value)
        limit = ctx[key]
        if isinstance(limit, float) and limit.is_integer():
            limit = int(limit)  # "at most 1000000000000", not 1000000000000.0
        return InputError(file, field, f"{shown}: {_lower_first(msg)}", fix.format(limit))
    if kind == "string_pattern_mismatch":
        return InputError(file, field, f"{value!r} has characters a name cannot have",
                          "use letters, digits, '-', '_' and '.', starting with a letter or "
                          "digit")  # fmt: skip
    if kind == "too_short":
        return InputError(file, field, _lower_first(msg),
                          f"give at least {ctx.get('min_length', 1)}")  # fmt: skip
    shown = (
        f"{value!r}: "
        if value is not None and kind != "missing" and not isinstance(value, dict | list)
        else ""
    )
    return InputError(file, field, f"{shown}{_lower_first(msg)}", _text_number_fix(kind, value))


def _yaml_truth(value: bool) -> str:
    """Which unquoted YAML words read as ``value`` (a fix's note where one was met)."""
    words = "true, yes and on" if value else "false, no and off"
    return f"in YAML, {words} read as {value}"


def _as_iso(value: float) -> str:
    """``", e.g. 2026-12-01"`` for a date written as the number ``20261201``, else ``""``."""
    try:
        return f", e.g. {dt.datetime.strptime(f'{value:.0f}', '%Y%m%d').date().isoformat()}"
    except (ValueError, OverflowError):
        return ""


def _text_number_fix(kind: str, value: Any) -> str:
    """The fix of pydantic's error ``kind``; a number written so that YAML reads it as text
    (``1e9``: an exponent without a dot) is told how to write it, not to drop quotes it
    never had."""
    # YAML 1.1 reads an exponent as a number only with a dot and a sign (1.0e+2): 1e9,
    # 1.5e2 and 5e-1 are text.
    exponent = r"[-+]?(\d+\.?\d*|\.\d+)[eE][-+]?\d+"
    if (kind.startswith(("int_", "float_")) and isinstance(value, str)
            and re.fullmatch(exponent, value.strip())):  # fmt: skip
        number = float(value)
        if not kind.startswith("int_"):
            return number_fix(value)
        if number.is_integer() and abs(number) < 1e18:
            return f"YAML reads {value} as text: write it in full, {int(number)}"
    return _FIXES.get(kind, "")


def _lower_first(text: str) -> str:
    """pydantic's message continuing a sentence (only its first letter lowered: the rest
    may quote a pattern or a value)."""
    return text[:1].lower() + text[1:]


def _union_tag(file: str | Path | None, field: str, kind: str, ctx: dict[str, Any]) -> InputError:
    """An unknown or missing type of a tagged list item (a scenario's event, say)."""
    tag = str(ctx.get("discriminator", "type")).strip("'")
    expected = str(ctx.get("expected_tags", "")).replace("'", "")
    fix = f"use one of {expected}" if expected else f"add {tag}: and the item's other fields"
    if kind == "union_tag_invalid":
        return InputError(file, f"{field}.{tag}", f"unknown {tag} {ctx.get('tag', '')!r}", fix)
    return InputError(file, field, f"no {tag} given", fix)


def _fields_at(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The field names (aliases where set) of the model found at ``loc`` inside
    ``model`` (list indices and dict keys skipped); [] where a union or a plain type
    leaves it open."""
    from pydantic import BaseModel

    current = model
    for part in loc:
        if isinstance(part, int):
            continue
        fields = {f.alias or name: f for name, f in current.model_fields.items()}
        if part not in fields:  # a dict's key: its values are the model reached
            continue
        inner = [t for t in _flat_args(fields[part].annotation)
                 if isinstance(t, type) and issubclass(t, BaseModel)]  # fmt: skip
        if len(inner) != 1:
            return []
        current = inner[0]
    return [f.alias or name for name, f in current.model_fields.items()]


def _flat_args(annotation: Any) -> list[Any]:
    """``annotation`` and every type inside it (``list[X] | None`` gives X among them)."""
    from typing import get_args

    out = [annotation]
    for arg in get_args(annotation):
        out += _flat_args(arg)
    return out


def _misspelt(errors: Sequence[Any]) -> dict[str, Any] | None:
    """An unknown field beside a missing one spelt like it (``operatorz:`` for
    ``operators:``): that error, told which field was meant; else ``None``."""
    missing = {tuple(e["loc"]): e for e in errors if e.get("type") == "missing" and e.get("loc")}
    for err in errors:
        loc = tuple(err.get("loc", ()))
        if err.get("type") != "extra_forbidden" or not loc or not isinstance(loc[-1], str):
            continue
        wanted = [str(m[-1]) for m in missing if m[:-1] == loc[:-1] and isinstance(m[-1], str)]
        hits = difflib.get_close_matches(loc[-1], wanted, n=1, cutoff=0.6)
        if hits:
            return {**err, "did_you_mean": hits[0]}
    return None
