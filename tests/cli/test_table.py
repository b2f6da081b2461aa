"""The terminal's tables (hashshock.cli.table): a title or caption longer than the table
is wide wraps to the terminal, one that fits stays as rich draws it."""

from __future__ import annotations

import io

from rich import table as rich_table
from rich.console import Console

from hashshock.cli.table import Table

TITLE = ("First part to break: part (share of paths it is first, ties split) · median day "
         "it broke first; day 0 = the start date")  # fmt: skip


def _drawn(table: rich_table.Table, width: int = 80) -> list[str]:
    out = io.StringIO()
    Console(file=out, width=width, color_system=None).print(table)
    return [line.rstrip() for line in out.getvalue().splitlines()]


def _narrow(kind: type[rich_table.Table], title: str, caption: str | None = None
            ) -> rich_table.Table:  # fmt: skip
    table = kind(title=title, title_justify="left", caption=caption, caption_justify="left")
    table.add_column("scenario")
    table.add_column("first to break")
    table.add_row("baseline", "no stock-out")
    return table


def test_a_long_title_and_caption_wrap_to_the_terminal_not_the_table() -> None:
    ours = _drawn(_narrow(Table, TITLE, caption=TITLE))
    table_width = max(len(line) for line in ours if line.startswith(("┏", "┃", "│")))
    title_lines = ours[: ours.index(next(line for line in ours if line.startswith("┏")))]
    assert len(title_lines) == 2 and max(len(line) for line in title_lines) > table_width
    assert " ".join(title_lines).split() == TITLE.split()
    caption_lines = ours[ours.index(next(line for line in ours if line.startswith("└"))) + 1 :]
    assert " ".join(caption_lines).split() == TITLE.split() and len(caption_lines) == 2
    theirs = _drawn(_narrow(rich_table.Table, TITLE, caption=TITLE))
    assert len(theirs) > len(ours)  # rich's: the title in the table's width, more lines


def test_a_title_that_fits_is_drawn_as_rich_draws_it() -> None:
    for width in (30, 80):
        assert _drawn(_narrow(Table, "Breaks"), width) == _drawn(
            _narrow(rich_table.Table, "Breaks"), width)  # fmt: skip
    table = _narrow(Table, TITLE)
    _drawn(table)
    assert table.title == TITLE  # drawing leaves the table as it was
