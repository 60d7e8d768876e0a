"""``TableData`` → rich renderables. Builds things to print; never prints."""

from __future__ import annotations

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text

from mncost.views.formats import TableData


def column_widths(data: TableData) -> list[int]:
    """Each column's natural width: its widest cell, header or footer (terminal cells)."""
    rows = list(data.rows) + ([data.footer] if data.footer is not None else [])
    return [max([cell_len(column.header)] + [cell_len(row.get(column.key, "")) for row in rows])
            for column in data.columns]


class _Cell:
    """A cell of plain text whose width is known: yields its padded, justified lines as
    segments. Rich's own path (Padding around Text, measured, wrapped and justified) gives
    the same characters but was most of the time `mncost table` spent after its imports."""

    __slots__ = ("lines", "width", "justify", "style")

    def __init__(self, text: str, width: int, justify: str, style: str | None = None) -> None:
        self.lines = text.split("\n")
        self.width = width
        self.justify = justify
        self.style = Style.parse(style) if style else None

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(self.width + 2, self.width + 2)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = max(options.max_width - 2, 0)
        for i, line in enumerate(self.lines):
            gap = " " * max(width - cell_len(line), 0)
            text = gap + line if self.justify == "right" else line + gap
            if i:
                yield Segment.line()
            yield Segment(f" {text} ", self.style)


def _table_width(widths: list[int]) -> int:
    return sum(widths) + 3 * len(widths) + 1  # one space each side, a border between


def fit(data: TableData, width: int | None) -> tuple[TableData, bool]:
    """The table with columns left out, most droppable first (``Column.drop``), until it is
    at most ``width`` wide; and whether it still needs squeezing (text cells wrapped)."""
    if width is None:
        return data, False
    columns = list(data.columns)
    widths = column_widths(data)
    dropped: list[str] = []
    order = sorted((c for c in columns if c.drop), key=lambda c: (-c.drop, -columns.index(c)))
    for column in order:
        if _table_width(widths) <= width:
            break
        i = columns.index(column)
        dropped.append(column.header)
        del columns[i], widths[i]
    if dropped:
        note = (f"Left out to fit {width} columns: {', '.join(reversed(dropped))} "
                "(--wide shows every column).")
        data = TableData(title=data.title, columns=tuple(columns), rows=data.rows,
                         footer=data.footer, notes=data.notes + (note,))
    return data, _table_width(widths) > width


def _squeezed(data: TableData, rules: tuple[bool, ...] | None) -> RenderableType:
    """Rich's own layout, text columns wrapped to fit: the last resort of a narrow terminal."""
    table = Table(title=data.title, title_justify="left", show_footer=False,
                  header_style="bold")
    for column in data.columns:  # fold, never cut: a name is never shown as "mobilenet-1.…"
        table.add_column(column.header, justify="right" if column.numeric else "left",
                         no_wrap=column.numeric, overflow="fold")
    styled = {c.key: dict(c.styles) for c in data.columns if c.styles}
    for row in data.rows:
        table.add_row(*(Text(row.get(c.key, ""),
                             style=styled.get(c.key, {}).get(row.get(c.key, "")) or "")
                        for c in data.columns))
    if rules is not None:
        for row, end in zip(table.rows, rules):
            row.end_section = end
    if data.footer is not None:
        table.add_section()
        table.add_row(*(data.footer.get(c.key, "") for c in data.columns), style="bold")
    return Group(table, *(Text(note, style="dim") for note in data.notes))


def rich_table(data: TableData, rules: tuple[bool, ...] | None = None,
               width: int | None = None) -> RenderableType:
    """One table, fitted to ``width`` terminal columns when given (``fit``); ``rules[i]``
    puts a rule under row ``i`` and keeps the first column whole (``mncost check``: one
    group of rows per budget)."""
    data, squeeze = fit(data, width)
    if squeeze:
        return _squeezed(data, rules)
    # Widths given up front and cells that render themselves (``_Cell``): rich need neither
    # measure every cell (twice: to size the console, then to print) nor wrap it.
    table = Table(title=data.title, title_justify="left", show_footer=False,
                  header_style="bold", padding=0)
    widths = column_widths(data)
    justify = ["right" if column.numeric else "left" for column in data.columns]
    for column, width, side in zip(data.columns, widths, justify):
        table.add_column(_Cell(column.header, width, side), justify=side, no_wrap=True,
                         width=width + 2)
    styled = {c.key: dict(c.styles) for c in data.columns if c.styles}
    for row in data.rows:
        table.add_row(*(_Cell(row.get(column.key, ""), width, side,
                              styled.get(column.key, {}).get(row.get(column.key, "")))
                        for column, width, side in zip(data.columns, widths, justify)))
    if rules is not None:
        table.columns[0].no_wrap = True
        for row, end in zip(table.rows, rules):
            row.end_section = end
    if data.footer is not None:
        table.add_section()
        table.add_row(*(_Cell(data.footer.get(c.key, ""), width, side)
                        for c, width, side in zip(data.columns, widths, justify)), style="bold")
    if not data.notes:
        return table
    return Group(table, *(Text(note, style="dim") for note in data.notes))


def rich_tables(*tables: TableData) -> RenderableType:
    parts: list[RenderableType] = []
    for i, data in enumerate(tables):
        if i:
            parts.append(Text(""))
        parts.append(rich_table(data))
    return Group(*parts)

