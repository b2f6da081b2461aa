"""The terminal's tables: rich's, with a title or caption wider than the table wrapped to
the terminal instead of to the table.

rich lays a table's title and caption out in the table's own width, so a narrow table
under a sentence-long title read as a column of three words a line ("First part to
break: part (share of / paths it is first, ties split) · / …"). A title or caption that
fits the table stays as rich draws it.
"""

from __future__ import annotations

from rich import table as rich_table
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.style import Style, StyleType
from rich.text import Text, TextType


class Table(rich_table.Table):
    """:class:`rich.table.Table` whose title and caption, when longer than the table is
    wide, are paragraphs as wide as the terminal (left-aligned, above and below it)."""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        if not self.expand and self.width is None:
            width = min(width, Measurement.get(console, options, self).maximum)
        title, caption = self.title, self.caption
        wide_title = title is not None and _text(console, title, None).cell_len > width
        wide_caption = caption is not None and _text(console, caption, None).cell_len > width
        if wide_title:
            yield from _paragraph(console, options, title, self.title_style, "table.title")
            self.title = None
        if wide_caption:
            self.caption = None
        try:
            yield from super().__rich_console__(console, options)
        finally:
            self.title, self.caption = title, caption
        if wide_caption:
            yield from _paragraph(console, options, caption, self.caption_style, "table.caption")


def _text(console: Console, text: TextType, style: StyleType | None) -> Text:
    if isinstance(text, Text):
        return text
    return console.render_str(text, style=style or "", highlight=False)


def _paragraph(
    console: Console, options: ConsoleOptions, text: TextType | None, style: StyleType | None,
    default: str,
) -> RenderResult:  # fmt: skip
    """``text`` in the table's style for it, wrapped to the terminal, left-aligned."""
    if text is None:
        return
    rendered = _text(console, text, Style.pick_first(style, default))
    yield from console.render(rendered, options.update(justify="left"))
