"""Words shared by the terminal and the report: counts ("1 path", "2 paths") and the
definitions that a table or chart must carry."""

from __future__ import annotations


def counted(number: int, noun: str) -> str:
    """``number`` (with thousands separators) and ``noun``, plural unless it is 1.

    >>> counted(1, "day"), counted(1_000, "path")
    ('1 day', '1,000 paths')
    """
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


#: What a part's stock-out is (``first_to_break``, the spares charts): the stage is per pool,
#: while the spares shown are summed over pools, so a part can stock out with spares left.
STOCKOUT_DEFINITION = (
    "A part stocks out on the first day one pool (a site's stock of it for one model family) "
    "is empty while machines wait for it"
)
