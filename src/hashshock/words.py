"""Counts in words for summaries ("1 path", "2 paths")."""

from __future__ import annotations


def counted(number: int, noun: str) -> str:
    """``number`` (with thousands separators) and ``noun``, plural unless it is 1.

    >>> counted(1, "day"), counted(1_000, "path")
    ('1 day', '1,000 paths')
    """
    return f"{number:,} {noun}{'' if number == 1 else 's'}"
