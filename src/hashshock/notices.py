"""Accepted inputs worth a second look, told to Python callers as warnings.

The command line prints a result's ``warnings`` itself and ignores these; a script or a
notebook sees them at its own line. Kept apart from :mod:`hashshock.inputs.errors` so
that the command line's start-up need not import what errors need.
"""

from __future__ import annotations

from collections.abc import Iterable


class HashshockWarning(UserWarning):
    """An accepted input worth a second look (a stale market snapshot, an empty cohort …):
    the same lines as a result's ``warnings``, issued by the Python API so that a script
    sees them (the command line prints them itself)."""


def warn_all(texts: Iterable[str]) -> None:
    """Issue each distinct line of ``texts`` once as a :class:`HashshockWarning`,
    attributed to the first caller outside hashshock (the user's line)."""
    import sys
    import warnings

    level, frame = 2, sys._getframe(1)
    while frame.f_back is not None and frame.f_globals.get("__name__", "").startswith("hashshock"):
        level, frame = level + 1, frame.f_back
    for text in dict.fromkeys(texts):
        warnings.warn(text, HashshockWarning, stacklevel=level)
