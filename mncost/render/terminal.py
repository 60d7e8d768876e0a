"""``TableData`` → rich renderables. Builds things to print; never prints."""

from __future__ import annotations

from rich.cells import cell_len
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from mncost.views.formats import TableData


def column_widths(data: TableData) -> list[int]:
    """Each column's natural width: its widest cell, header or footer (terminal cells)."""
    rows = list(data.rows) + ([data.footer] if data.footer is not None else [])
    return [max([cell_len(column.header)] + [cell_len(row.get(column.key, "")) for row in rows])
            for column in data.columns]


def rich_table(data: TableData, rules: tuple[bool, ...] | None = None) -> RenderableType:
    """One table; ``rules[i]`` puts a rule under row ``i`` and keeps the first column whole
    (``mncost check``: one group of rows per budget)."""
    table = Table(title=data.title, title_justify="left", show_footer=False,
                  header_style="bold")
    # Widths given up front: every cell is plain text we already hold, so rich need not
    # measure each one (twice: once to size the console, once to print), which was most of
    # the time `mncost table` spent after its imports.
    for column, width in zip(data.columns, column_widths(data)):
        table.add_column(column.header, justify="right" if column.numeric else "left",
                         no_wrap=column.numeric, width=width)
    styled = {c.key: dict(c.styles) for c in data.columns if c.styles}
    for row in data.rows:
        cells: list[RenderableType] = []
        for column in data.columns:
            text = row.get(column.key, "")
            style = styled.get(column.key, {}).get(text)
            cells.append(Text(text, style=style) if style else text)
        table.add_row(*cells)
    if rules is not None:
        table.columns[0].no_wrap = True
        for row, end in zip(table.rows, rules):
            row.end_section = end
    if data.footer is not None:
        table.add_section()
        table.add_row(*(row_cell for row_cell in (data.footer.get(c.key, "")
                                                   for c in data.columns)), style="bold")
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

