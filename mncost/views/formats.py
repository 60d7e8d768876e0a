"""Plain-data views of results: a neutral table model, human units, JSON dicts, CSV, markdown.

Nothing here imports rich; ``render`` turns the same ``TableData`` into rich renderables, so
every command's table looks the same in every format and carries the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple, Sequence

from mncost.core.units import grouped, human, human_bytes, percent  # noqa: F401 (re-exported)


class Column(NamedTuple):
    """A column of a TableData; ``styles`` maps a cell's text to a rich style (``ok`` → green),
    so colour is data the renderer applies, never markup inside a cell."""

    key: str
    header: str
    numeric: bool = False
    styles: tuple[tuple[str, str], ...] = ()
    # 0: always shown. Higher: left out first when the terminal is too narrow (--wide
    # shows every column); JSON, CSV and markdown always have them all.
    drop: int = 0


@dataclass(frozen=True)
class TableData:
    """A titled grid of display strings, plus an optional emphasised footer row."""

    title: str
    columns: tuple[Column, ...]
    rows: tuple[dict[str, str], ...]
    footer: dict[str, str] | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)


def shape_text(shape: Sequence[int]) -> str:
    return "×".join(str(x) for x in shape)


# -- generic text renderers -----------------------------------------------------------------

def _md_cell(text: str) -> str:
    return text.replace("|", "\\|")


def markdown(table: TableData) -> str:
    """A GitHub-flavoured markdown table with its title and notes."""
    lines = [f"### {table.title}", ""]
    lines.append("| " + " | ".join(_md_cell(c.header) for c in table.columns) + " |")
    lines.append("|" + "|".join("---:" if c.numeric else "---" for c in table.columns) + "|")
    body = list(table.rows) + ([table.footer] if table.footer else [])
    for i, row in enumerate(body):
        cells = [_md_cell(row.get(c.key, "")) for c in table.columns]
        if table.footer is not None and i == len(body) - 1:
            cells = [f"**{c}**" if c else c for c in cells]
        lines.append("| " + " | ".join(cells) + " |")
    for note in table.notes:
        lines += ["", note]
    return "\n".join(lines) + "\n"


def to_json(data: Any) -> str:
    import json

    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
