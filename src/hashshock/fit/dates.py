"""Dates in failure logs and scan inventories: parsed strictly, checked against ``--as-of``."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from hashshock.inputs.errors import InputError


def parse_date(text: str, file: Path | None, where: str) -> date:
    """``YYYY-MM-DD`` (or an ISO 8601 date-time, whose date is taken) as a :class:`date`.

    An impossible date such as ``2026-02-30`` or a text that is not a date raises
    :class:`InputError` naming ``file`` and ``where`` (e.g. ``"row 7, failure_date"``).
    """
    value = text.strip()
    try:
        return date.fromisoformat(value)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(value).date()
    except ValueError:
        pass
    looks_like_date = len(value) == 10 and value[4] == "-" and value[7] == "-"
    problem = f"{value!r} is not a real date" if looks_like_date else f"{value!r} is not a date"
    raise InputError(file, where, problem, "write the date as YYYY-MM-DD (a day that exists)")


def parse_option_date(text: str | None, option: str) -> date | None:
    """A command-line date option (``--as-of``, ``--install-date``), or ``None`` if not given."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(None, option, f"{text!r} is not a date", "write YYYY-MM-DD") from None


def as_date(value: date | str | None, argument: str) -> date | None:
    """An API's date argument: a :class:`date`, ``YYYY-MM-DD`` text, or None."""
    if value is None or isinstance(value, date):
        return value
    if isinstance(value, str):
        return parse_option_date(value, argument)
    raise InputError(None, argument, f"{value!r} is not a date",
                     "give a datetime.date or YYYY-MM-DD text")  # fmt: skip


def check_not_future(
    value: date, reference: date, given: bool, file: Path | None, where: str
) -> None:
    """Refuse a date after ``reference`` (``--as-of`` if ``given``, else today)."""
    if value <= reference:
        return
    if given:
        raise InputError(
            file, where, f"{value} is after --as-of {reference}",
            "correct the date, or pass a later --as-of",
        )  # fmt: skip
    raise InputError(
        file, where, f"{value} is in the future (today is {reference})",
        "correct the date (YYYY-MM-DD)",
    )  # fmt: skip
